"""quiet_warnings: blocks overlapping across threads silence warnings and leave the filters as they were."""

from __future__ import annotations

import threading
import time
import warnings

import pytest

from sora_guard.engine.quiet import quiet_warnings


def test_a_block_silences_warnings():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with quiet_warnings():
            warnings.warn("inside", UserWarning, stacklevel=1)
        warnings.warn("outside", UserWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["outside"]


@pytest.mark.parametrize("rounds", [200])
def test_overlapping_blocks_across_threads_restore_the_filters(rounds):
    before = list(warnings.filters)
    start = threading.Barrier(4)

    def work(k: int) -> None:
        start.wait()
        for i in range(rounds):
            with quiet_warnings():
                if (i + k) % 7 == 0:
                    time.sleep(0.0005)  # let another thread leave first

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert warnings.filters == before


def test_warnings_catch_warnings_would_leave_its_filter_behind():
    """Why this module exists: the standard block, overlapped across threads, can restore the wrong list."""
    with warnings.catch_warnings():  # puts everything back at the end
        before = list(warnings.filters)
        a, b = warnings.catch_warnings(), warnings.catch_warnings()
        a.__enter__()
        warnings.simplefilter("ignore")
        b.__enter__()  # another thread enters while the first is inside
        warnings.simplefilter("ignore")
        a.__exit__(None, None, None)  # the first leaves first...
        b.__exit__(None, None, None)  # ...and the second restores what it saw: the first one's filter
        assert warnings.filters != before
