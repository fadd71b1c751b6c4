"""SIGKILL at random moments: ``sora-guard fix`` over a mixed folder is killed again and again.

After every kill each asset is either byte-identical to its original or a complete image that
passes ``check`` (a converted file may briefly exist under both names: the original untouched and
the new one complete). Each next run carries on; a last uninterrupted run finishes the job and
leaves no temporary files. The check cache is on, so a torn cache would show up too.

Default: 12 kills (in place) + 6 (into ``--out``). ``SORA_GUARD_FUZZ=heavy``: 200 + 100.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.faults import assert_whole, fix_command, originals, passing
from support.images import encode, marker

from sora_guard.io.atomic import TEMP_PREFIX

HEAVY = os.environ.get("SORA_GUARD_FUZZ") == "heavy"
SEED = int(os.environ.get("SORA_GUARD_FAULT_SEED", "7"))


def _fix(folder: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        fix_command(folder, "-j", "2", *extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "CI": "1"},
        cwd=folder,  # the check cache lives in the folder too: a torn cache or a stray temporary file would show
        start_new_session=True,
    )


def _full_run_seconds(folder: Path, files: dict[str, bytes], out: bool) -> float:
    """How long one uninterrupted run over the assets takes here, start-up included."""
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    start = time.perf_counter()
    proc = _fix(folder, *(("--out", str(folder.parent / "calibrate-out")) if out else ()))
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    return time.perf_counter() - start


def _kill_runs(tmp_path: Path, kills: int, out: bool) -> tuple[int, int]:
    rng = random.Random(SEED + out)
    files = originals()
    fine = passing(files)
    span = _full_run_seconds(
        tmp_path / "calibrate", files, out
    )  # kill moments scale with this machine's speed
    killed = midway = 0
    rounds = 0
    need = max(1, kills // 5)  # kills that must land mid-run for the test to prove anything

    def more() -> bool:  # on a machine whose timing differs, kill on until enough landed mid-run
        return killed < kills or (midway < need and killed < 6 * kills)

    while more():
        rounds += 1
        folder = tmp_path / f"round{rounds}"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        dest = tmp_path / f"out{rounds}" if out else None
        extra = ("--out", str(dest)) if dest else ()
        while more():
            proc = _fix(folder, *extra)
            time.sleep(rng.uniform(0.1, 1.0) * span)
            if proc.poll() is not None:  # finished before the kill: this round is complete
                assert proc.wait() == 0, proc.stderr.read()
                break
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            killed += 1
            if dest is None or dest.exists():
                untouched, done = assert_whole(folder, files, dest)
                midway += 0 < done < len(files) - fine
                if done == len(files) - fine:  # killed while tidying up: the work is done, start afresh
                    break
        final = subprocess.run(
            fix_command(folder, *extra),
            capture_output=True,
            text=True,
            env={**os.environ, "CI": "1"},
            cwd=folder,
            timeout=300,
        )
        assert final.returncode == 0, final.stdout + final.stderr
        assert assert_whole(folder, files, dest) == (fine, len(files) - fine)
        leftovers = [p for p in (dest or folder).rglob(f"{TEMP_PREFIX}*")] + [
            p for p in folder.rglob(f"{TEMP_PREFIX}*")
        ]
        assert not leftovers, leftovers
    return killed, midway


@pytest.mark.parametrize(
    "out, kills", [(False, 200 if HEAVY else 12), (True, 100 if HEAVY else 6)], ids=["in-place", "out"]
)
def test_sigkill_at_random_moments_loses_nothing(tmp_path, out, kills):
    killed, midway = _kill_runs(tmp_path, kills, out)
    assert killed >= kills
    assert midway >= max(1, kills // 5), (
        f"only {midway} of {killed} kills landed mid-run; the timing proves little"
    )
    print(f"\nkills={killed} midway={midway} seed={SEED}")


def test_a_rename_killed_between_its_two_steps_is_finished_by_the_next_run(tmp_path, run_cli):
    """Converting ``x.gif`` writes ``x.png`` and then removes ``x.gif``; a kill between the two
    leaves both. The next run must finish the job, and must still refuse to replace a different file."""
    files = {"anim.gif": originals()["anim0.gif"], "mis.jpg": originals()["misnamed0.jpg"]}
    done = tmp_path / "done"
    done.mkdir()
    for name, data in files.items():
        (done / name).write_bytes(data)
    assert run_cli("fix", "--isolated", "--no-cache", "--profile", "sora-2", "done").returncode == 0
    results = {p.name: p.read_bytes() for p in done.iterdir() if p.is_file()}
    assert set(results) == {"anim.png", "mis.png"}

    killed = tmp_path / "killed"  # the state a kill between the two steps leaves
    killed.mkdir()
    for name, data in {**files, **results}.items():
        (killed / name).write_bytes(data)
    result = run_cli("fix", "--isolated", "--no-cache", "--profile", "sora-2", "killed")
    assert result.returncode == 0, result.stdout
    assert {p.name: p.read_bytes() for p in killed.iterdir() if p.is_file()} == results

    other = tmp_path / "other"  # a different file of that name is never replaced
    other.mkdir()
    (other / "anim.gif").write_bytes(files["anim.gif"])
    (other / "anim.png").write_bytes(encode(marker((1280, 720)).rotate(180), "PNG"))
    before = {p.name: p.read_bytes() for p in other.iterdir()}
    result = run_cli("fix", "--isolated", "--no-cache", "--profile", "sora-2", "other")
    assert result.returncode == 1 and "SG903" in result.stdout
    assert {p.name: p.read_bytes() for p in other.iterdir()} == before
