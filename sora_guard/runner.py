"""Run the engine over many files: inline for a few, across all cores for many, streaming results."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from .config import ConfigError, Settings
from .engine import check_path, check_url
from .model import FileReport, Report

__all__ = ["check_file", "check_files", "parallel_map", "default_jobs", "Executor", "LocalExecutor", "ExecutorError", "make_executor"]

T = TypeVar("T")
R = TypeVar("R")

#: below this many files a process pool costs more than it saves
PARALLEL_THRESHOLD = 16


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_file(path: str, settings: Settings) -> FileReport:
    """Check one file with the settings that apply to its path."""
    own = settings.for_path(path)
    if "://" in path:
        return check_url(path, own.target(), own.rules(), own.storage_options)
    return check_path(path, own.target(), own.rules())


_worker_state: dict = {}


def _init_worker(func: Callable, settings: Settings) -> None:
    _worker_state["call"] = (func, settings)


def _call_in_worker(item):
    func, settings = _worker_state["call"]
    return func(item, settings)


def parallel_map(
    func: Callable[[T, Settings], R],
    items: Iterable[T],
    settings: Settings,
    jobs: int | None = None,
) -> Iterator[R]:
    """``func(item, settings)`` for every item, in order, over a process pool when it pays.

    Results stream back in input order with a bounded number of items in flight, so memory stays
    flat however many files there are. ``func`` must be a module-level function.
    """
    items = list(items)
    jobs = min(jobs or default_jobs(), len(items))
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        for item in items:
            yield func(item, settings)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(func, settings)) as pool:
        window = jobs * 8
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(_call_in_worker, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        for future in pending:
            yield future.result()


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


def make_executor(name: str = "local", *, jobs: int | None = None, scheduler: str | None = None) -> Executor:
    """``local``, or ``dask`` (the ``scheduler`` address, or a local cluster of ``jobs`` workers)."""
    if name == "local":
        return LocalExecutor(jobs)
    if name == "dask":
        from .dask_executor import DaskExecutor

        return DaskExecutor(scheduler=scheduler, workers=jobs)
    raise ExecutorError(f"unknown executor {name!r}; known: {', '.join(EXECUTORS)}")


def check_files(paths: Iterable[str], settings: Settings, jobs: int | None = None, executor: Executor | None = None) -> Report:
    """Check every file, in order, and collect one report."""
    return Report(files=list((executor or LocalExecutor(jobs)).map(check_file, paths, settings)))
