"""Repair one image in memory: decide with the check, fit, encode, and prove the result passes."""

from __future__ import annotations

import enum
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sora_guard.engine import heif
from sora_guard.engine.check import check_bytes, check_info
from sora_guard.engine.cstderr import captured_stderr
from sora_guard.engine.fitting import Fitted, encode, fit_opened, open_probed, output_format, output_size
from sora_guard.engine.fitting import flatten as flatten_alpha
from sora_guard.engine.fixnotes import gain_map_dropped, not_fixed, profile_ignored
from sora_guard.engine.fixnotes import renamed as renamed_note
from sora_guard.engine.integrity import TRUNCATED, cut_short, explain
from sora_guard.engine.probe import probe_bytes, prove
from sora_guard.vocabulary.contract import FitOptions, Strategy
from sora_guard.vocabulary.exceptions import FitError
from sora_guard.vocabulary.formats import EXTENSION_FORMATS, FORMAT_EXTENSION
from sora_guard.vocabulary.model import Diagnostic, FileReport, FixKind, ImageInfo, Rule, Severity, Target

if TYPE_CHECKING:
    from sora_guard.vocabulary.contract import Finder, Placement

__all__ = ["FixSpec", "Repair", "Status", "dest_name", "repair"]

LOWER_QUALITIES = (85, 75, 65, 50)
"""JPEG/WebP qualities tried, in order, when the fixed file is over the byte limit."""

_TECHNICAL_INFO = {
    "jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "adobe", "adobe_transform", "progressive",
    "progression", "gamma", "srgb", "chromaticity", "transparency", "interlace", "aspect",
}  # fmt: skip
"""``Image.info`` keys that say how to decode the pixels, not who took them, where or when."""


class Status(str, enum.Enum):
    UNCHANGED = "unchanged"
    FIXED = "fixed"
    FAILED = "failed"


class FixSpec:
    """How to repair: the strategy and its options, the encoder quality, an optional format to convert
    to, and the subject finders a strategy that keeps subjects asks for.

    A plain class: a dataclass would cost every fix's start-up (docs/architecture.md, Start-up).
    """

    __slots__ = ("strategy", "options", "quality", "convert_to", "finders")

    def __init__(
        self,
        strategy: Strategy,
        options: FitOptions | None = None,
        quality: int = 92,
        convert_to: str | None = None,
        finders: Sequence[Finder] = (),
    ) -> None:
        self.strategy = strategy
        self.options = FitOptions() if options is None else options
        self.quality = quality
        self.convert_to = convert_to
        self.finders = finders


@dataclass
class Repair:
    """The engine's answer for one image: the outcome, both checks, and the bytes that pass.

    ``dest`` is the name the output must have (its extension names its format); ``output`` is the
    original bytes when unchanged, the new ones when fixed, None when failed. ``placement`` is what
    the fit kept of the picture as displayed, and the subjects it kept whole or not (when it fitted).
    """

    status: Status
    before: FileReport
    after: FileReport | None = None
    dest: str | None = None
    changes: list[str] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    output: bytes | None = field(default=None, repr=False)
    placement: Placement | None = None

    @property
    def problems(self) -> list[Diagnostic]:
        """Why the image is not compliant after the repair (empty unless it failed)."""
        if self.status is not Status.FAILED:
            return []
        errors = self.before.errors
        return (
            [d for d in self.notes if d.severity is Severity.ERROR]
            or [d for d in errors if not d.fixable]
            or errors
        )


def dest_name(path: str, fmt: str) -> str:
    """``path`` with an extension that names ``fmt`` (unchanged when it already does)."""
    stem, ext = os.path.splitext(path)
    return path if EXTENSION_FORMATS.get(ext.lower()) == fmt else stem + FORMAT_EXTENSION[fmt]


