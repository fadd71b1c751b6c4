"""Every public method of every supported SDK, at its installed version, that takes an image is guarded.

``support/sdk_surface.py`` reads from each SDK which parameters take an image (type hints through
TypedDicts and pydantic models, field documentation, names, free-form bodies and file uploads). For
each, a text file posing as a PNG and a truncated JPEG are put at that place, in the form the type
calls for, and the call through the guarded client must raise PreflightError with zero requests
recorded by the loopback service it points at. A method the SDK adds that the guard misses fails here.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import warnings

import pytest
from support import sdk_surface
from support.images import encode, marker, truncated
from support.loopback import Loopback
from support.sdk_services import FAL_HOSTS

import sora_guard
from sora_guard import PreflightError

TEXT = b"this is a note, not a picture\n" * 8
CUT = truncated(encode(marker((640, 480)), "JPEG", quality=90))

EXPECTED = {
    "openai": {
        "images.edit", "videos.create", "responses.create", "chat.completions.create", "files.create",
        "moderations.create", "decisions.create", "beta.responses.create", "content_provenance_checks.create",
    },
    "google-genai": {
        "models.generate_videos", "models.generate_content", "models.edit_image", "models.upscale_image",
        "models.recontext_image", "models.segment_image", "interactions.create", "files.upload",
    },
    "runwayml": {
        "image_to_video.create", "text_to_video.create", "generate.video.create", "generate.image.create",
        "avatars.create", "uploads.create_ephemeral", "video_to_video.create",
        *(f"recipes.{n}" for n in ("ad_localization", "marketing_stock_image", "multi_shot_video", "product_ad",
                                   "product_campaign_image", "product_swap", "product_ugc")),
    },
    "fal-client": {"run", "submit", "subscribe", "stream", "upload", "upload_file"},
    "fal_client module": {"run", "submit", "subscribe", "stream", "sync_client.upload_file"},
    "replicate": {"run", "predictions.create", "models.predictions.create", "deployments.predictions.create", "files.create"},
    "luma-agents": {"generations.create"},
}  # fmt: skip
"""What issue 21 and the adapters name: the walk must find at least these (it checks the walk itself)."""


def _clients(name, url, monkeypatch):
    if name == "openai":
        import openai

        return openai.OpenAI(api_key="k", base_url=url + "/v1", max_retries=0)
    if name == "google-genai":
        from google import genai

        return genai.Client(api_key="k", http_options=genai.types.HttpOptions(base_url=url + "/"))
    if name == "runwayml":
        import runwayml

        return runwayml.RunwayML(api_key="k", base_url=url, max_retries=0)
    if name == "replicate":
        import replicate

        return replicate.Client(api_token="k", base_url=url)
    if name == "luma-agents":
        import luma_agents

        return luma_agents.Luma(auth_token="k", base_url=url, max_retries=0)
    import fal_client

    monkeypatch.setenv("FAL_KEY", "k")
    return fal_client.SyncClient(key="k") if name == "fal-client" else fal_client


def bad_values(slot, tmp_path):
    """``(value, MIME type beside it, code)``: a text file claiming PNG, then a truncated JPEG, in the slot's form."""
    text_png, cut_jpg = tmp_path / "note.png", tmp_path / "cut.jpg"
    text_png.write_bytes(TEXT)
    cut_jpg.write_bytes(CUT)
    for data, mime, path, code in (
        (TEXT, "image/png", text_png, "SG502"),
        (CUT, "image/jpeg", cut_jpg, "SG503"),
    ):
        if slot.leaf == "file":
            yield path, None, code
        elif slot.leaf == "bytes":
            if slot.mime_key or code == "SG503":  # bare bytes make no claim: only what starts like an image
                yield data, mime, code
        elif slot.leaf == "str" and slot.mime_key and sdk_surface.DATA_NAMES.match(str(slot.steps[-1].key)):
            yield base64.b64encode(data).decode(), mime, code
        else:
            yield f"data:{mime};base64,{base64.b64encode(data).decode()}", None, code


def call(method, slot, value):
    """Call ``method`` with ``value`` for the slot's parameter, running a coroutine or an async generator."""
    parameter = inspect.signature(method).parameters[slot.param]
    if parameter.kind is parameter.VAR_KEYWORD:
        result = method(input=value)
    elif parameter.kind is parameter.POSITIONAL_ONLY:
        result = method(value)
    else:
        result = method(**{slot.param: value})
    if inspect.iscoroutine(result):
        return asyncio.run(result)
    if inspect.isasyncgen(result):
        return asyncio.run(result.__anext__())
    return result


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_method_that_takes_an_image_blocks_a_bad_one_with_zero_requests(name, tmp_path, monkeypatch):
    with Loopback(lambda r: (200, {}), tls_hosts=FAL_HOSTS) as loop:
        for key, value in loop.proxy_env().items():
            monkeypatch.setenv(key, value)
        client = _clients(name, loop.url, monkeypatch)
        guarded = sora_guard.guard(client)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SDKs' deprecation and experimental-feature warnings
            found = {path: sdk_surface.image_slots(path, m) for path, m in sdk_surface.methods(client)}
            found = {path: slots for path, slots in found.items() if slots}
            assert EXPECTED[name] <= set(found), sorted(EXPECTED[name] - set(found))
            missed = []
            for path, slots in found.items():
                method = sdk_surface.resolve(guarded, path)
                for slot in slots:
                    for value, mime, code in bad_values(slot, tmp_path):
                        argument = sdk_surface.build(slot, value, mime)
                        try:
                            call(method, slot, argument)
                        except PreflightError as exc:
                            if code in {d.code for d in exc.diagnostics}:
                                continue
                            missed.append(f"{slot.where} ({slot.reason}): {code} expected, got {exc}")
                        except Exception as exc:  # noqa: BLE001 - anything but the guard's refusal is a miss
                            missed.append(
                                f"{path} {slot.where} ({slot.reason}): {type(exc).__name__}: {exc}"[:300]
                            )
                        else:
                            missed.append(f"{path} {slot.where} ({slot.reason}): sent")
        assert not missed, "\n".join(missed)
        assert loop.requests == []


def _sdk_text(module: str) -> str:
    import importlib

    return inspect.getsource(importlib.import_module(module))


def test_the_adapters_dated_facts_are_what_the_installed_sdks_say():
    """Each service fact an adapter dates is quoted from an installed SDK's source: the quote is there."""
    from sora_guard.builtin.guards import luma, openai

    video = " ".join(_sdk_text("openai.types.video_create_params").split())
    assert f"Defaults to `{openai.VIDEO_DEFAULTS['model']}`" in video
    assert f"Defaults to {openai.VIDEO_DEFAULTS['size']}" in video
    edit = " ".join(_sdk_text("openai.types.image_edit_params").split())
    standard = sorted(openai.STANDARD_EDIT_SIZES - {"auto"})
    assert all(f"`{s}`" in edit for s in standard) and "automatic sizing" in edit
    assert all(f'"{s}"' in edit for s in openai.LEGACY_EDIT_SIZES) and "legacy size suggestion" in edit
    assert f"maximum supported resolution is `{openai.MAX_EDIT_OUTPUT}`" in edit
    assert (
        "GIF output does not support streaming, partial images, masks, or custom output compression" in edit
    )
    keyframes = " ".join(_sdk_text("luma_agents.types.video_options_param").split())
    assert f"1-{luma.MAX_KEYFRAMES} anchors" in keyframes
    genai_types = _sdk_text("google.genai.types")
    assert "16:9 (landscape) and" in genai_types  # the shape is offered; its default is not the SDK's
