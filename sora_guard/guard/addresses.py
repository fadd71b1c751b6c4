"""Read and replace a value deep inside a call's arguments (keys, indexes, attribute names), copying
every container on the way so the caller's objects are never changed."""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["get", "replace"]


def _step(container: Any, key: Any) -> Any:
    if isinstance(container, (dict, list, tuple)):
        return container[key]
    return getattr(container, key)


def get(root: Any, where: tuple) -> Any:
    for key in where:
        root = _step(root, key)
    return root


def replace(root: Any, where: tuple, value: Any) -> Any:
    """A copy of ``root`` with ``value`` at ``where``; ``root`` itself is never modified."""
    if not where:
        return value
    key, rest = where[0], where[1:]
    new = replace(_step(root, key), rest, value)
    if isinstance(root, dict):
        return {**root, key: new}
    if isinstance(root, (list, tuple)):
        items = list(root)
        items[key] = new
        return (
            items
            if isinstance(root, list)
            else type(root)(items)
            if type(root) is tuple
            else root._make(items)
        )
    if hasattr(root, "model_copy"):
        return root.model_copy(update={key: new})
    if dataclasses.is_dataclass(root) and not isinstance(root, type):
        return dataclasses.replace(root, **{key: new})
    raise TypeError(f"cannot copy a {type(root).__name__} to replace its {key!r}")
