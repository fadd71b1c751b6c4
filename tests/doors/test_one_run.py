"""One run for every door: the same settings, plugins, selection and counts from the CLI and the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from support.images import corrupt_jpeg, encode, marker, png_header_only, truncated, write
from support.plugins import install_plugin

import sora_guard
from sora_guard.config import load_settings
from sora_guard.vocabulary.exceptions import UsageError

PER_PATH = """
[tool.sora-guard]
profile = "sora-2"

[tool.sora-guard.per-path."portrait/**"]
size = "720x1280"
strategy = "smart"

[tool.sora-guard.profiles.my-gateway]
description = "an OpenAI-compatible gateway"
sizes = ["1344x768"]
models = ["minimax/h3"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PER_PATH)
    write(tmp_path / "portrait" / "shot.jpg", marker((900, 600)))
    return tmp_path


def test_flags_override_per_path_tables(project, run_cli):
    table = json.loads(run_cli("check", "--output-format", "json", "portrait").stdout)
    assert table["files"][0]["target"] == "720x1280"  # the per-path table's size
    flagged = json.loads(run_cli("check", "--size", "1280x720", "--output-format", "json", "portrait").stdout)
    assert flagged["files"][0]["target"] == "1280x720"  # the flag wins over the table, as the README says
    fixed = run_cli("fix", "--dry-run", "--strategy", "pad", "portrait")
    assert "(pad)" in fixed.stdout and "(smart)" not in fixed.stdout, fixed.stdout
    assert "(smart)" in run_cli("fix", "--dry-run", "portrait").stdout


def test_api_options_override_per_path_tables_too(project):
    settings = load_settings(project)
    shot = project / "portrait" / "shot.jpg"
    assert sora_guard.check(shot, settings=settings).expected_size == sora_guard.plugins.Size(720, 1280)
    assert sora_guard.check(shot, settings=settings, size="1280x720").expected_size.width == 1280


def test_show_settings_says_where_each_value_comes_from(project, run_cli):
    shown = run_cli("fix", "--show-settings", "--strategy", "pad", "portrait/shot.jpg")
    assert shown.returncode == 0, shown.stderr
    lines = {line.split(" = ")[0].strip(): line for line in shown.stdout.splitlines() if " = " in line}
    assert '"720x1280"' in lines["size"] and "per-path.'portrait/**'" in lines["size"]
    assert '"pad"' in lines["strategy"] and "# command line" in lines["strategy"]
    assert '"sora-2"' in lines["profile"] and "pyproject.toml" in lines["profile"]
    assert lines["quality"].endswith("# default")
    assert "# target: sora-2 720x1280" in shown.stdout


def test_size_not_rendered_names_the_runs_own_profiles(project, run_cli):
    """SG105's advice comes from the run's profiles (a configured gateway's too), not a process-wide registry."""
    write(project / "wide.jpg", marker((1344, 768)))
    result = run_cli("check", "--size", "1344x768", "wide.jpg")
    assert "or use my-gateway, which renders it" in result.stdout, result.stdout
    isolated = run_cli("check", "--isolated", "--profile", "sora-2", "--size", "1344x768", "wide.jpg")
    assert "my-gateway" not in isolated.stdout and "SG105" in isolated.stdout


def test_no_plugins_reaches_every_rule(tmp_path, run_process):
    """A plugin's profile that renders a size is named by SG105's advice, unless --no-plugins."""
    site = tmp_path / "site"
    source = (
        "from sora_guard.plugins import Profile, Size, hookimpl\n\n"
        "@hookimpl\ndef sora_guard_profiles():\n"
        "    return [Profile(name='wide-gateway', description='w', formats=frozenset({'JPEG'}),"
        " sizes=(Size(1344, 768),), models=('wide',))]\n"
    )
    install_plugin(site, "wide_gateway", {"wide": "wide_gateway"}, {"wide_gateway": source})
    write(tmp_path / "wide.jpg", marker((1344, 768)))
    env = {"PYTHONPATH": str(site)}
    loaded = run_process(
        "check", "--isolated", "--profile", "sora-2", "--size", "1344x768", "wide.jpg", env=env
    )
    assert "or use wide-gateway, which renders it" in loaded.stdout, loaded.stdout + loaded.stderr
    alone = run_process(
        "check",
        "--isolated",
        "--no-plugins",
        "--profile",
        "sora-2",
        "--size",
        "1344x768",
        "wide.jpg",
        env=env,
    )
    assert "SG105" in alone.stdout and "wide-gateway" not in alone.stdout


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "assets"
    write(folder / "cut.jpg", truncated(encode(marker((1280, 720)), "JPEG", quality=95, progressive=True)))
    write(folder / "notes.png", b"these are notes, not a picture\n")
    write(folder / "logo.png", encode(Image.new("RGBA", (1280, 720), (0, 0, 0, 0)), "PNG"))
    return folder


