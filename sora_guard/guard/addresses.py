"""Read and replace a value deep inside a call's arguments without touching the caller's objects.

An address is a tuple of steps: a dict key, a list index, or an attribute name (``("config",
"last_frame")``). Replacing copies every container along the way (dicts, lists, tuples, pydantic
models through ``model_copy``, dataclasses through ``replace``), so what the caller passed is unchanged.
"""

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
