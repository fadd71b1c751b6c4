"""The benchmark corpus, generated on first use and cached under ``benchmarks/out/corpus/``.

Pictures look enough like photographs to cost what photographs cost: smooth colour fields, mid
frequencies, hard-edged shapes (which show resampling errors) and sensor-like grain. A 12 MP
phone JPEG comes out at about 2 MB and takes as long to decode as a real one (~66 ms here).

Sets (counts at ``scale`` 1; ``--scale`` multiplies them):

- ``phone-landscape``: 4032x3024 JPEG q90, ``phone-portrait``: 3024x4032 JPEG q90
- ``png-1080p``: 1920x1080 PNG, ``webp``: 1920x1080 WebP q90
- ``compliant``: 1280x720 JPEG q90, already what sora-2 accepts (crops of larger pictures)

Each set lives in its own folder (``compliant-2000``), regenerated only when its manifest changes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "out"
CORPUS = OUT / "corpus"


@dataclass(frozen=True)
class Set:
    name: str
    size: tuple[int, int]
    fmt: str
    count: int

    @property
    def extension(self) -> str:
        return {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[self.fmt]


def sets(scale: float = 1.0) -> list[Set]:
    def n(base: int) -> int:
        return max(2, round(base * scale))

    return [
        Set("phone-landscape", (4032, 3024), "JPEG", n(24)),
        Set("phone-portrait", (3024, 4032), "JPEG", n(24)),
        Set("png-1080p", (1920, 1080), "PNG", n(12)),
        Set("webp", (1920, 1080), "WEBP", n(12)),
        Set("compliant", (1280, 720), "JPEG", n(2000)),
    ]


def _noise(size: tuple[int, int], sigma: float) -> Image.Image:
    return Image.merge("RGB", [Image.effect_noise(size, sigma) for _ in range(3)])


_GRAIN: dict[tuple[int, int], Image.Image] = {}


def photo(size: tuple[int, int], seed: int) -> Image.Image:
    """A photograph-like RGB picture, different for every seed."""
    w, h = size
    rnd = random.Random(seed)
    base = _noise((w // 64 + 2, h // 64 + 2), 80).resize(size, Image.Resampling.BICUBIC)
    mid = _noise((w // 8, h // 8), 60).resize(size, Image.Resampling.BICUBIC)
    im = Image.blend(base, mid, 0.3)
    draw = ImageDraw.Draw(im)
    for _ in range(40):
        x, y, s = rnd.randrange(w), rnd.randrange(h), rnd.randrange(20, max(21, w // 6))
        draw.ellipse([x, y, x + s, y + s * rnd.random()], fill=tuple(rnd.randrange(256) for _ in range(3)))
    if size not in _GRAIN:  # full-resolution grain is the slow part: make it once per size
        _GRAIN[size] = _noise(size, 30)
    return Image.blend(im, _GRAIN[size], 0.06)


def _save(im: Image.Image, path: Path, fmt: str) -> None:
    params = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}, "PNG": {"compress_level": 6}}[fmt]
    tmp = path.with_name(".tmp-" + path.name)
    im.save(tmp, fmt, **params)
    os.replace(tmp, path)


def build_set(spec: Set, root: Path = CORPUS, log=print) -> Path:
    """Generate one set (if its manifest differs) and return its folder."""
    folder = root / f"{spec.name}-{spec.count}"
    manifest = folder / "manifest.json"
    wanted = {"size": list(spec.size), "fmt": spec.fmt, "count": spec.count, "version": 1}
    if manifest.is_file() and json.loads(manifest.read_text()) == wanted:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    log(f"generating {spec.count} {spec.fmt} {spec.size[0]}x{spec.size[1]} in {folder} ...")
    if spec.name == "compliant":
        _build_crops(spec, folder)
    else:
        for i in range(spec.count):
            _save(
                photo(spec.size, seed=zlib.crc32(f"{spec.name}-{i}".encode())),
                folder / f"{spec.name}-{i:05d}{spec.extension}",
                spec.fmt,
            )
    manifest.write_text(json.dumps(wanted))
    return folder


def _build_crops(spec: Set, folder: Path) -> None:
    """Many distinct small pictures, cheaply: windows of a few large ones at random offsets."""
    rnd = random.Random(720)
    w, h = spec.size
    sources = [photo((w * 3, h * 3), seed) for seed in range(4)]
    for i in range(spec.count):
        src = sources[i % len(sources)]
        x, y = rnd.randrange(src.width - w), rnd.randrange(src.height - h)
        _save(src.crop((x, y, x + w, y + h)), folder / f"compliant-{i:05d}{spec.extension}", spec.fmt)


def build(
    scale: float = 1.0, root: Path = CORPUS, log=print, names: set[str] | None = None
) -> dict[str, Path]:
    """Every set at ``scale`` (or only those in ``names``): name -> folder."""
    return {
        spec.name: build_set(spec, root, log) for spec in sets(scale) if names is None or spec.name in names
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every set's file count")
    args = parser.parse_args()
    for name, folder in build(args.scale).items():
        print(f"{name}: {folder}")


if __name__ == "__main__":
    main()
