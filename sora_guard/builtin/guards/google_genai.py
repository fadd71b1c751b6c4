"""The google-genai adapter: Veo's ``models.generate_videos`` images, the image models' ``edit_image``,
``upscale_image``, ``recontext_image``, ``segment_image``, and image parts of ``interactions.create``."""

from __future__ import annotations

import io
import os

from sora_guard.builtin.guards._walk import parts
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
from sora_guard.vocabulary.model import Size

__all__ = ["ADAPTER"]

VEO = "veo"
REFERENCE = "veo-reference"
DEFAULT_ASPECT = "16:9"
"""The video's shape when ``config.aspect_ratio`` is omitted (only the shape an image is warned against,
SG107). Not in the SDK: google-genai 3.6.1 ``types.py``, ``GenerateVideosConfig.aspect_ratio``, has
``default=None`` (nothing is sent) and says '16:9 (landscape) and 9:16 (portrait) are supported'; 16:9
when omitted is what secondary sources state (Replicate's ``google/veo-3`` input schema:
``aspect_ratio`` default 16:9), not a Google page (read 2026-12-07)."""
EMPTY = (
    "google-genai sends this image as an empty {} (the picture is dropped): "
    "pass types.Image(image_bytes=..., mime_type=...) or types.Image.from_file(location=...)"
)
REFERENCE_IMAGES = (
    "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/video/use-reference-images-to-guide-video-generation"
    " (read 2026-12-07)"
)
MAX_STYLES, STYLE_MODELS = 1, ("veo-2.0-generate-exp",)
"""Veo STYLE reference images: 'a single style image ... only supported by veo-2.0-generate-exp', from
:data:`REFERENCE_IMAGES` (how many ASSET images: ``max_images`` of the ``veo-reference`` profile)."""
IMAGE_FIELDS = ("image", "frame")
"""How the names of the fields that hold a ``types.Image`` end (``reference_image``, ``person_image``, ``last_frame``)."""


def _field(obj: object, name: str) -> object:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _is_pil(value: object) -> bool:
    return type(value).__module__.split(".")[0] == "PIL"


def _encoder(original: object):
    """Fixed bytes back in the caller's form: a ``types.Image``, or a dict of the same keys."""

    def encode(out: Outgoing) -> object:
        if isinstance(original, dict):
            return {**original, "image_bytes": out.data, "mime_type": out.mime}
        return original.model_copy(update={"image_bytes": out.data, "mime_type": out.mime})

    return encode


def _from_file(out: Outgoing) -> dict:
    return {"image_bytes": out.data, "mime_type": out.mime}


def _image(label: str, where: tuple, value: object, profile: str | None, **kw) -> ImageInput | None:
    """One ``types.Image`` (or dict) as an input; None when absent. A path or a binary file in its
    place is read, checked under its own name and sent as an ``Image`` of its bytes."""
    if value is None:
        return None
    if _is_pil(value):
        return ImageInput(label, where, value, profile=profile, problem=EMPTY)
    if isinstance(value, os.PathLike) or (
        isinstance(value, io.IOBase) and not isinstance(value, io.TextIOBase)
    ):
        return ImageInput(label, where, value, profile=profile, encode=_from_file, always_encode=True, **kw)
    data, gcs_uri, mime = _field(value, "image_bytes"), _field(value, "gcs_uri"), _field(value, "mime_type")
    if isinstance(gcs_uri, str) and data is None:
        return ImageInput(
            label, where, gcs_uri, profile=profile
        )  # a reference: passed through with a warning
    if not isinstance(data, (bytes, bytearray)):
        return ImageInput(label, where, value, profile=profile, problem=EMPTY)
    return ImageInput(
        label, where, bytes(data), profile=profile, declared_mime=mime, encode=_encoder(value), **kw
    )


def _aspect(config: object) -> Size:
    text = _field(config, "aspect_ratio") if config is not None else None
    try:
        return Size.parse(text if isinstance(text, str) else DEFAULT_ASPECT)
    except ValueError:
        return Size(16, 9)


def plan_videos(arguments: dict, ctx: Context) -> Plan:
    """``generate_videos``: ``image`` / ``source.image``, ``config.last_frame``, ``config.reference_images``, ``config.mask``."""
    model = arguments.get("model")
    profile = ctx.profile_for_model(model, VEO)
    config, source = arguments.get("config"), arguments.get("source")
    output = _aspect(config)
    plan = Plan()
    found = [
        _image("image", ("image",), arguments.get("image"), profile, output=output),
        _image(
            "source.image",
            ("source", "image"),
            _field(source, "image") if source is not None else None,
            profile,
            output=output,
        ),
    ]
    if config is not None:
        found.append(
            _image(
                "config.last_frame",
                ("config", "last_frame"),
                _field(config, "last_frame"),
                profile,
                output=output,
            )
        )
        references = _field(config, "reference_images") or []
        reference = ctx.profile_for_model(None, REFERENCE)
        kinds = []
        for i, ref in enumerate(references):
            kinds.append(str(_field(ref, "reference_type") or "").upper().rpartition(".")[2])
            where = ("config", "reference_images", i, "image")
            found.append(_image(f"config.reference_images[{i}]", where, _field(ref, "image"), reference))
        if references and any(f is not None for f in found[:3]):
            plan.problems.append(
                "config.reference_images cannot be combined with image, source.image or config.last_frame"
            )
        plan.problems.extend(_style_problems(model, kinds))
        plan.counts.append(Count("config.reference_images", kinds.count("ASSET"), reference))
        mask = _field(config, "mask")
        if mask is not None:
            found.append(
                _image(
                    "config.mask", ("config", "mask", "image"), _field(mask, "image"), profile, fixable=False
                )
            )
    plan.images = [f for f in found if f is not None]
    return plan


