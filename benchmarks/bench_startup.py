"""Start-up of a one-file ``sora-guard check``: what a pre-commit hook pays on every commit.

Times ``sora-guard check one.jpg`` with ``--no-cache`` (cold, as a hook sees a changed file) and
the same run answered from the check cache, against ``python -c "import PIL.Image"`` (the floor for any
tool that reads images with Pillow), ``python -c pass`` (the interpreter alone) and, for context,
Pillow opening and decoding the same file. Runs are interleaved so load on a shared machine hits
every command alike; medians are reported.

    python benchmarks/bench_startup.py [-n RUNS] [--json FILE]

The goal is a one-file check within 2x of the Pillow import; the exit code is 1 when it is not.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 2.0


def sora_guard_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m sora_guard``."""
    script = Path(sys.executable).with_name("sora-guard")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sora_guard"]


def commands() -> dict[str, list[str]]:
    """The one-file check first (cold: a hook sees changed files, so the cache cannot answer)."""
    check = [*sora_guard_command(), "check", "--profile", "sora-2"]  # as run.TARGET
    return {
        "sora-guard check one.jpg": [*check, "--no-cache", "one.jpg"],  # key read by run.py/report.py
        "sora-guard check one.jpg (cache hit)": [*check, "one.jpg"],
        "python -c 'import PIL.Image'": [sys.executable, "-c", "import PIL.Image"],
        "python -c pass": [sys.executable, "-c", "pass"],
        "Pillow opens and decodes one.jpg": [
            sys.executable,
            "-c",
            "from PIL import Image; Image.open('one.jpg').load()",
        ],
    }


def time_once(argv: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return elapsed


def run(runs: int) -> dict:
    from PIL import Image

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SORA_GUARD", "PYTHON"))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)  # this checkout's sora-guard
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    with tempfile.TemporaryDirectory() as folder:
        Image.new("RGB", (1280, 720), (40, 90, 160)).save(os.path.join(folder, "one.jpg"), quality=90)
        for argv in cmds.values():  # warm the OS file cache and the bytecode caches
            time_once(argv, folder, env)
        for _ in range(runs):
            for name, argv in cmds.items():
                times[name].append(time_once(argv, folder, env))
    medians = {name: statistics.median(t) for name, t in times.items()}
    check, cached, pil, bare, _ = medians.values()
    return {
        "runs": runs,
        "python": sys.version.split()[0],
        "median_seconds": medians,
        "ratio_to_pil_import": check / pil,
        "cached_ratio_to_pil_import": cached / pil,
        "ratio_to_python": check / bare,
        "goal_ratio_to_pil_import": GOAL_RATIO,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=30, help="timed runs of each command (default 30)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    result = run(args.runs)
    for name, seconds in result["median_seconds"].items():
        print(f"{seconds * 1000:8.1f} ms  {name}")
    ratio = result["ratio_to_pil_import"]
    print(
        f"check / PIL import: {ratio:.2f}x (goal <= {GOAL_RATIO:.1f}x); cached: {result['cached_ratio_to_pil_import']:.2f}x; check / python: {result['ratio_to_python']:.2f}x"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
