"""The Python API: the same engine the CLI runs, for a path, bytes or a PIL image."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings
from .engine import check_bytes, check_image
from .model import FileReport, Report

if TYPE_CHECKING:
    from PIL import Image

    from .runner import Executor

__all__ = ["check", "check_paths", "make_settings"]


def make_settings(settings: Settings | None = None, **options: Any) -> Settings:
    """Settings from keyword options named like configuration keys (``max_bytes`` for ``max-bytes``).

    Without ``settings``, no configuration file is read: the API does what its arguments say.
    """
    base = settings or Settings(root=Path.cwd())
    resolved = base.override({k.replace("_", "-"): v for k, v in options.items() if v is not None}, "arguments")
    resolved.resolve_profile(resolved.profile)  # an unknown profile fails here, not per file
    return resolved


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
    if isinstance(source, (bytes, bytearray, memoryview)):
        own = s.for_path(name) if name else s
        return check_bytes(bytes(source), own.target(), own.rules(), name=name or "<bytes>")
    if isinstance(source, (str, os.PathLike)):
        from .runner import check_file

        return check_file(os.fspath(source), s)
    own = s.for_path(name) if name else s
    return check_image(source, own.target(), own.rules(), name=name or getattr(source, "filename", "") or "<image>")


def check_paths(
    paths: Iterable[str | os.PathLike], *, settings: Settings | None = None, jobs: int | None = None, executor: Executor | None = None, **options: Any
) -> Report:
    """Check files and folders (recursively) like ``sora-guard check`` and return one report.

    Paths may be URLs (``s3://bucket/prefix``); ``executor`` runs the checks elsewhere, e.g. a
    :class:`~sora_guard.dask_executor.DaskExecutor`.
    """
    from .files import discover, skipped_reports
    from .runner import check_files

    s = make_settings(settings, **options)
    skipped: list = []
    report = check_files(discover(paths, s, skipped), s, jobs, executor=executor)
    report.files.extend(skipped_reports(skipped, s))
    return report
