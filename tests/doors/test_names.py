"""Forgiving names: a profile in any case, a model a profile maps wherever a profile is taken (flag,
configuration, per-path tables, the API, the guard), and a suggestion for a name that is neither."""

from __future__ import annotations

import pytest
from support.images import encode, marker, write

import sora_guard
from sora_guard.vocabulary.exceptions import ConfigError


def jpeg(size=(1280, 720)) -> bytes:
    return encode(marker(size), "JPEG")


@pytest.mark.parametrize(
    "name, profile",
    [
        ("Veo", "veo"),
        ("KLING", "kling"),
        ("gen4.5", "runway-gen4"),
        ("veo-3.1-generate-001", "veo"),
        ("kling-video/v2.1", "kling"),  # a fal model path
        ("fal-ai/kling-video/v2.1/pro/image-to-video", "kling"),
        ("minimax/h3", "minimax-h3"),
        ("sora-2-pro-2025-10-06", "sora-2-pro"),  # a dated snapshot
        ("gemini-omni-1.2-flash", "gemini-omni"),
    ],
)
def test_a_profile_in_any_case_or_a_model_it_maps_names_it(name, profile):
    assert sora_guard.check(jpeg(), name="a.jpg", profile=name).target.profile.name == profile


@pytest.mark.parametrize(
    "name, hint",
    [
        ("sora2", "'sora-2'"),
        ("runway-gen45", "'runway-gen4'"),
        ("gen45", "'gen4.5' (a model of runway-gen4)"),
    ],
)
def test_an_unknown_name_gets_a_suggestion(name, hint):
    with pytest.raises(ConfigError) as caught:
        sora_guard.check(jpeg(), name="a.jpg", profile=name)
    assert f"unknown profile {name!r} (did you mean {hint}?); known: gemini, " in str(caught.value)


def test_the_cli_says_which_profile_a_model_name_resolved_to(tmp_path, monkeypatch, capsys, cli):
    write(tmp_path / "a.jpg", jpeg((2600, 1000)))
    monkeypatch.chdir(tmp_path)
    assert cli(["check", "--no-cache", "--profile", "grok_imagine_1_5", "a.jpg"]) == 1
    out, err = capsys.readouterr()
    assert "target grok_imagine_1_5 is a model name: checked against profile runway-grok-imagine" in err
    assert "(runway-grok-imagine)" in out
    assert cli(["check", "--no-cache", "--profile", "sora2", "a.jpg"]) == 2
    assert "did you mean 'sora-2'?" in capsys.readouterr().err
    assert cli(["profiles", "gen4.5"]) == 0
    assert capsys.readouterr().out.startswith("gen4.5 is a model of profile runway-gen4\nrunway-gen4: ")


def test_model_names_work_in_configuration_and_per_path_tables(tmp_path, monkeypatch, capsys, cli):
    write(tmp_path / "a.jpg", jpeg((200, 400)))
    write(tmp_path / "runway/b.jpg", jpeg((200, 400)))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sora-guard]\nprofile = "Kling-Video/v2.6"\n'
        '[tool.sora-guard.per-path."runway/**"]\nprofile = "gen4.5"\n'
        '[tool.sora-guard.profiles.my-gateway]\nmodels = ["acme/video-*"]\n'
    )
    monkeypatch.chdir(tmp_path)
    assert cli(["check", "--no-cache", "--output-format", "json", "."]) == 1
    out = capsys.readouterr().out
    assert "(kling; secondary sources)" in out  # a.jpg: 200 px is under Kling's 300
    report = sora_guard.check_paths(["."], settings=sora_guard.config.load_settings(tmp_path))
    targets = {f.path.replace("\\", "/"): f.target.profile.name for f in report.files}
    assert targets == {"a.jpg": "kling", "runway/b.jpg": "runway-gen4"}
    gateway = sora_guard.check(
        jpeg(), name="c.jpg", settings=sora_guard.config.load_settings(tmp_path), profile="acme/video-hd"
    )
    assert gateway.target.profile.name == "my-gateway"


def test_the_guard_takes_a_model_name_as_its_profile(server, client):
    guarded = sora_guard.guard(client, profile="gpt-image-2")
    with pytest.raises(sora_guard.PreflightError, match=r"openai-image-edit"):
        guarded.images.edit(model="gpt-image-2", prompt="x", image=encode(marker((64, 64)), "TIFF"))
    assert server.requests == []
