"""Overhead of the pre-flight guard per adapter on a compliant 1280x720 JPEG, and its cost on data URIs
of 3.5 to 14 million characters.

For each SDK (openai, google-genai, runwayml, fal-client, replicate, luma-agents) times one
image-carrying call through the plain client and through ``sora_guard.guard(client)`` (the adapter's
plan and the search of every argument) against the loopback services of the test suite
(``tests/support/``), interleaved so load on a shared machine hits both alike, and the check alone
(plan + search + preflight, no HTTP). Then the check alone of a vision call carrying data URIs of
3.5, 7 and 14 million characters (a 1280x720 JPEG padded with comment segments), whose cost per
million characters must stay flat (linear in the size: one base64 decode, no quadratic scan), and
the full 14-million-character call guarded and not. Reports medians; nothing is asserted. An SDK
that is not installed is skipped.

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

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(ROOT),
    str(ROOT / "tests"),
]  # the checkout this file is in, and the tests' loopback services

from PIL import Image, ImageDraw  # noqa: E402

import sora_guard  # noqa: E402
from sora_guard.vocabulary.guarding import Plan  # noqa: E402

KLING = "fal-ai/kling-video/v2.1/pro/image-to-video"
URI_SIZES = (3_500_000, 7_000_000, 14_000_000)
"""Data URI lengths in characters; 14 million is the size issue 21 saw go out through Runway."""


def photo() -> bytes:
    """A compliant 1280x720 JPEG with some detail (gradients and shapes), about 100 kB."""
    im = Image.linear_gradient("L").resize((1280, 720)).convert("RGB")
    draw = ImageDraw.Draw(im)
    for i in range(0, 1280, 40):
        draw.ellipse([i, (i * 7) % 600, i + 120, (i * 7) % 600 + 120], outline=(i % 255, 80, 200), width=3)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def data_uri(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


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
            saved = dict(os.environ)
            stack.callback(
                lambda: (os.environ.clear(), os.environ.update(saved))
            )  # the CA file goes with the loop
            os.environ.update(loop_f.proxy_env())  # this process only: every fal host is the loopback
            client = fal_client.SyncClient(key="k")
            found["fal-client"] = (
                client,
                lambda c: c.run(KLING, {"prompt": "x", "image_url": uri}),
                lambda: (loop_f.requests.clear(), fal.images.clear()),
            )
        with contextlib.suppress(ImportError):
            import luma_agents
            from support.sdk_services import LumaService

            luma = LumaService()
            loop_l = stack.enter_context(luma.serve(lifetime=3600))
            client = luma_agents.Luma(auth_token="k", base_url=loop_l.url, max_retries=0)
            frame = {"data": base64.b64encode(data).decode(), "media_type": "image/jpeg"}
            found["luma-agents"] = (
                client,
                lambda c: c.generations.create(
                    prompt="x", model="ray-3.2", type="video", video={"start_frame": frame}
                ),
                lambda: (loop_l.requests.clear(), luma.images.clear()),
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


def data_uris(data: bytes, runs: int) -> dict:
    """Check-only cost of a vision call carrying data URIs of :data:`URI_SIZES` characters, and the
    full 14-million-character call through the OpenAI stand-in, guarded and not."""
    from openai import OpenAI
    from support.images import padded_jpeg
    from support.openai_server import OpenAIServer

    prefix = len("data:image/jpeg;base64,")
    uris = {n: data_uri(padded_jpeg(data, (n - prefix) // 4 * 3)) for n in URI_SIZES}
    out: dict = {"sizes": {}}
    with (
        OpenAIServer(lifetime=3600) as server,
        OpenAI(api_key="sk-bench", base_url=server.base_url, max_retries=0) as c,
    ):
        guarded = sora_guard.guard(c)

        def respond(client, uri):
            part = {"type": "input_image", "image_url": uri}
            return client.responses.create(model="gpt-5", input=[{"role": "user", "content": [part]}])

        checks = {n: (lambda u=u: respond(_Recorder(guarded), u)) for n, u in uris.items()}
        biggest = uris[URI_SIZES[-1]]
        calls = {"unguarded": lambda: respond(c, biggest), "guarded": lambda: respond(guarded, biggest)}
        for run in (*checks.values(), *calls.values()):
            run()
        times: dict = {k: [] for k in (*checks, *calls)}
        for _ in range(max(3, runs // 10)):
            for key, run in (*checks.items(), *calls.items()):
                times[key].append(timed(run))
            server.requests.clear()
        for n in URI_SIZES:
            median = statistics.median(times[n])
            out["sizes"][str(n)] = {
                "check_ms": round(median, 2),
                "ms_per_million_chars": round(median / (n / 1e6), 3),
            }
        per = [v["ms_per_million_chars"] for v in out["sizes"].values()]
        out["growth"] = round(per[-1] / per[0], 3)
        out["call_ms"] = {k: round(statistics.median(times[k]), 2) for k in calls}
        out["overhead_ms"] = round(out["call_ms"]["guarded"] - out["call_ms"]["unguarded"], 2)
    return out


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
    with contextlib.suppress(ImportError):
        result["data_uri"] = data_uris(data, args.runs)
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
    uri = result.get("data_uri")
    if uri:
        print("vision call with one data URI, check only (medians, ms)")
        for n, row in uri["sizes"].items():
            print(
                f"  {int(n):>12,} characters {row['check_ms']:10.2f} ms {row['ms_per_million_chars']:8.3f} ms per million"
            )
        print(f"  cost per character at 14M / at 3.5M: {uri['growth']:.2f} (1.00 is linear)")
        m = uri["call_ms"]
        print(
            f"  14M-character call: unguarded {m['unguarded']:.1f} ms, guarded {m['guarded']:.1f} ms, overhead {uri['overhead_ms']:.1f} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


class _Recorder:
    """Stands in for the client: a guarded call plans, searches and checks its arguments, and sends nothing."""

    def __init__(self, guarded: sora_guard.GuardedClient, path: str = ""):
        self.guarded, self.path = guarded, path

    def __getattr__(self, name: str) -> object:
        path = f"{self.path}.{name}" if self.path else name
        method = _resolve(self.guarded.unguarded, path)
        if not callable(method):
            return _Recorder(self.guarded, path)
        call = next((c for c in self.guarded.adapter.calls if c.path == path), None)
        preflight = self.guarded.preflight

        def check(*args: object, **kwargs: object) -> object:
            arguments = _bind(method, args, kwargs)
            plan = call.plan(arguments, preflight) if call is not None else Plan()
            return preflight.prepare(path, preflight.complete(plan, arguments), arguments)

        return check


if __name__ == "__main__":
    sys.exit(main())
