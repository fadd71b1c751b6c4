"""One validation for every door: selectors, strategy, output format, fractions, ``--out`` containment."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence

from sora_guard.config import Settings
from sora_guard.engine.fitting import output_format
from sora_guard.engine.selection import unknown_selectors
from sora_guard.vocabulary.exceptions import ConfigError, UsageError, lookup
from sora_guard.vocabulary.formats import is_url

__all__ = ["check_out", "fractions", "validate", "validate_reporter"]


def validate(settings: Settings) -> Settings:
    """Raise ConfigError when a selector, the profile, the strategy or convert-to (top level or any
    per-path table) cannot work; return ``settings`` unchanged otherwise."""
    registry = settings.registry
    bad = unknown_selectors(
        settings.select + settings.ignore + settings.extend_select, registry.rules.values()
    )
    if bad:
        raise UsageError(f"unknown rule selector(s): {', '.join(bad)} (see `sora-guard rules`)")
    variants = [("configuration", settings)]
    variants += [
        (f"per-path {o.pattern!r}", dataclasses.replace(settings, **o.values)) for o in settings.per_path
    ]
    for where, own in variants:
        try:
            lookup("strategy", own.strategy, registry.strategies)
            output_format(None, own.target(), own.convert_to)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return settings


def validate_reporter(name: str, reporters: Iterable[str]) -> str:
    """``name`` when it is a registered output format, else the usage error listing them."""
    if name not in reporters:
        raise UsageError(f"unknown output format {name!r}; known: {', '.join(sorted(reporters))}")
    return name


def fractions(value: str | Sequence[float] | None, count: int, option: str) -> tuple[float, ...] | None:
    """``count`` fractions from 0 to 1, from ``"0.1,0.2"`` or a sequence; None stays None."""
    if value is None:
        return None
    try:
        values = tuple(float(v) for v in (value.split(",") if isinstance(value, str) else value))
    except (TypeError, ValueError):
        values = ()
    if len(values) != count or not all(0.0 <= v <= 1.0 for v in values):
        raise UsageError(f"{option} takes {count} comma-separated fractions from 0 to 1, not {value!r}")
    return values


def check_out(roots: Iterable[str | os.PathLike], out: str | os.PathLike | None) -> None:
    """Refuse an ``--out`` folder that holds a path being fixed: its files would be taken for output."""
    if not out or is_url(os.fspath(out)):
        return
    folder = os.path.join(os.path.abspath(out), "")
    for root in roots:
        if os.path.join(os.path.abspath(root), "").startswith(folder):
            raise UsageError(
                f"{os.fspath(root)} is inside --out {os.fspath(out)}: its files would be taken for output and skipped;"
                " fix in place (no --out) or choose another folder"
            )
