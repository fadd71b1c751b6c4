"""Image formats: the extensions sora-guard treats as images, their MIME types, and URL detection."""

from __future__ import annotations

import os

__all__ = ["EXTENSION_FORMATS", "FORMAT_EXTENSION", "FORMAT_MIME", "HEIF_MIMES", "is_image_name", "is_url"]

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
}
"""File extensions sora-guard treats as images, and the format each one promises (the upload's MIME
type is guessed from this extension, so it must name a format the service takes)."""

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
