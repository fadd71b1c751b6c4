"""Third-party plugins found through a real entry point: a dist-info folder on sys.path."""

from __future__ import annotations

import json
import re

import pytest
from support.images import marker, write
from support.plugins import STUDIO, install_plugin


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "site"
    install_plugin(site, "sora_guard_studio", {"studio": "sora_guard_studio"}, {"sora_guard_studio": STUDIO})
    return site


def test_plugin_rule_and_profile_are_used_by_the_cli(tmp_path, site, run_process):
    env = {"PYTHONPATH": str(site)}
    write(tmp_path / "work" / "wide.png", marker((1200, 500)))
    write(tmp_path / "work" / "banner.png", marker((1024, 512)))
    write(tmp_path / "work" / "square.jpg", marker((512, 512)))
    result = run_process(
        "check", "--profile", "studio", "--output-format", "json", cwd=tmp_path / "work", env=env
    )
    assert result.returncode == 1, result.stderr
    codes = {f["path"]: {d["code"] for d in f["diagnostics"]} for f in json.loads(result.stdout)["files"]}
    assert codes == {"banner.png": set(), "square.jpg": {"SG201"}, "wide.png": {"STU001", "SG101"}}
    listing = run_process("rules", env=env)
    assert "STU001  wider-than-two-to-one" in listing.stdout
    assert "Why: our compositor" in run_process("rules", "STU001", env=env).stdout
    assert re.search(r"^studio ", run_process("profiles", env=env).stdout, re.M)
    assert "our render farm" in run_process("profiles", "studio", env=env).stdout


def test_autoload_can_be_disabled_by_env_and_flag(tmp_path, site, run_process):
    env = {"PYTHONPATH": str(site)}
    assert "STU001" not in run_process("rules", "--no-plugins", env=env).stdout
    assert "STU001" not in run_process("rules", env={**env, "SORA_GUARD_DISABLE_PLUGIN_AUTOLOAD": "1"}).stdout
    assert "SG101" in run_process("rules", "--no-plugins", env=env).stdout  # built-ins always load
    missing = run_process("check", "--no-plugins", "--profile", "studio", env=env)
    assert missing.returncode == 2 and "unknown profile 'studio'" in missing.stderr


def test_a_broken_plugin_is_reported_and_skipped(tmp_path, site, run_process):
    install_plugin(
        site,
        "broken_plugin",
        {"broken": "broken_plugin"},
        {"broken_plugin": "raise RuntimeError('boom at import')\n"},
    )
    install_plugin(
        site,
        "wrong_hooks",
        {"wrong": "wrong_hooks"},
        {
            "wrong_hooks": "from sora_guard import hookimpl\n\n@hookimpl\ndef sora_guard_nonsense():\n    return []\n"
        },
    )
    install_plugin(
        site,
        "raising_hook",
        {"raiser": "raising_hook"},
        {
            "raising_hook": "from sora_guard import hookimpl\n\n@hookimpl\ndef sora_guard_rules():\n    raise KeyError('no rules today')\n"
        },
    )
    write(tmp_path / "a.jpg", marker((1280, 720)))
    result = run_process("check", "a.jpg", env={"PYTHONPATH": str(site)})
    assert result.returncode == 0, result.stderr
    assert "plugin 'broken'" in result.stderr and "boom at import" in result.stderr
    assert "plugin 'wrong'" in result.stderr and "sora_guard_nonsense" in result.stderr
    assert "plugin 'raiser' failed in sora_guard_rules" in result.stderr and "no rules today" in result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "STU001" in run_process("rules", env={"PYTHONPATH": str(site)}).stdout
    )  # the good plugin still loads


def test_builtins_register_through_the_entry_point_group():
    from importlib.metadata import entry_points

    from sora_guard.plugins.host import build_plugin_manager

    names = {ep.name: ep.value for ep in entry_points(group="sora_guard")}
    assert {"builtin-rules", "builtin-profiles", "builtin-reporters", "builtin-strategies"} <= set(names)
    pm = build_plugin_manager(autoload=False)
    assert {"builtin-rules", "builtin-profiles", "builtin-reporters", "builtin-strategies"} <= {
        n for n, _ in pm.list_name_plugin()
    }