def _style_problems(model: object, kinds: list[str]) -> list[str]:
    """What :data:`REFERENCE_IMAGES` says Veo refuses of STYLE images: one but with veo-2.0-generate-exp,
    and there only one and without ASSET images."""
    assets, styles = kinds.count("ASSET"), kinds.count("STYLE")
    if styles and model not in STYLE_MODELS:
        return [
            f"a STYLE reference image with {model}: only {', '.join(STYLE_MODELS)} takes one ({REFERENCE_IMAGES})"
        ]
    if styles > MAX_STYLES or (styles and assets):
        return [
            f"{styles} STYLE and {assets} ASSET reference images: a single STYLE image, alone ({REFERENCE_IMAGES})"
        ]
    return []


def plan_images(arguments: dict, ctx: Context) -> Plan:
    """``edit_image``, ``upscale_image``, ``recontext_image``, ``segment_image``: every ``types.Image``
    (or dict of one) in the arguments, against the profile of ``model`` (the service-independent
    checks when none claims it); a PIL image there is sent as ``{}``, an error."""
    profile = ctx.profile_for_model(arguments.get("model"), None)
    plan = Plan()
    for name, value in arguments.items():
        plan.images.extend(_images_in(value, (name,), profile, 0))
    return plan


def _is_image(value: object) -> bool:
    if isinstance(value, dict):
        return "image_bytes" in value or "gcs_uri" in value
    return type(value).__name__ == "Image" and type(value).__module__.startswith("google.genai")


def _images_in(value: object, where: tuple, profile: str | None, depth: int) -> list[ImageInput]:
    """``types.Image`` values under ``value``, and paths, files or PIL images in fields named for an image."""
    label = ".".join(map(str, where))
    named = isinstance(where[-1], str) and where[-1].endswith(IMAGE_FIELDS)
    if _is_image(value) or (
        named and not isinstance(value, (dict, list, tuple)) and _field(value, "image") is None
    ):
        found = _image(label, where, value, profile)
        return [found] if found is not None else []
    if depth > 8:
        return []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    elif hasattr(type(value), "model_fields"):
        items = ((k, getattr(value, k, None)) for k in type(value).model_fields)
    else:
        return []
    return [i for k, v in items if v is not None for i in _images_in(v, (*where, k), profile, depth + 1)]


def _decoded(label: str, where: tuple, part: object, profile: str | None) -> ImageInput | None:
    """An ``interactions`` image part: ``data`` as base64 text (the SDK's form), a path or a file object."""
    data, mime, uri = _field(part, "data"), _field(part, "mime_type"), _field(part, "uri")
    if data is None:
        return ImageInput(label, (*where, "uri"), uri, profile=profile) if isinstance(uri, str) else None
    value = Base64Text("".join(data.split())) if isinstance(data, str) else data  # else a path or file object
    return ImageInput(
        label, (*where, "data"), value, profile=profile, declared_mime=mime, encode=Outgoing.base64
    )


def plan_interactions(arguments: dict, ctx: Context) -> Plan:
    """``interactions.create``: every ``{"type": "image", "data" | "uri", "mime_type"}`` part of ``input``,
    and how many there are (Gemini Omni's ``max_images`` a prompt)."""
    model = arguments.get("model")
    profile = ctx.profile_for_model(model, None)
    plan = Plan()
    for field in ("input", "request"):
        root = arguments.get(field)
        if hasattr(root, "model_dump"):
            root = root.model_dump(exclude_none=True)
            arguments[field] = root  # the SDK takes the dict form as well
        for where, part in parts(root, (field,), lambda p: p.get("type") == "image"):
            label = ".".join(map(str, where))
            image = _decoded(label, where, part, profile)
            if image is not None:
                if image.encode is not None:
                    image.encode = _with_mime(image.encode, part)
                    image.where = where
                plan.images.append(image)
    plan.counts.append(Count("input", len(plan.images), profile))
    return plan


def _with_mime(encode, part: dict):
    """The part with its data and its MIME type both set from the outgoing image."""
    return lambda out: {**part, "data": encode(out), "mime_type": out.mime}


ADAPTER = Adapter(
    name="google-genai",
    clients=("google.genai.Client",),
    recognises=lambda client: (
        instance_of(client, "google.genai", "Client")
        or instance_of(client, "google.genai.client", "AsyncClient")
    ),
    calls=(
        Call("models.generate_videos", plan_videos),
        Call("aio.models.generate_videos", plan_videos),
        Call("interactions.create", plan_interactions),
        Call("aio.interactions.create", plan_interactions),
        *(
            Call(f"{prefix}models.{name}", plan_images)
            for prefix in ("", "aio.")
            for name in ("edit_image", "upscale_image", "recontext_image", "segment_image")
        ),
    ),
    description="Google Gen AI (Veo through Vertex AI, interactions on the Developer API)",
)
