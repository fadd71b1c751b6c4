"""This machine's executor: inline for a few items, a process pool over all cores for many, results in order."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sora_guard.config import Settings

__all__ = ["LocalExecutor", "default_jobs", "parallel_map", "windowed"]

T = TypeVar("T")
R = TypeVar("R")
F = TypeVar("F")

#: work inline this long before starting a pool: cheap files (a compliant JPEG costs ~0.3 ms) may all be done by then
INLINE_SECONDS = 0.2

#: an item costing this much (a 12 MP photo to fix: ~70 ms) sends the rest to the pool after two items, not 0.2 s
EXPENSIVE_SECONDS = 0.02

#: start a pool only for at least this much work left (as timed inline): forking the workers and
#: moving items to them costs a few tens of milliseconds, which each worker's share must repay
POOL_WORTH_SECONDS = 0.25

#: how much work (as timed inline) goes to a worker in one round trip
CHUNK_SECONDS = 0.03


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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

    Items are worked on inline first, and timed: the rest goes to a pool once the inline phase has
    lasted ``INLINE_SECONDS`` (or two items have shown each costs ``EXPENSIVE_SECONDS`` or more), and
    only when the work left is worth ``POOL_WORTH_SECONDS``; so a run of cheap files, or a small
    folder, never pays for starting one. Workers are forked once and kept for the whole run.
    Results stream back in input order with a bounded number of items in flight, so memory stays
    flat however many files there are. Items travel in chunks of about ``CHUNK_SECONDS`` of work
    (as timed inline; at most 32, and fewer when few items are left, so the cores stay evenly
    loaded to the end): one round trip per chunk of cheap files, one file at a time when each is
    expensive.
    ``func`` must be a module-level function.
    """
    items = list(items)
    jobs = min(jobs or default_jobs(), len(items))
    started = first_done = time.perf_counter()
    done = 0
    per_item = 0.0
    while done < len(items):
        if jobs > 1 and done >= 2:
            now = time.perf_counter()
            per_item = (now - first_done) / (done - 1)  # the first item also pays for lazy imports
            ready = now - started >= INLINE_SECONDS or per_item >= EXPENSIVE_SECONDS
            if ready and per_item * (len(items) - done) >= POOL_WORTH_SECONDS:
                break
        yield func(items[done], settings)
        done += 1
        if done == 1:
            first_done = time.perf_counter()
    items = items[done:]
    if not items:
        return
    from concurrent.futures import ProcessPoolExecutor

    try:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(func, settings))
    except (
        OSError
    ):  # no semaphores (a file-size limit, no /dev/shm): the rest runs here, as a small folder would
        for item in items:
            yield func(item, settings)
        return
    with pool:
        size = max(1, min(32, len(items) // (jobs * 8), int(CHUNK_SECONDS / max(per_item, 1e-6))))
        for _, future in windowed(items, size, jobs * 4, lambda chunk: pool.submit(_call_in_worker, chunk)):
            yield from future.result()


def windowed(
    items: list[T], size: int, window: int, submit: Callable[[list[T]], F]
) -> Iterator[tuple[list[T], F]]:
    """Submit ``items`` in chunks of ``size``, at most ``window`` in flight; yield ``(chunk, future)``
    in input order, each when it is time to wait for it (so memory stays flat however many items)."""
    pending: deque = deque()
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        pending.append((chunk, submit(chunk)))
        if len(pending) >= window:
            yield pending.popleft()
    yield from pending


@dataclass(frozen=True)
class LocalExecutor:
    """This machine: inline for a few items, a process pool of ``jobs`` for many (:func:`parallel_map`)."""

    jobs: int | None = None

    def map(self, func, items, settings):
        return parallel_map(func, items, settings, self.jobs)
