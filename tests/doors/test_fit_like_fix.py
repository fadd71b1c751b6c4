"""``fit_image`` and ``preview`` fit a file's bytes as ``fix`` does: limits and the scan-bomb refusal
before any decode, a JPEG decoded once at a reduced scale, the same pixels as ``fix`` writes."""

from __future__ import annotations

import pytest
from PIL import Image, ImageFile
from support.images import jpeg_scan_bomb, marker, write

import sora_guard
from sora_guard.api import make_settings
from sora_guard.engine.fitting import encode
from sora_guard.run.context import RunContext
from sora_guard.run.fix import Status, fix_bytes
from sora_guard.vocabulary.exceptions import FitError, UsageError


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """Every pixel decode Pillow starts in this process (``ImageFile.load``), by format."""
    started: list[str] = []
    load = ImageFile.ImageFile.load

    def counting_load(self):
        started.append(self.format)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return started


def test_fit_image_refuses_a_scan_bomb_path_or_bytes_before_decoding_it(tmp_path, decodes):
    bomb = write(tmp_path / "bomb.jpg", jpeg_scan_bomb(4096, 20_000))  # ~25 s to decode
    for source in (bomb, str(bomb), bomb.read_bytes()):
        with pytest.raises(FitError, match="scan bomb"):
            sora_guard.fit_image(source, "1280x720")
    assert decodes == []


def test_preview_reports_a_scan_bomb_without_decoding_it(tmp_path, run_cli, decodes):
    write(tmp_path / "bomb.jpg", jpeg_scan_bomb(4096, 20_000))
    refused = run_cli("preview", "bomb.jpg", "--size", "1280x720", "-o", "sheet.png")
    assert refused.returncode == 2 and "scan bomb" in refused.stderr, refused
    assert not (tmp_path / "sheet.png").exists()
    with pytest.raises(UsageError, match="scan bomb"):
        from sora_guard.preview import preview

        preview(RunContext.from_options(size="1280x720"), str(tmp_path / "bomb.jpg"))
    assert decodes == []


def test_fit_image_of_a_jpeg_file_decodes_it_scaled_down_and_matches_what_fix_writes(tmp_path, decodes):
    path = write(tmp_path / "big.jpg", marker((3000, 2000)), quality=90)
    data = path.read_bytes()
    settings = make_settings(size="1280x720")
    fixed = fix_bytes(data, "big.jpg", settings)
    assert fixed.status is Status.FIXED and decodes == []  # fix: libjpeg-turbo's scaled decode, not Pillow's
    for source in (path, data):
        out = sora_guard.fit_image(source, "1280x720", "cover")
        assert out.size == (1280, 720)
        assert encode(out, "JPEG", settings.quality) == fixed.output  # the very bytes fix writes
    assert decodes == []  # Pillow never decoded the full 6-megapixel picture
    with Image.open(path) as mine:  # a PIL image the caller owns is copied (decoded in full), left alone
        own = sora_guard.fit_image(mine, "1280x720", "cover")
        assert mine.size == (3000, 2000) and mine.mode == "RGB"
    assert decodes == ["JPEG"] and own.size == (1280, 720)


def test_preview_fits_each_strategy_as_fix_does(tmp_path, run_cli, decodes):
    write(tmp_path / "big.jpg", marker((3000, 2000)), quality=90)
    result = run_cli("preview", "big.jpg", "--size", "1280x720", "-o", "sheet.png")
    assert result.returncode == 0, result.stderr
    assert decodes == []  # every strategy's fit decoded the JPEG scaled down, none in full
    with Image.open(tmp_path / "sheet.png") as sheet:
        assert sheet.width > 6 * 360
