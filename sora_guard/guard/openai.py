"""The pre-flight guard around an OpenAI client: a bad upload never leaves the machine."""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Callable
from typing import Any

from sora_guard.api import make_settings
from sora_guard.config import Settings
from sora_guard.guard.preflight import Preflight
from sora_guard.vocabulary.exceptions import PreflightError, PreflightWarning

__all__ = ["guard", "GuardedClient", "PreflightError", "PreflightWarning"]

GUARDED_METHODS = {"videos": {"create": Preflight.videos_create}, "images": {"edit": Preflight.images_edit}}
"""Resource attribute -> method name -> the preflight check that runs before it."""

_PASS_THROUGH_MODULES = ("sora_guard", "openai", "typing_extensions", "anyio", "asyncio")


def guard(
    client: Any,
    *,
    fix: str | bool | None = None,
    profile: str | None = None,
    fetch_urls: bool = False,
    settings: Settings | None = None,
    **options: Any,
) -> GuardedClient:
    """Wrap an ``openai.OpenAI`` or ``openai.AsyncOpenAI`` client so bad reference images raise first.

    ``fix`` names a fit strategy (``"cover"``, ``"pad"``, ...; ``True`` for the configured one):
    fixable images are then fixed in memory and sent instead of raising. ``profile`` forces a
    profile (otherwise the model's, else the configured one). ``fetch_urls`` downloads remote
    ``image_url`` references to check them (off by default: they pass through with a warning).
    Other keyword arguments are configuration keys (``ignore=["SG406"]``, ``max_bytes=...``),
    applied over ``settings`` (default: built-in defaults; no configuration file is read).
    """
    if isinstance(client, GuardedClient):
        client = client.unguarded
    settings = make_settings(settings, **options)
    strategy = settings.strategy if fix is True else fix or None
    preflight = Preflight(
        settings,
        fix=strategy,
        profile=profile,
        fetch_urls=fetch_urls,
        sends_references=_sdk_sends_references(),
    )
    return GuardedClient(client, preflight)


@functools.cache
def _sdk_sends_references() -> bool | None:
    """Whether the installed SDK's multipart calls accept a reference dict (openai 3.54: no, RuntimeError).

    Asks the SDK's own file extraction, the step ``videos.create`` runs on ``input_reference``;
    None when this SDK has no such step to ask.
    """
    try:
        from openai._utils import extract_files
    except ImportError:
        return None
    try:
        extract_files({"input_reference": {"file_id": "probe"}}, paths=[["input_reference"]])
    except RuntimeError:
        return False
    except Exception:
        return None
    return True


class GuardedClient:
    """A client whose ``videos.create`` (and everything routed through it) and ``images.edit`` are checked first.

    Every other attribute is the wrapped client's. ``unguarded`` is the client itself.
    """

    def __init__(self, client: Any, preflight: Preflight):
        self.unguarded = client
        self.preflight = preflight

    def __getattr__(self, name: str) -> Any:
        if name in ("unguarded", "preflight"):  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.unguarded, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(dir(self.unguarded)))

    @functools.cached_property
    def videos(self) -> Any:
        return _guarded_resource(self.unguarded.videos, "videos", self.preflight)

    @functools.cached_property
    def images(self) -> Any:
        return _guarded_resource(self.unguarded.images, "images", self.preflight)

    @functools.cached_property
    def with_raw_response(self) -> Any:
        return type(self.unguarded.with_raw_response)(self)

    @functools.cached_property
    def with_streaming_response(self) -> Any:
        return type(self.unguarded.with_streaming_response)(self)

    def copy(self, **kwargs: Any) -> GuardedClient:
        """The client's ``copy`` / ``with_options``, guarded the same way."""
        return GuardedClient(self.unguarded.copy(**kwargs), self.preflight)

    with_options = copy

    def __enter__(self) -> GuardedClient:
        self.unguarded.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.unguarded.__exit__(*exc)

    async def __aenter__(self) -> GuardedClient:
        await self.unguarded.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.unguarded.__aexit__(*exc)

    def __repr__(self) -> str:
        return f"<GuardedClient {type(self.unguarded).__name__} fix={self.preflight.fix!r}>"


def _guarded_resource(resource: Any, attribute: str, preflight: Preflight) -> Any:
    guarded = _guarded_class(type(resource), attribute)(resource._client)
    guarded._sora_guard_preflight = preflight
    return guarded


@functools.cache
def _guarded_class(cls: type, attribute: str) -> type:
    """A subclass of the SDK resource class with its guarded methods checked first (one per class)."""
    methods = {
        name: _guarded_method(getattr(cls, name), check) for name, check in GUARDED_METHODS[attribute].items()
    }
    return type(f"Guarded{cls.__name__}", (cls,), {"__module__": __name__, "__doc__": cls.__doc__, **methods})


def _guarded_method(original: Callable, check: Callable) -> Callable:
    """``original`` with ``check`` run on its keyword arguments first (off the event loop when async)."""
    message = getattr(original, "__deprecated__", None)
    inner = original.__wrapped__ if message else original
    if inspect.iscoroutinefunction(inner):

        async def method(self, *args: Any, **kwargs: Any) -> Any:
            import anyio.to_thread

            prepared = await anyio.to_thread.run_sync(check, self._sora_guard_preflight, kwargs)
            _warn(prepared.notes)
            return await inner(self, *args, **prepared.kwargs)

    else:

        def method(self, *args: Any, **kwargs: Any) -> Any:
            prepared = check(self._sora_guard_preflight, kwargs)
            _warn(prepared.notes)
            return inner(self, *args, **prepared.kwargs)

    functools.update_wrapper(method, inner)
    if message:
        import typing_extensions

        return typing_extensions.deprecated(message)(method)
    return method


def _warn(notes: list[str]) -> None:
    """Warn about each note, attributed to the first frame outside sora-guard and the SDK."""
    if not notes:
        return
    frame, level = sys._getframe(0), 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] in _PASS_THROUGH_MODULES:
        frame, level = frame.f_back, level + 1
    for note in notes:
        warnings.warn(f"sora-guard: {note}", PreflightWarning, stacklevel=level)
