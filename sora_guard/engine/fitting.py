"""The one fitting pipeline: decode once, normalise colour, apply the strategy, orient, encode."""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sora_guard.engine.fixnotes import distorted, enlarged, finder_failed, profile_ignored, subjects_cut
from sora_guard.engine.outputs import WRITABLE_FORMATS, output_format
from sora_guard.engine.probe import decode_deadline, probe_image, scan_bomb_error
from sora_guard.engine.quiet import quiet_warnings
from sora_guard.vocabulary.contract import Box, FitOptions, Strategy
from sora_guard.vocabulary.exceptions import DecodeTimeout, FitError
from sora_guard.vocabulary.model import Diagnostic, ImageInfo, Limits, Size, Target

if TYPE_CHECKING:
    from PIL import Image

    from sora_guard.vocabulary.contract import Finder, Placement, Subject


__all__ = [
    "FitError",
    "Fitted",
    "ALPHA_FORMATS",
    "WRITABLE_FORMATS",
    "decode_at",
    "fit_data",
    "fit_opened",
    "open_probed",
    "probe_opened",
    "encode",
    "output_size",
    "output_format",
]

ALPHA_FORMATS = frozenset({"PNG", "WEBP"})
DRAFTED_RESAMPLE = 2  # PIL.Image.Resampling.BILINEAR
"""Filter for the last (under 2x) step after a DCT-scaled JPEG decode, unless the options name one.

DCT scaling has already averaged the picture down; what remains is a gentle step (1512x1134 to
1280x720 for a 12 MP photo), where Pillow's bilinear filter (widened by the downscale, so it does
not alias) costs about 40% less CPU than bicubic and 70% less than LANCZOS, at 41 dB PSNR against
the LANCZOS recipe's output (bicubic: 42.6 dB; a half-pixel shift of the crop alone costs more).
Everything else resamples with LANCZOS.
"""
UPSCALE_WARNING = 2.0
"""Warn when a strategy has to enlarge the picture by more than this factor."""

# EXIF orientation -> the transpose that shows the picture the right way up (as ImageOps.exif_transpose).
_TRANSPOSE = {
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_270",
    7: "TRANSVERSE",
    8: "ROTATE_90",
}

# Displayed (u, v) fractions -> stored (x, y) fractions: the inverse of each transpose above.
_TO_STORED = {
    1: lambda u, v: (u, v),
    2: lambda u, v: (1 - u, v),
    3: lambda u, v: (1 - u, 1 - v),
    4: lambda u, v: (u, 1 - v),
    5: lambda u, v: (v, u),
    6: lambda u, v: (v, 1 - u),
    7: lambda u, v: (1 - v, 1 - u),
    8: lambda u, v: (1 - v, u),
}
_TO_DISPLAYED = {o: _TO_STORED[{6: 8, 8: 6}.get(o, o)] for o in _TO_STORED}
"""Stored (x, y) fractions -> displayed (u, v) fractions: each transpose is its own inverse but 6 and 8."""


class Fitted:
    """A fitted picture (RGB or RGBA, sRGB, the right way up) and what the user should know about it.

    ``notes``: the fix stage's warnings (:mod:`.fixnotes`): enlarged, distorted, colour profile
    ignored, subjects cut, a subject finder failed. ``placement``: what the strategy kept and the
    subjects it was given, as displayed (None when the strategy does not say).
    A plain class: a dataclass would cost every fix's start-up (docs/architecture.md, Start-up).
    """

    __slots__ = ("image", "strategy", "notes", "placement")

    def __init__(
        self,
        image: Image.Image,
        strategy: str,
        notes: list[Diagnostic] | None = None,
        placement: Placement | None = None,
    ) -> None:
        self.image = image
        self.strategy = strategy
        self.notes = [] if notes is None else notes
        self.placement = placement


