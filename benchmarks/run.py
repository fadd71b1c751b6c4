"""Every performance figure of sora-guard, side by side with its baseline, from one command.

    python benchmarks/run.py [--scale S] [--repeat N] [--only check,formats,fix,memory,startup,preflight,bombs]

Generates (once, cached under ``benchmarks/out/corpus``) the corpus of ``corpus.py``, then times,
each command in a fresh process and interleaved with its baselines so load on a shared machine
hits both alike (medians of ``--repeat`` runs):

- ``check`` of already-compliant 1280x720 JPEGs (integrity included) against the Pillow loop that
  fully decodes each file: without the cache, filling it, and warm (``check``); and ``check`` of
  the other sets, which all need fixing (``formats``);
- ``fix --strategy cover`` of 12 MP phone JPEGs against the tutorial recipe (``ImageOps.fit`` +
  q95 save, one file at a time) and, when installed, one ffmpeg process per file, with the PSNR of
  each output against the recipe's: the 48-photo corpus, and one 24-photo folder (where start-up
  weighs more); ``bench_stages.py`` splits one file's fix into decode, resample, encode and checks,
  each next to its floor;
- peak memory of the whole process tree (workers included) of ``check`` and ``fix`` at N and 10N
  files (10N made of hard links, so the disk holds N);
- ``bench_startup.py`` (one-file check vs ``import PIL.Image``), ``bench_preflight.py``
  (pre-flight overhead) and ``bench_bombs.py`` (a decompression bomb among healthy files, against
  the same folder without it), which their owners maintain, folded in from their ``--json`` output.

Writes ``benchmarks/results.md`` (the README's Performance table), ``benchmarks/results.png``
(a chart) and ``benchmarks/out/results.json``. Nothing here asserts: it measures and reports.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

OUT = corpus.OUT
WORK = OUT / "work"
PY = sys.executable
ENV = {
    k: v
    for k, v in os.environ.items()
    if k not in ("PYTHONDONTWRITEBYTECODE", "SORA_GUARD_DISABLE_PLUGIN_AUTOLOAD", "PYTHONPATH")
} | {"PYTHONPATH": str(HERE.parent)}
"""What every timed command runs with: bytecode caching on, as on a user's machine, and the
sora-guard of this checkout (a worktree is measured as itself, not as the installed copy)."""


TARGET = ("--profile", "sora-2")
"""What every check and fix here is measured against: 1280x720 and 720x1280 by orientation, the sizes
the baselines fit to (sora-2's: the API closed on 2026-09-24, but a fixed-size target's work is the
same, and the figures stay comparable with earlier runs)."""


def sora_guard(*args: str) -> list[str]:
    return [PY, "-m", "sora_guard", *args]


def baseline(*args: str) -> list[str]:
    return [PY, str(HERE / "baselines.py"), *args]


# --- running and measuring -------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fp:
            return [int(c) for c in fp.read().split()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fp:
            for line in fp:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed memory (``sample``: RSS by default) of a process and all its descendants
    every 20 ms; keeps the peak."""

    def __init__(self, pid: int, sample=None):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.done = pid, 0, threading.Event()
        self.sample = sample or _rss_kb

    def run(self) -> None:
        while not self.done.is_set():
            todo, total = [self.pid], 0
            while todo:
                pid = todo.pop()
                total += self.sample(pid)
                todo += _children(pid)
            self.peak_kb = max(self.peak_kb, total)
            self.done.wait(0.02)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> tuple[float, float, float]:
    """Run ``argv``; return (wall seconds, peak MB of the process tree, CPU seconds of the whole tree)."""
    cpu = _cpu_of_children()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeMemory(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    if proc.returncode not in ok:
        raise SystemExit(
            f"{' '.join(map(str, argv))} exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}"
        )
    return elapsed, sampler.peak_kb / 1024, _cpu_of_children() - cpu


def interleaved(commands: dict[str, tuple[list[str], dict]], repeat: int, before=None) -> dict[str, dict]:
    """Time each command ``repeat`` times, round-robin; ``before(name)`` runs before each timing."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = {name: 0.0 for name in commands}
    for _ in range(repeat):
        for name, (argv, kw) in commands.items():
            if before:
                before(name)
            seconds, peak, cpu = timed(argv, **kw)
            times[name].append(seconds)
            cpus[name].append(cpu)
            peaks[name] = max(peaks[name], peak)
    return {
        name: {
            "seconds": statistics.median(t),
            "all": t,
            "cpu_seconds": statistics.median(cpus[name]),
            "peak_mb": peaks[name],
        }
        for name, t in times.items()
    }


def log(text: str) -> None:
    print(text, flush=True)


# --- image quality ---------------------------------------------------------------------------


def psnr(a: Path, b: Path) -> float:
    """PSNR in dB of two same-size pictures, over all RGB samples."""
    from PIL import Image, ImageChops, ImageStat

    with Image.open(a) as x, Image.open(b) as y:
        x, y = x.convert("RGB"), y.convert("RGB")
        if x.size != y.size:
            return 0.0
        squares = ImageStat.Stat(ImageChops.difference(x, y)).sum2
    mse = sum(squares) / (3 * x.width * x.height)
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def psnr_summary(ours: Path, reference: Path) -> dict:
    """PSNR of each output against the reference's file of that name (``fix --out`` keeps each
    input folder's name under ``ours``; the recipes write flat)."""
    mine = {p.name: p for p in ours.rglob("*") if p.is_file()}
    values = [psnr(mine[p.name], p) for p in sorted(reference.iterdir())]
    return {"mean_db": statistics.mean(values), "min_db": min(values), "files": len(values)}


# --- scenarios -------------------------------------------------------------------------------


def bench_check(sets: dict[str, Path], repeat: int) -> dict:
    folder = sets["compliant"]
    n = len(list(folder.glob("*.jpg")))
    work = WORK / "check"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cache = work / ".sora-guard-cache"
    isolated = ("check", "--isolated", *TARGET, str(folder))
    commands = {
        "decode loop": (baseline("decode", str(folder)), {}),
        "draft loop": (baseline("draft", str(folder)), {}),
        "check --no-cache": (sora_guard(*isolated, "--no-cache"), {"cwd": work}),
        "check, filling the cache": (sora_guard(*isolated), {"cwd": work}),
    }
    log(f"check: {n} compliant 1280x720 JPEGs, {repeat} rounds")
    results = interleaved(commands, repeat, before=lambda name: shutil.rmtree(cache, ignore_errors=True))
    for _ in range(3):  # a source edit mid-run (a shared checkout) starts a new cache: measure again
        shutil.rmtree(cache, ignore_errors=True)
        timed(sora_guard(*isolated), cwd=work)  # fill the cache, then time warm runs
        filled = sorted(cache.glob("v*/*"))
        results |= interleaved({"check, warm cache": (sora_guard(*isolated), {"cwd": work})}, max(3, repeat))
        if sorted(cache.glob("v*/*")) == filled:
            break
        log("check: the cache was rebuilt during the warm runs (sources changed?); measuring again")
    for r in results.values():
        r["files_per_s"] = n / r["seconds"]
    return {"files": n, "runs": results}


def bench_formats(sets: dict[str, Path], repeat: int) -> dict:
    """``check --no-cache`` of the sets that need fixing, against the full-decode loop."""
    others = {}
    for name in ("phone-landscape", "png-1080p", "webp"):
        folder = sets[name]
        k = len(list(folder.iterdir())) - 1  # the manifest
        res = interleaved(
            {
                "decode loop": (baseline("decode", str(folder)), {}),
                "check": (
                    sora_guard("check", "--isolated", *TARGET, "--no-cache", str(folder)),
                    {"ok": (0, 1)},
                ),
            },
            repeat,
        )
        others[name] = {key: {**v, "files_per_s": k / v["seconds"]} for key, v in res.items()} | {"files": k}
    return others


def bench_fix(
    sets: dict[str, Path],
    repeat: int,
    names: tuple[str, ...] = ("phone-landscape", "phone-portrait"),
    tag: str = "fix",
) -> dict:
    """``fix`` of the photos in the ``names`` sets against the recipe (and ffmpeg for the full set)."""
    sources = [str(sets[name]) for name in names]
    n = sum(len(list(Path(s).glob("*.jpg"))) for s in sources)
    work = WORK / tag
    work.mkdir(parents=True, exist_ok=True)
    outs = {"recipe": work / "recipe", "ffmpeg": work / "ffmpeg", "sora-guard fix": work / "sora-guard"}
    commands = {
        "recipe": (baseline("recipe", "--out", str(outs["recipe"]), *sources), {}),
        "sora-guard fix": (
            sora_guard(
                "fix",
                "--isolated",
                *TARGET,
                "--strategy",
                "cover",
                "--size",
                "auto",
                "--quality",
                "95",
                "--out",
                str(outs["sora-guard fix"]),
                *sources,
            ),
            {"cwd": work},
        ),
    }
    if shutil.which("ffmpeg") and tag == "fix":
        commands["ffmpeg"] = (baseline("ffmpeg", "--out", str(outs["ffmpeg"]), *sources), {})
    log(f"{tag}: {n} 12 MP phone JPEGs ({', '.join(names)}), {repeat} rounds: {', '.join(commands)}")

    def clean(name: str) -> None:
        shutil.rmtree(outs[name], ignore_errors=True)
        outs[name].mkdir(parents=True)

    results = interleaved(commands, repeat, before=clean)
    for r in results.values():
        r["files_per_s"] = n / r["seconds"]
    quality = {name: psnr_summary(outs[name], outs["recipe"]) for name in commands if name != "recipe"}
    return {
        "files": n,
        "runs": results,
        "psnr_vs_recipe": quality,
        "ffmpeg": shutil.which("ffmpeg") is not None,
    }


def _farm(name: str, sources: list[Path], count: int) -> Path:
    """A folder of ``count`` hard links cycling over ``sources`` (the same bytes, distinct files)."""
    folder = WORK / f"farm-{name}-{count}"
    if folder.is_dir() and len(os.listdir(folder)) == count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(count):
        src = sources[i % len(sources)]
        os.link(src, folder / f"{i:06d}-{src.name}")
    return folder


def bench_memory(sets: dict[str, Path], scale: float) -> dict:
    compliant = sorted(sets["compliant"].glob("*.jpg"))
    phones = sorted(sets["phone-landscape"].glob("*.jpg")) + sorted(sets["phone-portrait"].glob("*.jpg"))
    # enough files that even N goes through the process pool (the first 0.2 s of work is done inline)
    n_check, n_fix = max(2000, round(2000 * scale)), max(20, round(24 * scale))
    result = {}
    for kind, sources, n in (("check", compliant, n_check), ("fix", phones, n_fix)):
        rows = []
        for count in (n, 10 * n):
            folder = _farm(kind, sources, count)
            if kind == "check":
                argv = sora_guard("check", "--isolated", *TARGET, "--no-cache", str(folder))
            else:
                out = WORK / "fix-memory-out"
                shutil.rmtree(out, ignore_errors=True)
                argv = sora_guard(
                    "fix",
                    "--isolated",
                    *TARGET,
                    "--strategy",
                    "cover",
                    "--size",
                    "auto",
                    "--out",
                    str(out),
                    str(folder),
                )
            seconds, peak, _ = timed(argv, cwd=WORK)
            rows.append({"files": count, "seconds": seconds, "peak_mb": peak})
            log(f"memory: {kind} {count} files: {peak:.0f} MB peak (process tree), {seconds:.1f} s")
        result[kind] = rows
    return result


def bench_owned(script: str, runs: int) -> dict | None:
    """Run another helper's benchmark script with ``--json`` and return what it wrote."""
    path = HERE / script
    if not path.is_file():
        log(f"{script}: not present, skipped")
        return None
    out = OUT / f"{path.stem}.json"
    out.unlink(missing_ok=True)
    proc = subprocess.run(
        [PY, str(path), "-n", str(runs), "--json", str(out)], capture_output=True, text=True, env=ENV
    )
    log(proc.stdout.rstrip())
    if not out.is_file():
        log(f"{script} failed ({proc.returncode}): {proc.stderr[-1500:]}")
        return None
    return json.loads(out.read_text())


# --- the machine -----------------------------------------------------------------------------


def machine() -> dict:
    import PIL
    from PIL import features

    cpu = platform.processor()
    try:
        cpu = next(
            line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    ffmpeg = None
    if shutil.which("ffmpeg"):
        ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "pillow": PIL.__version__,
        "libjpeg-turbo": features.version("libjpeg_turbo"),
        "ffmpeg": ffmpeg,
        "load_before": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the corpus (default 1: about 4 minutes on 2 cores)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed rounds per command; medians are reported (default 3)"
    )
    parser.add_argument(
        "--name", default="results", help="write NAME.md, NAME.png and out/NAME.json (default: results)"
    )
    parser.add_argument(
        "--only",
        default="check,formats,fix,memory,startup,preflight,bombs",
        help="comma-separated scenarios to run",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    needs = {
        "check": {"compliant"},
        "formats": {"phone-landscape", "png-1080p", "webp"},
        "fix": {"phone-landscape", "phone-portrait"},
    }
    needs["memory"] = {"compliant"} | needs["fix"]
    sets = corpus.build(args.scale, log=log, names=set().union(*(needs.get(name, set()) for name in only)))
    import sora_guard  # compile its bytecode now, so no timed run pays for that

    subprocess.run(
        [PY, "-m", "compileall", "-q", str(Path(sora_guard.__file__).parent), str(HERE)], env=ENV, check=False
    )
    results: dict = {"machine": machine(), "scale": args.scale, "repeat": args.repeat}
    log(f"machine: {results['machine']}")
    if "check" in only:
        results["check"] = bench_check(sets, args.repeat)
    if "formats" in only:
        results["formats"] = bench_formats(sets, args.repeat)
    if "fix" in only:
        results["fix"] = bench_fix(sets, args.repeat)
        results["fix-folder"] = bench_fix(sets, args.repeat, ("phone-landscape",), "fix-folder")
        results["stages"] = bench_owned("bench_stages.py", 3)
    if "memory" in only:
        results["memory"] = bench_memory(sets, args.scale)
    if "startup" in only:
        results["startup"] = bench_owned("bench_startup.py", 20)
    if "preflight" in only:
        results["preflight"] = bench_owned("bench_preflight.py", 100)
    if "bombs" in only:
        results["bombs"] = bench_owned("bench_bombs.py", 3)
    results["machine"]["load_after"] = os.getloadavg()[0]
    name = args.name
    (OUT / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    import report

    table = report.markdown(results)
    (HERE / f"{name}.md").write_text(table)
    report.chart(results, HERE / f"{name}.png")
    log("\n" + table)
    log(f"wrote {HERE / name}.md, {HERE / name}.png, {OUT / name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
