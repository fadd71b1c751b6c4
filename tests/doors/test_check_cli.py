"""`sora-guard check` end to end on real files, good and nasty, through the real CLI."""

from __future__ import annotations

import json
import os

import pytest
from PIL import Image
from support.images import (
    animated_gif,
    animated_webp,
    corrupt_jpeg,
    encode,
    exif_rotated_jpeg,
    heic_photo,
    marker,
    png_16bit_rgb,
    png_header_only,
    truncated,
    write,
)

GOOD = (1280, 720)

# name -> (bytes factory, codes expected among the errors/warnings)
NASTY = {
    "off_by_one.jpg": (lambda: encode(marker((1281, 720)), "JPEG"), {"SG101"}),
    "zero.jpg": (lambda: b"", {"SG302"}),
    "text.jpg": (lambda: b"this is not an image\n", {"SG502"}),
    "html.png": (lambda: b"<!doctype html><title>404</title>", {"SG502"}),
    "png_named.jpg": (lambda: encode(marker(GOOD), "PNG"), {"SG202"}),
    "truncated.jpg": (lambda: truncated(encode(marker(GOOD), "JPEG")), {"SG503"}),
    "truncated.png": (
        lambda: truncated(encode(Image.effect_noise(GOOD, 40).convert("RGB"), "PNG")),
        {"SG503"},
    ),
    "corrupt.jpg": (lambda: corrupt_jpeg(GOOD), {"SG503"}),
    "bomb.png": (lambda: png_header_only((60000, 60000)), {"SG504"}),
    "animated.webp": (lambda: animated_webp(GOOD), {"SG404"}),
    "animated.gif": (lambda: animated_gif(GOOD), {"SG404", "SG201"}),
    "cmyk.jpg": (lambda: encode(marker(GOOD, "CMYK"), "JPEG"), {"SG401"}),
    "rotated.jpg": (lambda: exif_rotated_jpeg((720, 1280), 6), {"SG403"}),
    "sixteen.png": (lambda: png_16bit_rgb(GOOD), {"SG402"}),
    "grey16.png": (lambda: encode(Image.new("I;16", GOOD), "PNG"), {"SG402"}),
    "palette.png": (lambda: encode(marker(GOOD, "P"), "PNG"), {"SG405"}),
    "alpha.png": (lambda: encode(marker(GOOD, "RGBA"), "PNG"), {"SG406"}),
    "photo.tiff": (lambda: encode(marker(GOOD), "TIFF"), {"SG201"}),
    "photo.heic": (heic_photo, {"SG201"}),
    "noext": (lambda: encode(marker(GOOD), "JPEG"), {"SG202"}),
}
WARNING_ONLY = {"palette.png", "alpha.png"}


@pytest.fixture
def nasty_dir(tmp_path):
    folder = tmp_path / "assets"
    for name, (factory, _) in NASTY.items():
        write(folder / name, factory())
    write(folder / "good.jpg", marker(GOOD))
    write(folder / "portrait.png", marker((720, 1280)))
    write(folder / "good.webp", marker(GOOD))
    os.symlink("missing.jpg", folder / "broken_link.jpg")
    unreadable = write(folder / "locked.jpg", marker(GOOD))
    unreadable.chmod(0)
    write(folder / "notes.txt", b"not an image name: never checked")
    yield folder
    unreadable.chmod(0o644)


