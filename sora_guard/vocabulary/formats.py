"""Image formats: the extensions sora-guard treats as images, their MIME types, and URL detection."""

from __future__ import annotations

import os

__all__ = [
    "EXTENSION_FORMATS",
    "FORMAT_EXTENSION",
    "FORMAT_MIME",
    "HEIF_MIMES",
    "UNREAD_FORMATS",
    "is_image_name",
    "is_url",
]

EXTENSION_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".jfif": "JPEG",
    ".png": "PNG",
    ".apng": "APNG",  # uploads as image/apng, which no service accepts: a PNG must be named .png
    ".webp": "WEBP",
    ".gif": "GIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
    ".heic": "HEIF",
    ".heif": "HEIF",
    ".avif": "AVIF",
    ".jxl": "JXL",
    ".ico": "ICO",
    ".psd": "PSD",
    ".tga": "TGA",
    ".jp2": "JPEG2000",
    ".j2k": "JPEG2000",
    ".j2c": "JPEG2000",
    ".jpc": "JPEG2000",
    ".jpf": "JPEG2000",
    ".jpx": "JPEG2000",
    ".pbm": "PPM",
    ".pgm": "PPM",
    ".ppm": "PPM",
    ".pnm": "PPM",
    ".pcx": "PCX",
    ".dds": "DDS",
    ".icns": "ICNS",
    ".qoi": "QOI",
}
"""File extensions sora-guard treats as images, and the format each one promises (the upload's MIME
type is guessed from this extension, so it must name a format the service takes)."""

UNREAD_FORMATS = {
    **dict.fromkeys((".svg", ".svgz", ".ai", ".eps"), "vector drawing"),
    **dict.fromkeys(
        (".dng", ".cr2", ".cr3", ".nef", ".nrw", ".arw", ".orf", ".rw2", ".raf", ".srw", ".pef"), "camera raw"
    ),
    **dict.fromkeys((".exr", ".hdr"), "HDR image"),
    **dict.fromkeys((".xcf", ".kra"), "editor's layered file"),
}
"""Image files sora-guard does not read, by extension, with what they are: a walk counts them as
skipped (no video service takes them; export a JPEG, PNG or WebP)."""

FORMAT_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}

HEIF_MIMES = frozenset({"image/heic", "image/heif"})
"""Both name HEIF content: image/heic for HEVC-coded HEIF, image/heif for any (RFC 8536 / ISO 23008-12)."""

FORMAT_EXTENSION = {
    "JPEG": ".jpg",
    "PNG": ".png",
    "WEBP": ".webp",
    "GIF": ".gif",
    "TIFF": ".tif",
    "BMP": ".bmp",
}


def is_image_name(name: str) -> bool:
    """True when the name ends in an extension sora-guard treats as an image."""
    return os.path.splitext(name)[1].lower() in EXTENSION_FORMATS


def is_url(path: object) -> bool:
    """True for an object-storage or remote URL (``s3://...``, ``memory://...``), never for a local path."""
    return isinstance(path, str) and "://" in path
