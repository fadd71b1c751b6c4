"""The HTML report at scale: time and peak memory of ``check --output-format html`` against the JSON
report of the same check, at N and 10N files, and how fast Chromium opens and filters the 10N page.

Memory is the process tree's summed RSS (as ``run.py`` reports it) and summed PSS: the pool that makes
the thumbnails forks from a parent holding the whole check report, and RSS counts those shared pages
once per worker.

The library is hard links (``run.py``'s farm) cycling over compliant 1280x720 JPEGs with every tenth
file a 12 MP phone photo that fails (and so gets a thumbnail, decoded at 1/8 scale). Each command runs
in a fresh process, interleaved with its baseline; medians of ``--repeat`` runs. Nothing is asserted.

    python benchmarks/bench_html.py [--files 20000] [--repeat 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import run  # noqa: E402

BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def library(count: int) -> Path:
    """``count`` files, one in ten a failing phone photo."""
    sets = corpus.build(0.1, log=run.log, names={"compliant", "phone-landscape"})
    compliant = sorted(sets["compliant"].glob("*.jpg"))
    phones = sorted(sets["phone-landscape"].glob("*.jpg"))
    sources = []
    for i, path in enumerate(compliant[:180]):
        sources.append(path)
        if i % 9 == 8:
            sources.append(phones[i % len(phones)])
    return run._farm("html-tenth", sources, count)


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fp:
            return next((int(line.split()[1]) for line in fp if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def measure(folder: Path, repeat: int) -> dict:
    """Each format's median seconds, peak summed RSS (as ``run.py`` reports memory) and peak summed PSS."""
    out = run.WORK / "html-report"
    out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, dict[str, list]] = {
        fmt: {"seconds": [], "rss": [], "pss": []} for fmt in ("json", "html")
    }
    for _ in range(repeat):
        for fmt, samples in runs.items():
            argv = run.sora_guard("check", "--isolated", *run.TARGET, "--no-cache", "--output-format", fmt)
            argv += ["-o", str(out / f"report.{fmt}"), str(folder)]
            start = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=run.WORK, env=run.ENV, stdout=subprocess.DEVNULL)
            rss, pss = (
                run.TreeMemory(proc.pid),
                run.TreeMemory(proc.pid, _pss_kb),
            )  # PSS: shared pages count once
            rss.start(), pss.start()
            if proc.wait() not in (0, 1):
                raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
            samples["seconds"].append(time.perf_counter() - start)
            for sampler in (rss, pss):
                sampler.done.set()
                sampler.join()
            samples["rss"].append(rss.peak_kb / 1024)
            samples["pss"].append(pss.peak_kb / 1024)
    return {
        fmt: {
            "seconds": statistics.median(s["seconds"]),
            "peak_mb": max(s["rss"]),
            "peak_pss_mb": max(s["pss"]),
            "bytes": (out / f"report.{fmt}").stat().st_size,
        }
        for fmt, s in runs.items()
    }


FILTER = """new Promise(done => {
    const start = performance.now();
    document.querySelector("input[data-filter=severity][value=error]").click();
    requestAnimationFrame(() => done(performance.now() - start));
})"""


def browse(report: Path, repeat: int) -> dict:
    """Seconds from navigation to the load event, and from ticking the errors filter off to the next
    frame (the rows hidden and the page laid out again), in Chromium."""
    from playwright.sync_api import sync_playwright

    loads, filters, rows = [], [], 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_FLAGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            start = time.perf_counter()
            page.goto(report.as_uri(), wait_until="load", timeout=120_000)
            loads.append(time.perf_counter() - start)
            rows = page.locator("li.file").count()
            filters.append(page.evaluate(FILTER) / 1000)
            page.close()
        browser.close()
    return {
        "rows": rows,
        "load_seconds": statistics.median(loads),
        "filter_seconds": statistics.median(filters),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--files", type=int, default=20_000, help="the large library (the small one is a tenth)"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    result: dict = {"machine": run.machine(), "runs": {}}
    for count in (args.files // 10, args.files):
        t = measure(library(count), args.repeat)
        json_run, html_run = t["json"], t["html"]
        result["runs"][count] = t
        run.log(
            f"{count} files: "
            + "; ".join(
                f"{fmt} {r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB RSS / {r['peak_pss_mb']:.0f} MB PSS, "
                f"{r['bytes'] / 1e6:.1f} MB file"
                for fmt, r in t.items()
            )
            + f"; html/json time {html_run['seconds'] / json_run['seconds']:.2f}x,"
            f" PSS {html_run['peak_pss_mb'] / json_run['peak_pss_mb']:.2f}x"
        )
    result["browser"] = browse(run.WORK / "html-report" / "report.html", args.repeat)
    b = result["browser"]
    run.log(
        f"Chromium: {b['rows']} rows, load {b['load_seconds']:.1f} s, errors filter {b['filter_seconds'] * 1000:.0f} ms"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
