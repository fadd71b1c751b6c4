"""``sora-guard preview``: every registered strategy's result side by side, labelled, in one PNG."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sora_guard.config.validation import fit_fractions
from sora_guard.engine.fitting import Fitted, encode, fit_data, fit_picture, open_probed, output_size
from sora_guard.engine.opener import read_source
from sora_guard.engine.pictures import draw_placement
from sora_guard.engine.probe import probe_image
from sora_guard.io.atomic import atomic_write_bytes
from sora_guard.vocabulary.contract import FitOptions
from sora_guard.vocabulary.exceptions import FitError, TooManyPixels, UsageError
from sora_guard.vocabulary.model import Limits, Size

if TYPE_CHECKING:
    from PIL import Image

    from sora_guard.plugins.host import Registry
    from sora_guard.run.context import RunContext
    from sora_guard.vocabulary.contract import Strategy

__all__ = ["default_output", "preview", "render_preview"]

TILE = 360
"""Each picture is shown fitted inside a TILE x TILE box."""

GAP, LABEL, SHEET = 16, 34, (40, 40, 40)


def _thumb(im: Image.Image) -> Image.Image:
    im = im.copy()
    im.thumbnail((TILE, TILE))
    return im


def preview(
    run: RunContext,
    image: str,
    output: Path | None = None,
    anchor: str | Sequence[float] | None = None,
    crop_box: str | Sequence[float] | None = None,
) -> tuple[Path, Size]:
    """Write the contact sheet of ``image`` at the size its settings demand; where it went, and that size.

    The file is read, opened and probed as ``fix`` does it (limits before any decode, a scan bomb
    refused unread), and each strategy fits its bytes as ``fix`` would (:func:`fit_data`)."""
    anchor, crop_box = fit_fractions(run.settings, anchor, crop_box, run.where)
    own = run.settings.for_path(image)
    limits = own.limits()
    try:
        data = read_source(image, limits)  # HEIC too, and never a bomb
        info = open_probed(data, image, limits)[1]
    except (OSError, ValueError, TooManyPixels, FitError) as exc:
        raise UsageError(f"cannot read {image}: {exc}") from None
    size = output_size(info.displayed, own.fit_target())
    options = FitOptions(background=own.background, anchor=anchor or (0.5, 0.5), crop_box=crop_box)
    sheet = render_preview(data, Size(size.width, size.height), own.registry, options, limits)
    written = output or default_output(image, size)
    atomic_write_bytes(written, encode(sheet, "PNG"))
    return written, size


def render_preview(
    image: Image.Image | bytes,
    size: Size,
    registry: Registry,
    options: FitOptions | None = None,
    limits: Limits = Limits(),
) -> Image.Image:
    """A contact sheet: the original (the right way up), then each strategy fitted to ``size``.

    ``image`` is an image file's bytes (each fit is ``fix``'s, within ``limits``: :func:`fit_data`)
    or a PIL image (left alone). The original shows the subjects the finders found and the window
    the first strategy that keeps them (``smart``) takes, as the HTML fix report draws them."""
    from PIL import Image, ImageDraw, ImageFont

    options = options or FitOptions()

    def fit(to: Size, strategy: Strategy, opts: FitOptions = FitOptions(), finders=()) -> Fitted:
        if isinstance(image, Image.Image):
            return fit_picture(image, to, strategy, opts, finders)
        return fit_data(image, to, strategy, opts, finders, limits)

    shown = (
        probe_image(image).displayed
        if isinstance(image, Image.Image)
        else open_probed(image, "<bytes>", limits)[1].displayed
    )
    scale = min(1.0, TILE / max(shown.width, shown.height))
    thumb_size = Size(max(1, round(shown.width * scale)), max(1, round(shown.height * scale)))
    # the same orientation and colour handling as every fit
    original = fit(thumb_size, registry.strategies["stretch"]).image
    label = f"original {shown}"
    keeper = next((s for s in registry.strategies.values() if s.subjects and s.placement), None)
    kept = None
    if keeper is not None:
        try:
            kept = fit(size, keeper, options, registry.finders)
        except FitError:
            kept = None
        else:
            original = draw_placement(original.convert("RGB"), kept.placement, size, TILE)
            label += f", {len(kept.placement.subjects)} found"
    tiles: list[tuple[str, Image.Image | None]] = [(label, original)]
    for name, strategy in registry.strategies.items():
        try:
            fitted = kept.image if kept and strategy is keeper else fit(size, strategy, options).image
            tiles.append((f"{name} {size}", fitted))
        except FitError as exc:
            tiles.append((f"{name}: failed ({exc})", None))
    font = ImageFont.load_default(size=18)
    width = GAP + len(tiles) * (TILE + GAP)
    sheet = Image.new("RGB", (width, GAP + LABEL + TILE + GAP), SHEET)
    draw = ImageDraw.Draw(sheet)
    for i, (label, picture) in enumerate(tiles):
        x = GAP + i * (TILE + GAP)
        draw.text((x, GAP), label, fill=(235, 235, 235), font=font)
        if picture is None:
            continue
        thumb = _thumb(picture.convert("RGBA"))
        top = GAP + LABEL + (TILE - thumb.height) // 2
        left = x + (TILE - thumb.width) // 2
        draw.rectangle([left - 1, top - 1, left + thumb.width, top + thumb.height], outline=(120, 120, 120))
        sheet.paste(thumb, (left, top), thumb)
    return sheet


def default_output(image: str | os.PathLike, size: Size) -> Path:
    """Where a preview goes when no ``--output`` is given: a new folder in the temporary directory.

    Never beside the image or in the working directory, where the next ``check .`` would flag the
    sheet and ``fix .`` would "fix" it.
    """
    folder = Path(tempfile.mkdtemp(prefix="sora-guard-preview-"))
    return folder / f"{Path(image).stem}-preview-{size}.png"
