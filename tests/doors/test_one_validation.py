"""Every door validates through ``config.validation``: the same bad input gets the same error from each."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from support.images import write

import sora_guard
from sora_guard.vocabulary.exceptions import ConfigError, UsageError


@pytest.fixture
def off_size(tmp_path) -> Path:
    return write(tmp_path / "off.jpg", Image.new("RGB", (1279, 720), (30, 90, 150)), "JPEG")


def _cli_message(result) -> str:
    assert result.returncode == 2, result.stderr
    return result.stderr.strip().removeprefix("sora-guard: ")


@pytest.mark.parametrize(
    ("flags", "options"),
    [
        (["--select", "SG8"], {"select": ["SG8"]}),
        (["--ignore", "XY1"], {"ignore": ["XY1"]}),
        (["--profile", "sora2"], {"profile": "sora2"}),
    ],
    ids=["select", "ignore", "profile"],
)
def test_check_api_raises_what_the_cli_reports(run_cli, tmp_path, off_size, flags, options):
    cli = _cli_message(run_cli("check", "--isolated", *flags, str(off_size)))
    with pytest.raises(ConfigError) as caught:
        sora_guard.check(off_size, **options)
    assert str(caught.value) in cli


def test_fix_api_refuses_out_holding_the_source_as_the_cli_does(run_cli, tmp_path, off_size):
    src = tmp_path / "out" / "src"
    write(src / "a.jpg", Image.new("RGB", (1279, 720)), "JPEG")
    cli = _cli_message(run_cli("fix", "--isolated", "--out", "out", "out/src"))
    with pytest.raises(UsageError) as caught:
        sora_guard.fix_paths([src], out=tmp_path / "out")
    assert "is inside --out" in str(caught.value) and "is inside --out" in cli
    assert (src / "a.jpg").exists()


def test_fix_api_refuses_an_unknown_strategy_as_the_cli_does(run_cli, off_size):
    cli = _cli_message(run_cli("fix", "--isolated", "--strategy", "nope", str(off_size)))
    with pytest.raises(ConfigError) as caught:
        sora_guard.fix_paths([off_size], strategy="nope")
    assert str(caught.value) in cli and "unknown strategy 'nope'" in cli


def test_guard_refuses_a_bad_selector_before_any_call():
    openai = pytest.importorskip("openai")
    with pytest.raises(ConfigError, match="unknown rule selector"):
        sora_guard.guard(openai.OpenAI(api_key="x", base_url="http://127.0.0.1:9"), select=["SG8"])


def _limited(gigabytes: int):
    def apply() -> None:
        limit = gigabytes * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


@pytest.mark.parametrize("command", ["check", "fix"])
def test_an_endless_device_is_a_diagnostic_not_a_memory_error(tmp_path, command):
    """``/dev/zero`` reports size 0: the read must stop at the limit + 1, under a 3 GB address space."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sora_guard",
            command,
            "--isolated",
            "--max-file-bytes",
            "1000000",
            "/dev/zero",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=_limited(3),
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert "SG501" in done.stdout and "more than 1000000 bytes" in done.stdout


def test_a_pipe_on_stdin_is_read_no_further_than_the_limit(tmp_path):
    feeder = subprocess.Popen(["cat", "/dev/zero"], stdout=subprocess.PIPE)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sora_guard", "check", "--isolated", "--max-file-bytes", "1000", "-"]
            + ["--stdin-filename", "x.jpg"],
            cwd=tmp_path,
            stdin=feeder.stdout,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        feeder.kill()
    assert done.returncode == 1 and "more than 1000 bytes" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("command", ["check", "fix"])
def test_the_read_limit_is_not_a_buffer_size(tmp_path, command):
    """The default 1 GiB read limit must not cost a 1 GiB buffer: a plain check under 1 GB of address space works."""
    write(tmp_path / "ok.jpg", Image.new("RGB", (1280, 720), (30, 90, 150)), "JPEG")
    write(tmp_path / "off.jpg", Image.new("RGB", (1279, 720), (30, 90, 150)), "JPEG")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sora_guard",
            command,
            "--isolated",
            "--no-cache",
            "--size",
            "1280x720",
            "-j",
            "1",
            ".",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=_limited(1),
        timeout=120,
    )
    assert "MemoryError" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == (1 if command == "check" else 0), done.stdout + done.stderr
