"""luma-agents (the current Luma SDK): inline base64 image references with their media type, paths and
files, URLs and file ids, wherever ``generations.create`` takes them, with the real SDK on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64

import pytest
from support.images import encode, marker, truncated
from support.sdk_services import LumaService

import sora_guard
from sora_guard import PreflightError, PreflightWarning

luma_agents = pytest.importorskip("luma_agents")


def jpeg(size=(1280, 720)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def ref(data: bytes, mime: str = "image/jpeg") -> dict:
    return {"data": base64.b64encode(data).decode(), "media_type": mime}


@pytest.fixture
def luma():
    service = LumaService()
    with service.serve() as loop:
        yield service, loop, luma_agents.Luma(auth_token="test-key", base_url=loop.url, max_retries=0)


CALLS = {
    "image_ref": lambda c, r: c.generations.create(prompt="x", model="uni-1", type="image", image_ref=[r]),
    "source": lambda c, r: c.generations.create(prompt="x", model="uni-1", type="image_edit", source=r),
    "video.start_frame": lambda c, r: c.generations.create(
        prompt="x", model="ray-3.2", type="video", video={"start_frame": r}
    ),
    "video.keyframes": lambda c, r: c.generations.create(
        prompt="x", model="ray-3.2", type="video", video={"keyframes": [r], "keyframe_indexes": [0]}
    ),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_every_image_position_blocks_a_bad_reference_and_sends_a_good_one(luma, call):
    service, loop, client = luma
    guarded = sora_guard.guard(client)
    for bad, code in ((ref(b"text" * 40, "image/png"), "SG502"), (ref(truncated(jpeg())), "SG503"),
                      (ref(jpeg(), "image/png"), "SG203")):  # fmt: skip
        with pytest.raises(PreflightError, match=code):
            CALLS[call](guarded, bad)
    assert loop.requests == []
    with pytest.raises(luma_agents.BadRequestError):  # unguarded, the service refuses the same
        CALLS[call](client, ref(truncated(jpeg())))
    loop.requests.clear()
    CALLS[call](guarded, ref(jpeg()))
    assert len(loop.requests) == 1 and service.images == [("image/jpeg", jpeg())]


def test_data_without_its_media_type_is_refused_like_the_service(luma):
    service, loop, client = luma
    with pytest.raises(PreflightError, match="SG601 request-refused: image_ref.0: media_type is required"):
        CALLS["image_ref"](sora_guard.guard(client), {"data": ref(jpeg())["data"]})
    assert loop.requests == []


def test_a_path_or_file_is_named_and_sent_as_base64_with_its_type(luma, tmp_path):
    service, loop, client = luma
    guarded = sora_guard.guard(client)
    bad = tmp_path / "frame.jpg"
    bad.write_bytes(truncated(jpeg()))
    with pytest.raises(PreflightError, match=rf"{bad}: SG503"):
        CALLS["source"](guarded, {"data": bad})
    good = tmp_path / "frame.png"
    good.write_bytes(jpeg())  # named .png: sent as what it is
    with open(good, "rb") as fp:
        CALLS["source"](sora_guard.guard(client, fix="cover"), {"data": fp})
    assert service.images == [("image/jpeg", jpeg())]


def test_fix_mode_relabels_and_references_pass_with_a_warning(luma):
    service, loop, client = luma
    CALLS["image_ref"](sora_guard.guard(client, fix="cover"), ref(jpeg(), "image/png"))
    assert service.images == [("image/jpeg", jpeg())]
    with pytest.warns(PreflightWarning, match="image_ref.0 file_id f-1 cannot be checked locally"):
        CALLS["image_ref"](sora_guard.guard(client), {"file_id": "f-1"})
    video = {"data": base64.b64encode(b"\x00\x00\x00\x18ftypmp42").decode(), "media_type": "video/mp4"}
    CALLS["source"](sora_guard.guard(client), video)  # a video source: not the guard's
    assert len(loop.requests) == 3


@pytest.mark.parametrize("kind, limit, profile", [("image", 9, "luma"), ("image_edit", 8, "luma-image-edit")])
def test_reference_counts_are_the_profiles(luma, kind, limit, profile):
    """'Up to 9 for type 'image', up to 8 for type 'image_edit'': ``max_images`` of ``luma`` and
    ``luma-image-edit``; one more is refused with zero requests, as the stand-in refuses it."""
    service, loop, client = luma
    create = sora_guard.guard(client).generations.create
    create(prompt="x", model="uni-1", type=kind, image_ref=[ref(jpeg())] * limit)
    assert len(loop.requests) == 1
    with pytest.raises(
        PreflightError,
        match=rf"<image_ref>: SG602 too-many-images: {limit + 1} images: {profile} takes at most {limit}",
    ):
        create(prompt="x", model="uni-1", type=kind, image_ref=[ref(jpeg())] * (limit + 1))
    assert len(loop.requests) == 1
    with pytest.raises(luma_agents.BadRequestError):
        client.generations.create(prompt="x", model="uni-1", type=kind, image_ref=[ref(jpeg())] * (limit + 1))


def test_a_luma_call_answers_to_the_luma_profile(luma):
    """ray-3.2, uni-1 (or no model) map to ``luma``: a GIF is outside its formats, a warning, as a single
    third party states them, named in the message."""
    service, loop, client = luma
    gif = encode(marker((320, 240)), "GIF")
    for model in ("ray-3.2", "uni-1", None):
        kw = {"model": model} if model else {}
        with pytest.warns(PreflightWarning, match=r"SG201 .*GIF is not accepted by luma .*unverified"):
            with pytest.raises(luma_agents.BadRequestError):  # the stand-in takes JPEG, PNG, WebP
                sora_guard.guard(client).generations.create(
                    prompt="x", type="image", image_ref=[ref(gif, "image/gif")], **kw
                )


def test_raw_response_and_async(luma):
    service, loop, client = luma
    bad = ref(truncated(jpeg()))
    with pytest.raises(PreflightError):
        CALLS["image_ref"](sora_guard.guard(client).with_raw_response, bad)

    async def main():
        async with luma_agents.AsyncLuma(auth_token="test-key", base_url=loop.url, max_retries=0) as c:
            with pytest.raises(PreflightError):
                await CALLS["image_ref"](sora_guard.guard(c), bad)
            await CALLS["image_ref"](sora_guard.guard(c), ref(jpeg()))

    asyncio.run(main())
    assert len(loop.requests) == 1
