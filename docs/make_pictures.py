"""Regenerate the README's pictures: a synthetic phone photo, then `sora-guard preview`, and screenshots
of the HTML reports of a small library made from it (in the OS's Chromium, as the tests open them).

Run from the repository root: ``python docs/make_pictures.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
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


def library(photo: Image.Image, root: Path) -> None:
    """A few assets as a team has them: a portrait phone shot, an off-size banner, a CMYK poster, a logo
    with transparency, a GIF, a truncated download and one that is already right."""
    root.mkdir(parents=True)
    photo.save(root / "balloon-phone.jpg", quality=88)
    photo.crop((0, 300, 1512, 1150)).resize((1600, 900)).save(root / "banner.jpg", quality=88)
    photo.resize((720, 960)).convert("CMYK").save(root / "poster-cmyk.jpg", quality=88)
    logo = photo.crop((700, 350, 1500, 1250)).resize((640, 720)).convert("RGBA")
    logo.putalpha(Image.new("L", logo.size, 200))
    logo.save(root / "logo.png")
    photo.crop((0, 600, 1512, 1450)).resize((480, 270)).save(root / "intro.gif")
    photo.crop((0, 400, 1512, 1250)).resize((1280, 720)).save(root / "hero.jpg", quality=88)
    cut = (root / "hero.jpg").read_bytes()
    (root / "download.jpg").write_bytes(cut[: len(cut) // 2])


def screenshots(reports: dict[str, Path]) -> None:
    """A viewport of each report, as a reviewer first sees it."""
    from playwright.sync_api import sync_playwright

    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        for name, report in reports.items():
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_timeout(300)  # the lazy pictures of the first screen
            page.screenshot(path=OUT / name)
            page.close()
        browser.close()


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
    with tempfile.TemporaryDirectory() as tmp:
        assets = Path(tmp) / "assets"
        library(phone_photo(), assets)
        reports = {"report-check.png": Path(tmp) / "report.html", "report-fix.png": Path(tmp) / "fix.html"}
        common = ["--isolated", "--no-cache", "--output-format", "html"]
        check = ["check", *common, "-o", str(reports["report-check.png"]), "assets"]
        fix = ["fix", *common, "--dry-run", "-o", str(reports["report-fix.png"]), "assets"]
        for args in (check, fix):
            subprocess.run([sys.executable, "-m", "sora_guard", *args], cwd=tmp, check=False)
        screenshots(reports)


if __name__ == "__main__":
    main()
