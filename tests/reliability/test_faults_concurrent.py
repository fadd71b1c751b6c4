"""Two (or three) ``sora-guard fix`` runs on the same folder at once never corrupt a file.

Replacing a file in place is a rename, so the last complete result wins. A conversion (``x.gif``
-> ``x.png``) raced by two runs is finished by whichever gets there first; the other reports the
old name as gone (SG501/SG901 "does not exist"), which is the truth, never a broken file.
Default: 3 rounds of 2 runs; ``SORA_GUARD_FUZZ=heavy``: 40 rounds of 3.
"""

from __future__ import annotations

import os
import re
import subprocess

from support.faults import CACHE, assert_whole, fix_command, originals, passing

from sora_guard.io.atomic import TEMP_PREFIX

HEAVY = os.environ.get("SORA_GUARD_FUZZ") == "heavy"
ROUNDS, RUNS = (40, 3) if HEAVY else (3, 2)
GONE = re.compile(r"(No such file or directory|file does not exist)")


def test_concurrent_fix_runs_never_corrupt_a_file(tmp_path):
    files = originals()
    fine = passing(files)
    for round_ in range(ROUNDS):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        procs = [
            subprocess.Popen(
                fix_command(folder, "-j", "2"),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "CI": "1"},
                cwd=folder,  # the runs share one check cache, in the folder
            )
            for _ in range(RUNS)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode in (0, 1) and "Traceback" not in err, err
            failures = [line for line in out.splitlines() if re.match(r"\S+: SG\d+ \[", line)]
            assert all(GONE.search(line) for line in failures), failures  # only "the other run moved it"
        assert assert_whole(folder, files) == (fine, len(files) - fine)
        assert not list(folder.rglob(f"{TEMP_PREFIX}*"))
        again = subprocess.run(
            fix_command(folder),
            capture_output=True,
            text=True,
            cwd=folder,
        )
        assert again.returncode == 0 and "Fixed 0 file(s)" in again.stdout, again.stdout
        assert {p.name for p in folder.iterdir()} - {CACHE} == {
            os.path.splitext(n)[0] + ext for n in files for ext in [_ext(folder, n)]
        }


def _ext(folder, name: str) -> str:
    """The extension the asset has after fixing (conversions rename)."""
    stem = os.path.splitext(name)[0]
    (match,) = [p.suffix for p in folder.iterdir() if p.stem == stem]
    return match
