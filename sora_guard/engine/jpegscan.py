"""Prove a baseline JPEG is complete without decoding its pixels, when the file allows it."""

from __future__ import annotations

import io

from sora_guard.engine.quiet import quiet_warnings

__all__ = ["extraneous_bytes", "frame_marker", "intact", "one_scan"]

_SEQUENTIAL_HUFFMAN = (0xC0, 0xC1)
_OTHER_SOF = frozenset(range(0xC2, 0xD0)) - {0xC4, 0xC8, 0xCC}
_SKIPPED = frozenset(range(0xE1, 0xEE)) | {0xEF, 0xFE}
"""APP1-APP13, APP15 and COM: libjpeg skips them by their length (EXIF, ICC, XMP...); APP0 and APP14 it reads."""

_verdicts: dict[bytes, bool] = {}
"""libjpeg's verdict on header sets already seen: files from one camera or encoder share them."""


def _scan_start(data: bytes, kept: list[bytes]) -> int | None:
    """Offset of the entropy-coded data, for a one-scan sequential Huffman JPEG; None otherwise.

    Appends to ``kept`` every segment libjpeg interprets (all but APP1-APP13, APP15 and COM,
    which it only skips over).
    """
    if data[:2] != b"\xff\xd8":
        return None
    pos, end, components = 2, len(data), None
    while pos + 4 <= end:
        marker = data[pos + 1]
        if data[pos] != 0xFF or marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD9:
            return None  # fill bytes or a stand-alone marker between segments: let the decoder judge
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            return None
        if marker in _SEQUENTIAL_HUFFMAN:
            if components is not None or pos + 10 > end:
                return None
            components = data[pos + 9]
        elif marker in _OTHER_SOF:
            return None
        elif marker == 0xDA:
            if components is None or pos + 5 > end or data[pos + 4] != components:
                return None
            kept.append(data[pos : pos + 2 + length])
            return pos + 2 + length
        if marker not in _SKIPPED:
            kept.append(data[pos : pos + 2 + length])
        pos += 2 + length
    return None


def one_scan(data: bytes) -> bool:
    """True for a sequential Huffman JPEG whose first scan holds every component: libjpeg then
    refuses any further scan ("Didn't expect more than one scan") instead of decoding it."""
    return _scan_start(data, []) is not None


def frame_marker(data: bytes) -> int | None:
    """The frame's SOF marker (0xC0 baseline ... 0xC2 progressive, 0xC9 arithmetic), None when the
    segments before it do not walk cleanly."""
    if data[:2] != b"\xff\xd8":
        return None
    pos, end = 2, len(data)
    while pos + 4 <= end:
        marker = data[pos + 1]
        if data[pos] != 0xFF or marker in (0xFF, 0x01, 0xDA) or 0xD0 <= marker <= 0xD9:
            return None
        if marker in _SEQUENTIAL_HUFFMAN or marker in _OTHER_SOF:
            return marker
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            return None
        pos += 2 + length
    return None


def _ends_at_eoi(data: bytes, start: int, restarts: int) -> bool:
    """True when the first marker after ``start`` (past stuffed zeros) is EOI, after exactly
    ``restarts`` restart markers in their order (RST0, RST1 ... RST7, RST0 ...).

    A restart marker out of order or one too many or too few is damage libjpeg only warns about
    ("found marker 0xd1 instead of RST5", "premature end of data segment") while it fills the
    picture with grey: the decoder must judge such a file. Coded data holds about one 0xFF byte in
    256; eight times that (a hostile file) is left to the decoder and its time limit rather than
    looped over here.
    """
    find, last = data.find, len(data) - 1
    budget = (len(data) - start) // 32 + 64 + restarts
    seen = 0
    i = find(b"\xff", start)
    while 0 <= i < last and budget:
        following = data[i + 1]
        if 0xD0 <= following <= 0xD7:
            if following != 0xD0 + seen % 8 or seen == restarts:
                return False
            seen += 1
        elif following != 0:
            return following == 0xD9 and seen == restarts
        i = find(b"\xff", i + 2)
        budget -= 1
    return False


