"""Where a run's reports go: its own format on standard output (or into ``-o PATH``) and each
``-o FORMAT:PATH``, every one rendered from the one run, each file replaced atomically once complete."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import IO, TYPE_CHECKING

from sora_guard.vocabulary.exceptions import UsageError

if TYPE_CHECKING:
    from sora_guard.run.context import RunContext
    from sora_guard.run.fix import FixResult
    from sora_guard.run.fixrun import FixRun
    from sora_guard.run.progress import Console
    from sora_guard.vocabulary.contract import Entries, Entry, Reporter
    from sora_guard.vocabulary.model import Report

__all__ = ["Destination", "destinations", "split_output", "write_check", "write_fix", "write_to"]

FIX_FORMATS = (
    "fix writes a report file with --output-format html or json (or a plugin's fix format), "
    "or with -o FORMAT:PATH"
)


class Destination:
    """One report to write: its ``reporter`` and the ``path`` of its file (None: standard output);
    ``own`` marks the run's own format (``--output-format``), the one ``--statistics`` shapes."""

    __slots__ = ("reporter", "path", "own")

    def __init__(self, reporter: Reporter, path: str | None, own: bool = False) -> None:
        self.reporter, self.path, self.own = reporter, path, own


def split_output(value: str, formats: Collection[str]) -> tuple[str | None, str]:
    """``-o FORMAT:PATH`` as ``(FORMAT, PATH)`` when FORMAT is a registered output format; any other
    value is ``(None, value)``: a path for the run's own format (``C:\\report.html``, ``a:b.txt``)."""
    name, colon, path = value.partition(":")
    if not colon or name not in formats:
        return None, value
    if not path:
        raise UsageError(f"-o {value}: name the file after the colon, as in -o {name}:report.{name}")
    return name, path


def destinations(
    run: RunContext, values: Sequence[str], output_format: str | None, *, fixes: bool = False
) -> list[Destination]:
    """The reports ``-o`` ``values`` and ``--output-format`` ask for: the run's own format into each
    ``-o PATH``, or on standard output when there is none, then each ``-o FORMAT:PATH``.

    For ``fix`` (``fixes``), the own format ``text`` is the lines the run prints, not a report."""
    split = [split_output(value, run.settings.registry.reporters) for value in values]
    own_paths: list[str | None] = [path for name, path in split if name is None]
    if fixes and output_format in (None, "text"):
        if own_paths:
            raise UsageError(FIX_FORMATS)
        chosen = []
    else:
        own = run.reporter(output_format, fixes=fixes)
        chosen = [Destination(own, path, own=True) for path in own_paths or [None]]
    chosen += [Destination(run.reporter(name, fixes=fixes), path) for name, path in split if name is not None]
    seen: set[str] = set()
    for d in chosen:
        where = None if d.path is None else os.path.abspath(d.path)
        if where in seen:
            raise UsageError(f"two reports would be written to {d.path}")
        if where is not None:
            seen.add(where)
    return chosen


def write_to(path: str | None, write: Callable[[IO[str]], object], console: Console) -> None:
    """``write(stream)`` to standard output, or to a file that replaces ``path`` atomically once complete
    (its folders made first, as ruff's ``--output-file`` makes them)."""
    if path is None:
        write(console.out)
        console.out.flush()
        return
    import io

    from sora_guard.io.atomic import atomic_writer  # only a run that writes a file

    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with atomic_writer(path) as fp:
            text = io.TextIOWrapper(fp, encoding="utf-8", newline="")
            write(text)
            text.flush()
            text.detach()
    except OSError as exc:  # name the report, not the temporary file
        raise OSError(exc.errno, exc.strerror or str(exc), os.fspath(path)) from None


def _render(d: Destination, run: RunContext, report: Report, statistics: bool) -> Callable[[IO[str]], object]:
    reporter, rules = d.reporter, run.settings.registry.rules
    if statistics and d.own:
        from sora_guard.builtin.reporters import render_statistics

        text = render_statistics(report, reporter.name)
    elif reporter.write is not None and reporter.pictures:  # thumbnails made while rows are written
        entries = run.pictured_entries(report)
        return lambda out: reporter.write(entries, rules, out)
    else:
        text = reporter.render(report, rules)
    return lambda out: out.write(text)


def write_check(
    run: RunContext, report: Report, chosen: Sequence[Destination], console: Console, statistics: bool = False
) -> None:
    """Write ``report`` to each destination, with ``--statistics`` shaping the run's own format."""
    for d in chosen:
        write_to(d.path, _render(d, run, report, statistics), console)


def write_fix(
    fixing: FixRun,
    chosen: Sequence[Destination],
    console: Console,
    each: Callable[[FixResult], object] | None = None,
) -> None:
    """Run ``fixing`` to its end, calling ``each`` on every result, while the first destination's
    reporter writes the stream; the others read it back from a temporary file (a fix runs once)."""
    entries = fixing.entries(each)
    if not chosen:
        for _ in entries:
            pass
        return
    import tempfile

    from sora_guard.vocabulary.contract import Entries

    rules = fixing.settings.registry.rules
    first, *rest = chosen
    with tempfile.TemporaryFile() as spool:
        kept = Entries(_kept(entries, spool if rest else None), entries.heading)
        write_to(first.path, _writer(first.reporter, kept, rules), console)
        for _ in kept:  # the fix goes on to its end, whatever the first reporter read
            pass
        for d in rest:
            spool.seek(0)
            replayed = Entries(_replayed(spool), entries.heading)
            write_to(d.path, _writer(d.reporter, replayed, rules), console)


def _writer(reporter: Reporter, entries: Entries, rules) -> Callable[[IO[str]], object]:
    return lambda out: reporter.write(entries, rules, out)


def _kept(entries: Entries, spool: IO[bytes] | None) -> Iterator[Entry]:
    """``entries`` as they come, each also pickled into ``spool`` (when given) for the other reporters."""
    import pickle  # only a fix writing several reports

    for entry in entries:
        if spool is not None:
            pickle.dump(entry, spool, protocol=pickle.HIGHEST_PROTOCOL)
        yield entry


def _replayed(spool: IO[bytes]) -> Iterator[Entry]:
    import pickle

    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return
