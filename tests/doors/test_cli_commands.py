"""The informational commands as a new user runs them: ``--statistics``, ``rules``, ``profiles``."""

from __future__ import annotations

import dataclasses
import json

from support.images import encode, marker, write

from sora_guard.vocabulary.model import Profile


def test_statistics_as_json_in_ruffs_shape(tmp_path, run_cli):
    write(tmp_path / "a.jpg", marker((1281, 720)))
    write(tmp_path / "b.jpg", marker((1300, 720)))
    write(tmp_path / "c.jpg", encode(marker((1280, 720)), "PNG"))
    result = run_cli("check", "--profile", "sora-2", "--statistics", "--output-format", "json")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout) == [
        {"code": "SG101", "name": "size-mismatch", "count": 2, "fixable": True, "fixable_count": 2},
        {"code": "SG202", "name": "extension-mismatch", "count": 1, "fixable": True, "fixable_count": 1},
    ]


def test_statistics_text_has_a_header_a_summary_and_explains_the_fix_mark(tmp_path, run_cli):
    write(tmp_path / "a.jpg", marker((1281, 720)))
    result = run_cli("check", "--profile", "sora-2", "--statistics", "--size", "1792x1024")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["count", "code", "rule"]
    assert "    1  SG101  [*] size-mismatch" in lines and "    1  SG105  [ ] size-not-rendered" in lines
    assert lines[-2].startswith("Found 2 errors")
    assert lines[-1] == "[*] fixable with `sora-guard fix`"


def test_rules_takes_a_prefix_or_a_name(tmp_path, run_cli):
    family = run_cli("rules", "SG1")
    assert family.returncode == 0, family.stderr
    codes = [line.split()[0] for line in family.stdout.splitlines()]
    assert codes and all(c.startswith("SG1") for c in codes) and "SG101" in codes
    as_json = json.loads(run_cli("rules", "sg4", "--output-format", "json").stdout)
    assert {r["code"] for r in as_json} >= {"SG401", "SG403"} and all(r["code"][:3] == "SG4" for r in as_json)
    by_name = run_cli("rules", "exif-orientation")
    assert by_name.returncode == 0 and by_name.stdout.startswith("SG403 exif-orientation [error")
    assert run_cli("rules", "enlarged").stdout.startswith("SG911 enlarged")
    unknown = run_cli("rules", "SG7")
    assert unknown.returncode == 2 and "not a code, a code prefix or a rule name" in unknown.stderr
    every = run_cli("rules", "ALL")  # as --select ALL takes it
    assert every.returncode == 0 and every.stdout == run_cli("rules").stdout


def test_profiles_mark_the_runs_targets_and_show_every_field(tmp_path, run_cli):
    shown_apart = ("name", "description", "notes", "facts", "lifecycle", "model_lifecycles")
    fields = [f.name.replace("_", "-") for f in dataclasses.fields(Profile) if f.name not in shown_apart]
    listing = run_cli("profiles")
    assert listing.returncode == 0, listing.stderr
    assert "(target)" not in listing.stdout  # none chosen
    kling = run_cli("profiles", "kling")
    lines = kling.stdout.splitlines()
    assert lines[0].startswith("kling: ")
    named = [
        line.split(":")[0].strip()
        for line in lines[1:]
        if line.startswith("  ") and not line.startswith("   ")
    ]
    assert named == ["status", *fields, "notes"]
    assert "  min-side:      300" in lines and "  max-bytes:     10485760" in lines
    (tmp_path / "pyproject.toml").write_text('[tool.sora-guard]\nprofile = ["kling", "veo"]\n')
    listing = run_cli("profiles").stdout
    assert (
        "\nkling (target) " in listing and "\nveo (target) " in listing and "sora-2 (target)" not in listing
    )
    assert run_cli("profiles", "nope").returncode == 2
