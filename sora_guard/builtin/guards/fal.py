"""The fal-client adapter: images in run/submit/subscribe/stream arguments and in uploads, with the
profile picked by endpoint id (``[tool.sora-guard.endpoints]``, then the profiles' ``models`` patterns,
such as ``fal-ai/kling-video/*``); a client or the module-level API (``fal_client.run``)."""

from __future__ import annotations

import io
import os
import sys

from sora_guard.builtin.guards._walk import data_urls
from sora_guard.vocabulary.guarding import (
    Adapter,
    Call,
    Context,
    Count,
    ImageInput,
    Outgoing,
    Plan,
    instance_of,
)

__all__ = ["ADAPTER"]


def _image_key(where: tuple) -> bool:
    return any(isinstance(k, str) and ("image" in k.lower() or "frame" in k.lower()) for k in where)


def _local_paths(value: object, where: tuple, depth: int = 0):
    """Strings naming an existing local file under an image key (not URLs, not data URIs)."""
    if depth > 12:
        return
    if isinstance(value, str):
        if (
            _image_key(where)
            and "://" not in value
            and not value.startswith("data:")
            and os.path.isfile(value)
        ):
            yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _local_paths(v, (*where, k), depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _local_paths(v, (*where, i), depth + 1)


def _remote(value: object, where: tuple, depth: int = 0):
    """``http(s)`` URLs under image keys: unchecked unless ``fetch_urls``."""
    if depth > 12:
        return
    if isinstance(value, str) and value[:4] == "http" and _image_key(where):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _remote(v, (*where, k), depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _remote(v, (*where, i), depth + 1)


def plan_run(arguments: dict, ctx: Context) -> Plan:
    """``run`` / ``submit`` / ``subscribe`` / ``stream``: the endpoint's profile for every image in
    ``arguments``, and how many there are (the profile's ``max_images``)."""
    profile = ctx.profile_for_endpoint(arguments.get("application"))
    body = arguments.get("arguments")
    plan = Plan()
    for where, value in data_urls(body, ("arguments",)):
        label = ".".join(map(str, where[1:]))
        if isinstance(value, str):
            plan.images.append(ImageInput(label, where, value, profile=profile, encode=Outgoing.data_url))
        elif isinstance(value, os.PathLike) or isinstance(value, io.IOBase):
            plan.images.append(
                ImageInput(label, where, value, profile=profile, encode=Outgoing.data_url, always_encode=True)
            )
    for where, value in _local_paths(body, ("arguments",)):
        label = ".".join(map(str, where[1:]))
        path = os.fspath(value)
        plan.images.append(
            ImageInput(
                label, where, _Path(path), profile=profile, encode=Outgoing.data_url, always_encode=True
            )
        )
    for where, value in _remote(body, ("arguments",)):
        plan.images.append(ImageInput(".".join(map(str, where[1:])), where, value, profile=profile))
    plan.counts.append(Count("arguments", len(plan.images), profile))
    return plan


class _Path(os.PathLike):
    """A path given as a string: read like any path."""

    def __init__(self, path: str):
        self.path = path

    def __fspath__(self) -> str:
        return self.path


def _upload_arguments(prepared: dict) -> dict:
    """``upload(data, content_type, file_name, ...)`` arguments from a prepared upload."""
    out: Outgoing = prepared.pop("_image")
    for name in ("path", "image", "format", "data", "content_type", "file_name"):
        prepared.pop(name, None)
    return {"data": out.data, "content_type": out.mime, "file_name": out.filename, **prepared}


def _keep(out: Outgoing) -> Outgoing:
    return out


def plan_upload(arguments: dict, ctx: Context) -> Plan:
    """``upload(data, content_type, file_name)``: checked, then uploaded typed from its content."""
    value = (arguments.get("file_name"), arguments.get("data"), arguments.get("content_type"))
    if isinstance(value[1], str):
        value = (value[0], value[1].encode("utf-8"), value[2])  # the SDK uploads text as UTF-8
    arguments["_image"] = value
    image = ImageInput(
        "data",
        ("_image",),
        value,
        profile=ctx.profile_for_endpoint(None),
        encode=_keep,
        always_encode=True,
    )
    return Plan(images=[image], method="upload", arguments=_upload_arguments, claimed=[("data",)])


def plan_upload_file(arguments: dict, ctx: Context) -> Plan:
    """``upload_file(path)``: the file is read once, checked, and its bytes uploaded with ``upload``."""
    arguments["_image"] = arguments.get("path")
    image = ImageInput(
        "path",
        ("_image",),
        arguments["_image"],
        profile=ctx.profile_for_endpoint(None),
        encode=_keep,
        always_encode=True,
    )
    if isinstance(image.value, str):
        image.value = _Path(image.value)
    return Plan(images=[image], method="upload", arguments=_upload_arguments, claimed=[("path",)])


def plan_upload_image(arguments: dict, ctx: Context) -> Plan:
    """``upload_image(image, format)``: encoded as the SDK encodes it, then checked and uploaded."""
    fmt = arguments.get("format") or "jpeg"
    image = ImageInput(
        "image",
        ("_image",),
        None,
        profile=ctx.profile_for_endpoint(None),
        encode=_keep,
        always_encode=True,
    )
    try:
        buffer = io.BytesIO()
        arguments["image"].save(buffer, format=fmt)
        image.value, image.declared_mime = buffer.getvalue(), f"image/{fmt}"
        image.source = getattr(arguments["image"], "filename", None) or None  # a PIL image opened from a file
    except Exception as exc:  # what image.save raises inside the SDK (RGBA as JPEG, unknown format...)
        image.problem = f"cannot be saved as {fmt}: {exc}"
    arguments["_image"] = image.value
    return Plan(images=[image], method="upload", arguments=_upload_arguments, claimed=[("image",)])


_RUN = ("run", "submit", "subscribe", "stream")

ADAPTER = Adapter(
    name="fal-client",
    clients=("fal_client.SyncClient", "fal_client.AsyncClient", "fal_client (the module-level API)"),
    recognises=lambda client: (
        instance_of(client, "fal_client", "SyncClient", "AsyncClient")
        or client is sys.modules.get("fal_client")
    ),
    calls=(
        *(Call(name, plan_run) for name in _RUN),
        Call("upload", plan_upload),
        Call("upload_file", plan_upload_file),
        Call("upload_image", plan_upload_image),
    ),
    description="fal (Kling, MiniMax and the other models hosted there)",
)
