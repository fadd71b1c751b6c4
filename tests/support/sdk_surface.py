"""The public methods of an SDK client and the parameters that take an image, read from the SDK itself.

A method takes an image when one of its parameters reaches, through its type hints (unions, lists,
dicts, TypedDicts, pydantic models), a leaf that can carry image data (text, bytes, a file) and that
the SDK marks as an image by one of:

- its documentation: a TypedDict attribute's docstring (read from the SDK's source), a pydantic
  field's ``description`` or the method's ``Args:`` entry mentions an image and a URI, URL, data or
  base64 (``"A HTTPS URL, Runway upload URI, or base64 data URI ... containing an encoded image"``);
- its name: ``image``, ``mask``, ``markup``, ``frame`` and the like;
- its owner: a TypedDict or model named for an image (``ImageRefParam.data``), one declaring
  ``type: Literal["image", "input_image", "image_url", ...]``, or one with a MIME type field beside
  the data (``types.Blob``);
- a free-form request body (``arguments: dict[str, Any]`` of fal, ``input`` of Replicate, ``**body``
  of google-genai's interactions), which can carry anything.

Each :class:`Slot` says how to build an argument that puts a value at that leaf.
"""

from __future__ import annotations

import ast
import functools
import inspect
import io
import os
import re
import sys
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import typing_extensions as te

IMAGE_WORDS = re.compile(r"\bimages?\b|image/|data:image", re.I)
CARRIER_WORDS = re.compile(r"\b(uri|url|urls|base64|data|bytes|file|files)\b", re.I)
IMAGE_NAMES = {"image", "images", "mask", "markup", "frame", "frames", "keyframe", "keyframes", "photo"}
NOT_IMAGES = {"update_mask"}
"""Names that end like an image's and are not (a protobuf FieldMask)."""
DATA_NAMES = re.compile(r"^(uri|url|data|bytes|b64|base64|file|file_data|image_url|image_bytes)$")
IMAGE_TYPES = {"image", "input_image", "image_url", "image_file"}
MIME_KEYS = ("mime_type", "media_type", "mimeType", "content_type")
FREE_FORM = {"arguments", "input", "body", "request"}
SKIPPED_PARAMS = {"self", "extra_body", "extra_headers", "extra_query", "timeout"}
SKIPPED_ATTRIBUTES = {
    "with_raw_response",
    "with_streaming_response",
    "with_options",
    "copy",
    "aio",
    "parent_ref",
    "sdk_configuration",
}
"""Wrappers and copies (tested on their own), async mirrors, and google-genai's back references to the
client and its HTTP layer (reached again under their own paths)."""
LITERALS = (typing.Literal, te.Literal)


@dataclass(frozen=True)
class Step:
    """One container on the way from a parameter to the leaf: ``kind`` is typeddict, model, list or dict."""

    kind: str
    cls: object = None
    key: object = None


@dataclass(frozen=True)
class Slot:
    """A leaf of a parameter that takes an image, and how to reach it."""

    method: str
    param: str
    steps: tuple[Step, ...]
    leaf: str  # "str", "bytes", "file" or "any"
    mime_key: str | None
    reason: str

    @property
    def where(self) -> str:
        keys = [str(s.key) if s.kind in ("typeddict", "model") else "[]" for s in self.steps]
        return ".".join([self.param, *keys])


def methods(client: object) -> Iterator[tuple[str, object]]:
    """``(path, bound method)`` for every public method reachable from ``client`` through its resources
    (each resource once, under its first path; async mirrors and wrappers left out)."""
    root = (client.__name__ if isinstance(client, types.ModuleType) else type(client).__module__).split(".")[
        0
    ]
    seen_objects: dict[int, object] = {}  # kept alive: a property's fresh object must not reuse a seen id

    def walk(obj, path, depth):
        if depth > 5 or id(obj) in seen_objects:
            return
        seen_objects[id(obj)] = obj
        for name in sorted(dir(obj)):
            if name.startswith("_") or name in SKIPPED_ATTRIBUTES:
                continue
            try:
                value = getattr(obj, name)
            except Exception:
                continue
            full = f"{path}.{name}" if path else name
            if inspect.ismethod(value) or inspect.isfunction(value):
                yield full, value
            elif _resource(value, root):
                yield from walk(value, full, depth + 1)

    yield from walk(client, "", 0)


def _resource(value: object, root: str) -> bool:
    kind = type(value)
    return (
        kind.__module__.split(".")[0] == root
        and not isinstance(value, (type, types.ModuleType, BaseException))
        and not callable(value)
        and not hasattr(kind, "model_fields")
    )


