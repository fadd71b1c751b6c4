"""A closed or retired target is never silent: ``check`` and ``fix`` say so once per run, and the guard
warns (``PreflightWarning``) and still sends the call, as a gateway may still serve the model."""

from __future__ import annotations

import warnings

import pytest
from support.images import encode, marker, write

import sora_guard
from sora_guard import PreflightWarning
from sora_guard.builtin.profiles import BUILTIN_PROFILES
from sora_guard.config.lifecycle import CHOOSE_ANOTHER, notices
from sora_guard.vocabulary.exceptions import TargetWarning

PROFILES = {p.name: p for p in BUILTIN_PROFILES}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A project of several images in two folders, the working directory of the run."""
    for name in ("a.jpg", "b.jpg", "old/c.jpg", "old/d.jpg"):
        write(tmp_path / name, encode(marker((1280, 720)), "JPEG"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def said(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("sora-guard: warning: ")]


def test_no_target_by_default_and_that_is_said_once_per_run(folder, capsys, cli):
    """No configuration checks against no service (the closed Sora API is no default): the run says so."""
    assert cli(["check", "--no-cache", "-j", "1", "."]) == 0
    (line,) = said(capsys)
    assert line.startswith("sora-guard: warning: no target chosen: only what every service refuses")
    assert "--profile NAME[,NAME...]" in line
    cli(["fix", "--no-cache", "--dry-run", "-j", "1", "."])
    assert len(said(capsys)) == 1
    with pytest.warns(TargetWarning, match="no target chosen"):
        sora_guard.check_paths([folder])


def test_an_explicit_target_closed_or_retired_is_said_and_a_live_one_is_not(folder, capsys, cli):
    cli(["check", "--no-cache", "--profile", "sora-2-pro", "."])
    (line,) = said(capsys)
    assert line.startswith("sora-guard: warning: target sora-2-pro: closed on 2026-09-24")
    cli(["check", "--no-cache", "--profile", "veo-3.0-fast-generate-001", "."])
    retired, resolved = said(capsys)
    assert "model veo-3.0-fast-generate-001 (profile veo): retired on 2026-06-30" in retired
    assert "replaced by veo-3.1-fast-generate-001" in retired
    assert "is a model name: checked against profile veo" in resolved
    cli(["check", "--no-cache", "--profile", "kling", "."])
    assert said(capsys) == []


def test_per_path_targets_are_said_once_each(folder, capsys, cli):
    (folder / "pyproject.toml").write_text(
        '[tool.sora-guard]\nprofile = "kling"\n'
        '[tool.sora-guard.per-path."old/**"]\nprofile = "veo-2.0-generate-001"\n'
        '[tool.sora-guard.per-path."old/c.jpg"]\nprofile = "veo-2.0-generate-001"\n'
        '[tool.sora-guard.per-path."b.jpg"]\nprofile = "sora-2"\n'
    )
    cli(["check", "--no-cache", "."])
    lines = said(capsys)
    assert (
        sum(
            "veo-2.0-generate-001 (per-path 'old/**') (profile veo): retired on 2026-06-30" in x
            for x in lines
        )
        == 1
    )
    assert sum("target sora-2 (per-path 'b.jpg'): closed on 2026-09-24" in x for x in lines) == 1
    assert not any(
        "(per-path 'old/c.jpg')" in x and "retired" in x for x in lines
    )  # the same model, said once
    assert not any("kling" in x for x in lines)


def test_notices_name_the_date_and_what_replaced_it_each_once():
    edit = PROFILES["openai-image-edit"]
    lines = notices(
        [("gpt-image-1", edit, ""), ("gpt-image-1-2025-04-15", edit, ""), ("gpt-image-2", edit, "")]
        + [("sora-2", PROFILES["sora-2"], " (the default)"), ("sora-2-2025-10-06", PROFILES["sora-2"], "")]
    )
    assert lines == [
        "model gpt-image-1 (profile openai-image-edit): retired on 2026-10-23 (OpenAI: 'GPT Image 1 was shut "
        "down on October 23, 2026'); replaced by gpt-image-2.5-sunburst or gpt-image-2.5-flare; "
        + CHOOSE_ANOTHER,
        "target sora-2 (the default): closed on 2026-09-24 (OpenAI shut down Sora 2 and the Videos API); "
        "nothing replaced it; " + CHOOSE_ANOTHER,
    ]
    assert notices([("kling", PROFILES["kling"], "")]) == []


def test_the_guard_warns_and_still_sends_a_retired_model(server, client):
    guarded = sora_guard.guard(client)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = guarded.images.edit(
            model="gpt-image-1", prompt="add a boat", image=encode(marker((1024, 1024)), "JPEG")
        )
    assert response.data[0].b64_json and len(server.requests) == 1  # sent all the same
    (warning,) = [w for w in caught if w.category is PreflightWarning]
    assert "model gpt-image-1 (profile openai-image-edit): retired on 2026-10-23" in str(warning.message)
    assert "sent anyway" in str(warning.message) and warning.filename == __file__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        guarded.images.edit(
            model="gpt-image-2", prompt="add a boat", image=encode(marker((1024, 1024)), "JPEG")
        )
    assert [w for w in caught if w.category is PreflightWarning] == []


def test_the_guard_warns_once_a_call_for_the_closed_sora_api(server, client):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's own note on videos.*
        sora_guard.guard(client).videos.create(
            model="sora-2", prompt="x", size="1280x720", input_reference=encode(marker((1280, 720)), "JPEG")
        )
    (warning,) = [w for w in caught if w.category is PreflightWarning]
    assert "target sora-2: closed on 2026-09-24" in str(warning.message)
    assert len([r for r in server.requests if r.method == "POST"]) == 1
