"""parallel_map: cheap or little work stays in this process, more moves to a pool, order always kept."""

from __future__ import annotations

import os
import time

from sora_guard.config import Settings
from sora_guard.run.pool import EXPENSIVE_SECONDS, INLINE_SECONDS, POOL_WORTH_SECONDS, parallel_map


def where(item: int, settings: Settings) -> tuple[int, int]:
    """Which process handled ``item`` (after a little work)."""
    time.sleep(0.01)
    return item, os.getpid()


def instant(item: int, settings: Settings) -> tuple[int, int]:
    return item, os.getpid()


def test_cheap_items_never_start_a_pool():
    results = list(parallel_map(instant, range(500), Settings(), jobs=2))
    assert [i for i, _ in results] == list(range(500))
    assert {pid for _, pid in results} == {os.getpid()}


def test_longer_work_moves_to_workers_in_order():
    n = int(INLINE_SECONDS / 0.01) * 4  # about four times what fits in the inline phase
    results = list(parallel_map(where, range(n), Settings(), jobs=2))
    assert [i for i, _ in results] == list(range(n))
    pids = [pid for _, pid in results]
    assert pids[0] == os.getpid()  # started inline
    assert pids[-1] != os.getpid()  # finished in the pool
    first_worker = next(i for i, pid in enumerate(pids) if pid != os.getpid())
    assert all(pid != os.getpid() for pid in pids[first_worker:])  # no going back


def test_one_job_runs_everything_inline():
    results = list(parallel_map(where, range(40), Settings(), jobs=1))
    assert {pid for _, pid in results} == {os.getpid()}


def costly(item: int, settings: Settings) -> tuple[int, int]:
    """An item as expensive as fixing a photo."""
    time.sleep(EXPENSIVE_SECONDS * 1.5)
    return item, os.getpid()


def test_expensive_items_move_to_the_pool_after_two():
    results = list(parallel_map(costly, range(30), Settings(), jobs=2))
    assert [i for i, _ in results] == list(range(30))
    pids = [pid for _, pid in results]
    assert pids[:2] == [os.getpid()] * 2 and os.getpid() not in pids[2:]


def test_a_small_folder_of_expensive_items_never_starts_a_pool():
    n = int(POOL_WORTH_SECONDS / (EXPENSIVE_SECONDS * 1.5)) // 2  # well under what a pool repays
    results = list(parallel_map(costly, range(n), Settings(), jobs=2))
    assert {pid for _, pid in results} == {os.getpid()}
