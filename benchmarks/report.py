"""Turn ``benchmarks/out/results.json`` into the markdown table and the PNG chart.

python benchmarks/report.py   # re-render results.md and results.png from the last run
"""

from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent

GOALS = {
    "fix": 6.0,
    "fix_folder": 5.0,
    "check": 4.0,
    "warm": 20.0,
    "startup": 2.0,
    "psnr": 38.0,
    "preflight_ms": 10.0,
    "memory_growth": 1.5,
    "bomb_mb": 200.0,
    "bomb_seconds": 3.0,
}


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _rate(x: float) -> str:
    return f"{x:,.0f} files/s" if x >= 100 else f"{x:.1f} files/s"


def rows(results: dict) -> list[dict]:
    """One row per figure: what, ours, baseline, ratio, goal, met, peak (strings), and chart data."""
    out: list[dict] = []
    fix = results.get("fix")
    if fix:
        runs, n = fix["runs"], fix["files"]
        ours, recipe = runs["sora-guard fix"], runs["recipe"]
        ratio = ours["files_per_s"] / recipe["files_per_s"]
        out.append(
            dict(
                what=f"`fix --strategy cover`, {n} 12 MP phone JPEGs (landscape + portrait)",
                ours=_rate(ours["files_per_s"]),
                base=f"tutorial recipe: {_rate(recipe['files_per_s'])}",
                ratio=f"{ratio:.1f}x",
                goal=f">= {GOALS['fix']:.0f}x",
                met=_yes(ratio >= GOALS["fix"]),
                peak=f"{ours['peak_mb']:.0f} MB (recipe {recipe['peak_mb']:.0f} MB)",
                chart=(
                    "fix, 12 MP JPEGs",
                    recipe["files_per_s"],
                    ours["files_per_s"],
                    GOALS["fix"],
                    "recipe",
                ),
            )
        )
        if "cpu_seconds" in ours:
            cpu_ours, cpu_recipe = ours["cpu_seconds"] * 1000 / n, recipe["cpu_seconds"] * 1000 / n
            out.append(
                dict(
                    what="same run, CPU per file (all processes, start-up included)",
                    ours=f"{cpu_ours:.0f} ms",
                    base=f"recipe: {cpu_recipe:.0f} ms",
                    ratio=f"{cpu_recipe / cpu_ours:.1f}x",
                    goal="",
                    met="",
                    peak="",
                )
            )
        q = fix["psnr_vs_recipe"]["sora-guard fix"]
        out.append(
            dict(
                what="fix output vs the recipe's output (PSNR)",
                ours=f"{q['mean_db']:.1f} dB mean, {q['min_db']:.1f} dB min",
                base="",
                ratio="",
                goal=f">= {GOALS['psnr']:.0f} dB",
                met=_yes(q["min_db"] >= GOALS["psnr"]),
                peak="",
            )
        )
        if "ffmpeg" in runs:
            ff = runs["ffmpeg"]
            qf = fix["psnr_vs_recipe"]["ffmpeg"]
            out.append(
                dict(
                    what="same files vs one `ffmpeg` process per file",
                    ours=_rate(ours["files_per_s"]),
                    base=f"ffmpeg: {_rate(ff['files_per_s'])} ({qf['mean_db']:.1f} dB vs recipe)",
                    ratio=f"{ours['files_per_s'] / ff['files_per_s']:.1f}x",
                    goal="",
                    met="",
                    peak=f"ffmpeg {ff['peak_mb']:.0f} MB",
                    chart=("fix vs ffmpeg", ff["files_per_s"], ours["files_per_s"], None, "ffmpeg"),
                )
            )
    out += _folder_rows(results.get("fix-folder"))
    out += _stage_rows(results)
    check = results.get("check")
    if check:
        runs, n = check["runs"], check["files"]
        base = runs["decode loop"]
        for key, goal, label, short in (
            ("check --no-cache", "check", "cold, `--no-cache`", "check, no cache"),
            ("check, filling the cache", None, "cold, filling the cache", "check, filling cache"),
            ("check, warm cache", "warm", "warm cache, files unchanged", "check, warm cache"),
        ):
            r = runs[key]
            ratio = r["files_per_s"] / base["files_per_s"]
            out.append(
                dict(
                    what=f"`check`, {n} compliant 1280x720 JPEGs, {label}",
                    ours=_rate(r["files_per_s"]),
                    base=f"full-decode loop: {_rate(base['files_per_s'])}",
                    ratio=f"{ratio:.1f}x",
                    goal=f">= {GOALS[goal]:.0f}x" if goal else "",
                    met=_yes(ratio >= GOALS[goal]) if goal else "",
                    peak=f"{r['peak_mb']:.0f} MB",
                    chart=(
                        short,
                        base["files_per_s"],
                        r["files_per_s"],
                        GOALS[goal] if goal else None,
                        "decode loop",
                    ),
                )
            )
        floor = runs["draft loop"]
        out.append(
            dict(
                what="for scale: Pillow `draft(1/8)` + `load()` loop, one process",
                ours=_rate(floor["files_per_s"]),
                base="full-decode loop",
                ratio=f"{floor['files_per_s'] / base['files_per_s']:.1f}x",
                goal="",
                met="",
                peak="",
            )
        )
    for name, r in results.get("formats", {}).items():
        label = {"phone-landscape": "12 MP JPEGs", "png-1080p": "1920x1080 PNGs", "webp": "1920x1080 WebPs"}[
            name
        ]
        out.append(
            dict(
                what=f"`check --no-cache`, {r['files']} {label} (all need fixing)",
                ours=_rate(r["check"]["files_per_s"]),
                base=f"full-decode loop: {_rate(r['decode loop']['files_per_s'])}",
                ratio=f"{r['check']['files_per_s'] / r['decode loop']['files_per_s']:.1f}x",
                goal="",
                met="",
                peak=f"{r['check']['peak_mb']:.0f} MB",
            )
        )
    startup = results.get("startup")
    if startup:
        med = startup["median_seconds"]
        check_ms = med["sora-guard check one.jpg"] * 1000
        pil_ms = med["python -c 'import PIL.Image'"] * 1000
        ratio = startup["ratio_to_pil_import"]
        out.append(
            dict(
                what="one-file `check` (pre-commit), whole process",
                ours=f"{check_ms:.0f} ms",
                base=f'`python -c "import PIL.Image"`: {pil_ms:.0f} ms',
                ratio=f"{ratio:.2f}x",
                goal=f"<= {GOALS['startup']:.0f}x",
                met=_yes(ratio <= GOALS["startup"]),
                peak="",
            )
        )
    memory = results.get("memory")
    if memory:
        for kind, label in (("check", "`check --no-cache`"), ("fix", "`fix --out`")):
            small, large = memory[kind]
            growth = large["peak_mb"] / small["peak_mb"]
            out.append(
                dict(
                    what=f"peak memory, {label}, {small['files']} -> {large['files']} files",
                    ours=f"{small['peak_mb']:.0f} -> {large['peak_mb']:.0f} MB",
                    base="",
                    ratio=f"{growth:.2f}x for 10x files",
                    goal="flat",
                    met=_yes(growth <= GOALS["memory_growth"]),
                    peak=f"{large['peak_mb']:.0f} MB",
                )
            )
    pre = results.get("preflight")
    if pre:
        out.append(
            dict(
                what=f"pre-flight guard overhead per call (slowest of {len(pre.get('adapters', {})) or 1} adapters), {pre['image']}",
                ours=f"{pre['overhead_ms']:.1f} ms",
                base=f"unguarded call: {pre['median_ms']['unguarded create']:.1f} ms (loopback server)",
                ratio="",
                goal=f"< {GOALS['preflight_ms']:.0f} ms",
                met=_yes(pre["overhead_ms"] < GOALS["preflight_ms"]),
                peak="",
            )
        )
    return out + _bomb_rows(results.get("bombs"))


