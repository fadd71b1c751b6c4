"""What strategies and reporters exchange about a picture: fit options and placements, report pictures
and entries. Loaded on first use through :mod:`.contract`, which registering plugins does not need."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .contract import Box
from .model import Diagnostic, FileReport, Heading

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
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
]


@dataclass(frozen=True)
class Subject:
    """Something in a picture that a fit must keep whole: a face, a product, a logo.

    ``box`` is (left, top, right, bottom) in fractions of the picture; ``kind`` names what it is
    (``"face"``); ``weight`` is how much keeping it matters against other subjects (the built-in
    face finder uses the face's area, so larger faces win). ``room`` is a larger box a fit keeps
    whole too when it can, such as the hair above a face (``None``: the box alone).
    """

    box: Box
    kind: str = "face"
    weight: float = 1.0
    room: Box | None = None


@dataclass(frozen=True)
class Finder:
    """A named way to find the subjects of a picture.

    ``find(image)`` gets the picture a fit works on (RGB or RGBA, upright, already reduced towards
    the output size) and returns the :class:`Subject` objects it sees, in fractions of that picture.
    """

    name: str
    summary: str
    find: Callable[[Image.Image], Iterable[Subject]]


@dataclass(frozen=True)
class FitOptions:
    """Options every strategy may read; a strategy ignores what does not concern it.

    ``background`` fills pad bars (and flattens alpha); ``anchor`` is the focal point as fractions
    of width and height (where ``cover`` centres its crop and ``pad`` places the picture);
    ``crop_box`` is (left, top, right, bottom) as fractions, used by ``crop``; ``resample`` is a
    ``PIL.Image.Resampling`` value (``None``: LANCZOS); ``extra`` carries plugin-specific options.
    ``subjects`` are what the fit must keep whole (a strategy with ``subjects=True`` reads them):
    ``None`` lets the pipeline run the registered finders; a caller that knows them may give them.
    """

    background: tuple[int, int, int] = (0, 0, 0)
    anchor: tuple[float, float] = (0.5, 0.5)
    crop_box: Box | None = None
    resample: int | None = None
    extra: dict = field(default_factory=dict)
    subjects: tuple[Subject, ...] | None = None


WHOLE: Box = (0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class Placement:
    """What a fit keeps and where it puts it: ``source`` is the part of the picture used, ``target``
    where that part lands in the output, both (left, top, right, bottom) fractions of their frame;
    ``subjects`` are the subjects the fit was asked to keep whole (in fractions of the picture)."""

    source: Box = WHOLE
    target: Box = WHOLE
    subjects: tuple[Subject, ...] = ()

    @property
    def kept(self) -> tuple[Subject, ...]:
        """The subjects whose box lies whole inside ``source``."""
        return tuple(s for s in self.subjects if inside(s.box, self.source))


def inside(box: Box, window: Box, slack: float = 1e-6) -> bool:
    """True when ``box`` lies within ``window`` (both in the same fractions)."""
    return (
        box[0] >= window[0] - slack
        and box[1] >= window[1] - slack
        and box[2] <= window[2] + slack
        and box[3] <= window[3] + slack
    )


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
    placement: Placement | None
    """What the fit kept of the picture as displayed, and its subjects (None when it did not fit)."""

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


class Entries(Iterator[Entry]):
    """The entries of one run as a streaming reporter's ``write`` gets them: iterate for each
    :class:`Entry`, once; ``heading`` says what the run checked (None when no run context made it)."""

    def __init__(self, entries: Iterable[Entry], heading: Heading | None = None) -> None:
        self._entries = iter(entries)
        self.heading = heading

    def __next__(self) -> Entry:
        return next(self._entries)
