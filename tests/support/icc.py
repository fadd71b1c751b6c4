"""Hand-built ICC profiles whose effect is unmistakable, so tests can prove a profile was applied.

- ``swapped_rgb()``: an RGB matrix profile with the red and green primaries exchanged: a pixel
  stored as pure red *means* green, so a fix through the profile turns it green.
- ``display_p3()``: Display P3, the profile of iPhone photos (wider primaries than sRGB, the same
  transfer curve): the same numbers mean more saturated colours than in sRGB.
- ``blue_cmyk()``: a CMYK profile (lut8 A2B0) that maps every ink mix without black to blue and
  full black to black: a CMYK red converted through it comes out blue, not red.
"""

from __future__ import annotations

import struct

D50 = (0.9642, 1.0, 0.8249)


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + _s15(x) + _s15(y) + _s15(z)


def _desc(text: str) -> bytes:
    ascii_ = text.encode() + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_)) + ascii_ + bytes(8) + bytes(3) + bytes(67)


def _curve(gamma: float) -> bytes:
    return b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256)) + bytes(2)


def _profile(device_class: bytes, space: bytes, pcs: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries, blobs = [], b""
    for sig, data in tags:
        data += bytes(-len(data) % 4)
        entries.append(sig + struct.pack(">II", offset + len(blobs), len(data)))
        blobs += data
    size = 128 + table_size + len(blobs)
    header = (
        struct.pack(">I", size)
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + device_class
        + space
        + pcs
        + bytes(12)
        + b"acsp"
        + bytes(24)
        + struct.pack(">I", 0)
        + _s15(D50[0])
        + _s15(D50[1])
        + _s15(D50[2])
        + bytes(48)
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + b"".join(entries) + blobs


def swapped_rgb() -> bytes:
    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    return _profile(
        b"mntr",
        b"RGB ",
        b"XYZ ",
        [
            (b"desc", _desc("red-green swapped test profile")),
            (b"wtpt", _xyz(*D50)),
            (b"rXYZ", _xyz(*green)),
            (b"gXYZ", _xyz(*red)),
            (b"bXYZ", _xyz(*blue)),
            (b"rTRC", _curve(2.2)),
            (b"gTRC", _curve(2.2)),
            (b"bTRC", _curve(2.2)),
        ],
    )


def _srgb_curve() -> bytes:
    """The sRGB transfer curve as an ICC parametric curve (function type 3)."""
    params = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
    return b"para" + bytes(4) + struct.pack(">HH", 3, 0) + b"".join(_s15(v) for v in params)


def display_p3() -> bytes:
    curve = _srgb_curve()
    return _profile(
        b"mntr",
        b"RGB ",
        b"XYZ ",
        [
            (b"desc", _desc("Display P3")),
            (b"wtpt", _xyz(*D50)),
            (b"rXYZ", _xyz(0.515102, 0.241196, -0.001050)),  # P3 primaries, adapted to D50
            (b"gXYZ", _xyz(0.291965, 0.692236, 0.041883)),
            (b"bXYZ", _xyz(0.157153, 0.066569, 0.784169)),
            (b"rTRC", curve),
            (b"gTRC", curve),
            (b"bTRC", curve),
        ],
    )


def blue_cmyk() -> bytes:
    identity = bytes(range(256))
    matrix = b"".join(_s15(1.0 if i % 4 == 0 else 0.0) for i in range(9))
    blue_lab, black_lab = bytes((77, 196, 16)), bytes((0, 128, 128))
    clut = b"".join(
        black_lab if k else blue_lab for c in (0, 1) for m in (0, 1) for y in (0, 1) for k in (0, 1)
    )
    lut = b"mft1" + bytes(4) + bytes((4, 3, 2, 0)) + matrix + identity * 4 + clut + identity * 3
    return _profile(
        b"prtr", b"CMYK", b"Lab ", [(b"desc", _desc("blue test CMYK")), (b"wtpt", _xyz(*D50)), (b"A2B0", lut)]
    )
