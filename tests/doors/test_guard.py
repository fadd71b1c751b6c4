"""The pre-flight guard with the real openai client against the validating loopback service."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import warnings
from pathlib import Path

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai import OpenAI
from PIL import Image
from support.images import corrupt_jpeg, encode, marker, truncated
from support.openai_server import SIZE_MISMATCH
from support.openai_server import TEST_API_KEY as API_KEY

import sora_guard
from sora_guard import PreflightError, PreflightWarning

SORA_DEPRECATION = "The Sora API is scheduled to permanently shut down"


def jpeg(size=(1280, 720)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def png(size=(1280, 720), mode="RGB") -> bytes:
    return encode(marker(size, mode), "PNG")


def create(c, ref, size="1280x720", **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return c.videos.create(
            model=kw.pop("model", "sora-2"), prompt="a lighthouse", size=size, input_reference=ref, **kw
        )


def sent(server, field="input_reference"):
    (request,) = [r for r in server.requests if r.method == "POST"]
    return request.file(field)


# -- compliant inputs go out once, named and typed from their content ------------------------------


@pytest.mark.parametrize(
    "make_ref, filename",
    [
        (lambda p, d: d, "input_reference.jpg"),
        (lambda p, d: io.BytesIO(d), "input_reference.jpg"),
        (lambda p, d: p, "photo.jpg"),
        (lambda p, d: ("photo.jpg", d), "photo.jpg"),
        (lambda p, d: ("upload", d, "application/octet-stream"), "upload.jpg"),
        (lambda p, d: (None, p), "input_reference.jpg"),
        (
            lambda p, d: {"image_url": "data:image/jpeg;base64," + base64.b64encode(d).decode()},
            "input_reference.jpg",
        ),
    ],
    ids=["bytes", "bytesio", "path", "tuple", "tuple-octet-stream", "tuple-path-nameless", "data-url"],
)
def test_compliant_reference_is_sent_with_name_and_mime_from_content(
    server, client, tmp_path, make_ref, filename
):
    data = jpeg()
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    video = create(sora_guard.guard(client), make_ref(path, data))
    part = sent(server)
    assert video.status == "queued"
    assert (part.filename, part.content_type, part.data) == (filename, "image/jpeg", data)


def test_unguarded_raw_bytes_go_out_as_octet_stream_and_are_refused(server, client):
    with pytest.raises(openai.BadRequestError) as exc:
        create(client, jpeg())
    assert exc.value.body["code"] == "unsupported_file_mimetype"
    assert sent(server).content_type == "application/octet-stream"


def test_file_object_is_read_whole_and_its_position_restored(server, client, tmp_path):
    path = tmp_path / "frame.png"
    path.write_bytes(png())
    with open(path, "rb") as fp:
        fp.seek(7)
        create(sora_guard.guard(client), fp)
        assert fp.tell() == 7
    part = sent(server)
    assert (part.filename, part.content_type, part.data) == ("frame.png", "image/png", path.read_bytes())


# -- bad inputs raise before any request -----------------------------------------------------------


def test_wrong_size_raises_with_zero_requests_and_names_the_fix(server, client, tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg((1920, 1080)))
    with pytest.raises(PreflightError) as exc:
        create(sora_guard.guard(client), path)
    assert server.requests == []
    assert isinstance(exc.value, ValueError)
    message = str(exc.value)
    assert "SG101" in message and "1920x1080" in message and str(path) in message
    assert 'guard(client, fix="cover")' in message
    assert f"sora-guard fix --profile sora-2 --size 1280x720 --strategy cover {path}" in message
    assert [d.code for d in exc.value.diagnostics] == ["SG101"]
    assert API_KEY not in message


def test_file_object_position_is_restored_when_the_check_fails(server, client):
    stream = io.BytesIO(jpeg((1000, 1000)))
    stream.seek(3)
    with pytest.raises(PreflightError):
        create(sora_guard.guard(client), stream)
    assert stream.tell() == 3 and server.requests == []


@pytest.mark.parametrize(
    "data, code",
    [
        (truncated(jpeg()), "SG503"),
        (corrupt_jpeg((1280, 720)), "SG503"),
        (b"<html>502 Bad Gateway</html>", "SG502"),
        (b"", "SG302"),
        (encode(marker((1280, 720)), "GIF"), "SG201"),
        (encode(marker((1280, 720), "CMYK"), "JPEG"), "SG401"),
    ],
    ids=["truncated", "corrupt", "html", "empty", "gif", "cmyk"],
)
def test_broken_or_refused_content_raises(server, client, data, code):
    with pytest.raises(PreflightError) as exc:
        create(sora_guard.guard(client), data)
    assert code in {d.code for d in exc.value.diagnostics}
    assert server.requests == []


def test_missing_path_raises_unreadable(server, client, tmp_path):
    with pytest.raises(PreflightError) as exc:
        create(sora_guard.guard(client), tmp_path / "nope.jpg")
    assert "SG501" in str(exc.value) and "does not exist" in str(exc.value)
    assert server.requests == []


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"model": "sora-2", "size": "1792x1024"}, "SG105"),
        ({"model": "sora-2-2025-10-06", "size": "1920x1080"}, "SG105"),
        ({"model": "sora-2", "size": "1280x720", "seconds": "7"}, "SG106"),
    ],
)
def test_model_size_and_seconds_are_checked_without_an_image(server, client, kwargs, code):
    with pytest.raises(PreflightError) as exc, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sora_guard.guard(client).videos.create(prompt="x", **kwargs)
    assert [d.code for d in exc.value.diagnostics] == [code]
    assert server.requests == []
    # the service refuses the same request
    with pytest.raises(openai.BadRequestError), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client.videos.create(prompt="x", **kwargs)
    assert len(server.requests) == 1


def test_pro_model_renders_1792x1024(server, client):
    video = create(sora_guard.guard(client), jpeg((1792, 1024)), size="1792x1024", model="sora-2-pro")
    assert video.size == "1792x1024" and len(server.requests) == 1


def test_omitted_size_means_the_service_default_720x1280(server, client):
    with pytest.raises(PreflightError) as exc, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sora_guard.guard(client).videos.create(prompt="x", input_reference=jpeg())
    assert "720x1280" in str(exc.value) and server.requests == []


def test_unparseable_size_raises(server, client):
    with pytest.raises(PreflightError, match="WIDTHxHEIGHT"):
        create(sora_guard.guard(client), jpeg(), size="hd")
    assert server.requests == []


# -- data URLs, remote URLs, file ids ----------------------------------------------------------------


def test_bad_data_url_is_decoded_and_checked(server, client):
    url = "data:image/png;base64," + base64.b64encode(png((640, 480))).decode()
    with pytest.raises(PreflightError, match="640x480"):
        create(sora_guard.guard(client), {"image_url": url})
    with pytest.raises(PreflightError, match="not valid base64"):
        create(sora_guard.guard(client), {"image_url": "data:image/png;base64,%%%"})
    assert server.requests == []


def test_data_url_over_the_byte_limit_is_refused_before_decoding(server, client):
    url = "data:image/jpeg;base64," + "A" * 400_000
    with pytest.raises(
        PreflightError, match="SG301 file-too-large: 300000 bytes is over the limit of 100000"
    ):
        create(sora_guard.guard(client, max_bytes=100_000), {"image_url": url})
    assert server.requests == []


def test_remote_url_and_file_id_pass_through_with_a_warning(server, client):
    guarded = sora_guard.guard(client)
    secret_url = "https://user:secret@example.invalid:8443/a.jpg?token=secret"
    for ref, shown in (
        ({"image_url": secret_url}, "https://example.invalid:8443/a.jpg"),
        ({"file_id": "file_123"}, "file_id"),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(
                RuntimeError, match="Expected entry at `input_reference`"
            ):  # the SDK's own limit
                guarded.videos.create(model="sora-2", prompt="x", size="1280x720", input_reference=ref)
        notes = [w for w in caught if w.category is PreflightWarning and "closed on" not in str(w.message)]
        assert len(notes) == 1 and shown in str(notes[0].message) and "secret" not in str(notes[0].message)
        assert "cannot send a reference dict" in str(notes[0].message)  # explains the SDK's own RuntimeError
        assert notes[0].filename == __file__
    assert server.requests == []


def test_fetch_urls_downloads_and_checks_remote_images(server, client):
    server.assets["/assets/wide.jpg"] = jpeg((1920, 1080))
    server.assets["/assets/ok.jpg"] = jpeg()
    guarded = sora_guard.guard(client, fetch_urls=True)
    with pytest.raises(PreflightError, match="1920x1080"):
        create(guarded, {"image_url": server.url + "/assets/wide.jpg"})
    assert [r.method for r in server.requests] == ["GET"]
    create(guarded, {"image_url": server.url + "/assets/ok.jpg"})
    part = sent(server)
    assert (part.filename, part.content_type, part.data) == (
        "ok.jpg",
        "image/jpeg",
        server.assets["/assets/ok.jpg"],
    )


# -- the rest of the client --------------------------------------------------------------------------


def test_unguarded_client_in_the_same_process_still_reaches_the_server(server, client):
    classes = (openai.OpenAI, openai.resources.videos.Videos, openai.resources.images.Images)
    before = [dict(vars(cls)) for cls in classes]
    guarded = sora_guard.guard(client)
    with pytest.raises(PreflightError):
        create(guarded, jpeg((1920, 1080)))
    other = OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
    for c in (client, other):
        with pytest.raises(openai.BadRequestError) as exc:
            create(c, ("wide.jpg", jpeg((1920, 1080))))
        assert exc.value.status_code == 400
        assert exc.value.body == {
            "message": SIZE_MISMATCH,
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    assert len(server.requests) == 2
    assert type(client.videos) is openai.resources.videos.Videos
    assert "Guarded" not in type(other.videos).__name__
    assert [dict(vars(cls)) for cls in classes] == before  # nothing patched


def test_create_and_poll_is_guarded(server, client):
    guarded = sora_guard.guard(client)
    with pytest.raises(PreflightError), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        guarded.videos.create_and_poll(
            model="sora-2", prompt="x", size="1280x720", input_reference=jpeg((1920, 1080))
        )
    assert server.requests == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        video = guarded.videos.create_and_poll(
            model="sora-2", prompt="x", size="1280x720", input_reference=jpeg(), poll_interval_ms=1
        )
    assert video.status == "completed"
    assert [(r.method, r.path.split("/")[2]) for r in server.requests] == [
        ("POST", "videos"),
        ("GET", "videos"),
        ("GET", "videos"),
    ]
    assert sent(server).content_type == "image/jpeg"


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.videos.with_raw_response.create,
        lambda g: g.with_raw_response.videos.create,
        lambda g: g.videos.with_streaming_response.create,
        lambda g: g.with_options(timeout=5).videos.create,
    ],
    ids=["videos.with_raw_response", "client.with_raw_response", "with_streaming_response", "with_options"],
)
def test_raw_streaming_and_copied_clients_are_guarded(server, client, call):
    def invoke(ref):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            response = call(guarded)(model="sora-2", prompt="x", size="1280x720", input_reference=ref)
            if hasattr(response, "__enter__"):  # a streamed response sends on entry
                with response as streamed:
                    return streamed.parse()
            return response.parse() if hasattr(response, "parse") else response

    guarded = sora_guard.guard(client)
    with pytest.raises(PreflightError):
        invoke(jpeg((1920, 1080)))
    assert server.requests == []
    assert invoke(jpeg()).status == "queued"
    assert sent(server).filename == "input_reference.jpg"


def url(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def thread_message(ref: str) -> dict:
    return {"role": "user", "content": [{"type": "image_url", "image_url": {"url": ref}}]}


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.beta.threads.messages.create,
        lambda g: g.beta.threads.messages.with_raw_response.create,
        lambda g: g.with_raw_response.beta.threads.messages.create,
        lambda g: g.beta.threads.messages.with_streaming_response.create,
        lambda g: g.with_options(timeout=5).beta.threads.messages.create,
        lambda g: g.copy().beta.threads.messages.create,
    ],
    ids=["plain", "raw", "client.raw", "streaming", "with_options", "copy"],
)
def test_a_call_no_adapter_names_is_checked_in_every_wrapper_and_copy(server, client, call):
    """Guard by default: ``beta.threads.messages.create`` is in no adapter; its image is found anyway."""
    guarded = sora_guard.guard(client)
    for bad, code in ((url(b"text " * 40, "image/png"), "SG502"), (url(truncated(jpeg())), "SG503")):
        with warnings.catch_warnings(), pytest.raises(PreflightError, match=code):
            warnings.simplefilter("ignore", DeprecationWarning)
            response = call(guarded)("thread_1", **thread_message(bad))
            if hasattr(response, "__enter__"):  # a streamed response calls on entry
                with response:
                    pass
    assert server.requests == []


def test_an_async_call_no_adapter_names_is_checked(server):
    import asyncio

    async def main():
        async with openai.AsyncOpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0) as c:
            with warnings.catch_warnings(), pytest.raises(PreflightError, match="SG503"):
                warnings.simplefilter("ignore", DeprecationWarning)
                await sora_guard.guard(c).beta.threads.messages.create(
                    "thread_1", **thread_message(url(truncated(jpeg())))
                )

    asyncio.run(main())
    assert server.requests == []


def test_a_call_without_an_image_goes_out_exactly_as_made(server, client):
    guarded = sora_guard.guard(client)
    with pytest.raises(openai.NotFoundError):  # the stand-in serves no /v1/models/... route
        guarded.models.retrieve("gpt-5")
    assert [r.path for r in server.requests] == ["/v1/models/gpt-5"]


def test_other_attributes_are_the_clients_and_every_resource_is_guarded(client):
    guarded = sora_guard.guard(client)
    assert guarded.base_url is client.base_url and guarded.api_key is client.api_key
    assert guarded.unguarded is client and guarded._client is client._client
    assert repr(guarded.models) == f"<guarded {client.models!r}>"  # every resource, named or not
    assert {"videos", "images", "files", "chat", "unguarded"} <= set(dir(guarded))


@pytest.mark.parametrize("method", ["create", "create_and_poll", "with_raw_response.create"])
def test_sdk_deprecation_warnings_pass_through_unchanged(server, client, method):
    def warnings_of(c):
        call = c.videos
        for part in method.split("."):
            call = getattr(call, part)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call(model="sora-2", prompt="x", size="1280x720", input_reference=("photo.jpg", jpeg()))
        return [
            (w.category, str(w.message), w.filename, w.lineno)
            for w in caught
            if w.category is not PreflightWarning
        ]

    plain = warnings_of(client)
    guarded = warnings_of(sora_guard.guard(client))
    assert [w[:3] for w in plain] == [w[:3] for w in guarded]
    assert all(w[0] is DeprecationWarning and SORA_DEPRECATION in w[1] for w in plain)
    assert (
        len(plain) == 1 or method == "create_and_poll"
    )  # which also warns from its inner create, poll and retrieve
    assert plain[0][2] == (__file__ if "." not in method else openai._legacy_response.__file__)


# -- fix mode ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, fmt, mime",
    [
        (jpeg((1920, 1080)), "JPEG", "image/jpeg"),
        (png((1000, 1000)), "PNG", "image/png"),
        (encode(marker((800, 600)), "GIF"), "PNG", "image/png"),
        (encode(marker((720, 1280)), "WEBP"), "WEBP", "image/webp"),
    ],
    ids=["jpeg-16:9-large", "png-square", "gif", "webp-portrait"],
)
def test_fix_mode_sends_exactly_the_requested_size(server, client, data, fmt, mime):
    create(sora_guard.guard(client, fix="cover"), data)
    part = sent(server)
    with Image.open(io.BytesIO(part.data)) as im:
        assert (im.size, im.format) == ((1280, 720), fmt)
    assert part.content_type == mime and part.filename.startswith("input_reference.")


def test_fix_mode_smart_keeps_the_face_whole_as_sora_guard_fix_does(server, client):
    """The guard fixes through the same engine.fix.repair, finders and all: the same bytes as ``fix``."""
    from pathlib import Path

    from sora_guard.api import make_settings
    from sora_guard.run.fix import fix_bytes

    portrait = (Path(__file__).resolve().parents[1] / "support" / "photos" / "biden.jpg").read_bytes()
    create(sora_guard.guard(client, fix="smart"), portrait)
    expected = fix_bytes(
        portrait, "input_reference.jpg", make_settings(profile="sora-2", size="1280x720", strategy="smart")
    )
    assert expected.placement.kept and sent(server).data == expected.output


def test_fix_mode_keeps_the_file_name_stem(server, client, tmp_path):
    path = tmp_path / "holiday.jpg"
    path.write_bytes(jpeg((3000, 2000)))
    create(sora_guard.guard(client, fix="pad"), path)
    part = sent(server)
    assert part.filename == "holiday.jpg" and Image.open(io.BytesIO(part.data)).size == (1280, 720)
    assert path.read_bytes()[:2] == b"\xff\xd8" and Image.open(path).size == (
        3000,
        2000,
    )  # the file is untouched


def test_fix_mode_meets_the_byte_limit_like_sora_guard_fix(server, client):
    """Over max-bytes at the configured quality, the fixer's own lower-quality retries apply."""
    from PIL import ImageFilter

    noisy = Image.effect_noise((1920, 1080), 40).convert("RGB").filter(ImageFilter.GaussianBlur(2))
    create(sora_guard.guard(client, fix="cover", max_bytes=100_000), encode(noisy, "JPEG", quality=95))
    part = sent(server)
    assert len(part.data) <= 100_000 and Image.open(io.BytesIO(part.data)).size == (1280, 720)