def _bomb_rows(bombs: dict | None) -> list[dict]:
    """Each command on a folder holding a 10-gigapixel PNG bomb, against the folder without it."""
    if not bombs:
        return []
    return [
        dict(
            what=f"`{name}`: a {bombs['bomb_bytes']}-byte PNG claiming 100000x100000 among the files",
            ours=f"{r['seconds']:.2f} s",
            base=f"without the bomb: {r['base_seconds']:.2f} s, {r['base_peak_mb']:.0f} MB",
            ratio=f"{r['time_ratio']:.2f}x time, {r['memory_ratio']:.2f}x memory",
            goal=f"< {GOALS['bomb_mb']:.0f} MB, < {GOALS['bomb_seconds']:.0f} s",
            met=_yes(r["peak_mb"] < GOALS["bomb_mb"] and r["seconds"] < GOALS["bomb_seconds"]),
            peak=f"{r['peak_mb']:.0f} MB",
        )
        for name, r in bombs["rows"].items()
    ]


def _folder_rows(folder: dict | None) -> list[dict]:
    """``fix`` of one folder of photos, start-up included, against the recipe over the same folder."""
    if not folder:
        return []
    runs, n = folder["runs"], folder["files"]
    ours, recipe = runs["sora-guard fix"], runs["recipe"]
    ratio = ours["files_per_s"] / recipe["files_per_s"]
    q = folder["psnr_vs_recipe"]["sora-guard fix"]
    return [
        dict(
            what=f"`fix`, one folder of {n} 12 MP photos (process start-up weighs more)",
            ours=_rate(ours["files_per_s"]),
            base=f"tutorial recipe: {_rate(recipe['files_per_s'])}",
            ratio=f"{ratio:.1f}x",
            goal=f">= {GOALS['fix_folder']:.0f}x",
            met=_yes(ratio >= GOALS["fix_folder"] and q["min_db"] >= GOALS["psnr"]),
            peak=f"{ours['peak_mb']:.0f} MB (recipe {recipe['peak_mb']:.0f} MB)",
            chart=(
                f"fix, {n}-photo folder",
                recipe["files_per_s"],
                ours["files_per_s"],
                GOALS["fix_folder"],
                "recipe",
            ),
        )
    ]