def image_slots(path: str, method: object) -> list[Slot]:
    """The leaves of ``method``'s parameters that take an image."""
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        return []
    try:
        hints = typing.get_type_hints(method, include_extras=True)
    except Exception:  # one unresolvable name: the annotations that are already objects still count
        hints = {
            n: p.annotation for n, p in signature.parameters.items() if not isinstance(p.annotation, str)
        }
    docs = _args_docs(inspect.getdoc(method) or "")
    slots = []
    for p in signature.parameters.values():
        if p.name in SKIPPED_PARAMS:
            continue
        hint = hints.get(p.name, typing.Any if p.kind is p.VAR_KEYWORD else None)
        if hint is None or hint is inspect.Parameter.empty:
            continue
        if p.name in FREE_FORM and _free_form(hint):
            slots.append(Slot(path, p.name, (), "any", None, "a free-form request body"))
            continue
        kinds: set[str] = set()
        for steps, leaf, mime, reason in _leaves(hint, p.name, None, docs.get(p.name, "")):
            if leaf not in kinds:  # one slot of each kind of leaf per parameter
                kinds.add(leaf)
                slots.append(Slot(path, p.name, steps, leaf, mime, reason))
    return slots


def _free_form(hint) -> bool:
    if hint is typing.Any:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_free_form(a) for a in args)
    return origin in (dict, Mapping, typing.Mapping) and len(args) == 2 and args[1] is typing.Any


def _leaves(hint, name, owner, doc, depth=0):
    """``(steps, leaf kind, MIME key beside it, reason)`` for each image leaf under ``hint``."""
    if depth > 12:
        return
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Annotated, te.Annotated, te.Required, te.NotRequired):
        yield from _leaves(args[0], name, owner, doc, depth + 1)
    elif origin in (typing.Union, types.UnionType):
        if _is_file_union(args):
            yield from _leaf("file", name, owner, doc)
        for a in args:
            if not (_kind(a) and _is_file_union(args)):
                yield from _leaves(a, name, owner, doc, depth + 1)
    elif (
        origin in LITERALS
        or origin is typing.IO
        or (isinstance(origin, type) and issubclass(origin, typing.IO))
    ):
        return  # a literal, or a file object's type parameter (a file union's member)
    elif origin is not None and args:  # list, Iterable, Sequence, dict, Mapping
        if origin in (dict, Mapping, typing.Mapping) or (
            isinstance(origin, type) and issubclass(origin, Mapping)
        ):
            inner, step = args[-1], Step("dict")
        elif origin is tuple:
            return
        else:
            inner, step = args[0], Step("list")
        for steps, leaf, mime, reason in _leaves(inner, name, owner, doc, depth + 1):
            yield (step, *steps), leaf, mime, reason
    elif isinstance(hint, type) and (te.is_typeddict(hint) or hasattr(hint, "model_fields")):
        yield from _class_leaves(hint)
    elif _kind(hint) is not None:
        yield from _leaf(_kind(hint), name, owner, doc)


_IN_PROGRESS: set[type] = set()
PER_CLASS = 6
"""Leaves kept per class: enough to reach each kind of image leaf, few enough for SDKs of huge models."""


@functools.cache
def _class_leaves(cls: type) -> tuple:
    """The image leaves of a TypedDict or model, each with the steps from ``cls`` (a class met again
    inside itself adds nothing)."""
    if cls in _IN_PROGRESS:
        return ()
    _IN_PROGRESS.add(cls)
    try:
        kind = "typeddict" if te.is_typeddict(cls) else "model"
        found, kinds = [], set()
        for field, (field_hint, field_doc) in _fields(cls).items():
            for steps, leaf, mime, reason in _leaves(field_hint, field, cls, field_doc):
                if len(found) < PER_CLASS or leaf not in kinds:
                    found.append(((Step(kind, cls, field), *steps), leaf, mime, reason))
                    kinds.add(leaf)
        return tuple(found)
    finally:
        _IN_PROGRESS.discard(cls)


def _is_file_union(args) -> bool:
    return any(
        a is os.PathLike or typing.get_origin(a) is os.PathLike or a is typing.IO for a in args
    ) or any(typing.get_origin(a) is typing.IO for a in args)


def _kind(hint) -> str | None:
    if hint is str:
        return "str"
    if hint in (bytes, bytearray):
        return "bytes"
    if hint is typing.Any or hint is object:
        return "any"
    if isinstance(hint, type) and issubclass(hint, (io.IOBase, os.PathLike)):
        return "file"
    return None


