"""Regenerate the README's before/after pictures: a synthetic phone photo, then `sora-guard preview`.

Run from the repository root: ``python docs/make_pictures.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).parent / "images"


def phone_photo(size=(1512, 2016)) -> Image.Image:
    """A portrait 'photo': sky, sun, hills, and a balloon off to the upper right."""
    w, h = size
    sky = Image.linear_gradient("L").resize((w, h))
    im = Image.merge(
        "RGB",
        (sky.point(lambda v: 60 + v // 2), sky.point(lambda v: 110 + v // 3), Image.new("L", (w, h), 225)),
    )
    draw = ImageDraw.Draw(im)
    draw.ellipse([w * 0.08, h * 0.1, w * 0.3, h * 0.1 + w * 0.22], fill=(255, 236, 160))
    for i, colour in enumerate([(70, 120, 70), (50, 95, 55), (35, 70, 40)]):
        top = h * (0.62 + 0.09 * i)
        draw.polygon(
            [
                (0, h),
                (0, top),
                (w * 0.3, top - h * 0.08),
                (w * 0.7, top + h * 0.03),
                (w, top - h * 0.05),
                (w, h),
            ],
            fill=colour,
        )
    cx, cy, r = w * 0.68, h * 0.34, w * 0.16
    stripes = [(220, 40, 40), (250, 200, 30), (40, 120, 220), (250, 250, 250)]
    for k in range(8):
        draw.pieslice(
            [cx - r, cy - r, cx + r, cy + r * 1.2], 180 + k * 22.5, 180 + (k + 1) * 22.5, fill=stripes[k % 4]
        )
    draw.rectangle([cx - r, cy, cx + r, cy + r * 0.25], fill=(220, 40, 40))
    draw.polygon(
        [
            (cx - r, cy + r * 0.25),
            (cx + r, cy + r * 0.25),
            (cx + r * 0.25, cy + r * 1.3),
            (cx - r * 0.25, cy + r * 1.3),
        ],
        fill=(250, 200, 30),
    )
    draw.line([(cx - r * 0.2, cy + r * 1.3), (cx - r * 0.15, cy + r * 1.6)], fill=(60, 40, 20), width=4)
    draw.line([(cx + r * 0.2, cy + r * 1.3), (cx + r * 0.15, cy + r * 1.6)], fill=(60, 40, 20), width=4)
    draw.rectangle([cx - r * 0.18, cy + r * 1.6, cx + r * 0.18, cy + r * 1.85], fill=(120, 80, 40))
    return im.filter(ImageFilter.SMOOTH)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    photo = OUT / "balloon.jpg"
    phone_photo().save(photo, quality=88)
    for size, name in (("1280x720", "preview-landscape.png"), ("720x1280", "preview-portrait.png")):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sora_guard",
                "preview",
                str(photo),
                "--isolated",
                "--size",
                size,
                "--crop-box",
                "0.4,0.12,1,0.62",
                "-o",
                str(OUT / name),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
