"""The one way sora-guard opens an image (limits first, HEIF included, only the plugin the content
needs) and saves one in a format (only that format's plugin)."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import struct
from collections.abc import Iterable, Iterator
from typing import IO, Any

from PIL import Image, UnidentifiedImageError

from sora_guard.engine import heif
from sora_guard.io.read import read_bounded, read_stream
from sora_guard.vocabulary.exceptions import TooManyPixels
from sora_guard.vocabulary.model import Limits

__all__ = ["open_image", "open_source", "read_source", "save_image"]

_PREINIT_PLUGINS = (
    (b"\xff\xd8\xff", "JPEG", "JpegImagePlugin"),
    (b"\x89PNG\r\n\x1a\n", "PNG", "PngImagePlugin"),
    (b"GIF87a", "GIF", "GifImagePlugin"),
    (b"GIF89a", "GIF", "GifImagePlugin"),
)
"""Signatures of formats Pillow's ``preinit`` loads a plugin for, each with that plugin."""

_SAVE_PLUGINS = {"JPEG": "JpegImagePlugin", "PNG": "PngImagePlugin", "WEBP": "WebPImagePlugin"}
"""The plugin that writes each format sora-guard writes."""


def open_image(fp: IO[bytes], max_pixels: int | None = None) -> Image.Image:
    """``Image.open(fp)``: the same image or error, with HEIF readable, without plugins the content does
    not need, and with ``max_pixels`` instead of Pillow's process-wide ``MAX_IMAGE_PIXELS``.

    An image declaring more than ``max_pixels`` pixels raises :class:`TooManyPixels` as soon as its
    header is read, before anything can decode it (None: no limit; the caller checks the size itself,
    before any read that may decode, such as a PNG's EXIF). Pillow's own limit, a global a host program
    may have changed, plays no part: every door gets the same answer. Opening a stream, Pillow first
    imports five plugins (``preinit``: BMP, GIF, JPEG, PPM, PNG; PNG's brings ``fractions`` and
    ``decimal``); when the content starts with one of their signatures and no plugin registered
    before would take it, that plugin is the one Pillow would pick, and it is imported alone.
    """
    head = fp.read(64)
    fp.seek(0)
    if heif.brand_format(head) == "HEIF":
        heif.register_opener()  # when it cannot, no plugin takes the file: UnidentifiedImageError
    plugin = next((p for p in _PREINIT_PLUGINS if head.startswith(p[0])), None)
    im = None
    if plugin is not None and not Image._initialized and not _claimed(head[:16], plugin[1]):
        importlib.import_module(f"PIL.{plugin[2]}")
        im = _search(fp, (plugin[1],))
    if im is None:
        im = _search_all(fp)
    if max_pixels is not None and im.width * im.height > max_pixels:
        size = im.size
        im.close()
        raise TooManyPixels(size, max_pixels)
    return im


def open_source(source: str | os.PathLike | bytes | IO[bytes], limits: Limits = Limits()) -> Image.Image:
    """A file (a URL too), its bytes or a binary stream opened by :func:`open_image`: read whole into
    memory first, never more than ``max_file_bytes``, then refused over ``max_pixels`` before decoding.

    Raises ``OSError`` (unreadable, or larger than the read limit), ``UnidentifiedImageError`` (not
    an image sora-guard reads) or :class:`TooManyPixels`.
    """
    return open_image(io.BytesIO(read_source(source, limits)), limits.max_pixels)


def read_source(source: str | os.PathLike | bytes | IO[bytes], limits: Limits = Limits()) -> bytes:
    """The bytes of a file (a URL too), of a binary stream, or ``source`` itself: never more than
    ``limits.max_file_bytes`` (over it: ``OSError``)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data: bytes | None = bytes(source) if len(source) <= limits.max_file_bytes else None
    elif isinstance(source, (str, os.PathLike)):
        data = read_bounded(source, limits.max_file_bytes)[1]
    else:
        data = read_stream(source, limits.max_file_bytes)
    if data is None:
        raise OSError(
            f"more than {limits.max_file_bytes} bytes, over the per-file read limit (max-file-bytes)"
        )
    return data


def _search(fp: IO[bytes], formats: Iterable[str]) -> Image.Image | None:
    """The image the first of ``formats`` whose plugin takes the content opens, as ``Image.open`` tries
    them (a plugin that fails on the header lets the next one try), or None."""
    fp.seek(0)
    prefix = fp.read(16)
    for fmt in formats:
        factory, accept = Image.OPEN.get(fmt, (None, None))
        result = factory is not None and (not accept or accept(prefix))
        if result and not isinstance(result, str):
            fp.seek(0)
            try:
                return factory(fp, "")
            except (SyntaxError, IndexError, TypeError, struct.error):
                continue
    return None


def _search_all(fp: IO[bytes]) -> Image.Image:
    """Every registered plugin, then preinit's, then all of Pillow's, as ``Image.open`` searches."""
    tried: list[str] = []
    for load in (None, Image.preinit, Image.init):
        if load is not None:
            load()
        formats = [f for f in Image.ID if f not in tried]
        im = _search(fp, formats)
        if im is not None:
            return im
        tried += formats
    raise UnidentifiedImageError("cannot identify image file")


def save_image(im: Image.Image, fp: IO[bytes], fmt: str, **params: Any) -> None:
    """``im.save(fp, fmt, **params)``, the same bytes or error, importing only ``fmt``'s plugin.

    Saving in a named format, Pillow first imports ``preinit``'s five plugins (and all of them when
    the format is not among theirs, as WebP is not). Once ``fmt``'s plugin has registered its writer,
    that writer is the one Pillow would pick: ``preinit`` is skipped for this save.
    """
    importlib.import_module(f"PIL.{_SAVE_PLUGINS[fmt]}")
    if Image._initialized or fmt not in Image.SAVE:
        im.save(fp, fmt, **params)
        return
    with _preinit_skipped():
        im.save(fp, fmt, **params)


@contextlib.contextmanager
def _preinit_skipped() -> Iterator[None]:
    """Pillow's ``preinit`` a no-op within: its own flag set, cleared again after."""
    Image._initialized = 1
    try:
        yield
    finally:
        if Image._initialized == 1:  # unless another thread's init() raised it meanwhile
            Image._initialized = 0


def _claimed(prefix: bytes, fmt: str) -> bool:
    """True when a registered plugin other than ``fmt``'s would take an image starting with ``prefix``
    (as ``Image.open`` asks: no test, or a test answering neither false nor a warning)."""
    for name, (_, accept) in list(Image.OPEN.items()):
        result = not accept or accept(prefix)
        if name != fmt and result and not isinstance(result, str):
            return True
    return False
