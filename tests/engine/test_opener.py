"""``open_image`` opens what ``Image.open`` opens, the same way, importing only the plugin it needs.

Each case runs in a fresh interpreter: the shortcut applies only before Pillow has loaded its
common plugins, which any earlier test in this process will have done.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support.images import animated_gif, corrupt_jpeg, encode, marker

PROBE = """
import io, json, sys
from PIL import Image
for name in sys.argv[2:]:
    __import__(name)  # plugins a host program loaded first
from sora_guard.engine.opener import open_image

data = open(sys.argv[1], "rb").read()
try:
    im = open_image(io.BytesIO(data))
    got = [im.format, im.mode, list(im.size), getattr(im, "n_frames", 1)]
except Exception as exc:
    got = [type(exc).__name__, str(exc).replace(repr(io.BytesIO), "")]
plugins = sorted(m for m in sys.modules if m.startswith("PIL.") and m.endswith("ImagePlugin"))
print(json.dumps({"got": got, "plugins": plugins, "initialized": Image._initialized}))
"""

REFERENCE = """
import io, json, sys
from PIL import Image
for name in sys.argv[2:]:
    __import__(name)
data = open(sys.argv[1], "rb").read()
try:
    im = Image.open(io.BytesIO(data))
    got = [im.format, im.mode, list(im.size), getattr(im, "n_frames", 1)]
except Exception as exc:
    got = [type(exc).__name__, str(exc).replace(repr(io.BytesIO), "")]
print(json.dumps({"got": got}))
"""


def _run(script: str, path, *preloaded: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", script, str(path), *preloaded], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _same(path, *preloaded: str) -> dict:
    """The shortcut's outcome, asserted equal to ``Image.open``'s (the error's text without the stream)."""
    result = _run(PROBE, path, *preloaded)
    reference = _run(REFERENCE, path, *preloaded)["got"]
    if reference[0] == "UnidentifiedImageError":
        reference[1] = reference[1].split(" <")[0]
        result["got"][1] = result["got"][1].split(" <")[0]
    assert result["got"] == reference
    return result


CASES = {
    "JPEG": (lambda: encode(marker((64, 48)), "JPEG"), ["PIL.JpegImagePlugin"]),
    "PNG": (lambda: encode(marker((64, 48), "RGBA"), "PNG"), ["PIL.PngImagePlugin"]),
    "GIF": (lambda: animated_gif((40, 30), 3), ["PIL.GifImagePlugin"]),
}


@pytest.mark.parametrize("fmt", CASES)
def test_a_common_format_loads_its_plugin_alone(tmp_path, fmt):
    make, plugins = CASES[fmt]
    path = tmp_path / "image"
    path.write_bytes(make())
    result = _same(path)
    assert result["plugins"] == plugins
    assert result["initialized"] == 0  # Pillow's preinit flag is left as it was: the next open decides anew


def test_a_multi_picture_jpeg_is_still_an_mpo(tmp_path):
    path = tmp_path / "image"
    frames = [marker((64, 48)), marker((32, 24))]
    path.write_bytes(encode(frames[0], "MPO", save_all=True, append_images=frames[1:]))
    assert _same(path)["got"][0] == "MPO"


@pytest.mark.parametrize(
    "data",
    [
        encode(marker((16, 16)), "BMP"),  # not one of the signatures: Image.open as usual
        b"\xff\xd8\xff\xe0" + b"\x00" * 40,  # JPEG's signature, nothing it can read: every plugin tries
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        corrupt_jpeg((64, 48)),
    ],
    ids=["BMP", "bad JPEG header", "bad PNG header", "corrupt JPEG"],
)
def test_anything_else_goes_through_image_open(tmp_path, data):
    path = tmp_path / "image"
    path.write_bytes(data)
    _same(path)


def test_a_plugin_that_takes_anything_keeps_its_turn(tmp_path):
    """A host that loaded a plugin without a signature test (TGA) before preinit: Pillow asks it first."""
    path = tmp_path / "image"
    path.write_bytes(encode(marker((64, 48)), "JPEG"))
    assert "PIL.PngImagePlugin" in _same(path, "PIL.TgaImagePlugin")["plugins"]  # the full open ran
