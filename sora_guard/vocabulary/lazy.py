"""Names a module offers but imports on first use (a module ``__getattr__``), to keep start-up short."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_names"]


def lazy_names(module: str, names: Mapping[str, str]) -> Callable[[str], object]:
    """A ``__getattr__`` for ``module`` that imports ``names[name]`` (a module path) the first time
    ``name`` is asked for, and keeps the value on ``module`` so the next lookup is a plain one."""

    def __getattr__(name: str) -> object:
        source = names.get(name)
        if source is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source), name)
        setattr(sys.modules[module], name, value)
        return value

    return __getattr__
