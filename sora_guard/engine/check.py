"""The one engine every door calls: probe an image, run the selected rules, return a report."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from sora_guard.engine.probe import probe_bytes, probe_image, probe_path, probe_stream
from sora_guard.vocabulary.model import Diagnostic, FileReport, ImageInfo, Rule, Target

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["check_info", "check_path", "check_bytes", "check_stream", "check_image"]


def check_info(info: ImageInfo, target: Target, rules: Iterable[Rule]) -> FileReport:
    """Run ``rules`` over an already-probed image."""
    diagnostics: list[Diagnostic] = []
    for r in rules:
        if r.stage == "check":  # the fix stage's rules report from the repair itself
            diagnostics.extend(r.run(info, target))
    return FileReport(path=info.name, diagnostics=diagnostics, info=info, target=target)


def check_path(
    path: str | os.PathLike, target: Target, rules: Iterable[Rule], storage_options=None
) -> FileReport:
    """Probe a file (or a URL such as ``s3://bucket/key``, see :func:`probe.probe_path`) and check it.

    Never raises for the file's content or access problems.
    """
    return check_info(probe_path(path, target.limits, storage_options), target, rules)


def check_bytes(data: bytes, target: Target, rules: Iterable[Rule], name: str = "<bytes>") -> FileReport:
    """Check an image held in memory; ``name`` (with its extension) is what the upload would be called."""
    return check_info(probe_bytes(data, name, target.limits), target, rules)


def check_stream(stream: IO[bytes], target: Target, rules: Iterable[Rule], name: str) -> FileReport:
    """Check the image a stream holds (standard input), reading no more than the per-file limit + 1."""
    return check_info(probe_stream(stream, name, target.limits), target, rules)


def check_image(im: Image.Image, target: Target, rules: Iterable[Rule], name: str = "<image>") -> FileReport:
    """Check an in-memory PIL image (format, size, mode and orientation; it has no bytes to limit)."""
    return check_info(probe_image(im, name), target, rules)
