"""Shared fixtures: run the real CLI in a subprocess, and keep tests away from the user's config."""

from __future__ import annotations

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
def run_cli(tmp_path):
    """Run ``python -m sora_guard ARGS`` in ``cwd`` (default: tmp_path) and return its exit code and output."""

    def run(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120) -> Result:
        full_env = {**os.environ, "PYTHONWARNINGS": "", **(env or {})}
        full_env.pop("GITHUB_ACTIONS", None) if not (env and "GITHUB_ACTIONS" in env) else None
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
def cli(monkeypatch):
    """``sora_guard.cli.main`` to call in this process; the globals it sets (Pillow's pixel limit, how
    warnings are shown) are put back after the test."""
    import warnings

    from PIL import Image

    from sora_guard.cli import main

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
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
