"""The pre-flight guard: ``sora_guard.guard(client)`` picks the adapter for the client's type and returns a
proxy whose image-carrying calls are checked (and fixed, when asked) before anything is sent."""

from __future__ import annotations

import sys
import types
from typing import Any

from sora_guard.config import Settings
from sora_guard.guard.preflight import Preflight
from sora_guard.guard.proxy import Door, GuardedClient
from sora_guard.run.context import RunContext
from sora_guard.vocabulary.exceptions import PreflightError, PreflightWarning
from sora_guard.vocabulary.guarding import Adapter

__all__ = ["guard", "adapter_for", "GuardedClient", "PreflightError", "PreflightWarning"]


def guard(
    client: Any,
    *,
    fix: str | bool | None = None,
    profile: str | None = None,
    fetch_urls: bool = False,
    settings: Settings | None = None,
    **options: Any,
) -> GuardedClient:
    """Wrap an SDK client (or a module-level API, such as ``fal_client``) so a call with a bad image
    raises :class:`PreflightError` before sending anything. Every call is checked: the adapter's
    plan where it names the call, and every image found anywhere in the arguments.

    ``fix`` names a fit strategy (``"cover"``, ``"pad"``, ...; ``True`` for the configured one):
    fixable images are then fixed in memory and sent instead of raising. ``profile`` forces a
    profile for every image (otherwise the model's or endpoint's). ``fetch_urls`` downloads remote
    image URLs to check them (off by default: they pass through with a warning). Other keyword
    arguments are configuration keys (``ignore=["SG406"]``, ``max_bytes=...``), applied over
    ``settings`` (default: built-in defaults; no configuration file is read).
    """
    if isinstance(client, GuardedClient):
        client = client.unguarded
    settings = RunContext.from_options(settings, **options).settings
    adapter = adapter_for(client, settings)
    strategy = settings.strategy if fix is True else fix or None
    preflight = Preflight(settings, fix=strategy, profile=profile, fetch_urls=fetch_urls)
    module = client.__name__ if isinstance(client, types.ModuleType) else type(client).__module__
    return GuardedClient(client, Door(adapter, preflight, module.split(".")[0]))


def adapter_for(client: object, settings: Settings) -> Adapter:
    """The registered adapter that recognises ``client`` (later plugins first); TypeError naming the supported ones."""
    adapters = settings.registry.guards
    for adapter in reversed(adapters):
        if adapter.recognises(client):
            return adapter
    supported = ", ".join(name for a in adapters for name in a.clients)
    raise TypeError(
        f"sora_guard.guard() has no adapter for {type(client).__module__}.{type(client).__qualname__}; supported: {supported}"
    )


class _CallableModule(types.ModuleType):
    """``sora_guard.guard`` is this package and the function: importing a submodule rebinds the
    package's name on ``sora_guard``, so the package answers calls like the function."""

    def __call__(self, client: Any, **kwargs: Any) -> GuardedClient:
        return guard(client, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
