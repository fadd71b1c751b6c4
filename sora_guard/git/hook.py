"""``sora-guard install-hook``: a plain git pre-commit hook, for repositories without pre-commit."""

from __future__ import annotations

import os
import stat

from sora_guard.git.staged import run_git
from sora_guard.vocabulary.exceptions import GitError

__all__ = ["SCRIPT", "hook_path", "install"]

SCRIPT = """\
#!/bin/sh
# sora-guard pre-commit hook: checks the *staged* content of added or modified images (what the
# commit records, not the working tree) with the repository's sora-guard configuration.
# Install: sora-guard install-hook     Skip once: git commit --no-verify
# SORA_GUARD names the command to run (default: sora-guard on PATH).
set -- ${SORA_GUARD:-sora-guard}
if ! command -v "$1" >/dev/null 2>&1; then
    echo "sora-guard pre-commit hook: '$1' not found. Install sora-guard from its repository:" >&2
    echo '    python3 -m pip install "sora-guard @ git+https://github.com/sora-guard/sora-guard"' >&2
    echo "or set SORA_GUARD to the command (SORA_GUARD=/path/to/venv/bin/sora-guard)." >&2
    exit 1
fi
exec "$@" check --staged
"""


def hook_path() -> str:
    """Where git looks for this repository's pre-commit hook (``core.hooksPath`` honoured)."""
    top = os.fsdecode(run_git("rev-parse", "--show-toplevel").rstrip(b"\n"))
    try:
        folder = os.fsdecode(run_git("config", "--path", "core.hooksPath", cwd=top).rstrip(b"\n"))
    except GitError:  # not set
        folder = os.fsdecode(run_git("rev-parse", "--git-path", "hooks", cwd=top).rstrip(b"\n"))
    return os.path.join(top, folder, "pre-commit")


def install(force: bool = False) -> str:
    """Write the hook, executable; refuse to replace a different existing hook unless ``force``."""
    path = hook_path()
    try:
        with open(path, encoding="utf-8", errors="replace") as fp:
            existing = fp.read()
    except FileNotFoundError:
        existing = None
    if existing == SCRIPT:
        return f"sora-guard pre-commit hook already installed at {path}"
    if existing is not None and not force:
        raise GitError(
            f"{path} already exists; add the line `sora-guard check --staged` to it, or pass --force to replace it"
        )
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        fp.write(SCRIPT)
    mode = os.stat(path).st_mode
    os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return f"installed the sora-guard pre-commit hook at {path}"
