"""The configuration's JSON schema, made from the settings' own tables (their parsers' fragments,
descriptions and defaults); ``python docs/make_schema.py`` writes it to ``sora-guard.schema.json``."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from sora_guard.config.settings import (
    DESCRIPTIONS,
    KEYS,
    PER_PATH_KEYS,
    PROFILE_DESCRIPTIONS,
    PROFILE_KEYS,
    Settings,
)
from sora_guard.plugins.host import Registry, load_registry
from sora_guard.vocabulary.model import Size

__all__ = ["NAMED", "SCHEMA_ID", "config_schema", "render"]

SCHEMA_ID = "https://json.schemastore.org/sora-guard.json"
"""Where SchemaStore serves the schema; ``pyproject.json`` there refers to ``#/definitions/settings``."""
DOCS = "https://github.com/sora-guard/sora-guard#configuration"

NAMED = {"profile": "profiles", "strategy": "strategies", "output-format": "reporters"}
"""Keys whose values name a registered plugin (key -> ``Registry`` attribute): the schema offers
the built-in names as examples, shell completion the installed ones."""


def config_schema(registry: Registry | None = None) -> dict[str, Any]:
    """The JSON schema (draft-07, SchemaStore's) of ``sora-guard.toml`` and ``.sora-guard.toml``:
    the keys at the top level or in a ``[tool.sora-guard]`` table; pyproject's table is
    ``#/definitions/settings``. ``registry`` (default: the built-ins) names the examples."""
    registry = registry or load_registry(autoload=False)
    defaults = {
        f.name: f.default for f in dataclasses.fields(Settings) if f.default is not dataclasses.MISSING
    }
    properties = {}
    for key, (attribute, parser) in KEYS.items():
        properties[key] = _property(key, parser, DESCRIPTIONS)
        if defaults.get(attribute) is not None:
            properties[key]["default"] = _json(defaults[attribute])
        if key in NAMED:
            properties[key]["examples"] = sorted(getattr(registry, NAMED[key]))
    settings = {
        "type": "object",
        "description": "sora-guard's settings; command-line flags override them",
        "properties": {
            **properties,
            "per-path": {
                "type": "object",
                "description": "settings for the files whose path (relative to the configuration's folder) "
                "matches a glob; every matching table applies, in file order",
                "additionalProperties": {"$ref": "#/definitions/per-path"},
            },
            "profiles": {
                "type": "object",
                "description": "fields of a profile, set by configuration, or a profile of your own",
                "additionalProperties": {"$ref": "#/definitions/profile"},
            },
        },
        "additionalProperties": False,
    }
    per_path = {
        "type": "object",
        "description": "the settings a per-path table may set",
        "properties": {key: {"$ref": f"#/definitions/settings/properties/{key}"} for key in PER_PATH_KEYS},
        "additionalProperties": False,
    }
    profile = {
        "type": "object",
        "description": "what a target service accepts",
        "properties": {
            key: _property(key, parser, PROFILE_DESCRIPTIONS) for key, parser in PROFILE_KEYS.items()
        },
        "additionalProperties": False,
    }
    in_tool_table = {
        "type": "object",
        "properties": {"sora-guard": {"$ref": "#/definitions/settings"}},
        "required": ["sora-guard"],
        "additionalProperties": False,
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "sora-guard configuration",
        "description": "sora-guard.toml or .sora-guard.toml (keys at the top level or in [tool.sora-guard]); "
        f"in pyproject.toml, the [tool.sora-guard] table\n{DOCS}",
        "type": "object",
        "if": {"properties": {"tool": True}, "required": ["tool"]},
        "then": {"properties": {"tool": in_tool_table}, "additionalProperties": False},
        "else": {"$ref": "#/definitions/settings"},
        "definitions": {"settings": settings, "per-path": per_path, "profile": profile},
    }


def render(schema: Mapping[str, Any]) -> str:
    """The schema as the checked-in file holds it."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _property(key: str, parser: Callable, descriptions: Mapping[str, str]) -> dict[str, Any]:
    """A key's schema: its description, then the fragment its parser accepts."""
    fragment = getattr(parser, "schema", None)
    if fragment is None or key not in descriptions:
        raise LookupError(
            f"setting {key!r} needs its JSON schema: a fragment on its parser (@accepts in "
            "config/settings.py) and a line in DESCRIPTIONS (PROFILE_DESCRIPTIONS for a profile field)"
        )
    return {"description": descriptions[key], **fragment}


def _json(value: Any) -> Any:
    """A default as the configuration file would write it."""
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    if isinstance(value, Size):
        return str(value)
    return value
