"""The runwayml adapter: image URIs in every call that takes them, per-model profiles (a data URI's image
held to ``max_data_uri``, an ephemeral upload to ``runway-upload``), and paths or files sent as data URIs."""

from __future__ import annotations

from sora_guard.builtin.guards._walk import data_urls, is_image
from sora_guard.vocabulary.guarding import Adapter, Call, Context, ImageInput, Outgoing, Plan, instance_of
from sora_guard.vocabulary.model import Size

__all__ = ["ADAPTER"]

DEFAULT = "runway"
UPLOAD = "runway-upload"
URI_FIELDS = ("prompt_image", "image_uri", "uri", "reference_image", "mask_uri")
"""Fields whose string is a URI: remote ones (``https://``, ``runway://``) pass with a warning."""
_SKIP = ("extra_headers", "extra_query", "timeout")


def _output(ratio: object) -> Size | None:
    try:
        return Size.parse(ratio) if isinstance(ratio, str) else None
    except ValueError:
        return None


def plan_images(arguments: dict, ctx: Context) -> Plan:
    """Every image data URI, path or file in the arguments, against the model's profile (a path or a
    file is checked under its own name and sent as a data URI); other URIs pass with a warning."""
    profile = ctx.profile_for_model(arguments.get("model"), DEFAULT)
    output = _output(arguments.get("ratio"))
    plan = Plan()
    for name, value in arguments.items():
        if name in _SKIP:
            continue
        for where, found in data_urls(value, (name,)):
            is_text = isinstance(
                found, str
            )  # data_urls yields only images: a video or audio file is not the guard's
            label = ".".join(map(str, where))
            first_frame = name == "prompt_image" and (len(where) == 1 or where[-1] == "uri")
            plan.images.append(
                ImageInput(label, where, found, profile=profile, output=output if first_frame else None,
                           encode=Outgoing.data_url, always_encode=not is_text, limit="max_data_uri")
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
    """``uploads.create_ephemeral``: an image (by name, declared type or nameless bytes) is checked and
    uploaded typed from its content; videos and audio are not images and pass unchecked."""
    value = arguments.get("file")
    plan = Plan()
    if is_image(value) or _nameless(value):
        profile = ctx.profile_for_model(None, UPLOAD)
        plan.images.append(
            ImageInput(
                "file", ("file",), value, profile=profile, encode=Outgoing.file_tuple, always_encode=True
            )
        )
    return plan


def _nameless(value: object) -> bool:
    """Bytes, or a tuple without a name: the SDK asks for a name, so the guard checks them as images."""
    return isinstance(value, (bytes, bytearray)) or (
        isinstance(value, tuple) and bool(value) and value[0] is None
    )


_CALLS = (
    "image_to_video.create",
    "text_to_video.create",
    "text_to_image.create",
    "video_to_video.create",
    "character_performance.create",
    "image_upscale.create",
    "generate.video.create",
    "generate.image.create",
    "avatars.create",
    "avatars.update",
    "workflows.run",
    *(
        f"recipes.{name}"
        for name in (
            "ad_localization",
            "marketing_stock_image",
            "multi_shot_video",
            "product_ad",
            "product_campaign_image",
            "product_swap",
            "product_ugc",
        )
    ),
)
"""runwayml 5.24.0's calls that take image URIs (``resources/*.py``: each documents its image fields as
"A HTTPS URL, Runway upload URI, or base64 data URI ... containing an encoded image")."""

ADAPTER = Adapter(
    name="runwayml",
    clients=("runwayml.RunwayML", "runwayml.AsyncRunwayML"),
    recognises=lambda client: instance_of(client, "runwayml", "RunwayML", "AsyncRunwayML"),
    calls=(*(Call(path, plan_images) for path in _CALLS), Call("uploads.create_ephemeral", plan_upload)),
    wrappers=("with_raw_response", "with_streaming_response"),
    copies=("with_options", "copy"),
    description="Runway (gen4.5, gen4_turbo and the other models its API serves)",
)
