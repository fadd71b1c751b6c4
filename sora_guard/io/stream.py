"""Read a stream up to a limit: an endless source (``/dev/zero``, a pipe) costs no more than the limit."""

from __future__ import annotations

from typing import IO

__all__ = ["read_stream"]

FIRST_READ = 1 << 16
"""Bytes asked for first when the size is unknown; each next read asks for twice as many."""

MAX_READ = 1 << 24
"""The most one ``read()`` asks for: Python allocates what is asked before it learns how much there is."""


def read_stream(stream: IO[bytes], limit: int, size: int | None = None) -> bytes | None:
    """The stream's bytes from where it stands, or None when it holds more than ``limit``.

    Reads at most ``limit + 1`` bytes, never asking for much more than ``size`` (the expected
    length, when known) or ``MAX_READ`` at once: a 1 GiB limit must not cost a 1 GiB buffer per
    file. Raises ``OSError`` or ``ValueError`` as the stream does.
    """
    chunks, total = [], 0
    want = size + 1 if size is not None else FIRST_READ  # one byte over the size: the end shows at once
    while total <= limit:
        chunk = stream.read(min(want, limit + 1 - total, MAX_READ))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = FIRST_READ if size is not None else want * 2  # past the expected size: it grew, or lied
    if chunks and not isinstance(chunks[0], bytes):
        raise ValueError("stream is not binary (open it with 'rb')")
    return None if total > limit else b"".join(chunks)