def test_fix_mode_still_refuses_what_it_cannot_fix(server, client):
    guarded = sora_guard.guard(client, fix="cover")
    with pytest.raises(PreflightError, match="SG503"):
        create(guarded, truncated(jpeg()))
    with pytest.raises(PreflightError, match="SG105"):
        create(guarded, jpeg((1792, 1024)), size="1792x1024")
    assert server.requests == []


def test_unknown_strategy_is_refused_at_guard_time(client):
    with pytest.raises(ValueError, match="unknown strategy 'zoom'"):
        sora_guard.guard(client, fix="zoom")


def test_configuration_keys_apply(server, client):
    # with SG101 ignored the guard lets the mismatch through and the service refuses it
    with pytest.raises(openai.BadRequestError):
        create(sora_guard.guard(client, ignore=["SG101"]), ("wide.jpg", jpeg((1920, 1080))))
    assert len(server.requests) == 1


def test_import_without_openai_is_cheap_and_works():
    code = (
        "import sys; sys.modules['openai'] = None\n"
        "import sora_guard\n"
        "assert 'openai' not in sys.modules or sys.modules['openai'] is None\n"
        "assert issubclass(sora_guard.PreflightError, ValueError)\n"
        "print(sorted(m for m in sys.modules if m.startswith('sora_guard')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
    )
    assert (
        out.stdout.strip()
        == "['sora_guard', 'sora_guard.vocabulary', 'sora_guard.vocabulary.exceptions', 'sora_guard.vocabulary.lazy', "
        "'sora_guard.vocabulary.model']"
    )


