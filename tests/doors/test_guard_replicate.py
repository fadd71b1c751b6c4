"""replicate: Path, file-object and data URI values in a prediction's input, mapped to a profile by model."""

from __future__ import annotations

import asyncio
import base64
import io

import pytest
from PIL import Image
from support.images import encode, marker, truncated
from support.sdk_services import ReplicateService

import sora_guard
from sora_guard import PreflightError, PreflightWarning

replicate = pytest.importorskip("replicate")
KLING = "kwaivgi/kling-v2.1"


def jpeg(size=(1280, 720)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


@pytest.fixture
def rep():
    service = ReplicateService()
    with service.serve() as loop:
        yield service, loop, replicate.Client(api_token="test-key", base_url=loop.url)


def test_every_form_is_checked(rep, tmp_path):
    service, loop, client = rep
    guarded = sora_guard.guard(client)
    bad = truncated(jpeg())
    path = tmp_path / "bad.jpg"
    path.write_bytes(bad)
    for value in (path, open(path, "rb"), "data:image/jpeg;base64," + base64.b64encode(bad).decode()):
        with pytest.raises(PreflightError, match="SG503"):
            guarded.run(KLING, input={"prompt": "x", "start_image": value})
    with pytest.raises(PreflightError, match="SG503"):
        guarded.predictions.create(version="abc123", input={"image": path})
    with pytest.raises(PreflightError, match="SG503"):
        guarded.models.predictions.create(model=KLING, input={"images": [path]})
    assert loop.requests == []


def test_model_picks_the_profile(rep):
    service, loop, client = rep
    small = io.BytesIO(jpeg((200, 200)))
    small.name = "small.jpg"
    with pytest.raises(PreflightError, match=r"SG103.*\(kling; secondary sources\)"):
        sora_guard.guard(client).run(KLING + ":v1", input={"start_image": small})
    sora_guard.guard(client).run("acme/restore", input={"image": small})  # unmapped: any readable still image
    assert [m for m, _ in service.images] == ["image/jpeg"]


@pytest.mark.parametrize(
    "model, profile",
    [
        ("minimax/video-01", "minimax-hailuo"),
        ("minimax/hailuo-02", "minimax-hailuo"),
        ("kwaivgi/kling-v2.6", "kling"),
    ],
)
def test_each_model_answers_to_the_profile_whose_models_claim_it(rep, model, profile):
    service, loop, client = rep
    gif = io.BytesIO(encode(marker((640, 480)), "GIF"))
    gif.name = "frame.gif"
    with pytest.raises(
        PreflightError, match=rf"SG201 format-not-allowed: GIF is not accepted by {profile} \("
    ):
        sora_guard.guard(client).run(model, input={"first_frame_image": gif})
    assert loop.requests == []


def test_minimax_h3_on_replicate_answers_to_minimax_h3(rep):
    service, loop, client = rep
    small = io.BytesIO(jpeg((200, 200)))
    small.name = "small.jpg"
    with pytest.warns(PreflightWarning, match=r"SG103 side-too-small: .*\(minimax-h3; unverified"):
        sora_guard.guard(client).run("minimax/h3-highspeed", input={"first_frame_image": small})
    assert [m for m, _ in service.images] == ["image/jpeg"]


def test_fix_mode_sends_a_named_file_of_the_right_type(rep, tmp_path):
    service, loop, client = rep
    path = tmp_path / "frame.jpg"
    path.write_bytes(encode(marker((800, 600)), "WEBP"))  # a WebP named .jpg, a format Kling refuses
    with pytest.raises(PreflightError, match="SG201"):
        sora_guard.guard(client).run(KLING, input={"start_image": path})
    sora_guard.guard(client, fix="cover").run(KLING, input={"start_image": path})
    ((mime, data),) = service.images
    files = [r for r in loop.requests if r.path == "/v1/files"]
    assert len(files) == 1 and mime in ("image/jpeg", "image/png")
    assert Image.open(io.BytesIO(data)).format == {"image/jpeg": "JPEG", "image/png": "PNG"}[mime]


def test_base64_strategy_and_async_run(rep, tmp_path):
    service, loop, client = rep
    path = tmp_path / "frame.jpg"
    path.write_bytes(jpeg())
    sora_guard.guard(client).run(KLING, input={"start_image": path}, file_encoding_strategy="base64")
    assert [r.path for r in loop.requests] == ["/v1/models/kwaivgi/kling-v2.1/predictions"]

    async def main():
        guarded = sora_guard.guard(client)
        with pytest.raises(PreflightError):
            await guarded.async_run(KLING, input={"start_image": named(b"not an image", "frame.jpg")})
        await guarded.async_run(KLING, input={"start_image": path})

    asyncio.run(main())
    assert len(loop.requests) == 3 and len(service.images) == 2


def test_a_deployment_the_guarded_client_returns_is_guarded(rep):
    """``deployments.get`` returns a Deployment whose ``predictions.create`` uploads the input's files."""
    service, loop, client = rep
    guarded = sora_guard.guard(client)
    bad = truncated(encode(marker((640, 480)), "PNG"))
    deployment = guarded.deployments.get("acme/kling")
    assert isinstance(deployment, replicate.deployment.Deployment) and deployment.owner == "acme"
    with pytest.raises(PreflightError, match="SG503"):
        deployment.predictions.create(input={"image": io.BytesIO(bad)})

    async def main():
        deployment = await guarded.deployments.async_get("acme/kling")
        with pytest.raises(PreflightError, match="SG503"):
            await deployment.predictions.async_create(input={"image": io.BytesIO(bad)})
        await deployment.predictions.async_create(input={"image": io.BytesIO(jpeg())})

    asyncio.run(main())
    assert [r.method for r in loop.requests] == ["GET", "GET", "POST", "POST"]
    assert [m for m, _ in service.images] == ["image/jpeg"]
    prediction = deployment.predictions.create(input={"prompt": "x"})  # data comes back as it is
    assert type(prediction) is replicate.prediction.Prediction


def test_a_file_that_is_not_an_image_is_not_the_guards(rep, tmp_path):
    """Audio beside the image (``voice.mp3``, open or a path) is uploaded unchecked; what says it is
    an image, or starts like one, is checked."""
    service, loop, client = rep
    voice = tmp_path / "voice.mp3"
    voice.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(600))
    guarded = sora_guard.guard(client)
    with open(voice, "rb") as audio:
        guarded.run(KLING, input={"audio": audio, "start_image": named(jpeg(), "frame.jpg")})
    guarded.run(KLING, input={"audio": voice, "prompt": "x"})
    assert [m for m, _ in service.images] == ["image/jpeg"]
    assert len([r for r in loop.requests if r.path == "/v1/files"]) == 3
    with pytest.raises(PreflightError, match="SG503"):
        guarded.run(KLING, input={"audio": voice, "frame": io.BytesIO(truncated(jpeg()))})
