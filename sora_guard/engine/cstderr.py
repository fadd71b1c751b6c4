"""What C libraries (libtiff, libjpeg inside libtiff, libwebp) print to stderr while decoding is kept
out of the output: file descriptor 2 goes to a private file around each decode, and the caller gets
the text, to put into a diagnostic when the decode failed."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator

__all__ = ["Captured", "captured_stderr"]


class Captured:
    """The text written to stderr inside one :func:`captured_stderr` block (set when the block ends).
    A plain record, not a dataclass: see "Start-up" in docs/architecture.md."""

    __slots__ = ("text",)

    def __init__(self, text: str = "") -> None:
        self.text = text


class _Redirect:
    """fd 2 pointed at one private file per process while any thread is inside a capture block.

    Blocks nest and overlap across threads: the first to enter redirects, the last to leave
    restores, and each reads what was appended during its own block (output written by another
    thread in that window can land in it too). A forked child gets the real stderr back.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.saved: int | None = None
        self.sink: int | None = None
        self.used = False

    def enter(self) -> int | None:
        with self.lock:
            if self.depth == 0:
                try:
                    if self.sink is None:
                        with tempfile.TemporaryFile() as file:  # unlinked: ours alone
                            self.sink = os.dup(file.fileno())
                    if self.used:  # emptied only after a write: truncating costs more than all the rest
                        os.ftruncate(self.sink, 0)
                        os.lseek(self.sink, 0, os.SEEK_SET)  # fd 2 shares this offset: write from the start
                        self.used = False
                    flush = getattr(sys.stderr, "flush", None)
                    if flush is not None:
                        flush()  # Python's buffered output goes where it was meant to go
                    self.saved = os.dup(2)
                    os.dup2(self.sink, 2)
                except (OSError, ValueError):  # no stderr to redirect (closed fd 2): nothing to keep out
                    return None
                self.depth = 1
                return 0
            self.depth += 1
            return os.fstat(self.sink).st_size  # never seek: fd 2 shares the sink's offset with writers

    def leave(self, start: int) -> str:
        with self.lock:
            try:
                end = os.fstat(self.sink).st_size
                data = b""
                if end > start:  # pread leaves the shared offset alone: another thread may be writing
                    self.used = True
                    data = os.pread(self.sink, end - start, start)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    os.dup2(self.saved, 2)
                    os.close(self.saved)
                    self.saved = None
        return data.decode("utf-8", "replace")

    def after_fork(self) -> None:
        """In a child forked inside a block: the real stderr back, and a fresh lock and sink."""
        if self.saved is not None:
            os.dup2(self.saved, 2)
            os.close(self.saved)
        if self.sink is not None:
            os.close(self.sink)
        self.__init__()


_REDIRECT = _Redirect()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_REDIRECT.after_fork)


@contextlib.contextmanager
def captured_stderr() -> Iterator[Captured]:
    """Inside the block, whatever is written to file descriptor 2 is kept; ``.text`` holds it after.

    Costs a few system calls (no threads, no pipes). Put it outside any decode deadline, so a
    timer's exception cannot interrupt the restore.
    """
    captured = Captured()
    start = _REDIRECT.enter()
    try:
        yield captured
    finally:
        if start is not None:
            captured.text = _REDIRECT.leave(start)
