"""The WebP shortcut never vouches for a file whose decode fails, and does vouch for ordinary ones."""

from __future__ import annotations

import ctypes
import io
import random
import struct

import pytest
from PIL import Image
from support.icc import swapped_rgb
from support.images import animated_webp, decodes, encode, marker, truncated

from sora_guard.engine import webpscan
from sora_guard.engine.probe import probe_bytes
from sora_guard.engine.webpscan import intact

pytestmark = pytest.mark.skipif(webpscan._libwebp() is None, reason="Pillow's libwebp is not reachable")


def photo(size=(96, 64), mode="RGB") -> Image.Image:
    im = Image.blend(marker(size), Image.effect_noise(size, 50).convert("RGB"), 0.4)
    if mode == "RGBA":
        im = im.convert("RGBA")
        im.putalpha(Image.linear_gradient("L").resize(size))
    return im


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif.tobytes()


VALID = {
    "lossy": lambda: encode(photo(), "WEBP", quality=70),
    "lossy, odd size": lambda: encode(photo((37, 23)), "WEBP", quality=90),
    "lossy, 1x1": lambda: encode(Image.new("RGB", (1, 1), "red"), "WEBP"),
    "lossy with alpha": lambda: encode(photo(mode="RGBA"), "WEBP", quality=80),
    "lossy with lossy alpha, odd size": lambda: encode(photo((33, 17), "RGBA"), "WEBP", alpha_quality=50),
    "lossless": lambda: encode(photo(), "WEBP", lossless=True),
    "lossless with alpha and EXIF": lambda: encode(
        photo((45, 31), "RGBA"), "WEBP", lossless=True, exif=_exif()
    ),
    "ICC and EXIF around the pixels": lambda: encode(
        photo(), "WEBP", icc_profile=swapped_rgb(), exif=_exif()
    ),
}


def _chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(kind, start, end) of each chunk after the RIFF header."""
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        chunks.append((data[pos : pos + 4], pos, pos + 8 + size + (size & 1)))
        pos = chunks[-1][2]
    return chunks


def _sizes_fixed(data: bytes) -> bytes:
    """``data`` with its last chunk's and the RIFF header's sizes made to fit its length, so only
    the decoder can tell that the bitstream was cut or stretched."""
    chunks = _chunks(data)
    if not chunks:
        return data
    last = chunks[-1][1]
    data += b"\0" * ((len(data) - last) % 2)
    data = data[: last + 4] + struct.pack("<I", len(data) - last - 8) + data[last + 8 :]
    return data[:4] + struct.pack("<I", len(data) - 8) + data[8:]


@pytest.mark.parametrize("name", VALID)
def test_ordinary_webps_are_vouched_for(name):
    data = VALID[name]()
    assert decodes(data) and intact(data)


def test_damaged_and_unusual_files_go_to_the_decoder():
    good = VALID["lossy"]()
    assert not intact(_sizes_fixed(truncated(good, 0.9)))  # the decoder itself finds the bitstream short
    assert not intact(truncated(good, 0.9))
    assert not intact(good + b"\0\0")  # more bytes than the RIFF header says
    assert not intact(animated_webp((32, 32)))
    image = _chunks(good)[0]
    assert not intact(_sizes_fixed(good + good[image[1] : image[2]]))  # two images
    assert not intact(b"RIFF\x04\x00\x00\x00WEBP")
    assert not intact(b"")


def test_a_short_bitstream_is_not_completed_from_the_chunks_after_it():
    """libwebp, given the whole file, lets a bitstream read on into the next chunk (EXIF here);
    Pillow's decoder gets the image chunk alone, so the shortcut must too."""
    good = VALID["lossless with alpha and EXIF"]()
    kind, start, end = next(c for c in _chunks(good) if c[0] == b"VP8L")
    cut = good[: end - 8] + good[end:]
    cut = cut[: start + 4] + struct.pack("<I", end - 8 - start - 8) + cut[start + 8 :]
    cut = cut[:4] + struct.pack("<I", len(cut) - 8) + cut[8:]
    lib, config = webpscan._libwebp(), webpscan._Config()
    assert lib.WebPInitDecoderConfigInternal(ctypes.byref(config), webpscan._ABI)
    try:
        assert lib.WebPDecode(cut, len(cut), ctypes.byref(config)) == 0  # the whole file decodes
    finally:
        lib.WebPFreeDecBuffer(ctypes.byref(config.output))
    assert not decodes(cut) and not intact(cut)


