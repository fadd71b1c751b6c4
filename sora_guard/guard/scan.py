"""Find every image in a call's arguments, at any depth: what says it is an image (a ``data:image/``
URI, an ``image/*`` MIME type beside it, an image file extension) or starts like one."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Iterator, Mapping

from sora_guard.engine.claims import (
    BASE64_STARTS,
    binary_file,
    file_tuple,
    image_data_url,
    is_image,
    peek,
    says_image,
)
from sora_guard.engine.signature import HEAD, image_signature
from sora_guard.guard.addresses import replace
from sora_guard.vocabulary.guarding import Base64Text, ImageInput, Outgoing

__all__ = ["MIME_KEYS", "find_images"]

MAX_DEPTH = 16
MIME_KEYS = ("mime_type", "mimeType", "media_type", "mediaType", "content_type", "contentType")
"""Keys that declare the type of the data beside them (``types.Blob``, interactions and Luma parts)."""
_DATA_KEYS = ("data", "bytes", "b64", "base64")
"""Words in a key whose text value, beside an image MIME type, is the image's base64 (not a file id)."""


def find_images(arguments: Mapping, claimed: Collection[tuple], profile: str | None) -> list[ImageInput]:
    """Every image under ``arguments`` outside the ``claimed`` addresses, each against ``profile``."""
    return list(_walk(arguments, (), frozenset(claimed), profile, set(), 0))


_SCALARS = (int, float, bool, type(None))


def _walk(value, where: tuple, claimed, profile, ancestors: set[int], depth: int) -> Iterator[ImageInput]:
    """The images under ``value``; ``ancestors`` (the containers above it) stop a cycle, not a shared part."""
    if depth > MAX_DEPTH or id(value) in ancestors:
        return
    ancestors.add(id(value))
    for key, item, mime in _children(value):
        if type(item) in _SCALARS:
            continue
        at = (*where, key)
        if at in claimed:
            continue
        found = _image(item, at, value, key, mime, profile)
        if found is not None:
            yield found
        elif _container(item):
            yield from _walk(item, at, claimed, profile, ancestors, depth + 1)
    ancestors.discard(id(value))


def _container(value: object) -> bool:
    return isinstance(value, (Mapping, list, tuple)) or _fields(value) is not None


def _fields(value: object) -> tuple[str, ...] | None:
    """The field names of a pydantic model or dataclass instance (None for anything else)."""
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, Mapping):
        return tuple(fields)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(f.name for f in dataclasses.fields(value))
    return None


def _children(value: object) -> Iterator[tuple[object, object, str | None]]:
    """``(key, item, declared MIME type beside it)`` for each item of a container."""
    if isinstance(value, Mapping):
        mime = _declared(value.get(k) for k in MIME_KEYS if k in value)
        for key, item in list(value.items()):
            yield key, item, None if key in MIME_KEYS else mime
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield i, item, None
    else:
        names = _fields(value) or ()
        mime = _declared(getattr(value, k, None) for k in MIME_KEYS if k in names)
        for name in names:
            yield name, getattr(value, name, None), None if name in MIME_KEYS else mime


def _declared(values) -> str | None:
    return next((v for v in values if isinstance(v, str)), None)


def _image(value, where: tuple, parent, key, mime: str | None, profile) -> ImageInput | None:
    """``value`` as an image input when it is one (says so, or starts like one), else None."""
    label = ".".join(map(str, where))
    if isinstance(value, str):
        return _text(value, where, label, parent, key, mime, profile)
    if isinstance(value, (bytes, bytearray, memoryview)):
        if not (says_image(mime) or image_signature(bytes(value[:HEAD]))):
            return None
        return _typed(label, where, value, parent, key, mime, profile, _data)
    if file_tuple(value):
        if not is_image(value):
            return None
        return ImageInput(label, where, value, profile=profile, encode=Outgoing.file_tuple)
    if isinstance(value, os.PathLike) or binary_file(value):
        if not is_image(value):
            return None
        return ImageInput(label, where, value, profile=profile, fixable=False)
    return None


def _text(value: str, where, label, parent, key, mime, profile) -> ImageInput | None:
    if value[:5].lower() == "data:":
        if image_data_url(value):
            return ImageInput(label, where, value, profile=profile, encode=Outgoing.data_url)
        return None
    wanted = says_image(mime) and any(w in str(key).lower() for w in _DATA_KEYS) and "://" not in value[:16]
    if not (wanted or (value.startswith(BASE64_STARTS) and peek(value))):
        return None
    return _typed(label, where, Base64Text(value), parent, key, mime, profile, Outgoing.base64)


def _typed(label, where, value, parent, key, mime, profile, form) -> ImageInput:
    """Image data, with the MIME type beside it when there is one: fixed data replaces both (in a
    copy of the parent, so the input's address is the parent's)."""
    if mime is None:
        return ImageInput(label, where, value, profile=profile, encode=form)
    mime_key = next(
        k for k in MIME_KEYS if (k in parent if isinstance(parent, Mapping) else hasattr(parent, k))
    )

    def encode(out: Outgoing) -> object:
        return replace(replace(parent, (key,), form(out)), (mime_key,), out.mime)

    return ImageInput(label, where[:-1], value, profile=profile, declared_mime=mime, encode=encode)


def _data(out: Outgoing) -> bytes:
    return out.data
