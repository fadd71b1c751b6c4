"""Profiles that tell the truth both ways: what a service adjusts passes, and each profile says where its
values come from, which are unverified, and the service's status."""

from __future__ import annotations

import pytest
from support.images import encode, marker

import sora_guard


def jpeg(size) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


@pytest.mark.parametrize("size", [(1000, 1000), (1280, 720), (720, 1280), (1600, 1200), (3840, 2160)])
def test_veo_takes_any_shape_it_can_crop_or_pad(size):
    assert sora_guard.check(jpeg(size), name="frame.jpg", profile="veo").ok


@pytest.mark.parametrize(
    "profile, size, ok",
    [
        ("runway-gen4", (1000, 1000), True),  # ratio is the output's: any input aspect from 0.5 to 2
        ("runway-gen4", (1920, 1080), True),
        ("runway-gen4", (2100, 1000), False),  # aspect 2.1
        ("runway-gen4", (8000, 4000), False),  # a side of 8000 px
        ("runway-grok-imagine", (2400, 1000), True),
        ("runway-grok-imagine", (2600, 1000), False),
        ("runway-h3-max", (256, 256), True),
        ("runway-h3-max", (255, 400), False),
    ],
)
def test_runway_rules_per_model(profile, size, ok):
    assert sora_guard.check(jpeg(size), name="frame.jpg", profile=profile).ok is ok


def test_profiles_name_shows_sources_unverified_values_and_status(run_cli):
    def fields(name: str) -> dict[str, str]:
        out = run_cli("profiles", name, "--isolated")
        assert out.returncode == 0, out.stderr
        return dict(line.strip().split(":", 1) for line in out.stdout.splitlines()[1:] if ":" in line)

    sora = fields("sora-2")
    assert "OpenAI announced the Sora API's permanent shutdown for 2026-09-24" in sora["status"]
    assert "openai SDK 3.57" in sora["sources"] and "max-bytes" in sora["unverified"]
    runway = fields("runway-gen4")
    assert "runwayml SDK 5.24" in runway["sources"] and "aspect, max-side" in runway["unverified"]
    assert "formats: JPEG and PNG assumed" in fields("luma")["unverified"]


def test_sora_2_stays_the_default_profile():
    assert sora_guard.check(jpeg((1920, 1080)), name="frame.jpg").target.profile.name == "sora-2"
