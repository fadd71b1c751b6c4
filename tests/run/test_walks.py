"""What a run reads and what it skips: --out trees for several inputs, skipped files counted, --show-files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from support.images import encode, marker, write

import sora_guard
from sora_guard.vocabulary.exceptions import UsageError


@pytest.fixture
def shoots(tmp_path: Path) -> Path:
    for shoot in ("shootA", "shootB"):
        write(tmp_path / shoot / "IMG_0001.jpg", marker((1281, 720)))
    return tmp_path


def test_out_with_several_inputs_keeps_each_inputs_path(shoots, run_cli):
    result = run_cli("fix", "--isolated", "--out", "OUT", "shootA", "shootB")
    assert result.returncode == 0, result.stdout + result.stderr
    written = sorted(p.relative_to(shoots / "OUT").as_posix() for p in (shoots / "OUT").rglob("*.jpg"))
    assert written == ["shootA/IMG_0001.jpg", "shootB/IMG_0001.jpg"]
    single = run_cli("fix", "--isolated", "--out", "ONE", "shootA")  # one input: mirrored from inside it
    assert single.returncode == 0 and (shoots / "ONE" / "IMG_0001.jpg").is_file()


def test_out_with_several_inputs_from_the_api(shoots, monkeypatch):
    monkeypatch.chdir(shoots)
    results = sora_guard.fix_paths(["shootA", "shootB"], out="OUT")
    assert sorted(Path(r.dest).as_posix() for r in results) == [
        "OUT/shootA/IMG_0001.jpg",
        "OUT/shootB/IMG_0001.jpg",
    ]


def test_an_input_outside_the_working_folder_keeps_its_own_name(tmp_path, run_cli):
    write(tmp_path / "elsewhere" / "trip" / "a.jpg", marker((1281, 720)))
    write(tmp_path / "here" / "shoot" / "b.jpg", marker((1281, 720)))
    result = run_cli(
        "fix",
        "--isolated",
        "--out",
        "OUT",
        "shoot",
        str(tmp_path / "elsewhere" / "trip"),
        cwd=tmp_path / "here",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "here" / "OUT" / "shoot" / "b.jpg").is_file()
    assert (tmp_path / "here" / "OUT" / "trip" / "a.jpg").is_file()


def test_a_collision_that_remains_is_refused_before_anything_is_written(tmp_path, run_cli):
    for side in ("x", "y"):
        write(tmp_path / side / "shoot" / "a.jpg", marker((1281, 720)))
    write(tmp_path / "here" / "keep.txt", b"")
    args = [str(tmp_path / "x" / "shoot"), str(tmp_path / "y" / "shoot")]
    result = run_cli("fix", "--isolated", "--out", "OUT", *args, cwd=tmp_path / "here")
    assert result.returncode == 2 and "would both be written to OUT/shoot/a.jpg" in result.stderr, (
        result.stderr
    )
    assert not (tmp_path / "here" / "OUT").exists()
    with pytest.raises(UsageError, match="would both be written"):
        sora_guard.fix_paths(args, out=tmp_path / "here" / "OUT")


@pytest.fixture
def odd_folder(tmp_path: Path) -> Path:
    """A JPEG 2000 (Pillow reads it), an SVG, an extensionless JPEG, a dotfile and a text file."""
    folder = tmp_path / "assets"
    write(folder / "scan.jp2", encode(Image.new("RGB", (1280, 720), "grey"), "JPEG2000"))
    write(folder / "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    write(folder / "download", encode(marker((1280, 720)), "JPEG"))
    write(folder / ".DS_Store", b"\0\0\0\1Bud1")
    write(folder / "notes.txt", b"not an image")
    return folder


def test_skipped_files_are_counted_and_jpeg_2000_is_read(odd_folder, run_cli):
    result = run_cli("check", "--isolated", "--no-cache", "--profile", "veo", "assets", cwd=odd_folder.parent)
    assert "assets/scan.jp2: SG201" in result.stdout and "SG202" not in result.stdout
    assert result.stdout.rstrip().endswith(
        "Skipped 2 files sora-guard does not read: 1 no extension, 1 vector drawing (.svg)."
    ), result.stdout
    document = json.loads(
        run_cli(
            "check", "--isolated", "--no-cache", "--output-format", "json", "assets", cwd=odd_folder.parent
        ).stdout
    )
    assert document["summary"]["skipped"] == {"no extension": 1, "vector drawing (.svg)": 1}
    assert sorted(s["path"] for s in document["skipped"]) == ["assets/download", "assets/logo.svg"]
    report = sora_guard.check_paths([odd_folder])
    assert len(report.files) == 1 and sorted(s.reason for s in report.skipped) == [
        "no extension",
        "vector drawing (.svg)",
    ]


def test_a_folder_of_only_unread_files_says_so(tmp_path, run_cli):
    write(tmp_path / "assets" / "logo.svg", b"<svg/>")
    result = run_cli("check", "--isolated", "--no-cache", "assets")
    assert result.returncode == 0
    assert "no image files found" in result.stderr
    assert (
        result.stdout
        == "All checks passed: 0 files. Skipped 1 file sora-guard does not read: 1 vector drawing (.svg).\n"
    )
    fixed = run_cli("fix", "--isolated", "--no-cache", "assets")
    assert "Skipped 1 file sora-guard does not read" in fixed.stdout


def test_show_files_lists_what_a_run_would_read(odd_folder, run_cli):
    result = run_cli("check", "--isolated", "--show-files", "assets", cwd=odd_folder.parent)
    assert result.returncode == 0 and result.stdout == "assets/scan.jp2\n"
    assert "assets/logo.svg: skipped: vector drawing (.svg)" in result.stderr
    assert "assets/download: skipped: no extension" in result.stderr
    assert "notes.txt" not in result.stderr and ".DS_Store" not in result.stderr
    named = run_cli(
        "check", "--isolated", "assets/download", cwd=odd_folder.parent
    )  # named: read, and flagged
    assert "SG202" in named.stdout and "extension '(none)'" in named.stdout
