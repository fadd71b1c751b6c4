"""Throughput of ``check`` against worker count: the local process pool and a Dask cluster.

    python benchmarks/bench_distributed.py [--workers 1,2] [--files 128] [--repeat 2] [--s3] [--json FILE]
    python benchmarks/bench_distributed.py --scheduler tcp://HOST:8786 --path s3://BUCKET/PREFIX [--config FILE]

By default it generates ``--files`` photograph-like 1920x1080 JPEGs (cached under
``benchmarks/out/corpus``) and, for each worker count, times ``check`` with the local executor
(``-j N``) and with ``--executor dask`` on a fresh ``LocalCluster`` of N single-threaded worker
processes (start-up reported separately; medians of ``--repeat`` runs after one warm-up), and a
re-check answered by a warm check cache. With
``--s3`` the files are uploaded to an S3 server (moto, in its own process) on 127.0.0.1 and read
from there; moto is far slower than a real object store, so those figures measure it as much as
sora-guard.

With ``--scheduler`` it measures that cluster as it is (its worker count is the cluster's), on
``--path`` (a folder or URL; storage options come from ``--config``, e.g. a file with
``[storage-options.s3]``, or from the workers' environment). Nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def corpus(files: int) -> Path:
    from corpus import Set, build_set

    return build_set(Set("distributed", (1920, 1080), "JPEG", files), log=lambda m: print(m, file=sys.stderr))


def s3_copy(folder: Path) -> tuple[str, dict, subprocess.Popen]:
    """Start moto's S3 server in its own process on 127.0.0.1, upload ``folder``; return its URL, storage options and the server."""
    import s3fs

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("the S3 server (moto) did not start") from None
            time.sleep(0.1)
    options = {"s3": {"endpoint_url": f"http://127.0.0.1:{port}", "key": "bench", "secret": "bench"}}
    fs = s3fs.S3FileSystem(**options["s3"])
    fs.mkdir("bench")
    fs.put(str(folder), "bench/corpus", recursive=True)
    return "s3://bench/corpus", options, server


def timed(run, repeat: int) -> float:
    """Median seconds of ``repeat`` runs after one warm-up."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(path: str, settings, workers: list[int], repeat: int) -> list[dict]:
    from distributed import LocalCluster

    from sora_guard.run.check import check_files
    from sora_guard.run.dask_executor import DaskExecutor
    from sora_guard.run.discovery import discover
    from sora_guard.run.pool import LocalExecutor

    items = list(discover([path], settings))
    rows = []
    for n in workers:
        local = timed(lambda n=n: check_files(items, settings, executor=LocalExecutor(n)), repeat)
        start = time.perf_counter()
        with LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=50,
        ) as cluster:
            startup = time.perf_counter() - start
            executor = DaskExecutor(scheduler=cluster.scheduler_address)
            dask = timed(lambda executor=executor: check_files(items, settings, executor=executor), repeat)
        rows.append(
            {"workers": n, "files": len(items), "local_s": local, "dask_s": dask, "dask_startup_s": startup}
        )
        print(
            f"  {n} worker(s): local {len(items) / local:7.1f} files/s, dask {len(items) / dask:7.1f} files/s (cluster start {startup:.1f} s)",
            file=sys.stderr,
        )
    return rows


def cached_recheck(path: str, settings, repeat: int) -> float:
    """Seconds for a whole re-check (listing included) answered by a warm check cache."""
    import tempfile
    from dataclasses import replace

    from sora_guard.run.cache import open_cache
    from sora_guard.run.check import check_files
    from sora_guard.run.discovery import discover

    with tempfile.TemporaryDirectory() as folder:
        cached = replace(settings, cache_dir=folder)
        return timed(
            lambda: check_files(discover([path], cached), cached, executor=None, cache=open_cache(cached)),
            repeat,
        )


def measure_cluster(path: str, settings, scheduler: str, repeat: int) -> list[dict]:
    from sora_guard.run.check import check_files
    from sora_guard.run.dask_executor import DaskExecutor
    from sora_guard.run.discovery import discover

    items = list(discover([path], settings))
    executor = DaskExecutor(scheduler=scheduler)
    with executor.client() as client:
        threads = sum(client.nthreads().values())
    seconds = timed(lambda: check_files(items, settings, executor=executor), repeat)
    return [{"workers": threads, "files": len(items), "dask_s": seconds}]


def table(rows: list[dict], where: str, cached: float | None = None) -> str:
    lines = [
        f"check throughput, {where}",
        "",
        "| worker processes | files | local pool files/s | Dask files/s | Dask cluster start |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        local = f"{r['files'] / r['local_s']:.1f}" if "local_s" in r else "-"
        start = f"{r['dask_startup_s']:.1f} s" if "dask_startup_s" in r else "-"
        lines.append(
            f"| {r['workers']} | {r['files']} | {local} | {r['files'] / r['dask_s']:.1f} | {start} |"
        )
    if cached is not None:
        lines += [
            "",
            f"re-check with a warm cache (listing included): {rows[0]['files'] / cached:.0f} files/s ({cached:.3f} s)",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workers", default="1,2", help="worker counts to compare (default 1,2: this machine's cores)"
    )
    parser.add_argument("--files", type=int, default=128, help="generated files (default 128)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per measurement (median)")
    parser.add_argument(
        "--s3", action="store_true", help="read the generated files from an S3 server (moto) on 127.0.0.1"
    )
    parser.add_argument("--scheduler", help="measure this running Dask cluster instead of local clusters")
    parser.add_argument("--path", help="folder or URL to check (default: the generated files)")
    parser.add_argument("--config", type=Path, help="sora-guard configuration (e.g. [storage-options.s3])")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()

    from dataclasses import replace

    from sora_guard.config import load_settings

    settings = load_settings(config=args.config, isolated=args.config is None)
    if args.config is None:
        settings = replace(settings, targets=("sora-2",))  # the corpus's 1280x720, as run.py's TARGET
    server, cached = None, None
    path = args.path
    if path is None:
        path = str(corpus(args.files))
        if args.s3:
            path, options, server = s3_copy(Path(path))
            settings = replace(settings, storage_options=options)
    try:
        if args.scheduler:
            rows, where = (
                measure_cluster(path, settings, args.scheduler, args.repeat),
                f"{path} on {args.scheduler}",
            )
        else:
            rows = measure(path, settings, [int(n) for n in args.workers.split(",")], args.repeat)
            cached = cached_recheck(path, settings, args.repeat)
            where = f"{'S3 (moto on 127.0.0.1)' if args.s3 else 'local disk'}, {os.cpu_count()} cores"
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    sys.stdout.write(table(rows, where, cached))
    if args.json:
        args.json.write_text(
            json.dumps({"where": where, "rows": rows, "cached_recheck_s": cached}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
