"""Built-in fit strategies: each turns any RGB/RGBA image into one of exactly the target size."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..plugins import hookimpl
from ..vocabulary.contract import Box, Strategy, contain_scale, cover_scale
from ..vocabulary.model import Size

if TYPE_CHECKING:
    from PIL import Image

    from ..vocabulary.contract import FitOptions, Placement

__all__ = ["Strategy", "BUILTIN_STRATEGIES", "cover_scale", "contain_scale"]
REDUCING_GAP = 3.0
"""``resize(reducing_gap=...)``: box-reduce first when shrinking more than 3x (visually lossless, much faster)."""


def _resample(options: FitOptions) -> int:
    from PIL import Image

    return Image.Resampling.LANCZOS if options.resample is None else options.resample


def _resize(im: Image.Image, size: Size, options: FitOptions, box: Box | None = None) -> Image.Image:
    """Resize (part of) ``im`` to ``size``; no resampling at all when nothing changes."""
    full = (0.0, 0.0, float(im.width), float(im.height))
    if box is not None:  # float rounding may put an edge a hair outside the image, which Pillow refuses
        box = (max(0.0, box[0]), max(0.0, box[1]), min(full[2], box[2]), min(full[3], box[3]))
    if (box is None or tuple(map(float, box)) == full) and im.size == (size.width, size.height):
        return im.copy()
    return im.resize((size.width, size.height), _resample(options), box=box, reducing_gap=REDUCING_GAP)


def _cover_box(
    width: float, height: float, left: float, top: float, dst: Size, anchor: tuple[float, float]
) -> Box:
    """The largest box of ``dst``'s aspect inside the given rectangle, placed at ``anchor``."""
    ratio = dst.width / dst.height
    if width / height > ratio:
        box_w, box_h = min(width, height * ratio), height
    else:
        box_w, box_h = width, min(height, width / ratio)  # min: rounding must not poke outside
    x = left + (width - box_w) * _clamp(anchor[0])
    y = top + (height - box_h) * _clamp(anchor[1])
    return (x, y, x + box_w, y + box_h)


