"""Throwaway git repositories for the hook tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["git", "git_env", "init_repo"]


def git_env(**extra: str) -> dict[str, str]:
    """The environment without the caller's GIT_* variables (a test must not touch another repo)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(extra)
    return env


def git(
    cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=check, capture_output=True, text=True, env=env or git_env()
    )


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    for key, value in (
        ("user.email", "test@example.com"),
        ("user.name", "test"),
        ("commit.gpgsign", "false"),
    ):
        git(path, "config", key, value)
    return path
