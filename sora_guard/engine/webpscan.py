"""Prove a still WebP decodes: libwebp parses every macroblock but makes only a corner of the picture."""

from __future__ import annotations

import ctypes
import functools
from ctypes import POINTER, byref, c_char_p, c_int, c_size_t, c_uint32, c_void_p

__all__ = ["intact"]

_ABI = 0x0200
"""WEBP_DECODER_ABI_VERSION; libwebp compares only its major byte, which the structures below follow."""
_MODE_RGBA = 1  # output with alpha, so the alpha plane is decoded too
_OK = 0


class _Features(ctypes.Structure):  # WebPBitstreamFeatures
    _fields_ = [(n, c_int) for n in ("width", "height", "has_alpha", "has_animation", "format")] + [
        ("pad", c_uint32 * 5)
    ]


class _Output(ctypes.Structure):  # WebPDecBuffer, its union as the larger (YUVA) member
    _fields_ = [(n, c_int) for n in ("colorspace", "width", "height", "is_external_memory")] + [
        ("planes", c_void_p * 4),
        ("strides", c_int * 4),
        ("sizes", c_size_t * 4),
        ("pad", c_uint32 * 4),
        ("private_memory", c_void_p),
    ]


class _Options(ctypes.Structure):  # WebPDecoderOptions: its first seven fields named, the rest kept whole
    _fields_ = [
        (n, c_int)
        for n in (
            "bypass_filtering",
            "no_fancy_upsampling",
            "use_cropping",
            "crop_left",
            "crop_top",
            "crop_width",
            "crop_height",
        )
    ] + [("rest", c_int * 7), ("pad", c_uint32 * 5)]


class _Config(ctypes.Structure):  # WebPDecoderConfig
    _fields_ = [("input", _Features), ("output", _Output), ("options", _Options)]


@functools.cache
def _libwebp() -> ctypes.CDLL | None:
    """The libwebp Pillow's WebP module is linked to, or None (no WebP support, or libwebp linked in
    statically and not exported, as in Pillow's Windows wheels)."""
    try:
        from PIL import _webp

        lib = ctypes.CDLL(_webp.__file__)  # its symbols and those of the libraries it links
        lib.WebPInitDecoderConfigInternal.argtypes = [POINTER(_Config), c_int]
        lib.WebPGetFeaturesInternal.argtypes = [c_char_p, c_size_t, POINTER(_Features), c_int]
        lib.WebPDecode.argtypes = [c_char_p, c_size_t, POINTER(_Config)]
        lib.WebPFreeDecBuffer.argtypes = [POINTER(_Output)]
        lib.WebPFreeDecBuffer.restype = None
    except (ImportError, OSError, AttributeError):
        return None
    return lib


def _frame(data: bytes) -> bytes | None:
    """The chunks Pillow's decoder (libwebp's animation decoder) hands to ``WebPDecode``: the image
    chunk (VP8 or VP8L) and the ALPH chunk before it. None unless the file holds one such image, no
    animation, and chunks that end exactly where the RIFF header says the file does. Given the whole
    file, ``WebPDecode`` would let a short bitstream read on into the chunks after it."""
    if len(data) < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    end = int.from_bytes(data[4:8], "little") + 8
    if end != len(data):
        return None
    chunks = []
    pos = 12
    while pos + 8 <= end:
        kind, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        chunks.append((kind, pos, pos + 8 + size + (size & 1)))
        pos = chunks[-1][2]
    kinds = [kind for kind, _, _ in chunks]
    if pos != end or kinds.count(b"VP8 ") + kinds.count(b"VP8L") != 1 or b"ANIM" in kinds or b"ANMF" in kinds:
        return None
    image = kinds.index(b"VP8 ") if b"VP8 " in kinds else kinds.index(b"VP8L")
    alpha = [i for i, kind in enumerate(kinds) if kind == b"ALPH"]
    if alpha and (len(alpha) > 1 or alpha[0] > image or kinds[image] != b"VP8 "):
        return None
    return data[chunks[alpha[0] if alpha else image][1] : chunks[image][2]]


def intact(data: bytes) -> bool:
    """True only when decoding ``data`` (a WebP Pillow opened) is certain to succeed; False: decode to find out.

    libwebp decodes a 2x2 (or smaller) bottom-right corner without the loop filter: every
    macroblock's modes and coefficients (lossy), every pixel's codes and transforms (lossless) and
    every row of alpha are still decoded up to that corner, which is where a damaged or short
    bitstream fails; the filter and colour conversion it skips cannot fail.
    """
    lib = _libwebp()
    frame = _frame(data) if lib is not None else None
    if frame is None:
        return False
    config = _Config()
    if not lib.WebPInitDecoderConfigInternal(byref(config), _ABI):
        return False
    if lib.WebPGetFeaturesInternal(frame, len(frame), byref(config.input), _ABI) != _OK:
        return False
    width, height = config.input.width, config.input.height
    options = config.options
    options.bypass_filtering = options.use_cropping = 1
    options.crop_left = max(0, width - 2) & ~1  # libwebp rounds the corner's position down to even
    options.crop_top = max(0, height - 2) & ~1
    options.crop_width, options.crop_height = width - options.crop_left, height - options.crop_top
    config.output.colorspace = _MODE_RGBA
    try:
        return lib.WebPDecode(frame, len(frame), byref(config)) == _OK
    finally:
        lib.WebPFreeDecBuffer(byref(config.output))
