"""Profiles that tell the truth both ways: what a service adjusts passes, what only a third party claims
warns, and each value says where it comes from, how sure that is and when it was read."""

from __future__ import annotations

import re
from datetime import date

import pytest
from support.images import encode, marker

import sora_guard
from sora_guard.builtin.profiles import BUILTIN_PROFILES
from sora_guard.vocabulary.exceptions import TargetWarning
from sora_guard.vocabulary.model import Availability, Level, Severity, is_pattern

FOLLOWABLE = re.compile(r"^(https://\S+|[\w.-]+ \d+\.\d+\.\d+: \S+\.py)$")
"""A URL, or an SDK's name, version and file."""
VALUES = ("formats", "sizes", "aspect", "min_side", "max_side", "max_bytes", "seconds", "needs_alpha")
VALUES += ("max_images", "max_data_uri", "models")


def jpeg(size) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def codes(report) -> dict[str, Severity]:
    return {d.code: d.severity for d in report.diagnostics}


@pytest.mark.parametrize("size", [(1000, 1000), (1280, 720), (720, 1280), (1600, 1200), (3840, 2160)])
def test_veo_takes_any_shape_it_can_crop_or_pad(size):
    assert sora_guard.check(jpeg(size), name="frame.jpg", profile="veo").ok


@pytest.mark.parametrize(
    "profile, size, found",
    [
        ("runway-gen4", (1000, 1000), {}),  # ratio is the output's: any input aspect from 0.5 to 2
        ("runway-gen4", (2100, 1000), {"SG102": Severity.WARNING}),  # 0.5 to 2 has no current source
        ("runway-gen4", (8000, 4000), {"SG104": Severity.WARNING}),
        ("runway-grok-imagine", (2400, 1000), {}),
        ("runway-grok-imagine", (2600, 1000), {"SG102": Severity.ERROR}),  # the SDK says 0.4 to 2.5
        ("runway-h3-max", (256, 256), {}),
        ("runway-h3-max", (255, 400), {"SG103": Severity.ERROR}),  # the SDK: at least 256 px
        ("runway-h3-max", (2600, 1000), {"SG102": Severity.WARNING}),  # 0.4 to 2.5: a single third party
        ("minimax-hailuo", (2600, 1000), {"SG102": Severity.ERROR}),  # relays agree: an error
    ],
)
def test_each_value_breaks_with_the_severity_of_its_source(profile, size, found):
    report = sora_guard.check(jpeg(size), name="frame.jpg", profile=profile)
    assert codes(report) == found
    assert report.ok is (Severity.ERROR not in found.values())


def test_a_warning_level_value_set_by_configuration_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.sora-guard.profiles.runway-h3-max]\naspect = [0.4, 2.5]\n[tool.sora-guard.profiles.minimax-hailuo]\nmin-side = 100\n"
    )
    settings = sora_guard.config.load_settings(tmp_path)
    wide = sora_guard.check(jpeg((2600, 1000)), name="w.jpg", settings=settings, profile="runway-h3-max")
    assert codes(wide) == {"SG102": Severity.ERROR}
    assert "unverified" not in wide.diagnostics[0].message  # the user's own value
    small = sora_guard.check(jpeg((200, 200)), name="s.jpg", settings=settings, profile="minimax-hailuo")
    assert "SG103" not in codes(small)


def test_messages_mark_values_not_the_services_own():
    (secondary,) = sora_guard.check(jpeg((200, 400)), name="a.jpg", profile="kling").diagnostics
    assert secondary.message.endswith("(kling; secondary sources)")
    (unverified,) = sora_guard.check(jpeg((2600, 1000)), name="a.jpg", profile="runway-h3-max").diagnostics
    assert unverified.message.endswith("(runway-h3-max; unverified: a single third-party source)")
    (own,) = sora_guard.check(jpeg((2600, 1000)), name="a.jpg", profile="runway-grok-imagine").diagnostics
    assert own.message.endswith("(runway-grok-imagine)")


@pytest.mark.parametrize("profile", BUILTIN_PROFILES, ids=lambda p: p.name)
def test_every_builtin_value_has_followable_dated_sources(profile):
    for field in VALUES:
        value = getattr(profile, field)
        fact = profile.fact(field)
        if value in (None, (), frozenset(), False):
            assert fact is None, f"{profile.name}.{field}: a fact for no value"
            continue
        assert fact is not None, f"{profile.name}.{field} = {value!r} has no source"
        assert fact.sources and (fact.level is not Level.SECONDARY or len(fact.sources) >= 2)
        for source in fact.sources:
            assert FOLLOWABLE.match(source.where), source.where
            assert "video-apis.md" not in source.where
            assert source.checked <= "2026-12-07" and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", source.checked)
        if fact.strict is not None:  # two readings of a unit: the error's is the larger
            assert fact.strict < value


@pytest.mark.parametrize("profile", BUILTIN_PROFILES, ids=lambda p: p.name)
def test_every_lifecycle_not_live_has_a_date_sources_and_what_replaced_it(profile):
    for lifecycle in (profile.lifecycle, *profile.model_lifecycles):
        if lifecycle.live:
            continue
        assert date.fromisoformat(lifecycle.date) <= date(2026, 12, 7)
        assert lifecycle.sources and all(FOLLOWABLE.match(s.where) for s in lifecycle.sources)
        assert "replaced by" in str(lifecycle) or "nothing replaced it" in str(lifecycle)
    for lifecycle in profile.model_lifecycles:
        assert profile.covers_model(lifecycle.model) and lifecycle.state is not Availability.LIVE


