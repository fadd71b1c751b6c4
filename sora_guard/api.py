"""The Python API: the run context the CLI uses, for paths, bytes or PIL images; nothing here changes
the host process (Pillow's settings, warnings, the allocator)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from sora_guard.config import Settings
from sora_guard.engine.fitting import fit_data, fit_picture
from sora_guard.engine.opener import open_source, read_source
from sora_guard.plugins.host import Registry, load_registry
from sora_guard.run.context import RunContext
from sora_guard.run.fixrun import FixResults
from sora_guard.vocabulary.contract import FitOptions
from sora_guard.vocabulary.exceptions import TooManyPixels, lookup
from sora_guard.vocabulary.model import FileReport, Limits, Report, Size, Target

if TYPE_CHECKING:
    from PIL import Image

    from sora_guard.run.executors import Executor

__all__ = ["check", "check_paths", "fit_image", "fix_paths", "make_settings", "open_image"]


def make_settings(settings: Settings | None = None, **options: Any) -> Settings:
    """Validated settings from keyword options named like configuration keys (``max_bytes`` for ``max-bytes``).

    Without ``settings``, no configuration file is read: the API does what its arguments say.
    Made once and passed as ``settings=``, they save each call loading them again.
    """
    return RunContext.from_options(settings, **options).settings


def check(
    source: str | os.PathLike | bytes | Image.Image,
    *,
    name: str | None = None,
    settings: Settings | None = None,
    **options: Any,
) -> FileReport:
    """Check one image: a path, the bytes of a file (``name`` gives its file name) or a PIL image.

    Options are configuration keys as keyword arguments: ``profile="veo"``, ``size="1280x720"``,
    ``select=["SG1"]``, ``ignore=[...]``, ``formats=[...]``, ``max_bytes=...``.
    """
    run = RunContext.from_options(settings, **options)
    run.warn_notices()
    if isinstance(source, (str, os.PathLike)):
        return run.check_path(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return run.check_bytes(bytes(source), name or "<bytes>")
    return run.check_image(source, name)


def check_paths(
    paths: Iterable[str | os.PathLike],
    *,
    settings: Settings | None = None,
    jobs: int | None = None,
    executor: Executor | None = None,
    **options: Any,
) -> Report:
    """Check files and folders (recursively) like ``sora-guard check`` and return one report.

    Paths may be URLs (``s3://bucket/prefix``); ``executor`` runs the checks elsewhere, e.g. a
    :class:`~sora_guard.run.dask_executor.DaskExecutor`.
    """
    run = RunContext.from_options(settings, jobs=jobs, executor=executor, **options)
    run.warn_notices()
    return run.check(paths)


def fix_paths(
    paths: Iterable[str | os.PathLike],
    *,
    out: str | os.PathLike | None = None,
    dry_run: bool = False,
    anchor: tuple[float, float] | None = None,
    crop_box: tuple[float, float, float, float] | None = None,
    settings: Settings | None = None,
    jobs: int | None = None,
    executor: Executor | None = None,
    **options: Any,
) -> FixResults:
    """Fix files and folders like ``sora-guard fix``; options are configuration keys.

    ``sora_guard.fix_paths(["assets"], size="1280x720", strategy="blur-pad", out="fixed")``; paths
    and ``out`` may be URLs, and ``executor`` (e.g. a ``DaskExecutor``) runs the fixes elsewhere.

    Returns a list of one :class:`~sora_guard.run.fix.FixResult` per file, in input order, whose
    ``unread`` holds the SG501 reports of folders and links the walk did not read (an unreadable
    folder, a link out of the tree), as ``sora-guard fix`` prints them; ``failed`` is True when
    ``fix`` would exit 1.
    """
    run = RunContext.from_options(settings, jobs=jobs, executor=executor, **options)
    run.warn_notices()
    return run.fix(list(paths), out=out, dry_run=dry_run, anchor=anchor, crop_box=crop_box).collect()


def open_image(
    source: str | os.PathLike | bytes | IO[bytes],
    *,
    max_pixels: int = Limits.max_pixels,
    max_file_bytes: int = Limits.max_file_bytes,
) -> Image.Image:
    """Open an image the way sora-guard does: a path (or URL), bytes or a binary file object, HEIC and
    HEIF included, read into memory (at most ``max_file_bytes``) and refused with
    :class:`~sora_guard.vocabulary.exceptions.TooManyPixels` before any decoding when it declares
    more than ``max_pixels``. Pillow's own ``MAX_IMAGE_PIXELS`` plays no part and is left alone.
    """
    return open_source(source, Limits(max_pixels=max_pixels, max_file_bytes=max_file_bytes))


def fit_image(
    image: Image.Image | str | os.PathLike | bytes | IO[bytes],
    size: Size | str | Target,
    strategy: str = "cover",
    options: FitOptions | None = None,
    *,
    registry: Registry | None = None,
    max_pixels: int = Limits.max_pixels,
    max_file_bytes: int = Limits.max_file_bytes,
    max_decode_seconds: float | None = Limits.max_decode_seconds,
) -> Image.Image:
    """Fit a picture to ``size`` (``"1280x720"``, a Size, or a Target) with a named strategy.

    ``image`` is a PIL image, or anything :func:`open_image` opens (a HEIC photo's path too). The
    result is RGB (or RGBA when the picture has alpha), in sRGB, the right way up and exactly the
    requested size; a PIL image passed in is left alone. One over ``max_pixels`` is refused before
    it is decoded (:class:`~sora_guard.vocabulary.exceptions.TooManyPixels`).

    A path, bytes or stream is fitted as ``fix`` fits a file: read within ``max_file_bytes``,
    refused before decoding when it is a progressive-JPEG scan bomb, decoded once at the smallest
    scale that serves, within ``max_decode_seconds``
    (:class:`~sora_guard.vocabulary.exceptions.FitError` when it cannot be).
    """
    from PIL import Image  # as every picture sora-guard fits has it

    registry = registry or load_registry()
    chosen = lookup("strategy", strategy, registry.strategies)
    exact = Size.parse(size) if isinstance(size, str) else size
    options = options or FitOptions()
    if isinstance(image, Image.Image):  # the caller's own: copied, never changed
        if image.width * image.height > max_pixels:
            raise TooManyPixels(image.size, max_pixels)
        return fit_picture(image, exact, chosen, options, registry.finders).image
    limits = Limits(
        max_pixels=max_pixels, max_file_bytes=max_file_bytes, max_decode_seconds=max_decode_seconds
    )
    name = os.fspath(image) if isinstance(image, (str, os.PathLike)) else "<bytes>"
    return fit_data(read_source(image, limits), exact, chosen, options, registry.finders, limits, name).image
