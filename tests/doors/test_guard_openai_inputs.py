"""The openai adapter beyond Sora: ``images.edit`` in full, vision inputs of responses / conversations /
chat, ``files.create`` for vision, and ``extra_body``, with the real SDK against the loopback service."""

from __future__ import annotations

import base64
import io

import openai
import pytest
from PIL import Image
from support.images import encode, marker, truncated

import sora_guard
from sora_guard import PreflightError


def jpeg(size=(1024, 1024)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def url(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def transparent_png(size=(1024, 1024)) -> bytes:
    im = Image.new("RGBA", size, (0, 0, 0, 255))
    im.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
    return encode(im, "PNG")


def edit(c, **kw):
    return c.images.edit(model="gpt-image-2", prompt="add a boat", **kw)


# -- images.edit ---------------------------------------------------------------------------------


def test_sixteen_images_pass_and_seventeen_are_refused_like_the_service(server, client):
    guarded = sora_guard.guard(client)
    edit(guarded, image=[jpeg((256, 256))] * 16)
    assert len(server.requests[0].files("image[]")) == 16
    with pytest.raises(PreflightError, match="SG601 request-refused: 17 images"):
        edit(guarded, image=[jpeg((256, 256))] * 17)
    assert len(server.requests) == 1
    with pytest.raises(openai.BadRequestError):
        edit(client, image=[("p.jpg", jpeg((256, 256)))] * 17)


def test_markup_is_a_transparent_png_at_the_first_images_displayed_size(server, client):
    guarded = sora_guard.guard(client)
    edit(guarded, image=jpeg(), markup=transparent_png())
    assert server.requests[0].file("markup").content_type == "image/png"
    for bad, code in (
        (transparent_png((512, 512)), "SG101"),
        (encode(Image.new("RGB", (1024, 1024)), "PNG"), "SG407"),
    ):
        with pytest.raises(PreflightError, match=code):
            edit(guarded, image=jpeg(), markup=bad)
    assert len(server.requests) == 1


def test_mask_and_markup_together_are_refused(server, client):
    with pytest.raises(PreflightError, match="mask and markup cannot be combined"):
        edit(sora_guard.guard(client), image=jpeg(), mask=transparent_png(), markup=transparent_png())
    assert server.requests == []
    with pytest.raises(openai.BadRequestError):
        edit(
            client,
            image=("p.jpg", jpeg()),
            mask=("m.png", transparent_png(), "image/png"),
            markup=("k.png", transparent_png(), "image/png"),
        )


@pytest.mark.parametrize("size", ["1000x1000", "4800x1600", "480x1600", "4000x2256"])
def test_output_size_rules(server, client, size):
    with pytest.raises(PreflightError, match=f"SG601 request-refused: size {size}"):
        edit(sora_guard.guard(client), image=jpeg(), size=size)
    assert server.requests == []


def test_output_sizes_the_service_takes_pass(server, client):
    guarded = sora_guard.guard(client)
    for size in ("1536x864", "3840x2160", "2160x3840", "auto", "1024x1536"):
        edit(guarded, image=jpeg(), size=size)
    assert len(server.requests) == 5


def test_less_than_n_mb_errs_under_neither_reading_and_warns_under_the_stricter():
    from sora_guard.plugins.host import load_registry

    profiles = load_registry().profiles
    for name, mb in (("openai-image-edit", 50), ("openai-image-mask", 4)):
        limit = profiles[name]
        assert (limit.max_bytes, limit.fact("max_bytes").strict) == (mb * 1024 * 1024 - 1, mb * 1_000_000 - 1)


# -- vision inputs ---------------------------------------------------------------------------------


def respond(c, image_part):
    return c.responses.create(
        model="gpt-5",
        input=[{"role": "user", "content": [{"type": "input_text", "text": "what is this?"}, image_part]}],
    )


@pytest.mark.parametrize(
    "data, mime, code",
    [
        (b"plain text" * 20, "image/png", "SG502"),
        (truncated(jpeg()), "image/jpeg", "SG503"),
        (jpeg(), "image/png", "SG203"),
        (encode(marker((64, 64)), "TIFF"), "image/tiff", "SG201"),
    ],
    ids=["text", "truncated", "mime-mismatch", "tiff"],
)
def test_responses_input_image_data_url_is_checked(server, client, data, mime, code):
    with pytest.raises(PreflightError, match=code):
        respond(
            sora_guard.guard(client), {"type": "input_image", "image_url": url(data, mime), "detail": "auto"}
        )
    assert server.requests == []
    with pytest.raises(openai.BadRequestError):
        respond(client, {"type": "input_image", "image_url": url(data, mime), "detail": "auto"})


def test_good_vision_input_goes_out_untouched_and_file_ids_pass_with_a_warning(server, client):
    guarded = sora_guard.guard(client)
    good = url(jpeg())
    respond(guarded, {"type": "input_image", "image_url": good, "detail": "auto"})
    assert server.requests[0].json["input"][0]["content"][1]["image_url"] == good
    with pytest.warns(sora_guard.PreflightWarning, match="file_id file-123 cannot be checked"):
        respond(guarded, {"type": "input_image", "file_id": "file-123", "detail": "auto"})
    assert len(server.requests) == 2


def test_fix_mode_relabels_a_mislabelled_vision_input(server, client):
    data = jpeg()
    respond(
        sora_guard.guard(client, fix="cover"),
        {"type": "input_image", "image_url": url(data, "image/png"), "detail": "auto"},
    )
    (request,) = server.requests
    assert request.json["input"][0]["content"][1]["image_url"] == url(data, "image/jpeg")


def test_chat_and_conversation_items_are_checked(server, client):
    guarded = sora_guard.guard(client)
    bad = url(truncated(jpeg()))
    with pytest.raises(PreflightError, match="SG503"):
        guarded.chat.completions.create(
            model="gpt-5",
            messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": bad}}]}],
        )
    with pytest.raises(PreflightError, match="SG503"):
        guarded.conversations.items.create(
            "conv_1",
            items=[
                {"type": "message", "role": "user", "content": [{"type": "input_image", "image_url": bad}]}
            ],
        )
    assert server.requests == []
    guarded.chat.completions.create(
        model="gpt-5",
        messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url(jpeg())}}]}],
    )
    assert len(server.requests) == 1