def _leaf(leaf, name, owner, doc):
    owner_hints = _fields(owner) if owner is not None else {}
    mime = next((k for k in MIME_KEYS if k in owner_hints and k != name), None)
    owner_name = owner.__name__ if owner is not None else ""
    tokens = str(name).lower().split("_")
    if leaf == "any" and owner is None:
        return
    if owner is None and leaf in ("file", "bytes"):
        yield (), leaf, None, "a file to upload, which can be an image"
        return
    if name in NOT_IMAGES or str(name).startswith("output_") or name in MIME_KEYS:
        return
    if IMAGE_WORDS.search(doc) and (leaf != "str" or CARRIER_WORDS.search(doc)):
        reason = f"documented as an image: {' '.join(doc.split())[:90]!r}"
    elif tokens[-1] in IMAGE_NAMES:
        reason = f"named {name}"
    elif "image" in owner_name.lower() and DATA_NAMES.match(str(name)):
        reason = f"the data of {owner_name}"
    elif IMAGE_TYPES & _literal_types(owner_hints.get("type", (None, ""))[0]):
        reason = f"{owner_name} declares an image type"
    elif mime is not None and DATA_NAMES.match(str(name)) and not re.search("audio|video", owner_name, re.I):
        reason = f"media data beside {owner_name}.{mime}"
    else:
        return
    yield (), leaf, mime, reason


def _literal_types(hint) -> set[str]:
    if hint is None:
        return set()
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in LITERALS:
        return {str(a) for a in args}
    return {v for a in args for v in _literal_types(a)}


@functools.cache
def _fields(cls) -> dict[str, tuple[object, str]]:
    """``field -> (type hint, documentation)`` of a TypedDict or a pydantic model."""
    if te.is_typeddict(cls):
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except Exception:
            hints = dict(getattr(cls, "__annotations__", {}))
        docs = _attribute_docs(cls)
        return {k: (v, docs.get(k, "")) for k, v in hints.items()}
    return {k: (f.annotation, f.description or "") for k, f in cls.model_fields.items()}


def _attribute_docs(cls) -> dict[str, str]:
    """A class's attribute docstrings (the string after each annotated field), from its module's source."""
    return _module_docs(cls.__module__).get(cls.__qualname__, {})


@functools.cache
def _module_docs(module: str) -> dict[str, dict[str, str]]:
    """``class name -> {attribute: docstring}`` for the top-level classes of a module (parsed once)."""
    try:
        tree = ast.parse(inspect.getsource(sys.modules[module]))
    except (KeyError, OSError, TypeError, SyntaxError):
        return {}
    found = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        docs = found.setdefault(cls.name, {})
        for node, after in zip(cls.body, cls.body[1:]):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if isinstance(after, ast.Expr) and isinstance(getattr(after, "value", None), ast.Constant):
                    docs[node.target.id] = str(after.value.value)
    return found


def _args_docs(doc: str) -> dict[str, str]:
    """``name -> text`` from a docstring's ``Args:`` section (``name: text`` or ``name (type): text``)."""
    section = doc.split("Args:", 1)[1] if "Args:" in doc else ""
    found: dict[str, str] = {}
    current = None
    for line in section.splitlines():
        match = re.match(r"^\s{0,8}(\w+)(?: \([^)]*\))?:\s*(.*)$", line)
        if match and not line.startswith(" " * 9):
            current = match.group(1)
            found[current] = match.group(2)
        elif current and line.strip():
            found[current] += " " + line.strip()
        elif current and not line.strip() and found[current]:
            current = None
    return found


def build(slot: Slot, value: object, mime: str | None) -> object:
    """The argument for ``slot.param`` with ``value`` at the leaf (and ``mime`` beside it when the owner has a MIME field)."""
    inner = value
    for i, step in enumerate(reversed(slot.steps)):
        if step.kind == "list":
            inner = [inner]
        elif step.kind == "dict":
            inner = {"k": inner}
        else:
            fields = {step.key: inner}
            if i == 0 and slot.mime_key and mime:
                fields[slot.mime_key] = mime
            declared = _literal_types(_fields(step.cls).get("type", (None, ""))[0])
            if declared and "type" not in fields:
                fields["type"] = sorted(declared & IMAGE_TYPES or declared)[0]
            inner = step.cls.model_construct(**fields) if step.kind == "model" else fields
    return inner


def resolve(root: object, path: str) -> object:
    for part in path.split("."):
        root = getattr(root, part)
    return root
