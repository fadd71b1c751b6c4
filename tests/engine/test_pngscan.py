"""The PNG shortcut never vouches for a file whose decode fails, and does vouch for ordinary ones."""

from __future__ import annotations

import io
import random
import warnings

import pytest
from PIL import Image
from support.icc import swapped_rgb
from support.images import animated_gif, decodes, encode, marker, png_16bit_rgb, png_header_only, truncated

from sora_guard.engine.pngscan import intact
from sora_guard.engine.probe import probe_bytes


def photo(size=(96, 64), mode="RGB") -> Image.Image:
    im = Image.blend(marker(size), Image.effect_noise(size, 50).convert("RGB"), 0.4)
    return im if mode == "RGB" else im.convert(mode)


def _with_alpha() -> bytes:
    im = photo().convert("RGBA")
    im.putalpha(Image.linear_gradient("L").resize(im.size))
    return encode(im, "PNG")


VALID = {
    "RGB": lambda: encode(photo(), "PNG"),
    "RGBA": _with_alpha,
    "grey": lambda: encode(photo(mode="L"), "PNG"),
    "palette": lambda: encode(photo().quantize(64), "PNG"),
    "1-bit": lambda: encode(photo(mode="1"), "PNG"),
    "16-bit": lambda: png_16bit_rgb((64, 16)),
    "interlaced": lambda: encode(photo((37, 23)), "PNG", interlace=1),
    "ICC and text before the pixels": lambda: encode(photo(), "PNG", icc_profile=swapped_rgb()),
    "many IDAT chunks": lambda: _split_idat(encode(photo((128, 96)), "PNG", compress_level=0), 700),
}


def _split_idat(data: bytes, size: int) -> bytes:
    """The same PNG with its pixel data spread over IDAT chunks of ``size`` bytes."""
    from support.images import _png_chunk

    start = data.find(b"IDAT") - 4
    length = int.from_bytes(data[start : start + 4], "big")
    body = data[start + 8 : start + 8 + length]
    chunks = b"".join(_png_chunk(b"IDAT", body[i : i + size]) for i in range(0, len(body), size))
    return data[:start] + chunks + data[start + 12 + length :]


def opens(data: bytes) -> bool:
    """True when Pillow opens ``data`` (the probe scans only what Pillow opened)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Image.open(io.BytesIO(data)).close()
    except Exception:
        return False
    return True


@pytest.mark.parametrize("name", VALID)
def test_ordinary_pngs_are_vouched_for(name):
    data = VALID[name]()
    assert decodes(data) and intact(data)


def test_damaged_and_unusual_files_go_to_the_decoder():
    good = encode(photo(), "PNG")
    assert not intact(truncated(good, 0.9))
    assert not intact(good[:-12])  # no IEND
    assert not intact(png_header_only((6000, 6000)))  # far too few bytes for the rows
    assert not intact(_text_after_pixels(good))
    assert not intact(b"\x89PNG\r\n\x1a\n")
    assert not intact(b"")
    frames = [photo(), photo().transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    assert not intact(encode(frames[0], "PNG", save_all=True, append_images=frames[1:]))  # APNG
    assert not intact(animated_gif((32, 32)))


def _text_after_pixels(data: bytes) -> bytes:
    from support.images import _png_chunk

    end = data.rfind(b"IEND") - 4
    return data[:end] + _png_chunk(b"tEXt", b"comment\0written after the pixel data") + data[end:]


def _mutations(data: bytes, rnd: random.Random):
    idat = data.find(b"IDAT")
    n = len(data)
    for _ in range(25):
        yield data[: rnd.randrange(8, n - 1)]  # truncated anywhere
        i = rnd.randrange(8, n - 2)
        yield data[:i] + data[i + rnd.randrange(1, 60) :]  # a piece missing
        i = rnd.randrange(8, n - 1)
        yield data[:i] + bytes([data[i] ^ rnd.randrange(1, 256)]) + data[i + 1 :]  # one byte changed
        i = rnd.randrange(idat + 4, n - 20)
        yield data[:i] + rnd.randbytes(16) + data[i + 16 :]  # noise in the pixel data
        i = rnd.randrange(8, n - 2)
        yield data[:i] + rnd.randbytes(rnd.randrange(1, 40)) + data[i:]  # bytes inserted
        i = rnd.randrange(idat - 4, idat)
        yield data[:i] + bytes([data[i] ^ (1 << rnd.randrange(8))]) + data[i + 1 :]  # the IDAT length


def test_never_vouches_for_a_file_that_fails_to_decode():
    rnd = random.Random(20261125)
    checked = vouched = 0
    for name, make in VALID.items():
        for damaged in _mutations(make(), rnd):
            if not opens(damaged):
                continue
            checked += 1
            if intact(damaged):
                vouched += 1
                assert decodes(damaged), f"{name}: vouched for a file whose decode fails"
    assert checked > len(VALID) * 50
    assert vouched > 0  # the shortcut is exercised (zlib's checksum sends most damage to the decoder)


def test_probe_reports_the_same_with_and_without_the_shortcut():
    """The probe uses the shortcut; a file it cannot vouch for is decoded and reported as before."""
    good = encode(photo(), "PNG")
    assert probe_bytes(good, "a.png").decode_error is None
    assert probe_bytes(truncated(good, 0.7), "b.png").decode_error
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = encode(photo(), "PNG", exif=exif.tobytes())
    assert intact(rotated) and probe_bytes(rotated, "r.png").orientation == 6
