"""Usage errors as a new user meets them: exit 2, one message shape naming where the value came from,
the same message from the CLI and the Python API."""

from __future__ import annotations

import pytest
from support.images import marker, write

import sora_guard
from sora_guard.vocabulary.exceptions import ConfigError, UsageError


@pytest.fixture
def photo(tmp_path):
    return write(tmp_path / "photo.jpg", marker((1600, 900)))


def _error(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    return result.stderr.strip().removeprefix("sora-guard: error: ")


@pytest.mark.parametrize(
    ("flags", "options", "message"),
    [
        (["--strategy", "crop"], {"strategy": "crop"}, "bad value for 'strategy': crop needs a crop box"),
        (
            ["--strategy", "crop", "--crop-box", "0.5,0.5,0.4,1"],
            {"strategy": "crop", "crop_box": (0.5, 0.5, 0.4, 1)},
            "bad value for 'crop-box': left,top,right,bottom with left < right and top < bottom",
        ),
    ],
    ids=["crop-without-box", "inverted-box"],
)
def test_crop_needs_an_ordered_box(run_cli, tmp_path, photo, flags, options, message):
    cli = _error(run_cli("fix", "--isolated", *flags, "photo.jpg"))
    assert cli.startswith(f"command line: {message}")
    with pytest.raises(ConfigError) as caught:
        sora_guard.fix_paths([photo], **options)
    assert str(caught.value).startswith(message) and str(caught.value) in cli
    assert photo.read_bytes() == write(tmp_path / "again.jpg", marker((1600, 900))).read_bytes()


def test_flag_errors_say_where_they_came_from_the_same_way(run_cli, photo):
    strategy = _error(run_cli("fix", "--isolated", "--strategy", "nope", "photo.jpg"))
    background = _error(run_cli("fix", "--isolated", "--background", "notacolour", "photo.jpg"))
    output = _error(run_cli("check", "--isolated", "--output-format", "nope", "photo.jpg"))
    assert strategy.startswith("command line: bad value for 'strategy': unknown strategy 'nope'")
    assert background.startswith("command line: bad value for 'background': expected a colour")
    assert output.startswith("command line: bad value for 'output-format': unknown output format 'nope'")
    with pytest.raises(ConfigError) as caught:
        sora_guard.fix_paths([photo], background="notacolour")
    assert background == f"command line: {caught.value}"


def test_a_bad_profile_in_pyproject_names_the_file_and_the_key(run_cli, tmp_path, photo):
    (tmp_path / "pyproject.toml").write_text('[tool.sora-guard]\nprofile = "sora2"\nstrategy = "crop"\n')
    message = _error(run_cli("check", "photo.jpg"))
    assert message.startswith(
        f"{tmp_path / 'pyproject.toml'}: bad value for 'profile': unknown profile 'sora2'"
    )
    (tmp_path / "pyproject.toml").write_text('[tool.sora-guard]\nstrategy = "crop"\n')
    crop = _error(run_cli("fix", "photo.jpg"))
    assert crop.startswith(f"{tmp_path / 'pyproject.toml'}: bad value for 'strategy': crop needs a crop box")


def test_a_missing_path_is_a_usage_error_and_an_empty_folder_a_warning(run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    for command in ("check", "fix"):
        missing = run_cli(command, "--isolated", "nope")
        assert _error(missing) == "nope: no such file or folder" and "SG501" not in missing.stdout
        empty = run_cli(command, "--isolated", "empty")
        assert empty.returncode == 0
        assert "warning: no image files found under the given path(s)" in empty.stderr
    with pytest.raises(UsageError, match="nope: no such file or folder"):
        sora_guard.check_paths([tmp_path / "nope"])


def test_a_flag_typo_shows_the_subcommands_usage_and_the_nearest_flag(run_cli, photo):
    typo = run_cli("check", "--porfile", "sora-2", "photo.jpg")
    assert typo.returncode == 2
    assert typo.stderr.startswith("usage: sora-guard check ")
    assert "--porfile: did you mean --profile?" in typo.stderr
    wrong_command = run_cli("check", "--strategy", "pad", "photo.jpg")
    assert "--strategy is an option of `sora-guard fix / preview`" in wrong_command.stderr
