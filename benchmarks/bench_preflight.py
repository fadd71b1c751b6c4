"""Overhead of the pre-flight guard on a compliant 1280x720 JPEG.

Times ``videos.create`` through a plain ``OpenAI`` client and through ``sora_guard.guard(client)``
against the loopback service from the test suite (``tests/support/openai_server.py``), interleaved so
load on a shared machine hits both alike, and the check alone (no HTTP). Reports medians and the
difference in milliseconds; nothing is asserted.

    python benchmarks/bench_preflight.py [-n RUNS] [--json FILE]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from openai import OpenAI  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from support.openai_server import OpenAIServer  # noqa: E402

import sora_guard  # noqa: E402
from sora_guard.builtin.guards.openai import plan_video  # noqa: E402


def photo() -> bytes:
    """A compliant 1280x720 JPEG with some detail (gradients and shapes), about 100 kB."""
    im = Image.linear_gradient("L").resize((1280, 720)).convert("RGB")
    draw = ImageDraw.Draw(im)
    for i in range(0, 1280, 40):
        draw.ellipse([i, (i * 7) % 600, i + 120, (i * 7) % 600 + 120], outline=(i % 255, 80, 200), width=3)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    data = photo()
    ref = ("photo.jpg", data, "image/jpeg")
    warnings.simplefilter("ignore", DeprecationWarning)
    with (
        OpenAIServer(lifetime=600) as server,
        OpenAI(api_key="sk-bench", base_url=server.base_url, max_retries=0) as client,
    ):
        guarded = sora_guard.guard(client)
        kwargs = {"model": "sora-2", "prompt": "a lighthouse", "size": "1280x720", "input_reference": ref}
        plain_call = lambda: client.videos.create(**kwargs)  # noqa: E731
        guarded_call = lambda: guarded.videos.create(**kwargs)  # noqa: E731

        def check_call():
            return guarded.preflight.prepare("videos.create", plan_video(kwargs, guarded.preflight), kwargs)

        for call in (plain_call, guarded_call, check_call):  # warm up: imports, registry, connections
            for _ in range(5):
                call()
        times: dict[str, list[float]] = {"unguarded create": [], "guarded create": [], "check only": []}
        for _ in range(args.runs):
            times["unguarded create"].append(timed(plain_call))
            times["guarded create"].append(timed(guarded_call))
            times["check only"].append(timed(check_call))
            server.requests.clear()  # the recorder keeps every upload; keep memory flat
    medians = {name: statistics.median(values) for name, values in times.items()}
    result = {
        "image": f"1280x720 JPEG, {len(data)} bytes",
        "runs": args.runs,
        "median_ms": {k: round(v, 3) for k, v in medians.items()},
        "overhead_ms": round(medians["guarded create"] - medians["unguarded create"], 3),
        "ratio": round(medians["guarded create"] / medians["unguarded create"], 3),
    }
    print(f"{result['image']}, {args.runs} interleaved runs (medians)")
    for name, value in medians.items():
        print(f"  {name:18} {value:8.2f} ms")
    print(
        f"  overhead           {result['overhead_ms']:8.2f} ms  (guarded/unguarded = {result['ratio']:.2f}x)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
