"""The report's pictures come from the engine's own pipeline: the right way up, small, and never
from an image the check refuses to decode."""

from __future__ import annotations

import io

from PIL import Image
from support.images import encode, exif_rotated_jpeg, marker, png_header_only, truncated

from sora_guard.engine.fitting import fit_opened
from sora_guard.engine.pictures import THUMBNAIL_SIDE, before_picture, thumbnail
from sora_guard.plugins.host import load_registry
from sora_guard.vocabulary.contract import FitOptions, Subject
from sora_guard.vocabulary.model import Limits, Size

STRATEGIES = load_registry(False).strategies
SHRINK = STRATEGIES["stretch"]


def _opened(picture) -> Image.Image:
    assert picture.mime == "image/webp"
    im = Image.open(io.BytesIO(picture.data))
    assert im.format == "WEBP" and im.size == (picture.width, picture.height)
    return im.convert("RGB")


def test_a_thumbnail_is_small_and_the_right_way_up():
    picture = thumbnail(exif_rotated_jpeg((1600, 1200), 6), SHRINK)
    assert (picture.width, picture.height) == (120, THUMBNAIL_SIDE)  # stored landscape, shown portrait
    assert len(picture.data) < 8000


def test_no_thumbnail_of_what_does_not_decode_or_is_over_the_limits():
    assert thumbnail(truncated(encode(marker((1280, 720)), "JPEG")), SHRINK) is None
    assert thumbnail(b"not an image", SHRINK) is None
    assert thumbnail(png_header_only((50_000, 50_000)), SHRINK, Limits(max_pixels=10**8)) is None


def _placement(data: bytes, strategy: str, size: Size, options: FitOptions = FitOptions()):
    """What fitting ``data`` does, as fix reports it."""
    return fit_opened(Image.open(io.BytesIO(data)), size, STRATEGIES[strategy], options).placement


def test_the_before_picture_shades_what_cover_cuts_and_hatches_what_pad_adds():
    data = encode(marker((1600, 1200)), "JPEG")
    size = Size(1280, 720)
    cover = _opened(before_picture(data, SHRINK, _placement(data, "cover", size), size))
    assert cover.size == (160, 120)
    top, middle = cover.getpixel((20, 3)), cover.getpixel((20, 40))
    assert sum(top) < sum(middle) / 2  # the strip cover cuts away is shaded
    pad = _opened(before_picture(data, SHRINK, _placement(data, "pad", size), size))
    assert pad.size == (160, 90)  # the output's shape, with bars beside the picture
    assert max(pad.getpixel((3, 45))) - min(pad.getpixel((3, 45))) < 20  # grey hatching, not the red picture


def test_the_before_picture_boxes_the_subjects_kept_whole_and_those_cut():
    data = encode(Image.new("RGB", (1600, 1200), (128, 128, 128)), "JPEG")
    size = Size(1280, 720)
    whole, cut = Subject((0.4, 0.3, 0.6, 0.5)), Subject((0.1, 0.02, 0.3, 0.2))
    placement = _placement(data, "cover", size, FitOptions(subjects=(whole, cut)))
    assert placement.kept == (whole,)  # cover's centred strip cuts the face near the top
    im = _opened(before_picture(data, SHRINK, placement, size))
    green, red = im.getpixel((80, 37)), im.getpixel((17, 12))  # on each box's edge
    assert green[1] > green[0] + 60 and red[0] > red[1] + 60


def test_a_heic_phone_photo_gets_a_thumbnail_as_fix_reads_it():
    from support.images import heic_photo

    picture = thumbnail(heic_photo((1600, 1200)), SHRINK)
    assert (picture.width, picture.height) == (160, 120)
    assert _opened(picture).getpixel((10, 10))[0] > 200  # the marker's red corner
