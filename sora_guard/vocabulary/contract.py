"""The plugin contract's types: what a strategy and a reporter are. Plain data, no Pillow import."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Protocol

from .model import Diagnostic, FileReport, Report, Rule, Size

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "Box",
    "Entry",
    "FitOptions",
    "FixOutcome",
    "Picture",
    "Placement",
    "Reporter",
    "Strategy",
    "contain_scale",
    "cover_scale",
]

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class FitOptions:
    """Options every strategy may read; a strategy ignores what does not concern it.

    ``background`` fills pad bars (and flattens alpha); ``anchor`` is the focal point as fractions
    of width and height (where ``cover`` centres its crop and ``pad`` places the picture);
    ``crop_box`` is (left, top, right, bottom) as fractions, used by ``crop``; ``resample`` is a
    ``PIL.Image.Resampling`` value (``None``: LANCZOS); ``extra`` carries plugin-specific options.
    """

    background: tuple[int, int, int] = (0, 0, 0)
    anchor: tuple[float, float] = (0.5, 0.5)
    crop_box: Box | None = None
    resample: int | None = None
    extra: dict = field(default_factory=dict)


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
    where it would put it (reports draw it on the picture); it may get a small copy of the image.
    """

    name: str
    summary: str
    fit: Callable[[Image.Image, Size, FitOptions], Image.Image]
    scale: Callable[[Size, Size, FitOptions], float] = cover_scale
    distorts: bool = False
    placement: Callable[[Image.Image, Size, FitOptions], Placement] | None = None


WHOLE: Box = (0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class Placement:
    """What a fit keeps and where it puts it: ``source`` is the part of the picture used, ``target``
    where that part lands in the output, both (left, top, right, bottom) fractions of their frame."""

    source: Box = WHOLE
    target: Box = WHOLE


@dataclass(frozen=True)
class Picture:
    """A small encoded picture for a report: ``data`` of type ``mime``, ``width`` x ``height`` pixels."""

    mime: str
    data: bytes = field(repr=False)
    width: int
    height: int


class FixOutcome(Protocol):
    """What ``fix`` did (or, with ``dry_run``, would do) to one file, as a reporter reads it."""

    status: str
    """``"fixed"``, ``"unchanged"`` or ``"failed"``."""
    dry_run: bool
    after: FileReport | None
    dest: str | None
    """The name the fixed file has (differs from the path when the format changed)."""
    changes: list[str]
    notes: list[Diagnostic]

    @property
    def problems(self) -> list[Diagnostic]:
        """Why the file is still not compliant (empty unless it failed)."""


@dataclass(frozen=True)
class Entry:
    """One file as a streaming reporter sees it.

    ``report`` is the file's check (for ``fix``, the check before fixing); ``picture`` shows the file
    as it is, with what a fix keeps or adds drawn on it; ``fix`` and ``fixed_picture`` (the result)
    come with ``fix`` runs. Pictures are made only for reporters that ask for them, and only for
    files with something to show.
    """

    report: FileReport
    picture: Picture | None = None
    fix: FixOutcome | None = None
    fixed_picture: Picture | None = None


@dataclass(frozen=True)
class Reporter:
    """A named output format. ``render(report, rules)`` returns the full output text.

    A reporter for large runs also has ``write(entries, rules, out)``, which writes to the text
    stream ``out`` while the :class:`Entry` objects arrive, so memory stays flat however many files
    there are. ``pictures`` asks for each entry's pictures; ``fixes`` means ``write`` also reports
    ``fix`` runs (``sora-guard fix --output-format NAME``).
    """

    name: str
    description: str
    render: Callable[[Report, Mapping[str, Rule]], str]
    write: Callable[[Iterable[Entry], Mapping[str, Rule], IO[str]], None] | None = None
    pictures: bool = False
    fixes: bool = False
