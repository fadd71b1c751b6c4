"""The JPEG shortcut never vouches for a file whose decode fails, and does vouch for ordinary ones."""

from __future__ import annotations

import random

import pytest
from PIL import Image
from support.icc import swapped_rgb
from support.images import corrupt_jpeg, decodes, encode, exif_rotated_jpeg, marker, truncated

from sora_guard.engine.jpegscan import intact
from sora_guard.engine.probe import probe_bytes


def photo(size=(256, 192), mode="RGB") -> Image.Image:
    im = Image.blend(marker(size), Image.effect_noise(size, 50).convert("RGB"), 0.4)
    return im if mode == "RGB" else im.convert(mode)


VALID = {
    "baseline 4:2:0": lambda: encode(photo(), "JPEG", quality=90),
    "4:4:4": lambda: encode(photo(), "JPEG", quality=95, subsampling=0),
    "optimised tables": lambda: encode(photo(), "JPEG", optimize=True),
    "grey": lambda: encode(photo(mode="L"), "JPEG"),
    "CMYK": lambda: encode(photo(mode="CMYK"), "JPEG"),
    "restart markers": lambda: encode(photo(), "JPEG", restart_marker_blocks=3),
    "restart markers, 4:4:4, a row each": lambda: encode(
        photo(), "JPEG", subsampling=0, restart_marker_rows=1
    ),
    "restart markers, grey": lambda: encode(photo(mode="L"), "JPEG", restart_marker_blocks=5),
    "comment and ICC": lambda: encode(photo(), "JPEG", comment=b"hello", icc_profile=swapped_rgb()),
    "EXIF": lambda: exif_rotated_jpeg((240, 160), 6),
    "trailing data": lambda: (
        encode(photo(), "JPEG") + b"\x00" * 100 + b"ftypmp42 a motion photo would follow"
    ),
}


@pytest.mark.parametrize("name", VALID)
def test_ordinary_jpegs_are_vouched_for(name):
    data = VALID[name]()
    assert decodes(data) and intact(data)


def test_progressive_and_damaged_files_go_to_the_decoder():
    assert not intact(encode(photo(), "JPEG", progressive=True))
    assert not intact(truncated(encode(photo(), "JPEG"), 0.9))
    assert not intact(encode(photo(), "JPEG")[:-2])  # no EOI
    assert not intact(corrupt_jpeg((256, 192)))
    assert not intact(b"\xff\xd8\xff")
    assert not intact(b"")
    good = encode(photo(), "JPEG")
    scan = good.find(b"\xff\xda")
    start = scan + 2 + int.from_bytes(good[scan + 2 : scan + 4], "big")
    flood = good[:start] + b"\xff\x00" * 200_000 + b"\xff\xd9"  # all stuffing: hostile, left to the decoder
    assert not intact(flood)


def _mutations(data: bytes, rnd: random.Random):
    scan = data.find(b"\xff\xda")
    n = len(data)
    for _ in range(25):
        yield data[: rnd.randrange(2, n - 1)]  # truncated anywhere
        i = rnd.randrange(2, n - 2)
        yield data[:i] + data[i + rnd.randrange(1, 400) :]  # a piece missing
        i = rnd.randrange(2, n - 1)
        yield data[:i] + bytes([data[i] ^ rnd.randrange(1, 256)]) + data[i + 1 :]  # one byte changed
        i = rnd.randrange(2, scan + 12)
        yield data[:i] + rnd.randbytes(6) + data[i + 6 :]  # noise in the headers
        i = rnd.randrange(scan, n - 40)
        yield data[:i] + rnd.randbytes(32) + data[i + 32 :]  # noise in the coded data
        i = rnd.randrange(scan, n - 2)
        yield data[:i] + bytes([0xFF, rnd.randrange(256)]) + data[i + 2 :]  # a stray marker


def test_never_vouches_for_a_file_that_fails_to_decode():
    rnd = random.Random(20261124)
    checked = vouched = 0
    for name, make in VALID.items():
        for damaged in _mutations(make(), rnd):
            checked += 1
            if intact(damaged):
                vouched += 1
                assert decodes(damaged), f"{name}: vouched for a file whose decode fails"
    assert checked == len(VALID) * 150
    assert vouched > checked // 10  # the shortcut is exercised, not just refusing everything


def test_probe_reports_the_same_with_and_without_the_shortcut():
    """The probe uses the shortcut; a file it cannot vouch for is decoded and reported as before."""
    good = encode(photo(), "JPEG")
    assert probe_bytes(good, "a.jpg").decode_error is None
    assert (
        "the file ends before the image data does" in probe_bytes(truncated(good, 0.7), "b.jpg").decode_error
    )
    assert probe_bytes(corrupt_jpeg((256, 192)), "c.jpg").decode_error


def _restart_damaged() -> bytes:
    """A photo with a restart marker per MCU row, a stretch of coded data lost across two markers
    (what a camera card's bad sector does): libjpeg says "found marker 0xd6 instead of RST3" and
    "premature end of data segment", decodes grey blocks, and Pillow stays silent."""
    data = encode(
        Image.effect_noise((640, 480), 40).convert("RGB"), "JPEG", quality=90, restart_marker_rows=1
    )
    first = data.index(b"\xff\xd2")
    later = data.index(b"\xff\xd5", first)
    return data[: first + 200] + data[later + 200 :]


def test_restart_markers_out_of_order_are_not_vouched_for_and_are_sg503(tmp_path, run_cli):
    damaged = _restart_damaged()
    assert decodes(damaged)  # Pillow decodes it without a word
    assert not intact(damaged)
    info = probe_bytes(damaged, "card.jpg")
    assert info.decode_error and "libjpeg decodes it with grey" in info.decode_error
    assert "Corrupt JPEG data" in info.decode_error
    (tmp_path / "card.jpg").write_bytes(damaged)
    fixed = run_cli("fix", "--isolated", "--size", "1280x720", "card.jpg")
    assert fixed.returncode == 1 and "SG503" in fixed.stdout  # fix never builds a picture on damaged data
    assert (tmp_path / "card.jpg").read_bytes() == damaged
