"""Overhead of the pre-flight guard per adapter on a compliant 1280x720 JPEG.

For each SDK (openai, google-genai, runwayml, fal-client, replicate) times one image-carrying call
through the plain client and through ``sora_guard.guard(client)`` against the loopback services of
the test suite (``tests/support/``), interleaved so load on a shared machine hits both alike, and
the check alone (plan + preflight, no HTTP). Reports medians and the difference in milliseconds;
nothing is asserted. An SDK that is not installed is skipped.

    python benchmarks/bench_preflight.py [-n RUNS] [--json FILE]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from PIL import Image, ImageDraw  # noqa: E402

import sora_guard  # noqa: E402

KLING = "fal-ai/kling-video/v2.1/pro/image-to-video"


def photo() -> bytes:
    """A compliant 1280x720 JPEG with some detail (gradients and shapes), about 100 kB."""
    im = Image.linear_gradient("L").resize((1280, 720)).convert("RGB")
    draw = ImageDraw.Draw(im)
    for i in range(0, 1280, 40):
        draw.ellipse([i, (i * 7) % 600, i + 120, (i * 7) % 600 + 120], outline=(i % 255, 80, 200), width=3)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


@contextlib.contextmanager
def sdks(data: bytes) -> Iterator[dict[str, tuple[object, Callable[[object], object], Callable[[], None]]]]:
    """name -> (plain client, call(client), clear the service's records), for every installed SDK."""
    uri = "data:image/jpeg;base64," + base64.b64encode(data).decode()
    found: dict = {}
    with contextlib.ExitStack() as stack:
        with contextlib.suppress(ImportError):
            from openai import OpenAI
            from support.openai_server import OpenAIServer

            server = stack.enter_context(OpenAIServer(lifetime=3600))
            client = stack.enter_context(OpenAI(api_key="sk-bench", base_url=server.base_url, max_retries=0))
            ref = ("photo.jpg", data, "image/jpeg")
            found["openai"] = (
                client,
                lambda c: c.videos.create(model="sora-2", prompt="x", size="1280x720", input_reference=ref),
                server.requests.clear,
            )
        from support.sdk_services import FAL_HOSTS, FalService, ReplicateService, RunwayService, VeoService

        with contextlib.suppress(ImportError):
            from google import genai
            from google.genai import types

            veo = VeoService()
            loop = stack.enter_context(veo.serve(lifetime=3600))
            client = genai.Client(
                vertexai=True, api_key="k", http_options=types.HttpOptions(base_url=loop.url + "/")
            )
            source = types.GenerateVideosSource(
                prompt="x", image=types.Image(image_bytes=data, mime_type="image/jpeg")
            )
            found["google-genai"] = (
                client,
                lambda c: c.models.generate_videos(model="veo-3.1-generate-001", source=source),
                lambda: (loop.requests.clear(), veo.images.clear()),
            )
        with contextlib.suppress(ImportError):
            import runwayml

            runway = RunwayService()
            loop_r = stack.enter_context(runway.serve(lifetime=3600))
            client = runwayml.RunwayML(api_key="k", base_url=loop_r.url, max_retries=0)
            found["runwayml"] = (
                client,
                lambda c: c.image_to_video.create(model="gen4.5", prompt_image=uri, ratio="1280:720"),
                lambda: (loop_r.requests.clear(), runway.images.clear()),
            )
        with contextlib.suppress(ImportError):
            import fal_client

            fal = FalService()
            loop_f = stack.enter_context(fal.serve(tls_hosts=FAL_HOSTS, lifetime=3600))
            os.environ.update(loop_f.proxy_env())  # this process only: every fal host is the loopback
            client = fal_client.SyncClient(key="k")
            found["fal-client"] = (
                client,
                lambda c: c.run(KLING, {"prompt": "x", "image_url": uri}),
                lambda: (loop_f.requests.clear(), fal.images.clear()),
            )
        with contextlib.suppress(ImportError):
            import replicate

            rep = ReplicateService()
            loop_p = stack.enter_context(rep.serve(lifetime=3600))
            client = replicate.Client(api_token="k", base_url=loop_p.url)
            found["replicate"] = (
                client,
                lambda c: c.run("kwaivgi/kling-v2.1", input={"prompt": "x", "start_image": uri}),
                lambda: (loop_p.requests.clear(), rep.images.clear()),
            )
        yield found


def _bind(method_path: object, args: tuple, kwargs: dict) -> dict:
    import inspect

    return dict(inspect.signature(method_path).bind_partial(*args, **kwargs).arguments)


def _resolve(client: object, path: str) -> object:
    for part in path.split("."):
        client = getattr(client, part)
    return client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    data = photo()
    warnings.simplefilter("ignore", DeprecationWarning)
    adapters: dict[str, dict] = {}
    with sdks(data) as found:
        for name, (client, call, clear) in found.items():
            guarded = sora_guard.guard(client)

            def check(call=call, guarded=guarded) -> None:
                call(_Recorder(guarded))

            calls = {
                "unguarded": lambda c=client, f=call: f(c),
                "guarded": lambda g=guarded, f=call: f(g),
                "check only": check,
            }
            for run in calls.values():  # warm up: imports, registry, connections
                for _ in range(5):
                    run()
            clear()
            times: dict[str, list[float]] = {k: [] for k in calls}
            for i in range(args.runs):
                for label, run in calls.items():
                    times[label].append(timed(run))
                if i % 20 == 0:
                    clear()  # the recorders keep every upload; keep memory flat
            medians = {k: statistics.median(v) for k, v in times.items()}
            adapters[name] = {
                "median_ms": {k: round(v, 3) for k, v in medians.items()},
                "overhead_ms": round(medians["guarded"] - medians["unguarded"], 3),
            }
            clear()
    result = {"image": f"1280x720 JPEG, {len(data)} bytes", "runs": args.runs, "adapters": adapters}
    if "openai" in adapters:  # the keys benchmarks/report.py has always read
        result["median_ms"] = {"unguarded create": adapters["openai"]["median_ms"]["unguarded"]}
        result["overhead_ms"] = max(a["overhead_ms"] for a in adapters.values())
    print(f"{result['image']}, {args.runs} interleaved runs (medians, ms)")
    print(f"  {'adapter':14} {'unguarded':>10} {'guarded':>10} {'overhead':>10} {'check only':>11}")
    for name, a in adapters.items():
        m = a["median_ms"]
        print(
            f"  {name:14} {m['unguarded']:10.2f} {m['guarded']:10.2f} {a['overhead_ms']:10.2f} {m['check only']:11.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


class _Recorder:
    """Stands in for the client: a guarded call plans and checks its arguments, and sends nothing."""

    def __init__(self, guarded: sora_guard.GuardedClient, path: str = ""):
        self.guarded, self.path = guarded, path

    def __getattr__(self, name: str) -> object:
        path = f"{self.path}.{name}" if self.path else name
        call = next((c for c in self.guarded.adapter.calls if c.path == path), None)
        if call is None:
            return _Recorder(self.guarded, path)
        preflight, method = self.guarded.preflight, _resolve(self.guarded.unguarded, path)

        def check(*args: object, **kwargs: object) -> object:
            arguments = _bind(method, args, kwargs)
            return preflight.prepare(path, call.plan(arguments, preflight), arguments)

        return check


if __name__ == "__main__":
    sys.exit(main())
