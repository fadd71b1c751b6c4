"""parallel_map: little work stays inline, more cheap work moves to processes, expensive work to threads;
order always kept."""

from __future__ import annotations

import os
import threading
import time

import pytest

from sora_guard.config import Settings
from sora_guard.engine.probe import decode_deadline
from sora_guard.run.pool import EXPENSIVE_FIRST_SECONDS, EXPENSIVE_SECONDS, INLINE_SECONDS, parallel_map
from sora_guard.vocabulary.exceptions import DecodeTimeout


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


def costly(item: int, settings: Settings) -> tuple[int, int, int]:
    """An item as expensive as fixing a photo: which process and thread handled it."""
    time.sleep(EXPENSIVE_SECONDS * 1.5)
    return item, os.getpid(), threading.get_ident()


def test_expensive_items_move_to_threads_after_two():
    results = list(parallel_map(costly, range(30), Settings(), jobs=2))
    assert [i for i, _, _ in results] == list(range(30))
    assert {pid for _, pid, _ in results} == {os.getpid()}  # no process started
    threads = [ident for _, _, ident in results]
    main = threading.get_ident()
    assert threads[:2] == [main, main] and main not in threads[2:]  # two timed inline, then threads
    assert len(set(threads[2:])) == 2  # both threads worked


def very_costly(item: int, settings: Settings) -> tuple[int, int]:
    time.sleep(EXPENSIVE_FIRST_SECONDS * 1.5)
    return item, threading.get_ident()


def test_the_threads_start_while_a_very_costly_first_item_runs():
    """A photo to fix: while the first is still running here, the threads start on the rest."""
    threads = [ident for _, ident in parallel_map(very_costly, range(5), Settings(), jobs=2)]
    main = threading.get_ident()
    assert threads[0] == main and main not in threads[1:] and len(set(threads[1:])) == 2


def failing_first(item: int, settings: Settings) -> int:
    if item == 0:
        time.sleep(EXPENSIVE_FIRST_SECONDS * 1.5)  # long enough for the rest to start
        raise ValueError("the first item failed")
    return item


def test_a_failing_first_item_stops_the_threads_it_started():
    before = threading.active_count()
    with pytest.raises(ValueError, match="first item failed"):
        list(parallel_map(failing_first, range(50), Settings(), jobs=2))
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before  # the pool shut down, its queue cancelled


def test_two_items_stay_inline():
    results = list(parallel_map(costly, range(2), Settings(), jobs=2))
    assert {ident for _, _, ident in results} == {threading.get_ident()}


def slow_decode(item: int, settings: Settings) -> str:
    """An item whose 'decode' outlasts a 0.05 s deadline (Python-level steps, as a decoder's chunks)."""
    try:
        with decode_deadline(0.05):
            for _ in range(200):
                time.sleep(0.01)
    except DecodeTimeout:
        return "timed out"
    return "finished"


def test_the_decode_deadline_holds_on_the_threads():
    results = list(parallel_map(slow_decode, range(6), Settings(), jobs=2))
    assert results == ["timed out"] * 6  # inline by the signal, on the threads by a timer


def test_work_on_other_threads_keeps_no_deadline():
    """A host program's own threads are not interrupted: only the pool's threads opt in."""
    out: list[str] = []

    def host() -> None:
        try:
            with decode_deadline(0.02):
                time.sleep(0.1)
                time.sleep(0.01)
            out.append("finished")
        except DecodeTimeout:
            out.append("timed out")

    thread = threading.Thread(target=host)
    thread.start()
    thread.join()
    assert out == ["finished"]
