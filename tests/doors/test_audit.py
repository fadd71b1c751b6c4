"""``sora-guard profiles --audit``: drift between the installed SDKs' model literals and the profiles shows
up in CI, against the SDK versions the ``test`` extra pins, and on a user's machine against theirs."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from sora_guard.builtin.profiles import BUILTIN_PROFILES
from sora_guard.guard import audit as audit_module
from sora_guard.guard.audit import Declaration, audit, declared_models

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("openai", "google-genai", "runwayml", "fal-client", "replicate", "luma-agents")


def pins() -> dict[str, Requirement]:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    return {r.name: r for r in map(Requirement, extra) if r.name in SDKS}


def test_the_test_extra_pins_every_sdk_with_an_upper_bound_and_they_are_installed():
    found = pins()
    assert set(found) == set(SDKS)
    for name, requirement in found.items():
        assert any(s.operator == "<" for s in requirement.specifier), f"{name}: no upper bound"
        assert requirement.specifier.contains(version(name)), f"{name} {version(name)} is not {requirement}"


def test_every_model_the_pinned_sdks_declare_is_mapped():
    found = audit(BUILTIN_PROFILES)
    assert [d.declaration.module for d in found.drifts if d.version is None] == []
    assert {m for d in found.drifts for m in d.unmapped} == set(), found.render()
    assert found.undeclared == {}, found.render()
    assert sum(len(d.declared) for d in found.drifts) > 100


@pytest.fixture
def sdk(tmp_path, monkeypatch):
    """An SDK as the audit reads one: a model alias and request types with model fields."""
    types = tmp_path / "fakesdk" / "types"
    types.mkdir(parents=True)
    (tmp_path / "fakesdk" / "__init__.py").write_text(
        "raise ImportError('the audit must not import the SDK')\n"
    )
    (types / "model.py").write_text(
        "from typing import Literal, Union\n"
        'Model = Union[str, Literal["ray-3.2", "uni-1", "ray-4"]]\n'
        'Other = Literal["not-a-model"]\n'
    )
    (types / "create_params.py").write_text(
        "from typing_extensions import Literal, Required, TypedDict\n"
        'class A(TypedDict):\n    model: Required[Literal["gen4.5"]]\n    ratio: Literal["16:9"]\n'
        'class B(TypedDict):\n    model: Required[Literal["gen9"]]\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return [
        Declaration("fakesdk", "fakesdk.types.model", "Model", ("luma",)),
        Declaration("fakesdk", "fakesdk.types.create_params", "model", ("runway-gen4",)),
        Declaration("absent-sdk", "absentsdk.types.model", "Model", ("kling",)),
    ]


def test_the_audit_finds_unmapped_literals_and_models_no_longer_declared(sdk):
    found = audit(BUILTIN_PROFILES, sdk)
    by_module = {d.declaration.module: d for d in found.drifts}
    assert by_module["fakesdk.types.model"].unmapped == ("ray-4",)
    assert by_module["fakesdk.types.create_params"].unmapped == ("gen9",)
    assert by_module["absentsdk.types.model"].version is None  # not installed: skipped, not drift
    assert found.undeclared == {"luma": ("uni-1-max",), "runway-gen4": ("gen4_turbo",)}
    assert not found.ok
    text = found.render()
    assert (
        "  unmapped: ray-4" in text and "2 unmapped models" in text and "absent-sdk (not installed)" in text
    )


def test_declared_models_reads_aliases_before_fields():
    source = 'from typing import Literal\nModel = Literal["a", "b"]\nclass X:\n    Model: Literal["c"]\n'
    assert declared_models(source, "Model") == {"a", "b"}
    assert declared_models("class X:\n    model: \"Literal['x']\"\n", "model") == set()  # a string annotation


def test_the_cli_reports_drift_and_exits_zero_unless_asked(sdk, monkeypatch, capsys, cli):
    assert cli(["profiles", "--isolated", "--audit"]) == 0
    assert "No drift" in capsys.readouterr().out
    monkeypatch.setattr(audit_module, "DECLARATIONS", tuple(sdk))
    assert cli(["profiles", "--isolated", "--audit"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  unmapped: gen9$", out, re.M)
    assert cli(["profiles", "--isolated", "--audit", "--exit-non-zero-on-drift"]) == 1
