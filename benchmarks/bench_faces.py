"""Which crops keep people whole: ``smart`` against ``cover``, saliency alone and libvips ``attention``.

Takes a folder of photos and a CSV of face boxes (``file,left,top,right,bottom`` in pixels of the
photo as displayed, forehead to chin; other columns are ignored), fits every photo to each size with
each method through the real ``fix`` (``engine.fix.repair``), and reports:

- **whole**: the share of photos with faces where the window keeps every face whole (a face is
  whole when its box lies inside the window; a face left out is not kept);
- **worse**: the share where the method keeps fewer faces whole than ``cover``;
- **best possible**: the share where some window of that shape keeps every face whole;
- **ms/photo**: wall time of the whole fix of one photo (decode, fit, encode, check), the mean.

The boxes must not come from the detector ``smart`` ships (dlib's HOG): use boxes checked by eye or
a second detector (``benchmarks/faces/`` has the set's manifest and YuNet's boxes for it).
Photos without faces only check that ``smart`` keeps today's saliency window there.

    python benchmarks/bench_faces.py PHOTOS BOXES.csv [--sizes 1280x720,720x1280] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

WHOLE = (0.0, 0.0, 1.0, 1.0)
SLACK = 0.5
"""Pixels a box may poke out of the window and still count as inside (rounding of the window's edges)."""


def read_boxes(path: Path) -> dict[str, list[tuple[float, float, float, float]]]:
    """File name -> face boxes (pixels as displayed)."""
    boxes: dict[str, list] = defaultdict(list)
    with open(path, newline="") as fp:
        for row in csv.DictReader(fp):
            boxes[row["file"]].append(tuple(float(row[k]) for k in ("left", "top", "right", "bottom")))
    return boxes


def kept(window, boxes, shape) -> int:
    """How many ``boxes`` (pixels) lie whole inside ``window`` (fractions of ``shape``)."""
    w, h = shape
    x0, y0, x1, y1 = window[0] * w, window[1] * h, window[2] * w, window[3] * h
    return sum(
        b[0] >= x0 - SLACK and b[1] >= y0 - SLACK and b[2] <= x1 + SLACK and b[3] <= y1 + SLACK for b in boxes
    )


def possible(boxes, shape, size) -> bool:
    """True when some window of ``size``'s shape (covering, as every crop here) keeps all ``boxes``."""
    w, h = shape
    if w / h > size[0] / size[1]:  # the window spans the height and slides sideways
        return max(b[2] for b in boxes) - min(b[0] for b in boxes) <= h * size[0] / size[1] + SLACK
    return max(b[3] for b in boxes) - min(b[1] for b in boxes) <= w * size[1] / size[0] + SLACK


def _engine_methods(size):
    """name -> fix(data, name) returning the window kept (fractions of the displayed picture)."""
    from sora_guard.api import make_settings
    from sora_guard.engine.fix import FixSpec, Status, repair
    from sora_guard.vocabulary.contract import FitOptions

    settings = make_settings(size=f"{size[0]}x{size[1]}")
    target, rules, registry = settings.target(), settings.rules(), settings.registry
    strategies = registry.strategies
    specs = {
        "cover": FixSpec(strategies["cover"], quality=settings.quality),
        "smart, saliency only (before)": FixSpec(
            strategies["smart"], FitOptions(subjects=()), quality=settings.quality
        ),
        "smart": FixSpec(strategies["smart"], quality=settings.quality, finders=registry.finders),
    }

    def method(spec):
        def run(data: bytes, name: str):
            done = repair(data, name, target, rules, spec)
            if done.status is Status.UNCHANGED:
                return WHOLE
            if done.placement is None:
                raise RuntimeError(f"{name}: {done.status.value} {[d.message for d in done.problems]}")
            return done.placement.source

        return run

    return {name: method(spec) for name, spec in specs.items()}


def _vips_method(size):
    """libvips ``attention``: the window from ``smartcrop`` on the cover-scaled picture; the time of
    the equivalent whole fix (``thumbnail`` with ``crop=attention``, shrink-on-load, JPEG out)."""
    try:
        import pyvips
    except Exception as exc:  # no libvips here: the table says so
        print(f"libvips attention left out: {exc}", file=sys.stderr)
        return None

    def run(data: bytes, name: str):
        pyvips.Image.thumbnail_buffer(data, size[0], height=size[1], crop="attention").write_to_buffer(
            ".jpg[Q=92]"
        )
        return None

    def window(data: bytes):
        im = pyvips.Image.new_from_buffer(data, "").autorot()
        scale = max(size[0] / im.width, size[1] / im.height)
        scaled = im.resize(scale)
        w, h = min(size[0], scaled.width), min(size[1], scaled.height)
        _, found = scaled.smartcrop(w, h, interesting="attention", attention_x=True, attention_y=True)
        left = min(max(0, found["attention_x"] - w // 2), scaled.width - w)
        top = min(max(0, found["attention_y"] - h // 2), scaled.height - h)
        return (
            left / scaled.width,
            top / scaled.height,
            (left + w) / scaled.width,
            (top + h) / scaled.height,
        )

    return run, window


def measure(photos: Path, boxes: dict, sizes, vips: bool = True) -> dict:
    from PIL import Image, ImageOps

    files = sorted(p for p in photos.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    shapes = {p.name: ImageOps.exif_transpose(Image.open(p)).size for p in files}
    datas = {p.name: p.read_bytes() for p in files}
    results = {}
    for size in sizes:
        methods = _engine_methods(size)
        attention = _vips_method(size) if vips else None
        if attention is not None:
            methods["libvips attention"] = attention[0]
        next(iter(methods.values()))(datas[files[0].name], files[0].name)
        methods["smart"](datas[files[0].name], files[0].name)  # loads the detector before the clock runs
        rows = []
        seconds = defaultdict(float)
        for p in files:
            data, faces, shape = datas[p.name], boxes.get(p.name, []), shapes[p.name]
            row = {
                "file": p.name,
                "faces": len(faces),
                "possible": bool(faces) and possible(faces, shape, size),
            }
            for name, run in methods.items():
                t = time.perf_counter()
                window = run(data, p.name)
                seconds[name] += time.perf_counter() - t
                if window is None:
                    window = attention[1](data)
                row[name] = (window, kept(window, faces, shape))
            rows.append(row)
        results[f"{size[0]}x{size[1]}"] = _summary(rows, list(methods), seconds, len(files))
    return results


def _summary(rows, names, seconds, count) -> dict:
    with_faces = [r for r in rows if r["faces"]]
    faceless = [r for r in rows if not r["faces"]]
    out = {
        "photos": count,
        "with faces": len(with_faces),
        "best possible": sum(r["possible"] for r in with_faces) / max(1, len(with_faces)),
    }
    for name in names:
        out[name] = {
            "whole": sum(r[name][1] == r["faces"] for r in with_faces) / max(1, len(with_faces)),
            "worse": sum(r[name][1] < r["cover"][1] for r in with_faces) / max(1, len(with_faces)),
            "ms": seconds[name] / count * 1000,
        }
    if faceless and "smart" in names:
        shifts = [
            max(abs(a - b) for a, b in zip(r["smart"][0], r["smart, saliency only (before)"][0]))
            for r in faceless
        ]
        out["faceless shift"] = {
            "photos": len(faceless),
            "max": max(shifts),
            "median": statistics.median(shifts),
        }
    out["failures"] = (
        sorted(r["file"] for r in with_faces if r["possible"] and r["smart"][1] < r["faces"])
        if "smart" in names
        else []
    )
    return out


def table(results: dict) -> str:
    sizes = list(results)
    names = [k for k, v in results[sizes[0]].items() if isinstance(v, dict) and "whole" in v]
    head = "| method | " + " | ".join(f"{s} whole | {s} worse than cover" for s in sizes) + " | ms/photo |"
    lines = [head, "|" + "---|" * (2 + 2 * len(sizes))]
    for name in names:
        cells = " | ".join(
            f"{results[s][name]['whole']:.0%} | {results[s][name]['worse']:.0%}" for s in sizes
        )
        ms = statistics.mean(results[s][name]["ms"] for s in sizes)
        lines.append(f"| {name} | {cells} | {ms:.0f} |")
    best = " | ".join(f"{results[s]['best possible']:.0%} | –" for s in sizes)
    lines.append(f"| best possible window | {best} | – |")
    first = results[sizes[0]]
    lines.append(f"\n{first['photos']} photos, {first['with faces']} with faces.")
    for s in sizes:
        shift = results[s].get("faceless shift")
        if shift:
            lines.append(
                f"{s}: photos without faces: smart's window moved from the saliency window by at most "
                f"{shift['max']:.1%} of the frame (median {shift['median']:.1%}, {shift['photos']} photos)."
            )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", type=Path)
    parser.add_argument("boxes", type=Path)
    parser.add_argument("--sizes", default="1280x720,720x1280")
    parser.add_argument("--no-vips", action="store_true", help="leave libvips attention out")
    parser.add_argument("--json", type=Path, help="also write the figures (and smart's failures) here")
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    results = measure(args.photos, read_boxes(args.boxes), sizes, vips=not args.no_vips)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
