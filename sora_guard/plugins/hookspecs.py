"""The hooks sora-guard calls. Built-in rules, profiles, strategies and reporters use them too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sora_guard.plugins.markers import hookspec
from sora_guard.vocabulary.contract import Reporter, Strategy
from sora_guard.vocabulary.model import Profile, Rule

if TYPE_CHECKING:
    from sora_guard.vocabulary.contract import Finder
    from sora_guard.vocabulary.guarding import Adapter


@hookspec
def sora_guard_rules() -> list[Rule]:
    """Return the :class:`~sora_guard.plugins.Rule` objects this plugin provides.

    Codes must be unique across all plugins; a third-party plugin should use its own prefix
    (``SG`` is reserved for the built-ins).
    """


@hookspec
def sora_guard_profiles() -> list[Profile]:
    """Return the :class:`~sora_guard.plugins.Profile` objects this plugin provides.

    A profile whose name matches one already registered replaces it; plugins registered later win.
    """


@hookspec
def sora_guard_strategies() -> list[Strategy]:
    """Return the fit :class:`~sora_guard.plugins.Strategy` objects this plugin provides.

    A strategy turns any RGB/RGBA image into one of exactly the requested size.
    """


@hookspec
def sora_guard_finders() -> list[Finder]:
    """Return the subject :class:`~sora_guard.plugins.Finder` objects this plugin provides.

    A finder's ``find(image)`` returns the boxes a fit must keep whole, each a
    :class:`~sora_guard.plugins.Subject` with a ``kind`` (``"face"``, ``"logo"``), a ``weight``
    and a ``box`` in fractions of ``image``: the picture ``fix`` already decoded and reduced
    towards the output size, upright. Strategies that keep subjects (``smart``) get what every
    registered finder returns; a later finder with the name of an earlier one replaces it.
    """


@hookspec
def sora_guard_reporters() -> list[Reporter]:
    """Return the output :class:`~sora_guard.plugins.Reporter` objects this plugin provides.

    Each reporter has a ``name`` (the value of ``--output-format``) and renders a report as text.
    """


@hookspec
def sora_guard_guards() -> list[Adapter]:
    """Return the pre-flight guard :class:`~sora_guard.plugins.Adapter` objects this plugin provides.

    An adapter recognises an SDK client and says which calls carry images, where, and against which
    profile; ``sora_guard.guard(client)`` uses the last registered adapter that recognises the client.
    """