def output_size(shape: Size, target: Target) -> Size:
    """The size ``fix`` writes for a picture displayed as ``shape``: what ``check`` will demand.

    An exact size comes from ``Target.size_for`` (the check's own rule). Aspect-tolerant profiles
    keep the picture's size, brought inside the profile's aspect and side bounds (the aspect is
    checked again after rounding: scaling 2x5 up to a 301 px short side must not leave 301x753).
    """
    exact = target.size_for(shape)
    if exact is not None:
        return exact
    profile = target.profile
    w, h = _inside_aspect(shape.width, shape.height, profile)
    if profile.max_side and max(w, h) > profile.max_side:
        f = profile.max_side / max(w, h)
        w, h = max(1, math.floor(w * f)), max(1, math.floor(h * f))
    if profile.min_side and min(w, h) < profile.min_side:
        f = profile.min_side / min(w, h)
        w, h = math.ceil(w * f), math.ceil(h * f)
    return Size(*_inside_aspect(w, h, profile))


def _inside_aspect(w: int, h: int, profile) -> tuple[int, int]:
    """Widen or heighten ``w`` x ``h`` just enough to meet the profile's aspect bounds (shrinking
    the other side instead where growing would pass ``max_side``)."""
    if not profile.aspect:
        return w, h
    lo, hi = profile.aspect
    if w / h < lo:
        grown = math.ceil(h * lo)
        if profile.max_side and grown > profile.max_side:
            return w, max(1, math.floor(w / lo))
        return grown, h
    if w / h > hi:
        grown = math.ceil(w / hi)
        if profile.max_side and grown > profile.max_side:
            return max(1, math.floor(h * hi)), h
        return w, grown
    return w, h


def _map_box(box: Box, to) -> Box:
    (x0, y0), (x1, y1) = to(box[0], box[1]), to(box[2], box[3])
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _map_subjects(subjects: Sequence[Subject], to) -> tuple[Subject, ...]:
    return tuple(
        replace(s, box=_map_box(s.box, to), room=None if s.room is None else _map_box(s.room, to))
        for s in subjects
    )


def _to_stored(options: FitOptions, orientation: int) -> FitOptions:
    """``options`` (in displayed fractions) expressed in the stored frame."""
    if orientation == 1 or orientation not in _TO_STORED:
        return options
    to = _TO_STORED[orientation]
    box = options.crop_box
    subjects = options.subjects
    return replace(
        options,
        anchor=to(*options.anchor),
        crop_box=None if box is None else _map_box(box, to),
        subjects=None if subjects is None else _map_subjects(subjects, to),
    )


def _displayed(placement: Placement, orientation: int) -> Placement:
    """``placement`` (in the stored frame) as the picture is shown."""
    if orientation == 1 or orientation not in _TO_DISPLAYED:
        return placement
    to = _TO_DISPLAYED[orientation]
    return replace(
        placement,
        source=_map_box(placement.source, to),
        target=_map_box(placement.target, to),
        subjects=_map_subjects(placement.subjects, to),
    )


def find_subjects(
    im: Image.Image, finders: Sequence[Finder], orientation: int, notes: list[Diagnostic]
) -> tuple[Subject, ...]:
    """What ``finders`` see in ``im`` (stored frame; they get it upright), in the stored frame's fractions.

    A finder that fails is noted (SG917) and left out: the fit goes on with what the others found.
    """
    from PIL import Image

    if not finders:
        return ()
    shown = (
        im.transpose(getattr(Image.Transpose, _TRANSPOSE[orientation])) if orientation in _TRANSPOSE else im
    )
    found: list[Subject] = []
    for finder in finders:
        try:
            found.extend(finder.find(shown))
        except Exception as exc:
            why = str(exc) or type(exc).__name__
            notes.append(
                finder_failed.note(f"subject finder {finder.name!r} failed ({why}); fitted without it")
            )
    stored = _TO_STORED.get(orientation) if orientation != 1 else None
    return _map_subjects(found, stored) if stored is not None else tuple(found)


def _cut_note(placement: Placement, strategy: str, size: Size) -> Diagnostic | None:
    """SG916 when ``placement`` keeps fewer than all of its subjects whole."""
    subjects, kept = placement.subjects, placement.kept
    if len(kept) == len(subjects):
        return None
    what = "faces" if all(s.kind == "face" for s in subjects) else "subjects"
    return subjects_cut.note(
        f"{strategy} keeps {len(kept)} of {len(subjects)} {what} whole at {size}: no {size} crop holds "
        f"them all; blur-pad keeps them all"
    )


