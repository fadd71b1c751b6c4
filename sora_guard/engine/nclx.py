"""An ICC profile for the colour a HEIF declares as ``nclx`` (primaries and transfer curve, no profile),
so fitting converts it to sRGB like an embedded profile.
"""

from __future__ import annotations

import struct

__all__ = ["describe", "icc_for_nclx"]

_D50 = (0.9642, 1.0, 0.8249)
_BRADFORD = ((0.8951, 0.2664, -0.1614), (-0.7502, 1.7135, 0.0367), (0.0389, -0.0685, 1.0296))
_CURVES = {  # transfer_characteristics -> ICC parametric curve type 3 (g, a, b, c, d)
    13: (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045),  # sRGB (Display P3 too)
    1: (1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081),  # BT.709, and its equals below
    6: (1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081),
    14: (1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081),
    15: (1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081),
    8: (1.0, 1.0, 0.0, 1.0, 0.0),  # linear
}
_SRGB_PRIMARIES = (1, 2)  # BT.709 (sRGB's primaries) and "unspecified": nothing to convert
_NAMES = {9: "BT.2020", 11: "DCI-P3", 12: "Display P3"}


def describe(nclx: dict) -> str:
    """The declared primaries by name, for messages: ``Display P3 (nclx)``."""
    primaries = nclx.get("color_primaries")
    return f"{_NAMES.get(primaries, f'primaries {primaries}')} (nclx)"


def _mul(m, v):
    return tuple(sum(m[i][k] * v[k] for k in range(3)) for i in range(3))


def _matmul(a, b):
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3))


def _inverse(m):
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return (
        ((e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det),
        ((f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det),
        ((d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det),
    )


def _xyz(x: float, y: float) -> tuple[float, float, float]:
    return (x / y, 1.0, (1 - x - y) / y)


def _colorants(nclx: dict) -> tuple[tuple[float, float, float], ...]:
    """The red, green and blue colorants (XYZ, adapted to D50) of the declared primaries and white."""
    r, g, b = (
        _xyz(nclx[f"color_primary_{c}_x"], nclx[f"color_primary_{c}_y"]) for c in ("red", "green", "blue")
    )
    white = _xyz(nclx["color_primary_white_x"], nclx["color_primary_white_y"])
    primaries = tuple(zip(r, g, b))  # columns are the primaries
    scale = _mul(_inverse(primaries), white)
    to_xyz = tuple(tuple(primaries[i][j] * scale[j] for j in range(3)) for i in range(3))
    cone_src, cone_d50 = _mul(_BRADFORD, white), _mul(_BRADFORD, _D50)
    gain = tuple(tuple(cone_d50[i] / cone_src[i] if i == j else 0.0 for j in range(3)) for i in range(3))
    adapted = _matmul(_matmul(_inverse(_BRADFORD), _matmul(gain, _BRADFORD)), to_xyz)
    return tuple(tuple(adapted[i][j] for i in range(3)) for j in range(3))


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _profile(tags: list[tuple[bytes, bytes]]) -> bytes:
    """An ICC v2 RGB display profile holding ``tags``."""
    offset = 128 + 4 + 12 * len(tags)
    table, blobs = b"", b""
    for sig, data in tags:
        data += bytes(-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(blobs), len(data))
        blobs += data
    size = offset + len(blobs)
    header = (
        struct.pack(">I4sI", size, bytes(4), 0x02100000) + b"mntrRGB XYZ " + bytes(12) + b"acsp" + bytes(24)
    )
    header += bytes(4) + b"".join(_s15(v) for v in _D50) + bytes(48)
    return header + struct.pack(">I", len(tags)) + table + blobs


def icc_for_nclx(nclx: dict | None) -> bytes | None:
    """An ICC profile equal to ``nclx`` (pillow-heif's ``info["nclx_profile"]``), or None when it declares
    sRGB's primaries; ``ValueError`` when a matrix profile cannot hold it (PQ and HLG curves)."""
    if not nclx or nclx.get("color_primaries") in _SRGB_PRIMARIES:
        return None
    try:
        return _matrix_profile(nclx, _CURVES[nclx.get("transfer_characteristics")])
    except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError, struct.error):
        primaries, transfer = nclx.get("color_primaries"), nclx.get("transfer_characteristics")
        raise ValueError(
            f"nclx colour (primaries {primaries}, transfer {transfer}) has no ICC equivalent"
        ) from None


def _matrix_profile(nclx: dict, curve: tuple[float, ...]) -> bytes:
    red, green, blue = _colorants(nclx)
    trc = b"para" + bytes(4) + struct.pack(">HH", 3, 0) + b"".join(_s15(v) for v in curve)
    text = describe(nclx).encode() + b"\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 3 + 67)
    colorants = [(b"rXYZ", red), (b"gXYZ", green), (b"bXYZ", blue), (b"wtpt", _D50)]
    return _profile(
        [(b"desc", desc)]
        + [(sig, b"XYZ " + bytes(4) + b"".join(_s15(v) for v in xyz)) for sig, xyz in colorants]
        + [(b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)]
    )