def repair(
    data: bytes, name: str, target: Target, rules: list[Rule], spec: FixSpec, dest: str | None = None
) -> Repair:
    """Repair the image ``data`` called ``name``; ``dest`` is where it will go (default: ``name``).

    Never raises for the image's content: unreadable, corrupt or unfixable images come back FAILED
    with the check's diagnostics.
    """
    limits = target.limits
    try:
        im, info = open_probed(data, name, limits)  # the steps every fit of a file's bytes takes first
    except FitError as exc:
        if exc.kind != "timeout":  # a scan bomb: the check below says so, without decoding it
            return Repair(Status.FAILED, check_bytes(data, target, rules, name))
        info = probe_bytes(data, name, limits)
        info.decode_timeout = limits.max_decode_seconds  # the decode just ran out of time here
        return Repair(Status.FAILED, check_info(info, target, rules))
    except Exception:  # unreadable, or over max-pixels: the check below says why
        return Repair(Status.FAILED, check_bytes(data, target, rules, name))
    with im:
        return _repair_opened(im, info, data, dest or name, target, rules, spec)


def _carries_metadata(im, info: ImageInfo) -> bool:
    """True when the file holds EXIF (GPS), XMP, comments, text or a colour profile: then even a
    rename re-encodes it, so a fixed file never carries them."""
    return info.has_icc or bool(im.getexif()) or any(key not in _TECHNICAL_INFO for key in im.info)


def _repair_opened(
    im, info: ImageInfo, data: bytes, dest: str, target: Target, rules: list[Rule], spec: FixSpec
) -> Repair:
    limits = target.limits
    by_code = {r.code: r for r in rules}
    info.byte_size = len(data)
    unconverted = None
    if info.format == "HEIF":
        if cut_short(data):  # the picture decodes even with its thumbnail cut off
            info.decode_error = TRUNCATED
        try:
            adopted = heif.adopt_nclx(im)
        except ValueError as exc:
            unconverted = f"{exc}; converted as if sRGB"
        else:
            if adopted:
                info.has_icc, info.icc_description = True, adopted
    before = check_info(info, target, rules)
    if not before.repairable:  # it passes, or has an error no fix repairs: the pixels decide which
        prove(info, data, limits)  # the header facts are in hand: only the pixel data is left to prove
        before = check_info(info, target, rules)
        if not before.repairable:
            return (
                Repair(Status.UNCHANGED, before, before, dest, output=data)
                if before.ok
                else Repair(Status.FAILED, before)
            )
    kinds = {d.code: by_code[d.code].fix.kind for d in before.fixable if d.code in by_code}
    flatten = FixKind.FLATTEN in kinds.values()
    fmt = output_format(info.format, target, spec.convert_to, info.has_transparency and not flatten)
    named = dest_name(dest, fmt)
    notes: list[Diagnostic] = []
    changes: list[str] = []
    placement = None
    if set(kinds.values()) == {FixKind.RENAME} and fmt == info.format and not _carries_metadata(im, info):
        renamed = replace(info, name=named, extension=os.path.splitext(named)[1].lower())
        out, after = data, check_info(renamed, target, rules)  # a rename: the bytes stay as they are
        if not after.ok:
            return Repair(Status.FAILED, after)
    else:
        size = output_size(info.displayed, target)
        try:
            with captured_stderr() as noise:  # libtiff's complaints go into the diagnostic, not the terminal
                fitted = fit_opened(
                    im,
                    size,
                    spec.strategy,
                    spec.options,
                    info.orientation,
                    limits.max_decode_seconds,
                    data,
                    spec.finders,
                )
        except FitError as exc:
            if exc.kind == "strategy":
                return Repair(Status.FAILED, before, notes=[not_fixed.note(str(exc))])
            if exc.kind == "timeout":
                info.decode_timeout = limits.max_decode_seconds
            else:
                info.decode_error = explain(str(exc), noise.text)
            return Repair(Status.FAILED, check_info(info, target, rules))
        notes.extend(fitted.notes)
        if unconverted:
            notes.append(profile_ignored.note(unconverted))
        if heif.GAIN_MAP in info.auxiliary:
            notes.append(
                gain_map_dropped.note("HDR gain map dropped: the output shows the standard-range picture")
            )
        out, after = _encode_within_limit(fitted, fmt, spec, target, rules, named, flatten)
        if not after.ok:
            failing = ", ".join(f"{d.code} {d.message}" for d in after.errors)
            notes.append(not_fixed.note(f"the result would still fail: {failing}"))
            return Repair(Status.FAILED, before, after, notes=_selected(notes, by_code))
        changes.append(_change(info, fitted, size, fmt, flatten, spec.options.background))
        placement = fitted.placement
    if named != dest:
        notes.append(renamed_note.note(f"content is now {fmt}: renamed to {os.path.basename(named)}"))
    return Repair(Status.FIXED, before, after, named, changes, _selected(notes, by_code), out, placement)


