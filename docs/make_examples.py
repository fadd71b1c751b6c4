"""Regenerate the README's example console output from real runs on generated fixture images.

Run from the repository root: ``python docs/make_examples.py`` rewrites the README's ``console``
blocks for ``sora-guard check assets/``, ``sora-guard fix assets/``, the same for ``photos/`` (phone
HEICs) and ``sora-guard install-hook``;
``--check`` writes nothing and exits 1 when the README differs (``tests/doors/test_readme_examples.py``).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
HOME = "/home/me/project"
"""Where the README pretends the project is (the run's temporary folder is shown as this)."""


def _picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A plain picture with a few shapes: cheap to encode, the same bytes on every run."""
    im = Image.new("RGB", size, (70, 110, 160))
    draw = ImageDraw.Draw(im)
    w, h = size
    draw.ellipse([w * 0.1, h * 0.1, w * 0.4, h * 0.5], fill=(250, 220, 120))
    draw.rectangle([w * 0.5, h * 0.55, w * 0.9, h * 0.9], fill=(40, 90, 50))
    return im.convert(mode)


def _save(im: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def _phone_photo() -> bytes:
    """A phone's portrait photo: stored landscape 4032x3024, EXIF orientation 6 (rotate on display)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(_picture((4032, 3024)), "JPEG", quality=85, exif=exif)


def _transparent_logo() -> bytes:
    im = _picture((1280, 720), "RGBA")
    im.putalpha(Image.new("L", im.size, 255).point(lambda v: v if v else 0))
    ImageDraw.Draw(im).rectangle([0, 0, 200, 200], fill=(0, 0, 0, 0))
    return _save(im, "PNG")


def _animated_gif() -> bytes:
    frames = [_picture((640, 480)).quantize(64) for _ in range(3)]
    ImageDraw.Draw(frames[1]).rectangle([0, 0, 100, 100], fill=1)
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def _heic(im: Image.Image, orientation: int = 1, deep: bool = False, **params) -> bytes:
    """A HEIC as a phone writes one (pillow-heif stores the orientation as an ``irot`` property)."""
    import pillow_heif

    exif = Image.Exif()
    exif[0x0112] = orientation
    if deep:  # 16-bit samples (each 8-bit value v as v * 257: the bytes v, v), stored with 10 bits
        heif = pillow_heif.from_bytes("RGB;16", im.size, bytes(b for v in im.tobytes() for b in (v, v)))
    else:
        heif = pillow_heif.from_pillow(im)
    buffer = io.BytesIO()
    heif.save(buffer, quality=80, exif=exif.tobytes(), **params)
    return buffer.getvalue()


def photos() -> dict[str, bytes]:
    """A phone's camera roll: a portrait photo stored landscape and turned by ``irot``, in Display P3
    (declared as nclx numbers), and a 10-bit landscape one."""
    p3 = {"color_primaries": 12, "transfer_characteristics": 13, "matrix_coefficients": 6}
    return {
        "IMG_0412.HEIC": _heic(_picture((1344, 1008)), 6, **p3),
        "IMG_0413.HEIC": _heic(_picture((1344, 1008)), deep=True),
    }


def assets() -> dict[str, bytes]:
    """The example library: what an asset folder typically holds, good files included."""
    good = _save(_picture((1280, 720)), "JPEG", quality=90)
    files = {
        "hero.jpg": _save(_picture((1281, 720)), "JPEG", quality=90),
        "logo.png": _transparent_logo(),
        "phone.jpg": _phone_photo(),
        "poster.jpg": _save(_picture((2480, 3508), "CMYK"), "JPEG", quality=85),
        "intro.gif": _animated_gif(),
        "broken.jpg": good[: len(good) // 2],
        "portrait.png": _save(_picture((720, 1280)), "PNG"),
    }
    for i in range(1, 6):
        files[f"shot-{i:02d}.jpg"] = good
    return files


CONFIG = """[tool.sora-guard]
profile = ["veo", "kling"]   # check each image against both; fix to what both accept
size = "1280x720"            # our videos' frame

[tool.sora-guard.per-path."assets/portrait*"]
size = "720x1280"

[tool.sora-guard.per-path."photos/**"]
size = "auto"                # phone photos go as they are: any size the targets take
"""
"""The example project's configuration, shown in the README above the examples (a test keeps them equal)."""


def _run(args: list[str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SORA_GUARD", "GITHUB_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "sora_guard", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    return proc.stderr + proc.stdout  # its warnings come before the report, as a terminal shows them


def examples() -> dict[str, str]:
    """Each example's command line -> what it prints, from real runs in a fresh folder."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "pyproject.toml").write_text(CONFIG)
        for folder, files in (("assets", assets()), ("photos", photos())):
            for name, data in files.items():
                (project / folder).mkdir(exist_ok=True)
                (project / folder / name).write_bytes(data)
        out = {}
        commands = [
            f"sora-guard {verb} {folder}/" for folder in ("assets", "photos") for verb in ("check", "fix")
        ]
        for command in commands:
            out[command] = _run(command.split()[1:], project)
        subprocess.run(["git", "init", "-q", str(project)], check=True)
        text = _run(["install-hook"], project)
        out["sora-guard install-hook"] = text.replace(str(project.resolve()), HOME).replace(
            str(project), HOME
        )
    return out


def render(readme: str, outputs: dict[str, str]) -> str:
    """``readme`` with the output under each ``$ COMMAND`` line of a console block replaced."""
    for command, text in outputs.items():
        pattern = re.compile(rf"(```console\n\$ {re.escape(command)}\n)(.*?)(```)", re.S)
        if not pattern.search(readme):
            raise SystemExit(f"README has no console block for `$ {command}`")
        readme = pattern.sub(lambda m, text=text: m.group(1) + text + m.group(3), readme, count=1)
    return readme


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README's examples are stale")
    args = parser.parse_args()
    current = README.read_text()
    fresh = render(current, examples())
    if args.check:
        if fresh != current:
            import difflib

            sys.stdout.writelines(
                difflib.unified_diff(current.splitlines(True), fresh.splitlines(True), "README.md", "fresh")
            )
            return 1
        return 0
    README.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
