"""What ``sora-guard fix`` says about a file, as a user reads it: the picture as displayed, what changed."""

from __future__ import annotations

from PIL import Image
from support.images import encode, exif_rotated_jpeg, marker, png_16bit_rgb, write


def test_enlargement_is_measured_from_the_crop_box_as_displayed(tmp_path, run_cli):
    write(tmp_path / "turned.jpg", exif_rotated_jpeg((900, 1200), 6))  # displayed 1200x900
    result = run_cli(
        "fix",
        "--profile",
        "sora-2",
        "--dry-run",
        "--strategy",
        "crop",
        "--crop-box",
        "0,0,0.25,0.25",
        "turned.jpg",
    )
    assert result.returncode == 1, result.stderr
    assert "SG911 [enlarged] enlarged 4.3x from the 300x225 crop box of 1200x900" in result.stdout


def test_distortion_reports_aspects_as_displayed(tmp_path, run_cli):
    write(tmp_path / "turned.jpg", exif_rotated_jpeg((1200, 900), 6))  # displayed 900x1200, 0.75
    result = run_cli(
        "fix", "--profile", "sora-2", "--dry-run", "--strategy", "stretch", "--size", "1280x720", "turned.jpg"
    )
    assert "SG912 [distorted] stretch distorts proportions: width/height 0.750 -> 1.778" in result.stdout


def test_a_fix_that_keeps_the_size_says_what_changed(tmp_path, run_cli):
    write(tmp_path / "cmyk.jpg", encode(marker((1280, 720), "CMYK"), "JPEG"))
    write(tmp_path / "turned.jpg", exif_rotated_jpeg((720, 1280), 6))
    write(tmp_path / "deep.png", png_16bit_rgb((1280, 720)))
    write(tmp_path / "grey.png", encode(Image.new("I;16", (1280, 720)), "PNG"))
    write(tmp_path / "scan.tiff", encode(marker((1280, 720)), "TIFF"))
    result = run_cli("fix", "--profile", "sora-2", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1280x720 -> 1280x720" not in result.stdout
    lines = result.stdout.splitlines()
    assert "Fixing cmyk.jpg: SG401: colour CMYK -> RGB" in lines
    assert "Fixing turned.jpg: SG403: turned upright (EXIF orientation 6)" in lines
    assert "Fixing deep.png: SG402: 16-bit -> 8-bit" in lines
    assert "Fixing grey.png: SG402: colour greyscale -> RGB, 16-bit -> 8-bit" in lines
    assert "Fixing scan.tiff -> scan.png: SG201: TIFF -> PNG" in lines
