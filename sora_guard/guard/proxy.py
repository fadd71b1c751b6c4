"""The guarded client: a proxy that sends every call it makes through the preflight first (the adapter's
plan where it names the call, a search of the arguments everywhere); wrappers (``with_raw_response``)
and copies (``with_options``) stay guarded; nothing is patched."""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import sys
import types
import typing
import warnings
from collections.abc import Callable
from typing import Any

from sora_guard.guard.preflight import Preflight
from sora_guard.vocabulary.exceptions import PreflightWarning
from sora_guard.vocabulary.guarding import Adapter, Call, Plan

__all__ = ["GuardedClient", "Door"]

_QUIET_MODULES = (
    "sora_guard",
    "typing_extensions",
    "anyio",
    "asyncio",
    "concurrent",
    "threading",
    "functools",
)


class Door:
    """One adapter and one preflight: the calls to guard and how to run them."""

    def __init__(self, adapter: Adapter, preflight: Preflight, sdk: str):
        self.adapter = adapter
        self.preflight = preflight
        self.sdk = sdk
        self.calls: dict[str, Call] = {c.path: c for c in adapter.calls}
        self.prefixes = {
            c.path.rsplit(".", i)[0] for c in adapter.calls for i in range(1, c.path.count(".") + 1)
        }
        self.quiet = (*_QUIET_MODULES, sdk)

    def plan(self, path: str, arguments: dict) -> Plan:
        """The adapter's plan for the call at ``path`` (when it names it), with every other image added."""
        call = self.calls.get(path)
        plan = call.plan(arguments, self.preflight) if call is not None else Plan()
        return self.preflight.complete(plan, arguments)

    def prepare(self, path: str, plan: Plan, arguments: dict) -> tuple[str | None, dict, list[str]]:
        """The method to call (None: the guarded one), its arguments after the checks, and notes to warn about."""
        prepared = self.preflight.prepare(path, plan, arguments)
        method_arguments = (
            plan.arguments(prepared.arguments) if plan.arguments is not None else prepared.arguments
        )
        return plan.method, method_arguments, prepared.notes

    def path_of(self, method: object, path: str) -> str:
        """The call path of ``method``: its own name when it is bound to another client the adapter
        serves (fal's module-level ``run_async`` is ``AsyncClient.run``), else ``path``."""
        owner = getattr(method, "__self__", None)
        if owner is not None and not isinstance(owner, types.ModuleType) and self.adapter.recognises(owner):
            return getattr(method, "__name__", path)
        return path

    def is_resource(self, value: object) -> bool:
        """True for an object of the SDK whose methods are calls (a resource such as ``client.images``),
        not data (models, enums, exceptions), classes, modules or callables."""
        kind = type(value)
        return (
            kind.__module__.split(".")[0] == self.sdk
            and not isinstance(value, (type, types.ModuleType, BaseException, enum.Enum))
            and not callable(value)
            and not hasattr(kind, "model_fields")
        )

    def warn(self, notes: list[str]) -> None:
        """Warn about each note, attributed to the first frame outside sora-guard and the SDK."""
        if not notes:
            return
        frame, level = sys._getframe(0), 1
        while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] in self.quiet:
            frame, level = frame.f_back, level + 1
        for note in notes:
            warnings.warn(f"sora-guard: {note}", PreflightWarning, stacklevel=level)


class _Guarded:
    """A proxy for the SDK object at ``path`` below the client."""

    def __init__(self, target: Any, door: Door, path: str = ""):
        object.__setattr__(self, "_sg_target", target)
        object.__setattr__(self, "_sg_door", door)
        object.__setattr__(self, "_sg_path", path)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_sg_"):  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        door, target = self._sg_door, self._sg_target
        value = getattr(target, name)
        if name.startswith("_"):
            return value
        full = f"{self._sg_path}.{name}" if self._sg_path else name
        if name in door.adapter.wrappers:
            return type(value)(self)  # e.g. VideosWithRawResponse(<guarded videos>): reads our methods
        if name in door.adapter.copies and callable(value):
            return _copier(value, door, self._sg_path)
        if inspect.ismethod(value) or inspect.isfunction(value) or (full in door.calls and callable(value)):
            return _guarded_method(value, door.path_of(value, full), door)
        if full in door.prefixes or door.is_resource(value):
            return _Guarded(value, door, full)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._sg_target, name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(type(self))) | set(dir(self._sg_target)))

    def __repr__(self) -> str:
        return f"<guarded {self._sg_target!r}>"


