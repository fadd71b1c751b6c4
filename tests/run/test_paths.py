"""Hostile trees: broken and looping symbolic links, links out of the tree, unreadable folders,
non-UTF-8 names and files that vanish mid-run. Each is a diagnostic; the run goes on; exit codes
keep their meaning (1 only for errors)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from PIL import Image
from support.images import write

import sora_guard
from sora_guard.config import Settings
from sora_guard.run.check import check_files
from sora_guard.run.discovery import discover

GOOD = Image.new("RGB", (1280, 720), (20, 90, 160))
ISOLATED = ("--isolated", "--no-plugins", "--no-cache", "--profile", "sora-2")


def _json(result) -> dict:
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return {entry["path"]: entry["diagnostics"] for entry in json.loads(result.stdout)["files"]}


@pytest.fixture
def tree(tmp_path) -> Path:
    """tree/ with good files, a link out to outside/, a broken link, a link loop and a folder loop."""
    root = tmp_path / "tree"
    write(root / "good.jpg", GOOD)
    write(root / "sub" / "in.jpg", GOOD)
    write(tmp_path / "outside" / "secret.jpg", GOOD)
    os.symlink("../outside/secret.jpg", root / "out.jpg")
    os.symlink("../outside", root / "outdir")
    os.symlink("nowhere.jpg", root / "broken.jpg")
    os.symlink("loop2.jpg", root / "loop1.jpg")
    os.symlink("loop1.jpg", root / "loop2.jpg")
    os.symlink("..", root / "sub" / "up")
    os.symlink("sub/in.jpg", root / "inside.jpg")
    return root


def test_links_out_of_the_tree_are_not_followed(tree, run_cli):
    files = _json(run_cli("check", *ISOLATED, "--output-format", "json", ".", cwd=tree))
    codes = {path: [(d["code"], d["severity"]) for d in diags] for path, diags in files.items()}
    assert codes["out.jpg"] == [("SG501", "warning")] and "not followed" in files["out.jpg"][0]["message"]
    assert codes["outdir"] == [("SG501", "warning")]
    assert (
        codes["broken.jpg"] == [("SG501", "error")]
        and "broken symbolic link" in files["broken.jpg"][0]["message"]
    )
    assert codes["loop1.jpg"] == codes["loop2.jpg"] == [("SG501", "error")]
    assert "symbolic link loop" in files["loop1.jpg"][0]["message"]
    assert codes["sub/up"] == [("SG501", "warning")] and "loop" in files["sub/up"][0]["message"]
    assert (
        codes["good.jpg"] == codes["sub/in.jpg"] == codes["inside.jpg"] == []
    )  # a link inside the tree is fine
    assert not any(path.startswith("outdir/") for path in files)


def test_only_warnings_exit_zero(tmp_path, run_cli):
    write(tmp_path / "tree" / "good.jpg", GOOD)
    write(tmp_path / "outside" / "secret.jpg", GOOD)
    os.symlink("../outside/secret.jpg", tmp_path / "tree" / "out.jpg")
    result = run_cli("check", *ISOLATED, "tree")
    assert result.returncode == 0 and "SG501 [warning]" in result.stdout


def test_follow_symlinks_reads_out_of_the_tree_and_cuts_loops(tree, run_cli):
    os.symlink(
        "../tree", tree.parent / "outside" / "back"
    )  # outside/back -> tree: a loop through the outside
    result = run_cli("check", *ISOLATED, "--follow-symlinks", "--output-format", "json", ".", cwd=tree)
    files = _json(result)
    assert files["out.jpg"] == [] and files["outdir/secret.jpg"] == []
    assert [d["code"] for d in files["sub/up"]] == ["SG501"]
    assert not any(
        path.startswith("outdir/back/") for path in files
    )  # the way back in is walked once, as "."
    (tree / "sora-guard.toml").write_text("follow-symlinks = true\n")
    assert "outdir/secret.jpg" in _json(
        run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=tree)
    )


def test_a_link_named_on_the_command_line_is_followed(tree, run_cli):
    result = run_cli("check", *ISOLATED, "out.jpg", cwd=tree)
    assert result.returncode == 0 and "SG501" not in result.stdout


def test_python_api_reports_skipped_paths(tree):
    report = sora_guard.check_paths([tree])
    by_path = {os.path.relpath(f.path, tree): f for f in report.files}
    assert [d.severity.value for d in by_path["out.jpg"].diagnostics] == ["warning"]
    assert not by_path["broken.jpg"].ok


def _unprivileged() -> list[str]:
    """A command prefix under which permission bits apply (root ignores them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits cannot be tested")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_unreadable_folder_and_file_are_errors_and_the_rest_is_checked(tmp_path):
    root = tmp_path / "tree"
    write(root / "good.jpg", GOOD)
    write(root / "locked" / "hidden.jpg", GOOD)
    write(root / "secret.jpg", GOOD)
    (root / "locked").chmod(0)
    (root / "secret.jpg").chmod(0)
    try:
        proc = subprocess.run(
            [
                *_unprivileged(),
                sys.executable,
                "-m",
                "sora_guard",
                "check",
                *ISOLATED,
                "--output-format",
                "json",
                ".",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        (root / "locked").chmod(0o755)
        (root / "secret.jpg").chmod(0o644)
    assert proc.returncode == 1, proc.stderr
    files = {e["path"]: e["diagnostics"] for e in json.loads(proc.stdout)["files"]}
    assert files["good.jpg"] == []
    locked = next(e for e in json.loads(proc.stdout)["files"] if e["path"] == "locked")
    assert locked.get("folder") is True  # a folder, reported as one and not counted as a file
    assert files["locked"][0]["code"] == "SG501" and files["locked"][0]["message"].startswith(
        "cannot read folder:"
    )
    assert json.loads(proc.stdout)["summary"]["folders_not_read"] == 1
    assert (
        files["secret.jpg"][0]["code"] == "SG501" and "permission denied" in files["secret.jpg"][0]["message"]
    )


NAMES = [b"caf\xe9.jpg", b"\xff\xfe.png", "日本.jpg".encode(), b"a\nb.jpg", b"quo\"te's %20.jpg"]


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_non_utf8_names_end_to_end(tmp_path, run_cli, fmt):
    folder = os.fsencode(tmp_path / "names")
    os.makedirs(folder)
    for name in NAMES:
        with open(os.path.join(folder, name), "wb") as fp:
            GOOD.resize((100, 100)).save(fp, "PNG" if name.endswith(b".png") else "JPEG")
    result = run_cli("check", *ISOLATED, "--output-format", fmt, "names")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    if fmt == "sarif":
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(result.stdout)["runs"][0]["results"]
        }
        assert {unquote_to_bytes(u) for u in uris} == {
            b"names/" + n for n in NAMES
        }  # the exact bytes come back
    elif fmt == "json":
        paths = {e["path"] for e in json.loads(result.stdout)["files"]}
        assert "names/caf\\xe9.jpg" in paths and "names/日本.jpg" in paths and len(paths) == len(NAMES)
    else:
        assert "caf\\xe9.jpg" in result.stdout and "日本.jpg" in result.stdout
        assert "a\\x0ab.jpg" in result.stdout and not any(
            line.startswith("b.jpg") for line in result.stdout.splitlines()
        )


def test_files_vanishing_between_discovery_and_probe(tmp_path):
    for i in range(20):
        write(tmp_path / f"{i:02d}.jpg", GOOD)
    settings = Settings(root=tmp_path, targets=("sora-2",))
    paths = list(discover([tmp_path], settings))
    for path in paths[::2]:
        os.unlink(path)
    report = check_files(paths, settings, jobs=2)
    assert len(report.files) == 20
    for i, f in enumerate(report.files):
        if i % 2 == 0:
            assert [d.code for d in f.diagnostics] == ["SG501"] and "does not exist" in f.diagnostics[
                0
            ].message
        else:
            assert f.ok


def test_files_vanishing_while_the_cli_runs(tmp_path, run_process):
    """Files disappear and reappear (atomically) all through a run over the process pool: another
    process's run, so this one's writer keeps its pace."""
    folder = tmp_path / "churn"
    folder.mkdir()
    data = write(tmp_path / "seed.jpg", GOOD).read_bytes()
    for i in range(300):
        (folder / f"{i:03d}.jpg").write_bytes(data)
    stop = threading.Event()
    flips = []

    def churn():
        i = 0
        while not stop.is_set():
            path = folder / f"{i % 300:03d}.jpg"
            path.unlink(missing_ok=True)
            stop.wait(0.001)
            (folder / ".tmp").write_bytes(data)
            os.replace(folder / ".tmp", path)
            flips.append(i)
            i += 7

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        result = run_process("check", *ISOLATED, "-j", "2", "--output-format", "json", "churn")
    finally:
        stop.set()
        thread.join()
    files = _json(result)
    assert 250 <= len(files) <= 300 and len(flips) > 50  # a file missing at discovery is not listed
    for path, diagnostics in files.items():
        assert diagnostics == [] or [d["code"] for d in diagnostics] == ["SG501"], (path, diagnostics)


def test_fix_reports_unreadable_folders_and_links_not_followed(tmp_path):
    root = tmp_path / "tree"
    write(root / "wide.jpg", GOOD.resize((1600, 900)))
    write(root / "locked" / "hidden.jpg", GOOD.resize((1600, 900)))
    write(tmp_path / "outside" / "secret.jpg", GOOD.resize((1600, 900)))
    os.symlink("../outside/secret.jpg", root / "out.jpg")
    command = [
        *_unprivileged(),
        sys.executable,
        "-m",
        "sora_guard",
        "fix",
        "--isolated",
        "--no-cache",
        "--profile",
        "sora-2",
        ".",
    ]
    (root / "locked").chmod(0)
    try:
        locked = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)
    finally:
        (root / "locked").chmod(0o755)
    assert locked.returncode == 1, locked.stdout + locked.stderr
    assert "locked: SG501 [error]" in locked.stdout and "out.jpg: SG501 [warning]" in locked.stdout
    assert "Fixing wide.jpg" in locked.stdout
    assert (tmp_path / "outside" / "secret.jpg").read_bytes() == (
        root / "locked" / "hidden.jpg"
    ).read_bytes()  # neither touched
    rerun = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0 and "Fixing locked/hidden.jpg" in rerun.stdout, (
        rerun.stdout
    )  # a warning alone exits 0
