"""Object storage through fsspec (``s3://``, ``gs://``, ``memory://``...): read, walk, atomic put, remove."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sora_guard.io.atomic import STALE_AFTER, TEMP_PREFIX, TEMP_SUFFIX, atomic_write_bytes, is_temp_name
from sora_guard.io.stream import read_stream
from sora_guard.vocabulary.exceptions import ConfigError
from sora_guard.vocabulary.formats import is_image_name

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


__all__ = ["Listed", "filesystem", "read_object", "put_atomic", "exists", "remove", "remove_stale", "walk"]

StorageOptions = Mapping[str, Mapping[str, Any]]


def filesystem(url: str, options: StorageOptions | None = None) -> tuple[AbstractFileSystem, str]:
    """The fsspec file system for ``url`` (with the options for its protocol) and the path inside it."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise ConfigError(f"{url}: URLs need the cloud extra: pip install 'sora-guard[cloud]'") from None
    protocol = url.split("://", 1)[0]
    try:
        return url_to_fs(url, **dict((options or {}).get(protocol, {})))
    except ImportError as exc:
        raise ConfigError(f"{url}: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{url}: cannot open storage for {protocol!r}: {exc}") from None


def _as_os_error(exc: Exception) -> OSError:
    """Backends raise their own errors (missing credentials, endpoint unreachable); report them as OSError."""
    return exc if isinstance(exc, OSError) else OSError(f"{type(exc).__name__}: {exc}")


def read_object(url: str, options: StorageOptions | None, max_bytes: int) -> tuple[int, bytes | None]:
    """``(size, data)`` of one object; ``data`` is None when ``size`` is over ``max_bytes`` (nothing is read).

    Raises ``OSError`` (``FileNotFoundError`` for a missing object) for anything storage refuses.
    """
    fs, path = filesystem(url, options)
    try:
        with fs.open(path, "rb") as fp:
            if (
                getattr(fp, "details", {}).get("type") == "directory"
            ):  # s3fs opens a prefix as an empty object
                raise IsADirectoryError(21, "is a directory", url)
            size = fp.size if getattr(fp, "size", None) is not None else fs.size(path)
            if size is not None and size > max_bytes:
                return size, None
            data = read_stream(fp, max_bytes, size)
            return (len(data), data) if data is not None else (max(size or 0, max_bytes + 1), None)
    except Exception as exc:
        raise _as_os_error(exc) from exc


def exists(url: str, options: StorageOptions | None = None) -> bool:
    """True when an object (or a prefix) is at ``url``."""
    fs, path = filesystem(url, options)
    try:
        return fs.exists(path)
    except Exception as exc:
        raise _as_os_error(exc) from exc


def remove(url: str, options: StorageOptions | None = None) -> None:
    """Delete the object at ``url``."""
    fs, path = filesystem(url, options)
    try:
        fs.rm_file(path)
    except Exception as exc:
        raise _as_os_error(exc) from exc


def remove_stale(
    folder: str, options: StorageOptions | None = None, older_than: float = STALE_AFTER
) -> list[str]:
    """Delete the temporary keys directly under ``folder`` that are older than ``older_than`` seconds.

    Writers on other machines cannot be asked whether they still run, so age decides (a day by
    default, as for local files whose writer's process id is still taken). Errors are ignored.
    """
    import time

    fs, path = filesystem(folder, options)
    removed = []
    try:
        names = fs.ls(path, detail=False)
    except Exception:
        return removed
    for name in names:
        base = name.rstrip("/").rsplit("/", 1)[-1]
        if not (is_temp_name(base) and base.endswith(TEMP_SUFFIX)):
            continue
        try:
            if time.time() - fs.modified(name).timestamp() > older_than:
                fs.rm_file(name)
                removed.append(name)
        except Exception:
            continue
    return removed


def put_atomic(url: str, data: bytes, options: StorageOptions | None = None) -> None:
    """Store ``data`` at ``url``: a temporary key in the same folder, then a move onto the name.

    Local files (``file://``) go through :func:`sora_guard.atomic.atomic_write_bytes` (fsync,
    rename). On failure the temporary key is deleted and the error raised as ``OSError``; the
    object at ``url`` is either the old one or the complete new one.
    """
    fs, path = filesystem(url, options)
    if "file" in _protocols(fs):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write_bytes(path, data)
        return
    parent = fs._parent(path)
    temp = f"{parent}/{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}{TEMP_SUFFIX}"
    try:
        fs.pipe_file(temp, data)
        fs.mv(temp, path)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            if fs.exists(temp):
                fs.rm_file(temp)
        if isinstance(exc, Exception):
            raise _as_os_error(exc) from exc
        raise


def _protocols(fs: AbstractFileSystem) -> tuple[str, ...]:
    return (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)


class Listed(str):
    """An object's URL as a listing found it, carrying the identity the listing gave (for the check cache).

    ``identity`` is ``(etag, size, modified)`` as the store reports them, or None when it reports
    neither an ETag nor a modification time.
    """

    identity: tuple | None

    def __new__(cls, url: str, identity: tuple | None = None) -> Listed:
        listed = super().__new__(cls, url)
        listed.identity = identity
        return listed

    def __reduce__(self):
        return (Listed, (str(self), self.identity))


def _identity(info: Mapping[str, Any]) -> tuple | None:
    etag = info.get("ETag") or info.get("etag") or info.get("md5Hash")
    modified = info.get("LastModified") or info.get("mtime") or info.get("updated") or info.get("created")
    if not etag and not modified:
        return None
    return (str(etag or ""), int(info.get("size") or 0), str(modified or ""))


def _walk_order(relative: str) -> tuple:
    """Sort key giving ``os.walk``'s order (a folder's files, then its sub-folders), as local discovery does."""
    *folders, name = relative.split("/")
    return (*((1, f) for f in folders), (0, name))


def walk(url: str, options: StorageOptions | None, excluded: Callable[[str], bool]) -> Iterator[str]:
    """The image objects under the prefix ``url`` (or ``url`` itself when it names one object).

    URLs come back spelled as ``url`` was, followed by the key below it, in the order local
    discovery yields files, as :class:`Listed` strings carrying the listing's identity of each
    object; ``excluded`` is asked of each. A prefix that cannot be listed is yielded as it is, so
    the probe reports why (SG501).
    """
    fs, root = filesystem(url, options)
    try:
        found = fs.find(root, detail=True) if fs.isdir(root) else None
    except Exception:
        found = None
    if not found:
        yield url
        return
    base = root.rstrip("/") + "/"
    relatives = {
        key[len(base) :]: _identity(info)
        for key, info in found.items()
        if key.startswith(base) and is_image_name(key)
    }
    del found  # a listing of millions of keys: keep only what discovery needs
    prefix = url.rstrip("/") + "/"
    for relative in sorted(relatives, key=_walk_order):
        if not excluded(prefix + relative):
            yield Listed(prefix + relative, relatives[relative])
