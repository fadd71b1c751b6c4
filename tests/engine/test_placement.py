"""``Strategy.placement`` says what each built-in fit keeps and where it puts it: the boxes it gives
reproduce the fit's own output (so the report's before picture draws the truth)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops, ImageStat
from support.images import marker

from sora_guard.plugins.host import load_registry
from sora_guard.vocabulary.contract import FitOptions, Placement
from sora_guard.vocabulary.model import Size

STRATEGIES = load_registry(False).strategies
CASES = [
    ((1600, 1200), Size(1280, 720), FitOptions()),
    ((900, 1600), Size(1280, 720), FitOptions(anchor=(0.2, 0.8))),
    ((1600, 900), Size(720, 1280), FitOptions(crop_box=(0.4, 0.1, 1.0, 0.7))),
]


def _difference(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@pytest.mark.parametrize(("shape", "size", "options"), CASES)
def test_the_placement_rebuilds_the_fit(name, shape, size, options):
    strategy = STRATEGIES[name]
    im = marker(shape)
    fitted = strategy.fit(im, size, options)
    placement = strategy.placement(im, size, options)
    sx0, sy0, sx1, sy1 = placement.source
    tx0, ty0, tx1, ty1 = placement.target
    kept = im.crop(
        (round(sx0 * im.width), round(sy0 * im.height), round(sx1 * im.width), round(sy1 * im.height))
    )
    box = (
        round(tx0 * size.width),
        round(ty0 * size.height),
        round(tx1 * size.width),
        round(ty1 * size.height),
    )
    rebuilt = kept.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
    assert _difference(fitted.crop(box), rebuilt) < 6, placement


def test_a_placement_crops_or_pads_as_the_strategy_says():
    im, size = marker((1600, 1200)), Size(1280, 720)
    assert STRATEGIES["cover"].placement(im, size, FitOptions()) == Placement(source=(0.0, 0.125, 1.0, 0.875))
    pad = STRATEGIES["pad"].placement(im, size, FitOptions())
    assert pad.source == (0.0, 0.0, 1.0, 1.0) and pad.target == (0.125, 0.0, 0.875, 1.0)
    assert STRATEGIES["stretch"].placement(im, size, FitOptions()) == Placement()