@functools.lru_cache(maxsize=16)
def _icc_transform(icc: bytes, in_mode: str, out_mode: str, inverse: bool = False):
    """A cached transform from the embedded profile to sRGB (or back); None when it is sRGB already."""
    from PIL import ImageCms

    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    if in_mode in ("RGB", "RGBA") and "srgb" in (ImageCms.getProfileDescription(source) or "").lower():
        return None
    srgb = ImageCms.createProfile("sRGB")
    if inverse:
        return ImageCms.buildTransform(srgb, source, out_mode, in_mode)
    return ImageCms.buildTransform(source, srgb, in_mode, out_mode)


def _plain_mode(im: Image.Image) -> Image.Image:
    """``im`` as 8-bit RGB or RGBA without a colour profile: 16-bit scaled down, palettes expanded."""
    if im.mode in ("RGB", "RGBA"):
        return im
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        return im.convert("I").point(lambda v: v * (1 / 257)).convert("L").convert("RGB")
    if im.mode == "F":
        return im.convert("L").convert("RGB")
    alpha = im.mode in ("LA", "La", "PA", "RGBa") or "transparency" in im.info
    if im.mode == "P" and alpha:
        return im.convert("RGBA")
    return im.convert("RGBA" if alpha else "RGB")


def _normalise(im: Image.Image, notes: list[Diagnostic]):
    """``(rgb_image, pending)``: RGB/RGBA pixels, and a transform to sRGB still to apply (or None).

    Profiles of CMYK and greyscale images are applied here; an RGB profile (palette and other modes
    are expanded to RGB first) is returned as ``pending``, to run on the resampled output instead
    of the full picture.
    """
    icc = im.info.get("icc_profile")
    if not icc:
        return _plain_mode(im), None
    try:
        if im.mode in ("CMYK", "L"):
            from PIL import ImageCms

            transform = _icc_transform(icc, im.mode, "RGB")
            return (ImageCms.applyTransform(im, transform) if transform else im.convert("RGB")), None
        rgb = _plain_mode(im)
        return rgb, _icc_transform(icc, rgb.mode, rgb.mode)
    except Exception as exc:  # a broken or mismatched profile: plain conversion beats failing
        why = str(exc) or type(exc).__name__
        notes.append(profile_ignored.note(f"embedded colour profile ignored ({why}); converted as if sRGB"))
    return _plain_mode(im), None


def _background_in_source(background: tuple[int, int, int], icc: bytes) -> tuple[int, int, int]:
    """The source-profile colour that becomes ``background`` once the pending sRGB transform runs."""
    from PIL import Image, ImageCms

    transform = _icc_transform(icc, "RGB", "RGB", inverse=True)
    pixel = Image.new("RGB", (1, 1), background)
    return ImageCms.applyTransform(pixel, transform).getpixel((0, 0))[:3] if transform else background


def decode_at(
    im: Image.Image, need: tuple[int, int], data: bytes | None = None, max_decode_seconds: float | None = None
) -> Image.Image:
    """``im`` (opened, ideally not loaded) decoded once, as small as still covers ``need``; raises FitError.

    A JPEG decodes at any M/8 scale through libjpeg-turbo when ``data`` (the bytes ``im`` was
    opened from) is given and :func:`jpegdecode.decode_scaled` applies, else at Pillow's 1/2, 1/4
    or 1/8, stopped after ``max_decode_seconds`` where a timer can. Other formats load in full.
    """
    from sora_guard.engine.jpegdecode import decode_scaled
    from sora_guard.engine.probe import decode_deadline
    from sora_guard.vocabulary.exceptions import DecodeTimeout

    scaled = decode_scaled(data, im, need, max_decode_seconds) if data is not None and im.tile else None
    if scaled is not None:
        return scaled
    try:
        with quiet_warnings(), decode_deadline(max_decode_seconds):
            if (
                im.format in ("JPEG", "MPO")
                and im.tile
                and need[0] * 2 <= im.width
                and need[1] * 2 <= im.height
            ):
                im.draft(None, need)
            im.load()
    except DecodeTimeout:
        raise FitError(f"decoding took longer than {max_decode_seconds} s", "timeout") from None
    except Exception as exc:
        raise FitError(str(exc) or type(exc).__name__, "corrupt") from None
    return im


