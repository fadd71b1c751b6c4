"""What ``fix`` spends on one 12 MP phone JPEG, stage by stage, next to each stage's floor.

Times the engine's own steps in one process (CPU time, medians over the files and rounds, stages
interleaved so load hits them alike), for each photo fitted to 1280x720 or 720x1280 cover at q95:

- decode: ``fitting.decode_at`` (M/8 through libjpeg-turbo, else Pillow's draft); floor: the same
  file decoded at 1/8, which still entropy-decodes every coded byte (what any decoder must do);
- resample: the ``cover`` strategy on the decoded picture; floor: a nearest-neighbour resize of the
  same box (each output pixel read once, no filter);
- encode: ``fitting.encode`` at q95; floor: the same encode (libjpeg-turbo is the floor);
- probe and checks: opening the file, reading its header facts and the rules before and after;
  floor: ``Image.open`` alone.

The rest of ``fix``'s CPU per file (reading, writing, the process and its workers starting) is
what ``run.py`` measures for the whole command minus these stages.

    python benchmarks/bench_stages.py [-n ROUNDS] [--json FILE]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def _stages(data: bytes, settings) -> dict[str, tuple[float, float]]:
    """CPU seconds of each stage for one file: name -> (ours, floor). Orientation 1 (the corpus has none)."""
    from PIL import Image

    from sora_guard.engine.check import check_info
    from sora_guard.engine.fitting import DRAFTED_RESAMPLE, decode_at, encode, output_size
    from sora_guard.engine.probe import probe_bytes, probe_image
    from sora_guard.vocabulary.contract import FitOptions

    target, rules = settings.target(), settings.rules()
    strategy = settings.fit_strategy()
    clock = time.process_time
    t0 = clock()
    im = Image.open(io.BytesIO(data))
    info = probe_image(im)
    check_info(info, target, rules)
    t1 = clock()
    Image.open(io.BytesIO(data))
    t2 = clock()
    size = output_size(info.displayed, target)
    scale = strategy.scale(info.stored, size, FitOptions())
    need = (max(1, math.ceil(info.stored.width * scale)), max(1, math.ceil(info.stored.height * scale)))
    decoded = decode_at(im, need, data)
    t3 = clock()
    floor = Image.open(io.BytesIO(data))
    floor.draft(None, (max(1, floor.width // 8), max(1, floor.height // 8)))
    floor.load()
    t4 = clock()
    out = strategy.fit(
        decoded, size, FitOptions(resample=DRAFTED_RESAMPLE if decoded.size != im.size else None)
    )
    t5 = clock()
    decoded.resize((size.width, size.height), Image.Resampling.NEAREST)
    t6 = clock()
    encoded = encode(out, "JPEG", 95)
    t7 = clock()
    check_info(probe_bytes(encoded, "out.jpg", target.limits, decode=False), target, rules)
    t8 = clock()
    return {
        "decode": (t3 - t2, t4 - t3),
        "resample": (t5 - t4, t6 - t5),
        "encode": (t7 - t6, t7 - t6),
        "probe and checks": (t1 - t0 + t8 - t7, t2 - t1),
    }


def run(rounds: int) -> dict:
    from sora_guard.config import Settings
    from sora_guard.engine.jpegdecode import decode_scaled  # noqa: F401 (its import is start-up, not a stage)

    folders = corpus.build(names={"phone-landscape", "phone-portrait"}, log=lambda text: None)
    paths = (
        sorted(folders["phone-landscape"].glob("*.jpg"))[:6]
        + sorted(folders["phone-portrait"].glob("*.jpg"))[:6]
    )
    datas = [p.read_bytes() for p in paths]
    settings = Settings(root=HERE, quality=95, targets=("sora-2",))  # as run.TARGET
    _stages(datas[0], settings)  # lazy imports and caches
    times: dict[str, list[tuple[float, float]]] = {}
    for _ in range(rounds):
        for data in datas:
            for name, pair in _stages(data, settings).items():
                times.setdefault(name, []).append(pair)
    stages = {
        name: {
            "ms": statistics.median(p[0] for p in pairs) * 1000,
            "floor_ms": statistics.median(p[1] for p in pairs) * 1000,
        }
        for name, pairs in times.items()
    }
    try:
        import simplejpeg  # noqa: F401

        decoder = "libjpeg-turbo M/8 through simplejpeg"
    except ImportError:
        decoder = "Pillow draft (1/2, 1/4, 1/8)"
    return {"files": len(datas), "rounds": rounds, "decoder": decoder, "stages": stages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=3, help="rounds over the files (default 3)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    result = run(args.runs)
    for name, s in result["stages"].items():
        print(f"{name:18s} {s['ms']:6.1f} ms   floor {s['floor_ms']:6.1f} ms")
    print(f"decoder: {result['decoder']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
