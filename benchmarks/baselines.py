"""The baselines sora-guard is measured against, written the way people write them.

Each runs in its own process (as a user's script would), over every image in the folders given,
in sorted order, one file at a time:

    python benchmarks/baselines.py decode DIR...            # Image.open(p).load(): the honest integrity check
    python benchmarks/baselines.py draft DIR...             # the same at 1/8 scale (DCT scaling): a floor, not a baseline
    python benchmarks/baselines.py recipe --out OUT DIR...  # ImageOps.fit(img, size, LANCZOS), save JPEG q95
    python benchmarks/baselines.py ffmpeg --out OUT DIR...  # one ffmpeg scale+crop process per file

``recipe`` and ``ffmpeg`` fit landscape pictures to 1280x720 and portrait ones to 720x1280 (what
``sora-guard fix --size auto`` picks for sora-2) and write ``OUT/<name>`` like ``fix --out``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from PIL import Image, ImageOps

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


def files(folders: list[str]) -> list[str]:
    found = []
    for folder in folders:
        found += sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.lower().endswith(EXTENSIONS))
    return found


def target(width: int, height: int) -> tuple[int, int]:
    return (1280, 720) if width >= height else (720, 1280)


def decode(paths: list[str]) -> None:
    for p in paths:
        with Image.open(p) as im:
            im.load()


def draft(paths: list[str]) -> None:
    for p in paths:
        with Image.open(p) as im:
            im.draft(im.mode, (im.width // 8, im.height // 8))
            im.load()


def recipe(paths: list[str], out: str) -> None:
    for p in paths:
        img = Image.open(p)
        fitted = ImageOps.fit(img, target(*img.size), Image.LANCZOS)
        fitted.save(os.path.join(out, os.path.basename(p)), "JPEG", quality=95)


def ffmpeg(paths: list[str], out: str) -> None:
    for p in paths:
        with Image.open(p) as im:  # a header read, to pick the orientation as the recipe does
            w, h = target(*im.size)
        vf = f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h}"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-i",
                p,
                "-vf",
                vf,
                "-q:v",
                "2",
                os.path.join(out, os.path.basename(p)),
            ],
            check=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("decode", "draft", "recipe", "ffmpeg"))
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--out")
    args = parser.parse_args()
    paths = files(args.folders)
    if args.kind in ("recipe", "ffmpeg"):
        os.makedirs(args.out, exist_ok=True)
        globals()[args.kind](paths, args.out)
    else:
        globals()[args.kind](paths)
    print(len(paths), file=sys.stderr)


if __name__ == "__main__":
    main()
