"""Valid seed files in every format sora-guard reads, and byte mutations of them.

The seeds are small (so thousands of examples run in seconds) but carry the structures where
parsers break: EXIF with GPS and orientation, ICC profiles, palettes with transparency, 16-bit
samples, progressive scans, animation frames, multi-page TIFF directories, and HEIF containers
(tile grids, rotation, auxiliary images, several top-level images).
"""

from __future__ import annotations

import functools
import io
import struct

from hypothesis import strategies as st
from PIL import Image, ImageCms

from support.heif import APPLE_GAIN_MAP, DEPTH, auxc, coded, container, imir, phone_photo
from support.images import animated_gif, animated_webp, encode, marker, png_16bit_rgb

#: integers that sit on parser boundaries: zero, one, sign bits, all-ones, and huge dimensions
INTERESTING = (
    0,
    1,
    2,
    0x7F,
    0x80,
    0xFF,
    0x100,
    0x7FFF,
    0x8000,
    0xFFFF,
    0x10000,
    65500,
    100000,
    0x7FFFFFFF,
    0x80000000,
    0xFFFFFFFF,
)


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "FuzzCam"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    return exif.tobytes()


@functools.cache
def seeds() -> tuple[tuple[str, bytes], ...]:
    """(file name, bytes) for each seed: the extension is the one the content promises."""
    im = marker((40, 24))
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    rgba = im.convert("RGBA")
    rgba.putpixel((0, 0), (0, 0, 0, 0))
    pal = im.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    pages = io.BytesIO()
    im.save(pages, "TIFF", save_all=True, append_images=[im.rotate(90, expand=True)])
    return (
        ("baseline.jpg", encode(im, "JPEG", quality=90, exif=_exif(), icc_profile=icc)),
        ("progressive.jpg", encode(im, "JPEG", quality=80, progressive=True, subsampling=2)),
        ("gray.jpg", encode(im.convert("L"), "JPEG")),
        ("cmyk.jpg", encode(im.convert("CMYK"), "JPEG")),
        ("rgb.png", encode(im, "PNG", exif=_exif(), icc_profile=icc)),
        ("rgba.png", encode(rgba, "PNG")),
        ("palette.png", encode(pal, "PNG", transparency=0)),
        ("gray-alpha.png", encode(im.convert("LA"), "PNG")),
        ("deep.png", png_16bit_rgb((8, 6))),
        ("lossy.webp", encode(im, "WEBP", quality=70, exif=_exif(), icc_profile=icc)),
        ("lossless.webp", encode(rgba, "WEBP", lossless=True)),
        ("animated.webp", animated_webp((16, 12), frames=2)),
        ("still.gif", encode(pal, "GIF")),
        ("animated.gif", animated_gif((16, 12), frames=3)),
        ("raw.tif", encode(im, "TIFF")),
        ("lzw.tif", encode(im, "TIFF", compression="tiff_lzw")),
        ("deflate.tif", encode(rgba, "TIFF", compression="tiff_adobe_deflate")),
        ("pages.tif", pages.getvalue()),
        ("plain.bmp", encode(im, "BMP")),
        *_heif_seeds(im, icc),
    )


def _heif_seeds(im: Image.Image, icc: bytes) -> tuple[tuple[str, bytes], ...]:
    """Phone HEICs: a rotated tile grid with a profile, GPS and a thumbnail; 10 bits; a mirrored
    picture with a depth map and a gain map; a burst whose primary image is not the first."""
    picture = coded(im)
    aux = coded(im.convert("L").resize((20, 12)))
    return (
        ("phone.heic", phone_photo(im, 6, icc=icc, tile=16)),
        ("deep.heic", phone_photo(im, 1, bits=10, gps=False, tile=None)),
        (
            "hdr.heic",
            container(
                [
                    picture.with_(imir(1)),
                    aux.with_(auxc(DEPTH), refs=((b"auxl", (0,)),)),
                    aux.with_(auxc(APPLE_GAIN_MAP), refs=((b"auxl", (0,)),)),
                ]
            ),
        ),
        ("burst.heic", container([coded(im.rotate(180)), picture], primary=1)),
    )


def _position(draw, data: bytearray) -> int:
    """A byte offset, half the time inside the first 256 bytes where the headers live."""
    limit = len(data) - 1 if draw(st.booleans()) else min(255, len(data) - 1)
    return draw(st.integers(0, max(0, limit)))


def _mutate(draw, data: bytearray) -> bytearray:
    op = draw(st.sampled_from(("flip", "byte", "int", "insert", "delete", "truncate", "repeat", "splice")))
    if not data:
        return bytearray(draw(st.binary(max_size=64)))
    at = _position(draw, data)
    if op == "flip":
        data[at] ^= draw(st.integers(1, 255))
    elif op == "byte":
        data[at] = draw(st.sampled_from((0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF)))
    elif op == "int":
        fmt = draw(st.sampled_from((">H", "<H", ">I", "<I")))
        value = draw(st.sampled_from(INTERESTING)) & (0xFFFF if fmt.endswith("H") else 0xFFFFFFFF)
        packed = struct.pack(fmt, value)
        data[at : at + len(packed)] = packed
    elif op == "insert":
        data[at:at] = draw(st.binary(min_size=1, max_size=32))
    elif op == "delete":
        del data[at : at + draw(st.integers(1, 64))]
    elif op == "truncate":
        del data[at:]
    elif op == "repeat":
        length = draw(st.integers(1, 256))
        data[at:at] = data[at : at + length] * draw(st.integers(1, 8))
    else:
        _, other = draw(st.sampled_from(seeds()))
        cut = draw(st.integers(0, len(other)))
        data[at:] = other[cut:]
    return data


@st.composite
def mutated_images(draw, max_mutations: int = 6) -> tuple[str, bytes]:
    """A seed file with one to ``max_mutations`` byte mutations, with the seed's file name."""
    name, seed = draw(st.sampled_from(seeds()))
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, max_mutations))):
        data = _mutate(draw, data)
    return name, bytes(data)
