"""The luma-agents adapter: image references (``ImageRefParam``: inline base64 ``data`` with its
``media_type``, a ``url``, or a ``file_id``) wherever ``generations.create`` takes them."""

from __future__ import annotations

import io
import os

from sora_guard.vocabulary.guarding import (
    Adapter,
    Base64Text,
    Call,
    Context,
    Count,
    ImageInput,
    Outgoing,
    Plan,
    instance_of,
)

__all__ = ["ADAPTER"]

SDK = "luma-agents 0.5.0"
DEFAULT = "luma"
EDIT = "luma-image-edit"
"""The profile of ``image_ref`` for type ``image_edit`` (its own reference count)."""
COUNTED = ("image", "image_edit")
"""The types whose ``image_ref`` count the SDK states ('Up to 9 for type 'image', up to 8 for type
'image_edit'': luma-agents 0.5.0 ``types/generation_create_params.py``, read 2026-12-07)."""
MAX_KEYFRAMES = 64
"""``video.keyframes``: '1-64 anchors' (luma-agents 0.5.0 ``types/video_options_param.py``, read 2026-12-07)."""
_REFERENCES = ("file_id", "generation_id")


def _is_ref(value: object) -> bool:
    return isinstance(value, dict) and any(k in value for k in ("data", "url", *_REFERENCES))


def _refs(value: object, where: tuple, depth: int = 0):
    """Every image reference dict under ``value``, with its address."""
    if _is_ref(value):
        yield where, value
    elif depth < 8 and isinstance(value, dict):
        for key, item in value.items():
            yield from _refs(item, (*where, key), depth + 1)
    elif depth < 8 and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _refs(item, (*where, i), depth + 1)


def _encoder(ref: dict):
    """The reference with its data and media type both from the outgoing image."""
    return lambda out: {**ref, "data": out.base64(), "media_type": out.mime}


def _reference(label: str, where: tuple, ref: dict, profile: str | None, plan: Plan) -> ImageInput | None:
    """One reference as an input (None: nothing the guard can or needs to read)."""
    data, media, url = ref.get("data"), ref.get("media_type"), ref.get("url")
    if isinstance(media, str) and not media.lower().startswith("image/"):
        return None  # a video source (video_edit, video_reframe): not an image
    if data is not None:
        if isinstance(data, str):
            if media is None:
                plan.problems.append(
                    f"{label}: media_type is required with data ({SDK} types/image_ref_param.py)"
                )
                return None
            value = Base64Text("".join(data.split()))
        elif isinstance(data, (os.PathLike, io.IOBase, bytes, bytearray)):
            value = data  # read, checked and sent as base64 with its real type
        else:
            return None
        return ImageInput(label, where, value, profile=profile, declared_mime=media, encode=_encoder(ref),
                          always_encode=not isinstance(data, str))  # fmt: skip
    if isinstance(url, str):
        return ImageInput(label, (*where, "url"), url, profile=profile, encode=Outgoing.data_url)
    for key in _REFERENCES:
        if ref.get(key) is not None:
            plan.notes.append(
                f"{label} {key} {ref[key]} cannot be checked locally and is passed through unchecked"
            )
    return None


def plan_generation(arguments: dict, ctx: Context) -> Plan:
    """``generations.create``: ``image_ref[]``, ``source``, ``video.start_frame``, ``end_frame``,
    ``keyframes`` and the edit's keyframes, against the profile of ``model`` (``luma`` when none is
    given; ``image_ref`` of an ``image_edit`` against ``luma-image-edit``), and how many references."""
    profile = ctx.profile_for_model(arguments.get("model"), DEFAULT)
    refs_profile = ctx.profile_for_model(None, EDIT) if arguments.get("type") == "image_edit" else profile
    plan = Plan()
    for name in ("image_ref", "source", "video", "extra_body"):
        for where, ref in _refs(arguments.get(name), (name,)):
            image = _reference(
                ".".join(map(str, where)), where, ref, refs_profile if name == "image_ref" else profile, plan
            )
            if image is not None:
                plan.images.append(image)
    refs = arguments.get("image_ref")
    if arguments.get("type") in COUNTED and isinstance(refs, (list, tuple)):
        plan.counts.append(Count("image_ref", len(refs), refs_profile))
    video = arguments.get("video")
    keyframes = video.get("keyframes") if isinstance(video, dict) else None
    if isinstance(keyframes, (list, tuple)) and len(keyframes) > MAX_KEYFRAMES:
        plan.problems.append(f"{len(keyframes)} video.keyframes: 1 to {MAX_KEYFRAMES} ({SDK})")
    return plan


ADAPTER = Adapter(
    name="luma-agents",
    clients=("luma_agents.Luma", "luma_agents.AsyncLuma"),
    recognises=lambda client: instance_of(client, "luma_agents", "Luma", "AsyncLuma"),
    calls=(Call("generations.create", plan_generation),),
    wrappers=("with_raw_response", "with_streaming_response"),
    copies=("with_options", "copy"),
    description="Luma (ray-3.2 video, uni-1 images) through luma-agents",
)