def test_every_bad_case_is_a_diagnostic_and_good_files_pass(nasty_dir, run_cli):
    # "noext" has no image extension, so it is only checked when named explicitly.
    result = run_cli(
        "check",
        "--profile",
        "sora-2",
        "--output-format",
        "json",
        "assets",
        str(nasty_dir / "noext"),
        cwd=nasty_dir.parent,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    files = {os.path.basename(f["path"]): f for f in json.loads(result.stdout)["files"]}
    assert "notes.txt" not in files
    for name, (_, expected) in NASTY.items():
        codes = {d["code"] for d in files[name]["diagnostics"]}
        assert expected <= codes, (name, files[name]["diagnostics"])
        severities = {d["severity"] for d in files[name]["diagnostics"]}
        assert ("error" in severities) is (name not in WARNING_ONLY), (name, severities)
    for name in ("good.jpg", "portrait.png", "good.webp"):
        assert files[name]["diagnostics"] == [], files[name]
    assert {d["code"] for d in files["broken_link.jpg"]["diagnostics"]} == {"SG501"}
    if os.geteuid() != 0:  # root reads anything
        assert {d["code"] for d in files["locked.jpg"]["diagnostics"]} == {"SG501"}


def test_text_output_reads_like_a_linter(tmp_path, run_cli):
    write(tmp_path / "hero.jpg", marker((1281, 720)))
    write(tmp_path / "ok.jpg", marker(GOOD))
    result = run_cli("check", "--profile", "sora-2", ".")
    assert result.returncode == 1
    assert (
        result.stdout.splitlines()[0]
        == "hero.jpg: SG101 [error] 1281x720 does not match the target 1280x720 (sora-2)"
    )
    assert (
        "Found 1 error (1 fixable with `sora-guard fix`) and 0 warnings in 1 file of 2 files."
        in result.stdout
    )


def test_clean_folder_and_warnings_exit_zero(tmp_path, run_cli):
    write(tmp_path / "a.jpg", marker(GOOD))
    write(tmp_path / "b.png", marker((720, 1280), "RGBA"))
    result = run_cli("check", "--profile", "sora-2")
    assert result.returncode == 0, result.stdout
    assert "All checks passed: 2 files, 1 warning." in result.stdout


def test_explicit_size_and_model_size_pairs(tmp_path, run_cli):
    write(tmp_path / "wide.jpg", marker((1792, 1024)))
    not_rendered = run_cli("check", "--profile", "sora-2", "--size", "1792x1024", "wide.jpg")
    assert not_rendered.returncode == 1
    assert "SG105" in not_rendered.stdout and "sora-2 does not render 1792x1024" in not_rendered.stdout
    assert run_cli("check", "--profile", "sora-2-pro", "--size", "1792x1024", "wide.jpg").returncode == 0
    # auto picks the nearest allowed aspect: 1792x1024 for the pro profile
    assert run_cli("check", "--profile", "sora-2-pro", "wide.jpg").returncode == 0


def test_auto_size_uses_displayed_orientation(tmp_path, run_cli):
    """Stored 1280x720 with orientation 6 displays 720x1280: the displayed size picks the target, and
    the file still fails, because a service reading the stored size would see 1280x720."""
    write(tmp_path / "phone.jpg", exif_rotated_jpeg((1280, 720), 6))
    result = run_cli("check", "--profile", "sora-2", "--output-format", "json", "phone.jpg")
    assert result.returncode == 1
    (entry,) = json.loads(result.stdout)["files"]
    assert (entry["target"], entry["width"], entry["height"]) == ("720x1280", 720, 1280)
    assert [(d["code"], d["severity"]) for d in entry["diagnostics"]] == [("SG403", "error")]
    flipped = write(tmp_path / "flipped.jpg", exif_rotated_jpeg((1280, 720), 3))
    result = run_cli("check", "--profile", "sora-2", "--output-format", "json", flipped.name)
    assert result.returncode == 0
    assert [(d["code"], d["severity"]) for d in json.loads(result.stdout)["files"][0]["diagnostics"]] == [
        ("SG403", "warning")
    ]


def test_select_ignore_and_statistics(tmp_path, run_cli):
    write(tmp_path / "a.jpg", marker((1281, 720)))
    write(tmp_path / "b.jpg", encode(marker(GOOD), "PNG"))
    assert run_cli("check", "--profile", "sora-2", "--ignore", "SG1,SG2").returncode == 0
    only_size = run_cli("check", "--profile", "sora-2", "--select", "SG101")
    assert only_size.returncode == 1 and "SG202" not in only_size.stdout
    stats = run_cli("check", "--profile", "sora-2", "--statistics")
    assert stats.stdout.split("\n")[1:3] == [
        "    1  SG101  [*] size-mismatch",
        "    1  SG202  [*] extension-mismatch",
    ]
    bad = run_cli("check", "--profile", "sora-2", "--select", "SG8")
    assert bad.returncode == 2 and "unknown rule selector" in bad.stderr


def test_byte_limit_and_formats_from_flags(tmp_path, run_cli):
    data = encode(Image.effect_noise(GOOD, 80).convert("RGB"), "JPEG", quality=98)
    write(tmp_path / "big.jpg", data)
    over = run_cli("check", "--profile", "sora-2", "--max-bytes", str(len(data) - 1), "big.jpg")
    assert over.returncode == 1 and "SG301" in over.stdout
    assert run_cli("check", "--profile", "sora-2", "--max-bytes", str(len(data)), "big.jpg").returncode == 0
    png_only = run_cli("check", "--profile", "sora-2", "--formats", "PNG", "big.jpg")
    assert "SG201" in png_only.stdout and "allowed: PNG" in png_only.stdout


def test_kling_aspect_and_side_bounds(tmp_path, run_cli):
    write(tmp_path / "strip.png", marker((3000, 400)))
    write(tmp_path / "tiny.png", marker((299, 299)))
    write(tmp_path / "fine.png", marker((1000, 800)))
    result = run_cli("check", "--profile", "kling", "--output-format", "json")
    files = {f["path"]: {d["code"] for d in f["diagnostics"]} for f in json.loads(result.stdout)["files"]}
    assert files == {"fine.png": set(), "strip.png": {"SG102"}, "tiny.png": {"SG103"}}


def test_github_format_is_automatic_in_actions(tmp_path, run_cli):
    write(tmp_path / "a.jpg", marker((1281, 720)))
    result = run_cli("check", "--profile", "sora-2", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=a.jpg,title=SG101 size-mismatch::1281x720 does not match")


def test_sarif_is_valid_2_1_0(tmp_path, run_cli):
    write(tmp_path / "a.jpg", marker((1281, 720)))
    write(tmp_path / "b.png", marker(GOOD, "RGBA"))
    result = run_cli("check", "--profile", "sora-2", "--output-format", "sarif", "--output", "out.sarif")
    assert result.returncode == 1 and result.stdout == ""
    doc = json.loads((tmp_path / "out.sarif").read_text())
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "sora-guard"
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "SG101" in ids
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"SG101", "SG406"}
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] in ("a.jpg", "b.png")
        assert loc["region"]["startLine"] >= 1
    assert by_rule["SG406"]["level"] == "warning"


