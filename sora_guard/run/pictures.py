"""Pictures for reporters that show them: a thumbnail of each checked file with diagnostics, and the
before and after of each fixed one. The engine makes them (:mod:`sora_guard.engine.pictures`), in the
executor's workers, so a large run spreads the decoding over every core and keeps memory flat."""

from __future__ import annotations

from collections.abc import Iterator

from sora_guard.config import Settings
from sora_guard.engine.fix import Repair, Status
from sora_guard.engine.pictures import before_picture, thumbnail
from sora_guard.io.read import read_bounded
from sora_guard.run.executors import Executor
from sora_guard.vocabulary.contract import Entry, Picture, Strategy
from sora_guard.vocabulary.model import FileReport, Report

__all__ = ["check_entries", "fix_pictures", "thumbnail_file"]

SHRINK = "stretch"
"""The strategy that scales a picture down (at its own aspect, so nothing is cut or distorted)."""


def _shrink(own: Settings) -> Strategy:
    return own.registry.strategies[SHRINK]


def thumbnail_file(path: str, settings: Settings) -> Picture | None:
    """The thumbnail of the file at ``path`` (a URL too), or None when it cannot be read or decoded."""
    own = settings.for_path(path)
    limits = own.target().limits
    try:
        data = read_bounded(path, limits.max_file_bytes, own.storage_options)[1]
    except OSError:
        return None
    return None if data is None else thumbnail(data, _shrink(own), limits)


def _wanted(f: FileReport) -> bool:
    return bool(f.diagnostics) and f.info is not None and f.info.readable


def check_entries(report: Report, settings: Settings, executor: Executor) -> Iterator[Entry]:
    """The entries of ``report`` in order, each file with diagnostics and a readable header with its
    thumbnail (made by ``executor`` while earlier entries are being written)."""
    pictures = iter(executor.map(thumbnail_file, [f.path for f in report.files if _wanted(f)], settings))
    for f in report.files:
        yield Entry(f, next(pictures) if _wanted(f) else None)


def fix_pictures(data: bytes, done: Repair, own: Settings) -> tuple[Picture | None, Picture | None]:
    """``(picture, fixed_picture)`` for a repair of ``data``: the file with what the fit keeps or adds
    drawn on it and the result, for a fixed file; a thumbnail alone for one with diagnostics."""
    limits, shrink = own.target().limits, _shrink(own)
    after = done.after.info if done.after is not None else None
    if done.status is Status.FIXED and done.output is not None and after is not None and after.displayed:
        before = before_picture(data, shrink, done.placement, after.displayed, limits)
        return before, thumbnail(done.output, shrink, limits)
    if done.before.diagnostics or done.notes:
        return thumbnail(data, shrink, limits), None
    return None, None
