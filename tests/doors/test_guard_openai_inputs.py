"""The openai adapter beyond Sora: ``images.edit`` in full, vision inputs of responses / conversations /
chat, ``files.create`` for vision, and ``extra_body``, with the real SDK against the loopback service."""

from __future__ import annotations

import base64
import io
import json

import openai
import pytest
from PIL import Image
from support.images import encode, marker, truncated

import sora_guard
from sora_guard import PreflightError, PreflightWarning


def jpeg(size=(1024, 1024)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def url(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def transparent_png(size=(1024, 1024)) -> bytes:
    im = Image.new("RGBA", size, (0, 0, 0, 255))
    im.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
    return encode(im, "PNG")


def edit(c, **kw):
    return c.images.edit(model=kw.pop("model", "gpt-image-2"), prompt="add a boat", **kw)


# -- images.edit ---------------------------------------------------------------------------------


def test_sixteen_images_pass_and_seventeen_are_refused_like_the_service(server, client):
    guarded = sora_guard.guard(client)
    edit(guarded, image=[jpeg((256, 256))] * 16)
    assert len(server.requests[0].files("image[]")) == 16
    with pytest.raises(
        PreflightError, match=r"<image>: SG602 too-many-images: 17 images: openai-image-edit takes at most 16"
    ):
        edit(guarded, image=[jpeg((256, 256))] * 17)
    assert len(server.requests) == 1
    with pytest.raises(openai.BadRequestError):
        edit(client, image=[("p.jpg", jpeg((256, 256)))] * 17)


MARKUP_MODEL = "gpt-image-2.5-sunburst"


def test_markup_is_a_transparent_png_at_the_first_images_displayed_size(server, client):
    guarded = sora_guard.guard(client)
    edit(guarded, image=jpeg(), markup=transparent_png(), model=MARKUP_MODEL)
    assert server.requests[0].file("markup").content_type == "image/png"
    for bad, code in (
        (transparent_png((512, 512)), "SG101"),
        (encode(Image.new("RGB", (1024, 1024)), "PNG"), "SG407"),
    ):
        with pytest.raises(PreflightError, match=code):
            edit(guarded, image=jpeg(), markup=bad, model=MARKUP_MODEL)
    assert len(server.requests) == 1


def test_markup_is_gpt_image_2_5_only(server, client):
    """openai 3.63 types/image_edit_params.py: markup 'Supports GPT Image 2.5'."""
    guarded = sora_guard.guard(client)
    with pytest.raises(PreflightError, match="SG601 request-refused: markup with model gpt-image-2:"):
        edit(guarded, image=jpeg(), markup=transparent_png(), model="gpt-image-2")
    assert server.requests == []
    with pytest.raises(openai.BadRequestError):
        edit(client, image=("p.jpg", jpeg()), markup=("k.png", transparent_png(), "image/png"))
    with pytest.warns(PreflightWarning, match="markup with model gpt-image-2.6-flare"):
        with pytest.raises(openai.BadRequestError):  # a later model: the SDK does not say, so a warning
            edit(guarded, image=jpeg(), markup=transparent_png(), model="gpt-image-2.6-flare")


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
            model=MARKUP_MODEL,
        )


def test_gif_output_refuses_a_mask(server, client):
    with pytest.raises(PreflightError, match="output_format gif with mask"):
        edit(sora_guard.guard(client), image=jpeg(), mask=transparent_png(), output_format="gif")
    assert server.requests == []
    with pytest.raises(openai.BadRequestError, match="GIF output does not support masks"):
        edit(
            client,
            image=("p.jpg", jpeg()),
            mask=("m.png", transparent_png(), "image/png"),
            output_format="gif",
        )


def test_legacy_sizes_are_a_suggestion_checked_like_any_other(server, client):
    """openai 3.63: 256x256 and 512x512 are 'a legacy size suggestion': sent with a warning, not passed blindly."""
    with pytest.warns(PreflightWarning, match="size 256x256 is a legacy size suggestion"):
        edit(sora_guard.guard(client), image=jpeg(), size="256x256")
    assert len(server.requests) == 1


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


def part(u: str) -> dict:
    return {"type": "input_image", "image_url": u}


CALLS = {
    "moderations.create": lambda c, u: c.moderations.create(
        model="omni-moderation-latest", input=[{"type": "image_url", "image_url": {"url": u}}]
    ),
    "decisions.create": lambda c, u: c.decisions.create(
        model="gpt-6-luna",
        input=[{"role": "user", "content": [part(u)]}],
        questions=[{"type": "predicate", "question": "is it a boat?"}],
    ),
    "decisions.create questions": lambda c, u: c.decisions.create(
        model="gpt-6-luna",
        input="a harbour",
        questions=[{"type": "predicate", "question": "like this?", "content": [part(u)]}],
    ),
    "beta.responses.create": lambda c, u: c.beta.responses.create(
        model="gpt-5", input=[{"role": "user", "content": [part(u)]}]
    ),
    "responses.input_tokens.count": lambda c, u: c.responses.input_tokens.count(
        model="gpt-5", input=[{"role": "user", "content": [part(u)]}]
    ),
    "beta.chat.completions.create": lambda c, u: c.beta.chat.completions.create(
        model="gpt-5",
        messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": u}}]}],
    ),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_every_image_input_call_blocks_a_bad_image_and_sends_a_good_one(server, client, call):
    guarded = sora_guard.guard(client)
    for bad, code in ((url(b"plain text" * 20, "image/png"), "SG502"), (url(truncated(jpeg())), "SG503"),
                      (url(jpeg(), "image/png"), "SG203")):  # fmt: skip
        with pytest.raises(PreflightError, match=code):
            CALLS[call](guarded, bad)
    assert server.requests == []
    good = url(jpeg())
    try:
        CALLS[call](guarded, good)
    except openai.APIStatusError as exc:  # a route the stand-in does not serve: the request still left
        assert exc.status_code == 404, exc
    assert len(server.requests) == 1 and good.encode() in json.dumps(server.requests[0].json).encode()


def test_content_provenance_checks_take_images_animated_gifs_and_audio(server, client, tmp_path):
    """openai 3.63: 'PNG, JPEG, WebP, and GIF (including animated GIFs)', or an audio file."""
    from support.images import animated_gif

    guarded = sora_guard.guard(client)
    fake = tmp_path / "photo.png"
    fake.write_bytes(jpeg())
    with pytest.raises(PreflightError, match="SG203"):
        guarded.content_provenance_checks.create(file=fake)
    with pytest.raises(PreflightError, match="SG503"):
        guarded.content_provenance_checks.create(file=("cut.jpg", truncated(jpeg())))
    assert server.requests == []
    guarded.content_provenance_checks.create(file=("loop.gif", animated_gif((64, 64))))
    guarded.content_provenance_checks.create(file=("voice.mp3", b"ID3" + bytes(64), "audio/mpeg"))
    parts = [r.file("file") for r in server.requests]
    assert [(p.filename, p.content_type) for p in parts] == [
        ("loop.gif", "image/gif"),
        ("voice.mp3", "audio/mpeg"),
    ]


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


def test_configured_keys_hold_an_image_no_profile_claims_as_the_cli_holds_it(server, client):
    """``max_bytes`` and ``formats`` given to guard() apply to a ``purpose="assistants"`` upload (no
    profile claims it) exactly as ``sora_guard.check`` applies them to the same bytes."""
    from sora_guard.vocabulary.exceptions import TargetWarning

    png = encode(marker((8, 8)), "PNG")
    options = {"max_bytes": len(png) - 1, "formats": ["JPEG"]}
    with pytest.warns(TargetWarning):  # no target: what every service refuses, and the keys given
        expected = sorted(d.code for d in sora_guard.check(png, **options).errors)
    assert expected == ["SG201", "SG301"]
    guarded = sora_guard.guard(client, **options)
    with pytest.raises(PreflightError) as exc:
        guarded.files.create(file=("a.png", png, "image/png"), purpose="assistants")
    assert sorted(d.code for r in exc.value.reports for d in r.errors) == expected
    assert server.requests == []
    sora_guard.guard(client, max_bytes=len(png), formats=["PNG"]).files.create(
        file=("a.png", png, "image/png"), purpose="assistants"
    )
    assert server.requests[0].file("file").data == png


def test_unsupported_client_is_a_type_error_listing_the_supported_ones():
    with pytest.raises(TypeError, match=r"no adapter for _io\.BytesIO; supported: openai\.OpenAI"):
        sora_guard.guard(io.BytesIO())
