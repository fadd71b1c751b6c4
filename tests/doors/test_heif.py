"""HEIC/HEIF phone photos through the real CLI and the pre-flight guard: checked as displayed,
fixed into sRGB JPEGs the right way up, refused with diagnostics when damaged.

The files are real HEICs written by pillow-heif's encoder (``heif.py``): rotated with ``irot``,
mirrored with ``imir``, Display P3, 10-bit, with GPS, with depth maps and HDR gain maps, several
top-level images, and cut short.
"""

from __future__ import annotations

import io
import json
import warnings

import pytest
from PIL import Image, ImageCms
from support.heif import APPLE_GAIN_MAP, DEPTH, auxc, box_types, coded, container, imir, irot, phone_photo
from support.icc import display_p3
from support.images import marker

import sora_guard

# EXIF orientation -> the transpose that stores a picture so that it displays the right way up
_STORE = {1: None, 3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
NAMED = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "white": (255, 255, 255)}


def shown_as_marker(displayed: tuple[int, int], orientation: int, **params) -> bytes:
    """A phone HEIC that displays as ``marker(displayed)`` once turned by ``orientation``."""
    picture = marker(displayed)
    stored = picture.transpose(_STORE[orientation]) if _STORE[orientation] else picture
    return phone_photo(stored, orientation, **params)


