"""Per-file limits: decode time (SG505), bytes read (SG501) and their configuration."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from support.images import encode, jpeg_scan_bomb, write

import sora_guard


@pytest.fixture(scope="module")
def slow_png() -> bytes:
    """A 2000x2000 noise PNG: a few hundred milliseconds to decode in 64 KB chunks."""
    return encode(Image.effect_noise((2000, 2000), 60).convert("RGB"), "PNG", compress_level=1)


def _codes(report) -> set[str]:
    return {d.code for d in report.diagnostics}


def test_decode_time_limit_stops_the_decode(slow_png):
    report = sora_guard.check(slow_png, name="big.png", select=["SG5"], max_decode_seconds=0.005)
    assert "SG505" in _codes(report) and not report.ok  # only the timer firing mid-decode reports SG505
    assert "0.005 s" in next(d.message for d in report.diagnostics if d.code == "SG505")
    assert "SG505" not in _codes(sora_guard.check(slow_png, name="big.png", select=["SG5"]))


def test_decode_timer_is_disarmed_and_the_handler_restored(slow_png):
    def own(signum, frame):
        raise AssertionError("the host's handler ran")

    previous = signal.signal(signal.SIGALRM, own)
    try:
        sora_guard.check(slow_png, name="big.png", select=["SG5"], max_decode_seconds=0.005)
        sora_guard.check(slow_png, name="big.png", select=["SG5"])
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is own
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_a_host_timer_is_left_alone(slow_png):
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        report = sora_guard.check(slow_png, name="big.png", select=["SG5"], max_decode_seconds=0.005)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert "SG505" not in _codes(report)  # no limit rather than a broken host timer
    assert 25 < remaining <= 30 and not fired


def test_outside_the_main_thread_there_is_no_time_limit_and_no_error(slow_png):
    results = []
    thread = threading.Thread(
        target=lambda: results.append(
            sora_guard.check(slow_png, name="big.png", select=["SG5"], max_decode_seconds=0.005)
        )
    )
    thread.start()
    thread.join()
    assert results and results[0].ok


def test_cli_decode_limit_from_flag_and_configuration(tmp_path, run_cli, slow_png):
    write(tmp_path / "big.png", slow_png)
    result = run_cli("check", "--isolated", "--select", "SG5", "--max-decode-seconds", "0.005", "big.png")
    assert result.returncode == 1 and "SG505" in result.stdout, result.stdout + result.stderr
    (tmp_path / "sora-guard.toml").write_text("max-decode-seconds = 0.005\n")
    result = run_cli("check", "--select", "SG5", "--output-format", "json", "big.png")
    assert [d["code"] for d in json.loads(result.stdout)["files"][0]["diagnostics"]] == ["SG505"]
    (tmp_path / "sora-guard.toml").write_text("max-decode-seconds = 60\n")
    assert run_cli("check", "--select", "SG5", "big.png").returncode == 0


def test_read_limit_refuses_large_files_unread(tmp_path, run_cli):
    write(tmp_path / "a.png", encode(Image.new("RGB", (64, 64)), "PNG"))
    size = (tmp_path / "a.png").stat().st_size
    result = run_cli("check", "--isolated", "--select", "SG5", "--max-file-bytes", str(size - 1), "a.png")
    assert result.returncode == 1 and "SG501" in result.stdout and "read limit" in result.stdout
    assert (
        run_cli("check", "--isolated", "--select", "SG5", "--max-file-bytes", str(size), "a.png").returncode
        == 0
    )


@pytest.mark.parametrize(
    "line",
    [
        "max-decode-seconds = 0",
        "max-decode-seconds = -1",
        "max-decode-seconds = true",
        "max-file-bytes = 1.5",
    ],
)
def test_bad_limit_values_are_configuration_errors(tmp_path, run_cli, line):
    (tmp_path / "sora-guard.toml").write_text(line + "\n")
    result = run_cli("check", ".")
    assert result.returncode == 2 and line.split(" ")[0] in result.stderr


def test_the_cache_never_remembers_a_timeout_and_follows_the_limits(tmp_path, slow_png):
    from dataclasses import replace

    from sora_guard.config import Settings
    from sora_guard.run.cache import RACY_SECONDS, fingerprint, open_cache
    from sora_guard.run.check import check_files

    path = str(write(tmp_path / "big.png", slow_png))
    settings = Settings(root=tmp_path, select=("SG5",), max_decode_seconds=0.005)
    for _ in range(2):
        cache = open_cache(settings)
        cache.started = time.time() + RACY_SECONDS + 60  # the file counts as old enough to cache
        report = check_files([path], settings, jobs=1, cache=cache)
        assert [d.code for d in report.files[0].diagnostics] == ["SG505"]
        assert cache.get(path, cache.key(path), settings.target()) is None  # decoded again every time
    base = fingerprint(settings)
    assert fingerprint(replace(settings, max_decode_seconds=60)) != base
    assert fingerprint(replace(settings, max_file_bytes=10)) != base


# -- decompression bombs: a header promising billions of pixels is refused before any decoding --------


def _bomb(fmt: str, side: int) -> bytes:
    """A small valid file of ``fmt`` whose header is patched to claim side x side pixels (or near)."""
    import struct

    from support.images import marker, png_header_only

    im = marker((64, 48))
    if fmt == "PNG":
        return png_header_only((side, side))
    data = bytearray(
        encode(
            im.convert("P") if fmt == "GIF" else im,
            fmt,
            **({"exif": b"Exif\0\0MM\0*\0\0\0\x08\0\0"} if fmt == "WEBP" else {}),
        )
    )
    side16 = min(side, 65535)
    if fmt == "JPEG":
        at = data.find(b"\xff\xc0")
        data[at + 5 : at + 9] = struct.pack(">HH", side16, side16)
    elif fmt == "GIF":
        data[6:10] = struct.pack("<HH", side16, side16)
        at = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
        while data[at] == 0x21:  # skip extension blocks up to the image descriptor
            at += 2
            while data[at]:
                at += data[at] + 1
            at += 1
        data[at + 5 : at + 9] = struct.pack("<HH", side16, side16)
    elif fmt == "BMP":
        data[18:26] = struct.pack("<ii", side, side)
    elif fmt == "TIFF":
        ifd = struct.unpack("<I", data[4:8])[0]
        for k in range(struct.unpack("<H", data[ifd : ifd + 2])[0]):
            entry = ifd + 2 + 12 * k
            tag, kind = struct.unpack("<HH", data[entry : entry + 4])
            if tag in (256, 257):
                data[entry + 8 : entry + 12] = (
                    struct.pack("<HH", side16, 0) if kind == 3 else struct.pack("<I", side)
                )
    elif fmt == "WEBP":
        assert data[12:16] == b"VP8X"
        data[24:30] = (side16 - 1).to_bytes(3, "little") * 2
    return bytes(data)


BOMB_FORMATS = ["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"]


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """Every pixel decode Pillow starts in this process (``ImageFile.load``), by format: proof that a
    refusal came before decoding, whatever the machine's speed."""
    started: list[str] = []
    load = ImageFile.ImageFile.load

    def counting_load(self):
        started.append(self.format)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return started


