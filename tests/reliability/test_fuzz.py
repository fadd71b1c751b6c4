"""Hostile bytes: byte mutations of valid JPEG, PNG, WebP, GIF, TIFF, BMP and HEIF files through the engine.

Every example must come back as diagnostics (never an exception), within a deadline, within a
memory bound, and keep the engine's promises (see ``fuzz/target.py``). The default budget runs in
a few seconds; ``SORA_GUARD_FUZZ=heavy`` runs thousands of examples and a long atheris session.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fuzz.corpus import mutated_images, seeds
from support.fuzz.target import INTEGRITY, check_one

HEAVY = os.environ.get("SORA_GUARD_FUZZ") == "heavy"
EXAMPLES = int(os.environ.get("SORA_GUARD_FUZZ_EXAMPLES", 5000 if HEAVY else 300))
#: no single example may take longer than this (a hang shows up as a deadline failure)
DEADLINE = timedelta(seconds=5)
#: peak memory over the level at the start of an example; the fuzz limits allow 4 megapixels
MEMORY_BOUND_KB = 512 * 1024

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _peak_rss_kb() -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", _STATUS.read_text()).group(1))


def _can_reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


CAN_MEASURE_MEMORY = _STATUS.exists() and _can_reset_peak()


def test_seeds_are_valid_images():
    """The mutations start from real files that pass every integrity rule."""
    formats = set()
    for name, data in seeds():
        report = check_one(data, name)
        assert not [d for d in report.errors if d.code.startswith(INTEGRITY)], (name, report.diagnostics)
        formats.add(report.info.format)
    assert {"JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP", "HEIF"} <= formats


@settings(
    max_examples=EXAMPLES,
    deadline=DEADLINE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_images())
def test_mutated_bytes_yield_diagnostics(item):
    name, data = item
    if CAN_MEASURE_MEMORY:
        _CLEAR_REFS.write_text("5")
        start = _peak_rss_kb()
    check_one(data, name)
    if CAN_MEASURE_MEMORY:
        assert _peak_rss_kb() - start < MEMORY_BOUND_KB


@settings(max_examples=3 if not HEAVY else 30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(mutated_images(), min_size=20, max_size=20))
def test_cli_over_a_folder_of_mutated_files(files):
    """The real command over a folder of hostile files, through the process pool: a report, exit 0 or 1."""
    with tempfile.TemporaryDirectory() as folder:
        for i, (name, data) in enumerate(files):
            Path(folder, f"{i:02d}-{name}").write_bytes(data)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "sora_guard",
                "check",
                "--isolated",
                "--no-plugins",
                "--profile",  # a live target: the run has nothing to say beyond the hostile files
                "kling",
                "-j",
                "2",
                "--output-format",
                "json",
                ".",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode in (0, 1), proc.stderr
    assert (
        "Traceback" not in proc.stderr and "sora-guard: warning" not in proc.stderr
    )  # hostile headers stay quiet
    document = json.loads(proc.stdout)
    assert document["summary"]["files"] == len(files)


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import atheris"], capture_output=True).returncode != 0,
    reason="atheris is optional: pip install atheris",
)
def test_atheris_session(tmp_path):
    """A coverage-guided libFuzzer session: no crash, no input over 10 s, no more than 1 GB of memory."""
    seconds = 600 if HEAVY else 5
    target = Path(__file__).parents[1] / "support" / "fuzz" / "fuzz_probe.py"
    proc = subprocess.run(
        [
            sys.executable,
            str(target),
            str(tmp_path),
            f"-max_total_time={seconds}",
            "-rss_limit_mb=1024",
            "-timeout=10",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    runs = re.findall(r"Done (\d+) runs", proc.stderr)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert runs and int(runs[-1]) > 0
    print(f"\natheris: {runs[-1]} runs in {seconds} s")
