"""Every install command in the README works from a clone of the repository (or from the repository
itself, which the test replaces by this checkout): nothing names a package index release that does
not exist."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from support.gitrepo import git
from support.images import marker, write

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
REPOSITORY = "https://github.com/sora-guard/sora-guard"
FROM_PYPI = {"pre-commit", "atheris"}
"""Other projects' packages the README installs from PyPI."""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def pip_installs() -> list[list[str]]:
    """The arguments of every ``pip install`` in the README, in code blocks and inline code."""
    found = re.findall(r"pip install ([^`\n&#]+)", README)
    return [shlex.split(args) for args in found]


def test_every_install_names_the_clone_or_the_repository():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    seen = 0
    for args in pip_installs():
        requirements = [a for a in args if not a.startswith("-")]
        for req in requirements:
            if req in FROM_PYPI:
                continue
            seen += 1
            local = re.fullmatch(r"\.(?:\[([\w,]+)\])?", req)
            remote = re.fullmatch(rf"sora-guard(?:\[([\w,]+)\])? @ git\+{re.escape(REPOSITORY)}", req)
            assert local or remote, f"README installs {req!r}, which no index has: install from a clone"
            named = (local or remote).group(1)
            assert not named or set(named.split(",")) <= extras, req
    assert seen >= 5


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh clone of this repository's committed state, as a new user gets it."""
    target = tmp_path_factory.mktemp("clone") / "sora-guard"
    git(ROOT.parent, "clone", "-q", str(ROOT), str(target))
    return target


CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
"""A user's shell: nothing points Python at this checkout."""


def _pip(python: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", *args],
        cwd=cwd,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_every_install_command_resolves_from_a_clone(clone):
    """Each requirement the README installs, resolved by pip as the user would run it (``--dry-run``:
    the dependencies are already installed for the tests). ``-e ".[test]"`` is what ``.ci/run``
    runs on every clean checkout, so it is left to CI."""
    local, remote = [], []
    for args in pip_installs():
        for req in (a for a in args if not a.startswith("-") and a not in FROM_PYPI):
            if req.startswith("."):
                local.append(req) if "-e" not in args else None
            else:  # pip wants a host in a file URL inside a requirement
                remote.append(req.replace(REPOSITORY, f"file://localhost{clone}"))
    assert local and remote
    for group in (sorted(set(local)), sorted(set(remote))):
        proc = _pip(sys.executable, ["--dry-run", *group], clone)
        assert proc.returncode == 0, (group, proc.stdout, proc.stderr)
        assert "does not provide the extra" not in proc.stdout + proc.stderr, group


def test_the_setup_command_installs_a_working_sora_guard(clone, tmp_path):
    """``python3 -m pip install . && sora-guard check path/to/images`` in a fresh virtualenv."""
    setup = re.search(r"```bash\n(.*?)```", README[README.index("## Set up") :], re.S).group(1)
    assert f"git clone {REPOSITORY} && cd sora-guard" in setup
    assert "python3 -m pip install . && sora-guard check path/to/images" in setup
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    proc = _pip(str(python), ["."], clone)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    write(tmp_path / "images" / "hero.jpg", marker((1281, 720)))
    check = subprocess.run(
        [
            str(env_dir / "bin" / "sora-guard"),
            "check",
            "--isolated",
            "--size",
            "1280x720",
            str(tmp_path / "images"),
        ],
        cwd=tmp_path,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 1 and "hero.jpg: SG101 [error] 1281x720" in check.stdout, check
    where = subprocess.run(
        [str(python), "-c", "import sora_guard; print(sora_guard.__file__)"],
        cwd=tmp_path,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(env_dir)), where.stdout  # the clone's copy, not the checkout's