def test_checked_data_url_is_left_as_it_is_for_an_sdk_that_sends_reference_dicts(client, monkeypatch):
    from sora_guard.builtin.guards import openai as adapter

    ref = {"image_url": "data:image/jpeg;base64," + base64.b64encode(jpeg()).decode()}
    kwargs = {"prompt": "x", "size": "1280x720", "input_reference": ref}
    preflight = sora_guard.guard(client).preflight
    sent_as_upload = preflight.prepare("videos.create", adapter.plan_video(kwargs, preflight), kwargs)
    assert (
        sent_as_upload.arguments["input_reference"][0] == "input_reference.jpg"
    )  # openai 3.57 cannot send the dict
    monkeypatch.setattr(adapter, "_sdk_sends_references", lambda: True)  # an SDK version that can
    left = preflight.prepare("videos.create", adapter.plan_video(kwargs, preflight), kwargs)
    assert left.arguments["input_reference"] is ref


def test_sizes_and_seconds_come_from_the_configured_profiles(server, client, tmp_path):
    from sora_guard.config import load_settings

    (tmp_path / "pyproject.toml").write_text(
        '[tool.sora-guard.profiles.sora-2]\nseconds = ["4", "8"]\nsizes = ["1280x720", "720x1280", "960x960"]\n'
    )
    guarded = sora_guard.guard(client, settings=load_settings(tmp_path))
    with pytest.raises(PreflightError, match="SG106"):
        create(guarded, jpeg(), seconds="12")
    assert server.requests == []
    with pytest.raises(openai.BadRequestError):  # the guard now allows 960x960; this service does not
        create(guarded, jpeg((960, 960)), size="960x960")
    assert len(server.requests) == 1