_FLOORS = {
    "decode": "1/8 DCT-scaled decode: every coded byte is still entropy-decoded",
    "resample": "nearest-neighbour to the output size",
    "encode": "the same q95 encode: libjpeg-turbo is the floor",
    "probe and checks": "`Image.open` alone",
}


def _stage_rows(results: dict) -> list[dict]:
    """``fix``'s CPU per photo split into stages, each next to its floor, and the rest of the run."""
    stages, fix = results.get("stages"), results.get("fix")
    if not stages:
        return []
    out = [
        dict(
            what=f"fix, CPU per photo: {name}" + (f" ({stages['decoder']})" if name == "decode" else ""),
            ours=f"{s['ms']:.1f} ms",
            base=f"floor {s['floor_ms']:.1f} ms: {_FLOORS[name]}",
            ratio=f"{s['ms'] / s['floor_ms']:.1f}x floor" if s["floor_ms"] else "",
            goal="",
            met="",
            peak="",
        )
        for name, s in stages["stages"].items()
    ]
    ours = fix["runs"]["sora-guard fix"] if fix else None
    if ours and "cpu_seconds" in ours:
        rest = ours["cpu_seconds"] * 1000 / fix["files"] - sum(s["ms"] for s in stages["stages"].values())
        start = (results.get("startup") or {}).get("median_seconds", {}).get("python -c 'import PIL.Image'")
        out.append(
            dict(
                what="fix, CPU per photo: the rest (reading, writing, interpreter, imports)",
                ours=f"{rest:.1f} ms",
                base=f"floor {start * 1000 / fix['files']:.1f} ms: one `import PIL.Image` process shared by all"
                if start
                else "",
                ratio="",
                goal="",
                met="",
                peak="",
            )
        )
    return out


