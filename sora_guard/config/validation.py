"""One validation for every door: selectors, profile, strategy, output format, crop box, paths, ``--out``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sora_guard.config import Settings
from sora_guard.config.settings import PathOverride, located
from sora_guard.engine.outputs import output_format
from sora_guard.engine.selection import unknown_selectors
from sora_guard.vocabulary.exceptions import ConfigError, UsageError, lookup
from sora_guard.vocabulary.formats import is_url

__all__ = [
    "check_out",
    "common_fit",
    "existing",
    "fit_fractions",
    "fractions",
    "validate",
    "validate_reporter",
]

_SELECTORS = {"select": "select", "ignore": "ignore", "extend_select": "extend-select"}
"""Rule selector settings: attribute -> configuration key."""


def _bad(where: str, key: str, why: object) -> ConfigError:
    """The one shape of a validation error: ``WHERE: bad value for 'KEY': WHY`` (no WHERE for the API)."""
    return ConfigError(located(where, f"bad value for {key!r}: {why}"))


_CHECKS = {
    ("targets", "profile"): lambda s: s.all_targets(),
    ("strategy", "strategy"): lambda s: lookup("strategy", s.strategy, s.registry.strategies),
    ("convert_to", "convert-to"): lambda s: [output_format(None, t, s.convert_to) for t in s.all_targets()],
}
"""Settings that must name something that exists and works, each checked by resolving it:
(attribute, configuration key) -> the check."""


def validate(settings: Settings) -> Settings:
    """Raise ConfigError when a selector, the profile, the strategy or convert-to (top level or any
    per-path table) cannot work; return ``settings`` unchanged otherwise. The message names where
    the value came from (the file, per-path table, or ``command line``) and its key."""
    registry = settings.registry
    for attribute, key in _SELECTORS.items():
        bad = unknown_selectors(getattr(settings, attribute), registry.rules.values())
        if bad:
            why = f"unknown rule selector(s): {', '.join(bad)} (see `sora-guard rules`)"
            raise _bad(settings.origins.get(attribute, ""), key, why)
    variants = [(settings.origins, settings)]
    variants += [
        ({**settings.origins, **dict.fromkeys(o.values, _table(settings, o))}, replace(settings, **o.values))
        for o in settings.per_path
    ]
    for origins, own in variants:
        for (attribute, key), check in _CHECKS.items():
            try:
                check(own)
            except ValueError as exc:
                where = origins.get(attribute) or origins.get("formats") or origins.get("targets", "")
                raise _bad(where, key, exc) from None
    return settings


def validate_reporter(name: str, reporters: Iterable[str], where: str = "") -> str:
    """``name`` when it is a registered output format, else the usage error listing them."""
    if name not in reporters:
        raise _bad(
            where, "output-format", f"unknown output format {name!r}; known: {', '.join(sorted(reporters))}"
        )
    return name


def fractions(
    value: str | Sequence[float] | None, count: int, key: str, where: str = ""
) -> tuple[float, ...] | None:
    """``count`` fractions from 0 to 1, from ``"0.1,0.2"`` or a sequence; None stays None."""
    if value is None:
        return None
    try:
        values = tuple(float(v) for v in (value.split(",") if isinstance(value, str) else value))
    except (TypeError, ValueError):
        values = ()
    if len(values) != count or not all(0.0 <= v <= 1.0 for v in values):
        raise _bad(where, key, f"expected {count} comma-separated fractions from 0 to 1, not {value!r}")
    return values


def fit_fractions(
    settings: Settings,
    anchor: str | Sequence[float] | None,
    crop_box: str | Sequence[float] | None,
    where: str = "",
) -> tuple[tuple[float, ...] | None, tuple[float, ...] | None]:
    """The anchor and crop box for ``fix`` and ``preview``, checked: a box must be left < right and
    top < bottom, and the ``crop`` strategy (top level or any per-path table) needs one."""
    point, box = fractions(anchor, 2, "anchor", where), fractions(crop_box, 4, "crop-box", where)
    if box is not None and not (box[0] < box[2] and box[1] < box[3]):
        raise _bad(
            where,
            "crop-box",
            f"left,top,right,bottom with left < right and top < bottom, not {','.join(f'{v:g}' for v in box)}",
        )
    strategies = [(settings.origins.get("strategy", ""), settings.strategy)]
    strategies += [
        (_table(settings, o), o.values["strategy"]) for o in settings.per_path if "strategy" in o.values
    ]
    for origin, strategy in strategies:
        if strategy == "crop" and box is None:
            why = "crop needs a crop box: --crop-box L,T,R,B (crop_box= in the API), fractions of the picture as displayed"
            raise _bad(origin, "strategy", why)
    return point, box


def common_fit(settings: Settings, where: str = "") -> None:
    """Refuse targets ``fix`` cannot satisfy at once (top level, or with any per-path table): a
    ``ConfigError`` saying why (``no size every target takes (sora-2 1280x720, ...)``)."""
    variants = [(settings.origins.get("targets", where), settings)]
    variants += [(_table(settings, o), settings._with_tables((i,))) for i, o in enumerate(settings.per_path)]
    for origin, own in variants:
        try:
            own.fit_target()
        except ValueError as exc:
            names = ", ".join(own.targets)
            raise _bad(
                origin, "profile", f"fix needs an image {names} all accept, and there is none: {exc}"
            ) from None


def _table(settings: Settings, override: PathOverride) -> str:
    """Where a per-path table's values come from: ``FILE: per-path.'GLOB'``."""
    return located(str(settings.source or ""), f"per-path.{override.pattern!r}")


def existing(paths: Iterable[str | os.PathLike]) -> list[str]:
    """``paths`` as strings, when each local one exists (a dangling link counts: the check reports it);
    a usage error naming those that do not. URLs and ``-`` (standard input) are not looked up here."""
    paths = [os.fspath(p) for p in paths]
    missing = [p for p in paths if p != "-" and not is_url(p) and not os.path.lexists(p)]
    if missing:
        raise UsageError("; ".join(f"{p}: no such file or folder" for p in missing))
    return paths


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
