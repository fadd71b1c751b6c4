"""``fix`` through the Python API: geometry, orientation, colour, formats, idempotency, safety."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image
from support.icc import blue_cmyk, swapped_rgb
from support.images import animated_webp, encode, exif_rotated_jpeg, marker, png_16bit_rgb, truncated, write

from sora_guard.builtin.strategies import BUILTIN_STRATEGIES
from sora_guard.config import Settings
from sora_guard.engine.check import check_path
from sora_guard.io.atomic import TEMP_PREFIX
from sora_guard.run.fix import FixJob, Status, fix_file
from sora_guard.run.fix_report import summarise
from sora_guard.vocabulary.model import Size

RED, GREEN, BLUE, WHITE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (255, 255, 0)


SORA = ("sora-2",)
"""The target of these tests: exact sizes (1280x720, 720x1280) and JPEG, PNG or WebP (a closed service,
kept for gateways, whose rules exercise every step of a fix)."""


def near(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour))


def fix(path, settings: Settings | None = None, **job):
    return fix_file(FixJob(str(path), **job), settings or Settings(root=Path(path).parent, targets=SORA))


def passes(path, settings: Settings | None = None) -> bool:
    s = settings or Settings(root=Path(path).parent, targets=SORA)
    return check_path(path, s.target(), s.rules()).ok


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


# Transpose that turns the displayed picture into the stored one, for each EXIF orientation.
TO_STORED = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def oriented_jpeg(displayed: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(displayed.transpose(TO_STORED[orientation]), "JPEG", exif=exif.tobytes(), quality=95)


@pytest.mark.parametrize("orientation", range(2, 9))
def test_exif_orientation_comes_out_the_right_way_up_without_a_tag(tmp_path, orientation):
    path = write(tmp_path / "photo.jpg", oriented_jpeg(marker((1600, 900)), orientation))
    result = fix(path)
    assert result.status is Status.FIXED and "SG101" in {d.code for d in result.before.errors}
    with Image.open(path) as out:
        assert out.size == (1280, 720) and 0x0112 not in out.getexif()
        for xy, colour in zip(
            [(5, 5), (1274, 5), (5, 714), (1274, 714), (640, 360)], (RED, GREEN, BLUE, WHITE, YELLOW)
        ):
            assert near(out.getpixel(xy), colour), (orientation, xy, out.getpixel(xy))
    assert passes(path)


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
@pytest.mark.parametrize(
    "strategy,job", [("crop", {"crop_box": (0.55, 0.1, 0.95, 0.45)}), ("cover", {"anchor": (1.0, 0.5)})]
)
def test_anchor_and_crop_box_mean_the_displayed_picture(tmp_path, orientation, strategy, job):
    displayed = marker((900, 1600))
    upright = write(tmp_path / "upright.png", displayed)
    turned = write(tmp_path / "turned.jpg", oriented_jpeg(displayed, orientation))
    s = replace(Settings(root=tmp_path, targets=SORA), strategy=strategy, size=Size(720, 1280))
    fix(upright, s, **job)
    fix(turned, s, **job)
    with Image.open(upright) as a, Image.open(turned) as b:
        assert a.size == b.size == (720, 1280)
        diff = sum(
            abs(p - q)
            for p, q in zip(
                a.convert("RGB").resize((16, 16)).tobytes(), b.convert("RGB").resize((16, 16)).tobytes()
            )
        )
        assert diff / (16 * 16 * 3) < 6, "same picture whichever way the file is stored"


def test_cmyk_is_converted_through_its_embedded_profile(tmp_path):
    cmyk_red = Image.new("CMYK", (1280, 720), (0, 255, 255, 0))
    with_profile = write(tmp_path / "profiled.jpg", encode(cmyk_red, "JPEG", icc_profile=blue_cmyk()))
    without = write(tmp_path / "plain.jpg", encode(cmyk_red, "JPEG"))
    assert fix(with_profile).status is Status.FIXED and fix(without).status is Status.FIXED
    with Image.open(with_profile) as a, Image.open(without) as b:
        assert a.mode == b.mode == "RGB" and a.size == (1280, 720)
        assert near(a.getpixel((640, 360)), (8, 5, 255)), "the profile says these inks print blue"
        assert near(b.getpixel((640, 360)), RED)
        assert not a.info.get("icc_profile")


def test_rgb_profile_is_applied_and_written_as_srgb(tmp_path):
    path = write(
        tmp_path / "wide.jpg", encode(Image.new("RGB", (1600, 900), RED), "JPEG", icc_profile=swapped_rgb())
    )
    assert fix(path).status is Status.FIXED
    with Image.open(path) as out:
        assert near(out.getpixel((640, 360)), GREEN) and not out.info.get("icc_profile")


def test_pad_colour_survives_a_profile_that_is_applied_after_resampling(tmp_path):
    path = write(
        tmp_path / "wide.png", encode(Image.new("RGB", (900, 900), RED), "PNG", icc_profile=swapped_rgb())
    )
    s = replace(Settings(root=tmp_path, targets=SORA), strategy="pad", background=(200, 60, 30))
    assert fix(path, s).status is Status.FIXED
    with Image.open(path) as out:
        assert near(out.getpixel((5, 360)), (200, 60, 30), 6) and near(out.getpixel((640, 360)), GREEN)


def test_16_bit_and_palette_and_alpha_become_8_bit_rgb(tmp_path):
    grey16 = write(tmp_path / "grey16.png", Image.new("I;16", (640, 480), 32896))
    rgb16 = write(tmp_path / "rgb16.png", png_16bit_rgb((640, 480)))
    gif = marker((640, 480)).convert("P")
    gif.info["transparency"] = gif.getpixel((5, 5))
    palette = write(tmp_path / "palette.gif", encode(gif, "GIF", transparency=gif.getpixel((5, 5))))
    la = write(tmp_path / "la.png", marker((640, 480)).convert("LA"))
    for path in (grey16, rgb16, palette, la):
        result = fix(path)
        assert result.status is Status.FIXED, (path, result.problems)
        dest = Path(result.dest)
        assert passes(dest), dest
        with Image.open(dest) as out:
            assert out.mode in ("RGB", "RGBA") and out.size == (1280, 720)
    with Image.open(grey16) as out:
        assert near(out.getpixel((640, 360)), (128, 128, 128), 2), "16-bit is scaled, not clipped"
    assert not palette.exists() and (tmp_path / "palette.png").exists(), "GIF is converted, and renamed"
    with Image.open(tmp_path / "palette.png") as out:
        assert out.mode == "RGBA" and out.getpixel((5, 5))[3] == 0, "PNG holds the transparency"


def test_alpha_is_flattened_onto_the_background_when_the_format_cannot_hold_it(tmp_path):
    im = marker((1280, 720), "RGBA")
    im.paste((0, 0, 0, 0), (0, 0, 100, 100))
    path = write(tmp_path / "logo.png", im)
    s = replace(Settings(root=tmp_path, targets=SORA), formats=frozenset({"JPEG"}), background=(20, 40, 220))
    result = fix(path, s)
    assert result.status is Status.FIXED and result.dest == str(tmp_path / "logo.jpg")
    assert not path.exists()
    with Image.open(result.dest) as out:
        assert out.format == "JPEG" and out.mode == "RGB" and near(out.getpixel((10, 10)), (20, 40, 220), 12)


def test_content_and_extension_agree_after_fix(tmp_path):
    png_named_jpg = write(tmp_path / "shot.jpg", encode(marker((1280, 720)), "PNG"))
    original = png_named_jpg.read_bytes()
    result = fix(png_named_jpg)
    assert result.status is Status.FIXED and result.renamed and any(d.code == "SG914" for d in result.notes)
    assert (tmp_path / "shot.png").read_bytes() == original, "a rename only: the bytes are kept"
    assert not png_named_jpg.exists()


def test_rename_never_overwrites_another_file(tmp_path):
    gif = write(tmp_path / "a.gif", encode(marker((640, 480)).convert("P"), "GIF"))
    other = write(tmp_path / "a.png", marker((1280, 720)))
    before = digest(tmp_path)
    result = fix(gif)
    assert result.status is Status.FAILED and [d.code for d in result.problems] == ["SG903"]
    assert digest(tmp_path) == before and other.exists()


def test_files_that_pass_are_left_byte_identical_and_fix_is_idempotent(tmp_path):
    write(tmp_path / "good.png", marker((1280, 720)))
    write(tmp_path / "big.jpg", marker((4032, 3024)), quality=90)
    write(tmp_path / "rotated.jpg", exif_rotated_jpeg((1600, 900), 6))
    write(tmp_path / "tall.webp", marker((1080, 1920)))
    write(tmp_path / "cmyk.jpg", marker((800, 600)).convert("CMYK"))
    good_stat = os.stat(tmp_path / "good.png")
    first = [fix(p) for p in sorted(tmp_path.iterdir())]
    assert [r.status for r in first].count(Status.UNCHANGED) == 1
    assert os.stat(tmp_path / "good.png").st_mtime_ns == good_stat.st_mtime_ns
    assert all(passes(p) for p in tmp_path.iterdir())
    snapshot = digest(tmp_path)
    second = [fix(p) for p in sorted(tmp_path.iterdir())]
    assert all(r.status is Status.UNCHANGED for r in second)
    assert digest(tmp_path) == snapshot
    assert "0 failed" in summarise(first) and "SG101 size-mismatch" in summarise(first)


def test_unfixable_files_are_untouched_and_reported(tmp_path):
    files = {
        "cut.jpg": truncated(encode(marker((2000, 1000)), "JPEG")),
        "text.png": b"<html>not found</html>",
        "empty.jpg": b"",
    }
    for name, data in files.items():
        write(tmp_path / name, data)
    expected = {"cut.jpg": "SG503", "text.png": "SG502", "empty.jpg": "SG302"}
    for name, code in expected.items():
        result = fix(tmp_path / name)
        assert result.status is Status.FAILED and code in {d.code for d in result.problems}, (
            name,
            result.problems,
        )
        assert (tmp_path / name).read_bytes() == files[name]


def test_read_only_file_and_folder_get_a_clear_error_and_lose_nothing(tmp_path):
    ro_file = write(tmp_path / "locked.jpg", marker((800, 600)))
    data = ro_file.read_bytes()
    os.chmod(ro_file, 0o444)
    result = fix(ro_file)
    assert (
        result.status is Status.FAILED
        and result.problems[0].code == "SG901"
        and "read-only" in result.problems[0].message
    )
    assert ro_file.read_bytes() == data
    folder = tmp_path / "ro"
    inside = write(folder / "photo.jpg", marker((800, 600)))
    os.chmod(folder, 0o555)
    try:
        result = fix(inside)
        assert result.status is Status.FAILED and result.problems[0].code == "SG901"
        assert inside.read_bytes() == data
        assert not [n for n in os.listdir(folder) if n.startswith(TEMP_PREFIX)]
    finally:
        os.chmod(folder, 0o755)


def test_out_writes_a_mirrored_tree_and_leaves_sources_alone(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    write(src / "a" / "big.jpg", marker((1600, 900)))
    write(src / "good.png", marker((1280, 720)))
    write(src / "anim.gif", encode(marker((640, 480)).convert("P"), "GIF"))
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    for p in before:
        fix(p, Settings(root=tmp_path, targets=SORA), out=str(out / p.relative_to(src)))
    assert {p: p.read_bytes() for p in src.rglob("*") if p.is_file()} == before
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a/big.jpg",
        "anim.png",
        "good.png",
    ]
    assert (out / "good.png").read_bytes() == (src / "good.png").read_bytes()
    assert all(passes(p) for p in out.rglob("*") if p.is_file())


def test_dry_run_writes_nothing(tmp_path):
    path = write(tmp_path / "big.jpg", marker((1600, 900)))
    before = digest(tmp_path)
    result = fix(path, dry_run=True)
    assert result.status is Status.FIXED and result.dry_run and result.after.ok
    assert digest(tmp_path) == before and "Would fix 1" in summarise([result])


def test_warnings_for_far_upscales_and_stretching(tmp_path):
    small = write(tmp_path / "small.png", marker((200, 100)))
    notes = {d.code for d in fix(small).notes}
    assert "SG911" in notes
    square = write(tmp_path / "square.png", marker((500, 500)))
    assert "SG912" in {
        d.code for d in fix(square, replace(Settings(root=tmp_path, targets=SORA), strategy="stretch")).notes
    }


def test_over_the_byte_limit_is_retried_at_lower_quality(tmp_path):
    noisy = Image.effect_noise((1280, 720), 120).convert("RGB")
    path = write(tmp_path / "noise.jpg", noisy, quality=100)
    limit = len(encode(noisy, "JPEG", quality=70))
    result = fix(path, replace(Settings(root=tmp_path, targets=SORA), max_bytes=limit))
    assert result.status is Status.FIXED and path.stat().st_size <= limit


def test_stale_temporary_files_of_a_dead_run_are_removed(tmp_path):
    stale = write(tmp_path / f"{TEMP_PREFIX}999999999-abc.tmp", b"partial")
    path = write(tmp_path / "big.jpg", marker((1600, 900)))
    assert fix(path).status is Status.FIXED
    assert not stale.exists()


MODES = ["RGB", "RGBA", "L", "LA", "P", "CMYK", "I;16", "1"]
# the modes each format can hold; the property draws a format, then a mode it can write
WRITES = {
    "JPEG": ("RGB", "L", "CMYK"),
    "PNG": ("RGB", "RGBA", "L", "LA", "P", "I;16", "1"),
    "WEBP": ("RGB", "RGBA"),
    "GIF": ("P", "L"),
    "TIFF": ("RGB", "RGBA", "L", "CMYK", "1"),
    "BMP": ("RGB", "L", "P", "1"),
}
EXT = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif", "TIFF": ".tif", "BMP": ".bmp"}


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    width=st.integers(1, 900),
    height=st.integers(1, 900),
    fmt_mode=st.sampled_from([(f, m) for f, modes in WRITES.items() for m in modes]),
    strategy=st.sampled_from([s.name for s in BUILTIN_STRATEGIES]),
    profile=st.sampled_from(
        [
            "sora-2",
            "sora-2-pro",
            "kling",
            "minimax-hailuo",
            "runway-gen4",
            "stability-i2v",
            "veo",
            "openai-image-edit",
        ]
    ),
    orientation=st.integers(1, 8),
    box=st.tuples(*[st.floats(0, 1)] * 4),
)
@example(
    width=1,
    height=1,
    fmt_mode=("JPEG", "RGB"),
    strategy="crop",
    profile="sora-2",
    orientation=1,
    box=(0.2, 0.1, 0.9, 0.8),
)
@example(
    width=1,
    height=5,
    fmt_mode=("JPEG", "RGB"),
    strategy="cover",
    profile="minimax-hailuo",
    orientation=1,
    box=(0.0, 0.0, 0.0, 0.0),
)
@example(
    width=1,
    height=107,
    fmt_mode=("JPEG", "RGB"),
    strategy="cover",
    profile="openai-image-edit",
    orientation=5,
    box=(1.0, 0.0, 0.0, 0.0),
)
def test_any_size_and_mode_through_any_strategy_passes_check(
    width, height, fmt_mode, strategy, profile, orientation, box
):
    fmt, mode = fmt_mode
    ramp = Image.linear_gradient("L").resize((width, height))
    im = Image.merge(
        "RGB", (ramp, ramp.transpose(Image.Transpose.ROTATE_180), Image.new("L", (width, height), 90))
    )
    im = im.convert(mode) if mode != "I;16" else Image.new("I;16", (width, height), 1234)
    params = {}
    if orientation != 1 and fmt in ("JPEG", "PNG", "WEBP", "TIFF"):
        exif = Image.Exif()
        exif[0x0112] = orientation
        params["exif"] = exif.tobytes()
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / f"img{EXT[fmt]}", encode(im, fmt, **params))
        s = replace(Settings(root=Path(folder), targets=SORA), strategy=strategy, targets=(profile,))
        result = fix(path, s, crop_box=box, anchor=box[:2])
        assert result.status is not Status.FAILED, result.problems
        assert passes(result.dest, s), check_path(result.dest, s.target(), s.rules()).errors
        assert fix(result.dest, s).status is Status.UNCHANGED


def test_python_api_fits_an_image_and_fixes_paths(tmp_path):
    import sora_guard

    out = sora_guard.fit_image(marker((1600, 900)), "720x1280", "pad")
    assert out.size == (720, 1280) and out.mode == "RGB" and near(out.getpixel((360, 5)), (0, 0, 0))
    write(tmp_path / "src" / "a" / "big.jpg", marker((1600, 900)))
    results = sora_guard.fix_paths(
        [tmp_path / "src"], out=tmp_path / "out", strategy="blur-pad", size="1280x720"
    )
    assert [r.status for r in results] == [Status.FIXED]
    with Image.open(tmp_path / "out" / "a" / "big.jpg") as fixed:
        assert fixed.size == (1280, 720)
    with Image.open(tmp_path / "src" / "a" / "big.jpg") as source:
        assert source.size == (1600, 900)


def test_fix_remembers_passing_files_in_the_check_cache_and_skips_them_next_time(tmp_path):
    import time

    from sora_guard.run.cache import CheckCache
    from sora_guard.run.fix import fix_files

    good = write(tmp_path / "good.png", marker((1280, 720)))
    bad = write(tmp_path / "bad.png", marker((1000, 1000)))
    s = Settings(root=tmp_path, targets=SORA)
    cache = CheckCache(tmp_path / "cache", started=time.time() + 60)  # every file counts as settled
    results = list(fix_files([FixJob(str(good)), FixJob(str(bad))], s, cache=cache))
    assert [r.status for r in results] == [Status.UNCHANGED, Status.FIXED]
    fresh = CheckCache(tmp_path / "cache", started=time.time() + 60)
    hit = fresh.get(str(good), fresh.key(str(good)), s.target())
    assert hit is not None and hit.ok
    again = list(fix_files([FixJob(str(good))], s, cache=fresh))
    assert again[0].status is Status.UNCHANGED and again[0].before.info.stored == Size(1280, 720)


def test_a_decode_that_takes_too_long_is_stopped_and_the_file_left_alone(tmp_path):
    noise = Image.effect_noise((500, 500), 90).convert("RGB")
    for name in ("huge.jpg", "huge.png"):
        big = noise.resize((5000, 3000) if name.endswith("jpg") else (3000, 3000), Image.Resampling.NEAREST)
        path = (
            write(tmp_path / name, big, compress_level=1)
            if name.endswith("png")
            else write(tmp_path / name, big)
        )
        data = path.read_bytes()
        result = fix(path, replace(Settings(root=tmp_path, targets=SORA), max_decode_seconds=0.02))
        assert result.status is Status.FAILED and "SG505" in {d.code for d in result.problems}, (
            name,
            result.problems,
        )
        assert path.read_bytes() == data


def test_exif_and_gps_metadata_are_stripped(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    path = write(tmp_path / "phone.jpg", encode(marker((1600, 900)), "JPEG", exif=exif.tobytes()))
    with Image.open(path) as before:
        assert before.getexif().get_ifd(0x8825)
    assert fix(path).status is Status.FIXED
    with Image.open(path) as out:
        assert len(out.getexif()) == 0 and "exif" not in out.info


def test_animations_keep_their_first_frame(tmp_path):
    webp = write(tmp_path / "loop.webp", animated_webp((1280, 720)))
    frames = [marker((640, 360)).convert("P")] + [Image.new("P", (640, 360), i) for i in (50, 100)]
    gif = write(
        tmp_path / "loop.gif", encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    )
    for path, dest in ((webp, webp), (gif, tmp_path / "loop.png")):
        result = fix(path)
        assert result.status is Status.FIXED and "SG404" in {d.code for d in result.before.errors}, (
            result.before.errors
        )
        with Image.open(dest) as out:
            assert getattr(out, "n_frames", 1) == 1 and out.size == (1280, 720)
        assert passes(dest)
    with Image.open(webp) as out:
        assert near(out.getpixel((640, 360)), (0, 0, 0), 8), "the first frame (black), not a later one"


def test_profiles_on_alpha_and_palette_images_are_applied_too():
    import sora_guard
    from sora_guard.vocabulary.contract import FitOptions

    rgba = Image.new("RGBA", (900, 900), (255, 0, 0, 255))
    rgba.info["icc_profile"] = swapped_rgb()
    out = sora_guard.fit_image(rgba, "1280x720", "pad", FitOptions(background=(200, 60, 30)))
    assert near(out.getpixel((640, 360)), GREEN) and near(out.getpixel((5, 360)), (200, 60, 30), 6)
    palette = Image.new("RGB", (900, 900), RED).convert("P")
    palette.info["icc_profile"] = swapped_rgb()
    assert near(sora_guard.fit_image(palette, "1280x720").getpixel((640, 360)), GREEN)


def test_a_mask_keeps_its_alpha_channel_even_when_opaque(tmp_path):
    mask = write(tmp_path / "mask.png", Image.new("RGBA", (1000, 1000), (0, 0, 0, 255)))
    s = replace(Settings(root=tmp_path), targets=("openai-image-mask",), size=Size(1024, 1024))
    result = fix(mask, s)
    assert result.status is Status.FIXED, result.problems
    with Image.open(mask) as out:
        assert out.mode == "RGBA" and out.size == (1024, 1024)


@pytest.mark.parametrize(
    "profile,shape,expected",
    [
        ("minimax-hailuo", (2, 5), (302, 753)),  # scaled to the minimum side, then the aspect repaired
        ("kling", (3000, 100), (3000, 1200)),  # too wide: heightened to 2.5:1
        ("runway-gen4", (9000, 3000), (7999, 4000)),  # over 7999 px and wider than 2:1: both bounds met
        ("stability-i2v", (9000, 9000), (768, 768)),  # an exact-size profile: the nearest size
        ("openai-image-edit", (123, 45), (123, 45)),  # no size rules: kept
    ],
)
def test_output_size_meets_every_bound(profile, shape, expected):
    from sora_guard.engine.fitting import output_size

    s = replace(Settings(), targets=(profile,))
    size = output_size(Size(*shape), s.target())
    assert (size.width, size.height) == expected
