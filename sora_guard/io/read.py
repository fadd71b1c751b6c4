"""The one bounded read of a file, device, pipe or URL: never more than ``limit + 1`` bytes."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from typing import Any

from sora_guard.io.stream import read_stream
from sora_guard.vocabulary.formats import is_url

__all__ = ["read_bounded", "read_stream"]


def read_bounded(
    path: str | os.PathLike, limit: int, storage_options: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[int, bytes | None]:
    """``(size, data)`` of a file or URL; ``data`` is None when it holds more than ``limit`` bytes.

    A regular file over the limit is not read at all; anything else (a device, a FIFO, an object
    whose size storage does not know) is read up to ``limit + 1`` bytes. Raises ``OSError``.
    """
    if is_url(path):
        from sora_guard.io.storage import read_object  # fsspec loads only for URLs

        return read_object(os.fspath(path), storage_options, limit)
    with open(path, "rb") as fp:
        st = os.fstat(fp.fileno())
        if stat.S_ISREG(st.st_mode) and st.st_size > limit:
            return st.st_size, None
        data = read_stream(fp, limit, st.st_size if stat.S_ISREG(st.st_mode) and st.st_size else None)
    return (len(data), data) if data is not None else (max(st.st_size, limit + 1), None)
