"""runwayml: image URIs in every call that takes them, per-model rules, the data URI and upload limits
as Runway's pages state them, paths and files named and sent as data URIs."""

from __future__ import annotations

import asyncio
import base64
import io
import warnings

import pytest
from PIL import Image
from support.images import encode, marker, padded_jpeg, truncated
from support.sdk_services import RunwayService

import sora_guard
from sora_guard import PreflightError, PreflightWarning
from sora_guard.builtin.profiles import BUILTIN_PROFILES

runwayml = pytest.importorskip("runwayml")
MIB = 1024 * 1024
PREFIX = len("data:image/jpeg;base64,")
PROFILES = {p.name: p for p in BUILTIN_PROFILES}
DATA_URI_BYTES = PROFILES["runway"].max_data_uri
"""The larger reading of "under 5MB (1024 × 1024 × 5 bytes)": the image's bytes."""
STRICT = PROFILES["runway"].fact("max_data_uri").strict
"""The stricter reading: the whole URI's characters, as the largest JPEG whose URI stays under it."""
UPLOAD = PROFILES["runway-upload"]


def jpeg(size=(1280, 720), **kw) -> bytes:
    return encode(marker(size), "JPEG", quality=kw.pop("quality", 90), **kw)


def padded(total: int) -> bytes:
    """A valid 1280x720 JPEG of exactly ``total`` bytes."""
    return padded_jpeg(jpeg(), total)


