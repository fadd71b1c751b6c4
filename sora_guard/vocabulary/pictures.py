"""What strategies and reporters exchange about a picture: fit options and placements, report pictures
and entries. Loaded on first use through :mod:`.contract`, which registering plugins does not need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .contract import Box
from .model import Diagnostic, FileReport

__all__ = ["WHOLE", "Entry", "FitOptions", "FixOutcome", "Picture", "Placement"]


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
