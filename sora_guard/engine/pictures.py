"""Small pictures of an image for reports: a thumbnail, and the before and after of a fix, with
the part a strategy keeps (or the bars it adds) and the subjects it keeps drawn on the before picture."""

from __future__ import annotations

import contextlib
import io
from typing import TYPE_CHECKING

from sora_guard.engine import heif
from sora_guard.engine.fitting import encode, fit_opened
from sora_guard.engine.opener import open_image
from sora_guard.engine.probe import decode_deadline, probe_image, scan_bomb
from sora_guard.engine.quiet import quiet_warnings
from sora_guard.vocabulary.contract import FitOptions, Picture, Placement, Strategy
from sora_guard.vocabulary.exceptions import DecodeTimeout, FitError
from sora_guard.vocabulary.model import Limits, Size

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["THUMBNAIL_SIDE", "thumbnail", "before_picture", "draw_placement"]

THUMBNAIL_SIDE = 160
"""Longest side of a report picture, in pixels."""

QUALITY = 70
SHADE = (0, 0, 0, 150)
"""What covers the part of the picture a crop cuts away."""
ACCENT = (255, 176, 0)
"""The outline of the part kept, and of the picture among the bars."""
KEPT, CUT = (64, 220, 96), (240, 64, 64)
"""The outline of a subject the fit kept whole, and of one it cut or left out."""
BARS = ((128, 128, 128), (96, 96, 96))


def _within(shape: Size, side: int) -> Size:
    scale = min(1.0, side / max(shape.width, shape.height))
    return Size(max(1, round(shape.width * scale)), max(1, round(shape.height * scale)))


def _shrunk(data: bytes, shrink: Strategy, limits: Limits, side: int) -> Image.Image | None:
    """``data`` decoded the right way up in sRGB at most ``side`` px (JPEGs at a reduced DCT scale),
    or None when it does not decode within ``limits``: the fix pipeline's own guards and loader."""
    try:
        with quiet_warnings():
            im = open_image(io.BytesIO(data), limits.max_pixels)
        with im, decode_deadline(limits.max_decode_seconds):
            info = probe_image(im)
            if info.format == "HEIF":
                with contextlib.suppress(ValueError):  # PQ/HLG: shown as if sRGB, as fix converts it
                    heif.adopt_nclx(im)
            if scan_bomb(data, info.format):
                return None
            size = _within(info.displayed, side)
            return fit_opened(
                im, size, shrink, FitOptions(), info.orientation, limits.max_decode_seconds
            ).image
    except (DecodeTimeout, FitError):
        return None
    except Exception:  # anything a hostile file makes Pillow raise: no picture, never a failed report
        return None


def _picture(im: Image.Image) -> Picture:
    return Picture("image/webp", encode(im, "WEBP", QUALITY, keep_alpha=True), im.width, im.height)


def thumbnail(
    data: bytes, shrink: Strategy, limits: Limits = Limits(), side: int = THUMBNAIL_SIDE
) -> Picture | None:
    """A picture of the image ``data`` at most ``side`` px (WebP), or None when it does not decode.

    ``shrink`` is the strategy that scales it (any that keeps the proportions at the picture's own aspect).
    """
    im = _shrunk(data, shrink, limits, side)
    return None if im is None else _picture(im)


def before_picture(
    data: bytes,
    shrink: Strategy,
    placement: Placement | None,
    size: Size,
    limits: Limits = Limits(),
    side: int = THUMBNAIL_SIDE,
) -> Picture | None:
    """The image ``data`` as :func:`thumbnail` shows it, with what a fit to ``size`` did drawn on it
    (``placement``, as the fit reports it): the part kept outlined (the rest shaded) or the bars
    added hatched, and the subjects the fit kept whole (or not) boxed."""
    im = _shrunk(data, shrink, limits, side)
    if im is None:
        return None
    if placement is None:
        return _picture(im)
    return _picture(draw_placement(im.convert("RGB"), placement, size, side))


def _pixels(box: tuple[float, float, float, float], w: int, h: int) -> tuple[int, int, int, int]:
    return (round(box[0] * w), round(box[1] * h), round(box[2] * w) - 1, round(box[3] * h) - 1)


def draw_placement(im: Image.Image, placement: Placement, size: Size, side: int) -> Image.Image:
    """``im`` (RGB, as displayed) with ``placement`` drawn on it: the subjects boxed (kept whole or
    not), what a crop cuts away shaded, or the bars a fit to ``size`` adds hatched (at most ``side`` px)."""
    from PIL import Image, ImageDraw

    if placement.source != (0.0, 0.0, 1.0, 1.0):
        shade = Image.new("RGBA", im.size, SHADE)
        ImageDraw.Draw(shade).rectangle(_pixels(placement.source, *im.size), fill=(0, 0, 0, 0))
        im = Image.alpha_composite(im.convert("RGBA"), shade).convert("RGB")
        ImageDraw.Draw(im).rectangle(_pixels(placement.source, *im.size), outline=ACCENT, width=2)
    kept = set(placement.kept)
    draw = ImageDraw.Draw(im)
    for subject in placement.subjects:
        draw.rectangle(_pixels(subject.box, *im.size), outline=KEPT if subject in kept else CUT, width=2)
    if placement.target != (0.0, 0.0, 1.0, 1.0):
        canvas_size = _within(size, side)
        canvas = Image.new("RGB", (canvas_size.width, canvas_size.height), BARS[0])
        draw = ImageDraw.Draw(canvas)
        for x in range(-canvas.height, canvas.width, 8):  # hatching: these bars are added
            draw.line([(x, canvas.height), (x + canvas.height, 0)], fill=BARS[1], width=3)
        left, top, right, bottom = _pixels(placement.target, canvas.width, canvas.height)
        canvas.paste(im.resize((max(1, right - left + 1), max(1, bottom - top + 1))), (left, top))
        draw.rectangle((left, top, right, bottom), outline=ACCENT, width=2)
        im = canvas
    return im