def uri(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def uri_chars(n: int) -> int:
    return PREFIX + -(-n // 3) * 4


@pytest.fixture
def runway():
    service = RunwayService()
    with service.serve() as loop:
        yield service, loop, runwayml.RunwayML(api_key="test-key", base_url=loop.url, max_retries=0)


def to_video(c, prompt_image, model="gen4.5", **kw):
    return c.image_to_video.create(
        model=model, prompt_image=prompt_image, ratio=kw.pop("ratio", "1280:720"), **kw
    )


def test_ratio_is_the_output_so_another_aspect_is_a_warning_the_caller_sees(runway):
    service, loop, client = runway
    square = jpeg((960, 1200))
    with pytest.warns(PreflightWarning, match=r"SG107 aspect-adjusted: 960x1200.*1280:720"):
        to_video(sora_guard.guard(client), uri(square))
    assert service.images == [("image/jpeg", square)]


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


def test_data_uri_of_5_000_001_to_5_242_879_characters_passes_silently(runway):
    """'under 5MB (1024 × 1024 × 5 bytes)': binary, so 5,100,000 characters is within either reading."""
    service, loop, client = runway
    data = padded(3_824_000)
    assert 5_000_000 < len(uri(data)) < 5 * MIB
    with warnings.catch_warnings():
        warnings.simplefilter("error", PreflightWarning)
        to_video(sora_guard.guard(client), uri(data), model="veo3.1")
    assert service.images == [("image/jpeg", data)]


def test_the_data_uri_limit_is_the_profiles_with_its_two_readings():
    assert DATA_URI_BYTES == 5 * MIB - 1
    assert uri_chars(STRICT) < 5 * MIB <= uri_chars(STRICT + 1)
    fact = PROFILES["runway"].fact("max_data_uri")
    assert fact.level.value == "service" and "1024 x 1024 x 5" in " ".join(s.says for s in fact.sources)


@pytest.mark.parametrize(
    "size, warned",
    [(STRICT, False), (STRICT + 1, True), (4_200_000, True), (DATA_URI_BYTES, True)],
    ids=["strict", "over-strict", "between", "larger"],
)
def test_data_uri_up_to_the_larger_reading_is_sent_with_a_warning_above_the_stricter(runway, size, warned):
    """Over 5 MiB of URI characters but an image under 5 MiB: the page has said both."""
    service, loop, client = runway
    data = padded(size)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        to_video(sora_guard.guard(client), uri(data), model="veo3.1")
    shown = [str(w.message) for w in said if issubclass(w.category, PreflightWarning)]
    expected = f"SG301 file-too-large: {size} bytes is over {STRICT} bytes, the stricter reading"
    assert [m for m in shown if expected in m and "(runway)" in m] == (shown if warned else [])
    assert bool(shown) is warned
    assert service.images == [("image/jpeg", data)]


def test_data_uri_over_every_reading_is_refused_unread_and_fix_mode_fits_the_stricter(runway):
    service, loop, client = runway
    for size in (DATA_URI_BYTES + 1, 5 * MIB + 10):
        with pytest.raises(
            PreflightError,
            match=rf"SG301 file-too-large: {size} bytes is over the limit of 5242879 bytes \(runway\)",
        ):
            to_video(sora_guard.guard(client), uri(padded(size)), model="veo3.1")
    assert loop.requests == []
    with pytest.raises(runwayml.BadRequestError, match="exceeds 5MB"):  # the stand-in refuses it unguarded
        to_video(client, uri(padded(DATA_URI_BYTES + 1)), model="veo3.1")
    loop.requests.clear()
    noisy = encode(Image.effect_noise((3200, 1800), 60).convert("RGB"), "JPEG", quality=98)
    assert len(noisy) > DATA_URI_BYTES
    with warnings.catch_warnings():
        warnings.simplefilter("error", PreflightWarning)  # the result is within the stricter reading
        to_video(sora_guard.guard(client, fix="cover"), uri(noisy), ratio="1920:1080", model="veo3.1")
    ((mime, sent),) = service.images
    assert mime == "image/jpeg" and len(sent) <= STRICT and uri_chars(len(sent)) < 5 * MIB


BAD = uri(b"<html>404</html>" * 10, "image/png")


def good_uri() -> str:
    return uri(jpeg())


CALLS = {
    "text_to_video.create": lambda c, u: c.text_to_video.create(
        model="hailuo3", prompt_text="x", ratio="1280:720", duration=6, references=[{"uri": u}]
    ),
    "generate.video.create": lambda c, u: c.generate.video.create(
        config_id="router", input={"prompt_text": "x", "reference_images": [{"uri": u, "role": "reference"}]}
    ),
    "generate.image.create": lambda c, u: c.generate.image.create(
        config_id="router", input={"prompt_text": "x", "reference_images": [{"uri": u}]}
    ),
    "avatars.create": lambda c, u: c.avatars.create(
        name="a",
        personality="calm",
        reference_image=u,
        voice={"type": "runway-live-preset", "preset_id": "v"},
    ),
    "avatars.update": lambda c, u: c.avatars.update("av1", reference_image=u),
    "video_to_video.create": lambda c, u: c.video_to_video.create(
        model="aleph2",
        prompt_text="x",
        video_uri="https://example.invalid/v.mp4",
        keyframes=[{"uri": u, "seconds": 0}],
    ),  # fmt: skip
    "text_to_image.create": lambda c, u: c.text_to_image.create(
        model="gen4_image", prompt_text="x", ratio="1920:1080", reference_images=[{"uri": u, "tag": "a"}]
    ),
    "character_performance.create": lambda c, u: c.character_performance.create(
        model="act_two",
        character={"type": "image", "uri": u},
        reference={"type": "video", "uri": "https://example.invalid/v.mp4"},
    ),
    "image_upscale.create": lambda c, u: c.image_upscale.create(
        model="magnific_precision_upscaler_v2", image_uri=u
    ),
    "recipes.ad_localization": lambda c, u: c.recipes.ad_localization(
        reference_image={"uri": u}, target_language="fr", version="2026-06"
    ),
    "recipes.marketing_stock_image": lambda c, u: c.recipes.marketing_stock_image(
        prompt="x", reference_image={"uri": u}, version="2026-06"
    ),
    "recipes.multi_shot_video": lambda c, u: c.recipes.multi_shot_video(
        mode="auto", prompt="x", first_frame={"uri": u}, version="2026-06"
    ),
    "recipes.product_ad": lambda c, u: c.recipes.product_ad(product_images=[{"uri": u}], version="2026-06"),
    "recipes.product_campaign_image": lambda c, u: c.recipes.product_campaign_image(
        image={"uri": u}, prompt="studio", version="2026-06"
    ),
    "recipes.product_swap": lambda c, u: c.recipes.product_swap(
        new_product_images=[{"uri": u}],
        original_product_image={"uri": u},
        reference_video={"uri": "https://example.invalid/v.mp4"},
        version="2026-06",
    ),  # fmt: skip
    "recipes.product_ugc": lambda c, u: c.recipes.product_ugc(
        character_image={"uri": u}, product_image={"uri": u}, version="2026-06"
    ),
    "workflows.run": lambda c, u: c.workflows.run(
        "wf1", node_outputs={"n1": {"image": {"type": "image", "uri": u}}}
    ),
}


def quiet(call, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SDK argument warnings and unchecked remote references
        return call(*args)


@pytest.mark.parametrize("call", list(CALLS))
def test_every_call_that_takes_an_image_blocks_a_bad_one_and_sends_a_good_one(runway, call):
    service, loop, client = runway
    guarded = sora_guard.guard(client)
    for bad in (BAD, uri(truncated(jpeg())), uri(jpeg(), "image/png")):
        with pytest.raises(PreflightError, match="SG50[23]|SG203"):
            CALLS[call](guarded, bad)
    assert loop.requests == []
    quiet(CALLS[call], guarded, good_uri())
    assert [r.path for r in loop.requests] and ("image/jpeg", jpeg()) in service.images


def test_a_path_or_file_is_checked_under_its_own_name_and_sent_as_a_data_uri(runway, tmp_path):
    service, loop, client = runway
    guarded = sora_guard.guard(client)
    bad = tmp_path / "frame.png"
    bad.write_bytes(truncated(jpeg()))
    with pytest.raises(PreflightError, match=rf"{bad}: SG503"):
        to_video(guarded, bad)
    with open(bad, "rb") as fp, pytest.raises(PreflightError, match=rf"{bad}: SG503"):
        guarded.recipes.product_ad(product_images=[{"uri": fp}], version="2026-06")
    assert loop.requests == []
    good = tmp_path / "frame.jpg"
    good.write_bytes(jpeg())
    to_video(guarded, good)
    assert service.images == [("image/jpeg", good.read_bytes())]


def test_remote_uris_pass_with_a_warning(runway):
    service, loop, client = runway
    with pytest.warns(PreflightWarning, match="runway://upload/7 cannot be checked locally"):
        to_video(sora_guard.guard(client), "runway://upload/7")
    assert len(loop.requests) == 1


def test_ephemeral_upload_is_checked_typed_and_takes_more_than_16_mb(runway, tmp_path):
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
    large = tmp_path / "large.jpg"
    large.write_bytes(padded(17_000_000))  # "up to 200MB" by upload: not the 16 MB of a URL
    with warnings.catch_warnings():
        warnings.simplefilter("error", PreflightWarning)
        guarded.uploads.create_ephemeral(file=large)
    assert service.images[-1] == ("image/jpeg", large.read_bytes())
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(600))
    guarded.uploads.create_ephemeral(file=video)  # not an image: the guard leaves it to the service


def test_ephemeral_upload_limit_is_runway_uploads_200mb_read_two_ways(tmp_path):
    """'up to 200MB': an error above 200 MiB, a warning above 200,000,000 bytes (the profile's two readings)."""
    service = RunwayService()
    with service.serve(max_body=UPLOAD.max_bytes + MIB) as loop:
        _upload_limit(
            service, loop, runwayml.RunwayML(api_key="k", base_url=loop.url, max_retries=0), tmp_path
        )


def _upload_limit(service, loop, client, tmp_path):
    assert (UPLOAD.max_bytes, UPLOAD.fact("max_bytes").strict) == (200 * MIB, 200_000_000)
    guarded = sora_guard.guard(client)
    path = tmp_path / "huge.jpg"
    path.write_bytes(padded(UPLOAD.max_bytes + 1))
    with pytest.raises(
        PreflightError, match=rf"SG301 file-too-large: {200 * MIB + 1} bytes .*\(runway-upload\)"
    ):
        guarded.uploads.create_ephemeral(file=path)
    assert loop.requests == []
    path.write_bytes(padded(200_000_001))
    with pytest.warns(PreflightWarning, match=r"200000001 bytes is over 200000000 bytes.*\(runway-upload\)"):
        guarded.uploads.create_ephemeral(file=path)
    assert len(service.images) == 1 and len(service.images[0][1]) == 200_000_001


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
    with pytest.raises(PreflightError):
        sora_guard.guard(client).with_raw_response.recipes.product_ad(
            product_images=[{"uri": bad}], version="2026-06"
        )

    async def main():
        async with runwayml.AsyncRunwayML(api_key="test-key", base_url=loop.url, max_retries=0) as c:
            guarded = sora_guard.guard(c)
            with pytest.raises(PreflightError):
                await to_video(guarded, bad)
            with pytest.raises(PreflightError):
                await guarded.text_to_video.create(
                    model="hailuo3", prompt_text="x", ratio="1280:720", duration=6, references=[{"uri": bad}]
                )
            await to_video(guarded, uri(jpeg()))

    asyncio.run(main())
    assert len(loop.requests) == 1
    assert Image.open(io.BytesIO(service.images[0][1])).size == (1280, 720)


def test_the_readmes_message_is_what_the_guard_says(runway, tmp_path, monkeypatch):
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    shown = (
        readme.split("## Pre-flight guard for SDK clients", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    )
    service, loop, client = runway
    monkeypatch.chdir(tmp_path)
    Path("photo.png").write_bytes(jpeg())  # a JPEG named .png
    with pytest.raises(PreflightError) as exc:
        sora_guard.guard(client).image_to_video.create(
            model="gen4.5", prompt_image=Path("photo.png"), ratio="1280:720"
        )
    assert str(exc.value) + "\n" == shown
