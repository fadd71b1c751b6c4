"""The one engine every door calls: probe an image, run the selected rules, return a report."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .model import Diagnostic, FileReport, ImageInfo, Rule, Target

if TYPE_CHECKING:
    from PIL import Image

    from .host import Registry

__all__ = ["select_rules", "check_info", "check_path", "check_bytes", "check_image"]


def _matches(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector that is a prefix of ``code`` (``ALL`` matches as 0), -1 if none."""
    best = -1
    for sel in selectors:
        sel = sel.strip().upper()
        if sel == "ALL":
            best = max(best, 0)
        elif code.startswith(sel):
            best = max(best, len(sel))
    return best


def select_rules(
    rules: Iterable[Rule],
    select: Sequence[str] = ("ALL",),
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
) -> list[Rule]:
    """The rules enabled by ruff-style prefix selectors: the more specific of select and ignore wins."""
    return [
        r
        for r in rules
        if max(_matches(r.code, select), _matches(r.code, extend_select)) > _matches(r.code, ignore)
    ]


def unknown_selectors(selectors: Iterable[str], rules: Iterable[Rule]) -> list[str]:
    """Selectors that match no known rule code (a typo in ``--select`` must not silently select nothing)."""
    codes = [r.code for r in rules]
    return [s for s in selectors if s.strip().upper() != "ALL" and not any(c.startswith(s.strip().upper()) for c in codes)]


def check_info(info: ImageInfo, target: Target, rules: Iterable[Rule]) -> FileReport:
    """Run ``rules`` over an already-probed image."""
    diagnostics: list[Diagnostic] = []
    for r in rules:
        diagnostics.extend(r.run(info, target))
    return FileReport(path=info.name, diagnostics=diagnostics, info=info, target=target)


def check_path(path: str | os.PathLike, target: Target, rules: Iterable[Rule], storage_options=None) -> FileReport:
    """Probe a file (or a URL such as ``s3://bucket/key``, see :func:`probe.probe_path`) and check it.

    Never raises for the file's content or access problems.
    """
    from .probe import probe_path

    return check_info(probe_path(path, target.limits, storage_options), target, rules)


def check_bytes(data: bytes, target: Target, rules: Iterable[Rule], name: str = "<bytes>") -> FileReport:
    """Check an image held in memory; ``name`` (with its extension) is what the upload would be called."""
    from .probe import probe_bytes

    return check_info(probe_bytes(data, name, target.limits), target, rules)


def check_image(im: Image.Image, target: Target, rules: Iterable[Rule], name: str = "<image>") -> FileReport:
    """Check an in-memory PIL image (format, size, mode and orientation; it has no bytes to limit)."""
    from .probe import probe_image

    return check_info(probe_image(im, name), target, rules)


def default_rules(registry: Registry | None = None) -> list[Rule]:
    """Every registered rule (what ``select = ["ALL"]`` enables)."""
    from .host import default_registry

    return list((registry or default_registry()).rules.values())
