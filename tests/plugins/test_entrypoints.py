"""Entry points read from dist-info folders agree with importlib.metadata, which they replace."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from sora_guard.plugins.entrypoints import EntryPoint, entry_points

COMPARE = textwrap.dedent(
    """
    import json, sys
    from importlib.metadata import entry_points as reference
    from sora_guard.plugins.entrypoints import entry_points
    out = {}
    for group in sys.argv[1:]:
        out[group] = [sorted((e.name, e.value) for e in reference(group=group)),
                      sorted((e.name, e.value) for e in entry_points(group))]
    print(json.dumps(out))
    """
)


def compare(groups: list[str], pythonpath: list[Path], cwd: Path) -> dict:
    env_path = ":".join(map(str, pythonpath))
    proc = subprocess.run(
        [sys.executable, "-c", COMPARE, *groups],
        cwd=cwd,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def dist_info(site: Path, folder: str, text: str) -> None:
    info = site / folder
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {folder.split('-')[0]}\nVersion: 1\n")
    (info / "entry_points.txt").write_text(text)


def test_same_entry_points_as_importlib_metadata_for_installed_packages(tmp_path):
    result = compare(["sora_guard", "console_scripts", "pytest11"], [], tmp_path)
    for group, (reference, ours) in result.items():
        assert ours == reference, group
    assert result["sora_guard"][1], "the built-in plugins are registered through entry points"


def test_path_order_first_distribution_wins_and_only_the_group_is_read(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    dist_info(
        first,
        "Studio_Plugin-2.0.dist-info",
        "[sora_guard]\nstudio = studio_v2:plugin [extra]\n\n[console_scripts]\nx = y:z\n",
    )
    dist_info(second, "studio.plugin-1.0.dist-info", "[sora_guard]\nstudio = studio_v1\n")
    dist_info(second, "other-1.0.egg-info", "# comment\n[sora_guard]\n  other = other_mod:a.b  \n")
    dist_info(second, "nothing-1.0.dist-info", "[console_scripts]\nnothing = n:m\n")
    result = compare(["sora_guard"], [first, second], tmp_path)
    reference, ours = result["sora_guard"]
    assert ours == reference
    assert ["studio", "studio_v2:plugin [extra]"] in ours and ["other", "other_mod:a.b"] in ours
    assert not any(value == "studio_v1" for _, value in ours)


def test_a_zip_on_the_path_falls_back_to_importlib_metadata(tmp_path):
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n")
        zf.writestr("zipped-1.0.dist-info/entry_points.txt", "[sora_guard]\nzipped = zipped_plugin\n")
    reference, ours = compare(["sora_guard"], [archive], tmp_path)["sora_guard"]
    assert ["zipped", "zipped_plugin"] in ours
    assert ours == reference


def test_load_imports_the_module_and_follows_attributes():
    assert EntryPoint("x", "os.path:join", "g").load() is __import__("os").path.join
    assert EntryPoint("x", "json : decoder.JSONDecoder [fast]", "g").load() is json.decoder.JSONDecoder
    assert EntryPoint("x", "sora_guard.builtin.rules", "g").load().__name__ == "sora_guard.builtin.rules"


def test_builtins_are_found():
    values = {ep.value for ep in entry_points("sora_guard")}
    assert {
        "sora_guard.builtin.rules",
        "sora_guard.builtin.profiles",
        "sora_guard.builtin.reporters",
        "sora_guard.builtin.strategies",
    } <= values
