"""The check cache: hits for unchanged files, misses for anything that could change the answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from support.images import corrupt_jpeg, encode, marker, write

from sora_guard.config import Settings
from sora_guard.run.cache import RACY_SECONDS, CheckCache, fingerprint, open_cache
from sora_guard.run.check import check_files
from sora_guard.run.pool import parallel_map

GOOD = (1280, 720)


class Recording:
    """An executor that checks inline and remembers which files it was given."""

    def __init__(self):
        self.seen: list[str] = []

    def map(self, func, items, settings):
        items = list(items)
        self.seen.extend(items)
        return parallel_map(func, items, settings, jobs=1)


def later_cache(settings: Settings) -> CheckCache:
    """The settings' cache, with the run's clock moved past the racy window (files written just now count as old)."""
    cache = open_cache(settings)
    cache.started = time.time() + RACY_SECONDS + 60
    return cache


def run(paths, settings, **kw):
    executor = Recording()
    report = check_files(
        [str(p) for p in paths], settings, executor=executor, cache=later_cache(settings), **kw
    )
    return report, executor.seen


def codes(report):
    return [sorted(d.code for d in f.diagnostics) for f in report.files]


def test_second_run_answers_from_the_cache(tmp_path):
    good = write(tmp_path / "good.jpg", encode(marker(GOOD), "JPEG"))
    bad = write(tmp_path / "bad.jpg", encode(marker((1281, 720)), "JPEG"))
    settings = Settings(root=tmp_path, targets=("sora-2",))
    first, seen = run([good, bad], settings)
    assert seen == [str(good), str(bad)]
    second, seen = run([good, bad], settings)
    assert seen == []
    assert codes(second) == codes(first) == [[], ["SG101"]]
    assert second.files[1].diagnostics == first.files[1].diagnostics
    assert second.files[1].info.stored == first.files[1].info.stored
    assert second.files[1].expected_size == first.files[1].expected_size
    assert (tmp_path / ".sora-guard-cache" / "CACHEDIR.TAG").is_file()


def test_rewrite_with_same_size_and_mtime_is_checked_again(tmp_path):
    """The content changes, the size and mtime are put back: ctime still tells."""
    good_bytes = encode(marker(GOOD), "JPEG")
    path = write(tmp_path / "a.jpg", good_bytes)
    settings = Settings(root=tmp_path, targets=("sora-2",))
    assert codes(run([path], settings)[0]) == [[]]
    before = os.stat(path)
    bad_bytes = corrupt_jpeg(GOOD)[: len(good_bytes)].ljust(len(good_bytes), b"\0")
    path.write_bytes(bad_bytes)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_mtime_ns == before.st_mtime_ns
    report, seen = run([path], settings)
    assert seen == [str(path)]
    assert "SG503" in codes(report)[0]


def test_files_modified_within_the_racy_window_are_not_stored(tmp_path):
    path = write(tmp_path / "fresh.jpg", encode(marker(GOOD), "JPEG"))
    settings = Settings(root=tmp_path, targets=("sora-2",))
    for _ in range(2):
        cache = open_cache(settings)  # the real clock: the file was written just now
        executor = Recording()
        check_files([str(path)], settings, executor=executor, cache=cache)
        assert executor.seen == [str(path)]


def test_settings_that_change_results_use_another_cache(tmp_path):
    path = write(tmp_path / "a.jpg", encode(marker(GOOD), "JPEG"))
    landscape = Settings(root=tmp_path, targets=("sora-2",))
    assert codes(run([path], landscape)[0]) == [[]]
    portrait = landscape.override({"size": "720x1280"})
    assert fingerprint(portrait) != fingerprint(landscape)
    report, seen = run([path], portrait)
    assert seen == [str(path)] and codes(report) == [["SG101"]]
    assert fingerprint(landscape.override({"ignore": ["SG406"]})) != fingerprint(landscape)
    assert fingerprint(landscape.override({"max-file-bytes": 1000})) != fingerprint(landscape)
    assert fingerprint(landscape.override({"output-format": "json"})) == fingerprint(landscape)
    assert fingerprint(landscape.override({"quality": 80})) == fingerprint(landscape)


def test_corrupt_cache_files_are_ignored_and_replaced(tmp_path):
    path = write(tmp_path / "a.jpg", encode(marker((1281, 720)), "JPEG"))
    settings = Settings(root=tmp_path, targets=("sora-2",))
    run([path], settings)
    buckets = list((tmp_path / ".sora-guard-cache").glob("v*/*/*.json"))
    assert buckets
    for bucket in buckets:
        bucket.write_bytes(b"\x00{not json")
    report, seen = run([path], settings)
    assert seen == [str(path)] and codes(report) == [["SG101"]]
    assert all(isinstance(json.loads(b.read_text()), dict) for b in buckets)
    for bucket in buckets:  # valid JSON of the wrong shape is ignored too
        fp = json.loads(bucket.read_text())["fingerprint"]
        bucket.write_text(
            json.dumps({"fingerprint": fp, "entries": {str(path.resolve()): [[1, 2, 3, 4, 5], "x", None]}})
        )
    assert run([path], settings)[1] == [str(path)]


def test_concurrent_runs_merge_their_entries(tmp_path):
    """Two runs load the same bucket, then both write it: neither loses the other's entry."""
    a = write(tmp_path / "a.jpg", encode(marker(GOOD), "JPEG"))
    name = next(
        f"b{i}.jpg"
        for i in range(1000)
        if CheckCache._bucket(str(tmp_path / f"b{i}.jpg")) == CheckCache._bucket(str(a))
    )
    b = write(tmp_path / name, encode(marker(GOOD), "JPEG"))
    settings = Settings(root=tmp_path, targets=("sora-2",))
    one, two = later_cache(settings), later_cache(settings)
    assert two.get(str(b), two.key(str(b)), None) is None  # two has read the (empty) bucket
    check_files([str(a)], settings, executor=Recording(), cache=one)
    check_files([str(b)], settings, executor=Recording(), cache=two)
    assert run([a, b], settings)[1] == []