def _clamp(v: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return min(hi, max(lo, float(v)))


def _cover_source(im: Image.Image, size: Size, options: FitOptions) -> Box:
    return _cover_box(im.width, im.height, 0.0, 0.0, size, options.anchor)


def _fit_cover(im: Image.Image, size: Size, options: FitOptions) -> Image.Image:
    """Scale to cover, crop at the anchor: the same geometry as ``ImageOps.fit``."""
    return _resize(im, size, options, _cover_source(im, size, options))


def _inner(im: Image.Image, size: Size, options: FitOptions) -> tuple[Size, tuple[int, int]]:
    """The size ``im`` scales to inside ``size``, and where it goes (placed at the anchor)."""
    scale = min(size.width / im.width, size.height / im.height)
    inner = Size(
        max(1, min(size.width, round(im.width * scale))), max(1, min(size.height, round(im.height * scale)))
    )
    offset = (
        round((size.width - inner.width) * _clamp(options.anchor[0])),
        round((size.height - inner.height) * _clamp(options.anchor[1])),
    )
    return inner, offset


def _contained(im: Image.Image, size: Size, options: FitOptions) -> tuple[Image.Image, tuple[int, int]]:
    """``im`` scaled to fit inside ``size``, and where to paste it (placed at the anchor)."""
    inner, offset = _inner(im, size, options)
    return _resize(im, inner, options), offset


def _paste(canvas: Image.Image, im: Image.Image, offset: tuple[int, int], composite: bool) -> Image.Image:
    """``im`` onto ``canvas``: over it (alpha-blended) when ``composite``, else replacing its pixels, alpha included."""
    canvas.paste(im, offset, im if composite and im.mode == "RGBA" else None)
    return canvas


def _fit_pad(im: Image.Image, size: Size, options: FitOptions) -> Image.Image:
    """Contain, then fill the bars with ``options.background`` (transparency inside the picture stays)."""
    from PIL import Image

    if im.size == (size.width, size.height):
        return im.copy()
    inner, offset = _contained(im, size, options)
    fill = tuple(options.background) + ((255,) if im.mode == "RGBA" else ())
    return _paste(Image.new(im.mode, (size.width, size.height), fill), inner, offset, composite=False)


BLUR_DARKEN = 0.6
"""How bright the blurred backdrop of ``blur-pad`` is, relative to the picture."""


def _fit_blur_pad(im: Image.Image, size: Size, options: FitOptions) -> Image.Image:
    """Contain over a blurred, darkened, cover-scaled copy of the same picture.

    The backdrop is built at 1/8 of the output size (blur radius scales with it), so its cost does
    not depend on the source size; it is opaque even when the picture has alpha.
    """
    from PIL import Image, ImageFilter

    from ..vocabulary.contract import FitOptions

    if im.size == (size.width, size.height):
        return im.copy()
    small = Size(max(1, size.width // 8), max(1, size.height // 8))
    backdrop = _fit_cover(im.convert("RGB"), small, FitOptions(resample=Image.Resampling.BILINEAR))
    backdrop = backdrop.filter(ImageFilter.GaussianBlur(max(1.0, max(small.width, small.height) / 25)))
    backdrop = backdrop.point(lambda v: int(v * BLUR_DARKEN))
    backdrop = backdrop.resize((size.width, size.height), Image.Resampling.BICUBIC).convert(im.mode)
    inner, offset = _contained(im, size, options)
    return _paste(backdrop, inner, offset, composite=True)


def _fit_stretch(im: Image.Image, size: Size, options: FitOptions) -> Image.Image:
    """Scale each axis on its own: everything stays, proportions do not."""
    return _resize(im, size, options)


def _crop_box(width: int, height: int, options: FitOptions) -> Box:
    """``options.crop_box`` in pixels of a ``width`` x ``height`` image: ordered, inside it, at least one pixel each way."""
    left, top, right, bottom = options.crop_box or (0.0, 0.0, 1.0, 1.0)
    x0, x1 = _span(*sorted((_clamp(left), _clamp(right))), width)
    y0, y1 = _span(*sorted((_clamp(top), _clamp(bottom))), height)
    return (x0, y0, x1, y1)


def _span(lo: float, hi: float, extent: int) -> tuple[float, float]:
    start, length = lo * extent, max((hi - lo) * extent, 1.0)
    start = min(start, extent - length)
    return start, start + length


def _crop_source(im: Image.Image, size: Size, options: FitOptions) -> Box:
    left, top, right, bottom = _crop_box(im.width, im.height, options)
    return _cover_box(right - left, bottom - top, left, top, size, options.anchor)


def _fit_crop(im: Image.Image, size: Size, options: FitOptions) -> Image.Image:
    """Cut the fractional ``crop_box`` out, then cover the target from it (centred at the anchor)."""
    return _resize(im, size, options, _crop_source(im, size, options))


def _crop_scale(src: Size, dst: Size, options: FitOptions) -> float:
    left, top, right, bottom = _crop_box(src.width, src.height, options)
    return cover_scale(Size(max(1, math.floor(right - left)), max(1, math.floor(bottom - top))), dst, options)


SALIENCY_SIDE = 192
"""Long side of the map ``smart`` scores: enough to place a crop to within about 1% of the frame."""

CENTRE_WEIGHT = 0.15
"""How much ``smart`` prefers the centre when the content does not decide (0: not at all)."""


def _saliency(im: Image.Image) -> Image.Image:
    """Greyscale interest map: detail (edges) plus colour rarity.

    Rarity is global-contrast saliency: each pixel scores by how rare its coarse colour (2 bits a
    channel) is in the picture, so a wide sky, wall or lawn scores low however saturated it is, and
    a subject that stands out scores high, in the spirit of smartcrop / libvips attention.
    """
    from collections import Counter

    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    scale = min(1.0, SALIENCY_SIDE / max(im.size))
    small = im.convert("RGB").resize(
        (max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.BOX
    )
    edges = small.convert("L").filter(ImageFilter.FIND_EDGES)
    ImageDraw.Draw(edges).rectangle(
        [0, 0, edges.width - 1, edges.height - 1], outline=0
    )  # the filter's frame artefact
    raw = small.tobytes()
    keys = bytes((raw[i] >> 6) << 4 | (raw[i + 1] >> 6) << 2 | raw[i + 2] >> 6 for i in range(0, len(raw), 3))
    counts = Counter(keys)
    total = len(keys)
    score = {k: min(255, max(0, round((-math.log2(n / total) - 2) * 40))) for k, n in counts.items()}
    rarity = Image.frombytes("L", small.size, bytes(score[k] for k in keys))
    return ImageChops.add(edges, rarity)


def _best_offset(profile: list[float], window: int) -> int:
    """Start of the ``window``-long run of ``profile`` with the most weight, nudged towards the centre."""
    n = len(profile)
    if window >= n:
        return 0
    prefix = [0.0]
    for v in profile:
        prefix.append(prefix[-1] + v)
    total = prefix[-1] or 1.0
    centre = (n - window) / 2
    best, best_score = 0, -math.inf
    for start in range(n - window + 1):
        score = (prefix[start + window] - prefix[start]) / total
        score -= CENTRE_WEIGHT * abs(start - centre) / max(1.0, centre) * (window / n)
        if score > best_score + 1e-12:
            best, best_score = start, score
    return best


def _smart_source(im: Image.Image, size: Size, options: FitOptions) -> Box:
    """The cover crop where the content is: the window over the most edges and saturation wins.

    The crop spans the whole image along one axis (as ``cover`` does), so only its position along
    the other axis is chosen: from the saliency map collapsed to one row or column. Deterministic.
    """
    from PIL import Image

    box = _cover_box(im.width, im.height, 0.0, 0.0, size, (0.5, 0.5))
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    if box_w >= im.width - 1e-6 and box_h >= im.height - 1e-6:
        return box
    sal = _saliency(im)
    horizontal = box_w < im.width - 1e-6
    n = sal.width if horizontal else sal.height
    line = sal.resize((n, 1) if horizontal else (1, n), Image.Resampling.BOX)
    profile = [float(v) for v in line.tobytes()]
    window = max(1, round((box_w / im.width if horizontal else box_h / im.height) * n))
    start = _best_offset(profile, window) / max(1, n - window) if n > window else 0.5
    anchor = (start, 0.5) if horizontal else (0.5, start)
    return _cover_box(im.width, im.height, 0.0, 0.0, size, anchor)


def _fit_smart(im: Image.Image, size: Size, options: FitOptions) -> Image.Image:
    """Cover-crop where the content is (:func:`_smart_source`)."""
    return _resize(im, size, options, _smart_source(im, size, options))


def _keeps(
    source: Callable[[Image.Image, Size, FitOptions], Box],
) -> Callable[[Image.Image, Size, FitOptions], Placement]:
    """The placement of a strategy that crops ``source(im, size, options)`` (pixels) and fills the output with it."""

    def placement(im: Image.Image, size: Size, options: FitOptions) -> Placement:
        from ..vocabulary.contract import Placement  # placements are drawn in reports only

        left, top, right, bottom = source(im, size, options)
        return Placement(source=(left / im.width, top / im.height, right / im.width, bottom / im.height))

    return placement


def _padded(im: Image.Image, size: Size, options: FitOptions) -> Placement:
    """The placement of ``pad`` and ``blur-pad``: the whole picture, inside bars."""
    from ..vocabulary.contract import Placement

    if im.size == (size.width, size.height):
        return Placement()
    inner, (x, y) = _inner(im, size, options)
    return Placement(
        target=(
            x / size.width,
            y / size.height,
            (x + inner.width) / size.width,
            (y + inner.height) / size.height,
        )
    )


def _stretched(im: Image.Image, size: Size, options: FitOptions) -> Placement:
    from ..vocabulary.contract import Placement

    return Placement()


BUILTIN_STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        "cover",
        "Scale to cover the target and crop the overflow, centred (or at the anchor).",
        _fit_cover,
        placement=_keeps(_cover_source),
    ),
    Strategy(
        "pad",
        "Fit the whole picture inside and fill the rest with the background colour.",
        _fit_pad,
        contain_scale,
        placement=_padded,
    ),
    Strategy(
        "blur-pad",
        "Fit the whole picture over a blurred, darkened, cover-scaled copy of itself.",
        _fit_blur_pad,
        contain_scale,
        placement=_padded,
    ),
    Strategy(
        "smart",
        "Crop to cover where the detail and colour are (content-aware, deterministic).",
        _fit_smart,
        placement=_keeps(_smart_source),
    ),
    Strategy(
        "crop",
        "Cut the crop box (left, top, right, bottom fractions), then cover the target from it.",
        _fit_crop,
        _crop_scale,
        placement=_keeps(_crop_source),
    ),
    Strategy(
        "stretch",
        "Scale each axis separately: keeps everything but distorts proportions.",
        _fit_stretch,
        distorts=True,
        placement=_stretched,
    ),
)


@hookimpl
def sora_guard_strategies() -> list[Strategy]:
    return list(BUILTIN_STRATEGIES)
