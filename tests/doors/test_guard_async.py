"""The guard around ``openai.AsyncOpenAI``: same checks, image work off the event loop."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import warnings

import openai
import pytest
from openai import AsyncOpenAI
from PIL import Image
from support.images import encode, marker
from support.openai_server import SIZE_MISMATCH

import sora_guard
from sora_guard import PreflightError


def jpeg(size=(1280, 720)) -> bytes:
    return encode(marker(size), "JPEG", quality=90)


def run(server, body):
    """Run ``body(client)`` with a fresh AsyncOpenAI client on a new event loop."""

    async def main():
        async with AsyncOpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0) as client:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return await body(client)

    return asyncio.run(main())


def test_async_bad_reference_raises_before_any_request(server):
    async def body(client):
        with pytest.raises(PreflightError, match="SG101"):
            await sora_guard.guard(client).videos.create(
                model="sora-2", prompt="x", size="1280x720", input_reference=jpeg((1920, 1080))
            )

    run(server, body)
    assert server.requests == []


def test_async_compliant_reference_is_sent_typed(server):
    async def body(client):
        return await sora_guard.guard(client).videos.create(
            model="sora-2", prompt="x", size="1280x720", input_reference=jpeg()
        )

    assert run(server, body).status == "queued"
    (request,) = server.requests
    part = request.file("input_reference")
    assert (part.filename, part.content_type) == ("input_reference.jpg", "image/jpeg")


def test_async_create_and_poll_and_raw_response_are_guarded(server):
    async def body(client):
        guarded = sora_guard.guard(client)
        with pytest.raises(PreflightError):
            await guarded.videos.create_and_poll(
                model="sora-2", prompt="x", size="1280x720", input_reference=jpeg((720, 720))
            )
        with pytest.raises(PreflightError):
            await guarded.videos.with_raw_response.create(
                model="sora-2", prompt="x", size="1280x720", input_reference=jpeg((720, 720))
            )
        assert server.requests == []
        return await guarded.videos.create_and_poll(
            model="sora-2", prompt="x", size="1280x720", input_reference=jpeg(), poll_interval_ms=1
        )

    assert run(server, body).status == "completed"
    assert [r.method for r in server.requests] == ["POST", "GET", "GET"]


def test_async_fix_mode_sends_the_requested_size(server):
    async def body(client):
        return await sora_guard.guard(client, fix="cover").videos.create(
            model="sora-2", prompt="x", size="720x1280", input_reference=jpeg((1600, 1200))
        )

    assert run(server, body).size == "720x1280"
    part = server.requests[0].file("input_reference")
    assert Image.open(io.BytesIO(part.data)).size == (720, 1280) and part.content_type == "image/jpeg"


def test_async_unguarded_client_still_reaches_the_server(server):
    async def body(client):
        sora_guard.guard(client)
        with pytest.raises(openai.BadRequestError) as exc:
            await client.videos.create(
                model="sora-2", prompt="x", size="1280x720", input_reference=("wide.jpg", jpeg((1920, 1080)))
            )
        return exc.value

    error = run(server, body)
    assert error.body["message"] == SIZE_MISMATCH and len(server.requests) == 1


def test_async_image_work_runs_off_the_event_loop(server, caplog):
    """A transparent PNG logs SG406 from inside the check: the record names the thread that ran it."""
    data = encode(marker((1280, 720), "RGBA"), "PNG")
    loop_threads = []

    async def body(client):
        loop_threads.append(threading.get_ident())
        return await sora_guard.guard(client).videos.create(
            model="sora-2", prompt="x", size="1280x720", input_reference=data
        )

    with caplog.at_level(logging.WARNING, logger="sora_guard"):
        run(server, body)
    (record,) = [r for r in caplog.records if "SG406" in r.getMessage()]
    assert record.thread != loop_threads[0]
    assert len(server.requests) == 1


def test_async_images_edit_checks_the_mask(server):
    def png(im):
        return encode(im, "PNG")

    async def body(client):
        guarded = sora_guard.guard(client)
        with pytest.raises(PreflightError, match="SG407"):
            await guarded.images.edit(
                model="gpt-image-1",
                prompt="x",
                image=jpeg((512, 512)),
                mask=png(Image.new("RGB", (512, 512))),
            )
        assert server.requests == []
        return await guarded.images.edit(
            model="gpt-image-1", prompt="x", image=jpeg((512, 512)), mask=png(Image.new("RGBA", (512, 512)))
        )

    assert run(server, body).data[0].b64_json
    assert server.requests[0].file("mask").content_type == "image/png"


def test_async_unchecked_reference_warns_at_the_callers_line(server):
    async def body(client):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError):  # the SDK's own refusal of a reference dict
                await sora_guard.guard(client).videos.create(
                    model="sora-2", prompt="x", size="1280x720", input_reference={"file_id": "file_9"}
                )
        return [w for w in caught if w.category is sora_guard.PreflightWarning]

    closed, warning = run(server, body)  # sora-2's closed service, then the unchecked reference
    assert "target sora-2: closed on 2026-09-24" in str(closed.message) and closed.filename == __file__
    assert warning.filename == __file__ and "file_id" in str(warning.message)
    assert server.requests == []


def test_async_methods_behind_required_args_are_checked_off_the_event_loop(server, caplog):
    """openai's ``required_args`` turns ``AsyncImages.edit`` and ``AsyncCompletions.create`` into sync
    functions returning coroutines: guarded, they are coroutine functions whose checks run in a worker
    thread (an SG406 record names the thread that ran the check)."""
    import base64
    import inspect

    data = encode(marker((512, 512), "RGBA"), "PNG")
    loop_threads = []

    async def body(client):
        loop_threads.append(threading.get_ident())
        guarded = sora_guard.guard(client)
        assert inspect.iscoroutinefunction(guarded.images.edit)
        assert inspect.iscoroutinefunction(guarded.chat.completions.create)
        url = "data:image/png;base64," + base64.b64encode(data).decode()
        content = [{"type": "image_url", "image_url": {"url": url}}]
        await guarded.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": content}])

    with caplog.at_level(logging.WARNING, logger="sora_guard"):
        run(server, body)
    (record,) = [r for r in caplog.records if "SG406" in r.getMessage()]
    assert record.thread != loop_threads[0]
    assert len(server.requests) == 1
