"""Ruff-style rule selection: prefixes in ``select``, ``ignore`` and ``extend-select``, the most specific wins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from sora_guard.vocabulary.model import Rule

__all__ = ["prefix_match", "select_rules", "unknown_selectors"]


def prefix_match(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector that is a prefix of ``code`` (``ALL`` matches as 0), -1 if none."""
    best = -1
    for sel in selectors:
        sel = sel.strip().upper()
        if sel == "ALL":
            best = max(best, 0)
        elif code.startswith(sel):
            best = max(best, len(sel))
    return best


def select_rules(
    rules: Iterable[Rule],
    select: Sequence[str] = ("ALL",),
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
) -> list[Rule]:
    """The rules enabled by ruff-style prefix selectors: the more specific of select and ignore wins.

    A rule selected by its whole code is marked ``named`` (its warnings' fixes apply). A rule that
    is ``always`` reported stays when deselected or ignored, for its errors only: a file that cannot
    be read as an image is never passed, whatever ``--select`` says.
    """
    named = {s.strip().upper() for s in (*select, *extend_select)}
    chosen = []
    for r in rules:
        if max(prefix_match(r.code, select), prefix_match(r.code, extend_select)) > prefix_match(
            r.code, ignore
        ):
            chosen.append(replace(r, named=True) if r.code in named else r)
        elif r.always:
            chosen.append(replace(r, only_errors=True))
    return chosen


def unknown_selectors(selectors: Iterable[str], rules: Iterable[Rule]) -> list[str]:
    """Selectors that match no known rule code (a typo in ``--select`` must not silently select nothing)."""
    codes = [r.code for r in rules]
    return [
        s
        for s in selectors
        if s.strip().upper() != "ALL" and not any(c.startswith(s.strip().upper()) for c in codes)
    ]
