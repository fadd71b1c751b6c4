"""The Python API: the same engine and the same validation the CLI runs, for paths, bytes or PIL images."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sora_guard.config import Settings, settings_from_options
from sora_guard.config.validation import check_out, existing, fit_fractions, validate
from sora_guard.engine.check import check_bytes, check_image
from sora_guard.engine.fitting import fit_opened, output_size
from sora_guard.engine.probe import probe_image
from sora_guard.plugins.host import Registry, default_registry
from sora_guard.run.check import check_file, check_files
from sora_guard.run.discovery import discover, skipped_reports
from sora_guard.run.fix import FixResult, fix_files, plan
from sora_guard.vocabulary.contract import FitOptions
from sora_guard.vocabulary.exceptions import lookup
from sora_guard.vocabulary.model import FileReport, Report, Size, Target

if TYPE_CHECKING:
    from PIL import Image

    from sora_guard.run.executors import Executor

__all__ = ["check", "check_paths", "fit_image", "fix_paths", "make_settings"]


def make_settings(settings: Settings | None = None, **options: Any) -> Settings:
    """Validated settings from keyword options named like configuration keys (``max_bytes`` for ``max-bytes``).

    Without ``settings``, no configuration file is read: the API does what its arguments say.
    """
    return validate(settings_from_options(settings, **options))


def check(
    source: str | os.PathLike | bytes | Image.Image,
    *,
    name: str | None = None,
    settings: Settings | None = None,
    **options: Any,
) -> FileReport:
    """Check one image: a path, the bytes of a file (``name`` gives its file name) or a PIL image.

    Options are configuration keys as keyword arguments: ``profile="sora-2"``, ``size="1280x720"``,
    ``select=["SG1"]``, ``ignore=[...]``, ``formats=[...]``, ``max_bytes=...``.
    """
    s = make_settings(settings, **options)
    if isinstance(source, (str, os.PathLike)):
        return check_file(os.fspath(source), s)
    own = s.for_path(name) if name else s
    if isinstance(source, (bytes, bytearray, memoryview)):
        return check_bytes(bytes(source), own.target(), own.rules(), name=name or "<bytes>")
    return check_image(
        source, own.target(), own.rules(), name=name or getattr(source, "filename", "") or "<image>"
    )


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
    s = make_settings(settings, **options)
    skipped: list = []
    report = check_files(discover(existing(paths), s, skipped), s, jobs, executor=executor)
    report.files.extend(skipped_reports(skipped, s))
    return report


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
) -> list[FixResult]:
    """Fix files and folders like ``sora-guard fix``; options are configuration keys.

    ``sora_guard.fix_paths(["assets"], size="1280x720", strategy="blur-pad", out="fixed")``; paths
    and ``out`` may be URLs, and ``executor`` (e.g. a ``DaskExecutor``) runs the fixes elsewhere.
    """
    s = make_settings(settings, **options)
    paths = existing(paths)
    check_out(paths, out)
    jobs_ = plan(paths, s, out, dry_run, *fit_fractions(s, anchor, crop_box))
    return list(fix_files(jobs_, s, jobs, executor=executor))


def fit_image(
    im: Image.Image,
    size: Size | str | Target,
    strategy: str = "cover",
    options: FitOptions | None = None,
    *,
    registry: Registry | None = None,
) -> Image.Image:
    """Fit a PIL image to ``size`` (``"1280x720"``, a Size, or a Target) with a named strategy.

    The result is RGB (or RGBA when the picture has alpha), in sRGB, the right way up and exactly
    the requested size. ``im`` itself is left alone.
    """
    orientation = probe_image(im).orientation
    shape = Size(*im.size).transposed() if orientation in (5, 6, 7, 8) else Size(*im.size)
    if isinstance(size, Target):
        size = output_size(shape, size)
    elif isinstance(size, str):
        size = Size.parse(size)
    registry = registry or default_registry()
    chosen = lookup("strategy", strategy, registry.strategies)
    finders = registry.finders if chosen.subjects else ()
    return fit_opened(im.copy(), size, chosen, options or FitOptions(), orientation, finders=finders).image
