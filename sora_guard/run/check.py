"""Batch check: many files through the executor and the cache into one report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sora_guard.config import Settings
from sora_guard.engine.check import check_path
from sora_guard.run.pool import LocalExecutor
from sora_guard.vocabulary.model import FileReport, Report

if TYPE_CHECKING:
    from sora_guard.run.cache import CheckCache
    from sora_guard.run.executors import Executor

__all__ = ["check_file", "check_files"]


def check_file(path: str, settings: Settings) -> FileReport:
    """Check one file with the settings that apply to its path."""
    own = settings.for_path(path)
    return check_path(path, own.all_targets(), own.rules(), own.storage_options)


def check_files(
    paths: Iterable[str],
    settings: Settings,
    jobs: int | None = None,
    executor: Executor | None = None,
    cache: CheckCache | None = None,
) -> Report:
    """Check every file, in order, and collect one report.

    With a ``cache``, files whose identity is unchanged are answered from it; only the others
    go to the executor, and their results are stored for the next run.
    """
    run = executor or LocalExecutor(jobs)
    if cache is None:
        return Report(files=list(run.map(check_file, paths, settings)))
    files: list[FileReport | None] = []
    misses: list[tuple[int, str, tuple | None]] = []
    for path in paths:
        key = cache.key(path)
        hit = cache.get(path, key, settings.for_path(path).target()) if key else None
        if hit is None:
            misses.append((len(files), path, key))
        files.append(hit)
    for (index, path, key), report in zip(misses, run.map(check_file, [m[1] for m in misses], settings)):
        files[index] = report
        if key:
            cache.put(path, key, report)
    cache.save()
    return Report(files=files)