def test_no_model_id_is_mapped_by_two_profiles():
    seen: dict[str, str] = {}
    for profile in BUILTIN_PROFILES:
        for model in profile.models:
            assert seen.setdefault(model.casefold(), profile.name) == profile.name, model


def test_the_facts_of_december_2026():
    profiles = {p.name: p for p in BUILTIN_PROFILES}
    veo = profiles["veo"]
    live = [m for m in veo.models if veo.model_lifecycle(m).live and not is_pattern(m)]
    assert live == ["veo-3.1-generate-001", "veo-3.1-fast-generate-001"]
    assert str(veo.model_lifecycle("veo-3.0-fast-generate-001")).startswith("retired on 2026-06-30")
    assert str(veo.model_lifecycle("veo-3.1-generate-preview")).startswith("retired on 2026-10-22")
    assert str(profiles["sora-2"].lifecycle).startswith("closed on 2026-09-24")
    edit = profiles["openai-image-edit"]
    assert str(edit.model_lifecycle("gpt-image-1")).startswith("retired on 2026-10-23")
    assert "WEBP" in profiles["minimax-hailuo"].formats
    assert profiles["runway-h3-max"].aspect == (0.4, 2.5)
    assert profiles["runway"].max_data_uri == 5 * 1024 * 1024 - 1  # "under 5MB (1024 x 1024 x 5 bytes)"
    assert profiles["runway-upload"].max_bytes == 200 * 1024 * 1024
    runway = profiles["runway"].fact("max_data_uri")  # the image's bytes, or the URI's characters
    assert (runway.strict, runway.level) == (3_932_142, Level.SERVICE)
    assert profiles["runway-upload"].fact("max_bytes").strict == 200_000_000
    omni = profiles["gemini-omni"]
    assert omni.max_images == 10 and omni.formats == {"JPEG", "PNG", "WEBP", "HEIF"}
    assert omni.covers_model("gemini-omni-1.2-flash") and omni.fact("max_images").level is Level.SERVICE
    assert (profiles["openai-image-edit"].max_images, profiles["veo-reference"].max_images) == (16, 3)
    assert (profiles["luma"].max_images, profiles["luma-image-edit"].max_images) == (9, 8)
    fal_veo = profiles["veo-reference-fal"]
    assert (fal_veo.max_bytes, fal_veo.fact("max_bytes").strict) == (8 * 1024 * 1024, 8_000_000)


@pytest.mark.parametrize(
    "endpoint, profile",
    [
        ("fal-ai/kling-video/v2.1/pro/image-to-video", "kling"),
        ("kwaivgi/kling-v2.1", "kling"),
        ("fal-ai/minimax/hailuo-02/standard/image-to-video", "minimax-hailuo"),
        ("minimax/video-01", "minimax-hailuo"),
        ("minimax/h3-max/image-to-video", "minimax-h3"),
        ("minimax/h3-highspeed", "minimax-h3"),
        ("minimax/h3", "minimax-h3"),
        ("fal-ai/veo3.1/image-to-video", "veo"),
        ("fal-ai/veo3.1/reference-to-video", "veo-reference-fal"),
        ("gemini-omni-1.2-flash", "gemini-omni"),
        ("ray-3.2", "luma"),
        ("uni-1", "luma"),
    ],
)
def test_hosts_endpoints_and_models_resolve_through_the_profiles_models(endpoint, profile):
    assert sora_guard.check(jpeg((640, 480)), name="a.jpg", profile=endpoint).target.profile.name == profile


def test_profiles_lists_a_short_table_with_status(capsys, cli):
    assert cli(["profiles", "--isolated"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines[1:] if line and not line.startswith(("~", "`"))}
    assert set(rows) == {p.name for p in BUILTIN_PROFILES}
    assert "closed 2026-09-24" in rows["sora-2"] and "(target)" not in rows["sora-2"]
    assert "10,000,000/10,485,760~" in rows["kling"] and "aspect 0.4-2.5?" in rows["runway-h3-max"]
    assert len(lines) < 30


def test_profiles_name_shows_each_values_source_level_date_and_the_lifecycle(capsys, cli):
    assert cli(["profiles", "--isolated", "veo"]) == 0
    veo = capsys.readouterr().out
    assert "VideoGenerationModelInstance (checked 2026-12-07)" in veo
    assert "the service's own documentation or SDK (an error)" in veo
    assert "veo-3.0-generate-001: retired on 2026-06-30; replaced by veo-3.1-generate-001" in veo
    assert cli(["profiles", "--isolated", "kling"]) == 0
    kling = capsys.readouterr().out
    assert "a warning above 10,000,000 bytes" in kling and "secondary: third parties" in kling
    assert cli(["profiles", "--isolated", "sora-2"]) == 0
    assert "closed on 2026-09-24 (OpenAI shut down Sora 2 and the Videos API)" in capsys.readouterr().out


def test_no_closed_service_is_the_default_target():
    with pytest.warns(TargetWarning, match="no target chosen"):
        report = sora_guard.check(jpeg((1920, 1080)), name="frame.jpg")
    assert report.target.profile.name == "any-service" and report.ok
