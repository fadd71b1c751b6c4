"""runwayml: data URIs in every image endpoint, per-model rules, the 5 MB data URI limit, ephemeral uploads."""

from __future__ import annotations

import asyncio
import base64
import io
import logging

import pytest
from PIL import Image
from support.images import encode, marker, truncated
from support.sdk_services import RunwayService

import sora_guard
from sora_guard import PreflightError
from sora_guard.builtin.guards.runwayml import DATA_URI_CHARS

runwayml = pytest.importorskip("runwayml")


def jpeg(size=(1280, 720), **kw) -> bytes:
    return encode(marker(size), "JPEG", quality=kw.pop("quality", 90), **kw)


def uri(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def runway():
    service = RunwayService()
    with service.serve() as loop:
        yield service, loop, runwayml.RunwayML(api_key="test-key", base_url=loop.url, max_retries=0)


def to_video(c, prompt_image, model="gen4.5", **kw):
    return c.image_to_video.create(
        model=model, prompt_image=prompt_image, ratio=kw.pop("ratio", "1280:720"), **kw
    )


def test_ratio_is_the_output_so_another_aspect_is_a_warning_not_an_error(runway, caplog):
    service, loop, client = runway
    square = jpeg((960, 1200))
    with caplog.at_level(logging.WARNING, logger="sora_guard"):
        to_video(sora_guard.guard(client), uri(square))
    assert service.images == [("image/jpeg", square)]
    assert any("SG107" in r.getMessage() for r in caplog.records)


def test_keyframe_list_and_per_model_rules(runway):
    service, loop, client = runway
    guarded = sora_guard.guard(client)
    with pytest.raises(PreflightError, match=r"prompt_image\.1\.uri.*SG503"):
        to_video(
            guarded,
            [{"uri": uri(jpeg()), "position": "first"}, {"uri": uri(truncated(jpeg())), "position": "last"}],
            model="veo3.1",
        )
    with pytest.raises(PreflightError, match=r"SG102.*runway-grok-imagine"):
        guarded.image_to_video.create(model="grok_imagine_1_5", prompt_image=uri(jpeg((2600, 1000))))
    with pytest.raises(PreflightError, match=r"SG103.*runway-h3-max"):
        guarded.image_to_video.create(model="h3_max", prompt_image=uri(jpeg((640, 200))), prompt_text="x")
    assert loop.requests == []
    guarded.image_to_video.create(model="grok_imagine_1_5", prompt_image=uri(jpeg((2400, 1000))))
    to_video(guarded, uri(jpeg((2100, 1000))))  # aspect 2.1: gen4's 0.5 to 2 has no current source, a warning
    assert len(service.images) == 2


def test_data_uri_limit_counts_the_uri_text(runway):
    """5,000,000 characters of data URI; fix mode re-encodes the image to fit."""
    service, loop, client = runway
    noisy = Image.effect_noise((2400, 1350), 60).convert("RGB")
    big = encode(noisy, "JPEG", quality=98)
    assert len(uri(big)) > DATA_URI_CHARS
    with pytest.raises(PreflightError, match="SG301"):
        to_video(sora_guard.guard(client), uri(big), ratio="1920:1080", model="veo3.1")
    assert loop.requests == []
    to_video(sora_guard.guard(client, fix="cover"), uri(big), ratio="1920:1080", model="veo3.1")
    ((mime, data),) = service.images
    assert mime == "image/jpeg" and len(uri(data)) <= DATA_URI_CHARS


def test_other_image_endpoints_are_checked(runway):
    service, loop, client = runway
    guarded = sora_guard.guard(client)
    bad = uri(b"<html>404</html>" * 10, "image/png")
    with pytest.raises(PreflightError, match="SG502"):
        guarded.text_to_image.create(
            model="gen4_image",
            prompt_text="x",
            ratio="1920:1080",
            reference_images=[{"uri": bad, "tag": "a"}],
        )
    with pytest.raises(PreflightError, match="SG502"):
        guarded.character_performance.create(
            model="act_two",
            character={"type": "image", "uri": bad},
            reference={"type": "video", "uri": "https://example.invalid/v.mp4"},
        )
    with pytest.raises(PreflightError, match="SG502"):
        guarded.image_upscale.create(model="magnific_precision_upscaler_v2", image_uri=bad)
    assert loop.requests == []


def test_remote_uris_pass_with_a_warning(runway):
    service, loop, client = runway
    with pytest.warns(sora_guard.PreflightWarning, match="runway://upload/7 cannot be checked locally"):
        to_video(sora_guard.guard(client), "runway://upload/7")
    assert len(loop.requests) == 1


def test_ephemeral_upload_is_checked_and_typed(runway, tmp_path):
    service, loop, client = runway
    guarded = sora_guard.guard(client)
    path = tmp_path / "frame.webp"
    path.write_bytes(jpeg())  # a JPEG named .webp
    with pytest.raises(PreflightError, match="SG203"):
        guarded.uploads.create_ephemeral(file=path)
    assert loop.requests == []
    with pytest.raises(runwayml.APIStatusError):  # unguarded, the upload target refuses the mislabelled file
        client.uploads.create_ephemeral(file=path)
    loop.requests.clear()
    assert (
        sora_guard.guard(client, fix="cover").uploads.create_ephemeral(file=path).uri == "runway://upload/1"
    )
    assert service.images == [("image/jpeg", path.read_bytes())]
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    guarded.uploads.create_ephemeral(file=video)  # not an image: the guard leaves it to the service


def test_raw_response_copies_and_async(runway):
    service, loop, client = runway
    bad = uri(truncated(jpeg()))
    with pytest.raises(PreflightError):
        to_video(sora_guard.guard(client).with_raw_response, bad)
    with pytest.raises(PreflightError):
        sora_guard.guard(client).image_to_video.with_raw_response.create(
            model="gen4.5", prompt_image=bad, ratio="1280:720"
        )
    with pytest.raises(PreflightError):
        to_video(sora_guard.guard(client).with_options(timeout=5), bad)

    async def main():
        async with runwayml.AsyncRunwayML(api_key="test-key", base_url=loop.url, max_retries=0) as c:
            guarded = sora_guard.guard(c)
            with pytest.raises(PreflightError):
                await to_video(guarded, bad)
            await to_video(guarded, uri(jpeg()))

    asyncio.run(main())
    assert len(loop.requests) == 1
    assert Image.open(io.BytesIO(service.images[0][1])).size == (1280, 720)
