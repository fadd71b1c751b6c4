"""The search of a call's arguments (``guard/scan.py``): an image is found wherever it sits and
whatever says it is one; nothing else is ever taken for an image."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from support.images import encode, marker, truncated

from sora_guard.guard.scan import find_images
from sora_guard.vocabulary.guarding import Base64Text

PNG = encode(marker((16, 16)), "PNG")
JPEG = encode(marker((16, 16)), "JPEG")

words = st.text(alphabet="abcdefghij klmnop", max_size=30)
plain = st.one_of(words, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
trees = st.recursive(
    plain,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(words, inner, max_size=4)),
    max_leaves=25,
)


def forms():
    """``(value, MIME type beside it or None)``: every way an argument says it is, or starts like, an image."""
    return st.sampled_from(
        [
            ("data:image/png;base64," + base64.b64encode(b"not a picture").decode(), None),  # claims, is not
            (
                "data:application/octet-stream;base64," + base64.b64encode(JPEG).decode(),
                None,
            ),  # starts like one
            (base64.b64encode(JPEG).decode(), None),  # bare base64 that starts like a JPEG
            (base64.b64encode(b"text").decode(), "image/png"),  # base64 whose MIME type says image
            (truncated(JPEG), None),  # bytes that start like a JPEG
            (b"text", "image/heic"),  # bytes whose MIME type says image
            (("photo.png", b"text"), None),  # a multipart tuple named like an image
            (io.BytesIO(PNG), None),  # an unnamed file that starts like a PNG
        ]
    )


def put(tree, path, value):
    for key in path[:-1]:
        tree = tree[key]
    tree[path[-1]] = value


def places(tree, where=()):
    """Every address in ``tree`` where a value can go (a key of a dict, an index of a list)."""
    if isinstance(tree, dict):
        yield (*where, "image")
        for k, v in tree.items():
            yield from places(v, (*where, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield (*where, i)
            yield from places(v, (*where, i))


@given(trees)
def test_nothing_that_says_nothing_and_starts_like_no_image_is_found(tree):
    assert find_images({"arguments": tree}, [], None) == []


@given(st.dictionaries(words, trees, max_size=4), forms(), st.data())
def test_an_image_is_found_at_its_address_at_any_depth(tree, form, data):
    value, mime = form
    arguments = {"input": tree}
    where = data.draw(st.sampled_from(list(places(tree, ("input",)))))
    # data with its MIME type beside it: the pair's container is the image's address
    put(arguments, where, value if mime is None else {"data": value, "mime_type": mime})
    (found,) = find_images(arguments, [], "kling")
    assert found.where == where and found.profile == "kling"
    if mime is not None:
        assert found.declared_mime == mime
    if isinstance(found.value, Base64Text):
        assert found.value.text == value


def test_what_makes_no_claim_and_is_not_an_image_passes(tmp_path):
    pdf, clip, song = tmp_path / "a.pdf", tmp_path / "clip.mp4", tmp_path / "song"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(64))
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    song.write_bytes(b"ID3\x04" + bytes(64))
    arguments = {
        "files": [pdf, clip, song, open(song, "rb")],
        "data": {"data": base64.b64encode(b"%PDF").decode(), "mime_type": "application/pdf"},
        "uri": "data:video/mp4;base64," + base64.b64encode(b"\x00\x00\x00\x18ftypmp42").decode(),
        "url": "https://example.com/photo.png",
        "file_id": "file-abc",
        "prompt": "a lighthouse at dusk",
    }
    assert find_images(arguments, [], None) == []


def test_claimed_addresses_are_left_to_the_adapter_and_a_cycle_ends():
    loop: dict = {"png": PNG}
    loop["self"] = loop
    shared = {"data": base64.b64encode(b"x").decode(), "mime_type": "image/png"}
    found = find_images({"a": loop, "b": [shared, shared], "c": Path("frame.jpg")}, [("a", "png")], None)
    assert [f.where for f in found] == [("b", 0), ("b", 1), ("c",)]