def test_select_never_hides_a_file_that_cannot_be_read(broken, run_cli):
    result = run_cli("check", "--isolated", "--select", "SG406", "--output-format", "json", "assets")
    codes = {f["path"]: [d["code"] for d in f["diagnostics"]] for f in json.loads(result.stdout)["files"]}
    assert result.returncode == 1
    assert codes == {"assets/cut.jpg": ["SG503"], "assets/logo.png": ["SG406"], "assets/notes.png": ["SG502"]}
    assert run_cli("check", "--isolated", "--ignore", "SG5", "assets").returncode == 1  # not even ignored
    api = sora_guard.check_paths([broken], select=["SG406"])
    assert sorted(d.code for f in api.files for d in f.diagnostics) == ["SG406", "SG502", "SG503"]


def test_ignore_still_silences_a_named_warning(tmp_path, run_cli):
    data = encode(marker((1280, 720)), "JPEG")
    table = data.index(b"\xff\xdb")
    write(tmp_path / "a.jpg", data[:table] + b"\x00\x00\x00" + data[table:])  # libjpeg warns: SG506
    assert "SG506" in run_cli("check", "--isolated", "a.jpg").stdout
    assert (
        run_cli("check", "--isolated", "--ignore", "SG506", "a.jpg").stdout == "All checks passed: 1 file.\n"
    )


def test_one_count_of_fixable_in_every_reporter(tmp_path, run_cli):
    """A bomb's size error is not fixable (fix leaves the file whole): every output says 2, not 3."""
    write(tmp_path / "off.jpg", marker((1281, 720)))
    write(tmp_path / "gif.gif", marker((1280, 720)))
    write(tmp_path / "bomb.png", png_header_only((60000, 60000)))
    args = ("check", "--isolated", "--no-cache", "--profile", "sora-2", "--size", "1280x720", ".")
    text = run_cli(*args).stdout
    assert "(2 fixable with `sora-guard fix`)" in text  # off.jpg's SG101, gif.gif's SG201
    document = json.loads(run_cli(*args, "--output-format", "json").stdout)
    assert document["summary"]["fixable"] == 2
    assert sum(d["fixable"] for f in document["files"] for d in f["diagnostics"]) == 2
    bomb = next(f for f in document["files"] if f["path"] == "bomb.png")
    assert [d["fixable"] for d in bomb["diagnostics"]] == [False, False]
    statistics = json.loads(run_cli(*args, "--statistics", "--output-format", "json").stdout)
    assert sum(row["fixable_count"] for row in statistics) == 2
    run_cli(*args, "--output-format", "html", "-o", "report.html")
    page = (tmp_path / "report.html").read_text()
    assert "<li><b>2</b>fixable with sora-guard fix</li>" in page  # the HTML summary card


def test_fix_flattens_transparency_only_when_its_rule_is_selected_by_code(tmp_path, run_cli):
    logo = write(tmp_path / "logo.png", encode(Image.new("RGBA", (1280, 720), (0, 0, 0, 0)), "PNG"))
    before = logo.read_bytes()
    plain = run_cli("fix", "--isolated", "--size", "1280x720", "--background", "white", "logo.png")
    assert plain.returncode == 0 and logo.read_bytes() == before  # a warning alone: left as it is
    flattened = run_cli(
        "fix", "--isolated", "--size", "1280x720", "--select", "SG406", "--background", "white", "logo.png"
    )
    assert flattened.returncode == 0, flattened.stdout + flattened.stderr
    assert "transparency flattened onto #ffffff" in flattened.stdout
    with Image.open(logo) as im:
        assert im.mode == "RGB" and im.getpixel((10, 10)) == (255, 255, 255)
    assert (
        run_cli("check", "--isolated", "--size", "1280x720", "--select", "SG406", "logo.png").returncode == 0
    )
    assert "--select SG406" in run_cli("rules", "SG406").stdout


def test_fix_does_not_fix_a_corrupt_file_it_cannot_read(tmp_path, run_cli):
    write(tmp_path / "bad.jpg", corrupt_jpeg((1600, 900)))
    result = run_cli("fix", "--isolated", "--size", "1280x720", "bad.jpg")
    assert result.returncode == 1 and "SG503" in result.stdout


def test_errors_say_what_went_wrong_and_exit_2(tmp_path, run_cli):
    outside = run_cli("check", "--staged", cwd=tmp_path)  # not a git work tree
    assert outside.returncode == 2 and outside.stderr.startswith("sora-guard: error: git ")
    assert run_cli("check", "--no-such-flag").returncode == 2
    assert run_cli("--version").returncode == 0
    with pytest.raises(UsageError, match="no such file or folder"):
        sora_guard.check_paths([tmp_path / "missing"])


def _codes(report) -> list[str]:
    return [d.code for d in report.diagnostics]


