"""``fix`` on the pool's threads: the same bytes as one file at a time, each file judged alone."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from support.images import encode, exif_rotated_jpeg, marker, truncated, write

from sora_guard.config import Settings
from sora_guard.run import fix as run_fix
from sora_guard.run import pool
from sora_guard.run.fix import Status, fix_files, plan

FIX_FILE = run_fix.fix_file


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Photos to fit (JPEG, PNG, a turned one) with a truncated and a text file among them."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(8):
        write(src / f"{i}-photo.jpg", marker((900 + 40 * i, 700)), quality=90)
    write(src / "8-drawing.png", marker((1000, 1000), "RGBA"))
    (src / "9-turned.jpg").write_bytes(exif_rotated_jpeg((800, 600), 6))
    (src / "a-cut.jpg").write_bytes(truncated(encode(marker((900, 700)), "JPEG")))
    (src / "b-notes.jpg").write_text("not an image")
    return src


def _run(folder: Path, out: Path, jobs: int, monkeypatch) -> tuple[list, set[int]]:
    seen: set[int] = set()

    def watched(job, settings):
        seen.add(threading.get_ident())
        return FIX_FILE(job, settings)

    monkeypatch.setattr(pool, "EXPENSIVE_SECONDS", 0.0)  # every file counts as costly: threads after two
    monkeypatch.setattr(run_fix, "fix_file", watched)
    settings = Settings(root=folder, targets=("sora-2",))
    results = list(fix_files(plan([folder], settings, out), settings, workers=jobs))
    return results, seen


def test_threads_write_what_one_file_at_a_time_writes(folder, tmp_path, monkeypatch):
    alone, one = _run(folder, tmp_path / "alone", 1, monkeypatch)
    threaded, many = _run(folder, tmp_path / "threads", 2, monkeypatch)
    assert one == {threading.get_ident()} and len(many - one) == 2  # inline, then both pool threads
    assert [(r.path, r.status, r.dest and Path(r.dest).name) for r in alone] == [
        (r.path, r.status, r.dest and Path(r.dest).name) for r in threaded
    ]
    statuses = [r.status for r in threaded]
    assert statuses.count(Status.FIXED) == 10 and statuses.count(Status.FAILED) == 2
    written = sorted(p.name for p in (tmp_path / "threads").iterdir())
    assert written == sorted(p.name for p in (tmp_path / "alone").iterdir()) and len(written) == 10
    for name in written:
        assert (tmp_path / "threads" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes(), name
