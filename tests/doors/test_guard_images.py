"""``images.edit`` through the guard: image formats and limits, the mask's format, size and alpha."""

from __future__ import annotations

import io

import openai
import pytest
from PIL import Image
from support.images import encode, marker

import sora_guard
from sora_guard import PreflightError


def mask(size=(1024, 1024), alpha=True) -> bytes:
    im = Image.new("RGBA" if alpha else "RGB", size, (0, 0, 0, 255) if alpha else (0, 0, 0))
    if alpha:
        im.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
    return encode(im, "PNG")


def photo(size=(1024, 1024), fmt="JPEG") -> bytes:
    return encode(marker(size), fmt)


def edit(c, **kw):
    return c.images.edit(model="gpt-image-1", prompt="add a boat", **kw)


def test_compliant_edit_is_sent_with_typed_parts(server, client):
    response = edit(sora_guard.guard(client), image=photo(), mask=mask())
    assert response.data[0].b64_json
    (request,) = server.requests
    assert (
        request.file("image").content_type == "image/jpeg" and request.file("image").filename == "image.jpg"
    )
    assert request.file("mask").content_type == "image/png" and request.file("mask").filename == "mask.png"


def test_several_images_are_each_checked(server, client):
    guarded = sora_guard.guard(client)
    with pytest.raises(PreflightError, match=r"image\[1\]"):
        edit(guarded, image=[photo(), b"not an image"])
    assert server.requests == []
    edit(guarded, image=[photo(), photo((512, 512), "PNG")])
    assert [p.content_type for p in server.requests[0].files("image[]")] == ["image/jpeg", "image/png"]


@pytest.mark.parametrize(
    "mask_bytes, code",
    [
        (mask((512, 512)), "SG101"),
        (mask(alpha=False), "SG407"),
        (encode(Image.new("RGB", (1024, 1024)), "JPEG"), "SG201"),
    ],
    ids=["wrong-size", "no-alpha", "jpeg"],
)
def test_bad_mask_raises_with_zero_requests(server, client, mask_bytes, code):
    with pytest.raises(PreflightError) as exc:
        edit(sora_guard.guard(client), image=photo(), mask=mask_bytes)
    assert code in {d.code for d in exc.value.diagnostics}
    assert "fix=" not in str(exc.value)  # the guard never rewrites a mask, so it does not offer to
    assert server.requests == []
    with pytest.raises(openai.BadRequestError):  # the service refuses it too
        edit(client, image=("photo.jpg", photo()), mask=("mask.png", mask_bytes, "image/png"))


def test_raw_response_edit_is_guarded(server, client):
    with pytest.raises(PreflightError, match="SG407"):
        sora_guard.guard(client).images.with_raw_response.edit(
            model="gpt-image-1", prompt="x", image=photo(), mask=mask(alpha=False)
        )
    assert server.requests == []


def test_mask_over_4_mb_is_refused(server, client):
    noisy = Image.frombytes(
        "RGBA", (1400, 1400), bytes(range(256)) * (1400 * 1400 * 4 // 256) + bytes(1400 * 1400 * 4 % 256)
    )
    data = encode(noisy, "PNG", compress_level=0)
    assert len(data) > 4 * 1024 * 1024
    with pytest.raises(PreflightError, match="SG301"):
        edit(sora_guard.guard(client), image=photo((1400, 1400)), mask=data)
    assert server.requests == []


def test_gif_image_is_refused_in_check_mode_and_converted_in_fix_mode(server, client):
    gif = photo((800, 600), "GIF")
    with pytest.raises(PreflightError, match="SG201"):
        edit(sora_guard.guard(client), image=gif)
    edit(sora_guard.guard(client, fix="cover"), image=gif)
    part = server.requests[0].file("image")
    with Image.open(io.BytesIO(part.data)) as im:
        assert (im.format, im.size, part.content_type) == ("PNG", (800, 600), "image/png")


def test_sdk_argument_errors_are_the_sdks(server, client):
    with pytest.raises(TypeError, match="Missing required argument"):
        sora_guard.guard(client).images.edit(prompt="x")
    assert server.requests == []