class GuardedClient(_Guarded):
    """A client whose image-carrying calls are checked first; everything else is the client's.

    ``unguarded`` is the client itself; ``preflight`` does the checking; ``adapter`` names the calls.
    """

    @property
    def unguarded(self) -> Any:
        return self._sg_target

    @property
    def preflight(self) -> Preflight:
        return self._sg_door.preflight

    @property
    def adapter(self) -> Adapter:
        return self._sg_door.adapter

    def __enter__(self) -> GuardedClient:
        self._sg_target.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sg_target.__exit__(*exc)

    async def __aenter__(self) -> GuardedClient:
        await self._sg_target.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._sg_target.__aexit__(*exc)

    def __repr__(self) -> str:
        preflight = self._sg_door.preflight
        return f"<GuardedClient {type(self._sg_target).__name__} adapter={self.adapter.name} fix={preflight.fix!r}>"


_FORWARDED = ("__bool__", "__eq__", "__str__")
"""What a returned model (a Deployment) may implement, passed through to it."""


def _enter(self: _Guarded) -> Any:
    entered = self._sg_target.__enter__()
    return self if entered is self._sg_target else _returned(entered, self._sg_door, self._sg_path)


def _exit(self: _Guarded, *exc: object) -> Any:
    return self._sg_target.__exit__(*exc)


async def _aenter(self: _Guarded) -> Any:
    entered = await self._sg_target.__aenter__()
    return self if entered is self._sg_target else _returned(entered, self._sg_door, self._sg_path)


async def _aexit(self: _Guarded, *exc: object) -> Any:
    return await self._sg_target.__aexit__(*exc)


_CONTEXT = {"__enter__": _enter, "__exit__": _exit, "__aenter__": _aenter, "__aexit__": _aexit}
"""A returned context manager (a streamed response) stays one; what it enters into is guarded in turn."""


def _forward(name: str) -> Callable:
    def forwarded(self: _Guarded, *args: Any) -> Any:
        return getattr(self._sg_target, name)(*args)

    forwarded.__name__ = name
    return forwarded


@functools.lru_cache(maxsize=256)
def _proxy_type(kind: type) -> type:
    """The proxy class for SDK objects of type ``kind`` that a guarded call returns: ``_Guarded`` with
    what ``kind`` implements of :data:`_FORWARDED` and :data:`_CONTEXT` passed through, and ``kind`` as its ``__class__``
    (``isinstance`` holds)."""
    namespace: dict[str, Any] = {
        name: _forward(name)
        for name in _FORWARDED
        if getattr(kind, name, None) is not getattr(object, name, None)
    }
    namespace.update({name: method for name, method in _CONTEXT.items() if hasattr(kind, name)})
    if "__eq__" in namespace:
        namespace["__hash__"] = lambda self: hash(self._sg_target)
    namespace["__class__"] = property(lambda self: kind)
    return type(f"Guarded{kind.__name__}", (_Guarded,), namespace)


def _is_model(kind: type) -> bool:
    """A data model: pydantic (v1's ``__fields__``, v2's ``model_fields``) or a dataclass."""
    return hasattr(kind, "__fields__") or hasattr(kind, "model_fields") or dataclasses.is_dataclass(kind)


@functools.lru_cache(maxsize=256)
def _leads_to_calls(kind: type, sdk: str) -> bool:
    """True when a public property of ``kind`` is annotated to return an SDK class that is not a model
    (replicate's ``Deployment.predictions``: a namespace whose ``create`` uploads files)."""
    for name, member in inspect.getmembers(kind, lambda m: isinstance(m, property)):
        if name.startswith("_") or member.fget is None:
            continue
        try:
            returned = typing.get_type_hints(member.fget).get("return")
        except Exception:  # an annotation that does not resolve says nothing
            continue
        if (
            isinstance(returned, type)
            and returned.__module__.split(".")[0] == sdk
            and not _is_model(returned)
        ):
            return True
    return False


def _returned(value: Any, door: Door, path: str) -> Any:
    """What a guarded call returns, guarded in turn when its methods make calls of their own (a chat,
    a deployment); data (models, streams and pages of them, awaitables) is returned as it is."""
    if inspect.iscoroutine(value):  # from a sync function: resolves to what an async call returns
        return _awaited(value, door, path)
    kind = type(value)
    if isinstance(value, _Guarded) or not door.is_resource(value):
        return value
    if _is_model(kind):
        wrap = _leads_to_calls(kind, door.sdk)
    else:
        wrap = not any(hasattr(kind, m) for m in ("__iter__", "__aiter__", "__await__", "__getitem__"))
    return _proxy_type(kind)(value, door, f"{path}()") if wrap else value


async def _awaited(coroutine: Any, door: Door, path: str) -> Any:
    return _returned(await coroutine, door, path)


def _copier(method: Callable, door: Door, path: str) -> Callable:
    """``method`` (``with_options``, ``copy``...), its result guarded the same way."""

    @functools.wraps(method)
    def copy(*args: Any, **kwargs: Any) -> Any:
        copied = method(*args, **kwargs)
        return GuardedClient(copied, door) if not path else _Guarded(copied, door, path)

    return copy