def probe_opened(im: Image.Image, data: bytes, name: str, limits: Limits) -> ImageInfo:
    """The header facts of ``im``, opened from ``data``, read under the decode time limit (reading a
    PNG's EXIF decodes the whole image); a progressive-JPEG scan bomb is refused before any decode.

    Raises :class:`FitError`: ``"timeout"`` when the probe ran out of time, ``"corrupt"`` for a scan bomb.
    """
    try:
        with decode_deadline(limits.max_decode_seconds):
            info = probe_image(im, name)
    except DecodeTimeout:
        raise FitError(f"decoding took longer than {limits.max_decode_seconds} s", "timeout") from None
    bomb = scan_bomb_error(data, info.format)
    if bomb:
        raise FitError(bomb, "corrupt")
    return info


def open_probed(data: bytes, name: str, limits: Limits) -> tuple[Image.Image, ImageInfo]:
    """``data`` opened (refused over ``limits.max_pixels`` before decoding) and probed
    (:func:`probe_opened`), not decoded: the first steps of every fit of a file's bytes.

    Raises what :func:`opener.open_image` raises (``TooManyPixels``, ``UnidentifiedImageError``,
    ``OSError``), and :class:`FitError` from the probe.
    """
    from sora_guard.engine.opener import open_image  # Pillow loads only when an image is fitted

    with quiet_warnings():
        im = open_image(io.BytesIO(data), limits.max_pixels)
    try:
        return im, probe_opened(im, data, name, limits)
    except BaseException:
        im.close()
        raise


def fit_data(
    data: bytes,
    size: Size | Target,
    strategy: Strategy,
    options: FitOptions = FitOptions(),
    finders: Sequence[Finder] = (),
    limits: Limits = Limits(),
    name: str = "<bytes>",
) -> Fitted:
    """The image file ``data`` fitted to ``size`` (or the size ``target`` demands of it) as displayed,
    the way ``fix`` fits it: opened within ``limits`` (:func:`open_probed`), then decoded once, at
    the smallest scale that still serves (libjpeg-turbo's M/8 scales for a JPEG), under the decode
    time limit. Raises :class:`FitError`, or what :func:`open_probed` raises.
    """
    im, info = open_probed(data, name, limits)
    exact = output_size(info.displayed, size) if isinstance(size, Target) else size
    seen = finders if strategy.subjects else ()
    return fit_opened(
        im, exact, strategy, options, info.orientation, limits.max_decode_seconds, data, finders=seen
    )


def fit_picture(
    im: Image.Image,
    size: Size | Target,
    strategy: Strategy,
    options: FitOptions = FitOptions(),
    finders: Sequence[Finder] = (),
) -> Fitted:
    """An opened picture fitted to ``size`` (or the size ``target`` demands of it) as displayed, the
    right way up and in sRGB, with what ``finders`` see when the strategy keeps subjects; ``im``
    itself is left alone (it is copied, so decoded in full). The caller has checked its pixel count.

    For a PIL image a caller owns; a file's bytes go through :func:`fit_data`, as ``fix`` fits them."""
    orientation = probe_image(im).orientation
    shape = Size(*im.size).transposed() if orientation in (5, 6, 7, 8) else Size(*im.size)
    exact = output_size(shape, size) if isinstance(size, Target) else size
    seen = finders if strategy.subjects else ()
    return fit_opened(im.copy(), exact, strategy, options, orientation, finders=seen)


