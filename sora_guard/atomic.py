"""Atomic file writes: a temporary file in the same folder, fsync, rename, fsync the folder.

A reader (or a crash, Ctrl-C or ``kill -9``) sees either the old file or the complete new one,
never a partial file. Temporary files carry ``TEMP_PREFIX`` so a later run can recognise and
remove the ones an interrupted run left behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["TEMP_PREFIX", "atomic_writer", "atomic_write_bytes", "is_temp_name"]

TEMP_PREFIX = ".sora-guard-tmp-"


def is_temp_name(name: str) -> bool:
    """True for the names of temporary files sora-guard writes."""
    return os.path.basename(name).startswith(TEMP_PREFIX)


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open folders; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[IO[bytes]]:
    """Yield a binary file; on a clean exit it replaces ``path`` atomically, otherwise it vanishes.

    The new file keeps the permission bits of the file it replaces (or gets the umask default).
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=os.path.splitext(target)[1], dir=folder)
    try:
        with os.fdopen(fd, "wb") as fp:
            yield fp
            fp.flush()
            os.fsync(fp.fileno())
        try:
            os.chmod(temp, os.stat(target).st_mode & 0o7777)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(folder)


def atomic_write_bytes(path: str | os.PathLike | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_writer(path) as fp:
        fp.write(data)
