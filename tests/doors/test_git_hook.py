"""The plain git hook (hooks/pre-commit, `sora-guard install-hook`) under real `git commit` calls.

It must check what the commit records, the staged blob, whatever the working tree holds.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support.gitrepo import git, git_env, init_repo
from support.images import marker, write

from sora_guard.git.hook import SCRIPT

ROOT = Path(__file__).resolve().parents[2]
GOOD, OFF_BY_ONE, PORTRAIT = (1280, 720), (1281, 720), (720, 1280)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def bin_dir(tmp_path) -> Path:
    """A PATH folder whose ``sora-guard`` runs this checkout, as an installed console script would."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "sora-guard"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sora_guard "$@"\n')
    script.chmod(0o755)
    return folder


TARGET = '[tool.sora-guard]\nprofile = "sora-2"\n'
"""The repository's configuration: a target with exact sizes (1280x720, 720x1280) and JPEG, PNG, WebP."""


@pytest.fixture
def repo(tmp_path, bin_dir) -> Path:
    path = init_repo(tmp_path / "repo")
    (path / "pyproject.toml").write_text(TARGET)
    proc = subprocess.run(
        [sys.executable, "-m", "sora_guard", "install-hook"],
        cwd=path,
        capture_output=True,
        text=True,
        env=git_env(),
    )
    assert proc.returncode == 0, proc.stderr
    assert "installed the sora-guard pre-commit hook" in proc.stdout
    return path


def commit(repo: Path, bin_dir: Path, **env: str) -> tuple[int, str]:
    """``git commit``: its exit code and everything it printed (git sends a hook's stdout to stderr)."""
    full = git_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(ROOT), **env)
    full.pop("SORA_GUARD", None) if "SORA_GUARD" not in env else None
    proc = git(repo, "commit", "-m", "add images", check=False, env=full)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout + proc.stderr


def commits(repo: Path) -> int:
    proc = git(repo, "rev-list", "--count", "HEAD", check=False)
    return int(proc.stdout) if proc.returncode == 0 else 0


def test_repository_hook_is_the_installed_script_and_executable():
    hook = ROOT / "hooks" / "pre-commit"
    assert hook.read_text() == SCRIPT
    assert hook.stat().st_mode & stat.S_IXUSR


def test_installed_hook_is_executable_and_reinstall_is_a_no_op(repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert hook.read_text() == SCRIPT and hook.stat().st_mode & stat.S_IXUSR
    proc = subprocess.run(
        [sys.executable, "-m", "sora_guard", "install-hook"], cwd=repo, capture_output=True, text=True
    )
    assert proc.returncode == 0 and "already installed" in proc.stdout


def test_bad_staged_image_blocks_the_commit_even_when_the_working_copy_is_fine(repo, bin_dir):
    write(repo / "assets" / "hero.png", marker(OFF_BY_ONE))
    git(repo, "add", "assets/hero.png")
    write(repo / "assets" / "hero.png", marker(GOOD))  # fixed on disk, but not staged
    code, out = commit(repo, bin_dir)
    assert code != 0, out
    assert "assets/hero.png: SG101 [error] 1281x720 does not match the target 1280x720" in out
    assert commits(repo) == 0


def test_good_staged_image_is_committed_even_when_the_working_copy_is_bad(repo, bin_dir):
    write(repo / "hero.jpg", marker(GOOD))
    git(repo, "add", "hero.jpg")
    write(repo / "hero.jpg", b"half-written garbage")  # broken on disk, but not staged
    code, out = commit(repo, bin_dir)
    assert code == 0, out
    assert commits(repo) == 1


def test_only_added_or_modified_images_are_checked_with_the_repository_config(repo, bin_dir):
    write(
        repo / "pyproject.toml",
        TARGET.encode()
        + b'extend-exclude = ["fixtures"]\n\n[tool.sora-guard.per-path."portrait/**"]\nsize = "720x1280"\n',
    )
    write(repo / "old.png", marker(OFF_BY_ONE))
    git(repo, "add", "old.png")
    git(repo, "commit", "-q", "--no-verify", "-m", "an image committed before the hook")
    write(repo / "portrait" / "p.png", marker(PORTRAIT))
    write(repo / "fixtures" / "broken.jpg", b"deliberately not an image")
    write(repo / "logo.svg", b"<svg/>")
    write(repo / "notes.txt", b"text")
    git(repo, "add", "-A")
    code, out = commit(repo, bin_dir)
    assert code == 0, out
    assert "All checks passed: 1 file." in out  # only portrait/p.png: old.png is unchanged

    git(repo, "mv", "old.png", "renamed.png")  # a rename adds the old content under a new path
    code, out = commit(repo, bin_dir)
    assert code != 0 and "renamed.png: SG101" in out, out

    git(repo, "rm", "-q", "--cached", "renamed.png")  # a deletion is not checked
    os.remove(repo / "renamed.png")
    git(repo, "add", "-A")
    code, out = commit(repo, bin_dir)
    assert code == 0, out


def test_awkward_staged_names_are_read_and_named_exactly(repo, bin_dir):
    write(repo / "ünï code" / "my photo.png", marker(OFF_BY_ONE))
    write(repo / "ok\nnewline.jpg", marker(GOOD))
    git(repo, "add", "-A")
    code, out = commit(repo, bin_dir)
    assert code != 0
    assert "ünï code/my photo.png: SG101 [error]" in out, out
    assert "in 1 file of 2 files" in out, out


def test_commit_all_and_commit_paths_check_what_they_would_record(repo, bin_dir):
    write(repo / "hero.jpg", marker(GOOD))
    git(repo, "add", "hero.jpg")
    assert commit(repo, bin_dir)[0] == 0
    write(repo / "hero.jpg", marker(OFF_BY_ONE))  # modified on disk only: git commit -a would record it
    env = git_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(ROOT))
    for args in (["-a"], ["--", "hero.jpg"]):
        proc = git(repo, "commit", "-m", "edit", *args, check=False, env=env)
        assert proc.returncode != 0 and "hero.jpg: SG101" in proc.stderr, (args, proc.stderr)
    assert commits(repo) == 1


