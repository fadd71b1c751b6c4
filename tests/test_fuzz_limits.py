"""Per-file limits: decode time (SG505), bytes read (SG501) and their configuration."""

from __future__ import annotations

import json
import signal
import threading
import time

import pytest
from PIL import Image

import sora_guard
from images import encode, write


@pytest.fixture(scope="module")
def slow_png() -> bytes:
    """A 2000x2000 noise PNG: a few hundred milliseconds to decode in 64 KB chunks."""
    return encode(Image.effect_noise((2000, 2000), 60).convert("RGB"), "PNG", compress_level=1)


def _codes(report) -> set[str]:
    return {d.code for d in report.diagnostics}


def test_decode_time_limit_stops_the_decode(slow_png):
    start = time.perf_counter()
    report = sora_guard.check(slow_png, name="big.png", select=["SG5"], max_decode_seconds=0.005)
    elapsed = time.perf_counter() - start
    assert "SG505" in _codes(report) and not report.ok
    assert "0.005 s" in next(d.message for d in report.diagnostics if d.code == "SG505")
    unlimited = time.perf_counter()
    assert "SG505" not in _codes(sora_guard.check(slow_png, name="big.png", select=["SG5"]))
    assert elapsed < (time.perf_counter() - unlimited) / 2  # it really stopped early


def test_decode_timer_is_disarmed_and_the_handler_restored(slow_png):
    def own(signum, frame):
        raise AssertionError("the host's handler ran")

    previous = signal.signal(signal.SIGALRM, own)
    try:
        sora_guard.check(slow_png, name="big.png", select=["SG5"], max_decode_seconds=0.005)
        sora_guard.check(slow_png, name="big.png", select=["SG5"])
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is own
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_a_host_timer_is_left_alone(slow_png):
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        report = sora_guard.check(slow_png, name="big.png", select=["SG5"], max_decode_seconds=0.005)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert "SG505" not in _codes(report)  # no limit rather than a broken host timer
    assert 25 < remaining <= 30 and not fired


def test_outside_the_main_thread_there_is_no_time_limit_and_no_error(slow_png):
    results = []
    thread = threading.Thread(target=lambda: results.append(sora_guard.check(slow_png, name="big.png", select=["SG5"], max_decode_seconds=0.005)))
    thread.start()
    thread.join()
    assert results and results[0].ok


def test_cli_decode_limit_from_flag_and_configuration(tmp_path, run_cli, slow_png):
    write(tmp_path / "big.png", slow_png)
    result = run_cli("check", "--isolated", "--select", "SG5", "--max-decode-seconds", "0.005", "big.png")
    assert result.returncode == 1 and "SG505" in result.stdout, result.stdout + result.stderr
    (tmp_path / "sora-guard.toml").write_text("max-decode-seconds = 0.005\n")
    result = run_cli("check", "--select", "SG5", "--output-format", "json", "big.png")
    assert [d["code"] for d in json.loads(result.stdout)["files"][0]["diagnostics"]] == ["SG505"]
    (tmp_path / "sora-guard.toml").write_text("max-decode-seconds = 60\n")
    assert run_cli("check", "--select", "SG5", "big.png").returncode == 0


def test_read_limit_refuses_large_files_unread(tmp_path, run_cli):
    write(tmp_path / "a.png", encode(Image.new("RGB", (64, 64)), "PNG"))
    size = (tmp_path / "a.png").stat().st_size
    result = run_cli("check", "--isolated", "--select", "SG5", "--max-file-bytes", str(size - 1), "a.png")
    assert result.returncode == 1 and "SG501" in result.stdout and "read limit" in result.stdout
    assert run_cli("check", "--isolated", "--select", "SG5", "--max-file-bytes", str(size), "a.png").returncode == 0


@pytest.mark.parametrize("line", ["max-decode-seconds = 0", "max-decode-seconds = -1", "max-decode-seconds = true", "max-file-bytes = 1.5"])
def test_bad_limit_values_are_configuration_errors(tmp_path, run_cli, line):
    (tmp_path / "sora-guard.toml").write_text(line + "\n")
    result = run_cli("check", ".")
    assert result.returncode == 2 and line.split(" ")[0] in result.stderr


def test_the_cache_never_remembers_a_timeout_and_follows_the_limits(tmp_path, slow_png):
    from dataclasses import replace

    from sora_guard.cache import RACY_SECONDS, fingerprint, open_cache
    from sora_guard.config import Settings
    from sora_guard.runner import check_files

    path = str(write(tmp_path / "big.png", slow_png))
    settings = Settings(root=tmp_path, select=("SG5",), max_decode_seconds=0.005)
    for _ in range(2):
        cache = open_cache(settings)
        cache.started = time.time() + RACY_SECONDS + 60  # the file counts as old enough to cache
        report = check_files([path], settings, jobs=1, cache=cache)
        assert [d.code for d in report.files[0].diagnostics] == ["SG505"]
        assert cache.get(path, cache.key(path), settings.target()) is None  # decoded again every time
    base = fingerprint(settings)
    assert fingerprint(replace(settings, max_decode_seconds=60)) != base
    assert fingerprint(replace(settings, max_file_bytes=10)) != base