def test_the_suggested_cli_command_fixes_the_file(server, client, tmp_path, run_cli):
    import shlex

    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg((1600, 1200)))
    guarded = sora_guard.guard(client)
    with pytest.raises(PreflightError) as exc:
        create(guarded, path)
    (line,) = [x for x in str(exc.value).splitlines() if "or fix the file:" in x]
    program, *args = shlex.split(line.split("or fix the file:", 1)[1])
    assert program == "sora-guard"
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    create(guarded, path)
    assert Image.open(io.BytesIO(sent(server).data)).size == (1280, 720)


def test_a_gateway_model_no_profile_claims_never_gets_sora_2s_sizes(server, client):
    """A model no profile claims at 1344x768 through an OpenAI-compatible gateway: the
    service-independent checks and a warning saying so, not SG105 from sora-2. ``minimax/h3`` is
    claimed (profile minimax-h3) and goes out without that warning."""
    with pytest.warns(PreflightWarning, match="model acme/video-9: no profile claims it"):
        create(sora_guard.guard(client), jpeg((1344, 768)), size="1344x768", model="acme/video-9")
    assert len(server.requests) == 1 and sent(server).content_type == "image/jpeg"
    with pytest.raises(PreflightError, match="SG503"):
        create(sora_guard.guard(client), truncated(jpeg((1344, 768))), size="1344x768", model="acme/video-9")
    with pytest.raises(PreflightError, match=r"1280x720 does not match the target 1920x1080 \(sora-2-pro\)"):
        create(sora_guard.guard(client, profile="sora-2-pro"), jpeg(), size="1920x1080", model="acme/video-9")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        create(sora_guard.guard(client), jpeg((1344, 768)), size="1344x768", model="minimax/h3")
    assert not [w for w in said if "no profile claims it" in str(w.message)]
    assert len(server.requests) == 2


