"""The hooks sora-guard calls. Built-in rules, profiles, strategies and reporters use them too.

A plugin is any module or object with functions named like these hooks and marked with
``sora_guard.hookimpl``; it is found through the ``sora_guard`` entry-point group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .model import Profile, Rule
    from .reporters import Reporter
    from .strategies import Strategy

PROJECT = "sora_guard"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def sora_guard_rules() -> list[Rule]:
    """Return the :class:`~sora_guard.model.Rule` objects this plugin provides.

    Codes must be unique across all plugins; a third-party plugin should use its own prefix
    (``SG`` is reserved for the built-ins).
    """


@hookspec
def sora_guard_profiles() -> list[Profile]:
    """Return the :class:`~sora_guard.model.Profile` objects this plugin provides.

    A profile whose name matches one already registered replaces it; plugins registered later win.
    """


@hookspec
def sora_guard_strategies() -> list[Strategy]:
    """Return the fit :class:`~sora_guard.strategies.Strategy` objects this plugin provides.

    A strategy turns any RGB/RGBA image into one of exactly the requested size.
    """


@hookspec
def sora_guard_reporters() -> list[Reporter]:
    """Return the output :class:`~sora_guard.reporters.Reporter` objects this plugin provides.

    Each reporter has a ``name`` (the value of ``--output-format``) and renders a report as text.
    """
