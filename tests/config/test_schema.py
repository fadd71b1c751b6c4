"""The configuration's JSON schema (``sora-guard.schema.json``): generated from the settings' tables,
checked in, and held by a real validator to the README's examples, to bad configurations and to
what sora-guard itself accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from sora_guard.config import settings
from sora_guard.config.schema import SCHEMA_ID, config_schema, render

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "sora-guard.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

PYPROJECT = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "tool": {
            "type": "object",
            "properties": {"sora-guard": {"$ref": f"{SCHEMA_ID}#/definitions/settings"}},
        }
    },
}
"""pyproject.toml as SchemaStore's ``pyproject.json`` would check it: ``tool.sora-guard`` refers to
the settings in sora-guard's schema by its ``$id``."""


def _errors(schema: dict, document: object) -> list[str]:
    registry = Registry().with_resource(SCHEMA_ID, Resource.from_contents(SCHEMA))
    validator = jsonschema.Draft7Validator(schema, registry=registry)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def _readme_configurations() -> list[tuple[int, str, dict]]:
    """Every TOML block of the README that configures sora-guard (``[tool.sora-guard...]``, or keys
    of a sora-guard.toml): its line, its text and what it holds."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```toml\n(.*?)^```", text, re.M | re.S):
        document = tomllib.loads(match.group(1))
        tool = document.get("tool", {})
        if "sora-guard" in tool or not (tool or {"project", "build-system"} & document.keys()):
            found.append((text.count("\n", 0, match.start()) + 1, match.group(1), document))
    return found


def test_the_checked_in_schema_is_the_generated_one():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(config_schema()), (
        "sora-guard.schema.json is stale: run `python docs/make_schema.py`"
    )


def test_the_schema_is_draft_7_and_shaped_for_schemastore():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "https://json.schemastore.org/sora-guard.json"
    definitions = SCHEMA["definitions"]
    assert set(definitions["settings"]["properties"]) == {*settings.KEYS, "per-path", "profiles"}
    assert set(definitions["per-path"]["properties"]) == set(settings.PER_PATH_KEYS)
    assert set(definitions["profile"]["properties"]) == set(settings.PROFILE_KEYS)
    for table in definitions.values():
        assert table["additionalProperties"] is False
    quality = definitions["settings"]["properties"]["quality"]
    assert quality["description"] == settings.DESCRIPTIONS["quality"] and quality["default"] == 92
    assert {"cover", "smart"} <= set(definitions["settings"]["properties"]["strategy"]["examples"])


def test_a_setting_added_without_its_schema_fails(monkeypatch):
    monkeypatch.setitem(settings.KEYS, "max-frames", ("max_frames", lambda value: value))
    with pytest.raises(LookupError, match="'max-frames' needs its JSON schema"):
        config_schema()
    monkeypatch.setitem(settings.KEYS, "max-frames", ("max_frames", settings._positive_int))
    with pytest.raises(LookupError, match="DESCRIPTIONS"):
        config_schema()


def test_the_readme_configuration_examples_are_valid():
    examples = _readme_configurations()
    assert len(examples) >= 2, "the README's configuration examples were not found"
    for line, _, document in examples:
        assert _errors(SCHEMA, document) == [], f"README.md line {line}, as sora-guard.toml"
        if "tool" in document:
            assert _errors(PYPROJECT, document) == [], f"README.md line {line}, as pyproject.toml"
    keys = {key for *_, document in examples for key in document["tool"]["sora-guard"]}
    assert {"per-path", "profiles", "storage-options"} <= keys


def test_the_readme_configuration_examples_are_what_sora_guard_accepts(tmp_path, run_cli):
    for line, text, document in _readme_configurations():
        (tmp_path / ("pyproject.toml" if "tool" in document else ".sora-guard.toml")).write_text(text)
        result = run_cli("check", "--show-settings")
        assert result.returncode == 0, f"README.md line {line}: {result.stderr}"


def test_keys_may_stand_at_the_top_level_or_in_a_tool_table():
    assert _errors(SCHEMA, {"profile": "veo", "per-path": {"portrait/**": {"size": "720x1280"}}}) == []
    assert _errors(SCHEMA, {"tool": {"sora-guard": {"profile": "veo"}}}) == []
    assert _errors(SCHEMA, {"profile": ["veo", "kling"], "per-path": {"a/**": {"profile": ["veo"]}}}) == []


BAD = {
    "a misspelt key": ('profle = "veo"', "'profle' was unexpected"),
    "a key in kebab case typed in snake case": ("max_bytes = 1000", "'max_bytes' was unexpected"),
    "a byte limit with a unit": ('max-bytes = "10MB"', "is not of type 'integer'"),
    "a zero byte limit": ("max-bytes = 0", "less than the minimum of 1"),
    "a quality above 100": ("quality = 101", "greater than the maximum of 100"),
    "a boolean as a string": ('force-exclude = "yes"', "is not of type 'boolean'"),
    "a size that is not WxH": ('size = "1280*720"', "is not valid under any of the given schemas"),
    "an empty profile name": ('profile = ""', "is not valid under any of the given schemas"),
    "a colour of four channels": ("background = [0, 0, 0, 0]", "is not valid under any of the given schemas"),
    "a decode limit of zero seconds": ("max-decode-seconds = 0", "less than or equal to the minimum of 0"),
    "a rule list of numbers": ("ignore = [406]", "is not valid under any of the given schemas"),
    "a key per-path tables do not take": (
        '[per-path."a/**"]\nmax-pixels = 1000',
        "'max-pixels' was unexpected",
    ),
    "a misspelt per-path key": ('[per-path."a/**"]\nstrategy = "pad"\nbakground = "white"', "'bakground'"),
    "a per-path value that is not a table": ('per-path = { "a/**" = "720x1280" }', "is not of type 'object'"),
    "a misspelt profile field": ("[profiles.my-gateway]\nmax-byte = 1000", "'max-byte' was unexpected"),
    "a profile size that is not WxH": ('[profiles.my-gateway]\nsizes = ["720p"]', "is not valid under any"),
    "an aspect of one number": ("[profiles.my-gateway]\naspect = [1.5]", "is too short"),
    "an aspect written as a table": (
        "[profiles.my-gateway]\naspect = { min = 0.5, max = 2 }",
        "not of type 'array'",
    ),
    "storage options that are not a table": (
        '[storage-options]\ns3 = "eu-west-1"',
        "is not of type 'object'",
    ),
    "an endpoint mapped to a number": ('[endpoints]\n"fal-ai/acme/*" = 1', "is not of type 'string'"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_configuration_is_rejected_by_the_schema_and_by_sora_guard(case, tmp_path, run_cli):
    text, message = BAD[case]
    (tmp_path / "pyproject.toml").write_text(_in_tool_table(text))
    document = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    errors = _errors(PYPROJECT, document)
    assert any(message in error for error in errors), errors
    assert _errors(SCHEMA, tomllib.loads(text)) != []  # as a sora-guard.toml too
    result = run_cli("check", "--show-settings")
    assert result.returncode == 2 and "pyproject.toml" in result.stderr, result.stderr


def test_a_standalone_file_with_a_tool_table_takes_nothing_beside_it():
    assert _errors(SCHEMA, {"tool": {"sora-guard": {}}, "profile": "veo"}) != []
    assert _errors(SCHEMA, {"tool": {"black": {}}}) != []  # sora-guard would read `tool` as a key


SAMPLES = [0, 1, -1, 101, 1.5, 0.0, True, [], [1, 2], [16, 9], [0, 1], [32, 32, 32], {}, {"s3": {}}, {"a": 1}]
SAMPLES += ["", " ", "JPEG,PNG", "1280x720", "auto", "black", [""], ["a"], ["a", 1], {"a": "b"}]
"""Values of every type a TOML file can give a key, and strings of the shapes the settings take."""


@pytest.mark.parametrize(
    "key, parser",
    [
        *((k, p) for k, (_, p) in settings.KEYS.items()),
        *((f"profiles.{k}", p) for k, p in settings.PROFILE_KEYS.items()),
    ],
)
def test_the_schema_takes_what_the_parser_takes(key, parser):
    """A value sora-guard reads is never flagged by the schema, and a value of a type sora-guard
    refuses is flagged; only a string's meaning (a colour's name, a size of zero) is left to sora-guard,
    and lists of profiles, which the schema takes ahead of the parser."""
    validator = jsonschema.Draft7Validator(parser.schema)
    for value in SAMPLES:
        try:
            parser(value)
            read = True
        except ValueError:
            read = False
        if read:
            assert validator.is_valid(value), f"{key} = {value!r}: sora-guard reads it, the schema flags it"
        elif not _holds_strings(value) and not (key == "profile" and isinstance(value, list)):
            assert not validator.is_valid(value), (
                f"{key} = {value!r}: sora-guard refuses it, the schema takes it"
            )


def _holds_strings(value: object) -> bool:
    return isinstance(value, str) or (
        isinstance(value, (list, dict)) and any(isinstance(v, str) for v in value)
    )


def _in_tool_table(text: str) -> str:
    """``text``, keys of a sora-guard.toml, as pyproject.toml's ``[tool.sora-guard]`` table."""
    return "[tool.sora-guard]\n" + re.sub(r"^\[", "[tool.sora-guard.", text, flags=re.M) + "\n"


def test_a_flag_that_sets_a_key_is_described_as_the_schema_describes_the_key():
    from sora_guard.cli import OVERRIDES, build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    described = 0
    for command in ("check", "fix", "preview"):
        for action in commands[command]._actions:
            key = OVERRIDES.get(action.dest)
            if key is not None and key != "output-format":  # a report's format is each command's own
                assert action.help.startswith(settings.DESCRIPTIONS[key]), (command, action.dest)
                described += 1
    assert described > 30  # check, fix and preview
