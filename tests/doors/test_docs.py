"""The README's rules and profiles tables say what the registry holds."""

from __future__ import annotations

import re
from pathlib import Path

from sora_guard.plugins.host import load_registry

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_rules_table_lists_every_rule_with_its_name_severity_and_fixability():
    rows = re.findall(r"^\| (SG\d{3}) \| ([\w-]+) \| ([\w /]+) \| (yes|no) \|", README, re.M)
    rules = load_registry(False).rules
    assert [code for code, *_ in rows] == list(rules)
    for code, name, severity, fix in rows:
        assert rules[code].name == name
        assert severity.startswith(rules[code].severity.value)
        assert (fix == "yes") is rules[code].fixable


def test_profiles_table_lists_every_builtin_profile():
    section = README[README.index("## Profiles") :]
    section = section[: section.index("\n## ")]
    listed = re.findall(r"^\| `([\w-]+)`", section, re.M)
    assert sorted(set(listed)) == sorted(load_registry(False).profiles)
