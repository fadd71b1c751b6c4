"""One way to open any input, HEIC included: ``preview``, ``sora_guard.open_image`` and ``fit_image``."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from support.images import encode, heic_photo, marker, png_header_only, write

import sora_guard
from sora_guard.vocabulary.exceptions import TooManyPixels


def test_preview_reads_a_heic_photo(tmp_path, run_cli):
    write(tmp_path / "IMG_0001.HEIC", heic_photo((1344, 1008)))
    result = run_cli("preview", "IMG_0001.HEIC", "--size", "1280x720", "-o", "sheet.png")
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "sheet.png") as sheet:
        assert sheet.format == "PNG" and sheet.width > 6 * 360


def test_open_image_reads_paths_bytes_and_files_heic_included(tmp_path):
    path = write(tmp_path / "IMG_0001.HEIC", heic_photo((640, 480)))
    for source in (path, str(path), path.read_bytes(), io.BytesIO(path.read_bytes())):
        im = sora_guard.open_image(source)
        assert im.size == (640, 480) and im.format == "HEIF"


def test_fit_image_takes_what_open_image_takes(tmp_path):
    path = write(tmp_path / "IMG_0001.HEIC", heic_photo((1344, 1008)))
    assert sora_guard.fit_image(path, "1280x720").size == (1280, 720)
    assert sora_guard.fit_image(sora_guard.open_image(path), "720x1280", "pad").size == (720, 1280)
    opened = Image.open(io.BytesIO(encode(marker((800, 600)), "PNG")))
    assert sora_guard.fit_image(opened, "1280x720", "blur-pad").size == (1280, 720)


def test_a_bomb_is_refused_before_decoding_by_every_opener(tmp_path, run_cli):
    bomb = write(tmp_path / "bomb.png", png_header_only((60000, 60000)))
    with pytest.raises(TooManyPixels, match="60000x60000 = 3600000000 pixels"):
        sora_guard.open_image(bomb)
    with pytest.raises(TooManyPixels):
        sora_guard.fit_image(bomb, "1280x720")
    big = write(tmp_path / "big.png", png_header_only((9000, 9000)))  # under Pillow's own limit
    with pytest.raises(TooManyPixels):  # a PIL image the caller opened: refused before any decode
        sora_guard.fit_image(Image.open(big), "1280x720", max_pixels=50_000_000)
    assert sora_guard.open_image(bomb, max_pixels=4 * 10**9).size == (60000, 60000)  # opened, not decoded
    refused = run_cli("preview", "bomb.png", "--size", "1280x720", "-o", "sheet.png")
    assert refused.returncode == 2 and "over the limit" in refused.stderr


def test_open_image_refuses_what_is_not_an_image(tmp_path):
    with pytest.raises(Image.UnidentifiedImageError):
        sora_guard.open_image(b"plain text, not a picture")
    with pytest.raises(OSError, match="max-file-bytes"):
        sora_guard.open_image(encode(marker((64, 64)), "PNG"), max_file_bytes=10)