def test_every_door_refuses_a_file_over_the_read_limit(tmp_path, run_cli):
    """The path, the bytes, the staged blob (the git hook): the same SG501 under ``max-file-bytes``."""
    import subprocess

    data = encode(marker((640, 360)), "PNG")
    write(tmp_path / "big.png", data)
    limit = len(data) - 1
    codes = {
        "path": _codes(sora_guard.check(tmp_path / "big.png", max_file_bytes=limit)),
        "bytes": _codes(sora_guard.check(data, name="big.png", max_file_bytes=limit)),
    }
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "big.png"], cwd=tmp_path, check=True)
    staged = run_cli(
        "check", "--isolated", "--staged", "--max-file-bytes", str(limit), "--output-format", "json"
    )
    codes["staged"] = [d["code"] for f in json.loads(staged.stdout)["files"] for d in f["diagnostics"]]
    assert codes == {door: ["SG501"] for door in codes}, codes
    assert "more than" in sora_guard.check(data, name="big.png", max_file_bytes=limit).diagnostics[0].message


def test_an_opened_image_over_the_pixel_limit_is_refused_before_it_is_decoded(tmp_path):
    write(tmp_path / "wide.png", marker((2000, 1000)))
    assert _codes(sora_guard.check(tmp_path / "wide.png", max_pixels=1000)) == ["SG504"]
    with Image.open(tmp_path / "wide.png") as im:
        assert _codes(sora_guard.check(im, max_pixels=1000)) == ["SG504"]
        assert im.tile  # not loaded: the refusal came from the header


def test_fix_paths_reports_what_the_walk_did_not_read_as_the_cli_and_check_paths_do(tmp_path, run_cli):
    tree = tmp_path / "tree"
    write(tree / "wide.jpg", marker((900, 600)))
    write(tmp_path / "outside" / "secret.jpg", marker((900, 600)))
    (tree / "out.jpg").symlink_to("../outside/secret.jpg")
    (tree / "outdir").symlink_to("../outside")
    (tree / "broken.jpg").symlink_to("nowhere.jpg")
    results = sora_guard.fix_paths([tree], size="1280x720", dry_run=True)
    assert [r.path for r in results] == [str(tree / "broken.jpg"), str(tree / "wide.jpg")]
    assert isinstance(results, list) and results == list(results)  # a list of FixResults, as before
    unread = {Path(r.path).name: [(d.code, d.severity.value) for d in r.diagnostics] for r in results.unread}
    assert unread == {"out.jpg": [("SG501", "warning")], "outdir": [("SG501", "warning")]}
    assert "outside" in results.unread[0].diagnostics[0].message
    checked = sora_guard.check_paths([tree], size="1280x720")
    in_check = {Path(r.path).name for r in checked.files if any(d.code == "SG501" for d in r.diagnostics)}
    assert in_check >= set(unread)
    cli = run_cli("fix", "--isolated", "--no-cache", "--dry-run", "--size", "1280x720", "tree")
    assert all(f"{name}: SG501" in cli.stdout for name in unread), cli.stdout
    assert results.failed == (cli.returncode == 1)  # the broken link fails both


def test_check_of_a_path_bytes_or_pil_image_goes_through_the_run_context(project, monkeypatch):
    """``sora_guard.check`` asks the run context, as every door does: the per-path table reaches a
    path, bytes and an opened image named like it, and each answer is the context's own."""
    import ast
    import inspect

    from sora_guard import api
    from sora_guard.run.context import RunContext

    monkeypatch.chdir(project)
    path = project / "portrait" / "shot.jpg"
    settings = load_settings()
    run = RunContext(settings)
    with Image.open(path) as opened:
        answers = [
            sora_guard.check(path, settings=settings),
            sora_guard.check(path.read_bytes(), name="portrait/shot.jpg", settings=settings),
            sora_guard.check(opened, name="portrait/shot.jpg", settings=settings),
        ]
        mine = [
            run.check_path(path),
            run.check_bytes(path.read_bytes(), "portrait/shot.jpg"),
            run.check_image(opened, "portrait/shot.jpg"),
        ]
    size = [[d.message for d in r.diagnostics if d.code == "SG101"] for r in answers]
    assert all(len(m) == 1 and "720x1280" in m[0] for m in size), size  # the per-path size, every time
    assert [r.diagnostics for r in answers] == [r.diagnostics for r in mine]
    big = Image.new("RGB", (3000, 2000))
    assert "SG504" in _codes(sora_guard.check(big, max_pixels=1_000_000))  # the limit reaches an image too
    called = {
        node.func.attr
        for node in ast.walk(ast.parse(inspect.getsource(api.check)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert {"check_path", "check_bytes", "check_image"} <= called
    tree = ast.parse(inspect.getsource(api))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not imported & {"sora_guard.engine.check", "sora_guard.run.check"}  # only the context checks
