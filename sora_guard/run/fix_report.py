"""What ``fix`` says: one file's outcome as text, and the end-of-run summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sora_guard.builtin.reporters import printable, skipped_sentence
from sora_guard.engine.fix import Status
from sora_guard.run.discovery import Skipped
from sora_guard.run.fix import FixResult
from sora_guard.vocabulary.model import ImageInfo, Severity

__all__ = ["Summary", "describe", "summarise"]


def _describe(info: ImageInfo | None) -> str:
    if info is None or info.stored is None:
        return "?"
    parts = [info.format or "?", str(info.displayed), info.mode or "?"]
    if info.orientation != 1:
        parts.append(f"orientation {info.orientation}")
    if info.byte_size is not None:
        parts.append(f"{info.byte_size:,} bytes")
    return " ".join(parts)


class Summary:
    """Running totals for the end-of-run summary: a run over many files keeps no per-file results."""

    __slots__ = ("status", "fixed", "failed", "dry_run")

    def __init__(self) -> None:
        self.status: Counter = Counter()
        self.fixed: Counter = Counter()
        self.failed: Counter = Counter()
        self.dry_run = False

    def add(self, result: FixResult) -> None:
        self.status[result.status] += 1
        self.dry_run |= result.dry_run
        if result.status is Status.FIXED:
            self.fixed.update(f"{d.code} {d.name}" for d in result.before.errors)
        elif result.status is Status.FAILED:
            self.failed.update(f"{d.code} {d.name}" for d in result.problems)

    def render(self, skipped: Iterable[Skipped] = ()) -> str:
        """Counts of fixed / already fine / failed files (and those a walk skipped), then per rule."""
        verb = "Would fix" if self.dry_run else "Fixed"
        kinds = Counter(item.reason for item in skipped)
        lines = [
            f"{verb} {self.status[Status.FIXED]} file(s); {self.status[Status.UNCHANGED]} already fine; {self.status[Status.FAILED]} failed."
            + skipped_sentence(kinds)
        ]
        for label, counts in (
            ("would fix" if self.dry_run else "fixed", self.fixed),
            ("failed", self.failed),
        ):
            for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {label:<9} {n:>5}  {key}")
        return "\n".join(lines) + "\n"


def summarise(results: Iterable[FixResult]) -> str:
    """The end-of-run summary of ``results`` (see :class:`Summary`)."""
    summary = Summary()
    for r in results:
        summary.add(r)
    return summary.render()


def describe(result: FixResult, diff: bool = False) -> str:
    """One file's outcome as text (empty for a file left as it was)."""
    p = printable  # a hostile file name cannot forge lines or break the terminal
    if result.status is Status.UNCHANGED:
        return ""
    if result.status is Status.FAILED:
        return "".join(f"{p(result.path)}: {d.code} [{d.name}] {p(d.message)}\n" for d in result.problems)
    name = p(result.path) if result.dest in (None, result.path) else f"{p(result.path)} -> {p(result.dest)}"
    codes = ", ".join(sorted({d.code for d in result.before.errors}))
    changes = f": {'; '.join(result.changes)}" if result.changes else ""
    # "Fixing <path>" for each file written: pre-commit's convention for fixers
    head = f"{name}: would fix {codes}{changes}" if result.dry_run else f"Fixing {name}: {codes}{changes}"
    lines = [head]
    lines += [f"  {d.code} [{d.name}] {p(d.message)}" for d in result.notes if d.severity is Severity.WARNING]
    if diff:
        lines.append(f"  --- {p(result.path)}  {_describe(result.before.info)}")
        lines.append(f"  +++ {p(result.dest)}  {_describe(result.after.info if result.after else None)}")
    return "\n".join(lines) + "\n"
