"""Folder excludes as ruff matches them: a pattern excludes a file when it matches the file's path, a
folder above it or one of their names, for walks and for paths named with ``--force-exclude`` alike."""

from __future__ import annotations

import pytest
from support.images import encode, marker, truncated, write

PATTERNS = ["fixtures/bad", "fixtures/bad/", "./fixtures/bad", "bad", "fixtures/b*", "fix*/b?d", "*/bad"]


@pytest.fixture
def tree(tmp_path):
    write(tmp_path / "fixtures" / "bad" / "truncated.jpg", truncated(encode(marker((1280, 720)), "JPEG")))
    write(tmp_path / "fixtures" / "bad" / "deeper" / "small.png", marker((10, 10)))
    write(tmp_path / "fixtures" / "good" / "ok.jpg", marker((1280, 720)))
    return tmp_path


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_folder_pattern_excludes_named_files_with_force_exclude(tree, run_cli, pattern):
    (tree / "pyproject.toml").write_text(f'[tool.sora-guard]\nextend-exclude = ["{pattern}"]\n')
    named = ["fixtures/bad/truncated.jpg", "fixtures/bad/deeper/small.png", "fixtures/good/ok.jpg"]
    hook = run_cli("check", "--force-exclude", *named)  # what both pre-commit hooks run
    assert hook.returncode == 0, hook.stdout + hook.stderr
    assert hook.stdout == "All checks passed: 1 file.\n", hook.stdout
    walk = run_cli("check")
    assert walk.stdout == "All checks passed: 1 file.\n", walk.stdout
    fix = run_cli("fix", "--force-exclude", *named)
    assert fix.returncode == 0 and "fixtures/bad" not in fix.stdout, fix.stdout + fix.stderr


def test_without_force_exclude_a_named_file_is_still_checked(tree, run_cli):
    (tree / "pyproject.toml").write_text('[tool.sora-guard]\nextend-exclude = ["fixtures/bad"]\n')
    proc = run_cli("check", "fixtures/bad/truncated.jpg")
    assert proc.returncode == 1 and "SG503" in proc.stdout, proc.stdout


@pytest.mark.parametrize("pattern", ["fixtures/ba", "ixtures/bad", "good/bad", "truncated"])
def test_a_pattern_matches_whole_names_only(tree, run_cli, pattern):
    (tree / "pyproject.toml").write_text(f'[tool.sora-guard]\nextend-exclude = ["{pattern}"]\n')
    proc = run_cli("check", "--force-exclude", "fixtures/bad/truncated.jpg")
    assert proc.returncode == 1 and "fixtures/bad/truncated.jpg: SG503" in proc.stdout, proc.stdout


def test_the_staged_hook_honours_folder_excludes(tree, run_cli):
    from support.gitrepo import git, init_repo

    init_repo(tree)
    (tree / "pyproject.toml").write_text('[tool.sora-guard]\nextend-exclude = ["fixtures/bad/"]\n')
    git(tree, "add", "-A")
    proc = run_cli("check", "--staged")
    assert proc.returncode == 0 and "fixtures/bad" not in proc.stdout, proc.stdout + proc.stderr
