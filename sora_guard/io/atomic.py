"""Atomic file writes: a temporary file in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["TEMP_PREFIX", "atomic_writer", "atomic_write_bytes", "is_temp_name", "remove_stale"]

TEMP_PREFIX = ".sora-guard-tmp-"
TEMP_SUFFIX = ".tmp"
STALE_AFTER = 24 * 3600
"""Seconds after which a temporary file is removed even if a process with its writer's id runs."""


def is_temp_name(name: str) -> bool:
    """True for the names of temporary files sora-guard writes."""
    return os.path.basename(name).startswith(TEMP_PREFIX)


def fsync_dir(folder: str) -> None:
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


def _copy_ownership(temp: str, target: str) -> None:
    """Give the temporary file the permission bits (and, when allowed, owner) of the file it replaces."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        return
    os.chmod(temp, st.st_mode & 0o7777)
    if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(temp, st.st_uid, st.st_gid)


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike, *, overwrite: bool = True, like: str | os.PathLike | None = None
) -> Iterator[IO[bytes]]:
    """Yield a binary file; on a clean exit it replaces ``path`` atomically, otherwise it vanishes.

    The new file keeps the permission bits of the file it replaces (or of ``like``, or gets the
    umask default). With ``overwrite=False`` it never replaces an existing file: it raises
    ``FileExistsError`` instead, decided atomically by a hard link where the file system has them.
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fp:
            yield fp
            fp.flush()
            os.fsync(fp.fileno())
        _copy_ownership(temp, os.fspath(like) if like is not None else target)
        if overwrite:
            os.replace(temp, target)
        else:
            _link_no_clobber(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(folder)


def _link_no_clobber(temp: str, target: str) -> None:
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links here: a check then a rename (a tiny race, on such file systems only)
        if os.path.lexists(target):
            raise FileExistsError(17, "File exists", target) from None
        os.replace(temp, target)
        return
    os.unlink(temp)


def atomic_write_bytes(
    path: str | os.PathLike | Path,
    data: bytes,
    *,
    overwrite: bool = True,
    like: str | os.PathLike | None = None,
) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, overwrite=overwrite, like=like) as fp:
        fp.write(data)


def _writer_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def remove_stale(folder: str | os.PathLike) -> list[str]:
    """Delete the temporary files an interrupted run left in ``folder``; return their paths.

    A file is stale when the process that wrote it is gone, or it is older than ``STALE_AFTER``.
    Files another live run is writing are left alone; errors (a read-only folder) are ignored.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not is_temp_name(entry.name) or not entry.name.endswith(TEMP_SUFFIX):
            continue
        pid_text = entry.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        try:
            stale = (
                not pid_text.isdigit()
                or not _writer_alive(int(pid_text))
                or now - entry.stat().st_mtime > STALE_AFTER
            )
            if stale and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(entry.path)
        except OSError:
            continue
    return removed
