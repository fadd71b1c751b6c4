"""A decompression bomb among healthy files costs nothing: memory and time of every command with and
without it.

A folder holds a 69-byte PNG whose header claims 100000x100000 (10 gigapixels), a 16-bit 800x600
PNG and a 1281x720 JPEG; a second folder adds four 12 MP photos. Each command (``check``,
``check --output-format html``, ``fix --dry-run``, ``fix --out``) runs on each folder with the bomb
and, as its baseline in the same run, on the same folder without it, interleaved, on the pool's
threads (``-j 2``). Reported: peak memory of the whole process tree and wall time, each as the
ratio with/without the bomb, next to the goals (under 200 MB and 3 s).

    python benchmarks/bench_bombs.py [-n RUNS] [--json FILE]

The exit code is 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import ENV, sora_guard, timed  # noqa: E402

GOAL_MB, GOAL_SECONDS = 200.0, 3.0

COMMANDS = {
    "check": ["check", "--output-format", "json"],
    "check --output-format html": ["check", "--output-format", "html", "-o", "report.html"],
    "fix --dry-run": ["fix", "--dry-run"],
    "fix --out": ["fix", "--out", "fixed"],
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb() -> bytes:
    """A PNG declaring 100000x100000 RGB with a few bytes of pixel data: 69 bytes on disk."""
    header = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def folders(root: Path) -> dict[str, Path]:
    """``small`` and ``photos`` (with four 12 MP photos), each with and without the bomb."""
    from PIL import Image

    made = {}
    deep = Image.linear_gradient("L").resize((800, 600)).convert("I;16")
    off = Image.radial_gradient("L").resize((1281, 720)).convert("RGB")
    photo = Image.effect_noise((4032, 3024), 24).convert("RGB")
    for name, photos in (("small", 0), ("photos", 4)):
        for bombed in (False, True):
            folder = root / f"{name}{'-bomb' if bombed else ''}" / "assets"
            folder.mkdir(parents=True)
            deep.save(folder / "deep.png")
            off.save(folder / "off.jpg", quality=90)
            for i in range(photos):
                photo.save(folder / f"photo{i}.jpg", quality=90)
            if bombed:
                (folder / "zbomb.png").write_bytes(bomb())
            made[f"{name}{' + bomb' if bombed else ''}"] = folder.parent
    return made


def _refused(folder: Path) -> None:
    """Stop unless ``check`` refuses the bomb as too many pixels (SG504): a run that skipped or
    missed it would time nothing worth reporting."""
    argv = sora_guard(*COMMANDS["check"], "--isolated", "--no-cache", "--size", "1280x720", "assets")
    proc = subprocess.run(argv, cwd=folder, env=ENV, capture_output=True, text=True)
    files = {
        Path(f["path"]).name: [d["code"] for d in f["diagnostics"]] for f in json.loads(proc.stdout)["files"]
    }
    if "SG504" not in files.get("zbomb.png", []):
        raise SystemExit(f"the bomb was not refused as SG504: {files}")


def run(runs: int) -> dict:
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        made = folders(Path(tmp))
        _refused(made["small + bomb"])
        for label, args in COMMANDS.items():
            for name in ("small", "photos"):
                samples: dict[str, list[tuple[float, float]]] = {name: [], f"{name} + bomb": []}
                for _ in range(runs):
                    for key in samples:  # interleaved: load on the machine hits both alike
                        cwd = made[key]
                        shutil.rmtree(cwd / "fixed", ignore_errors=True)
                        argv = sora_guard(
                            *args, "--isolated", "--no-cache", "--size", "1280x720", "-j", "2", "assets"
                        )
                        seconds, peak, _ = timed(argv, cwd=cwd, ok=(0, 1))
                        samples[key].append((seconds, peak))
                base = samples[name]
                with_bomb = samples[f"{name} + bomb"]
                seconds = statistics.median(s for s, _ in with_bomb)
                peak = max(p for _, p in with_bomb)
                base_seconds = statistics.median(s for s, _ in base)
                base_peak = max(p for _, p in base)
                rows[f"{label}, {name} + bomb"] = {
                    "seconds": seconds,
                    "peak_mb": peak,
                    "base_seconds": base_seconds,
                    "base_peak_mb": base_peak,
                    "time_ratio": seconds / base_seconds,
                    "memory_ratio": peak / base_peak,
                    "met": peak < GOAL_MB and seconds < GOAL_SECONDS,
                }
    return {
        "runs": runs,
        "bomb_bytes": len(bomb()),
        "goal_mb": GOAL_MB,
        "goal_seconds": GOAL_SECONDS,
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    result = run(args.runs)
    for name, row in result["rows"].items():
        print(
            f"{name:<42} {row['peak_mb']:6.0f} MB ({row['memory_ratio']:.2f}x without the bomb)"
            f" {row['seconds']:5.2f} s ({row['time_ratio']:.2f}x)  {'met' if row['met'] else 'MISSED'}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(row["met"] for row in result["rows"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