def corners(im: Image.Image) -> list[str]:
    """The marker colour nearest each corner's pixel (top-left, top-right, bottom-left, bottom-right)."""
    w, h = im.size
    points = [
        (w // 10, h // 10),
        (w - 1 - w // 10, h // 10),
        (w // 10, h - 1 - h // 10),
        (w - 1 - w // 10, h - 1 - h // 10),
    ]
    rgb = im.convert("RGB")

    def nearest(pixel):
        return min(NAMED, key=lambda n: sum((a - b) ** 2 for a, b in zip(pixel, NAMED[n])))

    return [nearest(rgb.getpixel(p)) for p in points]


UPRIGHT = ["red", "green", "blue", "white"]


def check_json(run_cli, *args: str, cwd) -> dict:
    result = run_cli("check", "--isolated", "--output-format", "json", *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return {f["path"]: f for f in json.loads(result.stdout)["files"]}


@pytest.fixture(scope="module")
def phone_folder(tmp_path_factory):
    """Portrait and landscape phone photos, rotated and Display P3, as a phone saves them."""
    folder = tmp_path_factory.mktemp("phone")
    p3 = display_p3()
    (folder / "landscape.heic").write_bytes(shown_as_marker((640, 360), 1, icc=p3))
    (folder / "portrait.heic").write_bytes(shown_as_marker((360, 640), 6, icc=p3))
    (folder / "portrait-left.heic").write_bytes(shown_as_marker((360, 640), 8, icc=p3))
    (folder / "upside-down.heic").write_bytes(shown_as_marker((640, 360), 3, icc=p3))
    (folder / "deep.heic").write_bytes(shown_as_marker((360, 640), 6, icc=p3, bits=10))
    return folder


def copy_of(folder, tmp_path):
    for f in folder.glob("*.heic"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    return tmp_path


def test_the_test_files_declare_what_they_claim(phone_folder):
    """Rotation in ``irot`` (no EXIF orientation needed), a tile grid, a profile, 10 bits, a thumbnail."""
    portrait = box_types((phone_folder / "portrait.heic").read_bytes())
    assert {b"irot", b"colr", b"pixi", b"ispe", b"thmb", b"dimg"} <= set(portrait)
    assert b"irot" not in box_types((phone_folder / "landscape.heic").read_bytes())
    deep = (phone_folder / "deep.heic").read_bytes()
    assert b"pixi\x00\x00\x00\x00\x03\x0a\x0a\x0a" in deep  # three channels of 10 bits


def test_check_reports_the_displayed_size_of_each_photo(phone_folder, run_cli):
    files = check_json(run_cli, "--profile", "sora-2", ".", cwd=phone_folder)
    sizes = {name: (f["width"], f["height"]) for name, f in files.items()}
    assert sizes == {
        "landscape.heic": (640, 360),
        "portrait.heic": (360, 640),
        "portrait-left.heic": (360, 640),
        "upside-down.heic": (640, 360),
        "deep.heic": (360, 640),
    }
    assert files["portrait.heic"]["target"] == "720x1280" and files["landscape.heic"]["target"] == "1280x720"
    for name, f in files.items():
        codes = {d["code"] for d in f["diagnostics"]}
        assert {"SG101", "SG201"} <= codes and "SG403" not in codes and "SG502" not in codes, (name, codes)
    assert "SG402" in {d["code"] for d in files["deep.heic"]["diagnostics"]}
    assert "10-bit" in str(files["deep.heic"]["diagnostics"])


def test_fix_turns_a_folder_of_phone_photos_into_compliant_srgb_jpegs(phone_folder, tmp_path, run_cli):
    work = copy_of(phone_folder, tmp_path)
    result = run_cli("fix", "--isolated", "--profile", "sora-2", ".", cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "HEIF -> JPEG" in result.stdout and "SG914" in result.stdout
    assert sorted(p.name for p in work.iterdir() if not p.name.startswith(".")) == [
        "deep.jpg", "landscape.jpg", "portrait-left.jpg", "portrait.jpg", "upside-down.jpg"
    ]  # fmt: skip
    for path in work.glob("*.jpg"):
        with Image.open(path) as im:
            assert im.format == "JPEG" and im.mode == "RGB", path
            assert im.size == (
                (720, 1280) if "portrait" in path.name or "deep" in path.name else (1280, 720)
            ), path
            assert corners(im) == UPRIGHT, path
            assert "icc_profile" not in im.info and not im.getexif(), path  # sRGB, no EXIF, no GPS
    again = run_cli("check", "--isolated", "--profile", "sora-2", ".", cwd=work)
    assert again.returncode == 0, again.stdout


@pytest.mark.parametrize("declared", ["icc", "nclx"])
def test_fix_converts_display_p3_to_srgb(tmp_path, run_cli, declared):
    """iPhones embed a Display P3 profile; other phones declare P3 as nclx numbers (primaries 12,
    the sRGB curve 13) without one: both are converted."""
    p3_green = (60, 200, 60)
    srgb = ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(display_p3())), ImageCms.createProfile("sRGB"), "RGB", "RGB"
    )
    expected = ImageCms.applyTransform(Image.new("RGB", (1, 1), p3_green), srgb).getpixel((0, 0))
    assert expected[0] < 20  # the same numbers mean a far purer green in P3 than in sRGB
    colour = {"icc": display_p3()} if declared == "icc" else {"nclx": (12, 13)}
    (tmp_path / "green.heic").write_bytes(phone_photo(Image.new("RGB", (320, 180), p3_green), **colour))
    result = run_cli("fix", "--isolated", "--profile", "openai-image-edit", "green.heic", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    with Image.open(tmp_path / "green.jpg") as im:
        pixel = im.getpixel((160, 90))
    assert all(abs(a - b) <= 6 for a, b in zip(pixel, expected)), (pixel, expected)


def test_an_hdr_curve_without_an_icc_equivalent_is_converted_as_srgb_with_a_note(tmp_path, run_cli):
    """BT.2020 primaries with the PQ curve (an HDR photo) fit no ICC matrix profile: SG913 says so."""
    (tmp_path / "pq.heic").write_bytes(phone_photo(marker((320, 180)), nclx=(9, 16)))
    result = run_cli("fix", "--isolated", "--profile", "openai-image-edit", "pq.heic", cwd=tmp_path)
    assert result.returncode == 0 and "SG913" in result.stdout, result.stdout
    assert "primaries 9, transfer 16" in result.stdout


def test_fix_never_replaces_a_file_that_has_the_new_name(tmp_path, run_cli):
    (tmp_path / "photo.heic").write_bytes(shown_as_marker((640, 360), 1))
    other = marker((1280, 720)).rotate(180)
    other.save(tmp_path / "photo.jpg", quality=90)
    before = (tmp_path / "photo.jpg").read_bytes()
    result = run_cli("fix", "--isolated", "--profile", "sora-2", "photo.heic", cwd=tmp_path)
    assert result.returncode == 1 and "SG903" in result.stdout, result.stdout
    assert (tmp_path / "photo.jpg").read_bytes() == before and (tmp_path / "photo.heic").exists()


def test_a_collection_shows_its_primary_image_and_fix_keeps_it(tmp_path, run_cli):
    """Several top-level images (a burst) count as frames; fix keeps the primary one, which need not be the first."""
    first = coded(Image.new("RGB", (320, 180), (0, 0, 255)))
    primary = coded(marker((320, 180)))
    (tmp_path / "burst.heic").write_bytes(container([first, primary, first], primary=1))
    files = check_json(run_cli, "--profile", "openai-image-edit", "burst.heic", cwd=tmp_path)
    messages = [d["message"] for d in files["burst.heic"]["diagnostics"] if d["code"] == "SG404"]
    assert messages and "3 top-level images" in messages[0]
    assert (
        run_cli("fix", "--isolated", "--profile", "openai-image-edit", "burst.heic", cwd=tmp_path).returncode
        == 0
    )
    with Image.open(tmp_path / "burst.jpg") as im:
        assert corners(im) == UPRIGHT


def test_auxiliary_images_are_not_frames_and_a_gain_map_is_dropped_with_a_note(tmp_path, run_cli):
    main = coded(marker((320, 180)))
    depth = coded(Image.new("L", (160, 90), 128)).with_(auxc(DEPTH), refs=((b"auxl", (0,)),))
    gain = coded(Image.new("L", (160, 90), 200)).with_(auxc(APPLE_GAIN_MAP), refs=((b"auxl", (0,)),))
    (tmp_path / "hdr.heic").write_bytes(container([main, depth, gain]))
    files = check_json(run_cli, "--profile", "openai-image-edit", "hdr.heic", cwd=tmp_path)
    assert {d["code"] for d in files["hdr.heic"]["diagnostics"]} == {"SG201"}  # no SG404: one picture
    result = run_cli("fix", "--isolated", "--profile", "openai-image-edit", "hdr.heic", cwd=tmp_path)
    assert result.returncode == 0 and "SG915" in result.stdout and "gain map" in result.stdout, result.stdout
    with Image.open(tmp_path / "hdr.jpg") as im:
        assert im.size == (320, 180) and corners(im) == UPRIGHT


@pytest.mark.parametrize(
    "properties, expected",
    [
        ((irot(1),), ["green", "white", "red", "blue"]),  # a quarter turn anticlockwise
        ((imir(1),), ["green", "red", "white", "blue"]),  # left and right swapped
        ((imir(0),), ["blue", "white", "red", "green"]),  # top and bottom swapped
    ],
    ids=["irot", "imir-1", "imir-0"],
)
def test_rotation_and_mirroring_properties_are_applied(tmp_path, run_cli, properties, expected):
    (tmp_path / "turned.heic").write_bytes(container([coded(marker((320, 180))).with_(*properties)]))
    assert (
        run_cli("fix", "--isolated", "--profile", "openai-image-edit", "turned.heic", cwd=tmp_path).returncode
        == 0
    )
    with Image.open(tmp_path / "turned.jpg") as im:
        assert corners(im) == expected


def test_damaged_heif_files_get_integrity_diagnostics_never_a_traceback(phone_folder, tmp_path, run_cli):
    data = (phone_folder / "portrait.heic").read_bytes()
    mdat = data.index(b"mdat")
    cuts = {
        "in-ftyp.heic": 20,
        "in-meta.heic": mdat // 2,
        "in-data.heic": (mdat + len(data)) // 2,
        "last-byte.heic": len(data) - 1,
    }
    for name, keep in cuts.items():
        (tmp_path / name).write_bytes(data[:keep])
    files = check_json(run_cli, "--profile", "sora-2", ".", cwd=tmp_path)
    for name in cuts:
        codes = {d["code"] for d in files[name]["diagnostics"]}
        assert any(c.startswith("SG5") for c in codes), (name, files[name])
    result = run_cli("fix", "--isolated", "--profile", "sora-2", ".", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(cuts)  # nothing written, nothing removed


def test_guard_sends_a_heic_reference_as_a_jpeg(server, client, phone_folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sora_guard.guard(client, fix="cover").videos.create(
            model="sora-2",
            prompt="a lighthouse",
            size="1280x720",
            input_reference=phone_folder / "landscape.heic",
        )
    (request,) = [r for r in server.requests if r.method == "POST"]
    part = request.file("input_reference")
    assert part.content_type == "image/jpeg" and part.filename == "landscape.jpg"
    with Image.open(io.BytesIO(part.data)) as im:
        assert (im.format, im.size) == ("JPEG", (1280, 720)) and corners(im) == UPRIGHT
