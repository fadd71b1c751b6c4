"""Which files a run looks at: explicit paths always, directories walked for image extensions."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from sora_guard.config import Settings
from sora_guard.engine.check import check_info
from sora_guard.vocabulary.formats import UNREAD_FORMATS, is_image_name, is_url
from sora_guard.vocabulary.model import FileReport, ImageInfo

__all__ = ["Found", "Skipped", "discover", "is_image_name", "not_read", "skipped_reports"]


class Skipped:
    """A path the walk did not read, and why. ``error``: images may have been missed (a folder that
    cannot be listed); ``warned``: a link deliberately not followed (both are SG501 diagnostics);
    neither: a file in a format sora-guard does not read, or without an extension, only counted.
    A plain record, not a dataclass: see "Start-up" in docs/architecture.md."""

    __slots__ = ("path", "reason", "error", "warned", "folder")

    def __init__(self, path: str, reason: str, error: bool, folder: bool, warned: bool = False) -> None:
        self.path, self.reason, self.error, self.warned, self.folder = path, reason, error, warned, folder


class Found:
    """What a walk over ``paths`` yields: the files to read, in order, and every path it skipped."""

    __slots__ = ("files", "skipped")

    def __init__(self, paths: Iterable[str | os.PathLike], settings: Settings) -> None:
        self.skipped: list[Skipped] = []
        self.files = list(discover(paths, settings, self.skipped))

    def reports(self, settings: Settings) -> list[FileReport]:
        return skipped_reports(self.skipped, settings)

    @property
    def unread(self) -> list[Skipped]:
        return not_read(self.skipped)


def discover(
    paths: Iterable[str | os.PathLike], settings: Settings, skipped: list[Skipped] | None = None
) -> Iterator[str]:
    """Yield the files to check, each once, in a stable order.

    A path named explicitly is always yielded (a missing one too: the probe reports it), unless
    ``force-exclude`` is set and it matches ``exclude``, as pre-commit hooks want. Directories are
    walked; excluded folders are pruned and only files with an image extension are yielded.
    Symbolic links inside a walked folder that point out of it are not followed (unless
    ``follow-symlinks``); those, link loops and unreadable folders are appended to ``skipped``.
    URLs (``s3://bucket/prefix``) are listed by :func:`storage.walk` in the same order.
    """
    skipped = [] if skipped is None else skipped
    seen: set[str] = set()
    for raw in paths:
        path = os.fspath(raw)
        if is_url(path):
            from sora_guard.io.storage import walk  # fsspec loads only for URLs

            if settings.force_excluded(path):
                continue
            found: Iterable[str] = walk(path, settings.storage_options, settings.is_excluded)
        elif os.path.isdir(path) and not os.path.islink(path.rstrip(os.sep) or path):
            found = _walk(path, settings, skipped)
        elif settings.force_excluded(path):
            continue
        else:
            found = (path,)
        for item in found:
            key = os.path.normpath(item)
            if key not in seen:
                seen.add(key)
                yield item


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(os.path.join(root, ""))


def _walk(top: str, settings: Settings, skipped: list[Skipped]) -> Iterator[str]:
    root = os.path.realpath(top)
    visited = {root}

    def unreadable(exc: OSError) -> None:
        reason = f"{exc.strerror or exc}; images in it were not checked"
        skipped.append(Skipped(os.path.normpath(exc.filename or top), reason, True, True))

    for folder, dirs, files in os.walk(top, onerror=unreadable, followlinks=settings.follow_symlinks):
        kept = []
        for name in sorted(dirs):
            path = os.path.join(folder, name)
            if settings.is_excluded(path):
                continue
            if os.path.islink(path):
                real = os.path.realpath(path)
                if _inside(os.path.realpath(folder), real):
                    reason = f"symbolic link loop (-> {real}); not followed"
                    skipped.append(Skipped(os.path.normpath(path), reason, False, True, warned=True))
                    continue
                if _inside(real, root) or real in visited:
                    continue  # its target is walked anyway
                if not settings.follow_symlinks:
                    reason = f"symbolic link to a folder outside {top} (-> {real}); not followed"
                    skipped.append(Skipped(os.path.normpath(path), reason, False, True, warned=True))
                    continue
                visited.add(real)
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = os.path.normpath(os.path.join(folder, name))
            if not is_image_name(name):
                why = _unread(name)
                if why and not settings.is_excluded(path):
                    skipped.append(Skipped(path, why, False, False))
                continue
            if settings.is_excluded(path):
                continue
            if not settings.follow_symlinks and os.path.islink(path):
                real = os.path.realpath(path)
                if os.path.exists(real) and not _inside(real, root):
                    reason = f"symbolic link to a file outside {top} (-> {real}); not followed"
                    skipped.append(Skipped(path, reason, False, False, warned=True))
                    continue
            yield path


def _unread(name: str) -> str | None:
    """Why a file a walk meets is skipped though it may be an image (a format sora-guard does not
    read, or no extension), or None for one that plainly is not an image (``notes.txt``, ``.gitignore``)."""
    ext = os.path.splitext(name)[1].lower()
    if ext in UNREAD_FORMATS:
        return f"{UNREAD_FORMATS[ext]} ({ext})"
    if not ext and not name.startswith("."):
        return "no extension"
    return None


def not_read(skipped: Iterable[Skipped]) -> list[Skipped]:
    """The files skipped without a diagnostic: formats sora-guard does not read, no extension."""
    return [s for s in skipped if not (s.error or s.warned)]


def skipped_reports(skipped: Iterable[Skipped], settings: Settings) -> list[FileReport]:
    """An SG501 report for each folder or link skipped: an error, or for a link not followed a warning."""
    reports = []
    for item in skipped:
        if not (item.error or item.warned):
            continue
        info = ImageInfo(
            name=item.path,
            read_error=item.reason if item.error else None,
            skipped=None if item.error else item.reason,
            folder=item.folder,
        )
        own = settings.for_path(item.path)
        reports.append(check_info(info, own.target(), own.rules()))
    return reports