def test_the_decode_counter_sees_a_decode(decodes):
    sora_guard.check(encode(Image.new("RGB", (64, 64)), "BMP"), name="small.bmp")
    assert decodes == ["BMP"]


@pytest.mark.parametrize("fmt", BOMB_FORMATS)
def test_bombs_are_refused_before_decoding(fmt, decodes):
    data = _bomb(fmt, 60000)
    report = sora_guard.check(data, name=f"bomb.{fmt.lower()}", select=["SG5"])
    assert [d.code for d in report.diagnostics] == ["SG504"], report.diagnostics
    assert decodes == []


def test_bombs_and_max_pixels_through_the_cli(tmp_path, run_cli):
    """max-pixels, not Pillow's own limit, decides: the same refusal, and a configurable one."""
    for fmt in BOMB_FORMATS:
        write(tmp_path / "bombs" / f"bomb.{fmt.lower()}", _bomb(fmt, 60000))
        if fmt != "WEBP":  # a patched WebP canvas is refused by libwebp itself (SG502) at any size
            write(tmp_path / "mid" / f"mid.{fmt.lower()}", _bomb(fmt, 3000))
    result = run_cli(
        "check", "--isolated", "--no-cache", "--select", "SG5", "--output-format", "json", "bombs"
    )
    codes = {f["path"]: [d["code"] for d in f["diagnostics"]] for f in json.loads(result.stdout)["files"]}
    assert len(codes) == len(BOMB_FORMATS) and codes.pop("bombs/bomb.webp") in (["SG504"], ["SG502"]), (
        codes
    )  # libwebp refuses the canvas itself
    assert all(c == ["SG504"] for c in codes.values()), codes
    lowered = run_cli(
        "check",
        "--isolated",
        "--no-cache",
        "--select",
        "SG504",
        "--max-pixels",
        "4000000",
        "--output-format",
        "json",
        "mid",
    )
    assert all(
        [d["code"] for d in f["diagnostics"]] == ["SG504"] for f in json.loads(lowered.stdout)["files"]
    )
    default = run_cli(
        "check", "--isolated", "--no-cache", "--select", "SG504", "--output-format", "json", "mid"
    )
    assert all(  # 9 megapixels is allowed by default (their patched pixel data is corrupt: SG503 stays)
        "SG504" not in [d["code"] for d in f["diagnostics"]] for f in json.loads(default.stdout)["files"]
    )


