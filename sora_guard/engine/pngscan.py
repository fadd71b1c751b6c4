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


def _filters_known(piece: bytes, offset: int, spans: list[tuple[int, int, int]]) -> bool:
    """Every filter byte in ``piece`` (the inflated stream from ``offset`` on) names a filter (0-4);
    ``spans``: (start, end, row stride) of each pass's rows in the stream."""
    end = offset + len(piece)
    for start, stop, stride in spans:
        first = (
            start + max(0, -((start - offset) // stride)) * stride
        )  # the first row start at or after offset
        last = min(stop, end)
        if first < last and max(piece[first - offset : last - offset : stride]) > 4:
            return False
    return True


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
    spans, expected = [], 0
    for rows, size in _row_runs(width, height, depth * _CHANNELS[colour], bool(interlace)):
        spans.append((expected, expected + rows * (size + 1), size + 1))
        expected += rows * (size + 1)
    view, pos, end = memoryview(data), 8, len(data)
    inflater = zlib.decompressobj()
    pixels = False  # an IDAT chunk seen (an empty one counts too)
    total = 0
    while pos + 8 <= end:
        length = int.from_bytes(view[pos : pos + 4], "big")
        kind = bytes(view[pos + 4 : pos + 8])
        if kind == b"IDAT":
            if pos + 8 + length > end or inflater.eof:
                return False
            pixels = True
            pending = view[pos + 8 : pos + 8 + length]
            while pending:  # in slices, so a decode time limit can stop a huge stream between them
                try:
                    piece = inflater.decompress(pending, min(_SLICE, expected + 1 - total))
                except zlib.error:
                    return False
                if total + len(piece) > expected or not _filters_known(piece, total, spans):
                    return False  # more bytes than the rows hold, or a row with an unknown filter
                total += len(piece)
                pending = inflater.unconsumed_tail
        elif pixels:
            break  # the first chunk after the pixel data
        pos += 12 + length
    else:
        return False  # the file ends inside or right after the pixel data: no IEND
    return (
        bytes(view[pos + 4 : pos + 8]) == b"IEND"
        and inflater.eof
        and not inflater.unused_data
        and total == expected
    )
