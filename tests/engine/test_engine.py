"""The engine through its Python API: paths, bytes and PIL images, rule selection, profiles."""

from __future__ import annotations

import pytest
from PIL import Image
from support.images import encode, exif_rotated_jpeg, marker, png_header_only, truncated, write

import sora_guard
from sora_guard.engine.selection import select_rules
from sora_guard.plugins.host import load_registry
from sora_guard.vocabulary.model import Size


def codes(report) -> set[str]:
    return {d.code for d in report.diagnostics}


def test_check_path_bytes_and_image_agree(tmp_path):
    data = encode(marker((1281, 720)), "JPEG")
    path = write(tmp_path / "a.jpg", data)
    assert codes(sora_guard.check(path, profile="sora-2")) == {"SG101"}
    assert codes(sora_guard.check(data, name="a.jpg", profile="sora-2")) == {"SG101"}
    assert codes(sora_guard.check(Image.open(path), profile="sora-2")) == {"SG101"}
    assert sora_guard.check(marker((720, 1280)), profile="sora-2").ok


def test_bytes_without_a_name_skip_the_extension_rule_but_a_wrong_name_fails():
    data = encode(marker((1280, 720)), "PNG")
    assert sora_guard.check(data).ok
    assert codes(sora_guard.check(data, name="upload.jpg")) == {"SG202"}


def test_options_are_configuration_keys():
    im = marker((1024, 576))
    assert not sora_guard.check(im, profile="sora-2").ok
    assert sora_guard.check(im, profile="stability-i2v").ok
    assert sora_guard.check(im, size="1280x720", select=["SG2"]).ok
    with pytest.raises(ValueError, match="unknown profile"):
        sora_guard.check(im, profile="nope")
    with pytest.raises(ValueError, match="not a size"):
        sora_guard.check(im, size="1024*576")


def test_bomb_is_refused_before_decoding():
    report = sora_guard.check(png_header_only((60000, 60000)), name="bomb.png", profile="sora-2")
    assert codes(report) == {"SG101", "SG504"}  # its header is read: the size is wrong too, and said so
    assert "3600000000 pixels" in next(d.message for d in report.diagnostics if d.code == "SG504")
    small_limit = sora_guard.check(encode(marker((1280, 720)), "PNG"), name="a.png", max_pixels=1000)
    assert codes(small_limit) == {"SG504"}


def test_in_memory_image_with_exif_orientation_is_flagged():
    im = Image.open(__import__("io").BytesIO(exif_rotated_jpeg((720, 1280), 8)))
    report = sora_guard.check(im, profile="sora-2")
    assert codes(report) == {"SG403"}


@pytest.mark.parametrize(
    ("shape", "profile", "expected"),
    [
        ((4032, 3024), "sora-2", "1280x720"),
        ((3024, 4032), "sora-2", "720x1280"),
        ((1000, 1000), "sora-2", "1280x720"),
        ((1000, 1000), "stability-i2v", "768x768"),
        ((1920, 1080), "sora-2-pro", "1920x1080"),
        ((1280, 720), "sora-2-pro", "1280x720"),
        ((1750, 1000), "sora-2-pro", "1792x1024"),
        ((4032, 3024), "sora-2-pro", "1792x1024"),
        ((500, 1000), "stability-i2v", "576x1024"),
    ],
)
def test_auto_picks_the_allowed_size_nearest_in_aspect(shape, profile, expected):
    p = load_registry().profile(profile)
    assert str(p.nearest_size(Size(*shape))) == expected


def test_snapshots_map_to_their_model_profile():
    reg = load_registry()
    assert reg.profile_for_model("sora-2").name == "sora-2"
    assert reg.profile_for_model("sora-2-2025-12-08").name == "sora-2"
    assert reg.profile_for_model("sora-2-pro-2025-10-06").name == "sora-2-pro"
    assert reg.profile_for_model("sora-3") is None


def test_selection_prefers_the_more_specific_selector():
    rules = list(load_registry().rules.values())
    chosen = lambda *a: {r.code for r in select_rules(rules, *a) if not r.only_errors}  # noqa: E731
    assert chosen(["SG1"], ["SG10"], ["SG105"]) == {"SG105"} | {
        r.code for r in rules if r.code.startswith("SG1") and not r.code.startswith("SG10")
    }
    assert chosen(["ALL"], ["SG4"]) == {r.code for r in rules if not r.code.startswith("SG4")}
    assert chosen(["SG403"], ["SG4"]) == {"SG403"}
    assert chosen(["SG4"], ["SG4"]) == set()


def test_rules_for_unreadable_files_stay_for_their_errors_whatever_the_selection():
    rules = list(load_registry().rules.values())
    always = {r.code for r in rules if r.always}
    assert {"SG302", "SG501", "SG502", "SG503", "SG504", "SG505", "SG901", "SG902", "SG903"} == always
    kept = {r.code: r for r in select_rules(rules, ["SG406"], ["SG5"])}
    assert set(kept) == {"SG406"} | always
    assert all(kept[code].only_errors for code in always) and not kept["SG406"].only_errors
    assert kept["SG406"].named  # selected by its code: its warnings' fix applies
    assert not {r.code: r for r in select_rules(rules, ["SG4"])}["SG406"].named


def test_multi_picture_jpeg_is_a_jpeg_not_an_animation(tmp_path):
    """Phones write MPO files (HDR gain maps, depth maps): every JPEG decoder shows the first image."""
    primary, extra = marker((1280, 720)), marker((320, 180))
    data = encode(primary, "MPO", save_all=True, append_images=[extra])
    assert Image.open(__import__("io").BytesIO(data)).format == "MPO"
    assert sora_guard.check(data, name="photo.jpg").ok
    assert codes(sora_guard.check(data, name="photo.png")) == {"SG202"}
    wrong = encode(marker((1281, 720)), "MPO", save_all=True, append_images=[extra])
    assert codes(sora_guard.check(wrong, name="photo.jpg", profile="sora-2")) == {"SG101"}
    assert codes(sora_guard.check(truncated(data, 0.3), name="photo.jpg")) == {"SG503"}


def test_a_png_named_apng_uploads_as_image_apng_and_is_flagged():
    data = encode(marker((1280, 720)), "PNG")
    report = sora_guard.check(data, name="still.apng")
    assert codes(report) == {"SG202"}
    assert "says APNG" in report.diagnostics[0].message
