"""The one engine every door calls: probe an image, run the selected rules, return a report."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import IO, TYPE_CHECKING

from sora_guard.engine.probe import probe_bytes, probe_image, probe_path, probe_stream
from sora_guard.vocabulary.model import Diagnostic, FileReport, ImageInfo, Rule, Target

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["check_info", "check_path", "check_bytes", "check_stream", "check_image"]


Targets = Target | Sequence[Target]
"""One target, or several a file is checked against at once."""


def _first(target: Targets) -> Target:
    return target if isinstance(target, Target) else target[0]


def check_info(info: ImageInfo, target: Targets, rules: Iterable[Rule]) -> FileReport:
    """Run ``rules`` over an already-probed image, against one target or several: what a rule finds
    alike for every target is said once; what differs names its target (``Diagnostic.target``)."""
    targets = (target,) if isinstance(target, Target) else tuple(target)
    diagnostics: list[Diagnostic] = []
    for r in rules:
        if r.stage != "check":  # the fix stage's rules report from the repair itself
            continue
        found = [r.run(info, t) for t in targets]
        if all(f == found[0] for f in found[1:]):
            diagnostics.extend(found[0])
        else:
            diagnostics.extend(_merged(targets, found))
    return FileReport(path=info.name, diagnostics=diagnostics, info=info, target=targets[0])


def _merged(targets: Sequence[Target], found: list[list[Diagnostic]]) -> list[Diagnostic]:
    """One rule's findings for several targets: said once, naming them all, when they differ only by
    the target's name (``... 1280x720 (veo, kling)``); else each naming its target."""
    names = [t.profile.name for t in targets]
    shapes = [[(d.code, d.severity, _unnamed(d.message, n)) for d in f] for n, f in zip(names, found)]
    if all(s == shapes[0] for s in shapes[1:]):
        return [
            replace(d, message=shape[2].replace(_NAME, ", ".join(names)))
            for d, shape in zip(found[0], shapes[0])
        ]
    return [replace(d, target=n) for n, f in zip(names, found) for d in f]


_NAME = "\x00"
"""Where a target's name stood in a message (:func:`_unnamed`)."""


def _unnamed(message: str, name: str) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", _NAME, message)


def check_path(
    path: str | os.PathLike, target: Targets, rules: Iterable[Rule], storage_options=None
) -> FileReport:
    """Probe a file (or a URL such as ``s3://bucket/key``, see :func:`probe.probe_path`) and check it.

    Never raises for the file's content or access problems.
    """
    return check_info(probe_path(path, _first(target).limits, storage_options), target, rules)


def check_bytes(data: bytes, target: Targets, rules: Iterable[Rule], name: str = "<bytes>") -> FileReport:
    """Check an image held in memory; ``name`` (with its extension) is what the upload would be called."""
    return check_info(probe_bytes(data, name, _first(target).limits), target, rules)


def check_stream(stream: IO[bytes], target: Targets, rules: Iterable[Rule], name: str) -> FileReport:
    """Check the image a stream holds (standard input), reading no more than the per-file limit + 1."""
    return check_info(probe_stream(stream, name, _first(target).limits), target, rules)


def check_image(im: Image.Image, target: Targets, rules: Iterable[Rule], name: str = "<image>") -> FileReport:
    """Check an opened PIL image (format, size, mode and orientation; it has no bytes to limit): one
    over the target's pixel limit stops at its size, as a file does."""
    return check_info(probe_image(im, name, _first(target).limits.max_pixels), target, rules)
