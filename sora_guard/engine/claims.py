"""What a value an SDK would upload says it is, or starts like: the one test of whether it is an image
(the guard's scan and its adapters ask it), read from names, MIME types and first bytes, never decoded."""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import os

from sora_guard.engine.signature import HEAD, image_signature
from sora_guard.vocabulary.formats import EXTENSION_FORMATS

__all__ = [
    "BASE64_STARTS",
    "binary_file",
    "file_tuple",
    "head_of",
    "image_data_url",
    "is_image",
    "name_of",
    "named_image",
    "peek",
    "says_image",
]

BASE64_STARTS = ("/9j/", "iVBORw0KGgo", "R0lGOD", "UklGR", "SUkqA", "TU0AK", "Qk", "AAAA", "/wo", "OEJQU")
"""How the base64 of each signature in :func:`~sora_guard.engine.signature.image_signature` starts."""
_PEEK_CHARS = (HEAD + 2) // 3 * 4


def says_image(mime: str | None) -> bool:
    """True when a MIME type names an image (``image/...``)."""
    return isinstance(mime, str) and mime.strip().lower().startswith("image/")


def is_image(value: object) -> bool:
    """True when a value an SDK would upload or encode is an image by its own say or its content: a
    data URL (``data:image/``, or base64 that starts like an image), bytes that start like one, a
    file tuple's ``image/*`` MIME type or name, a path's or a file object's name (an image extension
    or an ``image/*`` type), or a file whose first bytes are an image's (a file whose name declares
    another type, such as ``voice.mp3``, is not opened to look). The one test of the scan and the
    adapters: a value it refuses is not the guard's (audio, video, documents)."""
    if isinstance(value, str):
        return image_data_url(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return image_signature(bytes(value[:HEAD])) is not None
    if file_tuple(value):
        named = value[0] if isinstance(value[0], str) else name_of(value[1])
        return (
            says_image(value[2] if len(value) > 2 else None)
            or named_image(named)
            or image_signature(head_of(value[1]) or b"") is not None
        )
    if isinstance(value, os.PathLike) or binary_file(value):
        return named_image(name_of(value)) or image_signature(head_of(value) or b"") is not None
    return False


def image_data_url(value: str) -> bool:
    if value[:5].lower() != "data:":
        return False
    comma = value.find(",", 0, 256)
    head = value[5 : comma if comma >= 0 else 256].lower()
    return says_image(head.split(";")[0]) or (
        comma >= 0
        and head.endswith(";base64")
        and peek(value[comma + 1 : comma + 1 + _PEEK_CHARS]) is not None
    )


def peek(text: str) -> str | None:
    """The signature of the image whose base64 ``text`` starts with, else None (decodes only its head)."""
    try:
        return image_signature(base64.b64decode(text[:_PEEK_CHARS], validate=True))
    except (binascii.Error, ValueError):
        return None


def file_tuple(value: object) -> bool:
    """A multipart file tuple ``(name, content[, mime[, headers]])``."""
    return (
        type(value) is tuple
        and 2 <= len(value) <= 4
        and (value[0] is None or isinstance(value[0], str))
        and (isinstance(value[1], (bytes, bytearray, os.PathLike)) or binary_file(value[1]))
    )


def binary_file(value: object) -> bool:
    return isinstance(value, io.IOBase) and not isinstance(value, io.TextIOBase)


def name_of(value: object) -> str | None:
    name = os.fspath(value) if isinstance(value, os.PathLike) else getattr(value, "name", None)
    return os.fsdecode(name) if isinstance(name, (str, bytes)) else None


def named_image(name: object) -> bool:
    """True when a file name's extension says image (sora-guard's image extensions or an ``image/*`` type)."""
    if not isinstance(name, str):
        return False
    extension = os.path.splitext(name)[1].lower()
    return extension in EXTENSION_FORMATS or says_image(mimetypes.guess_type(name)[0])


def head_of(value: object) -> bytes | None:
    """The first bytes of bytes, an unnamed-type file (read and put back) or a file object that can seek."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value[:HEAD])
    if isinstance(value, os.PathLike):
        name = name_of(value)
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
