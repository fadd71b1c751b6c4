"""The promise for every SDK: the real client, over HTTP to a validating service on 127.0.0.1.

For each client a text file posing as an image, a truncated JPEG and content whose declared MIME
type contradicts it raise PreflightError with zero requests; a good image goes out untouched; with
``fix=...`` exactly one request carries an image of the right size, format and MIME type. The
unguarded client sends the same bad images and the stand-in service refuses them, so each guard
verdict is the service's.
"""

from __future__ import annotations

import base64
import warnings
from dataclasses import dataclass

import pytest
from support.images import encode, marker, truncated
from support.loopback import Loopback
from support.sdk_services import (
    FAL_HOSTS,
    FalService,
    LumaService,
    ReplicateService,
    RunwayService,
    VeoService,
)

import sora_guard
from sora_guard import PreflightError

TEXT = b"this is a note, not a picture\n" * 8


def jpeg(size=(1280, 720)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@dataclass
class Sdk:
    """One SDK's client against its stand-in service, and the call that carries one image."""

    name: str
    service: object
    loop: Loopback
    client: object
    send: object  # (client, data, mime, tmp_path) -> None
    image_posts: object  # (requests) -> list of requests that carried an image

    def posts(self):
        return self.image_posts(self.loop.requests)


def _genai(tmp_path):
    from google import genai
    from google.genai import types

    service = VeoService()
    loop = service.serve().start()
    client = genai.Client(
        vertexai=True, api_key="test-key", http_options=types.HttpOptions(base_url=loop.url + "/")
    )

    def send(c, data, mime, path):
        source = types.GenerateVideosSource(
            prompt="a lighthouse", image=types.Image(image_bytes=data, mime_type=mime)
        )
        c.models.generate_videos(model="veo-3.1-generate-001", source=source)

    return Sdk("google-genai", service, loop, client, send, lambda rs: [r for r in rs if r.method == "POST"])


def _runway(tmp_path):
    import runwayml

    service = RunwayService()
    loop = service.serve().start()
    client = runwayml.RunwayML(api_key="test-key", base_url=loop.url, max_retries=0)

    def send(c, data, mime, path):
        c.image_to_video.create(
            model="gen4.5", prompt_image=data_uri(data, mime), ratio="1280:720", prompt_text="a lighthouse"
        )

    return Sdk("runwayml", service, loop, client, send, lambda rs: [r for r in rs if r.method == "POST"])


def _fal(tmp_path, monkeypatch):
    import fal_client

    service = FalService()
    loop = service.serve(tls_hosts=FAL_HOSTS).start()
    for key, value in loop.proxy_env().items():
        monkeypatch.setenv(key, value)
    client = fal_client.SyncClient(key="test-key")

    def send(c, data, mime, path):
        c.run(
            "fal-ai/kling-video/v2.1/pro/image-to-video",
            {"prompt": "a lighthouse", "image_url": data_uri(data, mime)},
        )

    return Sdk("fal-client", service, loop, client, send, lambda rs: [r for r in rs if r.method == "POST"])


def _replicate(tmp_path):
    import mimetypes

    import replicate

    service = ReplicateService()
    loop = service.serve().start()
    client = replicate.Client(api_token="test-key", base_url=loop.url)

    def send(c, data, mime, path):
        extension = mimetypes.guess_extension(mime) or ".bin"
        file = path / f"photo{extension}"
        file.write_bytes(data)
        c.run("kwaivgi/kling-v2.1", input={"prompt": "a lighthouse", "start_image": file})

    return Sdk("replicate", service, loop, client, send, lambda rs: [r for r in rs if r.path == "/v1/files"])


def _luma(tmp_path):
    import luma_agents

    service = LumaService()
    loop = service.serve().start()
    client = luma_agents.Luma(auth_token="test-key", base_url=loop.url, max_retries=0)

    def send(c, data, mime, path):
        ref = {"data": base64.b64encode(data).decode(), "media_type": mime}
        c.generations.create(prompt="a lighthouse", model="ray-3.2", type="video", video={"start_frame": ref})

    return Sdk("luma-agents", service, loop, client, send, lambda rs: [r for r in rs if r.method == "POST"])


def _openai(tmp_path):
    from openai import OpenAI
    from support.openai_server import OpenAIServer

    server = OpenAIServer(lifetime=60).start()
    client = OpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0)

    class Loop:  # the OpenAI stand-in records requests itself
        requests = server.requests

        @staticmethod
        def stop():
            server.stop()

    def send(c, data, mime, path):
        c.images.edit(
            model="gpt-image-2", prompt="add a boat", image=("photo" + (mimetypes_ext(mime)), data, mime)
        )

    return Sdk("openai", None, Loop, client, send, lambda rs: [r for r in rs if r.method == "POST"])


def mimetypes_ext(mime: str) -> str:
    import mimetypes

    return mimetypes.guess_extension(mime) or ".bin"


@pytest.fixture(params=["openai", "google-genai", "runwayml", "fal-client", "replicate", "luma-agents"])
def sdk(request, tmp_path, monkeypatch):
    makers = {
        "openai": _openai,
        "google-genai": _genai,
        "runwayml": _runway,
        "replicate": _replicate,
        "luma-agents": _luma,
    }
    made = _fal(tmp_path, monkeypatch) if request.param == "fal-client" else makers[request.param](tmp_path)
    yield made
    made.loop.stop()


def quiet(call, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call(*args)


@pytest.mark.parametrize(
    "data, mime, code",
    [
        (TEXT, "image/png", "SG502"),
        (truncated(jpeg()), "image/jpeg", "SG503"),
        (jpeg(), "image/png", "SG203"),
    ],
    ids=["text-as-png", "truncated-jpeg", "jpeg-declared-png"],
)
def test_bad_image_is_blocked_with_zero_requests_and_the_service_refuses_it(sdk, tmp_path, data, mime, code):
    guarded = sora_guard.guard(sdk.client)
    with pytest.raises(PreflightError) as exc:
        quiet(sdk.send, guarded, data, mime, tmp_path)
    assert code in {d.code for d in exc.value.diagnostics}, str(exc.value)
    assert f"{code} " in str(exc.value) and "before sending anything" in str(exc.value)
    assert sdk.loop.requests == []
    if sdk.name == "openai" and code == "SG203":
        return  # the OpenAI stand-in only checks the declared type is allowed (the service's behaviour is unverified)
    with pytest.raises(Exception) as refused:  # the same image, unguarded: the service answers 4xx
        quiet(sdk.send, sdk.client, data, mime, tmp_path)
    assert not isinstance(refused.value, PreflightError)
    assert sdk.posts() and (sdk.service is None or sdk.service.images == [])


def test_good_image_goes_out_untouched(sdk, tmp_path):
    data = jpeg()
    quiet(sdk.send, sora_guard.guard(sdk.client), data, "image/jpeg", tmp_path)
    assert len(sdk.posts()) == 1
    if sdk.service is not None:
        assert sdk.service.images == [("image/jpeg", data)]
    else:
        part = sdk.loop.requests[0].file("image")
        assert (part.data, part.content_type) == (data, "image/jpeg")


def test_fix_mode_sends_one_request_with_the_content_type(sdk, tmp_path):
    """A JPEG declared as PNG: fix mode sends the same bytes, typed image/jpeg, in one request."""
    data = jpeg()
    quiet(sdk.send, sora_guard.guard(sdk.client, fix="cover"), data, "image/png", tmp_path)
    assert len(sdk.posts()) == 1
    if sdk.service is not None:
        assert sdk.service.images == [("image/jpeg", data)]
