"""Which files a run looks at: explicit paths always, directories walked for image extensions."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from .config import Settings
from .probe import EXTENSION_FORMATS

__all__ = ["discover", "is_image_name"]


def is_image_name(name: str) -> bool:
    """True when the name ends in an extension sora-guard treats as an image."""
    return os.path.splitext(name)[1].lower() in EXTENSION_FORMATS


def discover(paths: Iterable[str | os.PathLike], settings: Settings) -> Iterator[str]:
    """Yield the files to check, each once, in a stable order.

    A path named explicitly is always yielded (a missing one too: the probe reports it), unless
    ``force-exclude`` is set and it matches ``exclude``, as pre-commit hooks want. Directories are
    walked without following symbolic links to directories; excluded folders are pruned and only
    files with an image extension are yielded.
    """
    seen: set[str] = set()
    for raw in paths:
        path = os.fspath(raw)
        if isinstance(path, str) and "://" in path:
            from .storage import walk

            found: Iterable[str] = walk(path, settings)
        elif os.path.isdir(path) and not os.path.islink(path.rstrip(os.sep) or path):
            found = _walk(path, settings)
        elif settings.force_exclude and settings.is_excluded(path):
            continue
        else:
            found = (path,)
        for item in found:
            key = os.path.normpath(item)
            if key not in seen:
                seen.add(key)
                yield item


def _walk(top: str, settings: Settings) -> Iterator[str]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not settings.is_excluded(os.path.join(folder, d)))
        for name in sorted(files):
            path = os.path.normpath(os.path.join(folder, name))
            if is_image_name(name) and not settings.is_excluded(path):
                yield path