def test_progressive_jpeg_scan_bombs_are_refused_unread_and_slow_scans_time_out(decodes):
    bomb = sora_guard.check(jpeg_scan_bomb(4096, 20_000), name="bomb.jpg", select=["SG5"])  # ~25 s to decode
    assert [d.code for d in bomb.diagnostics] == ["SG503"] and "scan bomb" in bomb.diagnostics[0].message
    assert decodes == []
    under = jpeg_scan_bomb(4096, 450)  # under the scan limit: decoded, so the time limit is what stops it
    assert "SG505" in _codes(
        sora_guard.check(under, name="slow.jpg", select=["SG5"], max_decode_seconds=0.05)
    )
    assert _codes(sora_guard.check(under, name="slow.jpg", select=["SG5"])) == set()


def test_fix_refuses_a_scan_bomb_without_decoding_it(decodes):
    from sora_guard.config import Settings
    from sora_guard.run.fix import Status, fix_bytes

    result = fix_bytes(jpeg_scan_bomb(4096, 20_000), "bomb.jpg", Settings(root=Path.cwd()))
    assert result.status is Status.FAILED and [d.code for d in result.problems] == ["SG503"]
    assert decodes == []


def test_extra_scans_after_a_one_scan_baseline_jpeg_are_not_counted_and_still_refused():
    """A camera's JPEG (one sequential scan of every component) is not searched for scans: libjpeg
    refuses a second scan at once, so thousands of copies of the scan cost nothing and still fail."""
    from sora_guard.config import Settings
    from sora_guard.engine.probe import scan_bomb
    from sora_guard.run.fix import Status, fix_bytes

    data = encode(Image.linear_gradient("L").resize((1024, 768)).convert("RGB"), "JPEG", quality=90)
    start, end = data.index(b"\xff\xda"), data.rindex(b"\xff\xd9")
    bomb = data[:end] + data[start:end] * 2_000 + data[end:]
    assert scan_bomb(bomb, "JPEG") == 0  # not counted...
    assert "SG503" in _codes(sora_guard.check(bomb, name="bomb.jpg", select=["SG5"]))  # ...still refused
    result = fix_bytes(bomb, "bomb.jpg", Settings(root=Path.cwd(), targets=("sora-2",)))
    assert result.status is Status.FAILED and "SG503" in {d.code for d in result.problems}
    assert scan_bomb(jpeg_scan_bomb(256, 600), "JPEG") > 600  # a progressive file is still counted
