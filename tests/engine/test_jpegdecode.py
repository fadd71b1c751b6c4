"""M/8 scaled JPEG decoding: used for sequential RGB and grey JPEGs, a clean None for everything else."""

from __future__ import annotations

import io
import math

import pytest
from PIL import Image, ImageChops, ImageStat
from support.images import corrupt_jpeg, encode, marker, truncated

from sora_guard.engine.fitting import decode_at, fit_opened
from sora_guard.engine.jpegdecode import decode_scaled, scaled_size
from sora_guard.plugins.host import load_registry
from sora_guard.vocabulary.exceptions import FitError
from sora_guard.vocabulary.model import Size

pytest.importorskip("simplejpeg")


def photo(size=(800, 600), mode="RGB") -> Image.Image:
    im = Image.blend(marker(size), Image.effect_noise(size, 40).convert("RGB"), 0.3)
    return im if mode == "RGB" else im.convert(mode)


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def psnr(a: Image.Image, b: Image.Image) -> float:
    squares = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).sum2
    mse = sum(squares) / (3 * a.width * a.height)
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def test_the_smallest_eighth_that_covers_the_need():
    assert scaled_size(4032, 3024, (1280, 960)) == (1512, 1134)  # 3/8, where Pillow's draft gives 1/2
    assert scaled_size(1920, 1080, (1280, 720)) == (1440, 810)  # 6/8, where Pillow decodes in full
    assert scaled_size(800, 600, (100, 75)) == (100, 75)  # 1/8
    assert scaled_size(800, 600, (1600, 1200)) == (800, 600)  # never larger than the picture


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_sequential_jpeg_decodes_at_three_eighths_like_pillow_would_in_full(mode):
    data = encode(photo(mode=mode), "JPEG", quality=95)
    im = decode_scaled(data, opened(data), (300, 225))
    assert im is not None and im.size == (300, 225) and im.mode == mode
    with opened(data) as full:
        assert psnr(im, full.resize((300, 225), Image.Resampling.BOX)) > 30


def test_trailing_data_and_the_colour_profile_come_along():
    from support.icc import swapped_rgb

    data = encode(photo(), "JPEG", icc_profile=swapped_rgb()) + b"\x00" * 64 + b"a motion photo follows"
    im = decode_scaled(data, opened(data), (300, 225))
    assert im is not None and im.info.get("icc_profile") == swapped_rgb()


def _progressive() -> bytes:
    return encode(photo(), "JPEG", progressive=True)


def _cmyk() -> bytes:
    return encode(photo(mode="CMYK"), "JPEG")


def _bit_errors() -> bytes:
    data = bytearray(encode(photo(), "JPEG"))
    for i in range(len(data) // 2, len(data) // 2 + 3000, 101):
        data[i] ^= 0x55
    return bytes(data)


OTHERS = {
    "progressive (a decode time limit must be able to stop it)": _progressive,
    "CMYK (converted through its profile by Pillow)": _cmyk,
    "truncated": lambda: truncated(encode(photo(), "JPEG"), 0.6),
    "PNG": lambda: encode(photo(), "PNG"),
}


@pytest.mark.parametrize("name", OTHERS)
def test_everything_else_goes_to_pillow(name):
    data = OTHERS[name]()
    try:
        im = opened(data)
    except Exception:
        return  # not even Pillow opens it: nothing to decode
    assert decode_scaled(data, im, (300, 225)) is None


@pytest.mark.parametrize(
    ("make", "warned"),
    [(_bit_errors, True), (lambda: corrupt_jpeg((400, 300)), False)],
    ids=["bit errors", "noise"],
)
def test_damaged_coded_data_is_never_decoded_into_a_picture(make, warned):
    """libjpeg's warning about corrupt data is a FitError (fix refuses, as check does); a refusal
    about something else leaves the verdict to Pillow. Never a picture built on damage."""
    refused = 0
    for _ in range(5 + 25 * warned):  # each round damages another picture; libjpeg warns on about 60%
        if refused and warned:
            break
        data = make()
        try:
            result = decode_scaled(data, opened(data), (300, 225))
        except FitError as exc:
            assert exc.kind == "corrupt" and str(exc).startswith("Corrupt JPEG data")
            refused += 1
        else:
            assert result is None
    assert bool(refused) == warned, refused  # bit errors: libjpeg warns; noise: refused as something else


def test_a_decode_time_limit_too_short_for_the_bound_goes_to_pillow():
    data = encode(photo(), "JPEG")
    assert decode_scaled(data, opened(data), (300, 225), max_seconds=1e-6) is None
    assert decode_scaled(data, opened(data), (300, 225), max_seconds=30) is not None


def test_a_broken_file_fails_the_same_with_or_without_the_fast_path():
    data = truncated(encode(photo(), "JPEG"), 0.5)
    errors = []
    for given in (data, None):
        try:
            decode_at(opened(data), (300, 225), given)
        except Exception as exc:  # FitError, as fit_opened raises it
            errors.append((type(exc).__name__, str(exc)))
    assert len(errors) == 2 and errors[0] == errors[1]


def test_fitting_with_and_without_the_bytes_gives_the_same_picture():
    data = encode(photo((1600, 1200)), "JPEG", quality=95)
    cover = load_registry().strategies["cover"]
    fast = fit_opened(opened(data), Size(640, 360), cover, data=data).image
    draft = fit_opened(opened(data), Size(640, 360), cover).image
    assert fast.size == draft.size == (640, 360) and fast.mode == draft.mode == "RGB"
    assert psnr(fast, draft) > 35
