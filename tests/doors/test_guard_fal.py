"""fal-client: every fal host (fal.run, queue.fal.run, rest.fal.ai, v3.fal.media) reached on 127.0.0.1.

The loopback service is the HTTPS proxy (``HTTPS_PROXY``) and its throwaway CA is trusted through
``SSL_CERT_FILE``: the real client talks TLS to "fal.run" and nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import base64
import io
import warnings

import pytest
from PIL import Image
from support.images import encode, marker, padded_jpeg, truncated
from support.sdk_services import FAL_HOSTS, FalService

import sora_guard
from sora_guard import PreflightError, PreflightWarning

fal_client = pytest.importorskip("fal_client")
KLING = "fal-ai/kling-video/v2.1/pro/image-to-video"


def jpeg(size=(1280, 720)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def uri(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def fal(monkeypatch):
    service = FalService()
    with service.serve(tls_hosts=FAL_HOSTS) as loop:
        for key, value in loop.proxy_env().items():
            monkeypatch.setenv(key, value)
        yield service, loop, fal_client.SyncClient(key="test-key")


def test_every_request_reaches_the_loopback_hosts(fal):
    service, loop, client = fal
    client.subscribe(KLING, {"prompt": "x", "image_url": uri(jpeg())})
    client.upload(jpeg(), "image/jpeg", "a.jpg")
    assert {r.host for r in loop.requests} == {"queue.fal.run", "rest.fal.ai", "v3.fal.media"}
    assert all(r.tunnelled for r in loop.requests)


def test_endpoint_picks_the_profile_and_unmapped_endpoints_get_service_independent_checks(fal, tmp_path):
    service, loop, client = fal
    small = jpeg((200, 200))
    with pytest.raises(PreflightError, match=r"SG103.*\(kling; secondary sources\)"):
        sora_guard.guard(client).run(KLING, {"image_url": uri(small)})
    with pytest.raises(PreflightError, match=r"SG103.*\(minimax-hailuo; secondary sources\)"):
        sora_guard.guard(client).submit(
            "fal-ai/minimax/hailuo-02/standard/image-to-video", {"image_url": uri(small)}
        )
    assert loop.requests == []
    sora_guard.guard(client).run(
        "acme/upscaler", {"image_url": uri(small)}
    )  # unmapped: any readable still image
    with pytest.raises(PreflightError, match="SG503"):
        sora_guard.guard(client).run("acme/upscaler", {"image_url": uri(truncated(small))})
    (tmp_path / "pyproject.toml").write_text('[tool.sora-guard.endpoints]\n"acme/*" = "kling"\n')
    from sora_guard.config import load_settings

    with pytest.raises(PreflightError, match=r"SG103.*\(kling; secondary sources\)"):
        sora_guard.guard(client, settings=load_settings(tmp_path)).run(
            "acme/upscaler", {"image_url": uri(small)}
        )
    assert len(loop.requests) == 1


GIF = encode(marker((640, 480)), "GIF")


@pytest.mark.parametrize(
    "endpoint, profile",
    [
        (KLING, "kling"),
        ("fal-ai/minimax/hailuo-02/standard/image-to-video", "minimax-hailuo"),
        ("fal-ai/minimax-video/image-to-video", "minimax-hailuo"),
        ("fal-ai/veo3.1/image-to-video", "veo"),
        ("fal-ai/veo3.1/fast/first-last-frame-to-video", "veo"),
        ("fal-ai/veo3.1/reference-to-video", "veo-reference-fal"),
    ],
)
def test_each_endpoint_answers_to_the_profile_whose_models_claim_it(fal, endpoint, profile):
    """The profiles' ``models`` patterns are the one endpoint table: a GIF is outside each profile's formats."""
    service, loop, client = fal
    with pytest.raises(
        PreflightError, match=rf"SG201 format-not-allowed: GIF is not accepted by {profile} \("
    ):
        sora_guard.guard(client).run(endpoint, {"prompt": "x", "image_url": uri(GIF, "image/gif")})
    assert loop.requests == []


def test_minimax_h3_on_fal_answers_to_minimax_h3(fal):
    """``minimax/h3-max/...`` (no ``fal-ai/`` prefix) is MiniMax H3's profile, whose bounds a single third
    party states: a warning naming it, and the call goes out."""
    service, loop, client = fal
    with pytest.warns(PreflightWarning, match=r"SG103 side-too-small: .*\(minimax-h3; unverified"):
        sora_guard.guard(client).run("minimax/h3-max/image-to-video", {"image_url": uri(jpeg((200, 200)))})
    assert len(service.images) == 1


def test_configured_endpoints_win_over_the_profiles_patterns(fal, tmp_path):
    from sora_guard.config import load_settings

    service, loop, client = fal
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sora-guard.endpoints]\n"fal-ai/kling-video/*" = "minimax-hailuo"\n'
    )
    guarded = sora_guard.guard(client, settings=load_settings(tmp_path))
    webp = encode(marker((640, 480)), "WEBP")  # Kling takes JPEG and PNG, MiniMax WebP too
    guarded.run(KLING, {"image_url": uri(webp, "image/webp")})
    with pytest.raises(PreflightError, match=r"SG201 .* by minimax-hailuo \(.*\(secondary sources\)"):
        guarded.run(KLING, {"image_url": uri(GIF, "image/gif")})
    assert [m for m, _ in service.images] == ["image/webp"]


def test_configured_endpoints_match_in_any_case_and_the_most_specific_wins(fal, tmp_path):
    """``[endpoints]`` patterns are matched as the profiles' ``models`` are (``model_owner``): in any
    case, an id before a pattern, the longest pattern before a shorter one."""
    from sora_guard.config import load_settings

    service, loop, client = fal
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sora-guard.endpoints]\n"ACME/*" = "kling"\n"acme/video/*" = "minimax-hailuo"\n'
        '"Acme/Video/Exact" = "veo"\n'
    )
    guarded = sora_guard.guard(client, settings=load_settings(tmp_path))
    for endpoint, profile in (
        ("acme/upscaler", "kling"),
        ("Acme/Video/i2v", "minimax-hailuo"),
        ("acme/video/exact", "veo"),
    ):
        with pytest.raises(PreflightError, match=rf"GIF is not accepted by {profile} \("):
            guarded.run(endpoint, {"image_url": uri(GIF, "image/gif")})
    assert loop.requests == []


REFERENCE = "fal-ai/veo3.1/reference-to-video"
MIB = 1024 * 1024


@pytest.mark.parametrize("size, warned", [(8_000_000, False), (8_000_001, True), (8 * MIB, True)])
def test_veo_reference_on_fal_takes_images_up_to_8mb_read_two_ways(fal, size, warned):
    """fal: 'Input images up to 8MB in size': over 8,000,000 bytes a warning, and sent."""
    service, loop, client = fal
    data = padded_jpeg(jpeg(), size)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        sora_guard.guard(client).run(REFERENCE, {"prompt": "x", "image_urls": [uri(data)]})
    shown = [str(w.message) for w in said if issubclass(w.category, PreflightWarning)]
    assert bool(shown) is warned and all(
        f"{size} bytes is over 8000000 bytes" in m and "(veo-reference-fal)" in m for m in shown
    )
    assert service.images == [("image/jpeg", data)]


def test_veo_reference_on_fal_over_8_mib_is_refused_unsent(fal):
    service, loop, client = fal
    data = padded_jpeg(jpeg(), 8 * MIB + 1)
    with pytest.raises(
        PreflightError,
        match=r"SG301 file-too-large: 8388609 bytes is over the limit of 8388608 bytes \(veo-reference-fal\)",
    ):
        sora_guard.guard(client).run(REFERENCE, {"prompt": "x", "image_urls": [uri(data)]})
    assert loop.requests == []
    with pytest.raises(Exception, match="8388608"):  # the stand-in refuses it unguarded
        client.run(REFERENCE, {"prompt": "x", "image_urls": [uri(data)]})
    with pytest.raises(
        PreflightError, match=r"SG602 too-many-images: 4 images: veo-reference-fal takes at most 3"
    ):
        sora_guard.guard(client).run(REFERENCE, {"prompt": "x", "image_urls": [uri(jpeg())] * 4})


def test_fix_mode_upscales_for_kling_in_one_request(fal):
    service, loop, client = fal
    sora_guard.guard(client, fix="cover").run(KLING, {"prompt": "x", "image_url": uri(jpeg((200, 160)))})
    ((mime, data),) = service.images
    with Image.open(io.BytesIO(data)) as im:
        assert mime == "image/jpeg" and min(im.size) >= 300
    assert len(loop.requests) == 1


def test_local_paths_are_checked_and_sent_as_data_uris(fal, tmp_path):
    service, loop, client = fal
    path = tmp_path / "start.jpg"
    path.write_bytes(jpeg())
    sora_guard.guard(client).run(KLING, {"prompt": "x", "start_image_url": str(path), "tail_image_url": path})
    assert [m for m, _ in service.images] == ["image/jpeg", "image/jpeg"]
    path.write_bytes(truncated(jpeg()))
    with pytest.raises(PreflightError, match="SG503"):
        sora_guard.guard(client).run(KLING, {"prompt": "x", "image_url": str(path)})
    assert len(loop.requests) == 1


def test_uploads_are_checked_and_typed_from_content(fal, tmp_path):
    service, loop, client = fal
    guarded = sora_guard.guard(client)
    named_wrong = tmp_path / "photo.png"
    named_wrong.write_bytes(jpeg())
    with pytest.raises(PreflightError, match="SG203"):
        guarded.upload_file(named_wrong)
    with pytest.raises(PreflightError, match="SG502"):
        guarded.upload(b"not an image at all" * 5, "image/png", "x.png")
    with pytest.raises(PreflightError, match="cannot be saved as jpeg"):
        guarded.upload_image(Image.new("RGBA", (64, 64)))  # what image.save raises inside the SDK
    assert loop.requests == []
    sora_guard.guard(client, fix="cover").upload_file(named_wrong)
    guarded.upload_image(Image.new("RGB", (640, 480)), format="png")
    assert [m for m, _ in service.images] == ["image/jpeg", "image/png"]
    assert service.images[0][1] == named_wrong.read_bytes()


def test_async_client_is_guarded(fal):
    service, loop, client = fal

    async def main():
        guarded = sora_guard.guard(fal_client.AsyncClient(key="test-key"))
        with pytest.raises(PreflightError):
            await guarded.subscribe(KLING, {"image_url": uri(truncated(jpeg()))})
        with pytest.raises(PreflightError):
            await guarded.upload(b"text" * 40, "image/png")
        return await guarded.run(KLING, {"image_url": uri(jpeg())})

    assert asyncio.run(main())["video"]["url"]
    assert len(loop.requests) == 1


def test_the_module_level_api_is_guarded(fal, tmp_path, monkeypatch):
    """``sora_guard.guard(fal_client)``: fal's README calls the module's functions, sync and async."""
    service, loop, _ = fal
    monkeypatch.setenv("FAL_KEY", "test-key")
    guarded = sora_guard.guard(fal_client)
    bad = tmp_path / "start.jpg"
    bad.write_bytes(truncated(jpeg()))
    try:
        with pytest.raises(PreflightError, match=rf"(?s)stopped run before.*{bad}: SG503"):
            guarded.run(KLING, {"prompt": "x", "image_url": bad})
        with pytest.raises(PreflightError, match=rf"{bad}: SG503"):
            guarded.upload_file(bad)
        with pytest.raises(PreflightError, match="SG502"):
            guarded.subscribe(KLING, {"image_url": uri(b"text" * 40, "image/png")})

        async def main():
            with pytest.raises(PreflightError, match="SG503"):
                await guarded.run_async(KLING, {"image_url": uri(truncated(jpeg()))})

        asyncio.run(main())
        assert loop.requests == []
        assert guarded.run(KLING, {"prompt": "x", "image_url": uri(jpeg())})["video"]["url"]
        assert guarded.encode_file is not None and guarded.sync_client is not None
    finally:  # the module's shared clients keep their HTTP connection: not one to this loopback
        for shared in (fal_client.sync_client, fal_client.async_client):
            for cached in ("_auth", "_client", "_token_manager"):
                shared.__dict__.pop(cached, None)
    assert service.images == [("image/jpeg", jpeg())]


def test_a_pil_image_from_a_file_is_named_by_it(fal, tmp_path):
    service, loop, client = fal
    path = tmp_path / "small.jpg"
    Image.new("RGB", (64, 64)).save(path)
    with Image.open(path) as im, pytest.raises(PreflightError, match=rf"{path}: SG103"):
        sora_guard.guard(client, profile="kling").upload_image(im)
    assert loop.requests == []


def test_fix_mode_raises_for_a_remote_image_it_cannot_put_back(fal):
    """``fix=`` with ``fetch_urls=True``: a downloaded image is checked, but the URL is what goes out, so
    a repair could not be sent; its errors are raised instead of the original URL going out silently."""
    from support.openai_server import OpenAIServer

    service, loop, client = fal
    with OpenAIServer(lifetime=60) as images:
        images.assets["/assets/small.jpg"] = jpeg((100, 100))
        images.assets["/assets/frame.jpg"] = jpeg()
        guarded = sora_guard.guard(client, fix="cover", fetch_urls=True)
        with pytest.raises(PreflightError, match=r"small.jpg: SG103 side-too-small.*\(kling;") as exc:
            guarded.run(KLING, {"prompt": "x", "image_url": images.url + "/assets/small.jpg"})
        assert "fix it in memory" not in str(exc.value)
        assert loop.requests == []
        guarded.run(KLING, {"prompt": "x", "image_url": images.url + "/assets/frame.jpg"})
        assert [r.path for r in images.requests] == ["/assets/small.jpg", "/assets/frame.jpg"]
    (request,) = loop.requests
    assert request.json()["image_url"] == images.url + "/assets/frame.jpg"


def test_a_file_that_is_not_an_image_is_not_the_guards(fal, tmp_path):
    """An audio file (a path or an open file) is not refused as not-an-image: what it does is fal's
    affair (the client sends no file object in JSON); a file that says it is an image is checked."""
    service, loop, client = fal
    voice = tmp_path / "voice.mp3"
    voice.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(600))
    guarded = sora_guard.guard(client)
    with open(voice, "rb") as audio:
        for value in (voice, audio):
            with pytest.raises(TypeError, match="not JSON serializable"):  # the client's own refusal
                guarded.run(KLING, {"prompt": "x", "audio_url": value, "image_url": uri(jpeg())})
    frame = tmp_path / "frame.jpg"
    frame.write_bytes(truncated(jpeg()))
    with pytest.raises(PreflightError, match="SG503"):
        guarded.run(KLING, {"prompt": "x", "audio_url": voice, "image_url": frame})
    assert loop.requests == []