def fit_opened(
    im: Image.Image,
    size: Size,
    strategy: Strategy,
    options: FitOptions = FitOptions(),
    orientation: int = 1,
    max_decode_seconds: float | None = None,
    data: bytes | None = None,
    finders: Sequence[Finder] = (),
) -> Fitted:
    """Fit an opened (ideally not yet loaded) image to ``size`` as displayed; raises FitError.

    ``orientation`` is the EXIF orientation the picture must be shown with; the result has it
    applied. A JPEG that is not loaded yet is decoded once (:func:`decode_at`), at the smallest
    scale that still gives the strategy every pixel it samples. A strategy that keeps subjects
    gets what ``finders`` see in that decoded picture, unless ``options.subjects`` names them.
    """
    from PIL import Image

    source = Size(*im.size)
    turned = orientation in (5, 6, 7, 8)
    stored_size = size.transposed() if turned else size
    opts = _to_stored(options, orientation)
    scale = strategy.scale(source, stored_size, opts)
    need = (max(1, math.ceil(source.width * scale)), max(1, math.ceil(source.height * scale)))
    notes: list[Diagnostic] = []
    im = decode_at(im, need, data, max_decode_seconds)
    if im.size != (source.width, source.height) and opts.resample is None:
        opts = replace(opts, resample=DRAFTED_RESAMPLE)
    icc = im.info.get("icc_profile")
    rgb, pending = _normalise(im, notes)
    if pending is not None and opts.background != (0, 0, 0):
        opts = replace(opts, background=_background_in_source(opts.background, icc))
    if strategy.subjects and opts.subjects is None:
        opts = replace(opts, subjects=find_subjects(rgb, finders, orientation, notes))
    try:
        out = strategy.fit(rgb, stored_size, opts)
        placement = strategy.placement(rgb, stored_size, opts) if strategy.placement is not None else None
    except Exception as exc:
        raise FitError(
            f"strategy {strategy.name!r} failed: {str(exc) or type(exc).__name__}", "strategy"
        ) from None
    if out.size != (stored_size.width, stored_size.height) or out.mode != rgb.mode:
        raise FitError(
            f"strategy {strategy.name!r} returned {out.mode} {out.width}x{out.height}, not {rgb.mode} {stored_size}",
            "strategy",
        )
    if pending is not None:
        from PIL import ImageCms

        out = ImageCms.applyTransform(out, pending)
    if orientation in _TRANSPOSE:
        out = out.transpose(getattr(Image.Transpose, _TRANSPOSE[orientation]))
    shown = source.transposed() if turned else source  # what the user sees, and what options speak of
    if scale > UPSCALE_WARNING:
        notes.append(
            enlarged.note(f"enlarged {scale:.1f}x from {_sampled(shown, options)}: expect a soft picture")
        )
    if strategy.distorts and abs(math.log(shown.aspect) - math.log(size.aspect)) > 0.01:
        change = f"width/height {shown.aspect:.3f} -> {size.aspect:.3f}"
        notes.append(distorted.note(f"{strategy.name} distorts proportions: {change}"))
    if placement is not None:
        placement = _displayed(placement, orientation)
        cut = _cut_note(placement, strategy.name, size)
        if cut is not None:
            notes.append(cut)
    return Fitted(out, strategy.name, notes, placement)


def _sampled(shown: Size, options: FitOptions) -> str:
    """What the picture was enlarged from, as displayed: the crop box when there is one, else all of it."""
    if options.crop_box is None:
        return str(shown)
    left, top, right, bottom = options.crop_box
    box = Size(max(1, round((right - left) * shown.width)), max(1, round((bottom - top) * shown.height)))
    return f"the {box} crop box of {shown}"


def flatten(im: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """RGB: ``im`` composited onto ``background`` when it has alpha."""
    from PIL import Image

    if im.mode != "RGBA":
        return im
    canvas = Image.new("RGB", im.size, tuple(background))
    canvas.paste(im, (0, 0), im)
    return canvas


def encode(
    im: Image.Image,
    fmt: str,
    quality: int = 92,
    background: tuple[int, int, int] = (0, 0, 0),
    keep_alpha: bool = False,
) -> bytes:
    """The bytes of ``im`` in ``fmt``: no EXIF, XMP or colour profile (the pixels are sRGB).

    Alpha is kept where the format holds it and the picture uses it (or ``keep_alpha``: the target
    needs an alpha channel); otherwise flattened onto ``background``.
    """
    unused = not keep_alpha and im.getchannel("A").getextrema() == (255, 255) if im.mode == "RGBA" else False
    if im.mode == "RGBA" and (fmt not in ALPHA_FORMATS or unused):
        im = flatten(im, background)
    if im.info:  # resampling carries the source's metadata along; Pillow writes some of it (a JPEG comment)
        im = im.copy()
        im.info = {}
    from sora_guard.engine.opener import save_image  # with Pillow, as ``im`` has it

    buf = io.BytesIO()
    if fmt == "JPEG":
        save_image(im, buf, "JPEG", quality=quality)
    elif fmt == "WEBP":
        save_image(im, buf, "WEBP", quality=quality, method=4)
    elif fmt == "PNG":
        save_image(im, buf, "PNG", compress_level=6)
    else:
        raise ValueError(f"sora-guard does not write {fmt}")
    return buf.getvalue()