def test_rules_and_profiles_commands(run_cli):
    listing = run_cli("rules")
    assert listing.returncode == 0
    assert sum(1 for line in listing.stdout.splitlines() if line.startswith("SG")) >= 19
    explained = run_cli("rules", "SG403")
    assert explained.returncode == 0
    assert "Why:" in explained.stdout and "Fix:" in explained.stdout
    assert run_cli("rules", "SG999").returncode == 2
    profiles = run_cli("profiles", "sora-2-pro")
    assert "1920x1080" in profiles.stdout and "sora-2-pro" in profiles.stdout
    unknown = run_cli("check", "--profile", "sora-3")
    assert unknown.returncode == 2 and "unknown profile 'sora-3'" in unknown.stderr


def test_bad_size_flag_is_a_usage_error(run_cli):
    result = run_cli("check", "--profile", "sora-2", "--size", "1280by720")
    assert result.returncode == 2
    assert "not a size" in result.stderr and "Traceback" not in result.stderr


def test_a_size_the_model_does_not_render_is_not_counted_fixable(tmp_path, run_cli):
    write(tmp_path / "wide.jpg", marker((1600, 900)))
    result = run_cli("check", "--profile", "sora-2", "--size", "1792x1024", "wide.jpg")
    assert result.returncode == 1
    assert "ask for 1280x720 or 720x1280, or use sora-2-pro, which renders it" in result.stdout
    assert result.stdout.splitlines()[-1] == "Found 2 errors and 0 warnings in 1 file of 1 file."
    stats = json.loads(
        run_cli(
            "check", "--profile", "sora-2", "--size", "1792x1024", "--statistics", "--output-format", "json"
        ).stdout
    )
    assert {r["code"]: r["fixable_count"] for r in stats} == {"SG101": 0, "SG105": 0}
