"""One entry-point group, found without importing ``importlib.metadata``."""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple

__all__ = ["EntryPoint", "entry_points"]

_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_INFO_SUFFIXES = (".dist-info", ".egg-info")


class EntryPoint(NamedTuple):
    """``name = value`` in ``group``; ``load()`` imports the module and returns the named object."""

    name: str
    value: str
    group: str

    def load(self) -> Any:
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"malformed entry point value {self.value!r}")
        obj = importlib.import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            obj = getattr(obj, attr)
        return obj


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _needs_importlib_metadata(path: list[str]) -> bool:
    """True when some distributions could live where a folder listing does not see them."""
    from importlib.machinery import PathFinder

    if any(getattr(f, "find_distributions", None) and f is not PathFinder for f in sys.meta_path):
        return True
    return any(entry.lower().endswith(".egg") or os.path.isfile(entry) for entry in path)


def _info_folders(path: list[str]) -> Iterator[str]:
    """Metadata folders on ``path``, one per distribution name, the first on the path winning."""
    seen: set[str] = set()
    for entry in path:
        root = entry or "."
        try:
            children = os.listdir(root)
        except OSError:
            continue
        for child in sorted(c for c in children if c.lower().endswith(_INFO_SUFFIXES)):
            name = _normalize(child.lower().rpartition(".")[0].partition("-")[0])
            if name not in seen:
                seen.add(name)
                yield os.path.join(root, child)


def _read_group(text: str, group: str) -> Iterator[tuple[str, str]]:
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == group:
            name, _, value = line.partition("=")
            yield name.strip(), value.strip()


def entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group`` from every distribution on ``sys.path``, in path order."""
    path = list(sys.path)
    if _needs_importlib_metadata(path):
        from importlib.metadata import entry_points as from_metadata

        return [EntryPoint(ep.name, ep.value, ep.group) for ep in from_metadata(group=group)]
    found = []
    marker = f"[{group}]".encode()
    for folder in _info_folders(path):
        file = os.path.join(folder, "entry_points.txt")
        if not os.access(file, os.R_OK):  # most distributions have none: no exception raised for them
            continue
        try:
            with open(file, "rb") as fp:
                data = fp.read()
            text = data.decode() if marker in data else ""  # decoded only when it names the group
        except (OSError, UnicodeDecodeError):  # an egg-info file rather than a folder, or not UTF-8
            continue
        found.extend(EntryPoint(name, value, group) for name, value in _read_group(text, group))
    return found
