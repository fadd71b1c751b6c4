"""The plugin contract's types: what a strategy and a reporter are. Plain data, no Pillow import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .model import Report, Rule, Size

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["Box", "FitOptions", "Reporter", "Strategy", "contain_scale", "cover_scale"]

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class FitOptions:
    """Options every strategy may read; a strategy ignores what does not concern it.

    ``background`` fills pad bars (and flattens alpha); ``anchor`` is the focal point as fractions
    of width and height (where ``cover`` centres its crop and ``pad`` places the picture);
    ``crop_box`` is (left, top, right, bottom) as fractions, used by ``crop``; ``resample`` is a
    ``PIL.Image.Resampling`` value (``None``: LANCZOS); ``extra`` carries plugin-specific options.
    """

    background: tuple[int, int, int] = (0, 0, 0)
    anchor: tuple[float, float] = (0.5, 0.5)
    crop_box: Box | None = None
    resample: int | None = None
    extra: dict = field(default_factory=dict)


def cover_scale(src: Size, dst: Size, options: FitOptions) -> float:
    """Scale at which ``src`` just covers ``dst`` (the larger of the two axis ratios)."""
    return max(dst.width / src.width, dst.height / src.height)


def contain_scale(src: Size, dst: Size, options: FitOptions) -> float:
    """Scale at which ``src`` just fits inside ``dst`` (the smaller of the two axis ratios)."""
    return min(dst.width / src.width, dst.height / src.height)


@dataclass(frozen=True)
class Strategy:
    """A named way to fit an image to a size.

    ``fit(image, size, options)`` gets an RGB or RGBA image and must return one of exactly ``size``
    in the same mode. ``scale(source, size, options)`` is the largest factor (output / source
    pixels) at which ``fit`` samples the source; a loader may hand ``fit`` any downscaled copy that
    is at least that large. ``distorts`` marks strategies that change the aspect ratio.
    """

    name: str
    summary: str
    fit: Callable[[Image.Image, Size, FitOptions], Image.Image]
    scale: Callable[[Size, Size, FitOptions], float] = cover_scale
    distorts: bool = False


@dataclass(frozen=True)
class Reporter:
    """A named output format. ``render(report, rules)`` returns the full output text."""

    name: str
    description: str
    render: Callable[[Report, Mapping[str, Rule]], str]