def test_extra_body_is_not_a_way_around_the_guard(server, client):
    guarded = sora_guard.guard(client)
    hidden = {
        "input": [
            {
                "role": "user",
                "content": [{"type": "input_image", "image_url": url(b"not an image" * 9, "image/png")}],
            }
        ]
    }
    with pytest.raises(PreflightError, match="SG502"):
        guarded.responses.create(model="gpt-5", extra_body=hidden)
    with pytest.raises(PreflightError, match="SG503"):
        guarded.with_options(timeout=5).chat.completions.create(
            model="gpt-5", messages=[], extra_body={"x": {"y": [url(truncated(jpeg()))]}}
        )
    assert server.requests == []


def test_raw_response_and_async_vision_calls_are_guarded(server, client):
    import asyncio

    with pytest.raises(PreflightError):
        respond(
            sora_guard.guard(client).with_raw_response,
            {"type": "input_image", "image_url": url(truncated(jpeg()))},
        )

    async def main():
        async with openai.AsyncOpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0) as c:
            with pytest.raises(PreflightError):
                await respond(
                    sora_guard.guard(c), {"type": "input_image", "image_url": url(truncated(jpeg()))}
                )

    asyncio.run(main())
    assert server.requests == []


# -- files.create ---------------------------------------------------------------------------------


def test_files_for_vision_are_checked_and_typed(server, client, tmp_path):
    guarded = sora_guard.guard(client)
    with pytest.raises(PreflightError, match="SG503"):
        guarded.files.create(file=("photo.jpg", truncated(jpeg())), purpose="vision")
    assert server.requests == []
    guarded.files.create(file=jpeg(), purpose="vision")
    part = server.requests[0].file("file")
    assert (part.filename, part.content_type) == ("file.jpg", "image/jpeg")
    path = tmp_path / "notes.txt"
    path.write_text("not an image, and not pretending to be one")
    guarded.files.create(file=path, purpose="user_data")  # documents are not images: not checked
    with pytest.raises(PreflightError, match="SG502"):
        guarded.files.create(file=("scan.png", b"<html>not a scan</html>"), purpose="user_data")
    assert len(server.requests) == 2


def test_unsupported_client_is_a_type_error_listing_the_supported_ones():
    with pytest.raises(TypeError, match=r"no adapter for _io\.BytesIO; supported: openai\.OpenAI"):
        sora_guard.guard(io.BytesIO())