def test_unwritable_cache_is_a_warning(tmp_path, recwarn):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should go")
    path = write(tmp_path / "a.jpg", encode(marker(GOOD), "JPEG"))
    settings = Settings(root=tmp_path, targets=("sora-2",), cache_dir=str(blocker / "cache"))
    report, seen = run([path], settings)
    assert seen == [str(path)] and report.ok
    assert any("cannot write the cache" in str(w.message) for w in recwarn)


def test_cli_uses_the_cache_unless_told_not_to(tmp_path, run_cli):
    write(tmp_path / "a.jpg", encode(marker(GOOD), "JPEG"))
    write(tmp_path / "b.jpg", encode(marker((1281, 720)), "JPEG"))
    (tmp_path / "sora-guard.toml").write_text('size = "1280x720"\n')
    assert run_cli("check", "--no-cache", ".").returncode == 1
    time.sleep(RACY_SECONDS + 0.2)  # files written just now are never cached
    assert run_cli("check", "--no-cache", ".").returncode == 1
    assert not (tmp_path / ".sora-guard-cache").exists()
    first = run_cli("check", ".")
    assert (tmp_path / ".sora-guard-cache" / "CACHEDIR.TAG").is_file()
    assert (tmp_path / ".sora-guard-cache" / ".gitignore").read_text().strip().endswith("*")
    second = run_cli("check", ".")
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout) == (1, first.stdout)
    assert "b.jpg: SG101" in second.stdout
    write(tmp_path / "b.jpg", encode(marker(GOOD), "JPEG"))  # fixed: must not be answered from the cache
    assert run_cli("check", ".").returncode == 0


def test_cli_custom_cache_dir_from_configuration(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text('[tool.sora-guard]\ncache-dir = "build/sg-cache"\n')
    write(tmp_path / "a.jpg", encode(marker(GOOD), "JPEG"))
    time.sleep(RACY_SECONDS + 0.2)
    assert run_cli("check", ".").returncode == 0
    assert list((tmp_path / "build" / "sg-cache").glob("v*/*/*.json"))
    assert not (tmp_path / ".sora-guard-cache").exists()


def test_a_bucket_of_another_fingerprint_is_ignored(tmp_path):
    """Short folder names may collide; the full fingerprint inside each bucket decides."""
    path = write(tmp_path / "a.jpg", encode(marker((1281, 720)), "JPEG"))
    settings = Settings(root=tmp_path, targets=("sora-2",))
    run([path], settings)
    for bucket in (tmp_path / ".sora-guard-cache").glob("v*/*/*.json"):
        data = json.loads(bucket.read_text())
        bucket.write_text(json.dumps({**data, "fingerprint": data["fingerprint"] + " "}))
    assert run([path], settings)[1] == [str(path)]


def test_cache_module_is_not_imported_by_import_sora_guard():
    out = subprocess.run(
        [sys.executable, "-c", "import sora_guard, sys; print('sora_guard.cache' in sys.modules)"],
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "False"


def test_cache_holds_no_pixels(tmp_path):
    path = write(tmp_path / "a.jpg", encode(marker(GOOD), "JPEG"))
    run([path], Settings(root=tmp_path, targets=("sora-2",)))
    entries = [
        json.loads(p.read_text())["entries"] for p in Path(tmp_path / ".sora-guard-cache").rglob("*.json")
    ]
    assert len(entries) == 1 and len(json.dumps(entries)) < 1000 < path.stat().st_size
