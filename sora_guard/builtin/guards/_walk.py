"""Find image-carrying parts inside nested request bodies (lists and dicts of content parts)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sora_guard.engine.claims import is_image

__all__ = ["parts", "data_urls", "is_data_url", "is_file_like", "is_image"]

MAX_DEPTH = 12


def parts(
    value: Any, where: tuple, wanted: Callable[[dict], bool], depth: int = 0
) -> Iterator[tuple[tuple, dict]]:
    """Every dict under ``value`` (through dicts and lists) for which ``wanted`` is true, with its address."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        if wanted(value):
            yield where, value
            return
        for key, item in value.items():
            yield from parts(item, (*where, key), wanted, depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from parts(item, (*where, i), wanted, depth + 1)


def is_data_url(value: Any) -> bool:
    return isinstance(value, str) and value[:5].lower() == "data:" and value[5:11].lower() == "image/"


def is_file_like(value: Any) -> bool:
    """Bytes, a path or a binary file object: something an SDK would upload or encode."""
    import io
    import os

    return isinstance(value, (bytes, bytearray, os.PathLike)) or (
        isinstance(value, io.IOBase) and not isinstance(value, io.TextIOBase)
    )


def data_urls(value: Any, where: tuple, depth: int = 0) -> Iterator[tuple[tuple, Any]]:
    """Every image data URL, or file-like value that is an image (:func:`is_image`, the scan's own
    test: not an audio file beside it), anywhere under ``value`` (an ``extra_body``, say)."""
    if depth > MAX_DEPTH:
        return
    if (is_data_url(value) or is_file_like(value)) and is_image(value):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from data_urls(item, (*where, key), depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from data_urls(item, (*where, i), depth + 1)
