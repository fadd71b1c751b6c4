"""Real image files for the tests, good and nasty, written with Pillow (and by hand where Pillow won't)."""

from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

__all__ = [
    "marker",
    "encode",
    "write",
    "exif_rotated_jpeg",
    "png_16bit_rgb",
    "png_header_only",
    "png_of_bytes",
    "animated_webp",
    "animated_gif",
    "truncated",
    "padded_jpeg",
    "corrupt_jpeg",
    "heic_photo",
]


def marker(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture whose geometry can be checked: red top-left, green top-right, blue bottom-left,
    white bottom-right quadrants, and a yellow dot in the centre."""
    w, h = size
    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 0, w // 2 - 1, h // 2 - 1], fill=(255, 0, 0))
    draw.rectangle([w // 2, 0, w - 1, h // 2 - 1], fill=(0, 255, 0))
    draw.rectangle([0, h // 2, w // 2 - 1, h - 1], fill=(0, 0, 255))
    r = max(1, min(w, h) // 10)
    draw.ellipse([w // 2 - r, h // 2 - r, w // 2 + r, h // 2 + r], fill=(255, 255, 0))
    return im if mode == "RGB" else im.convert(mode)


def encode(im: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def write(path: str | os.PathLike, data: bytes | Image.Image, fmt: str | None = None, **params) -> Path:
    """Write bytes, or save an image in ``fmt`` (default: from the extension), and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, Image.Image):
        data.save(path, fmt, **params)
    else:
        path.write_bytes(data)
    return path


def exif_rotated_jpeg(stored: tuple[int, int], orientation: int = 6) -> bytes:
    """A JPEG stored at ``stored`` with an EXIF orientation tag."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(marker(stored), "JPEG", exif=exif.tobytes(), quality=95)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_16bit_rgb(size: tuple[int, int]) -> bytes:
    """A valid 16-bit-per-channel RGB PNG (Pillow opens it as mode RGB, so only the header tells)."""
    w, h = size
    row = b"\x00" + bytes(range(256)) * (w * 6 // 256) + bytes(w * 6 % 256)
    raw = row * h
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


def png_header_only(size: tuple[int, int]) -> bytes:
    """A PNG that declares ``size`` (e.g. 60000x60000, a decompression bomb) with a tiny IDAT."""
    w, h = size
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def png_blank(size: tuple[int, int]) -> bytes:
    """A valid, whole bilevel PNG of any ``size`` (say 15000x15000, more pixels than Pillow's own
    limit allows): all-zero rows, compressed as they are made, so no image is ever held in memory."""
    w, h = size
    packer, row = zlib.compressobj(9), bytes(1 + (w + 7) // 8)
    idat = b"".join(packer.compress(row) for _ in range(h)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def png_of_bytes(total: int, size: tuple[int, int] = (400, 400)) -> bytes:
    """A valid PNG of exactly ``total`` bytes: a marker picture padded by a private chunk before its pixels."""
    png = encode(marker(size), "PNG")
    head, rest = png[:33], png[33:]  # the signature and IHDR, then the rest
    padding = total - len(png) - 12  # a chunk's length, type and CRC take 12 bytes
    assert padding >= 0, f"{total} bytes is less than the picture itself"
    return head + _png_chunk(b"prVt", bytes(padding)) + rest


def animated_webp(size: tuple[int, int], frames: int = 3) -> bytes:
    images = [Image.new("RGB", size, (40 * i, 0, 0)) for i in range(frames)]
    return encode(images[0], "WEBP", save_all=True, append_images=images[1:], duration=100)


def animated_gif(size: tuple[int, int], frames: int = 3) -> bytes:
    images = [Image.new("P", size, i) for i in range(frames)]
    return encode(images[0], "GIF", save_all=True, append_images=images[1:], duration=100)


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


def padded_jpeg(data: bytes, total: int) -> bytes:
    """A JPEG ``data`` grown to exactly ``total`` bytes, still valid: comment segments after its SOI marker."""
    room, segments = total - len(data), []
    while room > 0:
        size = min(room, 65537)
        if room - size in (1, 2, 3):  # every segment takes at least 4 bytes
            size -= 4
        segments.append(b"\xff\xfe" + (size - 2).to_bytes(2, "big") + b"c" * (size - 4))
        room -= size
    return data[:2] + b"".join(segments) + data[2:]


def corrupt_jpeg(size: tuple[int, int]) -> bytes:
    """A JPEG whose headers are intact and whose entropy-coded data is overwritten with noise."""
    data = bytearray(encode(Image.effect_noise(size, 60).convert("RGB"), "JPEG", quality=90))
    start = data.find(b"\xff\xda") + 20
    rng = 12345
    for i in range(start, len(data) - 2):
        rng = (rng * 1103515245 + 12345) & 0x7FFFFFFF
        data[i] = rng & 0xFF
    return bytes(data)


def heic_photo(size: tuple[int, int] = (1280, 720)) -> bytes:
    """A real HEIC phone photo showing ``marker(size)`` (see ``heif.phone_photo``)."""
    from support.heif import phone_photo

    return phone_photo(marker(size))


def decodes(data: bytes) -> bool:
    """True when Pillow decodes every pixel of ``data`` (warnings silenced, as a service's decoder would)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                im.load()
    except Exception:
        return False
    return True


def jpeg_scan_bomb(side: int, scans: int) -> bytes:
    """A progressive grey JPEG plus ``scans`` extra AC scans of ~34 bytes, each an end-of-band run
    over every block: libjpeg walks all side*side/64 blocks per scan, however small the scan."""
    buf = io.BytesIO()
    Image.new("L", (side, side), 128).save(buf, "JPEG", progressive=True, quality=50)
    data = buf.getvalue()
    end = data.rindex(b"\xff\xd9")
    dht = b"\xff\xc4" + struct.pack(">H", 20) + bytes([0x11, 1] + [0] * 15) + bytes([0xE0])  # one code: EOB14
    bits, left = "", (side // 8) ** 2
    while left > 0:
        run = min(max(left, 16384), 32767)
        bits, left = bits + "0" + format(run - 16384, "014b"), left - run
    bits += "1" * (-len(bits) % 8)
    payload = int(bits, 2).to_bytes(len(bits) // 8, "big").replace(b"\xff", b"\xff\x00")
    scan = b"\xff\xda" + struct.pack(">H", 8) + bytes([1, 1, 0x01, 1, 63, 0]) + payload
    return data[:end] + dht + scan * scans + data[end:]