def test_an_aspect_tolerant_gateway_model_takes_any_reference_within_its_bounds(server, client):
    """``minimax/h3`` answers to ``minimax-h3``, which lists no exact sizes: ``size`` is the video's
    shape, so a reference of another size is sent (another aspect: a crop/pad warning), never SG101;
    sora-2 still needs the exact size."""
    guarded = sora_guard.guard(client)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PreflightWarning)
        create(guarded, jpeg((1920, 1097)), size="1344x768", model="minimax/h3")  # the same aspect, larger
    with pytest.warns(PreflightWarning, match=r"SG107 aspect-adjusted: 1024x1024 .* to the video's 1344:768"):
        create(guarded, jpeg((1024, 1024)), size="1344x768", model="minimax/h3")
    assert [Image.open(io.BytesIO(r.file("input_reference").data)).size for r in server.requests] == [
        (1920, 1097),
        (1024, 1024),
    ]
    with pytest.raises(
        PreflightError, match=r"SG101 size-mismatch: 1024x1024 does not match the target 1280x720 \(sora-2\)"
    ):
        create(guarded, jpeg((1024, 1024)), size="1280x720", model="sora-2")
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "wrap", [bytes, io.BytesIO, lambda d: ("photo.jpg", d)], ids=["bytes", "stream", "tuple"]
)
def test_byte_limit_applies_to_every_form(server, client, wrap):
    data = jpeg()
    with pytest.raises(PreflightError) as exc:
        create(sora_guard.guard(client, max_bytes=len(data) - 1), wrap(data))
    assert [d.code for d in exc.value.diagnostics] == ["SG301"] and str(len(data)) in str(exc.value)
    assert server.requests == []


