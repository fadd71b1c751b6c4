"""``Image.open`` for a stream and ``Image.save`` in a format, each loading only the plugin it needs,
not Pillow's five common ones."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import IO, Any

from PIL import Image, UnidentifiedImageError

__all__ = ["open_image", "save_image"]

_PREINIT_PLUGINS = (
    (b"\xff\xd8\xff", "JPEG", "JpegImagePlugin"),
    (b"\x89PNG\r\n\x1a\n", "PNG", "PngImagePlugin"),
    (b"GIF87a", "GIF", "GifImagePlugin"),
    (b"GIF89a", "GIF", "GifImagePlugin"),
)
"""Signatures of formats Pillow's ``preinit`` loads a plugin for, each with that plugin."""

_SAVE_PLUGINS = {"JPEG": "JpegImagePlugin", "PNG": "PngImagePlugin", "WEBP": "WebPImagePlugin"}
"""The plugin that writes each format sora-guard writes."""


def open_image(fp: IO[bytes]) -> Image.Image:
    """``Image.open(fp)``, the same image or error, without importing plugins the content does not need.

    Opening a stream, Pillow first imports five plugins (``preinit``: BMP, GIF, JPEG, PPM, PNG; PNG's
    brings ``fractions`` and ``decimal``). When the content starts with one of their signatures and
    no plugin registered before would take it, that plugin is the one Pillow would pick: it is
    imported alone and ``preinit`` skipped for this open. What it cannot open goes to ``Image.open``.
    """
    prefix = fp.read(16)
    fp.seek(0)
    plugin = next((p for p in _PREINIT_PLUGINS if prefix.startswith(p[0])), None)
    if plugin is None or Image._initialized or _claimed(prefix, plugin[1]):
        return Image.open(fp)
    importlib.import_module(f"PIL.{plugin[2]}")
    try:
        with _preinit_skipped():
            return Image.open(fp, formats=(plugin[1],))
    except UnidentifiedImageError:
        pass
    return Image.open(fp)


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
