"""Why an image's data cannot be decoded, in the user's terms (``the file ends before the image data
does``) rather than the decoder's (``image file is truncated (0 bytes not processed)``)."""

from __future__ import annotations

import re

__all__ = ["DAMAGED", "DAMAGED_QUIETLY", "TRUNCATED", "UNSUPPORTED", "cut_short", "explain"]

TRUNCATED = "the file ends before the image data does (cut short, as by an interrupted download or copy)"
TRUNCATED_HEADER = "the file ends inside the image header (cut short, as by an interrupted download or copy)"
DAMAGED = "the image data is damaged: the decoder cannot read past the damage"
DAMAGED_QUIETLY = (
    "the image data is damaged: libjpeg decodes it with grey or smeared blocks where the damage is, "
    "and strict decoders (libvips) refuse it"
)
UNSUPPORTED = (
    "the image data uses a compression this decoder does not support (many services will refuse it too)"
)

# patterns as text, compiled by ``re`` (and kept in its cache) on first use: only failures need them
_ENDS_EARLY = (
    r"(?i)truncat|not enough data|premature end|unexpected end|end of (file|data)|ran out of data|"
    r"\bEOF\b|short read|invalid read|read error"
)
_UNSUPPORTED = r"(?i)not configured|not supported|unsupported|not implemented"
_PILLOW_WORDING = r"^(image file is truncated.*|decoder error -?\d+|-?\d+)$|when reading image file$"
_FILE_PREFIX = r"^(tempfile\.tif|[^:\s]+\.tiff?):\s*"


def _library_lines(noise: str) -> list[str]:
    """The C library's own lines, without the temporary file name libtiff is given, at most two."""
    lines = []
    for raw in noise.splitlines():
        line = re.sub(_FILE_PREFIX, "", raw.strip()).rstrip(".")[:160]
        if line and line not in lines:
            lines.append(line)
    return lines[:2]


def cut_short(data: bytes) -> bool:
    """True when the container says the file is longer than it is: a RIFF/WebP size field (libwebp
    reports only ``could not create decoder object``), or an ISO-BMFF (HEIF) box running past the end
    (libheif decodes only what the shown picture needs, so a HEIF cut in its thumbnail still decodes)."""
    if data[:4] == b"RIFF":
        return len(data) >= 8 and int.from_bytes(data[4:8], "little") + 8 > len(data)
    return data[4:8] == b"ftyp" and _boxes_end(data) > len(data)


def _boxes_end(data: bytes) -> int:
    """Where the ISO-BMFF top-level boxes of ``data`` say the file ends (0 when a size is malformed)."""
    pos = 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        if size == 1 and pos + 16 <= len(data):
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        if size < 8:  # 0: the box runs to the end of the file; below 8: malformed, the decoder's to judge
            return 0
        pos += size
    return pos


def explain(message: str, noise: str = "", header: bool = False, cut: bool = False) -> str:
    """A decode failure (``message``, the exception's text; ``noise``, what C libraries printed) in
    the user's terms, followed by the decoder's own words when they say more than Pillow's.
    ``cut``: the file is known to end early (:func:`cut_short`)."""
    lines = _library_lines(noise)
    own = re.sub(_PILLOW_WORDING, "", message.strip()).strip(" .:")
    evidence = " ".join([message, *lines])
    if cut:
        summary, details = TRUNCATED, lines
    elif re.search(_UNSUPPORTED, evidence):
        summary, details = UNSUPPORTED, lines
    elif re.search(_ENDS_EARLY, evidence):
        summary = TRUNCATED_HEADER if header else TRUNCATED
        details = lines  # Pillow's "truncated (0 bytes not processed)" adds nothing but confusion
    else:
        summary = "the image header is damaged" if header else DAMAGED
        details = ([own] if own and own not in lines else []) + lines
    return summary + (f"; the decoder said: {'; '.join(details)}" if details else "")
