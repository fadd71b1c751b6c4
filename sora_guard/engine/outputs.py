"""The formats ``fix`` writes, and which one it writes a picture in (validation asks too, without fitting)."""

from __future__ import annotations

from sora_guard.vocabulary.model import Target

__all__ = ["LOSSLESS_SOURCES", "WRITABLE_FORMATS", "output_format"]

WRITABLE_FORMATS = ("JPEG", "PNG", "WEBP")
"""Formats ``fix`` writes (what every target service accepts some of)."""

LOSSLESS_SOURCES = frozenset({"PNG", "GIF", "BMP", "TIFF", "TGA", "ICO", "PSD"})


def output_format(
    source_format: str | None, target: Target, convert_to: str | None = None, alpha: bool = False
) -> str:
    """The format ``fix`` writes: the file's own when the target allows it, else ``convert_to``, else a sensible one.

    Without ``convert_to``, lossless sources (PNG, GIF, TIFF, ...) and pictures with alpha become
    PNG (then WebP, JPEG), photos JPEG (then WebP, PNG): whichever the target accepts first.
    Raises ``ValueError`` when nothing the target accepts can be written.
    """
    allowed = [f for f in WRITABLE_FORMATS if not target.formats or f in target.formats]
    if source_format in allowed:
        return source_format
    if convert_to:
        if convert_to not in allowed:
            raise ValueError(
                f"convert-to {convert_to} is not a format sora-guard writes that {target.profile.name} accepts ({', '.join(allowed) or 'none'})"
            )
        return convert_to
    order = ("PNG", "WEBP", "JPEG") if alpha or source_format in LOSSLESS_SOURCES else ("JPEG", "WEBP", "PNG")
    for fmt in order:
        if fmt in allowed:
            return fmt
    raise ValueError(
        f"{target.profile.name} accepts none of the formats sora-guard writes ({', '.join(WRITABLE_FORMATS)})"
    )
