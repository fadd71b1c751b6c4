"""HEIF/HEIC phone photos through pillow-heif (libheif): brands, lazy registration with Pillow,
libheif's reason for refusing a container, and the auxiliary images that are not frames.
"""

from __future__ import annotations

import io

from PIL import Image

from sora_guard.engine.nclx import describe, icc_for_nclx

__all__ = ["GAIN_MAP", "adopt_nclx", "auxiliary_images", "brand_format", "container_error", "register_opener"]

_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})

GAIN_MAP = "HDR gain map"
"""How :func:`auxiliary_images` names a gain map (Apple's ``urn:com:apple:photo:2020:aux:hdrgainmap``)."""


def brand_format(head: bytes) -> str | None:
    """``"HEIF"`` or ``"AVIF"`` from the brands of an ISO-BMFF ``ftyp`` box at the start of ``head``, else None."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    end = min(int.from_bytes(head[:4], "big"), len(head))
    brands = {head[8:12], *(head[i : i + 4] for i in range(16, end - 3, 4))}
    if brands & _AVIF_BRANDS:
        return "AVIF"
    return "HEIF" if brands & _HEIF_BRANDS else None


def register_opener() -> str | None:
    """Let Pillow open HEIF through pillow-heif (once per process); why it cannot, or None.

    A host program that registered pillow-heif itself keeps its own options.
    """
    if "HEIF" in Image.OPEN:
        return None
    try:
        from pillow_heif import register_heif_opener  # ~30 ms: only once a HEIF file is met
    except ImportError as exc:
        return f"HEIF content cannot be read: pillow-heif cannot be imported ({exc}); reinstall sora-guard"
    register_heif_opener()
    return None


def container_error(data: bytes) -> str:
    """Why libheif refuses ``data``, a HEIF file Pillow could not open, in libheif's words."""
    from pillow_heif import open_heif

    try:
        open_heif(io.BytesIO(data))
    except Exception as exc:  # libheif's errors arrive as ValueError, EOFError, SyntaxError, RuntimeError...
        return str(exc) or type(exc).__name__
    return "libheif finds no image to show"


def adopt_nclx(im: Image.Image) -> str | None:
    """Give an opened HEIF whose colour is declared as nclx numbers, without an ICC profile, the equal
    profile, so fitting converts it to sRGB; the colour's name when it did. ``ValueError`` when no ICC
    profile can hold it (PQ and HLG curves)."""
    nclx = im.info.get("nclx_profile")
    icc = None if im.info.get("icc_profile") else icc_for_nclx(nclx)
    if icc is None:
        return None
    im.info["icc_profile"] = icc
    return describe(nclx)


def auxiliary_images(info: dict) -> tuple[str, ...]:
    """The images beside the primary one that are not frames (depth maps, gain maps, thumbnails), from
    pillow-heif's ``Image.info``."""
    found = ["depth map"] * len(info.get("depth_images") or ())
    for urn, ids in (info.get("aux") or {}).items():
        found += [GAIN_MAP if "gainmap" in urn.lower() else f"auxiliary image ({urn})"] * len(ids)
    return tuple(found + ["thumbnail"] * len(info.get("thumbnails") or ()))
