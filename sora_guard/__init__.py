"""sora-guard: check and fix reference images before they reach video-generation APIs.

``import sora_guard`` is cheap: the engine, Pillow, pluggy and openai load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sora_guard.vocabulary.lazy import lazy_names

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "check": "sora_guard.api",
    "check_paths": "sora_guard.api",
    "fit_image": "sora_guard.api",
    "fix_paths": "sora_guard.api",
    "open_image": "sora_guard.api",
    "hookimpl": "sora_guard.plugins",
    "hookspec": "sora_guard.plugins",
    "guard": "sora_guard.guard",
    "GuardedClient": "sora_guard.guard",
    "PreflightError": "sora_guard.vocabulary.exceptions",
    "PreflightWarning": "sora_guard.vocabulary.exceptions",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from sora_guard.api import check as check
    from sora_guard.api import check_paths as check_paths
    from sora_guard.api import fit_image as fit_image
    from sora_guard.api import fix_paths as fix_paths
    from sora_guard.api import open_image as open_image
    from sora_guard.guard import GuardedClient as GuardedClient
    from sora_guard.guard import guard as guard
    from sora_guard.plugins import hookimpl as hookimpl
    from sora_guard.plugins import hookspec as hookspec
    from sora_guard.vocabulary.exceptions import PreflightError as PreflightError
    from sora_guard.vocabulary.exceptions import PreflightWarning as PreflightWarning


__getattr__ = lazy_names(__name__, _LAZY)
