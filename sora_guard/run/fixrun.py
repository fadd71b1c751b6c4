"""One ``fix`` over many files as it happens: the plan, the results streaming in order, the totals."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sora_guard.config import Settings
from sora_guard.run.discovery import Skipped, not_read, skipped_reports
from sora_guard.run.executors import Executor
from sora_guard.run.fix import FixResult, Status, fix_files, plan
from sora_guard.run.fix_report import Summary
from sora_guard.vocabulary.model import FileReport, Heading

if TYPE_CHECKING:
    from sora_guard.run.cache import CheckCache
    from sora_guard.run.progress import Console
    from sora_guard.vocabulary.contract import Entries

__all__ = ["FixResults", "FixRun"]


class FixResults(list):
    """A finished ``fix``: each file's :class:`FixResult` in input order (a plain list of them, as
    iterating a :class:`FixRun` yields), and :attr:`unread`, the SG501 reports of the folders and
    links the walk could not or would not read (the command line prints them; ``check`` reports them).
    """

    def __init__(self, results: Iterable[FixResult], unread: list[FileReport]) -> None:
        super().__init__(results)
        self.unread = unread

    @property
    def failed(self) -> bool:
        """True when a file could not be fixed or a folder could not be read (``fix`` exits 1)."""
        return any(r.status is Status.FAILED for r in self) or not all(r.ok for r in self.unread)


class FixRun:
    """Iterate for each file's :class:`FixResult`, in input order, while the work goes on (memory stays
    flat: nothing is kept but the totals); afterwards :attr:`summary`, :attr:`unread` and the outcome.

    Planning happens here, before anything is read: a ``--out`` collision is a ``UsageError`` now.
    """

    def __init__(
        self,
        paths: Sequence[str | os.PathLike],
        settings: Settings,
        *,
        out: str | os.PathLike | None,
        dry_run: bool,
        anchor: tuple[float, ...] | None,
        crop_box: tuple[float, ...] | None,
        pictures: bool,
        executor: Executor,
        cache: CheckCache | None,
        console: Console | None,
        heading: Heading | None = None,
    ) -> None:
        self.settings, self.executor, self.cache, self.console = settings, executor, cache, console
        self.heading = heading
        self.skipped: list[Skipped] = []
        self.jobs = plan(paths, settings, out, dry_run, anchor, crop_box, self.skipped)
        if pictures:
            self.jobs = [replace(job, pictures=True) for job in self.jobs]
        self.summary = Summary()
        self.summary.dry_run = dry_run

    def __iter__(self) -> Iterator[FixResult]:
        results = fix_files(self.jobs, self.settings, executor=self.executor, cache=self.cache)
        if self.console is None:
            for result in results:
                self.summary.add(result)
                yield result
            return
        with self.console.progress(len(self.jobs), "fixing") as bar:
            for result in results:
                self.summary.add(result)
                yield result
                bar.advance()

    def entries(self, each: Callable[[FixResult], object] | None = None) -> Entries:
        """The run as a streaming reporter reads it: each result's entry (``each(result)`` called
        first, to print its line), then the folders and links the walk could not read."""
        from sora_guard.vocabulary.contract import Entries, Entry

        def stream() -> Iterator[Entry]:
            for result in self:
                if each is not None:
                    each(result)
                yield result.entry()
            yield from (Entry(r) for r in self.unread)

        return Entries(stream(), self.heading)

    def collect(self) -> FixResults:
        """Run it to the end: every result, and the folders and links not read."""
        return FixResults(self, self.unread)

    @functools.cached_property
    def unread(self) -> list[FileReport]:
        """SG501 reports of the folders and links the walk could not or would not read."""
        return skipped_reports(self.skipped, self.settings)

    @property
    def not_read(self) -> list[Skipped]:
        return not_read(self.skipped)

    @property
    def failed(self) -> bool:
        """True when a file could not be fixed, or a folder could not be read (after iterating)."""
        return bool(self.summary.status[Status.FAILED]) or not all(r.ok for r in self.unread)

    @property
    def changed(self) -> bool:
        """True when a file was fixed (or, in a dry run, would be)."""
        return bool(self.summary.status[Status.FIXED])
