"""The image format the first bytes of some data announce (their signature), without decoding anything."""

from __future__ import annotations

from sora_guard.engine.heif import brand_format

__all__ = ["HEAD", "image_signature"]

HEAD = 32
"""How many leading bytes :func:`image_signature` needs."""

_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\xff\x0a", "JXL"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JXL"),
    (b"8BPS", "PSD"),
)
_BMP_HEADERS = frozenset({12, 40, 52, 56, 64, 108, 124})
"""The sizes a BMP's DIB header can have: with ``BM`` they tell a bitmap from text starting ``BM``."""


def image_signature(head: bytes) -> str | None:
    """The image format ``head`` (the first :data:`HEAD` bytes, or all of them) starts like, else None.

    Only formats with a signature: a PDF, audio, video (an ``ftyp`` box of a video brand) or text
    gives None, so does an ICO or TGA (whose first bytes prove nothing).
    """
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_HEADERS:
        return "BMP"
    return brand_format(head)
