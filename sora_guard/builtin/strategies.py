"""Built-in fit strategies: each turns any RGB/RGBA image into one of exactly the target size."""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..plugins import hookimpl
from ..vocabulary.contract import Box, Strategy, contain_scale, cover_scale
from ..vocabulary.model import Size

if TYPE_CHECKING:
    from PIL import Image

    from ..vocabulary.contract import FitOptions, Placement, Subject

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
    import numpy as np  # loaded by fix already (the scaled JPEG decode); counts colours in C
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    scale = min(1.0, SALIENCY_SIDE / max(im.size))
    small = im.convert("RGB").resize(
        (max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.BOX
    )
    edges = small.convert("L").filter(ImageFilter.FIND_EDGES)
    ImageDraw.Draw(edges).rectangle(
        [0, 0, edges.width - 1, edges.height - 1], outline=0
    )  # the filter's frame artefact
    rgb = np.asarray(small) >> 6
    keys = rgb[..., 0] << 4 | rgb[..., 1] << 2 | rgb[..., 2]
    counts = np.bincount(keys.ravel(), minlength=64).tolist()
    total = keys.size
    score = [min(255, max(0, round((-math.log2(n / total) - 2) * 40))) if n else 0 for n in counts]
    rarity = Image.fromarray(np.asarray(score, dtype=np.uint8)[keys], "L")
    return ImageChops.add(edges, rarity)


def _best_offset(profile: list[float], window: int) -> int:
    """Start of the ``window``-long run of ``profile`` with the most weight, nudged towards the centre."""
    n = len(profile)
    if window >= n:
        return 0
    return max(range(n - window + 1), key=_scorer(profile, window), default=0)


def _scorer(profile: list[float], window: int) -> Callable[[float], float]:
    """How much of ``profile``'s weight a ``window``-long run starting at a (fractional) cell holds,
    less a nudge away from the centre; the first of equal starts wins under ``max``."""
    n = len(profile)
    prefix = [0.0]
    for v in profile:
        prefix.append(prefix[-1] + v)
    total = prefix[-1] or 1.0
    centre = (n - window) / 2

    def score(start: float) -> float:
        i = min(max(0, round(start)), n - window)
        held = (prefix[i + window] - prefix[i]) / total
        return round(held - CENTRE_WEIGHT * abs(start - centre) / max(1.0, centre) * (window / n), 12)

    return score


CUT_COST = 1.0
"""What cutting a subject at the window's edge costs, against keeping it whole (both by weight):
a window that drops a face entirely beats one that halves it."""


def _starts(
    subjects: tuple[Subject, ...], horizontal: bool, extent: float, window: float
) -> list[tuple[float, float]]:
    """The ranges of window starts (pixels along the sliding axis) that keep the subjects best.

    Best is, in order: every subject whole with its room (a face's hair), where saliency picks;
    every subject whole, the most room kept; otherwise the most weight whole less
    :data:`CUT_COST` for each subject cut. Short of the first, the window is centred on the
    rooms of the subjects it keeps whole (weighted), as near as they allow. A subject longer
    than the window counts as whole when the window lies centred on it; a room longer than the
    window shrinks to a window-long one around the box, its margins in proportion. What a
    window keeps or cuts changes only where one of its edges meets a box or a room, and the
    centring is straight between those points and the rooms' centres: each such breakpoint and
    each span between two is scored once.
    """
    import numpy as np  # breakpoints x subjects at once: a crowd has hundreds of faces

    lo, hi = (0, 2) if horizontal else (1, 3)
    a = np.array([s.box[lo] for s in subjects]) * extent
    b = np.array([s.box[hi] for s in subjects]) * extent
    ra = np.array([(s.room or s.box)[lo] for s in subjects]) * extent
    rb = np.array([(s.room or s.box)[hi] for s in subjects]) * extent
    weight = np.array([s.weight for s in subjects], dtype=float)
    long = b - a > window
    centre = (a + b) / 2
    a, b = np.where(long, centre - window / 2, a), np.where(long, centre + window / 2, b)
    ra, rb = np.minimum(ra, a), np.maximum(rb, b)
    # a room longer than the window shrinks to a window-long run around the box that keeps the
    # room's proportions: the slack above and below it split as the room's margins are
    margins = (a - ra) + (rb - b)
    share = np.divide(a - ra, margins, out=np.full_like(margins, 0.5), where=margins > 0)
    tight = a - (window - (b - a)) * share
    roomy = rb - ra <= window
    ra, rb = np.where(roomy, ra, tight), np.where(roomy, rb, tight + window)
    aim = (ra + rb - window) / 2  # the start that centres the window on each room
    last = extent - window
    edges = np.concatenate([[0.0, last], b - window, a, a - window, b, rb - window, ra, aim])
    edges = np.unique(np.clip(edges, 0.0, last))
    points = np.empty(2 * len(edges) - 1)
    points[0::2], points[1::2] = edges, (edges[1:] + edges[:-1]) / 2
    at = points[:, None]
    eps = 1e-6 * extent
    whole = (a >= at - eps) & (b <= at + window + eps)
    room = (ra >= at - eps) & (rb <= at + window + eps)
    cut = ~whole & (a < at + window - eps) & (b > at + eps)
    all_whole = whole.all(axis=1)
    tier = np.where(room.all(axis=1), 2, np.where(all_whole, 1, 0))
    value = np.where(all_whole, room @ weight, whole @ weight - CUT_COST * (cut @ weight))
    off_centre = (np.abs(at - aim) * whole) @ weight
    best = tier == tier.max()
    best &= value >= value[best].max() - 1e-9 * max(1.0, abs(value[best].max()))
    if tier.max() < 2:  # the faces fill the window: centred on those it keeps, saliency has no say
        best &= off_centre <= off_centre[best].min() + 1e-9 * max(1.0, extent * weight.sum())
    spans = []
    for j in np.flatnonzero(best):
        k = j // 2  # even: a breakpoint; odd: the span after it
        spans.append((float(edges[k]), float(edges[k + j % 2])))
    return spans


_shared = threading.local()
"""The last :func:`_smart_source` answer of this thread, until the other of ``fit`` and ``placement`` takes it."""


def _smart_source(im: Image.Image, size: Size, options: FitOptions) -> Box:
    """:func:`_smart_box`, worked out once per fit: the pipeline asks ``smart``'s ``fit`` and then its
    ``placement`` about one picture, and the second call takes the first one's answer (kept for
    that one call only, and only while that very picture, at that size and mode, is alive)."""
    key = (im.size, im.mode, size, options)
    last = getattr(_shared, "last", None)
    _shared.last = None
    if last is not None and last[0]() is im and last[1] == key:
        return last[2]
    box = _smart_box(im, size, options)
    _shared.last = (weakref.ref(im), key, box)
    return box


def _smart_box(im: Image.Image, size: Size, options: FitOptions) -> Box:
    """The cover crop that keeps the subjects whole (:func:`_starts`), and where the content is.

    The crop spans the whole image along one axis (as ``cover`` does), so only its position along
    the other axis is chosen: first by the subjects, then, among the positions they leave open,
    from the saliency map collapsed to one row or column (the window over the most edges and rare
    colour wins). Deterministic.
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
    if not options.subjects:
        start = _best_offset(profile, window) / max(1, n - window) if n > window else 0.5
    else:
        extent, length = (im.width, box_w) if horizontal else (im.height, box_h)
        room = extent - length
        spans = _starts(options.subjects, horizontal, extent, length)
        cells = max(1, n - window)
        grid = [room * i / cells for i in range(cells + 1)]
        open_ = [x for x in grid if any(lo <= x <= hi for lo, hi in spans)]
        score = _scorer(profile, window) if n > window else (lambda cell: 0.0)
        candidates = open_ or [(lo + hi) / 2 for lo, hi in spans]
        start = max(candidates, key=lambda x: score(x / room * cells)) / room if room > 0 else 0.5
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
        return Placement(
            source=(left / im.width, top / im.height, right / im.width, bottom / im.height),
            subjects=options.subjects or (),
        )

    return placement


def _padded(im: Image.Image, size: Size, options: FitOptions) -> Placement:
    """The placement of ``pad`` and ``blur-pad``: the whole picture, inside bars."""
    from ..vocabulary.contract import Placement

    if im.size == (size.width, size.height):
        return Placement(subjects=options.subjects or ())
    inner, (x, y) = _inner(im, size, options)
    return Placement(
        target=(
            x / size.width,
            y / size.height,
            (x + inner.width) / size.width,
            (y + inner.height) / size.height,
        ),
        subjects=options.subjects or (),
    )


def _stretched(im: Image.Image, size: Size, options: FitOptions) -> Placement:
    from ..vocabulary.contract import Placement

    return Placement(subjects=options.subjects or ())


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
        "Crop to cover, keeping faces (and other subjects finders report) whole, then where the detail is.",
        _fit_smart,
        placement=_keeps(_smart_source),
        subjects=True,
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
