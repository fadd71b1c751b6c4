"""google-genai: Veo's image parameters, the image models' calls, image parts of generate_content and
interactions content, with the real SDK on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import io
import warnings

import pytest
from PIL import Image
from support.images import encode, heic_photo, marker, truncated
from support.sdk_services import VeoService

import sora_guard
from sora_guard import PreflightError, PreflightWarning

genai = pytest.importorskip("google.genai")
types = genai.types
MODEL = "veo-3.1-generate-001"


def jpeg(size=(1280, 720)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


@pytest.fixture
def veo():
    service = VeoService()
    with service.serve() as loop:
        yield service, loop


def vertex(loop):
    return genai.Client(
        vertexai=True, api_key="test-key", http_options=types.HttpOptions(base_url=loop.url + "/")
    )


def developer(loop):
    return genai.Client(api_key="test-key", http_options=types.HttpOptions(base_url=loop.url + "/"))


def image(data: bytes, mime: str = "image/jpeg"):
    return types.Image(image_bytes=data, mime_type=mime)


def generate(c, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return c.models.generate_videos(model=kw.pop("model", MODEL), **kw)


def test_every_image_parameter_is_checked(veo):
    service, loop = veo
    guarded = sora_guard.guard(vertex(loop))
    bad = image(truncated(jpeg()))
    calls = [
        {"image": bad, "prompt": "x"},
        {"source": {"prompt": "x", "image": bad}},
        {
            "source": types.GenerateVideosSource(prompt="x", image=image(jpeg())),
            "config": {"last_frame": bad},
        },
        {
            "source": {"prompt": "x"},
            "config": types.GenerateVideosConfig(
                reference_images=[types.VideoGenerationReferenceImage(image=bad, reference_type="ASSET")]
            ),
        },
        {
            "source": {"prompt": "x", "image": image(jpeg())},
            "config": {"mask": {"image": bad, "mask_mode": "INSERT"}},
        },
    ]
    for kw in calls:
        with pytest.raises(PreflightError, match="SG503"):
            generate(guarded, **kw)
    assert loop.requests == []


def test_pil_image_is_an_error_the_sdk_would_send_as_an_empty_object(veo):
    service, loop = veo
    picture = Image.new("RGB", (1280, 720))
    with pytest.raises(PreflightError, match=r"sends this image as an empty \{\}"):
        generate(sora_guard.guard(vertex(loop)), image=picture, prompt="x")
    assert loop.requests == []
    with pytest.raises(genai.errors.ClientError):  # unguarded: the picture is dropped and the service refuses
        generate(vertex(loop), image=picture, prompt="x")
    assert loop.requests[0].json()["instances"][0]["image"] == {}


def test_image_from_file_takes_its_type_from_the_extension(veo, tmp_path):
    service, loop = veo
    path = tmp_path / "frame.png"
    path.write_bytes(jpeg())  # a JPEG named .png
    with pytest.raises(
        PreflightError, match="SG203 mime-mismatch: declared image/png but the content is JPEG"
    ):
        generate(
            sora_guard.guard(vertex(loop)),
            source={"prompt": "x", "image": types.Image.from_file(location=str(path))},
        )
    assert loop.requests == []
    generate(
        sora_guard.guard(vertex(loop), fix="cover"),
        source={"prompt": "x", "image": types.Image.from_file(location=str(path))},
    )
    assert service.images == [("image/jpeg", path.read_bytes())]


def test_output_aspect_is_not_an_input_size_and_the_caller_sees_the_warning(veo):
    """Veo crops or pads an image of another shape (resize_mode): accepted, with a PreflightWarning."""
    service, loop = veo
    square = jpeg((1000, 1000))
    with pytest.warns(PreflightWarning, match=r"SG107 aspect-adjusted: 1000x1000.*9:16"):
        generate(
            sora_guard.guard(vertex(loop)),
            source={"prompt": "x", "image": image(square)},
            config={"aspect_ratio": "9:16"},
        )
    assert service.images == [("image/jpeg", square)]


def test_a_path_or_file_in_place_of_an_image_is_named_and_sent_as_its_bytes(veo, tmp_path):
    service, loop = veo
    guarded = sora_guard.guard(vertex(loop))
    bad = tmp_path / "first.png"
    bad.write_bytes(jpeg())
    with pytest.raises(PreflightError, match=rf"{bad}: SG203"):
        generate(guarded, source={"prompt": "x", "image": bad})
    with open(bad, "rb") as fp, pytest.raises(PreflightError, match=rf"{bad}: SG203"):
        guarded.models.upscale_image(model="imagen-4.0-upscale-preview", image=fp, upscale_factor="x2")
    assert loop.requests == []
    good = tmp_path / "first.jpg"
    good.write_bytes(jpeg())
    generate(guarded, source={"prompt": "x", "image": good})
    assert service.images == [("image/jpeg", good.read_bytes())]


def test_fix_mode_converts_a_format_veo_refuses(veo):
    service, loop = veo
    gif = encode(marker((800, 600)), "GIF")
    with pytest.raises(PreflightError, match="SG201"):
        generate(sora_guard.guard(vertex(loop)), source={"prompt": "x", "image": image(gif, "image/gif")})
    generate(
        sora_guard.guard(vertex(loop), fix="cover"), source={"prompt": "x", "image": image(gif, "image/gif")}
    )
    ((mime, data),) = service.images
    assert mime == "image/png" and Image.open(io.BytesIO(data)).format == "PNG" and len(loop.requests) == 1


def test_reference_images_with_a_first_frame_are_refused(veo):
    service, loop = veo
    ref = types.VideoGenerationReferenceImage(image=image(jpeg()), reference_type="ASSET")
    with pytest.raises(PreflightError, match="SG601.*cannot be combined"):
        generate(
            sora_guard.guard(vertex(loop)),
            source={"prompt": "x", "image": image(jpeg())},
            config={"reference_images": [ref]},
        )
    assert loop.requests == []


def references(*kinds):
    return {
        "reference_images": [
            types.VideoGenerationReferenceImage(image=image(jpeg()), reference_type=k) for k in kinds
        ]
    }


@pytest.mark.parametrize(
    "model, kinds, refused",
    [
        (MODEL, ["ASSET"] * 3, None),
        (
            MODEL,
            ["ASSET"] * 4,
            r"<config.reference_images>: SG602 too-many-images: 4 images: veo-reference takes at most 3",
        ),
        (MODEL, ["STYLE"], "SG601 request-refused: a STYLE reference image with veo-3.1-generate-001"),
        ("veo-2.0-generate-exp", ["STYLE"], None),
        (
            "veo-2.0-generate-exp",
            ["STYLE", "STYLE"],
            "SG601 request-refused: 2 STYLE and 0 ASSET reference images",
        ),
        (
            "veo-2.0-generate-exp",
            ["STYLE", "ASSET"],
            "SG601 request-refused: 1 STYLE and 1 ASSET reference images",
        ),
    ],
)
def test_reference_images_up_to_three_assets_and_style_only_on_veo_2_exp(veo, model, kinds, refused):
    """Vertex AI's reference-image page: up to three ASSET images (``max_images`` of ``veo-reference``);
    one STYLE image, veo-2.0-generate-exp only."""
    service, loop = veo
    call = lambda c: generate(c, model=model, source={"prompt": "x"}, config=references(*kinds))  # noqa: E731
    if refused is None:
        call(sora_guard.guard(vertex(loop)))
        assert len(service.images) == len(kinds)
    else:
        with pytest.raises(PreflightError, match=refused):
            call(sora_guard.guard(vertex(loop)))
        assert loop.requests == []


def test_reference_images_answer_to_veo_reference(veo):
    """A reference image is held to ``veo-reference`` (JPEG or PNG), named in the message; four ASSET
    images are refused by the stand-in too, unguarded."""
    service, loop = veo
    webp = types.VideoGenerationReferenceImage(
        image=image(encode(marker((640, 480)), "WEBP"), "image/webp"), reference_type="ASSET"
    )
    with pytest.raises(
        PreflightError, match=r"SG201 format-not-allowed: WEBP is not accepted by veo-reference"
    ):
        generate(sora_guard.guard(vertex(loop)), source={"prompt": "x"}, config={"reference_images": [webp]})
    assert loop.requests == []
    plain = vertex(loop)
    with pytest.raises(genai.errors.ClientError, match="At most 3 asset reference images"):
        generate(plain, source={"prompt": "x"}, config=references(*["ASSET"] * 4))


def test_async_client_is_guarded(veo):
    service, loop = veo

    async def main():
        guarded = sora_guard.guard(vertex(loop))
        with pytest.raises(PreflightError, match="SG502"):
            await guarded.aio.models.generate_videos(
                model=MODEL, source={"prompt": "x", "image": image(b"text" * 40)}
            )
        await guarded.aio.models.generate_videos(model=MODEL, source={"prompt": "x", "image": image(jpeg())})

    asyncio.run(main())
    assert len(loop.requests) == 1 and len(service.images) == 1


def test_interactions_image_content_is_checked(veo):
    service, loop = veo
    guarded = sora_guard.guard(developer(loop))
    good = base64.b64encode(jpeg()).decode()
    bad = base64.b64encode(jpeg()).decode()
    with pytest.raises(PreflightError, match="SG203"):
        guarded.interactions.create(
            model="gemini-3-flash",
            input=[{"type": "text", "text": "x"}, {"type": "image", "data": bad, "mime_type": "image/webp"}],
        )
    assert loop.requests == []
    guarded.interactions.create(
        model="gemini-3-flash",
        input=[{"type": "text", "text": "x"}, {"type": "image", "data": good, "mime_type": "image/jpeg"}],
    )
    assert service.images == [("image/jpeg", jpeg())]


IMAGEN = {
    "models.edit_image": lambda c, i: c.models.edit_image(
        model="imagen-3.0-capability-001", prompt="x",
        reference_images=[types.RawReferenceImage(reference_id=1, reference_image=i)],
    ),
    "models.upscale_image": lambda c, i: c.models.upscale_image(
        model="imagen-4.0-upscale-preview", image=i, upscale_factor="x2"
    ),
    "models.recontext_image": lambda c, i: c.models.recontext_image(
        model="virtual-try-on-001",
        source=types.RecontextImageSource(person_image=i, product_images=[types.ProductImage(product_image=i)]),
    ),
    "models.segment_image": lambda c, i: c.models.segment_image(
        model="image-segmentation-001", source=types.SegmentImageSource(image=i)
    ),
    "models.generate_content": lambda c, i: c.models.generate_content(
        model="gemini-3.1-flash-image", contents=["what is this?", types.Part.from_bytes(data=i.image_bytes, mime_type=i.mime_type)]
    ),
    "models.generate_content dict": lambda c, i: c.models.generate_content(
        model="gemini-3.1-flash-image",
        contents=[{"role": "user", "parts": [{"inline_data": {"data": i.image_bytes, "mime_type": i.mime_type}}]}],
    ),
    "models.generate_content_stream": lambda c, i: list(c.models.generate_content_stream(
        model="gemini-3.1-flash-image", contents=[types.Part.from_bytes(data=i.image_bytes, mime_type=i.mime_type)]
    )),
}  # fmt: skip


@pytest.mark.parametrize("call", list(IMAGEN))
def test_image_models_and_content_parts_block_a_bad_image_and_send_a_good_one(veo, call):
    service, loop = veo
    guarded = sora_guard.guard(vertex(loop))
    for bad, code in ((image(b"text" * 40, "image/png"), "SG502"), (image(truncated(jpeg())), "SG503"),
                      (image(jpeg(), "image/png"), "SG203")):  # fmt: skip
        with pytest.raises(PreflightError, match=code):
            IMAGEN[call](guarded, bad)
    assert loop.requests == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental-feature warnings of the SDK
        IMAGEN[call](guarded, image(jpeg()))
    assert len(loop.requests) == 1 and ("image/jpeg", jpeg()) in service.images


def test_a_pil_image_in_an_image_model_call_is_an_error(veo):
    service, loop = veo
    with pytest.raises(PreflightError, match=r"sends this image as an empty \{\}"):
        IMAGEN["models.upscale_image"](sora_guard.guard(vertex(loop)), Image.new("RGB", (64, 64)))
    assert loop.requests == []


OMNI = "gemini-omni-1.2-flash"


def test_gemini_omni_takes_heic_declared_image_heic_and_at_most_ten_images(veo):
    """image/heic and image/heif both name HEIF content: not SG203; ten images a prompt go, eleven are
    refused (``max_images`` of ``gemini-omni``, from Google's model page), with zero requests."""
    service, loop = veo
    guarded = sora_guard.guard(developer(loop))
    heic = heic_photo((640, 480))
    part = {"type": "image", "data": base64.b64encode(heic).decode(), "mime_type": "image/heic"}
    guarded.interactions.create(model=OMNI, input=[{"type": "text", "text": "x"}, part])
    assert service.images == [("image/heic", heic)]
    small = {"type": "image", "data": base64.b64encode(jpeg((64, 64))).decode(), "mime_type": "image/jpeg"}
    guarded.interactions.create(model=OMNI, input=[small] * 10)
    assert len(loop.requests) == 2
    with pytest.raises(
        PreflightError, match=r"<input>: SG602 too-many-images: 11 images: gemini-omni takes at most 10"
    ):
        guarded.interactions.create(model=OMNI, input=[small] * 11)
    assert len(loop.requests) == 2
    plain = developer(loop)
    with pytest.raises(Exception, match="At most 10 images"):  # the stand-in refuses it too
        plain.interactions.create(model=OMNI, input=[small] * 11)
    guarded.interactions.create(model="gemini-3.5-flash", input=[small] * 11)  # profile gemini: no such limit
    assert len(loop.requests) == 4


def test_a_chat_the_guarded_client_creates_is_guarded(veo):
    """``chats.create`` returns a Chat whose ``send_message`` sends its parts: checked like
    ``generate_content``'s, sync and async, streamed or not."""
    service, loop = veo
    guarded = sora_guard.guard(developer(loop))
    bad = types.Part.from_bytes(data=truncated(jpeg()), mime_type="image/jpeg")
    good = types.Part.from_bytes(data=jpeg(), mime_type="image/jpeg")
    chat = guarded.chats.create(model="gemini-2.5-flash")
    assert isinstance(chat, genai.chats.Chat)
    with pytest.raises(PreflightError, match="SG503"):
        chat.send_message(bad)
    with pytest.raises(PreflightError, match="SG503"):
        chat.send_message_stream(["x", bad])

    async def main():
        achat = guarded.aio.chats.create(model="gemini-2.5-flash")
        with pytest.raises(PreflightError, match="SG503"):
            await achat.send_message(bad)
        await achat.send_message(good)

    asyncio.run(main())
    assert len(loop.requests) == 1
    chat.send_message(good)
    assert service.images == [("image/jpeg", jpeg()), ("image/jpeg", jpeg())]
