"""Object storage and the Dask executor, on real parts: an S3 server (moto) on 127.0.0.1 holding a
generated bucket, and a ``distributed.LocalCluster`` with several worker processes.

Every result is compared with the local executor on a local copy of the same files.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support.images import corrupt_jpeg, encode, exif_rotated_jpeg, marker, truncated, write

from sora_guard.builtin.reporters import render_json
from sora_guard.config import Settings
from sora_guard.run.check import check_file, check_files
from sora_guard.run.discovery import discover
from sora_guard.run.pool import LocalExecutor
from sora_guard.vocabulary.exceptions import ExecutorError

BUCKET = "studio-library"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def library() -> dict[str, bytes]:
    """A small asset library: good files, near misses and broken ones, nested, with noise to skip."""
    files = {
        "good/hero.jpg": encode(marker((1280, 720)), "JPEG"),
        "good/portrait.png": encode(marker((720, 1280)), "PNG"),
        "off/by_one.jpg": encode(marker((1281, 720)), "JPEG"),
        "off/deep/square.webp": encode(marker((500, 500)), "WEBP"),
        "rotated.jpg": exif_rotated_jpeg((1280, 720), 6),
        "cmyk.jpg": encode(marker((1280, 720), "CMYK"), "JPEG"),
        "alpha.png": encode(marker((1280, 720), "RGBA"), "PNG"),
        "png_named.jpg": encode(marker((1280, 720)), "PNG"),
        "text.jpg": b"not an image\n",
        "empty.png": b"",
        "truncated.jpg": truncated(encode(marker((1280, 720)), "JPEG")),
        "corrupt.jpg": corrupt_jpeg((320, 180)),
        "notes.txt": b"skipped: not an image name",
        "names/ünïcode folder/a b+c.jpg": encode(marker((1280, 720)), "JPEG"),
        ".git/ignored.jpg": encode(marker((10, 10)), "JPEG"),
    }
    for i in range(24):  # enough files for the local process pool and several Dask workers
        files[f"batch/{i:02d}.jpg"] = encode(marker((1280 + (i % 3) - 1, 720)), "JPEG", quality=80)
    return files


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """An S3-compatible server (moto's server mode) on 127.0.0.1, for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def storage_options(endpoint: str) -> dict:
    return {
        "s3": {
            "endpoint_url": endpoint,
            "key": CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "secret": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        }
    }


@pytest.fixture(scope="module")
def bucket(s3_endpoint, tmp_path_factory):
    """The library written to a local folder and uploaded to ``s3://studio-library/lib``."""
    import s3fs

    local = tmp_path_factory.mktemp("library") / "lib"
    for name, data in library().items():
        write(local / name, data)
    fs = s3fs.S3FileSystem(**storage_options(s3_endpoint)["s3"])
    fs.mkdir(BUCKET)
    fs.put(str(local), f"{BUCKET}/lib", recursive=True)
    fs.invalidate_cache()
    return local, f"s3://{BUCKET}/lib", fs


@pytest.fixture(scope="module")
def cluster():
    """A Dask LocalCluster of three single-threaded worker processes (no AWS settings in their environment)."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=3,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as c:
        yield c


@pytest.fixture(scope="module")
def external_cluster(tmp_path_factory):
    """``dask scheduler`` and ``dask worker`` (two processes) started as an operator would, in a folder of their own."""
    from distributed import Client

    elsewhere = tmp_path_factory.mktemp("elsewhere")
    address = f"tcp://127.0.0.1:{_free_port()}"
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--dashboard-address",
            "127.0.0.1:0",
        ],
        cwd=elsewhere,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            address,
            "--nworkers",
            "2",
            "--nthreads",
            "1",
            "--host",
            "127.0.0.1",
            "--no-dashboard",
        ],
        cwd=elsewhere,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in (workers, scheduler):
            process.terminate()
            process.wait(30)


def settings_for(endpoint: str, root: Path, **values) -> Settings:
    return Settings(
        root=root, storage_options=storage_options(endpoint), **{"targets": ("sora-2",), **values}
    )


def as_json(report, prefix: str) -> str:
    """The JSON report with ``prefix`` cut from every path, so local and bucket runs compare."""
    return render_json(report, {}).replace(prefix, "<lib>")


def test_check_over_s3_equals_local(bucket, s3_endpoint):
    local, url, _ = bucket
    settings = settings_for(s3_endpoint, local.parent)
    here = check_files(discover([str(local)], settings), settings)
    there = check_files(discover([url], settings), settings)
    assert [f.path for f in there.files][:3] == [f"{url}/alpha.png", f"{url}/cmyk.jpg", f"{url}/corrupt.jpg"]
    assert len(there.files) == len(library()) - 2  # notes.txt and .git/ are skipped
    assert as_json(there, url) == as_json(here, str(local))
    codes = {f.path.rsplit("/", 1)[1]: {d.code for d in f.diagnostics} for f in there.files}
    assert (
        codes["by_one.jpg"] == {"SG101"}
        and codes["text.jpg"] == {"SG502"}
        and codes["empty.png"] == {"SG302"}
    )
    assert codes["truncated.jpg"] == {"SG503"} and codes["hero.jpg"] == set() and codes["a b+c.jpg"] == set()
    assert f"{url}/names/ünïcode folder/a b+c.jpg" in [f.path for f in there.files]


def test_dask_executor_equals_local_executor(bucket, s3_endpoint, cluster):
    import sora_guard
    from sora_guard.run.dask_executor import DaskExecutor

    local, url, _ = bucket
    settings = settings_for(s3_endpoint, local.parent)
    urls = list(discover([url], settings))
    executor = DaskExecutor(scheduler=cluster.scheduler_address, progress=io.StringIO())
    on_cluster = check_files(urls, settings, executor=executor)
    assert render_json(on_cluster, {}) == render_json(
        check_files(urls, settings, executor=LocalExecutor(2)), {}
    )
    assert as_json(on_cluster, url) == as_json(
        check_files(discover([str(local)], settings), settings), str(local)
    )
    assert render_json(
        sora_guard.check_paths([url], settings=settings, executor=executor), {}
    ) == render_json(on_cluster, {})
    assert f"3 Dask workers [{'#' * 30}] {len(urls)}/{len(urls)}" in executor.progress.getvalue()


def flaky_check(path: str, settings: Settings):
    """Fails the first try for each file (a worker hiccup), then checks it."""
    tried = Path(path + ".tried")
    if not tried.exists():
        tried.touch()
        raise RuntimeError("transient failure")
    return check_file(path, settings)


def dies_once(path: str, settings: Settings):
    """Kills its worker process the first time (as the kernel's out-of-memory killer would), then checks the file."""
    died = Path(path + ".died")
    if not died.exists():
        died.touch()
        os._exit(1)
    return check_file(path, settings)


def always_fails(path: str, settings: Settings):
    raise RuntimeError("this task always fails")


def test_dask_retries_failed_tasks_and_reports_persistent_failures(bucket, cluster, tmp_path):
    from sora_guard.run.dask_executor import DaskExecutor

    local, _, _ = bucket
    files = [str(p) for p in sorted((local / "batch").iterdir())[:6]]
    settings = Settings(root=local.parent, targets=("sora-2",))
    copies = []
    for f in files:  # the markers go beside copies, so the shared library stays clean
        copies.append(str(write(tmp_path / Path(f).name, Path(f).read_bytes())))
    results = list(
        DaskExecutor(scheduler=cluster.scheduler_address, retries=2).map(flaky_check, copies, settings)
    )
    assert [r.diagnostics for r in results] == [check_file(f, settings).diagnostics for f in files]
    assert all(Path(c + ".tried").exists() for c in copies)
    with pytest.raises(
        ExecutorError, match=r"failed on the Dask cluster after 2 tries: RuntimeError: this task always fails"
    ):
        list(
            DaskExecutor(scheduler=cluster.scheduler_address, retries=1).map(
                always_fails, copies[:1], settings
            )
        )


def test_a_worker_that_dies_has_its_files_checked_on_another(bucket, cluster, tmp_path):
    from sora_guard.run.dask_executor import DaskExecutor

    local, _, _ = bucket
    settings = Settings(root=local.parent, targets=("sora-2",))
    original = local / "off" / "by_one.jpg"
    copy = str(write(tmp_path / "by_one.jpg", original.read_bytes()))
    (result,) = DaskExecutor(scheduler=cluster.scheduler_address).map(dies_once, [copy], settings)
    assert Path(copy + ".died").exists()
    assert (
        result.diagnostics == check_file(str(original), settings).diagnostics
        and result.diagnostics[0].code == "SG101"
    )


def test_cli_dask_without_a_scheduler_starts_a_local_cluster(bucket, run_cli):
    local, _, _ = bucket
    here = run_cli("check", "--isolated", "--no-cache", "--profile", "sora-2", str(local / "batch"))
    there = run_cli(
        "check",
        "--isolated",
        "--no-cache",
        "--profile",
        "sora-2",
        "--executor",
        "dask",
        "-j",
        "2",
        str(local / "batch"),
    )
    assert (there.returncode, there.stderr) == (1, here.stderr)  # sora-2's closed notice only
    assert there.stdout == here.stdout and "in 16 files of 24 files" in there.stdout


def test_cli_check_bucket_on_cluster_equals_local_cli(bucket, s3_endpoint, cluster, run_cli, tmp_path):
    local, url, _ = bucket
    config = tmp_path / "sora-guard.toml"
    config.write_text(
        f'profile = "sora-2"\n[storage-options.s3]\nendpoint_url = "{s3_endpoint}"\nkey = "testing"\nsecret = "testing"\n',
        encoding="utf-8",
    )
    here = run_cli("check", "--output-format", "json", str(local), cwd=tmp_path)
    there = run_cli(
        "check", "--output-format", "json", "--scheduler", cluster.scheduler_address, url, cwd=tmp_path
    )  # implies dask
    assert (there.returncode, there.stderr) == (1, here.stderr)  # sora-2's closed notice only
    assert there.stdout.replace(url, "<lib>") == here.stdout.replace(str(local), "<lib>")
    assert json.loads(there.stdout)["summary"]["files"] == len(library()) - 2


def test_cli_endpoint_from_environment_and_missing_objects(bucket, s3_endpoint, run_cli):
    _, url, _ = bucket
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": s3_endpoint}
    result = run_cli(
        "check", "--isolated", f"{url}/good", f"{url}/missing.jpg", f"s3://{BUCKET}-nope/x.png", env=env
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"{url}/missing.jpg: SG501 [error] cannot read file: file does not exist",
        f"s3://{BUCKET}-nope/x.png: SG501 [error] cannot read file: file does not exist",
    ]
    assert "Found 2 errors and 0 warnings in 2 files of 4 files." in result.stdout


def test_excludes_and_per_path_tables_apply_to_keys_below_the_bucket(bucket, s3_endpoint):
    from sora_guard.config.settings import settings_from_table

    local, url, _ = bucket
    table = {"extend-exclude": ["batch"], "per-path": {"lib/good/portrait.png": {"size": "720x1280"}}}
    settings = settings_from_table(
        {**table, "size": "1280x720", "storage-options": storage_options(s3_endpoint)}, local.parent
    )
    report = check_files(discover([url], settings), settings)
    paths = [f.path for f in report.files]
    assert not any("/batch/" in p or "/.git/" in p for p in paths)
    by_name = {p.rsplit("/", 1)[1]: f for p, f in zip(paths, report.files)}
    assert by_name["portrait.png"].ok and not by_name["by_one.jpg"].ok


def test_atomic_put_replaces_objects_and_leaves_no_temporary_keys(bucket, s3_endpoint):
    from sora_guard.io.storage import exists, put_atomic, read_object

    _, _, fs = bucket
    options = storage_options(s3_endpoint)
    target = f"s3://{BUCKET}/written/out.jpg"
    put_atomic(target, b"first", options)
    put_atomic(target, b"second version", options)
    assert read_object(target, options, 1 << 20) == (14, b"second version")
    assert read_object(target, options, 10) == (14, None)  # over the read limit: nothing is read
    with pytest.raises(IsADirectoryError):  # a prefix is not an empty object
        read_object(f"s3://{BUCKET}/written", options, 1 << 20)
    fs.invalidate_cache()
    assert fs.find(f"{BUCKET}/written") == [f"{BUCKET}/written/out.jpg"]
    with pytest.raises(OSError):
        put_atomic(f"s3://{BUCKET}-missing/out.jpg", b"data", options)
    assert not exists(f"s3://{BUCKET}-missing/out.jpg", options)


def test_memory_urls_through_the_python_api():
    import fsspec

    import sora_guard

    fs = fsspec.filesystem("memory")
    fs.pipe("/shots/portrait/a.png", encode(marker((720, 1280)), "PNG"))
    fs.pipe("/shots/wide.jpg", encode(marker((1280, 720)), "JPEG"))
    report = sora_guard.check_paths(["memory://shots"], size="1280x720")
    assert [(f.path, [d.code for d in f.diagnostics]) for f in report.files] == [
        ("memory://shots/wide.jpg", []),
        ("memory://shots/portrait/a.png", ["SG101"]),
    ]
    assert sora_guard.check("memory://shots/wide.jpg").ok


def test_executor_and_storage_errors_are_usage_errors(run_cli, tmp_path):
    write(tmp_path / "a.jpg", encode(marker((1280, 720)), "JPEG"))
    unknown = run_cli("check", "--isolated", "nosuchproto://bucket/a.jpg")
    assert unknown.returncode == 2 and "nosuchproto" in unknown.stderr and "Traceback" not in unknown.stderr
    bad = run_cli("check", "--isolated", "--executor", "spark", "a.jpg")
    assert bad.returncode == 2 and "unknown executor 'spark'" in bad.stderr
    mixed = run_cli("check", "--isolated", "--executor", "local", "--scheduler", "tcp://127.0.0.1:1", "a.jpg")
    assert mixed.returncode == 2 and "--scheduler needs --executor dask" in mixed.stderr
    closed = f"tcp://127.0.0.1:{_free_port()}"
    down = run_cli(
        "check",
        "--isolated",
        "--executor",
        "dask",
        "--scheduler",
        closed,
        "a.jpg",
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert down.returncode == 2 and f"cannot reach the Dask scheduler at {closed}" in down.stderr, down.stderr
    assert "Traceback" not in down.stderr


def test_local_runs_import_neither_fsspec_nor_dask(tmp_path):
    image = write(tmp_path / "a.jpg", encode(marker((1280, 720)), "JPEG"))
    code = (
        "import sys\nfrom sora_guard.cli import main\n"
        f"assert main(['check', '--isolated', {str(image)!r}]) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fsspec', 's3fs', 'dask', 'distributed')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "[]"


def _fix_jobs(root: str, out: str | None, settings: Settings) -> list:
    from sora_guard.run.fix import FixJob, mirror

    return [FixJob(p, mirror(p, root, out) if out else None) for p in discover([root], settings)]


def _outcome(results, *prefixes: str) -> list:
    """What fix did to each file, with the input (and output) prefixes replaced by placeholders."""

    def plain(path: str | None) -> str:
        for i, prefix in enumerate(prefixes):
            path = (path or "").replace(prefix, f"<{i}>")
        return path

    return [
        (
            plain(r.path),
            r.status.value,
            plain(r.dest),
            [d.code for d in r.before.diagnostics],
            [d.to_dict() for d in r.notes],
        )
        for r in results
    ]


def test_fix_bucket_on_cluster_equals_local_fix_byte_for_byte(bucket, s3_endpoint, cluster, tmp_path):
    """``fix --out`` from a bucket prefix to another, on the cluster, against a local fix of the same files."""
    import sora_guard
    from sora_guard.run.dask_executor import DaskExecutor
    from sora_guard.run.fix import fix_files

    local, url, fs = bucket
    settings = settings_for(s3_endpoint, local.parent)
    local_out, url_out = tmp_path / "fixed", f"s3://{BUCKET}/fixed"
    here = list(
        fix_files(_fix_jobs(str(local), str(local_out), settings), settings, executor=LocalExecutor(2))
    )
    there = sora_guard.fix_paths(
        [url], out=url_out, settings=settings, executor=DaskExecutor(scheduler=cluster.scheduler_address)
    )
    assert _outcome(there, url_out, url) == _outcome(here, str(local_out), str(local))
    assert {r.status.value for r in there} == {"fixed", "unchanged", "failed"}
    fs.invalidate_cache()
    written = sorted(k[len(f"{BUCKET}/fixed/") :] for k in fs.find(f"{BUCKET}/fixed"))
    expected = sorted(p.relative_to(local_out).as_posix() for p in local_out.rglob("*") if p.is_file())
    assert (
        written == expected
        and "by_one.jpg" in " ".join(written)
        and not any("sora-guard-tmp" in k for k in written)
    )
    for name in expected:
        assert fs.cat_file(f"{BUCKET}/fixed/{name}") == (local_out / name).read_bytes(), name
    recheck = check_files(discover([url_out], settings), settings)
    assert sum(1 for f in recheck.files if f.ok) == sum(1 for r in here if r.status.value != "failed")


def test_fix_in_place_in_the_bucket_renames_and_replaces_atomically(bucket, s3_endpoint, tmp_path):
    from sora_guard.run.fix import fix_files

    local, _, fs = bucket
    settings = settings_for(s3_endpoint, local.parent)
    names = ["off/by_one.jpg", "png_named.jpg", "rotated.jpg", "good/hero.jpg"]
    local_copy, url = tmp_path / "copy", f"s3://{BUCKET}/inplace"
    for name in names:
        write(local_copy / name, (local / name).read_bytes())
        fs.pipe(f"{BUCKET}/inplace/{name}", (local / name).read_bytes())
    here = list(fix_files(_fix_jobs(str(local_copy), None, settings), settings))
    there = list(fix_files(_fix_jobs(url, None, settings), settings))
    assert _outcome(there, url) == _outcome(here, str(local_copy))
    fs.invalidate_cache()
    keys = sorted(k[len(f"{BUCKET}/inplace/") :] for k in fs.find(f"{BUCKET}/inplace"))
    assert keys == sorted(p.relative_to(local_copy).as_posix() for p in local_copy.rglob("*") if p.is_file())
    assert "png_named.png" in keys and "png_named.jpg" not in keys  # renamed: the old key is gone
    for name in keys:
        assert fs.cat_file(f"{BUCKET}/inplace/{name}") == (local_copy / name).read_bytes(), name


def test_cli_fix_bucket_to_bucket_on_cluster_equals_local_cli(
    bucket, s3_endpoint, cluster, run_cli, tmp_path
):
    local, url, fs = bucket
    (tmp_path / "sora-guard.toml").write_text(
        f'profile = "sora-2"\n[storage-options.s3]\nendpoint_url = "{s3_endpoint}"\nkey = "testing"\nsecret = "testing"\n',
        encoding="utf-8",
    )
    local_out, url_out = tmp_path / "out", f"s3://{BUCKET}/cli-fixed"
    (local / "sora-guard.toml").write_text((tmp_path / "sora-guard.toml").read_text(), encoding="utf-8")
    here = run_cli("fix", str(local / "off"), str(local / "rotated.jpg"), "--out", str(local_out), cwd=local)
    there = run_cli(
        "fix",
        f"{url}/off",
        f"{url}/rotated.jpg",
        "--out",
        url_out,
        "--executor",
        "dask",
        "--scheduler",
        cluster.scheduler_address,
        cwd=tmp_path,
    )
    assert (there.returncode, there.stderr) == (here.returncode, here.stderr)
    assert there.stdout.replace(url_out, "<out>").replace(url, "<lib>") == here.stdout.replace(
        str(local_out), "<out>"
    ).replace(str(local), "<lib>")
    assert "Fixed 3 file(s)" in there.stdout
    fs.invalidate_cache()
    written = sorted(k[len(f"{BUCKET}/cli-fixed/") :] for k in fs.find(f"{BUCKET}/cli-fixed"))
    assert (
        written
        == sorted(p.relative_to(local_out).as_posix() for p in local_out.rglob("*") if p.is_file())
        == [  # several inputs: each keeps its path (a local one's relative to the working folder)
            "off/by_one.jpg",
            "off/deep/square.webp",
            "rotated.jpg",
        ]
    )
    for name in written:
        assert fs.cat_file(f"{BUCKET}/cli-fixed/{name}") == (local_out / name).read_bytes()


def test_fix_from_a_bucket_into_a_local_folder(bucket, s3_endpoint, tmp_path):
    import sora_guard

    local, url, _ = bucket
    settings = settings_for(s3_endpoint, local.parent)
    from_bucket = sora_guard.fix_paths([f"{url}/off"], out=str(tmp_path / "a"), settings=settings)
    from_disk = sora_guard.fix_paths([str(local / "off")], out=str(tmp_path / "b"), settings=settings)
    assert _outcome(from_bucket, str(tmp_path / "a"), url) == _outcome(
        from_disk, str(tmp_path / "b"), str(local)
    )
    for name in ("by_one.jpg", "deep/square.webp"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_bad_storage_options_are_configuration_errors(run_cli, tmp_path):
    (tmp_path / "sora-guard.toml").write_text('storage-options = "s3"\n', encoding="utf-8")
    result = run_cli("check", "s3://bucket/a.jpg")
    assert result.returncode == 2 and "bad value for 'storage-options'" in result.stderr


def test_fix_into_a_file_url_creates_folders_atomically(tmp_path):
    import sora_guard
    from sora_guard.api import fix_paths

    write(tmp_path / "in" / "deep" / "wide.jpg", encode(marker((1281, 720)), "JPEG"))
    out = f"file://{tmp_path}/out"
    results = fix_paths([str(tmp_path / "in")], out=out, size="1280x720")
    assert [(r.status.value, r.dest) for r in results] == [("fixed", f"{out}/deep/wide.jpg")]
    assert [p.name for p in (tmp_path / "out" / "deep").iterdir()] == ["wide.jpg"]  # no temporary file left
    assert sora_guard.check(f"{out}/deep/wide.jpg", size="1280x720").ok


def test_interrupted_rename_is_finished_and_a_foreign_object_is_kept(bucket, s3_endpoint):
    """In place, a format change renames the object; a run stopped after writing the new name is completed."""
    from sora_guard.run.fix import fix_files

    local, _, fs = bucket
    settings = settings_for(s3_endpoint, local.parent)
    png = (local / "png_named.jpg").read_bytes()  # PNG content named .jpg: fixed by renaming, bytes unchanged
    fs.pipe(f"{BUCKET}/half/done/a.jpg", png)
    fs.pipe(f"{BUCKET}/half/done/a.png", png)  # the new name was written, the old one not yet removed
    fs.pipe(f"{BUCKET}/half/taken/b.jpg", png)
    fs.pipe(f"{BUCKET}/half/taken/b.png", b"someone else's picture")
    results = list(fix_files(_fix_jobs(f"s3://{BUCKET}/half", None, settings), settings))
    assert [
        (r.path.rsplit("/", 1)[1], r.status.value, [d.code for d in r.problems or r.notes]) for r in results
    ] == [
        ("a.jpg", "fixed", ["SG914"]),
        ("a.png", "unchanged", []),
        ("b.jpg", "failed", ["SG903"]),
        ("b.png", "failed", ["SG502"]),
    ]
    fs.invalidate_cache()
    assert sorted(fs.find(f"{BUCKET}/half")) == [
        f"{BUCKET}/half/done/a.png",
        f"{BUCKET}/half/taken/b.jpg",
        f"{BUCKET}/half/taken/b.png",
    ]
    assert fs.cat_file(f"{BUCKET}/half/taken/b.png") == b"someone else's picture"


def test_stale_temporary_keys_are_removed_by_age(bucket, s3_endpoint):
    from sora_guard.io.atomic import TEMP_PREFIX, TEMP_SUFFIX
    from sora_guard.io.storage import remove_stale

    _, _, fs = bucket
    options = storage_options(s3_endpoint)
    temp = f"{BUCKET}/stale/{TEMP_PREFIX}123-abc{TEMP_SUFFIX}"
    fs.pipe(temp, b"half")
    fs.pipe(f"{BUCKET}/stale/keep.jpg", b"x")
    assert (
        remove_stale(f"s3://{BUCKET}/stale", options) == []
    )  # younger than a day: a writer may still need it
    assert remove_stale(f"s3://{BUCKET}/stale", options, older_than=-1) == [temp]
    fs.invalidate_cache()
    assert fs.find(f"{BUCKET}/stale") == [f"{BUCKET}/stale/keep.jpg"]


@pytest.mark.parametrize(
    ("blocked", "args"),
    [("fsspec", ["s3://bucket/a.jpg"]), ("distributed", ["--executor", "dask", "a.jpg"])],
)
def test_without_the_cloud_extra_the_cli_says_what_to_install(blocked, args, tmp_path):
    write(tmp_path / "a.jpg", encode(marker((1280, 720)), "JPEG"))
    code = f"import sys\nsys.modules[{blocked!r}] = None\nfrom sora_guard.cli import main\nsys.exit(main(['check', '--isolated', *{args!r}]))\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert out.returncode == 2, out.stderr
    assert "pip install 'sora-guard[cloud]'" in out.stderr and "Traceback" not in out.stderr


def test_decode_time_limit_holds_on_dask_workers_as_locally(bucket, s3_endpoint, cluster):
    """Tasks run off the main thread, where no SIGALRM arrives; the limit still stops the decode (SG505)."""
    from PIL import Image

    from sora_guard.run.dask_executor import DaskExecutor

    local, _, fs = bucket
    slow = encode(Image.effect_noise((2000, 2000), 60).convert("RGB"), "PNG", compress_level=1)
    fs.pipe(f"{BUCKET}/slow/big.png", slow)
    write(local.parent / "slow" / "big.png", slow)
    settings = settings_for(s3_endpoint, local.parent, max_decode_seconds=0.005, select=("SG5",))
    here = check_files([str(local.parent / "slow" / "big.png")], settings)
    there = check_files(
        [f"s3://{BUCKET}/slow/big.png"], settings, executor=DaskExecutor(scheduler=cluster.scheduler_address)
    )
    assert [d.code for d in there.files[0].diagnostics] == ["SG505"]
    assert as_json(there, f"s3://{BUCKET}") == as_json(here, str(local.parent))


def test_the_readme_storage_options_work_as_written(bucket, s3_endpoint, run_cli, tmp_path):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Object storage and Dask", 1)[1]
    toml = section.split("```toml\n", 1)[1].split("```", 1)[0]
    assert '[tool.sora-guard.storage-options.s3]\nendpoint_url = "https://minio.internal:9000"' in toml
    config = (
        toml.replace("https://minio.internal:9000", s3_endpoint) + 'key = "testing"\nsecret = "testing"\n'
    )
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    _, url, _ = bucket
    result = run_cli(
        "check", f"{url}/good", env={"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    )
    assert (result.returncode, result.stdout) == (0, "All checks passed: 2 files.\n"), result.stderr


class Counting:
    """The local executor, counting the files it is given (a cache hit never reaches it)."""

    def __init__(self):
        self.items: list[str] = []

    def map(self, func, items, settings):
        items = list(items)
        self.items += items
        return LocalExecutor(1).map(func, items, settings)


def test_the_check_cache_answers_unchanged_objects_from_the_listing(bucket, s3_endpoint, tmp_path):
    from sora_guard.run.cache import open_cache

    local, url, fs = bucket
    for name in ("a.jpg", "b.jpg"):
        fs.pipe(f"{BUCKET}/cached/{name}", (local / "off" / "by_one.jpg").read_bytes())
    settings = settings_for(s3_endpoint, tmp_path, cache_dir=str(tmp_path / "cache"))
    runs = []
    for change in (None, None, "b.jpg"):
        if change:  # new content, same name: a new ETag in the listing
            fs.pipe(f"{BUCKET}/cached/{change}", (local / "good" / "hero.jpg").read_bytes())
            fs.invalidate_cache()
        counting = Counting()
        report = check_files(
            discover([f"s3://{BUCKET}/cached"], settings),
            settings,
            executor=counting,
            cache=open_cache(settings),
        )
        runs.append(
            (
                [p.rsplit("/", 1)[1] for p in counting.items],
                [f.ok for f in report.files],
                render_json(report, {}),
            )
        )
    assert [r[0] for r in runs] == [["a.jpg", "b.jpg"], [], ["b.jpg"]]
    assert runs[1][2] == runs[0][2]  # a cached report is the report
    assert [r[1] for r in runs] == [[False, False], [False, False], [False, True]]
    assert "testing" not in "".join(
        p.read_text() for p in (tmp_path / "cache").rglob("*.json")
    )  # no credentials on disk


def test_reports_name_objects_by_url_in_every_format():
    import fsspec

    import sora_guard
    from sora_guard.plugins.host import load_registry

    fsspec.filesystem("memory").pipe("/formats/x y.jpg", encode(marker((1281, 720)), "JPEG"))
    report = sora_guard.check_paths(["memory://formats"], size="1280x720")
    registry = load_registry()
    render = {name: r.render(report, registry.rules) for name, r in registry.reporters.items()}
    assert render["text"].startswith("memory://formats/x y.jpg: SG101 [error]")
    assert json.loads(render["json"])["files"][0]["path"] == "memory://formats/x y.jpg"
    assert render["github"].startswith("::error file=memory%3A//formats/x y.jpg,")
    (result,) = json.loads(render["sarif"])["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "memory://formats/x%20y.jpg"
    }


def test_relative_paths_on_a_cluster_whose_workers_run_elsewhere(bucket, external_cluster, run_cli, tmp_path):
    """Relative paths mean the client's folder, not the workers' (a shared file system, as on a render farm)."""
    local, _, _ = bucket
    shutil.copytree(local / "off", tmp_path / "off")
    shutil.copytree(local / "batch", tmp_path / "batch")
    here = run_cli("check", "--isolated", "--no-cache", "--profile", "sora-2", "off", "batch", cwd=tmp_path)
    there = run_cli(
        "check",
        "--isolated",
        "--no-cache",
        "--profile",
        "sora-2",
        "--scheduler",
        external_cluster,
        "off",
        "batch",
        cwd=tmp_path,
    )
    assert (there.returncode, there.stderr) == (1, here.stderr)  # sora-2's closed notice only
    assert there.stdout == here.stdout and "SG501" not in there.stdout
    fixed = run_cli(
        "fix",
        "--isolated",
        "--no-cache",
        "--profile",
        "sora-2",
        "--scheduler",
        external_cluster,
        "off",
        "--out",
        "fixed",
        cwd=tmp_path,
    )
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert sorted(
        p.relative_to(tmp_path / "fixed").as_posix() for p in (tmp_path / "fixed").rglob("*") if p.is_file()
    ) == ["by_one.jpg", "deep/square.webp"]
