"""This machine's executor: inline for a few items, threads (expensive items) or a process pool (cheap
ones) over all cores for many, results in order."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from sora_guard.config import Settings

__all__ = [
    "LocalExecutor",
    "allow_keeping_freed_memory",
    "default_jobs",
    "keep_freed_memory",
    "parallel_map",
    "windowed",
]

T = TypeVar("T")
R = TypeVar("R")
F = TypeVar("F")

#: work inline this long before starting a pool: cheap files (a compliant JPEG costs ~0.3 ms) may all be done by then
INLINE_SECONDS = 0.2

#: an item costing this much (a 12 MP photo to fix: ~50 ms; a 1080p WebP to check: ~40 ms) is
#: decoding, resampling and encoding in C, which releases the GIL: the rest runs on threads, which
#: start at once and share the loaded modules, instead of forked processes that pickle every result
EXPENSIVE_SECONDS = 0.02

#: a first item still running after this long (lazy imports included: a compliant JPEG's check takes
#: ~15 ms) is expensive work already: the threads start on the rest while it finishes
EXPENSIVE_FIRST_SECONDS = 0.06

#: start a process pool only for at least this much work left (as timed inline): forking the
#: workers and moving items to them costs a few tens of milliseconds, which each worker's share must repay
POOL_WORTH_SECONDS = 0.25

#: how much work (as timed inline) goes to a worker process in one round trip
CHUNK_SECONDS = 0.03


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_memory = {"allowed": False, "kept": False}


def allow_keeping_freed_memory() -> None:
    """Let this process's batches keep freed memory (:func:`keep_freed_memory`): the command line's
    process set-up allows it; a library door never does, since it would change the host's allocator."""
    _memory["allowed"] = True


def keep_freed_memory() -> None:
    """Tell glibc's malloc to keep freed memory for the next file, once per process, when allowed.

    By default each decoded picture's buffers go back to the system when freed and the next file
    faults fresh pages in: a third of a 12 MP fix's system time and ~15% of its CPU. Fixed trim and
    mmap thresholds (256 MB, 32 MB) keep the pages; the process holds its peak, no more. No-op off glibc.
    """
    if _memory["kept"] or not _memory["allowed"]:
        return
    _memory["kept"] = True
    import ctypes  # 2 ms: only for a batch

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD (glibc's maximum)


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
    """``func(item, settings)`` for every item, in order, over all cores when it pays.

    Items are worked on inline first, and timed. Expensive items (``EXPENSIVE_SECONDS`` each after
    the first, or a first item still running after ``EXPENSIVE_FIRST_SECONDS``) send the rest, when
    two or more are left, to ``jobs`` threads at once. Cheap ones
    go to a process pool once the inline phase has lasted ``INLINE_SECONDS``, and only when the work
    left is worth ``POOL_WORTH_SECONDS``, so a run of cheap files, or a small folder, never pays for
    starting one; its workers are forked once and kept for the whole run, and items travel in
    chunks of about ``CHUNK_SECONDS`` of work (at most 32, fewer near the end so the cores stay
    evenly loaded). Results stream back in input order with a bounded number of items in flight,
    so memory stays flat however many files there are. ``func`` must be a module-level function.
    """
    items = list(items)
    jobs = min(jobs or default_jobs(), len(items))
    if jobs < 2 or len(items) < 3:  # too little to share
        for item in items:
            yield func(item, settings)
        return
    early = _EarlyStart(func, items[1:], settings, jobs)
    try:
        first = func(items[0], settings)
    except BaseException:
        started_early = early.settle()
        if started_early is not None:
            started_early.close()
        raise
    started_early = early.settle()
    if started_early is not None:  # the first item ran long: the rest started on threads meanwhile
        with started_early:
            yield first
            yield from started_early.results()
        return
    yield first
    done, started, per_item = 1, time.perf_counter(), 0.0  # timed from here: the first paid for imports
    while done < len(items):
        left = len(items) - done
        if done >= 2:
            now = time.perf_counter()
            per_item = (now - started) / (done - 1)
            if per_item >= EXPENSIVE_SECONDS and left >= 2:
                with _OnThreads(func, items[done:], settings, jobs) as run:
                    yield from run.results()
                return
            if now - started >= INLINE_SECONDS and per_item * left >= POOL_WORTH_SECONDS:
                break
        yield func(items[done], settings)
        done += 1
    items = items[done:]
    if not items:
        return
    keep_freed_memory()  # before the fork: the workers inherit it
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


class _OnThreads:
    """Costly items on ``jobs`` threads, one item per task, the first window submitted at once;
    :meth:`results` in order. Closing (or leaving the ``with`` block) cancels what has not started."""

    def __init__(
        self, func: Callable[[T, Settings], R], items: list[T], settings: Settings, jobs: int
    ) -> None:
        from concurrent.futures import ThreadPoolExecutor  # 5 ms: only for a batch

        from sora_guard.engine.probe import keep_deadlines_in_thread  # Pillow: the items load it anyway

        keep_freed_memory()
        self.pool = ThreadPoolExecutor(max_workers=jobs, initializer=keep_deadlines_in_thread)
        submit = self.pool.submit
        self.pending = windowed(items, 1, jobs * 2, lambda chunk: submit(func, chunk[0], settings))
        self.head = next(self.pending, None)  # submits the first window

    def results(self) -> Iterator[R]:
        if self.head is not None:
            yield self.head[1].result()
        for _, future in self.pending:
            yield future.result()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)

    def __enter__(self) -> _OnThreads:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _EarlyStart:
    """Starts ``rest`` on threads (:class:`_OnThreads`) if the first item is still running after
    ``EXPENSIVE_FIRST_SECONDS``: a timer thread, which a cheap first item only starts and stops."""

    def __init__(self, func: Callable, rest: list, settings: Settings, jobs: int) -> None:
        self.lock = threading.Lock()
        self.settled = False
        self.run: _OnThreads | None = None
        self.timer = threading.Timer(EXPENSIVE_FIRST_SECONDS, self._start, (func, rest, settings, jobs))
        self.timer.daemon = True
        self.timer.start()

    def _start(self, func: Callable, rest: list, settings: Settings, jobs: int) -> None:
        with self.lock:
            if not self.settled:
                self.run = _OnThreads(func, rest, settings, jobs)

    def settle(self) -> _OnThreads | None:
        """Stop the timer; the threads it had already started on the rest, or None."""
        self.timer.cancel()
        with self.lock:
            self.settled = True
        return self.run


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


class LocalExecutor:
    """This machine: inline for a few items, a process pool of ``jobs`` for many (:func:`parallel_map`).
    A plain class, not a dataclass: see "Start-up" in docs/architecture.md."""

    __slots__ = ("jobs",)

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs

    def map(self, func, items, settings):
        return parallel_map(func, items, settings, self.jobs)
