"""Shared fixtures: run the real CLI (in this process, or as a process of its own), and keep tests away
from the user's config."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))
# subprocesses (the CLI, pre-commit, workers) run the checkout under test, not whichever copy is installed
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS.parent), os.environ.get("PYTHONPATH")]))


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    """Run ``sora-guard ARGS`` in this process (``cli.main``, as flake8's tests run flake8) in ``cwd``
    (default: tmp_path) with ``env`` set, and return its exit code and output. ``stdin`` (bytes) is
    standard input."""
    from sora_guard.cli import main

    def run(*args: str, cwd: Path | None = None, env: dict | None = None, stdin: bytes = b"") -> Result:
        env = dict(env or {})
        with monkeypatch.context() as patch:
            patch.chdir(cwd or tmp_path)
            if "GITHUB_ACTIONS" not in env:
                patch.delenv("GITHUB_ACTIONS", raising=False)
            for key, value in env.items():
                patch.setenv(key, value)
            out, err = io.StringIO(), io.StringIO()
            patch.setattr(sys, "stdout", out)
            patch.setattr(sys, "stderr", err)
            patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
            code = main(list(args))
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def run_process(tmp_path):
    """Run ``python -m sora_guard ARGS`` as a process of its own, for tests of the process itself
    (start-up, signals, memory, the import path a plugin is installed on): exit code and output."""

    def run(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120) -> Result:
        env = dict(env or {})
        if "PYTHONPATH" in env:  # a plugin's folder, before the checkout under test (never instead of it)
            env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], os.environ["PYTHONPATH"]])
        full_env = {**os.environ, "PYTHONWARNINGS": "", **env}
        full_env.pop("GITHUB_ACTIONS", None) if "GITHUB_ACTIONS" not in env else None
        proc = subprocess.run(
            [sys.executable, "-m", "sora_guard", *args],
            cwd=cwd or tmp_path,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def cli():
    """``sora_guard.cli.main``, to call in this process with pytest's ``capsys`` (it changes no global
    state a later test could see: the process set-up puts the warnings display back)."""
    from sora_guard.cli import main

    return main


@pytest.fixture
def server():
    """The validating OpenAI-compatible service on 127.0.0.1 (``tests/support/openai_server.py``), recording requests."""
    from support.openai_server import OpenAIServer

    with OpenAIServer(lifetime=60) as s:
        yield s


@pytest.fixture
def client(server):
    """A real ``openai.OpenAI`` client pointed at ``server``."""
    from openai import OpenAI
    from support.openai_server import TEST_API_KEY

    with OpenAI(api_key=TEST_API_KEY, base_url=server.base_url, max_retries=0) as c:
        yield c
