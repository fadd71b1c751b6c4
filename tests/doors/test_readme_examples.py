"""The README's example console output is what the commands print (``docs/make_examples.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_examples_are_real_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_examples.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, (
        "the README's examples are stale: run `python docs/make_examples.py`\n" + proc.stdout + proc.stderr
    )
