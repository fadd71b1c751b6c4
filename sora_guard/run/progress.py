"""The command line's console: lines on stdout, warnings on stderr, and a progress bar that any of
them clears first, so a bar never runs into output."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

__all__ = ["Console", "Progress"]

_ERASE = "\r\x1b[K"
"""Back to the start of the line and erase it: a bar that fit on one line leaves nothing behind."""


def _drawable(stream: TextIO) -> bool:
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real stream
        return False
    return terminal and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80  # a new pseudo-terminal says 0
    except (AttributeError, OSError, ValueError):
        return 80


class Progress:
    """``with Progress(total) as bar: bar.advance()``: one line on a terminal's stderr, cut to the
    terminal's width (a wrapped bar could not be erased), redrawn at most 10 times a second."""

    def __init__(
        self, total: int, label: str = "", stream: TextIO | None = None, enabled: bool | None = None
    ):
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.enabled = (_drawable(self.stream) if enabled is None else enabled) and total > 1
        self.shown = False
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done >= self.total):
            self._last = now
            filled = 30 * self.done // max(1, self.total)
            bar = f"{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
            self.stream.write(_ERASE + bar[: _columns(self.stream) - 1])
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        """Erase the bar, so other output starts on a clean line; the next ``advance`` redraws it."""
        if self.shown:
            self.stream.write(_ERASE)
            self.stream.flush()
            self.shown = False
            self._last = 0.0

    def __exit__(self, *exc) -> None:
        self.clear()


def _own_copy(stream: TextIO) -> TextIO:
    """A stream of its own on ``stream``'s file descriptor (a duplicate): while a worker thread
    decodes, fd 2 points at a private file that swallows what C libraries print
    (``engine.cstderr``), and what the console writes meanwhile must not go there with it."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not backed by a descriptor (a test's StringIO)
        return stream
    return open(os.dup(fd), "w", encoding=stream.encoding, errors="backslashreplace", buffering=1)


class Console:
    """Where the command line prints. Every line clears the progress bar first (stdout and stderr
    are often the same terminal), and the bar is drawn only on a terminal, outside CI. Warnings,
    errors and the bar go to a duplicate of stderr's descriptor (see :func:`_own_copy`); use the
    console as a context manager to close it."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out = out or sys.stdout
        given = err or sys.stderr
        self.err = _own_copy(given)
        self._owned = self.err is not given
        self.bar: Progress | None = None

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._owned:
            self.err.close()

    def progress(self, total: int, label: str) -> Progress:
        """A bar on stderr that this console's lines clear (close it with ``with``)."""
        self.bar = Progress(total, label, self.err)
        return self.bar

    def line(self, text: str) -> None:
        """``text`` (whole lines) on stdout."""
        self._write(self.out, text)

    def warn(self, message: str) -> None:
        """``sora-guard: warning: MESSAGE`` on stderr."""
        self._write(self.err, f"sora-guard: warning: {message}\n")

    def error(self, message: str) -> None:
        """``sora-guard: error: MESSAGE`` on stderr."""
        self._write(self.err, f"sora-guard: error: {message}\n")

    def _write(self, stream: TextIO, text: str) -> None:
        if not text:
            return
        if self.bar is not None:
            self.bar.clear()
        stream.write(text)
        stream.flush()