def _selected(notes: list[Diagnostic], by_code: dict[str, Rule]) -> list[Diagnostic]:
    """The fix stage's notes the run asked for: every error, and warnings of the selected rules."""
    return [d for d in notes if d.severity is Severity.ERROR or d.code in by_code]


_MODE_NAMES = {
    "1": "black-and-white", "L": "greyscale", "I": "greyscale", "I;16": "greyscale", "I;16B": "greyscale",
    "I;16L": "greyscale", "F": "greyscale", "LA": "greyscale with alpha", "P": "palette", "PA": "palette",
}  # fmt: skip
"""Pillow modes in words, where the letters say little to a user (RGB, RGBA and CMYK say enough)."""


def _change(info: ImageInfo, fitted: Fitted, size, fmt: str, flattened: bool, background) -> str:
    """What the repair changed, as the user sees it: size, orientation, colour, bit depth, format."""
    changes = [f"{info.displayed} -> {size} ({fitted.strategy})"] if info.displayed != size else []
    if info.orientation != 1:
        changes.append(f"turned upright (EXIF orientation {info.orientation})")
    before, after = (
        _MODE_NAMES.get(info.mode, info.mode),
        _MODE_NAMES.get(fitted.image.mode, fitted.image.mode),
    )
    if before != after:
        changes.append(f"colour {before} -> {after}")
    if info.has_icc and "srgb" not in (info.icc_description or "").lower():
        changes.append(f"colour profile {info.icc_description or 'embedded'} -> sRGB")
    if info.bits > 8:
        changes.append(f"{info.bits}-bit -> 8-bit")
    if flattened and fitted.image.mode in ("RGBA", "LA", "PA"):
        changes.append("transparency flattened onto #{:02x}{:02x}{:02x}".format(*background))
    if fmt != info.format:
        changes.append(f"{info.format} -> {fmt}")
    return ", ".join(changes) or "re-encoded without metadata"


def _encode_within_limit(
    fitted: Fitted,
    fmt: str,
    spec: FixSpec,
    target: Target,
    rules: list[Rule],
    dest: str,
    flatten: bool = False,
) -> tuple[bytes, FileReport]:
    """Encode at the configured quality (``flatten``: alpha onto the background, whatever the format
    holds); while a byte limit fails the result (a :attr:`FixKind.SHRINK` finding), retry lossy
    formats at lower qualities."""
    shrinks = {r.code for r in rules if r.fix is not None and r.fix.kind is FixKind.SHRINK}
    lower = [q for q in LOWER_QUALITIES if q < spec.quality] if fmt in ("JPEG", "WEBP") else []
    image = flatten_alpha(fitted.image, spec.options.background) if flatten else fitted.image
    for quality in [spec.quality, *lower]:
        out = encode(image, fmt, quality, spec.options.background, target.profile.needs_alpha)
        after = check_info(probe_bytes(out, dest, target.limits, decode=False), target, rules)
        if after.ok or not shrinks & {d.code for d in after.errors}:
            break
    return out, after
