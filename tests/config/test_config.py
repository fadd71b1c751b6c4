"""Configuration discovery, precedence, per-path overrides and errors, through the real CLI."""

from __future__ import annotations

import json

from support.images import marker, write


def _codes(result) -> dict[str, set[str]]:
    return {f["path"]: {d["code"] for d in f["diagnostics"]} for f in json.loads(result.stdout)["files"]}


def test_pyproject_table_is_found_walking_up(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.sora-guard]\nsize = "1920x1080"\nprofile = "sora-2-pro"\n'
    )
    sub = tmp_path / "deep" / "er"
    write(sub / "a.jpg", marker((1920, 1080)))
    write(sub / "b.jpg", marker((1280, 720)))
    result = run_cli("check", "--output-format", "json", cwd=sub)
    assert _codes(result) == {"a.jpg": set(), "b.jpg": {"SG101"}}


def test_pyproject_without_table_is_skipped(tmp_path, run_cli):
    (tmp_path / "sora-guard.toml").write_text('size = "720x1280"\n')
    inner = tmp_path / "pkg"
    (inner / "pyproject.toml").parent.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n')
    write(inner / "a.jpg", marker((1280, 720)))
    result = run_cli("check", cwd=inner)
    assert result.returncode == 1 and "target 720x1280" in result.stdout


def test_dot_file_wins_over_pyproject_in_the_same_folder(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text('[tool.sora-guard]\nsize = "720x1280"\n')
    (tmp_path / ".sora-guard.toml").write_text('size = "1280x720"\n')
    write(tmp_path / "a.jpg", marker((1280, 720)))
    assert run_cli("check").returncode == 0


def test_flags_override_the_file(tmp_path, run_cli):
    (tmp_path / "sora-guard.toml").write_text('size = "720x1280"\nignore = ["SG406"]\n')
    write(tmp_path / "a.png", marker((1280, 720), "RGBA"))
    assert run_cli("check").returncode == 1
    result = run_cli("check", "--size", "auto", "--output-format", "json")
    assert result.returncode == 0 and _codes(result) == {"a.png": set()}  # SG406 stays ignored
    assert run_cli("check", "--isolated", "--output-format", "json").stdout.count("SG406") == 1


def test_per_path_overrides_hold_landscape_and_portrait_folders(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.sora-guard]\n"
        'size = "1280x720"\n'
        '[tool.sora-guard.per-path."portrait/**"]\n'
        'size = "720x1280"\n'
        '[tool.sora-guard.per-path."legacy/*.png"]\n'
        'ignore = ["SG1"]\n'
    )
    write(tmp_path / "landscape" / "a.jpg", marker((1280, 720)))
    write(tmp_path / "portrait" / "deep" / "b.jpg", marker((720, 1280)))
    write(tmp_path / "portrait" / "c.jpg", marker((1280, 720)))
    write(tmp_path / "legacy" / "d.png", marker((640, 480)))
    result = run_cli("check", "--output-format", "json")
    assert _codes(result) == {
        "landscape/a.jpg": set(),
        "legacy/d.png": set(),
        "portrait/c.jpg": {"SG101"},
        "portrait/deep/b.jpg": set(),
    }


def test_exclude_and_force_exclude(tmp_path, run_cli):
    (tmp_path / "sora-guard.toml").write_text('size = "1280x720"\nextend-exclude = ["fixtures"]\n')
    write(tmp_path / "fixtures" / "bad.jpg", marker((10, 10)))
    write(tmp_path / "node_modules" / "bad.jpg", marker((10, 10)))
    write(tmp_path / "ok.jpg", marker((1280, 720)))
    assert run_cli("check").returncode == 0
    assert run_cli("check", "fixtures/bad.jpg").returncode == 1  # named explicitly: checked
    assert run_cli("check", "--force-exclude", "fixtures/bad.jpg").returncode == 0


def test_profile_tables_set_unverified_values_and_define_new_profiles(tmp_path, run_cli):
    (tmp_path / "sora-guard.toml").write_text(
        'profile = "gateway"\n'
        "[profiles.sora-2]\nmax-bytes = 100\n"
        '[profiles.gateway]\nsizes = ["640x480"]\nformats = ["PNG"]\n'
    )
    write(tmp_path / "a.png", marker((640, 480)))
    write(tmp_path / "b.jpg", marker((640, 480)))
    assert _codes(run_cli("check", "--output-format", "json")) == {"a.png": set(), "b.jpg": {"SG201"}}
    sora = run_cli("check", "--profile", "sora-2", "--size", "640x480", "--output-format", "json", "a.png")
    assert {"SG301", "SG105"} <= _codes(sora)["a.png"]


def test_unknown_key_and_bad_values_are_exit_2_naming_file_and_key(tmp_path, run_cli):
    cfg = tmp_path / "pyproject.toml"
    cases = {
        '[tool.sora-guard]\nsizes = "1280x720"\n': "unknown key 'sizes'",
        '[tool.sora-guard]\nsize = "big"\n': "bad value for 'size'",
        "[tool.sora-guard]\nmax-bytes = -3\n": "bad value for 'max-bytes'",
        '[tool.sora-guard.per-path."a/**"]\nselect = ["SG1"]\n': "unknown key 'select'",
        '[tool.sora-guard.profiles.x]\nsize = "1x1"\n': "unknown key 'size' in profiles.x",
        "[tool.sora-guard\n": "cannot read configuration",
    }
    for text, message in cases.items():
        cfg.write_text(text)
        result = run_cli("check")
        assert result.returncode == 2, text
        assert str(cfg) in result.stderr and message in result.stderr, (text, result.stderr)
        assert "Traceback" not in result.stderr


def test_explicit_config_flag(tmp_path, run_cli):
    other = tmp_path / "conf" / "custom.toml"
    other.parent.mkdir()
    other.write_text('size = "720x1280"\n')
    write(tmp_path / "a.jpg", marker((720, 1280)))
    assert run_cli("check", "--config", str(other)).returncode == 0
    assert run_cli("check").returncode == 0  # auto picks the portrait size too
    assert run_cli("check", "--config", "missing.toml").returncode == 2