class _Binding:
    """Binds a call's arguments to the SDK method's signature, flat (``**kwargs`` merged), and back."""

    def __init__(self, function: Callable, bound: bool):
        signature = inspect.signature(function)
        params = list(signature.parameters.values())
        self.signature = signature.replace(parameters=params[1:]) if bound and params else signature
        params = list(self.signature.parameters.values())
        self.var_keyword = next((p.name for p in params if p.kind is p.VAR_KEYWORD), None)

    @classmethod
    @functools.lru_cache(maxsize=4096)
    def of(cls, function: Callable, bound: bool) -> _Binding | None:
        """One binding per SDK function (``inspect.signature`` costs milliseconds on large SDK methods);
        None when the function has no signature to bind to (some builtins)."""
        try:
            return cls(function, bound)
        except (TypeError, ValueError):
            return None

    def arguments(self, args: tuple, kwargs: dict) -> dict | None:
        try:
            bound = self.signature.bind_partial(*args, **kwargs)
        except TypeError:
            return None  # the SDK reports its own argument errors
        flat = dict(bound.arguments)
        flat.update(flat.pop(self.var_keyword, None) or {})
        return flat

    def call_args(self, flat: dict) -> tuple[tuple, dict]:
        named = {k: v for k, v in flat.items() if k in self.signature.parameters and k != self.var_keyword}
        extra = {k: v for k, v in flat.items() if k not in self.signature.parameters}
        bound = self.signature.bind_partial(**{k: v for k, v in named.items() if self._keywordable(k)})
        positional = [named[k] for k in named if not self._keywordable(k)]
        return tuple(positional) + bound.args, {**bound.kwargs, **extra}

    def _keywordable(self, name: str) -> bool:
        return self.signature.parameters[name].kind is not inspect.Parameter.POSITIONAL_ONLY


def _guarded_method(bound_method: Callable, path: str, door: Door) -> Callable:
    """``bound_method`` with the preflight first (off the event loop when it is a coroutine function and
    there are images to check). A call with nothing to check goes out exactly as it was made.

    A method the SDK marks ``@deprecated`` keeps its warning: the wrapper carries the same message
    and calls the function underneath it, so the warning is raised once, at the caller's line.
    """
    owner = getattr(bound_method, "__self__", None)
    function = getattr(bound_method, "__func__", bound_method)
    message = getattr(function, "__deprecated__", None)
    inner = function.__wrapped__ if message and hasattr(function, "__wrapped__") else function
    bound = owner is not None and hasattr(inner, "__get__")
    target = inner.__get__(owner) if bound else inner
    binding = _Binding.of(inner, bound)
    if binding is None:
        return bound_method

    def planned(args: tuple, kwargs: dict) -> tuple[Plan, dict] | None:
        """The plan and the flat arguments, or None when there is nothing to check."""
        flat = binding.arguments(args, kwargs)
        if flat is None:
            return None  # the SDK reports its own argument errors
        plan = door.plan(path, flat)
        work = plan.images or plan.problems or plan.notes or plan.request_profile or plan.method
        return (plan, flat) if work else None

    def resolved(plan: Plan, flat: dict) -> tuple[Callable, tuple, dict, list[str]]:
        method, prepared, notes = door.prepare(path, plan, flat)
        if method is None:
            return (target, *binding.call_args(prepared), notes)
        return getattr(owner, method), (), prepared, notes

    underneath = inspect.unwrap(inner)  # openai's required_args: a sync wrapper around an async function
    if inspect.isasyncgenfunction(inner) or inspect.isasyncgenfunction(underneath):

        async def guarded(*args: Any, **kwargs: Any) -> Any:
            work = planned(args, kwargs)
            method, a, k, notes = await _off_loop(resolved, *work) if work else (target, args, kwargs, [])
            door.warn(notes)
            async for item in method(*a, **k):
                yield item

    elif inspect.iscoroutinefunction(inner) or inspect.iscoroutinefunction(underneath):

        async def guarded(*args: Any, **kwargs: Any) -> Any:
            work = planned(args, kwargs)
            method, a, k, notes = await _off_loop(resolved, *work) if work else (target, args, kwargs, [])
            door.warn(notes)
            return _returned(await method(*a, **k), door, path)

    else:

        def guarded(*args: Any, **kwargs: Any) -> Any:
            work = planned(args, kwargs)
            method, a, k, notes = resolved(*work) if work else (target, args, kwargs, [])
            door.warn(notes)
            return _returned(method(*a, **k), door, path)

    functools.update_wrapper(guarded, inner)
    if message:
        import typing_extensions

        return typing_extensions.deprecated(message)(guarded)
    return guarded


async def _off_loop(function: Callable, *args: Any) -> Any:
    """Run the image work in a worker thread so the event loop keeps serving."""
    try:
        import anyio.to_thread
    except ImportError:  # an asyncio-only SDK without anyio
        import asyncio

        return await asyncio.to_thread(function, *args)
    return await anyio.to_thread.run_sync(function, *args)