def test_staged_paths_are_relative_to_the_working_directory(repo, bin_dir):
    write(repo / "a" / "b" / "bad.png", marker(OFF_BY_ONE))
    git(repo, "add", "-A")
    proc = subprocess.run(
        [sys.executable, "-m", "sora_guard", "check", "--staged"],
        cwd=repo / "a",
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith("b/bad.png: SG101 [error]"), proc.stdout


def test_sora_guard_variable_names_the_command(repo):
    write(repo / "hero.png", marker(OFF_BY_ONE))
    git(repo, "add", "hero.png")
    path = os.pathsep.join(
        [os.path.dirname(shutil.which("git")), "/usr/bin", "/bin"]
    )  # git and sh, no sora-guard
    env = git_env(PATH=path, PYTHONPATH=str(ROOT), SORA_GUARD=f"{sys.executable} -m sora_guard")
    proc = git(repo, "commit", "-m", "hero", check=False, env=env)
    assert proc.returncode != 0 and "hero.png: SG101" in proc.stderr, proc.stderr
    del env["SORA_GUARD"]
    proc = git(repo, "commit", "-m", "hero", check=False, env=env)
    assert proc.returncode != 0 and "'sora-guard' not found" in proc.stderr, proc.stderr


def test_a_missing_sora_guard_blocks_with_a_message(repo, bin_dir):
    write(repo / "hero.jpg", marker(GOOD))
    git(repo, "add", "hero.jpg")
    code, out = commit(repo, bin_dir, SORA_GUARD="no-such-sora-guard")
    assert code != 0
    assert "'no-such-sora-guard' not found. Install sora-guard from its repository:" in out
    assert "or set SORA_GUARD to the command" in out
    assert commits(repo) == 0


def test_the_hook_advises_an_install_command_that_works(repo):
    """With no sora-guard on the PATH git commits with, the hook stops the commit and names an
    install command of the README's (``tests/doors/test_readme_install.py`` resolves each of those
    from a clone), not ``pip install sora-guard``, which finds no release on PyPI."""
    write(repo / "hero.jpg", marker(GOOD))
    git(repo, "add", "hero.jpg")
    path = os.pathsep.join([os.path.dirname(shutil.which("git")), "/usr/bin", "/bin"])  # no sora-guard
    env = git_env(PATH=path)
    env.pop("SORA_GUARD", None)
    proc = git(repo, "commit", "-m", "hero", check=False, env=env)
    assert proc.returncode != 0 and commits(repo) == 0
    assert "'sora-guard' not found" in proc.stderr, proc.stderr
    advice = [shlex.split(line) for line in proc.stderr.splitlines() if "pip install" in line]
    assert len(advice) == 1, proc.stderr
    assert advice[0] == [
        "python3",
        "-m",
        "pip",
        "install",
        "sora-guard @ git+https://github.com/sora-guard/sora-guard",
    ]
    readme = (ROOT / "README.md").read_text()
    installed = {r for args in re.findall(r"pip install ([^`\n&#]+)", readme) for r in shlex.split(args)}
    assert advice[0][-1] in installed  # a requirement the README installs, so one the install test resolves


def test_install_hook_follows_core_hookspath(tmp_path, bin_dir):
    path = init_repo(tmp_path / "shared-hooks")
    (path / "pyproject.toml").write_text(TARGET)
    git(path, "config", "core.hooksPath", ".githooks")
    proc = subprocess.run(
        [sys.executable, "-m", "sora_guard", "install-hook"], cwd=path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert (path / ".githooks" / "pre-commit").read_text() == SCRIPT
    write(path / "hero.png", marker(OFF_BY_ONE))
    git(path, "add", "hero.png")
    code, out = commit(path, bin_dir)
    assert code != 0 and "hero.png: SG101" in out, out


def test_an_existing_hook_is_kept_unless_forced(tmp_path):
    path = init_repo(tmp_path / "repo")
    hook = path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "sora_guard", "install-hook", *a], cwd=path, capture_output=True, text=True
        )

    proc = run()
    assert proc.returncode == 2 and "already exists" in proc.stderr and "Traceback" not in proc.stderr
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"
    assert run("--force").returncode == 0 and hook.read_text() == SCRIPT


def test_staged_outside_a_repository_is_a_usage_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sora_guard", "check", "--staged"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=git_env(GIT_CEILING_DIRECTORIES=str(tmp_path.parent)),
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("sora-guard: error:") and "Traceback" not in proc.stderr