@given(
    width=st.integers(16, 2400),
    height=st.integers(16, 2400),
    size=st.sampled_from(["1280x720", "720x1280"]),
    fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]),
    strategy=st.sampled_from(["cover", "pad", "blur-pad", "stretch"]),
)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fix_mode_always_delivers_the_exact_size(server, client, width, height, size, fmt, strategy):
    before = len(server.requests)
    create(sora_guard.guard(client, fix=strategy), encode(marker((width, height)), fmt), size=size)
    (request,) = server.requests[before:]
    part = request.file("input_reference")
    with Image.open(io.BytesIO(part.data)) as im:
        assert f"{im.width}x{im.height}" == size and part.content_type == f"image/{im.format.lower()}"


def test_file_over_the_read_limit_is_refused_unread(server, client, tmp_path):
    path = tmp_path / "huge.jpg"
    with open(path, "wb") as fp:
        fp.truncate(3 * 1024 * 1024)  # sparse: a large file that costs nothing to make
    with pytest.raises(PreflightError, match="SG501"):
        create(sora_guard.guard(client, max_file_bytes=1024 * 1024), path)
    assert server.requests == []


def test_the_readme_example_runs(server, tmp_path, monkeypatch):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Pre-flight guard for SDK clients", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["edited"].data and isinstance(namespace["fixing"], sora_guard.GuardedClient)
    assert sent(server, "image").filename == "photo.jpg"


