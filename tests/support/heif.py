"""Real HEIF/HEIC files for the tests, HEVC-coded by pillow-heif (libheif with x265).

pillow-heif writes phone-like files itself: a grid of tiles, a colour profile, EXIF with GPS, a
thumbnail, 10-bit samples, several top-level images, and a rotation (it turns the EXIF orientation
into an ``irot``/``imir`` property). What it will not write (auxiliary images such as depth maps and
HDR gain maps, mirroring alone, a primary image other than the first) is put together here box by
box: :func:`coded` takes the coded picture out of a file pillow-heif wrote, :func:`container`
writes a new file around such pictures.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, replace

from PIL import Image

DEPTH = "urn:mpeg:hevc:2015:auxid:2"
APPLE_GAIN_MAP = "urn:com:apple:photo:2020:aux:hdrgainmap"

__all__ = [
    "DEPTH",
    "APPLE_GAIN_MAP",
    "Item",
    "coded",
    "container",
    "irot",
    "imir",
    "auxc",
    "box_types",
    "phone_photo",
]


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def full_box(kind: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", version << 24 | flags) + payload)


def irot(quarter_turns: int) -> bytes:
    """Rotation property: the picture is shown turned anticlockwise by ``quarter_turns`` x 90 degrees."""
    return box(b"irot", bytes([quarter_turns & 3]))


def imir(axis: int) -> bytes:
    """Mirroring property: axis 0 swaps top and bottom, axis 1 left and right (as libheif shows it)."""
    return box(b"imir", bytes([axis & 1]))


def auxc(urn: str) -> bytes:
    """Auxiliary-type property: what an auxiliary image is (depth map, gain map, alpha...)."""
    return full_box(b"auxC", 0, 0, urn.encode() + b"\0")


def _children(data: bytes, start: int, end: int):
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        if size < 8:
            return
        yield kind, start + 8, min(start + size, end)
        start += size


_CONTAINERS = {b"meta": 4, b"iprp": 0, b"ipco": 0, b"iinf": 6, b"iref": 4}


def box_types(data: bytes, start: int = 0, end: int | None = None) -> list[bytes]:
    """Every box type in ``data``, depth first (``meta``, ``iprp`` and the like opened), to show what a file declares."""
    found = []
    for kind, s, e in _children(data, start, len(data) if end is None else end):
        found.append(kind)
        if kind in _CONTAINERS:
            found += box_types(data, s + _CONTAINERS[kind], e)
    return found


def _uint(data: bytes, p: int, size: int) -> int:
    return int.from_bytes(data[p : p + size], "big")


def _iloc(data: bytes, s: int) -> dict[int, tuple[int, int]]:
    """item id -> (offset, length) of its data, from the ``iloc`` payload at ``s`` (one extent each)."""
    version = data[s]
    off_size, len_size = data[s + 4] >> 4, data[s + 4] & 15
    base_size, index_size = data[s + 5] >> 4, data[s + 5] & 15
    id_size = 4 if version == 2 else 2
    p = s + 6
    count, p = _uint(data, p, id_size), p + id_size
    found = {}
    for _ in range(count):
        item_id, p = _uint(data, p, id_size), p + id_size
        p += (2 if version else 0) + 2  # construction method (v1, v2), data reference index
        base, p = _uint(data, p, base_size), p + base_size
        extents, p = _uint(data, p, 2), p + 2
        assert extents == 1, "one extent per item expected"
        p += index_size if version else 0
        offset, p = _uint(data, p, off_size), p + off_size
        length, p = _uint(data, p, len_size), p + len_size
        found[item_id] = (base + offset, length)
    return found


@dataclass(frozen=True)
class Item:
    """One image item: its coded data and properties (``hvcC``, ``ispe``, ``colr``...), as whole boxes."""

    data: bytes
    properties: tuple[bytes, ...]
    kind: bytes = b"hvc1"
    hidden: bool = False
    refs: tuple[tuple[bytes, tuple[int, ...]], ...] = ()
    """(reference type, indices of the items it refers to): an ``auxl`` image points at its master."""

    def with_(self, *properties: bytes, refs: tuple = (), hidden: bool = False) -> Item:
        return replace(self, properties=self.properties + properties, refs=self.refs + refs, hidden=hidden)


def _save(im: Image.Image, **params) -> bytes:
    """``im`` written by pillow-heif without registering it with Pillow (the code under test does that)."""
    import pillow_heif

    buf = io.BytesIO()
    pillow_heif.from_pillow(im).save(buf, **params)
    return buf.getvalue()


def coded(im: Image.Image, **params) -> Item:
    """``im`` HEVC-coded by pillow-heif and taken out of the file it wrote (no rotation, no metadata)."""
    data = _save(im, quality=params.pop("quality", 90), save_nclx_profile=False, **params)
    meta = next((s, e) for k, s, e in _children(data, 0, len(data)) if k == b"meta")
    parts = {k: (s, e) for k, s, e in _children(data, meta[0] + 4, meta[1])}
    iprp = {k: (s, e) for k, s, e in _children(data, *parts[b"iprp"])}
    props = [data[s - 8 : e] for _, s, e in _children(data, *iprp[b"ipco"])]
    s = iprp[b"ipma"][0]
    assert data[s + 3] & 1 == 0, "one-byte property indices expected"
    item_id, n = struct.unpack(">HB", data[s + 8 : s + 11])
    indices = [b & 0x7F for b in data[s + 11 : s + 11 + n]]
    offset, length = _iloc(data, parts[b"iloc"][0])[item_id]
    return Item(
        data[offset : offset + length], tuple(props[i - 1] for i in indices if props[i - 1][4:8] != b"irot")
    )


def container(items: list[Item], primary: int = 0) -> bytes:
    """A HEIF file holding ``items`` (item ids are index + 1), with ``items[primary]`` the primary image."""
    ftyp = box(b"ftyp", b"heic" + bytes(4) + b"mif1heic")
    props: list[bytes] = []
    ipma = b""
    for i, item in enumerate(items):
        indices = []
        for p in item.properties:
            if p not in props:
                props.append(p)
            essential = p[4:8] not in (b"ispe", b"pixi", b"colr")
            indices.append(props.index(p) + 1 | (0x80 if essential else 0))
        ipma += struct.pack(">HB", i + 1, len(indices)) + bytes(indices)
    iprp = box(
        b"iprp", box(b"ipco", b"".join(props)) + full_box(b"ipma", 0, 0, struct.pack(">I", len(items)) + ipma)
    )
    infe = b"".join(
        full_box(b"infe", 2, int(item.hidden), struct.pack(">HH", i + 1, 0) + item.kind + b"\0")
        for i, item in enumerate(items)
    )
    iinf = full_box(b"iinf", 0, 0, struct.pack(">H", len(items)) + infe)
    refs = b"".join(
        box(kind, struct.pack(">HH", i + 1, len(to)) + b"".join(struct.pack(">H", t + 1) for t in to))
        for i, item in enumerate(items)
        for kind, to in item.refs
    )
    iref = full_box(b"iref", 0, 0, refs) if refs else b""
    hdlr = full_box(b"hdlr", 0, 0, bytes(4) + b"pict" + bytes(12) + b"\0")
    pitm = full_box(b"pitm", 0, 0, struct.pack(">H", primary + 1))

    def meta(data_start: int) -> bytes:
        entries, offset = b"", data_start
        for i, item in enumerate(items):
            entries += struct.pack(">HHHII", i + 1, 0, 1, offset, len(item.data))
            offset += len(item.data)
        iloc = full_box(b"iloc", 0, 0, bytes([0x44, 0x00]) + struct.pack(">H", len(items)) + entries)
        return full_box(b"meta", 0, 0, hdlr + pitm + iloc + iinf + iprp + iref)

    data_start = len(ftyp) + len(meta(0)) + 8
    return ftyp + meta(data_start) + box(b"mdat", b"".join(item.data for item in items))


def phone_photo(
    im: Image.Image,
    orientation: int = 1,
    icc: bytes | None = None,
    nclx: tuple[int, int] | None = None,
    bits: int = 8,
    gps: bool = True,
    tile: int | None = 64,
) -> bytes:
    """A HEIC as a phone writes one: ``im`` stored as given, shown turned by ``orientation`` (EXIF
    numbering; written as ``irot``/``imir``), in a grid of ``tile``-pixel tiles, with ``icc`` as its
    colour profile (or ``nclx``: colour primaries and transfer curve, by their H.273 numbers), EXIF
    with GPS, a thumbnail, and ``bits`` per sample (8 or 10)."""
    import pillow_heif

    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Phone"
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    params = {"exif": exif.tobytes(), "quality": 90, "thumbnails": [max(8, min(im.size) // 4)]}
    if icc:
        params["icc_profile"] = icc
    if nclx:
        params.update(color_primaries=nclx[0], transfer_characteristics=nclx[1], matrix_coefficients=6)
    if tile:
        params["tile_size"] = tile
    if bits == 8:
        return _save(im, **params)
    # 16-bit samples (each 8-bit value v as v * 257: the bytes v, v), which libheif stores with 10 bits
    deep = bytes(b for v in im.convert("RGB").tobytes() for b in (v, v))
    buf = io.BytesIO()
    pillow_heif.from_bytes("RGB;16", im.size, deep).save(buf, **params)
    return buf.getvalue()