def machine_line(results: dict) -> str:
    m = results["machine"]
    return (
        f"{m['cores']} cores ({m['cpu']}), {m['os']}, Python {m['python']}, Pillow {m['pillow']} (libjpeg-turbo {m['libjpeg-turbo']})"
        + (f", {m['ffmpeg'].split(' Copyright')[0]}" if m.get("ffmpeg") else ", no ffmpeg")
        + f"; {m['date']}, load average {m['load_before']:.1f} before and {m['load_after']:.1f} after the run"
    )


def markdown(results: dict) -> str:
    lines = [
        f"Machine: {machine_line(results)}. Corpus scale {results['scale']}, medians of {results['repeat']} interleaved runs, "
        "every command a fresh process (start-up included). Peak memory is the summed RSS of the process and its workers.",
        "",
        "| what | sora-guard | baseline | ratio | goal | met | peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['what']} | {r['ours']} | {r['base']} | {r['ratio']} | {r['goal']} | {r['met']} | {r['peak']} |"
        for r in rows(results)
    ]
    return "\n".join(lines) + "\n"


def chart(results: dict, path: Path) -> None:
    """Grouped bars, baseline vs sora-guard, in files/s on a log axis, with each ratio and its goal
    (nothing is drawn for a run with no throughput rows, e.g. ``--only startup``)."""
    from PIL import Image, ImageDraw, ImageFont

    data = [r["chart"] for r in rows(results) if "chart" in r]
    if not data:
        return
    font = ImageFont.load_default(16)
    small = ImageFont.load_default(13)
    left, top, bar, gap = 230, 60, 20, 22
    width, plot = 1100, 1100 - 230 - 250
    height = top + len(data) * (2 * bar + gap) + 70
    im = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(im)
    d.text(
        (20, 15),
        "sora-guard vs baseline, files per second (log scale, higher is better)",
        fill="black",
        font=font,
    )
    values = [v for row in data for v in row[1:3]] + [row[1] * row[3] for row in data if row[3]]
    lo, hi = 10 ** math.floor(math.log10(min(values))), 10 ** math.ceil(math.log10(max(values)))

    def x(v: float) -> float:
        return left + plot * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    decade = lo
    while decade <= hi:
        d.line([(x(decade), top - 5), (x(decade), height - 50)], fill=(225, 225, 225))
        d.text((x(decade) - 10, height - 45), f"{decade:g}", fill="grey", font=small)
        decade *= 10
    y = top
    for label, base, ours, goal, base_name in data:
        d.text((20, y + bar - 8), label, fill="black", font=font)
        d.rectangle([left, y, x(base), y + bar - 2], fill=(170, 170, 170))
        d.text((x(base) + 6, y + 2), f"{base_name} {base:,.1f}", fill=(90, 90, 90), font=small)
        d.rectangle([left, y + bar, x(ours), y + 2 * bar - 2], fill=(40, 110, 200))
        d.text((x(ours) + 6, y + bar + 2), f"sora-guard {ours:,.1f}", fill=(20, 70, 150), font=small)
        ratio = ours / base
        verdict = (
            ""
            if goal is None
            else (f"  goal {goal:g}x: met" if ratio >= goal else f"  goal {goal:g}x: NOT met")
        )
        colour = "black" if goal is None else ((0, 130, 0) if ratio >= goal else (200, 0, 0))
        d.text((left + plot + 20, y + bar - 8), f"{ratio:.1f}x{verdict}", fill=colour, font=font)
        if goal is not None:
            gx = x(base * goal)
            d.line([(gx, y - 3), (gx, y + 2 * bar + 1)], fill=(200, 0, 0), width=2)
        y += 2 * bar + gap
    m = results["machine"]
    footer = f"red tick: the goal (baseline x goal ratio).  {m['cores']} cores ({m['cpu']}), Python {m['python']}, Pillow {m['pillow']}, {m['date']}"
    d.text((20, height - 25), footer, fill="grey", font=small)
    im.save(path, optimize=True)


def main() -> None:
    results = json.loads((HERE / "out" / "results.json").read_text())
    (HERE / "results.md").write_text(markdown(results))
    chart(results, HERE / "results.png")
    print(markdown(results))


if __name__ == "__main__":
    main()
