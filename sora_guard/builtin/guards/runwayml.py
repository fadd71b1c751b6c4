"""The runwayml adapter: image data URIs in every endpoint that takes images, per-model profiles, and
ephemeral uploads; the SDK's 5 MB data URI limit counts the URI's text (:data:`DATA_URI_CHARS`)."""

from __future__ import annotations

import mimetypes
import os

from sora_guard.builtin.guards._walk import data_urls
from sora_guard.vocabulary.guarding import Adapter, Call, Context, ImageInput, Outgoing, Plan, instance_of
from sora_guard.vocabulary.model import Size

__all__ = ["ADAPTER", "DATA_URI_CHARS", "data_uri_bytes"]

DEFAULT = "runway"
DATA_URI_CHARS = 5_000_000
"""The SDK's "up to 5MB" for a data URI, read as characters of the URI (10^6 per MB, inclusive)."""
URI_FIELDS = ("prompt_image", "image_uri", "uri")


def data_uri_bytes(mime: str = "image/jpeg") -> int:
    """The largest decoded image whose data URI stays within :data:`DATA_URI_CHARS`."""
    return (DATA_URI_CHARS - len(f"data:{mime};base64,")) // 4 * 3


def _data_url(out: Outgoing) -> str:
    return out.data_url()


def _output(ratio: object) -> Size | None:
    try:
        return Size.parse(ratio) if isinstance(ratio, str) else None
    except ValueError:
        return None


def plan_images(arguments: dict, ctx: Context) -> Plan:
    """Every image data URI in the arguments, against the model's profile; other URIs pass with a warning."""
    profile = ctx.profile_for_model(arguments.get("model"), DEFAULT)
    output = _output(arguments.get("ratio"))
    plan = Plan()
    skip = {"extra_headers", "extra_query", "timeout"}
    for name, value in arguments.items():
        if name in skip:
            continue
        for where, found in data_urls(value, (name,)):
            if not isinstance(found, str):
                continue  # runwayml takes URIs here: a path or bytes is the SDK's own TypeError
            label = ".".join(map(str, where))
            first_frame = name == "prompt_image" and (len(where) == 1 or where[-1] == "uri")
            plan.images.append(
                ImageInput(label, where, found, profile=profile, output=output if first_frame else None,
                           encode=_data_url, max_bytes=data_uri_bytes())
            )  # fmt: skip
        plan.images.extend(_references(name, value, (name,), profile))
    return plan


def _references(name: str, value: object, where: tuple, profile: str | None) -> list[ImageInput]:
    """Remote (``https://``, ``runway://``) image URIs: reported as unchecked, never fetched unless asked."""
    if isinstance(value, str) and name in URI_FIELDS and not value[:5].lower() == "data:":
        return [ImageInput(".".join(map(str, where)), where, value, profile=profile)]
    if isinstance(value, dict) and value.get("type", "image") == "image":
        return [r for k, v in value.items() for r in _references(k, v, (*where, k), profile)]
    if isinstance(value, (list, tuple)):
        return [r for i, v in enumerate(value) for r in _references(name, v, (*where, i), profile)]
    return []


def plan_upload(arguments: dict, ctx: Context) -> Plan:
    """``uploads.create_ephemeral``: an image (by name or declared type) is checked and uploaded typed
    from its content; videos and audio are not images and pass unchecked."""
    value = arguments.get("file")
    plan = Plan()
    if _names_an_image(value):
        profile = ctx.profile_for_model(None, DEFAULT)
        plan.images.append(
            ImageInput(
                "file", ("file",), value, profile=profile, encode=lambda o: o.file_tuple(), always_encode=True
            )
        )
    return plan


def _names_an_image(value: object) -> bool:
    if isinstance(value, tuple) and value:
        declared = value[2] if len(value) > 2 and isinstance(value[2], str) else None
        name = value[0] if isinstance(value[0], str) else None
        return (
            (declared or "").startswith("image/")
            or (name is not None and _names_an_image(name))
            or name is None
        )
    name = os.fspath(value) if isinstance(value, (str, os.PathLike)) else getattr(value, "name", None)
    if not isinstance(name, str):
        return isinstance(value, (bytes, bytearray))  # nameless bytes: the SDK asks for a tuple; check them
    return (mimetypes.guess_type(name)[0] or "").startswith("image/")


_ENDPOINTS = ("image_to_video", "text_to_image", "video_to_video", "character_performance", "image_upscale")

ADAPTER = Adapter(
    name="runwayml",
    clients=("runwayml.RunwayML", "runwayml.AsyncRunwayML"),
    recognises=lambda client: instance_of(client, "runwayml", "RunwayML", "AsyncRunwayML"),
    calls=(
        *(Call(f"{e}.create", plan_images) for e in _ENDPOINTS),
        Call("uploads.create_ephemeral", plan_upload),
    ),
    wrappers=("with_raw_response", "with_streaming_response"),
    copies=("with_options", "copy"),
    description="Runway (gen4.5, gen4_turbo and the other models its API serves)",
)
