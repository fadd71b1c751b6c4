"""Atomicity: a real ``sora-guard fix`` subprocess killed mid-run never leaves a broken asset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.faults import fix_command
from support.images import encode, marker

from sora_guard.config import Settings
from sora_guard.engine.check import check_path
from sora_guard.io.atomic import TEMP_PREFIX

FILES = 40


@pytest.fixture(scope="module")
def photo() -> bytes:
    return encode(marker((4000, 3000)), "JPEG", quality=92)


def _start(folder: Path) -> subprocess.Popen:
    env = {**os.environ, "CI": "1"}
    return subprocess.Popen(
        fix_command(folder, "-j", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )


def _every_asset_is_whole(folder: Path, original: bytes) -> tuple[int, int]:
    """(originals, fixed): each asset is either byte-identical to before or a complete, passing image."""
    settings = Settings(root=folder, targets=("sora-2",))
    originals = fixed = 0
    for i in range(FILES):
        path = folder / f"photo{i:02}.jpg"
        data = path.read_bytes()
        if data == original:
            originals += 1
        else:
            report = check_path(path, settings.target(), settings.rules())
            assert report.ok, (path, [d.message for d in report.diagnostics])
            fixed += 1
    names = {p.name for p in folder.iterdir()}
    strays = names - {f"photo{i:02}.jpg" for i in range(FILES)}
    assert all(n.startswith(TEMP_PREFIX) for n in strays), strays
    return originals, fixed


def _fixed_count(folder: Path, size: int) -> int:
    return sum(1 for e in os.scandir(folder) if e.name.startswith("photo") and e.stat().st_size != size)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killing_fix_mid_run_leaves_every_file_whole(tmp_path, photo, sig):
    interrupted_midway = False
    for attempt, extra in enumerate((0.0, 0.15, 0.3, 0.05)):
        folder = tmp_path / f"run{attempt}"
        folder.mkdir()
        for i in range(FILES):
            (folder / f"photo{i:02}.jpg").write_bytes(photo)
        proc = _start(folder)
        deadline = time.monotonic() + 60
        while proc.poll() is None and _fixed_count(folder, len(photo)) == 0 and time.monotonic() < deadline:
            time.sleep(0.005)  # wait for the first file to be written: the run is under way
        time.sleep(extra)
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
        proc.wait(timeout=60)
        if sig == signal.SIGINT and proc.returncode not in (0, 1):
            assert proc.returncode == 130
        originals, fixed = _every_asset_is_whole(folder, photo)
        interrupted_midway |= originals > 0 and fixed > 0
        # the next run finishes the job and cleans up after the killed one
        rerun = subprocess.run(
            [sys.executable, "-m", "sora_guard", "fix", "--isolated", "--profile", "sora-2", str(folder)],
            capture_output=True,
            text=True,
            env={**os.environ, "CI": "1"},
            timeout=120,
        )
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert _every_asset_is_whole(folder, photo) == (0, FILES)
        assert not [n for n in os.listdir(folder) if n.startswith(TEMP_PREFIX)]
        if interrupted_midway:
            break
    assert interrupted_midway, "no attempt stopped the run between files; the test proved nothing"
