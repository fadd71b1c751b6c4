"""The plugin contract's types: what a strategy and a reporter are. Plain data, no Pillow import."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from .lazy import lazy_names
from .model import Report, Rule, Size

if TYPE_CHECKING:
    from PIL import Image

    from .pictures import (
        WHOLE,
        Entries,
        Entry,
        Finder,
        FitOptions,
        FixOutcome,
        Picture,
        Placement,
        Subject,
        inside,
    )

__all__ = [
    "WHOLE",
    "Box",
    "Entries",
    "Entry",
    "Finder",
    "FitOptions",
    "FixOutcome",
    "Picture",
    "Placement",
    "Reporter",
    "Strategy",
    "Subject",
    "contain_scale",
    "cover_scale",
    "inside",
]

Box = tuple[float, float, float, float]

_PICTURES = frozenset(
    {
        "WHOLE",
        "Entries",
        "Entry",
        "Finder",
        "FitOptions",
        "FixOutcome",
        "Picture",
        "Placement",
        "Subject",
        "inside",
    }
)
"""Defined in :mod:`.pictures`, loaded on first use: registering strategies and reporters (every run,
a one-file check included) needs none of them, and each dataclass costs start-up time."""


def cover_scale(src: Size, dst: Size, options: FitOptions) -> float:
    """Scale at which ``src`` just covers ``dst`` (the larger of the two axis ratios)."""
    return max(dst.width / src.width, dst.height / src.height)


def contain_scale(src: Size, dst: Size, options: FitOptions) -> float:
    """Scale at which ``src`` just fits inside ``dst`` (the smaller of the two axis ratios)."""
    return min(dst.width / src.width, dst.height / src.height)


@dataclass(frozen=True)
class Strategy:
    """A named way to fit an image to a size.

    ``fit(image, size, options)`` gets an RGB or RGBA image and must return one of exactly ``size``
    in the same mode. ``scale(source, size, options)`` is the largest factor (output / source
    pixels) at which ``fit`` samples the source; a loader may hand ``fit`` any downscaled copy that
    is at least that large. ``distorts`` marks strategies that change the aspect ratio.
    ``placement(image, size, options)``, when given, says what ``fit`` would keep of ``image`` and
    where it would put it, and the subjects it keeps (reports draw it on the picture).
    ``subjects`` asks the pipeline to run the subject finders first (``options.subjects``).
    """

    name: str
    summary: str
    fit: Callable[[Image.Image, Size, FitOptions], Image.Image]
    scale: Callable[[Size, Size, FitOptions], float] = cover_scale
    distorts: bool = False
    placement: Callable[[Image.Image, Size, FitOptions], Placement] | None = None
    subjects: bool = False


@dataclass(frozen=True)
class Reporter:
    """A named output format. ``render(report, rules)`` returns the full output text;
    ``report.heading`` says what the run checked (targets, size, folder, version, command line, date).

    A reporter for large runs also has ``write(entries, rules, out)``, which writes to the text
    stream ``out`` while the :class:`Entry` objects arrive, so memory stays flat however many files
    there are; from a run, ``entries`` is an :class:`Entries` carrying the same ``heading``.
    ``pictures`` asks for each entry's pictures; ``fixes`` means ``write`` also reports ``fix`` runs
    (``sora-guard fix --output-format NAME``).
    """

    name: str
    description: str
    render: Callable[[Report, Mapping[str, Rule]], str]
    write: Callable[[Iterable[Entry], Mapping[str, Rule], IO[str]], None] | None = None
    pictures: bool = False
    fixes: bool = False


__getattr__ = lazy_names(__name__, dict.fromkeys(_PICTURES, "sora_guard.vocabulary.pictures"))
