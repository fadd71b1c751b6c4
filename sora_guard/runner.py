"""Run the engine over many files: inline for a few, across all cores for many, streaming results."""

from __future__ import annotations

import math
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, TypeVar

from .config import ConfigError, Settings
from .engine import check_path
from .model import FileReport, Report, Rule, Target

if TYPE_CHECKING:
    from .cache import CheckCache

__all__ = ["check_file", "check_files", "parallel_map", "default_jobs", "Executor", "LocalExecutor", "ExecutorError", "make_executor"]

T = TypeVar("T")
R = TypeVar("R")

#: below this many files a process pool costs more than it saves
PARALLEL_THRESHOLD = 16

#: work inline this long before starting a pool: cheap files (a compliant JPEG costs ~0.3 ms) may all be done by then
INLINE_SECONDS = 0.2

#: how much work (as timed inline) goes to a worker in one round trip
CHUNK_SECONDS = 0.03


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_file(path: str, settings: Settings) -> FileReport:
    """Check one file with the settings that apply to its path."""
    own = settings.for_path(path)
    target, rules = resolved(own)
    return check_path(path, target, rules, own.storage_options)


_resolved: dict[int, tuple[Settings, Target, list[Rule]]] = {}


def resolved(own: Settings) -> tuple[Target, list[Rule]]:
    """``own.target()`` and ``own.rules()``, computed once per settings object rather than once per file."""
    hit = _resolved.get(id(own))
    if hit is not None and hit[0] is own:
        return hit[1], hit[2]
    target, rules = own.target(), own.rules()
    if len(_resolved) < 64:  # the entry keeps ``own`` alive, so its id cannot be reused by another object
        _resolved[id(own)] = (own, target, rules)
    return target, rules


_worker_state: dict = {}


def _init_worker(func: Callable, settings: Settings) -> None:
    _worker_state["call"] = (func, settings)


def _call_in_worker(chunk: list) -> list:
    func, settings = _worker_state["call"]
    return [func(item, settings) for item in chunk]


def parallel_map(
    func: Callable[[T, Settings], R],
    items: Iterable[T],
    settings: Settings,
    jobs: int | None = None,
) -> Iterator[R]:
    """``func(item, settings)`` for every item, in order, over a process pool when it pays.

    Items are worked on inline for the first ``INLINE_SECONDS``; whatever is left then goes to the
    pool, so a run of cheap files never pays for starting one. Results stream back in input order
    with a bounded number of items in flight, so memory stays flat however many files there are.
    Items travel in chunks of about ``CHUNK_SECONDS`` of work (as timed inline; at most 32, and
    fewer when few items are left, so the cores stay evenly loaded to the end): one round trip per
    chunk of cheap files, one file at a time when each is expensive.
    ``func`` must be a module-level function.
    """
    items = list(items)
    jobs = min(jobs or default_jobs(), len(items))
    started = time.perf_counter()
    inline_until = math.inf if jobs <= 1 or len(items) < PARALLEL_THRESHOLD else started + INLINE_SECONDS
    done = 0
    first_done = started
    while done < len(items) and time.perf_counter() < inline_until:
        yield func(items[done], settings)
        done += 1
        if done == 1:
            first_done = time.perf_counter()  # the first item also pays for lazy imports: time the rest
    now = time.perf_counter()
    per_item = (now - first_done) / (done - 1) if done > 1 else now - started
    items = items[done:]
    if not items:
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(func, settings)) as pool:
        size = max(1, min(32, len(items) // (jobs * 8), int(CHUNK_SECONDS / max(per_item, 1e-6))))
        window = jobs * 4
        pending: deque = deque()
        for start in range(0, len(items), size):
            pending.append(pool.submit(_call_in_worker, items[start : start + size]))
            if len(pending) >= window:
                yield from pending.popleft().result()
        for future in pending:
            yield from future.result()


class Executor(Protocol):
    """Where the per-file engine runs: ``map(func, items, settings)`` yields ``func(item, settings)`` in order."""

    def map(self, func: Callable[[T, Settings], R], items: Iterable[T], settings: Settings) -> Iterator[R]: ...


class ExecutorError(ConfigError):
    """The executor itself failed (cluster unreachable, a task failing on every retry): exit code 2."""


@dataclass(frozen=True)
class LocalExecutor:
    """This machine: inline for a few items, a process pool of ``jobs`` for many (:func:`parallel_map`)."""

    jobs: int | None = None

    def map(self, func, items, settings):
        return parallel_map(func, items, settings, self.jobs)


EXECUTORS = ("local", "dask")


def make_executor(name: str | None = None, *, jobs: int | None = None, scheduler: str | None = None, progress: bool = False) -> Executor:
    """``local``, or ``dask`` (the ``scheduler`` address, or a local cluster of ``jobs`` workers;
    ``progress``: a bar on a terminal, for runs that draw none of their own). Without a name:
    ``dask`` when a scheduler is given, else ``local``."""
    name = name or ("dask" if scheduler else "local")
    if name == "local" and scheduler:
        raise ExecutorError("--scheduler needs --executor dask")
    if name == "local":
        return LocalExecutor(jobs)
    if name == "dask":
        from .dask_executor import DaskExecutor

        return DaskExecutor(scheduler=scheduler, workers=jobs, progress=progress)
    raise ExecutorError(f"unknown executor {name!r}; known: {', '.join(EXECUTORS)}")


def check_files(
    paths: Iterable[str],
    settings: Settings,
    jobs: int | None = None,
    executor: Executor | None = None,
    cache: CheckCache | None = None,
) -> Report:
    """Check every file, in order, and collect one report.

    With a ``cache``, files whose identity is unchanged are answered from it; only the others
    go to the executor, and their results are stored for the next run.
    """
    run = executor or LocalExecutor(jobs)
    if cache is None:
        return Report(files=list(run.map(check_file, paths, settings)))
    files: list[FileReport | None] = []
    misses: list[tuple[int, str, tuple | None]] = []
    for path in paths:
        key = cache.key(path)
        hit = cache.get(path, key, resolved(settings.for_path(path))[0]) if key else None
        if hit is None:
            misses.append((len(files), path, key))
        files.append(hit)
    for (index, path, key), report in zip(misses, run.map(check_file, [m[1] for m in misses], settings)):
        files[index] = report
        if key:
            cache.put(path, key, report)
    cache.save()
    return Report(files=files)


def check_stdin(name: str, settings: Settings, stream: BinaryIO | None = None) -> Report:
    """Check the image on standard input as the file ``name``: its path picks the per-path settings,
    its extension the upload type. A name ``exclude`` matches is skipped under ``force-exclude``."""
    if settings.force_exclude and settings.is_excluded(name):
        return Report(files=[])
    from .api import check

    data = (stream or sys.stdin.buffer).read()
    return Report(files=[check(data, name=name, settings=settings)])
