"""Where the check cache lands: beside the configuration, else in the working directory (as the
README says), and never inside the ``--out`` tree of a fix."""

from __future__ import annotations

import time
from pathlib import Path

from support.images import marker, write

from sora_guard.run.cache import RACY_SECONDS


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_without_configuration_the_cache_is_in_the_working_directory(tmp_path, run_cli):
    write(tmp_path / "assets" / "a.jpg", marker((1280, 720)))
    work = tmp_path / "work"
    work.mkdir()
    time.sleep(RACY_SECONDS + 0.2)  # files written just now are never cached
    assert run_cli("check", "../assets", cwd=work).returncode == 0
    assert (work / ".sora-guard-cache" / "CACHEDIR.TAG").is_file()
    assert not (tmp_path / "assets" / ".sora-guard-cache").exists()


def test_with_configuration_the_cache_is_beside_it(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text('[tool.sora-guard]\nsize = "1280x720"\n')
    write(tmp_path / "assets" / "a.jpg", marker((1280, 720)))
    time.sleep(RACY_SECONDS + 0.2)
    assert run_cli("check", ".", cwd=tmp_path / "assets").returncode == 0
    assert (tmp_path / ".sora-guard-cache" / "CACHEDIR.TAG").is_file()
    assert not (tmp_path / "assets" / ".sora-guard-cache").exists()


def test_fix_out_run_from_inside_the_out_folder_leaves_no_cache_there(tmp_path, run_cli):
    write(tmp_path / "src" / "ok.jpg", marker((1280, 720)))
    write(tmp_path / "src" / "wide.png", marker((1281, 720)))
    out = tmp_path / "fixed"
    out.mkdir()
    time.sleep(RACY_SECONDS + 0.2)
    for _ in range(2):  # the second run would find the cache the first one wrote
        proc = run_cli("fix", "../src", "--out", ".", cwd=out)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert _files(out) == {"ok.jpg", "wide.png"}, _files(out)


def test_fix_out_with_a_cache_dir_inside_the_out_folder_leaves_no_cache_there(tmp_path, run_cli):
    (tmp_path / "sora-guard.toml").write_text('cache-dir = "fixed/.cache"\n')
    write(tmp_path / "src" / "wide.png", marker((1281, 720)))
    write(tmp_path / "src" / "ok.png", marker((1280, 720)))
    time.sleep(RACY_SECONDS + 0.2)
    proc = run_cli("fix", "src", "--out", "fixed", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _files(tmp_path / "fixed") == {"ok.png", "wide.png"}, _files(tmp_path / "fixed")


def test_the_readme_says_where_the_cache_lands():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = " ".join(readme[readme.index("### The result cache") :].split()[:200])
    assert "with no configuration file, in the folder sora-guard is run from" in section
    assert "`fix --out DIR` never writes it inside `DIR`" in section
