"""The google-genai adapter: Veo's ``models.generate_videos`` images and image parts of ``interactions.create``."""

from __future__ import annotations

import base64
import binascii
import re

from sora_guard.builtin.guards._walk import parts
from sora_guard.vocabulary.guarding import Adapter, Call, Context, ImageInput, Outgoing, Plan, instance_of
from sora_guard.vocabulary.model import Size

__all__ = ["ADAPTER"]

VEO = "veo"
DEFAULT_ASPECT = "16:9"
EMPTY = (
    "google-genai sends this image as an empty {} (the picture is dropped): "
    "pass types.Image(image_bytes=..., mime_type=...) or types.Image.from_file(location=...)"
)
VEO2_ASSETS, VEO2_STYLES = 3, 1


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


def _image(label: str, where: tuple, value: object, profile: str | None, **kw) -> ImageInput | None:
    """One ``types.Image`` (or dict) as an input; None when absent."""
    if value is None:
        return None
    if _is_pil(value):
        return ImageInput(label, where, value, profile=profile, problem=EMPTY)
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
        kinds = []
        for i, ref in enumerate(references):
            kinds.append(str(_field(ref, "reference_type") or "").upper().rpartition(".")[2])
            where = ("config", "reference_images", i, "image")
            found.append(_image(f"config.reference_images[{i}]", where, _field(ref, "image"), profile))
        if references and any(f is not None for f in found[:3]):
            plan.problems.append(
                "config.reference_images cannot be combined with image, source.image or config.last_frame"
            )
        if isinstance(model, str) and model.startswith("veo-2"):
            assets, styles = kinds.count("ASSET"), kinds.count("STYLE")
            if (assets and styles) or assets > VEO2_ASSETS or styles > VEO2_STYLES:
                plan.problems.append(
                    f"{model} takes up to {VEO2_ASSETS} ASSET reference images or {VEO2_STYLES} STYLE image, not {assets} ASSET and {styles} STYLE"
                )
        mask = _field(config, "mask")
        if mask is not None:
            found.append(
                _image(
                    "config.mask", ("config", "mask", "image"), _field(mask, "image"), profile, fixable=False
                )
            )
    plan.images = [f for f in found if f is not None]
    return plan


def _decoded(label: str, where: tuple, part: object, profile: str | None) -> ImageInput | None:
    """An ``interactions`` image part: ``data`` as base64 text (the SDK's form), a path or a file object."""
    data, mime, uri = _field(part, "data"), _field(part, "mime_type"), _field(part, "uri")
    if data is None:
        return ImageInput(label, (*where, "uri"), uri, profile=profile) if isinstance(uri, str) else None
    if not isinstance(data, str):  # a path or a file object: the SDK base64-encodes it
        return ImageInput(
            label, (*where, "data"), data, profile=profile, declared_mime=mime, encode=_base64_text
        )
    try:
        raw = base64.b64decode(re.sub(r"\s+", "", data), validate=True)
    except (binascii.Error, ValueError):
        return ImageInput(label, where, data, profile=profile, problem="data is not valid base64")
    return ImageInput(label, (*where, "data"), raw, profile=profile, declared_mime=mime, encode=_base64_text)


def _base64_text(out: Outgoing) -> str:
    return base64.b64encode(out.data).decode("ascii")


def plan_interactions(arguments: dict, ctx: Context) -> Plan:
    """``interactions.create``: every ``{"type": "image", "data" | "uri", "mime_type"}`` part of ``input``."""
    profile = ctx.profile_for_model(arguments.get("model"), None)
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
    ),
    description="Google Gen AI (Veo through Vertex AI, interactions on the Developer API)",
)
