"""Several targets at once: each file checked against each, one fix that every target accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from support.images import encode, marker, write

import sora_guard
from sora_guard.plugins.host import load_registry
from sora_guard.vocabulary.exceptions import ConfigError
from sora_guard.vocabulary.model import common_profile

ROOT = Path(__file__).parents[2]


def _files(report_json: str) -> dict[str, list[dict]]:
    return {f["path"]: f["diagnostics"] for f in json.loads(report_json)["files"]}


def test_each_file_against_each_target_and_each_finding_names_its_target(tmp_path, run_cli):
    write(tmp_path / "intro.gif", marker((1280, 720)))
    write(tmp_path / "hero.jpg", marker((1281, 720)))
    args = ("check", "--isolated", "--no-cache", "--size", "1280x720", "--output-format", "json")
    found = _files(run_cli(*args, "--profile", "veo,kling", ".").stdout)
    formats = [d for d in found["intro.gif"] if d["code"] == "SG201"]
    assert [d["target"] for d in formats] == ["veo", "kling"]  # the GIF is refused by each, by name
    (size,) = [d for d in found["hero.jpg"] if d["code"] == "SG101"]
    assert "target" not in size and size["message"].endswith("(veo, kling)")  # shared: said once
    one = _files(run_cli(*args, "--profile", "veo", ".").stdout)
    assert [d["code"] for d in one["intro.gif"]].count("SG201") == 1
    assert all("target" not in d for ds in one.values() for d in ds)  # one target: nothing to name


def test_targets_from_configuration_per_path_and_the_flag_replacing_them(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sora-guard]\nprofile = ["veo", "kling"]\n\n'
        '[tool.sora-guard.per-path."stills/**"]\nprofile = ["stability-i2v"]\n'
    )
    write(tmp_path / "stills" / "a.gif", marker((1000, 1000)))
    write(tmp_path / "shots" / "b.gif", marker((1280, 720)))
    found = _files(run_cli("check", "--no-cache", "--output-format", "json", ".").stdout)
    assert {d.get("target") for d in found["shots/b.gif"] if d["code"] == "SG201"} == {"veo", "kling"}
    assert any("stability-i2v" in d["message"] for d in found["stills/a.gif"])
    flagged = _files(
        run_cli("check", "--no-cache", "--output-format", "json", "--profile", "kling", ".").stdout
    )
    assert not any("stability-i2v" in d["message"] for d in flagged["stills/a.gif"])  # the flag wins
    assert [d["code"] for d in flagged["stills/a.gif"]].count("SG201") == 1
    shown = run_cli("check", "--show-settings", "stills/a.gif").stdout
    assert 'profile            = ["stability-i2v"]' in shown and "# target: stability-i2v" in shown


def test_fix_fits_to_what_every_target_accepts(tmp_path, run_cli):
    write(
        tmp_path / "tall.png", marker((300, 1000))
    )  # aspect 0.3: too tall for kling (0.4) and runway-gen4 (0.5)
    write(tmp_path / "intro.gif", marker((1600, 900)))
    targets = ("--profile", "veo,kling,runway-gen4")
    fixed = run_cli("fix", "--isolated", "--no-cache", *targets, ".")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    with Image.open(tmp_path / "tall.png") as im:
        assert im.format == "PNG" and 0.5 <= im.width / im.height <= 2.0
    with Image.open(tmp_path / "intro.png") as im:  # GIF: none of them takes it
        assert im.format in ("JPEG", "PNG")
    again = run_cli("check", "--isolated", "--no-cache", *targets, ".")
    assert again.returncode == 0, again.stdout  # every target accepts the result (warnings allowed)


def test_no_common_fit_is_said_with_why_before_anything_is_written(tmp_path, run_cli):
    photo = write(tmp_path / "a.jpg", marker((1600, 900)))
    before = photo.read_bytes()
    refused = run_cli("fix", "--isolated", "--profile", "sora-2,stability-i2v", ".")
    assert refused.returncode == 2
    assert "no size every target takes (sora-2 1280x720, 720x1280; stability-i2v 1024x576" in refused.stderr
    assert photo.read_bytes() == before
    with pytest.raises(ConfigError, match="no size every target takes"):
        sora_guard.fix_paths([tmp_path], profile=["sora-2", "stability-i2v"])
    checked = run_cli("check", "--isolated", "--profile", "sora-2,stability-i2v", ".")
    assert checked.returncode == 1  # check still reports against each: it is fix that has no answer


def test_common_profile_reasons():
    profiles = load_registry(False).profiles
    veo_kling = common_profile([profiles["veo"], profiles["kling"]])
    assert veo_kling.formats == {"JPEG", "PNG"} and veo_kling.aspect == (0.4, 2.5)
    with pytest.raises(ValueError, match="no format every target takes"):
        common_profile([profiles["veo"], profiles["veo"].configured(formats=frozenset({"WEBP"}))])
    assert common_profile([profiles["sora-2-pro"], profiles["sora-2"]]).sizes == profiles["sora-2"].sizes


LIVE = sorted(
    name
    for name, p in load_registry(False).profiles.items()
    if p.lifecycle.live and not p.needs_alpha and p.formats
)
"""Live profiles for images a fix can produce (not an edit mask)."""


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    targets=st.lists(st.sampled_from(LIVE), min_size=2, max_size=3, unique=True),
    width=st.integers(40, 2400),
    height=st.integers(40, 2400),
)
def test_any_image_fixed_for_targets_with_a_common_fit_passes_each(tmp_path, targets, width, height):
    """Property: whatever the shape, the fix for several targets passes every one of them (or the
    targets share no fit, which fix says before reading anything)."""
    profiles = load_registry(False).profiles
    try:
        common_profile([profiles[t] for t in targets])
    except ValueError:
        return
    folder = tmp_path / f"{'-'.join(targets)}-{width}x{height}"
    write(folder / "photo.jpg", encode(marker((width, height)), "JPEG", quality=90))
    results = sora_guard.fix_paths([folder], profile=targets)
    assert results[0].status.value in ("fixed", "unchanged"), results[0].problems
    report = sora_guard.check_paths([folder / Path(results[0].dest).name], profile=targets)
    assert report.ok, [(d.code, d.message) for f in report.files for d in f.errors]


def test_the_readme_shows_the_configuration_its_examples_run_with():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "docs" / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    block = re.search(
        r"```toml\n(\[tool\.sora-guard\]\nprofile = \[\"veo\".*?)```", (ROOT / "README.md").read_text(), re.S
    )
    assert block and block.group(1) == module.CONFIG
