"""Fault tests' shared assets and invariants: every asset is its original or a complete passing image."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sora_guard.config import Settings
from sora_guard.engine.check import check_bytes, check_path
from sora_guard.io.atomic import TEMP_PREFIX
from support.images import encode, exif_rotated_jpeg, marker

CACHE = ".sora-guard-cache"


def fix_command(folder: Path, *extra: str) -> list[str]:
    """``sora-guard fix`` of ``folder`` against sora-2's sizes, for a process of its own (to kill)."""
    return [
        sys.executable,
        "-m",
        "sora_guard",
        "fix",
        "--isolated",
        "--profile",
        "sora-2",
        *extra,
        str(folder),
    ]


def originals() -> dict[str, bytes]:
    """Assets with every kind of repair: resize, rotate, alpha, CMYK, conversion (rename), a pure rename."""
    rgba = marker((1000, 1000)).convert("RGBA")
    rgba.putpixel((0, 0), (0, 0, 0, 0))
    files = {}
    for i in range(2):
        files[f"wide{i}.jpg"] = encode(marker((1600 + i, 900)), "JPEG", quality=90)
        files[f"turned{i}.jpg"] = exif_rotated_jpeg((1280, 720), 6)
        files[f"alpha{i}.png"] = encode(rgba, "PNG")
        files[f"print{i}.jpg"] = encode(marker((1300, 740)).convert("CMYK"), "JPEG")
        files[f"anim{i}.gif"] = encode(marker((1280, 720)).convert("P"), "GIF")
        files[f"misnamed{i}.jpg"] = encode(marker((1280, 720)), "PNG")
        files[f"ok{i}.webp"] = encode(marker((1280, 720)), "WEBP")
    return files


def assert_whole(folder: Path, files: dict[str, bytes], out: Path | None = None) -> tuple[int, int]:
    """Every asset is its original or a complete passing image; return (still original, fixed)."""
    settings = Settings(root=folder, targets=("sora-2",))
    target, rules = settings.target(), settings.rules()
    where = out or folder
    present = {p.name for p in where.iterdir()} - {CACHE}
    untouched = done = 0
    for name, data in files.items():
        if out is not None:  # the source tree is never touched
            assert (folder / name).read_bytes() == data, name
        stem = os.path.splitext(name)[0]
        mine = {n for n in present if os.path.splitext(n)[0] == stem}
        present -= mine
        same = {n for n in mine if n == name and (where / n).read_bytes() == data}
        for n in mine - same:
            report = check_path(where / n, target, rules)
            assert report.ok, (n, [d.message for d in report.diagnostics])
        if mine - same:
            done += 1
        elif same:
            untouched += 1
        else:
            assert out is not None, f"{name} vanished"
    assert all(n.startswith(TEMP_PREFIX) for n in present), present
    return untouched, done


def passing(files: dict[str, bytes]) -> int:
    """How many assets already pass (fix leaves them byte-identical)."""
    settings = Settings(root=Path.cwd(), targets=("sora-2",))
    return sum(
        check_bytes(data, settings.target(), settings.rules(), name).ok for name, data in files.items()
    )
