"""Decode a JPEG at libjpeg-turbo's M/8 scales through simplejpeg, for the fitting pipeline
(sequential RGB and grey JPEGs; anything else returns None and Pillow decodes it)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sora_guard.engine.jpegscan import frame_marker
from sora_guard.vocabulary.exceptions import FitError

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["corruption", "decode_scaled", "scaled_size"]

_SEQUENTIAL_HUFFMAN = (0xC0, 0xC1)
_COLOURSPACE = {"RGB": "RGB", "L": "GRAY"}

SECONDS_PER_BYTE = 1 / 10e6
SECONDS_PER_PIXEL = 1 / 25e6
"""A pessimistic bound on a one-pass decode (about 10x what this takes on a 2-core VM): one C call
cannot be stopped by the decode time limit, so it is only made when this bound stays within it."""


def scaled_size(width: int, height: int, need: tuple[int, int]) -> tuple[int, int]:
    """The smallest M/8 scale of ``width`` x ``height`` at least ``need`` on both sides (at most full size)."""
    for m in range(1, 9):
        w, h = math.ceil(width * m / 8), math.ceil(height * m / 8)
        if w >= need[0] and h >= need[1]:
            return w, h
    return width, height


def _decodes(data: bytes, im: Image.Image, max_seconds: float | None) -> bool:
    """True when simplejpeg decodes this file: a sequential RGB or grey JPEG whose pessimistic decode
    time stays within ``max_seconds`` (one C call cannot be stopped by the decode time limit)."""
    return (
        im.format in ("JPEG", "MPO")
        and im.mode in _COLOURSPACE
        and frame_marker(data) in _SEQUENTIAL_HUFFMAN
        and not (
            max_seconds
            and len(data) * SECONDS_PER_BYTE + im.width * im.height * SECONDS_PER_PIXEL > max_seconds
        )
    )


def _corrupt(exc: Exception, cut_too: bool = False) -> str | None:
    """libjpeg's words when a strict decode stopped at damaged data (a warning Pillow keeps silent:
    "premature end of data segment", "found marker 0xd1 instead of RST5"), and with ``cut_too``
    when the file ends early; else None."""
    text = str(exc)
    return text if text.startswith(("Corrupt JPEG data", *(_CUT if cut_too else ()))) else None


_CUT = ("Premature end of JPEG file",)


def corruption(data: bytes, im: Image.Image, max_seconds: float | None = None) -> str | None:
    """Decode ``data`` (``im``, opened from it) at 1/8 scale with libjpeg-turbo stopping at its first
    warning: libjpeg's message when the coded data is damaged, ``""`` when it decoded clean, None
    when it was not decoded here (this path does not apply: Pillow's decode gives the verdict)."""
    if not _decodes(data, im, max_seconds):
        return None
    try:
        import simplejpeg  # numpy with it: only for a JPEG the scans cannot prove (restart markers)
    except ImportError:
        return None
    try:
        simplejpeg.decode_jpeg(data, _COLOURSPACE[im.mode], min_factor=8, strict=True)
    except Exception as exc:
        return _corrupt(exc, cut_too=True)  # None for a refusal that is not about damage: Pillow decides
    return ""


def decode_scaled(
    data: bytes, im: Image.Image, need: tuple[int, int], max_seconds: float | None = None
) -> Image.Image | None:
    """``im`` (opened from ``data``, not loaded) decoded at the smallest M/8 scale covering ``need``.

    The result carries ``im.info`` (the colour profile). None when this path does not apply or
    libjpeg-turbo refuses the file (Pillow then decodes it); :class:`FitError` when its coded data
    is damaged, which Pillow would decode into grey blocks without a word.
    """
    if not _decodes(data, im, max_seconds):
        return None
    try:
        import simplejpeg  # the default install has it; without it Pillow decodes (imports numpy: fix only)
    except ImportError:
        return None
    from PIL import Image

    width, height = scaled_size(im.width, im.height, need)
    try:
        pixels = simplejpeg.decode_jpeg(
            data, _COLOURSPACE[im.mode], min_width=width, min_height=height, strict=True
        )
    except Exception as exc:  # strict: any warning too; a cut-off file gets Pillow's own verdict
        damage = _corrupt(exc)
        if damage:
            raise FitError(damage, "corrupt") from None
        return None
    if pixels.shape[:2] != (height, width):
        return None
    decoded = Image.frombuffer(im.mode, (width, height), pixels, "raw", im.mode, 0, 1)
    decoded.info = dict(im.info)
    return decoded