def _restart_count(kept: list[bytes]) -> int | None:
    """How many restart markers the scan must hold: one between each pair of restart intervals (DRI)
    of MCUs (from the frame header); 0 without a DRI; None when the headers do not say."""
    interval, frame = 0, None
    for segment in kept:
        if segment[1:2] == b"\xdd" and len(segment) >= 6:
            interval = int.from_bytes(segment[4:6], "big")
        elif segment[1] in _SEQUENTIAL_HUFFMAN:
            frame = segment
    if not interval:
        return 0
    if frame is None or len(frame) < 10:
        return None
    height, width, count = int.from_bytes(frame[5:7], "big"), int.from_bytes(frame[7:9], "big"), frame[9]
    factors = frame[10 : 10 + 3 * count]
    if len(factors) < 3 * count or not height or not width:
        return None
    if count == 1:  # one component: its MCU is one 8x8 block
        columns, rows = -(-width // 8), -(-height // 8)
    else:
        across = max(f >> 4 for f in factors[1::3]) * 8
        down = max(f & 15 for f in factors[1::3]) * 8
        if not across or not down:
            return None
        columns, rows = -(-width // across), -(-height // down)
    return -(-(columns * rows) // interval) - 1


def _headers_decode(headers: bytes) -> bool:
    """True when libjpeg accepts every table and header: SOI, the segments it reads, then EOI."""
    verdict = _verdicts.get(headers)
    if verdict is None:
        from sora_guard.engine.opener import open_image  # Pillow, as the probe that calls this has it

        try:
            with quiet_warnings():
                with open_image(io.BytesIO(headers + b"\xff\xd9")) as im:
                    im.draft(im.mode, (max(1, im.width // 8), max(1, im.height // 8)))
                    im.load()
            verdict = True
        except Exception:
            verdict = False
        if len(_verdicts) >= 256:
            _verdicts.clear()
        if len(headers) <= 4096:  # tables and frame headers; a JFIF thumbnail in APP0 is not worth keeping
            _verdicts[headers] = verdict
    return verdict


def intact(data: bytes) -> bool:
    """True only when decoding ``data`` (a JPEG) is certain to succeed; False means: decode to find out."""
    kept = [b"\xff\xd8"]
    start = _scan_start(data, kept)
    if start is None:
        return False
    restarts = _restart_count(kept)
    return restarts is not None and _ends_at_eoi(data, start, restarts) and _headers_decode(b"".join(kept))


_FILL = b"\xff" * 4096


def _skip_fill(data: bytes, pos: int) -> int:
    """The offset of the first byte at or after ``pos`` that is not 0xFF (``len(data)`` if none), at C speed."""
    while data[pos : pos + len(_FILL)] == _FILL:  # whole blocks of fill compare as one memcmp
        pos += len(_FILL)
    chunk = data[pos : pos + len(_FILL)]
    return pos + len(chunk) - len(chunk.lstrip(b"\xff"))


def _next_marker(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """libjpeg's ``next_marker()``: ``(bytes discarded, marker, offset after it)`` from ``pos``.

    Stuffed zeros are followed for 256 rounds at most; a hostile file gets a count that is a floor.
    """
    discarded = 0
    for _ in range(256):
        found = data.find(b"\xff", pos)  # C speed, however many bytes a hostile file puts here
        if found < 0:
            return None
        discarded, pos = discarded + found - pos, _skip_fill(data, found)  # fill bytes are allowed
        if pos >= len(data):
            return None
        marker, pos = data[pos], pos + 1
        if marker != 0:
            return discarded, marker, pos
        discarded += 2  # a stuffed zero is no marker: discarded too
    return discarded, 0, pos


def extraneous_bytes(data: bytes) -> tuple[int, int] | None:
    """``(count, marker)`` for the first extraneous bytes between a JPEG's header segments, where
    libjpeg skips them with the warning "Corrupt JPEG data: N extraneous bytes before marker 0xXX"
    and strict decoders (libvips with ``fail=True``) refuse the file; None when there are none.

    Only the headers up to the first scan are walked: extraneous bytes after the coded data can be
    told from image data only by decoding every Huffman code (see ``SG506``).
    """
    if data[:2] != b"\xff\xd8":
        return None
    pos = 2
    while True:
        found = _next_marker(data, pos)
        if found is None:
            return None
        discarded, marker, pos = found
        if discarded:
            return discarded, marker
        if marker in (0x01, 0xD9, 0xDA) or 0xD0 <= marker <= 0xD8 or pos + 2 > len(data):
            return None  # the first scan, or a marker with no length: the header walk ends
        pos += int.from_bytes(data[pos : pos + 2], "big")
