"""A ruff-style cache of check results, so a re-run over unchanged files does no image work."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
import warnings
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from sora_guard.vocabulary.formats import is_url
from sora_guard.vocabulary.model import Diagnostic, FileReport, ImageInfo, Severity, Size, Target

if TYPE_CHECKING:
    from sora_guard.config import Settings

__all__ = ["CheckCache", "cache_root", "open_cache", "fingerprint", "RACY_SECONDS"]

CACHE_VERSION = 2
BUCKETS = 16
RACY_SECONDS = 2.0
"""Files modified this recently (relative to the run's start) are not cached: see the module docs."""

_NOT_IN_RESULTS = frozenset(
    {
        "source",
        "exclude",
        "extend_exclude",
        "force_exclude",
        "follow_symlinks",
        "output_format",
        "strategy",
        "background",
        "quality",
        "convert_to",
        "cache_dir",
        "storage_options",
        "origins",
        "registry",  # its plugins are fingerprinted one by one, below
    }
)
"""Settings that choose files, shape output or drive ``fix``, but never change a check result.
Every other field is in the fingerprint, so a field added later is covered by default."""

Key = tuple[int, int, int, int, int]


def _file_stamp(path: str | None) -> list:
    if not path:
        return [None]
    try:
        st = os.stat(path)
    except OSError:
        return [path, None]
    return [path, st.st_size, st.st_mtime_ns]


def fingerprint(settings: Settings) -> str:
    """Everything besides the file itself that can change a check result, as canonical JSON."""
    import PIL

    from sora_guard import __version__

    package = Path(__file__).resolve().parents[1]  # sora_guard/: every layer's sources
    plugins = sorted(
        (
            name,
            getattr(plugin, "__name__", type(plugin).__name__),
            *_file_stamp(getattr(plugin, "__file__", None)),
        )
        for name, plugin in settings.registry.pm.list_name_plugin()
    )
    parts = {
        "cache": CACHE_VERSION,
        "sora-guard": __version__,
        "pillow": PIL.__version__,
        "python": sys.version_info[:2],
        "settings": {
            f.name: _canonical(getattr(settings, f.name))
            for f in dataclasses.fields(settings)
            if f.name not in _NOT_IN_RESULTS
        }
        | {"pinned": _canonical(settings.pinned - _NOT_IN_RESULTS)},
        "plugins": plugins,
        "sources": sorted(_file_stamp(str(p)) for p in package.rglob("*.py")),
    }
    return json.dumps(parts, sort_keys=True, default=repr)


def _canonical(value: object) -> str:
    """A setting as text that is the same in every process (a set's order follows per-process string hashes)."""
    return repr(sorted(value)) if isinstance(value, (set, frozenset)) else repr(value)


_SIZE_FIELDS = tuple(f.name for f in dataclasses.fields(ImageInfo) if "Size" in str(f.type))


def _info_to_json(info: ImageInfo) -> dict:
    return {
        k: {"width": v.width, "height": v.height} if isinstance(v, Size) else v for k, v in vars(info).items()
    }


def _info_from_json(data: dict) -> ImageInfo:
    info = ImageInfo(**data)
    for name in _SIZE_FIELDS:
        value = getattr(info, name)
        if value is not None:
            setattr(info, name, Size(**value))
    return info


def _diagnostic_from_json(d: list) -> Diagnostic:
    code, name, severity, message, fixable, target = d
    return Diagnostic(code, name, Severity(severity), message, fixable, target)


class CheckCache:
    """Check results for one fingerprint, loaded bucket by bucket as paths are looked up."""

    def __init__(self, folder: Path, fingerprint: str = "", started: float | None = None):
        self.folder = folder
        self.fingerprint = fingerprint
        self.started = time.time() if started is None else started
        self._buckets: dict[int, dict[str, list]] = {}
        self._dirty: dict[int, dict[str, list]] = {}

    @staticmethod
    def _bucket(path: str) -> int:
        return zlib.crc32(path.encode("utf-8", "surrogateescape")) % BUCKETS

    def _load(self, bucket: int) -> dict[str, list]:
        if bucket not in self._buckets:
            self._buckets[bucket] = self._read(bucket)
        return self._buckets[bucket]

    def _read(self, bucket: int) -> dict[str, list]:
        try:
            with open(self.folder / f"{bucket:02x}.json", "rb") as fp:
                data = json.load(fp)
        except (OSError, ValueError):  # missing, unreadable or corrupt: start this bucket afresh
            return {}
        if (
            not isinstance(data, dict)
            or data.get("fingerprint") != self.fingerprint
            or not isinstance(data.get("entries"), dict)
        ):
            return {}  # damaged, or another fingerprint whose short name collides with ours
        return data["entries"]

    def key(self, path: str) -> Key | None:
        """The identity of ``path`` now, or None when it cannot be cached (missing, or modified too recently).

        A URL's identity is what the listing that found it reported (:class:`storage.Listed`:
        ETag, size, modified), taken before the object is read; a URL from elsewhere has none.
        """
        if is_url(path):
            return getattr(path, "identity", None)
        try:
            st = os.stat(path)
        except OSError:
            return None
        if max(st.st_mtime_ns, st.st_ctime_ns) > (self.started - RACY_SECONDS) * 1e9:
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def get(self, path: str, key: Key, target: Target) -> FileReport | None:
        """The cached report for ``path`` at identity ``key`` (with ``target`` attached), if any."""
        name = _name(path)
        entry = self._load(self._bucket(name)).get(name)
        if not isinstance(entry, list) or len(entry) != 3 or entry[0] != list(key):
            return None
        try:
            info = _info_from_json(entry[1])
            info.name = path
            diagnostics = [_diagnostic_from_json(d) for d in entry[2]]
        except (TypeError, ValueError):  # an entry from a foreign or damaged file
            return None
        return FileReport(path=path, diagnostics=diagnostics, info=info, target=target)

    def put(self, path: str, key: Key, report: FileReport) -> None:
        """Remember ``report`` for ``path`` at identity ``key``."""
        if (
            report.info is None or report.info.decode_timeout is not None
        ):  # a timeout depends on the machine's load
            return
        name = _name(path)
        bucket = self._bucket(name)
        diagnostics = [
            [d.code, d.name, d.severity.value, d.message, d.fixable, d.target] for d in report.diagnostics
        ]
        entry = [list(key), _info_to_json(report.info), diagnostics]
        self._load(bucket)[name] = entry
        self._dirty.setdefault(bucket, {})[name] = entry

    def save(self) -> None:
        """Write the buckets this run changed, merged with their current contents on disk."""
        if not self._dirty:
            return
        from sora_guard.io.atomic import atomic_write_bytes, remove_stale

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            remove_stale(self.folder)  # buckets a killed run was writing
            _mark_cache_root(self.folder.parent.parent)
            for bucket, entries in self._dirty.items():
                merged = {
                    name: e for name, e in self._read(bucket).items() if is_url(name) or os.path.lexists(name)
                }
                merged.update(entries)
                text = json.dumps({"fingerprint": self.fingerprint, "entries": merged}, separators=(",", ":"))
                atomic_write_bytes(self.folder / f"{bucket:02x}.json", text.encode())
        except OSError as exc:
            warnings.warn(f"cannot write the cache in {self.folder}: {exc.strerror or exc}", stacklevel=2)
        self._dirty.clear()


def _name(path: str) -> str:
    """The entry name: an absolute path, or the URL as it is."""
    return str(path) if is_url(path) else os.path.abspath(path)


def _mark_cache_root(root: Path) -> None:
    tag = root / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by sora-guard.\n"
        )
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Automatically created by sora-guard.\n*\n")


def cache_root(settings: Settings) -> Path:
    """The cache folder: ``cache-dir``, relative to the configuration file's folder, or to the working
    directory when there is no configuration file."""
    root = Path(settings.cache_dir)
    return root if root.is_absolute() else Path(settings.root) / root


def open_cache(settings: Settings, outside: str | os.PathLike | None = None) -> CheckCache | None:
    """The cache for these settings, or None when its folder would be inside ``outside`` (the
    ``--out`` tree of a fix, which must hold the fixed images and nothing else)."""
    root = cache_root(settings)
    if outside is not None and not is_url(outside):
        out = os.path.realpath(outside)
        here = os.path.realpath(root)
        if here == out or here.startswith(os.path.join(out, "")):
            return None
    text = fingerprint(settings)
    return CheckCache(root / f"v{CACHE_VERSION}" / f"{zlib.crc32(text.encode()):08x}", text)
