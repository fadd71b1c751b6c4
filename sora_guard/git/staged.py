"""What a commit would record: the staged blobs of added or modified images, not the working tree."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from typing import IO, NamedTuple

from sora_guard.config import Settings
from sora_guard.vocabulary.exceptions import GitError
from sora_guard.vocabulary.formats import is_image_name

__all__ = ["StagedFile", "run_git", "staged_blobs", "staged_files"]

REGULAR_FILE_MODES = ("100644", "100755")  # symbolic links (120000) and submodules (160000) are not images


def run_git(*args: str, cwd: str | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    except FileNotFoundError:
        raise GitError("--staged needs git, and git is not on PATH") from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip() or f"exit code {proc.returncode}"
        raise GitError(f"git {args[0]} failed: {message}")
    return proc.stdout


class StagedFile(NamedTuple):
    """A staged regular file: its path relative to the working directory and its blob id."""

    path: str
    blob: str


def staged_files(settings: Settings) -> list[StagedFile]:
    """Staged added/modified image files (``--diff-filter=AMT``, no rename pairing), excludes applied."""
    top = os.fsdecode(run_git("rev-parse", "--show-toplevel").rstrip(b"\n"))
    try:
        base = run_git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", cwd=top).strip().decode()
    except GitError:  # no commit yet: everything staged is added, compared with the empty tree
        base = run_git("hash-object", "-t", "tree", "/dev/null", cwd=top).strip().decode()
    raw = run_git("diff-index", "--cached", "-z", "--no-renames", "--diff-filter=AMT", base, cwd=top)
    fields = raw.split(b"\0")
    found = []
    for meta, name in zip(fields[0::2], fields[1::2]):
        _, new_mode, _, new_blob, _ = meta.decode().lstrip(":").split(" ")
        path = os.path.relpath(os.path.join(top, os.fsdecode(name)))
        if new_mode in REGULAR_FILE_MODES and is_image_name(path) and not settings.is_excluded(path):
            found.append(StagedFile(path, new_blob))
    return found


def _read_blobs(files: list[StagedFile], limit: Callable[[str], int]) -> Iterator[tuple[StagedFile, bytes]]:
    """Each file's staged content, one object at a time through ``git cat-file --batch``; of a blob
    over its path's ``limit(path)`` bytes, only ``limit + 1`` are kept (the check refuses it, SG501)."""
    if not files:
        return
    proc = subprocess.Popen(["git", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    stdin: IO[bytes] = proc.stdin  # type: ignore[assignment]
    stdout: IO[bytes] = proc.stdout  # type: ignore[assignment]
    try:
        for item in files:
            stdin.write(item.blob.encode() + b"\n")
            stdin.flush()
            header = stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise GitError(f"git cat-file cannot read the staged content of {item.path}")
            size, keep = int(header[2]), limit(item.path) + 1
            data = stdout.read(min(size, keep))
            for _ in range(keep, size, 1 << 20):  # the rest of a blob too large to check, unkept
                stdout.read(min(1 << 20, size - _))
            stdout.read(1)  # the newline after each object
            yield item, data
    finally:
        stdin.close()
        stdout.close()
        proc.wait()


def staged_blobs(settings: Settings) -> Iterator[tuple[str, bytes]]:
    """``(path, content)`` of every added or modified image as staged, its path relative to here."""
    for item, data in _read_blobs(
        staged_files(settings), lambda path: settings.for_path(path).max_file_bytes
    ):
        yield item.path, data