def test_the_readme_guard_examples_compile():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Pre-flight guard for SDK clients", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]
    assert len(blocks) == 3  # openai, one per other SDK, the third-party adapter
    for block in blocks:
        compile(block, "README.md", "exec")
    for sdk in (
        "genai.Client(",
        "runwayml.RunwayML(",
        "fal_client,",
        "replicate.Client(",
        "luma_agents.Luma(",
    ):
        assert f"sora_guard.guard({sdk}" in blocks[1]


def test_configured_profiles_claim_gateway_model_names(server, client, tmp_path):
    from sora_guard.config import load_settings

    (tmp_path / "pyproject.toml").write_text(
        '[tool.sora-guard.profiles.acme-video]\nmodels = ["acme/video"]\nsizes = ["960x960"]\nformats = ["JPEG"]\n'
        '[tool.sora-guard.profiles.sora-2-pro]\nmodels = ["sora-2-pro", "gw/sora-pro"]\n'
    )
    guarded = sora_guard.guard(client, settings=load_settings(tmp_path))
    with pytest.raises(PreflightError, match=r"target 960x960 \(acme-video\)"):
        create(guarded, jpeg(), size="960x960", model="acme/video")
    with pytest.raises(PreflightError, match=r"target 1920x1080 \(sora-2-pro\)"):
        create(guarded, jpeg(), size="1920x1080", model="gw/sora-pro-2025-10-06")
    assert server.requests == []


