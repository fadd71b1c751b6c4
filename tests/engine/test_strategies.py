"""Fit strategies: exact output size, geometry proven with marker images, and the plugin hook."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw
from support.images import marker

from sora_guard.api import fit_image
from sora_guard.builtin.strategies import BUILTIN_STRATEGIES
from sora_guard.plugins import hookimpl
from sora_guard.plugins.host import Registry, build_plugin_manager, load_registry
from sora_guard.vocabulary.contract import FitOptions, Strategy
from sora_guard.vocabulary.model import Size

NAMES = [s.name for s in BUILTIN_STRATEGIES]
RED, GREEN, BLUE, WHITE, YELLOW, BLACK = (
    (255, 0, 0),
    (0, 255, 0),
    (0, 0, 255),
    (255, 255, 255),
    (255, 255, 0),
    (0, 0, 0),
)


def near(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour))


def strategy(name: str) -> Strategy:
    return load_registry().strategies[name]


def test_builtins_are_registered_through_the_hook():
    assert set(NAMES) == {"cover", "pad", "blur-pad", "smart", "stretch", "crop"}
    assert set(NAMES) <= set(load_registry().strategies)
    assert [s.name for s in BUILTIN_STRATEGIES if s.distorts] == ["stretch"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
@pytest.mark.parametrize(
    "src,dst",
    [
        ((400, 300), (1280, 720)),
        ((300, 400), (720, 1280)),
        ((1600, 900), (720, 1280)),
        ((7, 3), (5, 9)),
        ((640, 480), (1, 1)),
    ],
)
def test_every_strategy_gives_exactly_the_size_and_mode(name, mode, src, dst):
    out = strategy(name).fit(marker(src, mode), Size(*dst), FitOptions(crop_box=(0.1, 0.2, 0.6, 0.9)))
    assert out.size == dst and out.mode == mode


@pytest.mark.parametrize("name", NAMES)
def test_same_size_is_left_pixel_for_pixel(name):
    im = marker((320, 180))
    out = strategy(name).fit(im, Size(320, 180), FitOptions())
    assert out.tobytes() == im.tobytes()


def test_cover_keeps_the_centre_and_crops_the_sides():
    out = strategy("cover").fit(marker((1600, 900)), Size(720, 1280), FitOptions())
    assert near(out.getpixel((360, 640)), YELLOW)
    assert near(out.getpixel((5, 5)), RED) and near(out.getpixel((714, 5)), GREEN)
    assert near(out.getpixel((5, 1274)), BLUE) and near(out.getpixel((714, 1274)), WHITE)


def test_cover_matches_imageops_fit_geometry():
    from PIL import ImageOps

    im = marker((1003, 601))
    ours = strategy("cover").fit(im, Size(640, 640), FitOptions())
    theirs = ImageOps.fit(im, (640, 640), Image.Resampling.LANCZOS)
    assert ours.tobytes() == theirs.tobytes()


def test_cover_anchor_moves_the_crop():
    out = strategy("cover").fit(marker((1600, 900)), Size(720, 1280), FitOptions(anchor=(0.0, 0.5)))
    assert near(out.getpixel((714, 5)), RED)  # the crop hugs the left edge: all red on top


@pytest.mark.parametrize(
    "src,dst,bars", [((1600, 900), (720, 1280), "top-bottom"), ((900, 1600), (1280, 720), "left-right")]
)
def test_pad_keeps_the_whole_picture_with_bars_on_the_right_sides(src, dst, bars):
    out = strategy("pad").fit(marker(src), Size(*dst), FitOptions())
    w, h = dst
    if bars == "top-bottom":
        inner_h = round(src[1] * w / src[0])
        top = (h - inner_h) // 2
        assert near(out.getpixel((w // 2, 3)), BLACK) and near(out.getpixel((w // 2, h - 4)), BLACK)
        corners = [(3, top + 3), (w - 4, top + 3), (3, top + inner_h - 4), (w - 4, top + inner_h - 4)]
    else:
        inner_w = round(src[0] * h / src[1])
        left = (w - inner_w) // 2
        assert near(out.getpixel((3, h // 2)), BLACK) and near(out.getpixel((w - 4, h // 2)), BLACK)
        corners = [(left + 3, 3), (left + inner_w - 4, 3), (left + 3, h - 4), (left + inner_w - 4, h - 4)]
    for xy, colour in zip(corners, (RED, GREEN, BLUE, WHITE)):
        assert near(out.getpixel(xy), colour), (xy, out.getpixel(xy))
    assert near(out.getpixel((w // 2, h // 2)), YELLOW)


def test_pad_background_and_anchor():
    out = strategy("pad").fit(
        marker((1600, 900)), Size(720, 1280), FitOptions(background=(10, 200, 30), anchor=(0.5, 0.0))
    )
    assert near(out.getpixel((5, 5)), RED)  # picture at the top
    assert out.getpixel((360, 1270)) == (10, 200, 30)


def test_pad_keeps_alpha_inside_and_fills_opaque_bars():
    im = marker((400, 200), "RGBA")
    im.putpixel((200, 100), (0, 0, 0, 0))
    out = strategy("pad").fit(im, Size(400, 400), FitOptions())
    assert out.getpixel((5, 5))[3] == 255 and out.getpixel((200, 200))[3] == 0


def test_blur_pad_fills_bars_with_a_darker_blurred_copy():
    out = strategy("blur-pad").fit(marker((1600, 900)), Size(720, 1280), FitOptions())
    top_bar = out.crop((0, 0, 720, 400))
    colours = set(top_bar.resize((8, 8)).get_flattened_data())
    assert len(colours) >= 3, "the backdrop shows the picture, not a flat colour"
    r, g, b = out.getpixel((5, 5))
    assert r > 40 and r < 200 and g < 60 and b < 60  # dark red: the red quadrant, darkened
    assert near(out.getpixel((5, 650)), RED) or near(
        out.getpixel((5, 800)), BLUE
    )  # the picture itself is sharp


def _busy_left(size=(1600, 900)) -> Image.Image:
    """Flat grey, with a colourful, detailed patch near the left edge."""
    im = Image.new("RGB", size, (128, 128, 128))
    draw = ImageDraw.Draw(im)
    for i in range(0, 300, 12):
        draw.rectangle([60 + i, 300, 66 + i, 600], fill=((i * 7) % 256, 255 - i % 256, (i * 3) % 256))
    return im


def test_smart_finds_the_interesting_part_and_cover_does_not():
    im = _busy_left()
    smart = strategy("smart").fit(im, Size(720, 1280), FitOptions())
    cover = strategy("cover").fit(im, Size(720, 1280), FitOptions())

    def detail(x):
        return len(set(x.resize((64, 64)).get_flattened_data()))

    assert detail(smart) > 10 and detail(cover) <= 2
    assert (
        strategy("smart").fit(im, Size(720, 1280), FitOptions()).tobytes() == smart.tobytes()
    )  # deterministic


def test_smart_prefers_the_centre_on_a_flat_picture():
    flat = Image.new("RGB", (1600, 900), (90, 90, 90))
    draw = ImageDraw.Draw(flat)
    draw.rectangle([790, 440, 810, 460], fill=(255, 255, 0))
    out = strategy("smart").fit(flat, Size(900, 900), FitOptions())
    assert near(out.getpixel((450, 450)), YELLOW)


def test_crop_box_then_fit():
    out = strategy("crop").fit(
        marker((1000, 1000)), Size(320, 180), FitOptions(crop_box=(0.0, 0.0, 0.4, 0.4))
    )
    assert near(out.getpixel((5, 5)), RED) and near(out.getpixel((314, 174)), RED)
    whole = strategy("crop").fit(marker((640, 360)), Size(640, 360), FitOptions(crop_box=(0, 0, 1, 1)))
    assert whole.tobytes() == marker((640, 360)).tobytes()


def test_stretch_keeps_every_corner():
    out = strategy("stretch").fit(marker((1000, 1000)), Size(1280, 720), FitOptions())
    for xy, colour in zip([(5, 5), (1274, 5), (5, 714), (1274, 714)], (RED, GREEN, BLUE, WHITE)):
        assert near(out.getpixel(xy), colour)


def test_a_plugin_strategy_is_used_like_a_builtin():
    def solid(im, size, options):
        return Image.new(im.mode, (size.width, size.height), (1, 2, 3))

    class Plugin:
        @hookimpl
        def sora_guard_strategies(self):
            return [Strategy("solid", "one colour", solid)]

    registry = Registry(build_plugin_manager(autoload=False, extra=[Plugin()]))
    assert {"solid", "cover"} <= set(registry.strategies)
    out = fit_image(marker((50, 40)), "30x20", "solid", registry=registry)
    assert out.size == (30, 20) and out.getpixel((0, 0)) == (1, 2, 3)


def test_a_strategy_returning_the_wrong_size_is_an_error_not_a_bad_file():
    from sora_guard.engine.fitting import fit_opened
    from sora_guard.vocabulary.exceptions import FitError

    broken = Strategy("broken", "wrong size", lambda im, size, o: im)
    with pytest.raises(FitError, match="returned RGB 50x40"):
        fit_opened(marker((50, 40)), Size(30, 20), broken)


def _scene(size: tuple[int, int], spot: tuple[float, float]) -> Image.Image:
    """A graded background with a detailed, rare-coloured patch at ``spot`` (fractions): where smart looks."""
    im = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(im)
    x, y = round(spot[0] * size[0]), round(spot[1] * size[1])
    for i in range(0, 100, 10):
        draw.rectangle([x + i, y + i, x + 200 - i, y + 200 - i], outline=RED if i % 20 else YELLOW, width=3)
    return im


def test_smart_works_out_its_crop_once_per_fit_with_the_same_output(monkeypatch):
    """``fit`` and ``placement`` share one saliency map per fit; each alone, on its own copy of the
    picture (nothing to share), gives the very same pixels and placement."""
    from sora_guard.builtin import strategies
    from sora_guard.engine.fitting import fit_opened
    from sora_guard.vocabulary.pictures import Subject

    maps: list[tuple[int, int]] = []
    saliency = strategies._saliency
    monkeypatch.setattr(strategies, "_saliency", lambda im: maps.append(im.size) or saliency(im))
    smart = load_registry(False).strategies["smart"]
    cases = [
        (_scene((3000, 2000), (0.75, 0.4)), Size(720, 1280), FitOptions()),
        (_scene((1600, 900), (0.1, 0.5)), Size(1080, 1080), FitOptions()),
        (_scene((900, 1600), (0.3, 0.8)), Size(1280, 720), FitOptions()),
        (marker((1600, 900)), Size(720, 1280), FitOptions(subjects=(Subject((0.1, 0.2, 0.3, 0.5)),))),
    ]
    for im, size, options in cases:
        alone = smart.fit(im.copy(), size, options)
        placed = smart.placement(im.copy(), size, options)
        assert len(maps) == 2  # each alone works it out
        maps.clear()
        fitted = fit_opened(im.copy(), size, smart, options)
        assert len(maps) == 1, (im.size, size)  # once per fit
        assert fitted.image.tobytes() == alone.tobytes() and fitted.placement == placed
        maps.clear()


def test_fix_with_smart_computes_one_saliency_map_per_file(monkeypatch, tmp_path):
    from support.images import encode

    from sora_guard.api import make_settings
    from sora_guard.builtin import strategies
    from sora_guard.run.fix import Status, fix_bytes

    maps: list[tuple[int, int]] = []
    saliency = strategies._saliency
    monkeypatch.setattr(strategies, "_saliency", lambda im: maps.append(im.size) or saliency(im))
    data = encode(_scene((3000, 2000), (0.75, 0.4)), "JPEG", quality=90)
    done = fix_bytes(data, "scene.jpg", make_settings(size="720x1280", strategy="smart"))
    assert done.status is Status.FIXED and len(maps) == 1
