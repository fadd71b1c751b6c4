"""Builds the one plugin manager every door uses, and collects what plugins provide (``Registry``)."""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pluggy

from sora_guard.plugins import hookspecs
from sora_guard.plugins.markers import PROJECT
from sora_guard.plugins.names import model_owner, profile_name
from sora_guard.vocabulary.exceptions import PluginWarning
from sora_guard.vocabulary.model import Profile, Rule

if TYPE_CHECKING:
    from sora_guard.vocabulary.contract import Finder
    from sora_guard.vocabulary.guarding import Adapter

ENTRY_POINT_GROUP = "sora_guard"
DISABLE_ENV = "SORA_GUARD_DISABLE_PLUGIN_AUTOLOAD"
DISTRIBUTION = "sora-guard"
BUILTIN_MODULES = (
    "sora_guard.builtin.rules",
    "sora_guard.builtin.profiles",
    "sora_guard.builtin.strategies",
    "sora_guard.builtin.faces",
    "sora_guard.builtin.reporters",
    "sora_guard.builtin.html_report",
    "sora_guard.builtin.guards",
)


def _is_builtin(entry_point) -> bool:
    return entry_point.value.split(":")[0] in BUILTIN_MODULES


def _entry_points() -> Iterable:
    from sora_guard.plugins.entrypoints import entry_points

    return entry_points(ENTRY_POINT_GROUP)


def build_plugin_manager(
    *, autoload: bool | None = None, extra: Iterable[object] = ()
) -> pluggy.PluginManager:
    """A new plugin manager with the built-ins, the entry-point plugins (unless disabled) and ``extra``.

    Built-ins are found through the entry points like any plugin; when the package runs from a source
    tree without its metadata, they are imported directly so the tool still works.
    """
    if autoload is None:
        autoload = autoload_default()
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    seen: set[str] = set()
    for ep in _entry_points():
        builtin = _is_builtin(ep)
        if (not builtin and not autoload) or pm.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
            pm.check_pending()  # only this plugin can be pending: the ones before it passed
        except Exception as exc:  # a third-party plugin must never take the tool down
            if builtin:
                raise
            if pm.get_plugin(ep.name) is not None:
                pm.unregister(name=ep.name)
            warnings.warn(
                f"plugin {ep.name!r} ({ep.value}) failed to load and was skipped: {exc}",
                PluginWarning,
                stacklevel=2,
            )
            continue
        seen.add(ep.value.split(":")[0])
    for module in BUILTIN_MODULES:
        if module not in seen:
            import importlib

            pm.register(importlib.import_module(module), name=f"builtin-{module.rsplit('.', 1)[-1]}")
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def autoload_default() -> bool:
    """Whether third-party plugins load when nobody said: unless ``SORA_GUARD_DISABLE_PLUGIN_AUTOLOAD`` is set."""
    return not os.environ.get(DISABLE_ENV)


