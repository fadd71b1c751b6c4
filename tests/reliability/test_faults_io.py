"""Write faults: a full disk (a tiny tmpfs, when we may mount one) and failing write syscalls
(RLIMIT_FSIZE makes every write past the limit fail with EFBIG, in any process, root or not).

Whatever fails, each original stays intact or becomes a complete, passing image, the failure is
reported (SG901 for fix, exit 2 with a message for a report), no temporary file is left, and a
later run with room to write finishes the job.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.faults import assert_whole, originals, passing

from sora_guard.io.atomic import TEMP_PREFIX

HEAVY = os.environ.get("SORA_GUARD_FUZZ") == "heavy"
FILL_LEVELS_KB = tuple(range(0, 160, 8)) if HEAVY else (0, 12, 48)
SIZE_LIMITS = tuple(range(1, 160_000, 8_000)) if HEAVY else (1, 8_000, 50_000)


def _run(args, cwd: Path, limit: int | None = None) -> subprocess.CompletedProcess:
    def limit_writes():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "sora_guard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "1"},
        preexec_fn=limit_writes if limit is not None else None,
        timeout=300,
    )


def _no_temp_files(folder: Path) -> None:
    assert not [p for p in folder.rglob(f"{TEMP_PREFIX}*")], "temporary files left behind"


def _fill(folder: Path, leave_kb: int) -> Path:
    filler = folder / "filler.bin"
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize - leave_kb * 1024
    with open(filler, "wb") as fp:
        while free > 0:
            try:
                free -= fp.write(b"\0" * min(free, 1 << 20))
            except OSError:
                break
    return filler


@pytest.fixture
def tiny_fs(tmp_path):
    """A 4 MB tmpfs (root with mount permission only)."""
    mount = shutil.which("mount")
    point = tmp_path / "tiny"
    point.mkdir()
    if (
        os.geteuid() != 0
        or mount is None
        or subprocess.run(
            [mount, "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)], capture_output=True
        ).returncode
    ):
        pytest.skip("cannot mount a tmpfs here; the RLIMIT_FSIZE tests cover failing writes")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _assets(folder: Path) -> dict[str, bytes]:
    files = originals()
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


@pytest.mark.parametrize("leave_kb", FILL_LEVELS_KB)
def test_disk_full_in_place(tiny_fs, leave_kb):
    folder = tiny_fs / "assets"
    files = _assets(folder)
    filler = _fill(tiny_fs, leave_kb)
    result = _run(["fix", "--isolated", "--profile", "sora-2", "assets"], tiny_fs)
    assert "Traceback" not in result.stderr, result.stderr
    filler.unlink()
    untouched, done = assert_whole(folder, files)
    if untouched > passing(files):
        assert (
            result.returncode == 1 and "No space left on device" in result.stdout and "SG901" in result.stdout
        )
    _no_temp_files(folder)
    rerun = _run(["fix", "--isolated", "--profile", "sora-2", "assets"], tiny_fs)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert assert_whole(folder, files) == (passing(files), len(files) - passing(files))


@pytest.mark.parametrize("leave_kb", FILL_LEVELS_KB[::2])
def test_disk_full_out_tree(tmp_path, tiny_fs, leave_kb):
    source = tmp_path / "source"
    files = _assets(source)
    filler = _fill(tiny_fs, leave_kb)
    result = _run(
        ["fix", "--isolated", "--profile", "sora-2", "--out", str(tiny_fs / "out"), "source"], tmp_path
    )
    assert "Traceback" not in result.stderr, result.stderr
    filler.unlink()
    written = assert_whole(source, files, tiny_fs / "out") if (tiny_fs / "out").exists() else (0, 0)
    if sum(written) < len(files):
        assert result.returncode == 1 and "SG901" in result.stdout
    _no_temp_files(tiny_fs)


def test_report_on_a_full_disk_is_an_error_not_a_traceback(tmp_path, tiny_fs):
    _assets(tmp_path / "assets")
    _fill(tiny_fs, 0)
    result = _run(
        [
            "check",
            "--isolated",
            "--no-cache",
            "-o",
            str(tiny_fs / "report.json"),
            "--output-format",
            "json",
            "assets",
        ],
        tmp_path,
    )
    assert result.returncode == 2 and "report.json: No space left on device" in result.stderr, result.stderr
    assert not (tiny_fs / "report.json").exists()
    _no_temp_files(tiny_fs)
    with open(tiny_fs / "stdout.txt", "wb") as out:  # standard output redirected to the full disk
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "sora_guard",
                "check",
                "--isolated",
                "--no-cache",
                "--profile",
                "sora-2",
                "assets",
            ],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert (
        proc.returncode == 2 and "No space left on device" in proc.stderr and "Traceback" not in proc.stderr
    )


@pytest.mark.parametrize("limit", SIZE_LIMITS)
def test_failing_writes_in_place(tmp_path, limit):
    folder = tmp_path / "assets"
    files = _assets(folder)
    result = _run(["fix", "--isolated", "--profile", "sora-2", "assets"], tmp_path, limit=limit)
    assert "Traceback" not in result.stderr, result.stderr
    untouched, done = assert_whole(folder, files)
    if untouched > passing(files):
        assert result.returncode == 1 and "File too large" in result.stdout
    _no_temp_files(folder)
    rerun = _run(["fix", "--isolated", "--profile", "sora-2", "assets"], tmp_path)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert assert_whole(folder, files) == (passing(files), len(files) - passing(files))


def test_failing_write_of_a_report(tmp_path):
    _assets(tmp_path / "assets")
    result = _run(["check", "--isolated", "--no-cache", "-o", "report.txt", "assets"], tmp_path, limit=10)
    assert result.returncode == 2 and "report.txt: File too large" in result.stderr, result.stderr
    assert not (tmp_path / "report.txt").exists()
    _no_temp_files(tmp_path)
