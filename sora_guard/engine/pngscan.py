"""Prove a PNG decodes with one inflate pass and no unfiltering, when the file allows it."""

from __future__ import annotations

import zlib

__all__ = ["intact"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_SLICE = 1 << 22
"""Inflate at most this many bytes per call."""
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _row_runs(width: int, height: int, bits_per_pixel: int, interlaced: bool) -> list[tuple[int, int]]:
    """(rows, bytes per row) of each pass, as the inflated stream holds them (plus a filter byte per row)."""
    if not interlaced:
        return [(height, (width * bits_per_pixel + 7) // 8)]
    runs = []
    for x0, y0, dx, dy in _ADAM7:
        w = (width - x0 + dx - 1) // dx if width > x0 else 0
        h = (height - y0 + dy - 1) // dy if height > y0 else 0
        if w and h:
            runs.append((h, (w * bits_per_pixel + 7) // 8))
    return runs


def intact(data: bytes) -> bool:
    """True only when decoding ``data`` (a PNG Pillow opened) is certain to succeed; False: decode to find out."""
    if len(data) < 33 or not data.startswith(_SIGNATURE) or data[8:16] != b"\x00\x00\x00\x0dIHDR":
        return False
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    depth, colour, compression, filtering, interlace = data[24:29]
    if (
        depth not in _DEPTHS.get(colour, ())
        or compression
        or filtering
        or interlace > 1
        or not width * height
    ):
        return False
    runs = _row_runs(width, height, depth * _CHANNELS[colour], bool(interlace))
    expected = sum(rows * (1 + size) for rows, size in runs)
    view, pos, end = memoryview(data), 8, len(data)
    inflater = zlib.decompressobj()
    inflated: list[bytes] = []
    total = 0
    while pos + 8 <= end:
        length = int.from_bytes(view[pos : pos + 4], "big")
        kind = bytes(view[pos + 4 : pos + 8])
        if kind == b"IDAT":
            if pos + 8 + length > end or inflater.eof:
                return False
            pending = view[pos + 8 : pos + 8 + length]
            while pending:  # in slices, so a decode time limit can stop a huge stream between them
                try:
                    piece = inflater.decompress(pending, min(_SLICE, expected + 1 - total))
                except zlib.error:
                    return False
                inflated.append(piece)
                total += len(piece)
                if total > expected:
                    return False  # more bytes than the rows hold
                pending = inflater.unconsumed_tail
            inflated.append(b"")  # an empty IDAT counts as pixel data too
        elif inflated:
            break  # the first chunk after the pixel data
        pos += 12 + length
    else:
        return False  # the file ends inside or right after the pixel data: no IEND
    if (
        bytes(view[pos + 4 : pos + 8]) != b"IEND"
        or not inflater.eof
        or inflater.unused_data
        or total != expected
    ):
        return False
    raw = b"".join(inflated)
    at = 0
    for rows, size in runs:
        span = rows * (size + 1)
        if max(raw[at : at + span : size + 1]) > 4:
            return False
        at += span
    return True
