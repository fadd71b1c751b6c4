"""The benchmark's table and chart render from a results file (no timing here: the numbers are made up)."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import report  # noqa: E402


def run(seconds: float, peak: float = 50.0) -> dict:
    return {"seconds": seconds, "all": [seconds], "peak_mb": peak}


def results() -> dict:
    check = {
        name: run(s)
        for name, s in (
            ("decode loop", 10.0),
            ("draft loop", 5.0),
            ("check --no-cache", 1.0),
            ("check, filling the cache", 1.25),
            ("check, warm cache", 0.4),
        )
    }
    fix = {name: run(s) for name, s in (("recipe", 8.0), ("sora-guard fix", 2.0), ("ffmpeg", 9.0))}
    fix["sora-guard fix"]["cpu_seconds"], fix["recipe"]["cpu_seconds"] = 2.0, 8.0
    for runs, n in ((check, 2000), (fix, 24)):
        for r in runs.values():
            r["files_per_s"] = n / r["seconds"]
    return {
        "machine": {
            "cores": 2,
            "cpu": "Test CPU",
            "os": "Linux",
            "python": "3.11.7",
            "pillow": "13.0.0",
            "libjpeg-turbo": "3.2.0",
            "ffmpeg": "ffmpeg version 5.1",
            "load_before": 0.1,
            "load_after": 0.2,
            "date": "2026-11-24 06:00 UTC",
        },
        "scale": 1.0,
        "repeat": 3,
        "check": {"files": 2000, "runs": check},
        "fix": {
            "files": 24,
            "runs": fix,
            "ffmpeg": True,
            "psnr_vs_recipe": {
                "sora-guard fix": {"mean_db": 43.0, "min_db": 42.5, "files": 24},
                "ffmpeg": {"mean_db": 39.6, "min_db": 39.0, "files": 24},
            },
        },
        "fix-folder": {
            "files": 24,
            "runs": {
                "recipe": {**run(6.0), "files_per_s": 4.0},
                "sora-guard fix": {**run(24 / 22.0), "files_per_s": 22.0},
            },
            "psnr_vs_recipe": {"sora-guard fix": {"mean_db": 42.6, "min_db": 42.4, "files": 24}},
        },
        "stages": {
            "decoder": "libjpeg-turbo M/8 through simplejpeg",
            "stages": {
                "decode": {"ms": 36.0, "floor_ms": 24.0},
                "resample": {"ms": 18.0, "floor_ms": 2.0},
                "encode": {"ms": 5.0, "floor_ms": 5.0},
                "probe and checks": {"ms": 1.0, "floor_ms": 0.2},
            },
        },
        "memory": {
            "check": [
                {"files": 1000, "seconds": 1, "peak_mb": 60},
                {"files": 10000, "seconds": 9, "peak_mb": 70},
            ],
            "fix": [
                {"files": 24, "seconds": 2, "peak_mb": 120},
                {"files": 240, "seconds": 20, "peak_mb": 300},
            ],
        },
        "startup": {
            "median_seconds": {"sora-guard check one.jpg": 0.15, "python -c 'import PIL.Image'": 0.07},
            "ratio_to_pil_import": 2.14,
        },
        "preflight": {
            "image": "1280x720 JPEG, 99471 bytes",
            "median_ms": {"unguarded create": 60.0},
            "overhead_ms": 2.5,
        },
    }


def test_table_states_each_goal_and_whether_it_was_met():
    table = report.markdown(results())
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines() if line.startswith("| ")}
    fix = next(line for what, line in rows.items() if what.startswith("`fix"))
    assert "4.0x" in fix and ">= 6x" in fix and "**no**" in fix
    folder = next(line for what, line in rows.items() if what.startswith("`fix`, one folder"))
    assert "5.5x" in folder and ">= 5x" in folder and "| yes |" in folder
    decode = next(line for what, line in rows.items() if what.startswith("fix, CPU per photo: decode"))
    assert "36.0 ms" in decode and "floor 24.0 ms" in decode and "1.5x floor" in decode
    rest = next(line for what, line in rows.items() if "the rest" in what)
    assert "23.3 ms" in rest and "floor 2.9 ms" in rest  # 83.3 ms per file minus the stages; 70 ms / 24
    cold = next(line for what, line in rows.items() if "cold, `--no-cache`" in what)
    assert "10.0x" in cold and "| yes |" in cold
    warm = next(line for what, line in rows.items() if "warm cache" in what)
    assert "25.0x" in warm and "| yes |" in warm
    assert "**no**" in next(line for what, line in rows.items() if "one-file" in what)  # 2.14x > 2x
    assert "**no**" in next(
        line for what, line in rows.items() if "`fix --out`" in what
    )  # 300/120 MB: not flat
    assert "| yes |" in next(line for what, line in rows.items() if "pre-flight" in what)
    assert "Test CPU" in table and "Pillow 13.0.0" in table


def test_chart_is_a_png_with_one_pair_of_bars_per_throughput_figure(tmp_path):
    report.chart(results(), tmp_path / "chart.png")
    with Image.open(tmp_path / "chart.png") as im:
        assert im.format == "PNG" and im.width == 1100
        assert 300 < im.height < 600
        colours = {c for _, c in im.convert("RGB").getcolors(1 << 20)}
    assert (40, 110, 200) in colours and (170, 170, 170) in colours  # sora-guard and baseline bars