class Registry:
    """What the plugins provide, collected from one plugin manager and indexed by name or code.

    Each plugin's hook is called on its own, in registration order (built-ins first): one that
    raises is reported as a warning and skipped, and a later profile, strategy, finder or reporter
    with the name of an earlier one replaces it. A registry made by :func:`load_registry` travels
    to worker processes as its spec (``autoload``) and is loaded there again.
    """

    def __init__(self, pm: pluggy.PluginManager, autoload: bool | None = None):
        self.pm = pm
        self.autoload = autoload
        """Whether the entry points' third-party plugins were loaded; None for a registry of hand-picked plugins."""

    def __reduce__(self):
        if self.autoload is None:
            raise TypeError("a registry built from hand-picked plugins cannot be sent to another process")
        return load_registry, (self.autoload,)

    def _collect(self, hook_name: str) -> list:
        items = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            try:
                items.extend(impl.function() or ())
            except Exception as exc:
                if impl.plugin_name.startswith("builtin-"):
                    raise
                warnings.warn(
                    f"plugin {impl.plugin_name!r} failed in {hook_name} and was skipped: {exc}",
                    PluginWarning,
                    stacklevel=2,
                )
        return items

    @functools.cached_property
    def rules(self) -> dict[str, Rule]:
        found: dict[str, Rule] = {}
        for r in self._collect("sora_guard_rules"):
            if r.code in found:
                warnings.warn(
                    f"rule code {r.code} ({r.name}) is already registered by {found[r.code].name}; skipped",
                    PluginWarning,
                    stacklevel=2,
                )
                continue
            found[r.code] = r
        return dict(sorted(found.items()))

    @functools.cached_property
    def profiles(self) -> dict[str, Profile]:
        return {p.name: p for p in self._collect("sora_guard_profiles")}

    @functools.cached_property
    def strategies(self) -> dict:
        return {s.name: s for s in self._collect("sora_guard_strategies")}

    @functools.cached_property
    def finders(self) -> tuple[Finder, ...]:
        """The subject finders, in registration order (built-ins first), one per name."""
        return tuple({f.name: f for f in self._collect("sora_guard_finders")}.values())

    @functools.cached_property
    def reporters(self) -> dict:
        return {r.name: r for r in self._collect("sora_guard_reporters")}

    @property
    def fix_reporters(self) -> dict:
        """The reporters that can report a ``fix`` run (they take fixes and write a report)."""
        return {n: r for n, r in self.reporters.items() if r.fixes and r.write is not None}

    @functools.cached_property
    def guards(self) -> list[Adapter]:
        """The pre-flight guard adapters, in registration order (built-ins first)."""
        return list(self._collect("sora_guard_guards"))

    def rule(self, text: str) -> Rule | None:
        """The rule whose code (any case) or name is ``text``, or None."""
        wanted = text.strip()
        return self.rules.get(wanted.upper()) or next(
            (r for r in self.rules.values() if r.name == wanted.lower()), None
        )

    def profile(self, name: str) -> Profile:
        return self.profiles[self.profile_name(name)]

    def profile_name(
        self, name: str, configured: Mapping[str, Mapping[str, Any]] = MappingProxyType({})
    ) -> str:
        """The profile ``name`` means: a registered or ``configured`` one (``[profiles.NAME]`` tables,
        whose ``models`` replace the registered ones), in any case, or the one mapping a model of that
        name (``gen4.5``: ``runway-gen4``); a ConfigError suggesting the closest names otherwise."""
        if name in configured or name in self.profiles:
            return name
        models = {n: p.models for n, p in self.profiles.items()}
        models.update({n: tuple(table.get("models", models.get(n, ()))) for n, table in configured.items()})
        return profile_name(name, models)

    def profile_for_model(self, model: str) -> Profile | None:
        """The profile that describes ``model`` (a model id or dated snapshot), if any."""
        return profile_for_model(self.profiles.values(), model)


def profile_for_model(profiles: Iterable[Profile], model: str) -> Profile | None:
    """The profile among ``profiles`` that describes ``model``: the one naming it most specifically."""
    by_name = {p.name: p for p in profiles}
    owner = _owner(model, tuple((name, p.models) for name, p in by_name.items()))
    return by_name[owner] if owner is not None else None


@functools.lru_cache(maxsize=512)
def _owner(model: str, models: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """:func:`model_owner`, remembered: the guard asks it on every call with the same profiles."""
    return model_owner(model, dict(models))


def load_registry(autoload: bool | None = None) -> Registry:
    """The built-ins, and the entry points' third-party plugins when ``autoload`` (None: unless
    ``SORA_GUARD_DISABLE_PLUGIN_AUTOLOAD`` is set). Each door asks for the registry its run needs and
    passes it on; the same spec gives the same registry, loaded once per process."""
    return _loaded(autoload_default() if autoload is None else autoload, tuple(sys.path))


@functools.lru_cache(maxsize=8)
def _loaded(autoload: bool, path: tuple[str, ...]) -> Registry:
    """Keyed by the import path too: a plugin made importable later (a folder added to ``sys.path``) loads."""
    return Registry(build_plugin_manager(autoload=autoload), autoload)
