"""``--show-settings``: the settings in effect for one file, each with where it came from."""

from __future__ import annotations

import enum
import os

from sora_guard.config.settings import KEYS, Settings
from sora_guard.vocabulary.model import Size

__all__ = ["show_settings"]


def _toml(value: object) -> str:
    """A setting's value as it would be written in ``[tool.sora-guard]``."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, (Size, str, enum.Enum)):
        return f'"{value}"'
    if isinstance(value, frozenset):
        value = sorted(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return repr(value)


def show_settings(settings: Settings, path: str | os.PathLike) -> str:
    """What ``sora-guard check --show-settings PATH`` prints: the configuration file, the plugins,
    every setting for ``path`` (its per-path tables applied) with its origin, the target and rules."""
    own = settings.for_path(path)
    registry = own.registry
    plugins = [name for name, _ in registry.pm.list_name_plugin() if not name.startswith("builtin-")]
    lines = [
        f"Settings for {os.fspath(path)}",
        f"  configuration: {own.source or 'none (defaults)'}",
        f"  root: {own.root}",
        f"  third-party plugins: {', '.join(sorted(plugins)) or 'none'}",
        "",
    ]
    width = max(map(len, KEYS))
    for key, (attribute, _) in KEYS.items():
        value = getattr(own, attribute)
        shown = '"auto"' if attribute == "size" and value is None else _toml(value)
        lines.append(f"{key:<{width}} = {shown}  # {own.origins.get(attribute, 'default') or 'the API'}")
    lines.append("")
    for target in own.all_targets():
        lines.append(
            f"# target: {target.describe()}, formats {', '.join(sorted(target.formats or ())) or 'any'}"
        )
    lines.append(f"# rules: {', '.join(r.code for r in own.rules())}")
    return "\n".join(lines) + "\n"
