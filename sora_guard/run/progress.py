"""A one-line progress bar on a terminal; silent when stderr is not a TTY or in CI."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``with Progress(total) as bar: bar.advance()``; redraws at most 10 times a second."""

    def __init__(
        self, total: int, label: str = "", stream: TextIO | None = None, enabled: bool | None = None
    ):
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"
        self.enabled = enabled and total > 1
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done >= self.total):
            self._last = now
            width = 30
            filled = width * self.done // max(1, self.total)
            self.stream.write(
                f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
            )
            self.stream.flush()

    def clear(self) -> None:
        """Blank the bar's line, so other output can be written there; the next ``advance`` redraws it."""
        if self.enabled:
            self.stream.write("\r" + " " * (len(self.label) + 50) + "\r")
            self.stream.flush()
            self._last = 0.0

    def __exit__(self, *exc) -> None:
        self.clear()
