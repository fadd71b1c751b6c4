"""``sora-guard profiles``: a short table of the profiles, and one profile in full: each value with its
sources, their level and the date they were read, and the lifecycle of the service and its models."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable

from sora_guard.vocabulary.model import Fact, Level, Lifecycle, Profile

__all__ = ["details", "table"]

MARKS = {Level.SECONDARY: "~", Level.UNVERIFIED: "?"}
LEVELS = {
    Level.SERVICE: "the service's own documentation or SDK (an error)",
    Level.SECONDARY: "secondary: third parties quoting the service's API agree (an error)",
    Level.UNVERIFIED: "unverified: a single third party (a warning)",
}
LEGEND = (
    "~ backed by secondary sources; ? unverified (a single third party: a warning, not an error); "
    "A/B bytes: a warning above A, an error above B (the two readings of the source's MB)\n"
    "`sora-guard profiles NAME` shows a profile's sources; a model name (gen4.5) names its profile too\n"
)
UNSOURCED = "no recorded source (configuration or a plugin): taken as given, an error when broken"
SHOWN_APART = ("name", "description", "notes", "facts", "lifecycle", "model_lifecycles")
"""Profile fields the full view shows in their own way rather than as ``field: value``."""


def _status(lifecycle: Lifecycle) -> str:
    return "live" if lifecycle.live else f"{lifecycle.state.value} {lifecycle.date}"


def _mark(profile: Profile, field: str) -> str:
    fact = profile.fact(field)
    return MARKS.get(fact.level, "") if fact else ""


def _shape(p: Profile) -> str:
    if p.sizes:
        shown = ", ".join(map(str, p.sizes[:2])) + (f" +{len(p.sizes) - 2}" if len(p.sizes) > 2 else "")
        return shown + _mark(p, "sizes")
    bounds = [f"aspect {p.aspect[0]:.3g}-{p.aspect[1]:.3g}{_mark(p, 'aspect')}"] if p.aspect else []
    bounds += [f">={p.min_side} px{_mark(p, 'min_side')}"] if p.min_side else []
    bounds += [f"<={p.max_side} px{_mark(p, 'max_side')}"] if p.max_side else []
    return ", ".join(bounds) or "any"


def _bytes(p: Profile) -> str:
    if not p.max_bytes:
        return "-"
    fact = p.fact("max_bytes")
    strict = f"{fact.strict:,}/" if fact and fact.strict else ""
    return f"{strict}{p.max_bytes:,}{_mark(p, 'max_bytes')}"


def table(profiles: Iterable[Profile], chosen: Collection[str]) -> str:
    """One line per profile: name (the run's targets marked), status with its date, sizes or aspect,
    formats, bytes."""
    rows = [("profile", "status", "sizes / aspect", "formats", "bytes")]
    for p in profiles:
        formats = ", ".join(sorted(p.formats)) + _mark(p, "formats") if p.formats else "any"
        name = p.name + (" (target)" if p.name in chosen else "")
        rows.append((name, _status(p.lifecycle), _shape(p), formats, _bytes(p)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[4] for r in rows]
    return "\n".join(lines) + "\n\n" + LEGEND


def _value(value: object) -> str:
    """One field's value: lists joined, unset values as ``-``."""
    if value is None or value == () or value == frozenset() or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, frozenset):
        return ", ".join(sorted(map(_value, value)))
    if isinstance(value, (tuple, list)):
        return ", ".join(map(_value, value))
    return str(value)


def _fact_lines(fact: Fact, indent: str) -> list[str]:
    lines = []
    if fact.strict is not None:
        lines.append(
            f"{indent}a warning above {fact.strict:,} bytes, an error above the value (two readings of the source)"
        )
    lines.append(f"{indent}{LEVELS[fact.level]}" + (f"; {fact.note}" if fact.note else ""))
    for source in fact.sources:
        says = f': "{source.says}"' if source.says else ""
        lines.append(f"{indent}  {source}{says}")
    return lines


def _lifecycle_lines(lifecycle: Lifecycle, indent: str) -> list[str]:
    return [
        f"{indent}  {source}" + (f': "{source.says}"' if source.says else "") for source in lifecycle.sources
    ]


def details(profile: Profile, chosen: Collection[str], asked: str | None = None) -> str:
    """Everything about ``profile``: each field with its value, then its level, note and sources; the
    service's lifecycle and that of each model no longer live; ``asked`` is the name it was asked for
    (a model name says which profile it resolved to)."""
    fields = [f.name for f in dataclasses.fields(profile) if f.name not in SHOWN_APART]
    width = max(len(f) for f in fields) + 2
    head = f"{profile.name}{' (target)' if profile.name in chosen else ''}: {profile.description}"
    if asked and asked.casefold() != profile.name.casefold():
        head = f"{asked} is a model of profile {profile.name}\n{head}"
    lines = [
        head,
        f"  {'status:':<{width}} {profile.lifecycle}",
        *_lifecycle_lines(profile.lifecycle, " " * (width + 3)),
    ]
    for name in fields:
        lines.append(f"  {name.replace('_', '-') + ':':<{width}} {_value(getattr(profile, name))}")
        fact, value = profile.fact(name), getattr(profile, name)
        if fact is not None:
            lines += _fact_lines(fact, " " * (width + 3))
        elif value not in (None, (), frozenset(), False):
            lines.append(f"{' ' * (width + 3)}{UNSOURCED}")
    for model in profile.model_lifecycles:
        lines.append(f"  {'model:':<{width}} {model.model}: {model}")
        lines += _lifecycle_lines(model, " " * (width + 3))
    if profile.notes:
        lines.append(f"  {'notes:':<{width}} {profile.notes}")
    return "\n".join(lines) + "\n"