def _mutations(data: bytes, rnd: random.Random):
    n = len(data)
    for _ in range(25):
        yield _sizes_fixed(data[: rnd.randrange(12, n - 1)])  # cut anywhere, sizes fixed up
        i = rnd.randrange(12, n - 2)
        yield data[:i] + bytes([data[i] ^ rnd.randrange(1, 256)]) + data[i + 1 :]  # one byte changed
        i = rnd.randrange(12, max(13, n - 20))
        yield data[:i] + rnd.randbytes(16) + data[i + 16 :]  # noise
        i = rnd.randrange(12, n - 2)
        yield _sizes_fixed(data[:i] + data[i + rnd.randrange(1, 60) :])  # a piece missing
        i = rnd.randrange(12, n - 2)
        yield _sizes_fixed(data[:i] + rnd.randbytes(rnd.randrange(1, 40)) + data[i:])  # bytes inserted
        i = rnd.randrange(12, min(n - 1, 60))
        yield data[:i] + bytes([data[i] ^ (1 << rnd.randrange(8))]) + data[i + 1 :]  # a header bit


def test_never_vouches_for_a_file_that_fails_to_decode():
    rnd = random.Random(20261206)
    checked = vouched = failed = 0
    for name, make in VALID.items():
        for damaged in _mutations(make(), rnd):
            if not _opens(damaged):
                continue
            checked += 1
            if intact(damaged):
                vouched += 1
                assert decodes(damaged), f"{name}: vouched for a file whose decode fails"
            else:
                failed += not decodes(damaged)
    assert checked > len(VALID) * 50
    assert vouched > 0 and failed > 0  # both answers are exercised


def _opens(data: bytes) -> bool:
    """True when Pillow opens ``data`` (the probe scans only what Pillow opened)."""
    try:
        Image.open(io.BytesIO(data)).close()
    except Exception:
        return False
    return True


def test_the_decoder_config_matches_libwebps_layout():
    """libwebp zeroes exactly its own WebPDecoderConfig, and decodes only the corner asked for."""
    lib = webpscan._libwebp()
    size = ctypes.sizeof(webpscan._Config)
    raw = (ctypes.c_ubyte * (size + 64))(*[0xAA] * (size + 64))
    assert lib.WebPInitDecoderConfigInternal(
        ctypes.cast(raw, ctypes.POINTER(webpscan._Config)), webpscan._ABI
    )
    assert bytes(raw).find(b"\xaa") == size
    frame = webpscan._frame(VALID["lossy, odd size"]())
    config = webpscan._Config()
    assert lib.WebPInitDecoderConfigInternal(ctypes.byref(config), webpscan._ABI)
    config.options.use_cropping = 1
    (
        config.options.crop_left,
        config.options.crop_top,
        config.options.crop_width,
        config.options.crop_height,
    ) = (
        34,
        20,
        3,
        3,
    )
    config.output.colorspace = webpscan._MODE_RGBA
    try:
        assert lib.WebPDecode(frame, len(frame), ctypes.byref(config)) == 0
        assert (config.output.width, config.output.height) == (3, 3)
    finally:
        lib.WebPFreeDecBuffer(ctypes.byref(config.output))


def test_probe_reports_the_same_with_and_without_the_shortcut():
    """The probe uses the shortcut; a file it cannot vouch for is decoded and reported as before."""
    good = encode(photo(), "WEBP", exif=_exif())
    info = probe_bytes(good, "a.webp")
    assert info.decode_error is None and info.orientation == 6
    assert probe_bytes(_sizes_fixed(truncated(good, 0.7)), "b.webp").decode_error