def test_fix_mode_raises_when_the_fix_cannot_pass(server, client):
    with pytest.raises(PreflightError) as exc:
        create(sora_guard.guard(client, fix="cover", max_bytes=2_000), jpeg((1920, 1080)))
    assert "SG902" in str(exc.value) and "SG301" in str(exc.value)
    assert server.requests == []


def test_one_guarded_client_serves_many_threads(server, client):
    from concurrent.futures import ThreadPoolExecutor

    guarded = sora_guard.guard(client)
    sizes = [(1280, 720), (1920, 1080)] * 4
    payloads = [encode(marker(size), "PNG", compress_level=i) for i, size in enumerate(sizes)]

    def call(data):
        try:
            create(guarded, data)
            return "sent"
        except PreflightError:
            return "stopped"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(call, payloads))
    assert outcomes == ["sent", "stopped"] * 4
    assert sorted(r.file("input_reference").data for r in server.requests) == sorted(payloads[::2])


def test_fix_true_uses_the_configured_strategy_and_background(server, client):
    create(sora_guard.guard(client, fix=True, strategy="pad", background="white"), png((720, 720)))
    with Image.open(io.BytesIO(sent(server).data)) as im:
        assert im.size == (1280, 720)
        assert im.getpixel((5, 360)) == (255, 255, 255)  # padding, in the configured colour
        assert im.getpixel((300, 5)) == (255, 0, 0)  # the picture's red top-left quadrant, uncropped


def test_a_size_the_model_does_not_render_gets_advice_that_works(server, client, tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg((1600, 900)))
    with pytest.raises(PreflightError) as exc:
        create(sora_guard.guard(client), path, size="1792x1024")
    message = str(exc.value)
    assert server.requests == [] and "SG105" in message
    assert "ask for 1280x720 or 720x1280, or use sora-2-pro, which renders it" in message
    advice = message.split("how to fix:", 1)[1]
    assert "sora-guard fix --" not in advice and "sora-guard fix cannot help" in advice
    assert 'fix="' not in advice and "sora-2-pro" in advice


def test_a_call_no_adapter_names_answers_to_the_profile_its_model_maps_to(server, client, tmp_path):
    """Service-independent checks for every call; the rules of the profile the call's ``model`` maps to on top."""
    from sora_guard.config import load_settings

    (tmp_path / "pyproject.toml").write_text(
        '[tool.sora-guard.profiles.acme-vision]\nmodels = ["acme-vision"]\nformats = ["PNG"]\n'
    )
    guarded = sora_guard.guard(client, settings=load_settings(tmp_path))
    run = lambda model, ref: guarded.beta.threads.runs.create(  # noqa: E731
        "thread_1", assistant_id="a", model=model, additional_messages=[thread_message(ref)]
    )
    with (
        warnings.catch_warnings(),
        pytest.raises(PreflightError, match="SG201 format-not-allowed: JPEG is not accepted by acme-vision"),
    ):
        warnings.simplefilter("ignore", DeprecationWarning)
        run("acme-vision", url(jpeg()))
    assert server.requests == []
    with warnings.catch_warnings(), pytest.raises(openai.NotFoundError):  # checked, sent: no such route here
        warnings.simplefilter("ignore", DeprecationWarning)
        run("gpt-5", url(jpeg()))
    assert len(server.requests) == 1


def test_the_plugin_contract_holds_every_name_the_builtin_adapters_use():
    """A third-party adapter imports from ``sora_guard.plugins`` what the built-in ones import from
    ``sora_guard.vocabulary.guarding`` (``Base64Text`` too)."""
    import ast
    import pathlib

    import sora_guard.plugins as contract
    from sora_guard.builtin import guards

    used = set()
    for path in pathlib.Path(guards.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "sora_guard.vocabulary.guarding":
                used.update(alias.name for alias in node.names)
    assert "Base64Text" in used and used <= set(contract.__all__)
    for name in used:
        assert getattr(contract, name) is getattr(sys.modules["sora_guard.vocabulary.guarding"], name)
