"""Fit strategies: turn any image into one of exactly the target size.

(The built-in strategies are being written; see issue 3.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .hookspecs import hookimpl
from .model import Size

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class FitOptions:
    """Options every strategy may read; a strategy ignores what does not concern it."""

    background: tuple[int, int, int] = (0, 0, 0)
    anchor: tuple[float, float] = (0.5, 0.5)
    crop_box: tuple[float, float, float, float] | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Strategy:
    """A named way to fit an image to a size. ``fit`` must return an image of exactly ``size``."""

    name: str
    summary: str
    fit: Callable[[Image.Image, Size, FitOptions], Image.Image]
    distorts: bool = False


@hookimpl
def sora_guard_strategies() -> list[Strategy]:
    return []
