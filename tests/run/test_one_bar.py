"""One progress bar per run on a terminal, whichever executor runs the work: ``fix`` draws its own
(the Dask executor's is off), ``check`` draws none of its own (the Dask executor's is the one)."""

from __future__ import annotations

import io
import sys

import pytest
from PIL import Image
from support.images import write

pytest.importorskip("distributed")


class Terminal(io.StringIO):
    """Standard error as a terminal: progress bars draw on it."""

    def isatty(self) -> bool:
        return True


def _run(args: list[str], cwd, monkeypatch) -> tuple[int, str]:
    from sora_guard.cli import main

    with monkeypatch.context() as patch:
        patch.chdir(cwd)
        patch.delenv("CI", raising=False)
        patch.delenv("GITHUB_ACTIONS", raising=False)
        patch.setenv("TERM", "xterm")
        err = Terminal()
        patch.setattr(sys, "stdout", io.StringIO())
        patch.setattr(sys, "stderr", err)
        code = main(args)
    return code, err.getvalue()


def test_fix_and_check_on_dask_draw_one_bar_each(tmp_path, monkeypatch):
    for i in range(6):
        write(tmp_path / f"a{i}.jpg", Image.new("RGB", (900, 600), (40 * i, 90, 20)))
    dask = ["--isolated", "--no-cache", "--size", "1280x720", "--executor", "dask", "--jobs", "1", "."]
    code, err = _run(["fix", "--dry-run", *dask], tmp_path, monkeypatch)
    assert code == 1 and "fixing [" in err, err  # would fix every file
    assert "Dask workers [" not in err, err
    code, err = _run(["check", *dask], tmp_path, monkeypatch)
    assert "Dask workers [" in err and "fixing [" not in err, err
