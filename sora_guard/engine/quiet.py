"""Python warnings kept out of the output while decoding, safely when threads overlap
(``warnings.catch_warnings`` is not: overlapping blocks can leave its filter installed for good)."""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator

__all__ = ["quiet_warnings"]

_lock = threading.Lock()
_depth = 0
_block: warnings.catch_warnings | None = None


@contextlib.contextmanager
def quiet_warnings() -> Iterator[None]:
    """Ignore warnings inside the block: the first block to enter (in any thread) installs the
    filter, the last to leave restores the filters as they were."""
    global _depth, _block
    with _lock:
        if _depth == 0:
            _block = warnings.catch_warnings()
            _block.__enter__()
            warnings.simplefilter("ignore")
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                block, _block = _block, None
                block.__exit__(None, None, None)
