"""Read a stream up to a limit: an endless source (``/dev/zero``, a pipe) costs no more than the limit."""

from __future__ import annotations

from typing import IO

__all__ = ["read_stream"]


def read_stream(stream: IO[bytes], limit: int) -> bytes | None:
    """The stream's bytes from where it stands, or None when it holds more than ``limit``.

    Reads at most ``limit + 1`` bytes, so an endless source (``/dev/zero``, a pipe) costs no more
    memory than the limit. Raises ``OSError`` or ``ValueError`` as the stream does.
    """
    chunks, total = [], 0
    while total <= limit:
        chunk = stream.read(limit + 1 - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if chunks and not isinstance(chunks[0], bytes):
        raise ValueError("stream is not binary (open it with 'rb')")
    return None if total > limit else b"".join(chunks)
