"""Find every image in a call's arguments, at any depth: what says it is an image (a ``data:image/``
URI, an ``image/*`` MIME type beside it, an image file extension) or starts like one."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import io
import mimetypes
import os
from collections.abc import Collection, Iterator, Mapping

from sora_guard.engine.signature import HEAD, image_signature
from sora_guard.guard.addresses import replace
from sora_guard.vocabulary.formats import EXTENSION_FORMATS
from sora_guard.vocabulary.guarding import Base64Text, ImageInput, Outgoing

__all__ = ["MIME_KEYS", "find_images", "is_image"]

MAX_DEPTH = 16
MIME_KEYS = ("mime_type", "mimeType", "media_type", "mediaType", "content_type", "contentType")
"""Keys that declare the type of the data beside them (``types.Blob``, interactions and Luma parts)."""
_DATA_KEYS = ("data", "bytes", "b64", "base64")
"""Words in a key whose text value, beside an image MIME type, is the image's base64 (not a file id)."""
_BASE64_STARTS = ("/9j/", "iVBORw0KGgo", "R0lGOD", "UklGR", "SUkqA", "TU0AK", "Qk", "AAAA", "/wo", "OEJQU")
"""How the base64 of each signature in :func:`~sora_guard.engine.signature.image_signature` starts."""
_PEEK_CHARS = (HEAD + 2) // 3 * 4


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


def _says_image(mime: str | None) -> bool:
    return isinstance(mime, str) and mime.strip().lower().startswith("image/")


def _image(value, where: tuple, parent, key, mime: str | None, profile) -> ImageInput | None:
    """``value`` as an image input when it is one (says so, or starts like one), else None."""
    label = ".".join(map(str, where))
    if isinstance(value, str):
        return _text(value, where, label, parent, key, mime, profile)
    if isinstance(value, (bytes, bytearray, memoryview)):
        if not (_says_image(mime) or image_signature(bytes(value[:HEAD]))):
            return None
        return _typed(label, where, value, parent, key, mime, profile, _data)
    if _file_tuple(value):
        if not is_image(value):
            return None
        return ImageInput(label, where, value, profile=profile, encode=Outgoing.file_tuple)
    if isinstance(value, os.PathLike) or _binary_file(value):
        if not is_image(value):
            return None
        return ImageInput(label, where, value, profile=profile, fixable=False)
    return None


def is_image(value: object) -> bool:
    """True when a value an SDK would upload or encode is an image by its own say or its content: a
    data URL (``data:image/``, or base64 that starts like an image), bytes that start like one, a
    file tuple's ``image/*`` MIME type or name, a path's or a file object's name (an image extension
    or an ``image/*`` type), or a file whose first bytes are an image's (a file whose name declares
    another type, such as ``voice.mp3``, is not opened to look). The one test of the scan and the
    adapters: a value it refuses is not the guard's (audio, video, documents)."""
    if isinstance(value, str):
        return _image_data_url(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return image_signature(bytes(value[:HEAD])) is not None
    if _file_tuple(value):
        named = value[0] if isinstance(value[0], str) else _name(value[1])
        return (
            _says_image(value[2] if len(value) > 2 else None)
            or _named_image(named)
            or image_signature(_head(value[1]) or b"") is not None
        )
    if isinstance(value, os.PathLike) or _binary_file(value):
        return _named_image(_name(value)) or image_signature(_head(value) or b"") is not None
    return False


def _image_data_url(value: str) -> bool:
    if value[:5].lower() != "data:":
        return False
    comma = value.find(",", 0, 256)
    head = value[5 : comma if comma >= 0 else 256].lower()
    return _says_image(head.split(";")[0]) or (
        comma >= 0
        and head.endswith(";base64")
        and _peek(value[comma + 1 : comma + 1 + _PEEK_CHARS]) is not None
    )


def _text(value: str, where, label, parent, key, mime, profile) -> ImageInput | None:
    if value[:5].lower() == "data:":
        if _image_data_url(value):
            return ImageInput(label, where, value, profile=profile, encode=Outgoing.data_url)
        return None
    wanted = _says_image(mime) and any(w in str(key).lower() for w in _DATA_KEYS) and "://" not in value[:16]
    if not (wanted or (value.startswith(_BASE64_STARTS) and _peek(value))):
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


def _peek(text: str) -> str | None:
    """The signature of the image whose base64 ``text`` starts with, else None (decodes only its head)."""
    try:
        return image_signature(base64.b64decode(text[:_PEEK_CHARS], validate=True))
    except (binascii.Error, ValueError):
        return None


def _file_tuple(value: object) -> bool:
    """A multipart file tuple ``(name, content[, mime[, headers]])``."""
    return (
        type(value) is tuple
        and 2 <= len(value) <= 4
        and (value[0] is None or isinstance(value[0], str))
        and (isinstance(value[1], (bytes, bytearray, os.PathLike)) or _binary_file(value[1]))
    )


def _binary_file(value: object) -> bool:
    return isinstance(value, io.IOBase) and not isinstance(value, io.TextIOBase)


def _name(value: object) -> str | None:
    name = os.fspath(value) if isinstance(value, os.PathLike) else getattr(value, "name", None)
    return os.fsdecode(name) if isinstance(name, (str, bytes)) else None


def _named_image(name: object) -> bool:
    """True when a file name's extension says image (sora-guard's image extensions or an ``image/*`` type)."""
    if not isinstance(name, str):
        return False
    extension = os.path.splitext(name)[1].lower()
    return extension in EXTENSION_FORMATS or _says_image(mimetypes.guess_type(name)[0])


def _head(value: object) -> bytes | None:
    """The first bytes of bytes, an unnamed-type file (read and put back) or a file object that can seek."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value[:HEAD])
    if isinstance(value, os.PathLike):
        name = _name(value)
        if name is None or mimetypes.guess_type(name)[0] or not os.path.isfile(name):
            return None  # a type its name declares (a video, a PDF) is not opened to look
        try:
            with open(value, "rb") as fp:
                return fp.read(HEAD)
        except OSError:
            return None
    try:
        position = value.tell()
        head = value.read(HEAD)
        value.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return head if isinstance(head, bytes) else None


def _data(out: Outgoing) -> bytes:
    return out.data
