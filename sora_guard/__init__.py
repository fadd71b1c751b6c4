"""sora-guard: check and fix reference images before they reach video-generation APIs.

``import sora_guard`` is cheap: the engine, Pillow, pluggy and openai load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "check": "sora_guard.api",
    "check_paths": "sora_guard.api",
    "fit_image": "sora_guard.fitting",
    "fix_paths": "sora_guard.fixer",
    "hookimpl": "sora_guard.hookspecs",
    "hookspec": "sora_guard.hookspecs",
    "guard": "sora_guard.openai_guard",
    "GuardedClient": "sora_guard.openai_guard",
    "PreflightError": "sora_guard.errors",
    "PreflightWarning": "sora_guard.errors",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from .api import check, check_paths
    from .fitting import fit_image
    from .fixer import fix_paths
    from .hookspecs import hookimpl, hookspec
    from .errors import PreflightError, PreflightWarning
    from .openai_guard import GuardedClient, guard


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sora_guard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
