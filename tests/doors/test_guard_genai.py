"""google-genai: Veo's image parameters and interactions image content, with the real SDK on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import warnings

import pytest
from PIL import Image
from support.images import encode, marker, truncated
from support.sdk_services import VeoService

import sora_guard
from sora_guard import PreflightError

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


def test_output_aspect_is_not_an_input_size(veo, caplog):
    """Veo crops or pads an image of another shape (resize_mode): accepted, with a warning."""
    service, loop = veo
    square = jpeg((1000, 1000))
    with caplog.at_level(logging.WARNING, logger="sora_guard"):
        generate(
            sora_guard.guard(vertex(loop)),
            source={"prompt": "x", "image": image(square)},
            config={"aspect_ratio": "9:16"},
        )
    assert service.images == [("image/jpeg", square)]
    assert any("SG107" in r.getMessage() and "9:16" in r.getMessage() for r in caplog.records)


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
    refs = [types.VideoGenerationReferenceImage(image=image(jpeg()), reference_type="STYLE")] * 2
    with pytest.raises(PreflightError, match="up to 3 ASSET reference images or 1 STYLE"):
        generate(
            sora_guard.guard(vertex(loop)),
            model="veo-2.0-generate-001",
            source={"prompt": "x"},
            config={"reference_images": refs},
        )
    assert loop.requests == []


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
