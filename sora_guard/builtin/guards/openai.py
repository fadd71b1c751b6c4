"""The openai adapter: ``videos.*`` (gateways that mirror the Sora API), ``images.edit``, image inputs of
responses, conversations, chat, moderations and decisions, files for vision and provenance checks,
and images hidden in ``extra_body``."""

from __future__ import annotations

import functools
import re

from sora_guard.builtin.guards._walk import data_urls, is_data_url, is_image, parts
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
from sora_guard.vocabulary.model import Size

__all__ = ["ADAPTER"]

VIDEO_DEFAULTS = {"model": "sora-2", "size": "720x1280"}
"""What the service uses when ``videos.create`` omits a parameter: openai 3.63.0
``types/video_create_params.py``, ``model``: 'Defaults to `sora-2`', ``size``: 'Defaults to 720x1280'
(read 2026-12-07)."""
IMAGE_EDIT = "openai-image-edit"
MASK = "openai-image-mask"
MARKUP = "openai-image-markup"
VISION = "openai-vision"
STANDARD_EDIT_SIZES = {"auto", "1024x1024", "1536x1024", "1024x1536"}
"""openai 3.63.0 ``types/image_edit_params.py``: 'The standard sizes `1024x1024`, `1536x1024`, and
`1024x1536` are supported by the GPT image models; `auto` is supported for models that allow automatic
sizing' (read 2026-12-07)."""
LEGACY_EDIT_SIZES = {"256x256", "512x512"}
"""openai 3.63.0 ``types/image_edit_params.py``: 'This legacy size suggestion is retained for SDK
compatibility. Check the selected GPT image model's supported sizes.' (read 2026-12-07)"""
MAX_EDIT_OUTPUT = Size(3840, 2160)
"""openai 3.63.0 ``types/image_edit_params.py``, ``size``: 'the maximum supported resolution is
`3840x2160`' (read 2026-12-07)."""
EDIT_PARAMS = "openai 3.63.0 types/image_edit_params.py"
"""Where the edit facts here are stated, as messages name it (read 2026-12-07)."""
MARKUP_MODELS = ("gpt-image-2.5-",)
"""``markup``: 'Supports GPT Image 2.5' (openai 3.63.0 ``types/image_edit_params.py``, read 2026-12-07)."""
NO_MARKUP_MODELS = r"(gpt-image-(1|1-mini|1\.5|2)|chatgpt-image-latest|dall-e-[23])(-\d{4}-\d{2}-\d{2})?"
"""Models before GPT Image 2.5, which that sentence leaves out (later ones, such as 2.6, get a warning)."""
GIF_REFUSES = ("mask", "stream", "partial_images", "output_compression")
"""'GIF output does not support streaming, partial images, masks, or custom output compression.'
(openai 3.63.0 ``types/image_edit_params.py``, ``frame_count``; read 2026-12-07)."""
PROVENANCE_IGNORES = ("SG404",)
"""``content_provenance_checks.create`` takes animated GIFs (openai 3.63.0
``types/content_provenance_check_create_params.py``: 'GIF (including animated GIFs)'; read 2026-12-07)."""


@functools.cache
def _sdk_sends_references() -> bool | None:
    """Whether the installed SDK's multipart calls accept a reference dict (openai 3.54+: no, RuntimeError).

    Asks the SDK's own file extraction, the step ``videos.create`` runs on ``input_reference``.
    """
    try:
        from openai._utils import extract_files
    except ImportError:
        return None
    try:
        extract_files({"input_reference": {"file_id": "probe"}}, paths=[["input_reference"]])
    except RuntimeError:
        return False
    except Exception:
        return None
    return True


def _extra_body(arguments: dict, profile: str | None) -> list[ImageInput]:
    """Images hidden in ``extra_body``: checked like named ones, so it is not a way around the guard."""
    found = []
    for where, value in data_urls(arguments.get("extra_body"), ("extra_body",)):
        label = ".".join(map(str, where))
        encode = Outgoing.data_url if isinstance(value, str) else None
        found.append(
            ImageInput(label, where, value, profile=profile, encode=encode, fixable=encode is not None)
        )
    return found


# -- videos ------------------------------------------------------------------------------------


def plan_video(arguments: dict, ctx: Context) -> Plan:
    """``videos.create`` / ``create_and_poll``: the model/size/seconds request and ``input_reference``.

    The reference must be exactly ``size`` where the model's profile lists exact sizes (Sora); for an
    aspect-tolerant one (a gateway's ``minimax/h3``) ``size`` is the video's shape, and another aspect
    is a crop/pad warning. A model no profile claims gets the service-independent checks and a
    warning, never another model's sizes.
    """
    model = arguments.get("model")
    model = model if isinstance(model, str) else VIDEO_DEFAULTS["model"]
    size_text = arguments.get("size")
    size_text = size_text if isinstance(size_text, str) else VIDEO_DEFAULTS["size"]
    seconds = arguments.get("seconds")
    plan = Plan(
        request_profile=ctx.profile_for_model(model, None),
        request_seconds=str(seconds) if isinstance(seconds, (str, int)) else None,
    )
    if plan.request_profile is None:
        plan.notes.append(
            f"model {model}: no profile claims it, so only the service-independent checks apply (not its sizes or "
            "seconds); name it in a profile's models ([tool.sora-guard.profiles.NAME] models = [...]) or guard(client, profile=...)"
        )
    try:
        plan.request_size = Size.parse(size_text)
    except ValueError as exc:
        plan.problems.append(f"size {exc}")
        return plan
    value = arguments.get("input_reference")
    sends_references = _sdk_sends_references()
    exact = plan.request_profile is not None and bool(ctx.profile(plan.request_profile).sizes)
    shape = plan.request_size if plan.request_profile is not None and not exact else None
    image = ImageInput(
        "input_reference", ("input_reference",), value, profile=plan.request_profile,
        size=plan.request_size if exact else None, output=shape, encode=Outgoing.file_tuple, always_encode=True,
    )  # fmt: skip
    if isinstance(value, dict):
        url, file_id = value.get("image_url"), value.get("file_id")
        cannot = "; note: this openai version cannot send a reference dict from this call (it raises RuntimeError): upload a file"
        hint = cannot if sends_references is False else ""
        if isinstance(url, str):
            image.where, image.value, image.hint = ("input_reference", "image_url"), url, hint
            image.always_encode = sends_references is False
            if image.always_encode:  # the checked image goes out as a file upload instead
                image.where = ("input_reference",)
            else:
                image.encode = Outgoing.data_url
        else:
            what = f"file_id {file_id}" if file_id is not None else "reference"
            plan.notes.append(
                f"input_reference {what} cannot be checked locally and is passed through unchecked{hint}"
            )
            return plan
    if value is not None or "input_reference" in arguments:
        plan.images.append(image)
    plan.images.extend(_extra_body(arguments, plan.request_profile))
    return plan


# -- images.edit -------------------------------------------------------------------------------


def _edit_size_problems(size: object) -> list[str]:
    """Why the service refuses an output ``size`` (GPT image models: sides divisible by 16, 1:3 to 3:1,
    at most 3840x2160); standard sizes and ``auto`` always pass, legacy ones are checked like any."""
    if not isinstance(size, str) or size in STANDARD_EDIT_SIZES:
        return []
    try:
        s = Size.parse(size)
    except ValueError as exc:
        return [f"size {exc}"]
    problems = []
    if s.width % 16 or s.height % 16:
        problems.append(f"size {s}: width and height must both be divisible by 16")
    if not 1 / 3 <= s.aspect <= 3:
        problems.append(f"size {s}: aspect {s.aspect:.3f} is outside 1:3 to 3:1")
    if max(s.width, s.height) > MAX_EDIT_OUTPUT.width or min(s.width, s.height) > MAX_EDIT_OUTPUT.height:
        problems.append(
            f"size {s}: above the maximum of {MAX_EDIT_OUTPUT} (or its portrait {MAX_EDIT_OUTPUT.transposed()})"
        )
    return problems


def _edit_request(arguments: dict, plan: Plan) -> None:
    """What openai 3.63 says of ``size``, ``markup`` and GIF output (:data:`EDIT_PARAMS`)."""
    size, model = arguments.get("size"), arguments.get("model")
    if size in LEGACY_EDIT_SIZES:
        plan.notes.append(
            f"size {size} is a legacy size suggestion ({EDIT_PARAMS}): the GPT image models may not render it; "
            "use 1024x1024, 1536x1024, 1024x1536 or auto"
        )
    if _given(arguments.get("markup")):
        if isinstance(model, str) and re.fullmatch(NO_MARKUP_MODELS, model):
            plan.problems.append(
                f"markup with model {model}: markup 'Supports GPT Image 2.5' ({EDIT_PARAMS})"
            )
        elif not (isinstance(model, str) and model.startswith(MARKUP_MODELS)):
            plan.notes.append(
                f"markup with model {model or '(the default)'}: {EDIT_PARAMS} says markup 'Supports GPT Image 2.5'"
            )
    if arguments.get("output_format") == "gif":
        refused = [name for name in GIF_REFUSES if _given(arguments.get(name))]
        if refused:
            plan.problems.append(
                f"output_format gif with {', '.join(refused)}: 'GIF output does not support streaming, partial "
                f"images, masks, or custom output compression' ({EDIT_PARAMS})"
            )


def _given(value: object) -> bool:
    return value is not None and value is not False and not _omitted(value)


def plan_edit(arguments: dict, ctx: Context) -> Plan:
    """``images.edit``: the images (as many as the profile's ``max_images``), then the mask or the markup
    at the first image's size."""
    profile = IMAGE_EDIT
    plan = Plan(problems=_edit_size_problems(arguments.get("size")))
    _edit_request(arguments, plan)
    images = arguments.get("image")
    many = isinstance(images, list)
    items = list(images) if many else [images] if "image" in arguments and images is not None else []
    plan.counts.append(Count("image", len(items), profile))
    for i, item in enumerate(items):
        label = f"image[{i}]" if many else "image"
        plan.images.append(
            ImageInput(
                label,
                ("image", i) if many else ("image",),
                item,
                profile=profile,
                encode=Outgoing.file_tuple,
                always_encode=True,
            )
        )
    has = {f: _given(arguments.get(f)) for f in ("mask", "markup")}
    if has["mask"] and has["markup"]:
        plan.problems.append(
            "mask and markup cannot be combined (the SDK: markup 'cannot be combined with mask')"
        )
    first = plan.images[0].label if plan.images else None
    for field, field_profile in (("mask", MASK), ("markup", MARKUP)):
        if has[field]:
            plan.images.append(
                ImageInput(field, (field,), arguments[field], profile=field_profile, encode=Outgoing.file_tuple,
                           always_encode=True, fixable=False, same_size_as=first)
            )  # fmt: skip
    plan.images.extend(_extra_body(arguments, profile))
    return plan


def _omitted(value: object) -> bool:
    """The SDK's ``omit`` / ``NOT_GIVEN`` sentinels (falsy, not None)."""
    return type(value).__name__ in ("Omit", "NotGiven")


# -- image inputs of responses, conversations, chat, moderations and decisions -------------------


def _input_images(root: object, where: tuple, notes: list[str]) -> list[ImageInput]:
    """``{"type": "input_image", "image_url" | "file_id"}`` and chat's and moderations'
    ``{"type": "image_url", "image_url": {"url"}}`` parts."""
    found = []
    wanted = lambda part: part.get("type") in ("input_image", "image_url")  # noqa: E731
    for address, part in parts(root, where, wanted):
        label = ".".join(map(str, address[1:])) or address[0]
        if part.get("type") == "image_url":
            inner = part.get("image_url")
            url, address = (
                (inner.get("url"), (*address, "image_url", "url"))
                if isinstance(inner, dict)
                else (inner, (*address, "image_url"))
            )
        else:
            url, address = part.get("image_url"), (*address, "image_url")
        if isinstance(url, str):
            found.append(ImageInput(label, address, url, profile=VISION, encode=Outgoing.data_url))
        elif part.get("file_id") is not None:
            notes.append(
                f"{label} file_id {part['file_id']} cannot be checked locally and is passed through unchecked"
            )
    return found


def _planner(*fields: str):
    def plan(arguments: dict, ctx: Context) -> Plan:
        plan = Plan()
        for field in fields:
            plan.images.extend(_input_images(arguments.get(field), (field,), plan.notes))
        for where, value in data_urls(arguments.get("extra_body"), ("extra_body",)):
            if not any(image.where == where for image in plan.images):
                label = ".".join(map(str, where))
                plan.images.append(
                    ImageInput(
                        label,
                        where,
                        value,
                        profile=VISION,
                        encode=Outgoing.data_url if is_data_url(value) else None,
                    )
                )
        return plan

    return plan


# -- files.create --------------------------------------------------------------------------------


def plan_file(arguments: dict, ctx: Context) -> Plan:
    """``files.create``: ``purpose="vision"`` against the vision profile; other purposes' images (by
    name or declared type) get the service-independent checks; both are uploaded typed from their content."""
    purpose, value = arguments.get("purpose"), arguments.get("file")
    plan = Plan()
    if purpose == "vision" or is_image(value):
        profile = VISION if purpose == "vision" else None
        plan.images.append(
            ImageInput(
                "file", ("file",), value, profile=profile, encode=Outgoing.file_tuple, always_encode=True
            )
        )
    return plan


def plan_provenance(arguments: dict, ctx: Context) -> Plan:
    """``content_provenance_checks.create``: an image (PNG, JPEG, WebP, GIF, animated too) or audio;
    an image is checked against the vision formats and uploaded typed from its content."""
    value = arguments.get("file")
    plan = Plan()
    if is_image(value):
        plan.images.append(
            ImageInput("file", ("file",), value, profile=VISION, encode=Outgoing.file_tuple, always_encode=True,
                       ignore=PROVENANCE_IGNORES)
        )  # fmt: skip
    return plan


_RESPONSES = _planner("input", "extra_body")
_CHAT = _planner("messages", "extra_body")
_ITEMS = _planner("items", "extra_body")
_MODERATIONS = _planner("input", "extra_body")
_DECISIONS = _planner("input", "questions", "extra_body")

ADAPTER = Adapter(
    name="openai",
    clients=("openai.OpenAI", "openai.AsyncOpenAI", "openai.AzureOpenAI", "openai.AsyncAzureOpenAI"),
    recognises=lambda client: instance_of(client, "openai", "OpenAI", "AsyncOpenAI"),
    calls=(
        Call("videos.create", plan_video),
        Call("videos.create_and_poll", plan_video),
        Call("images.edit", plan_edit),
        *(
            Call(f"{prefix}responses.{name}", _RESPONSES)
            for prefix in ("", "beta.")
            for name in ("create", "parse", "stream", "compact")
        ),
        Call("responses.input_tokens.count", _RESPONSES),
        Call("moderations.create", _MODERATIONS),
        Call("decisions.create", _DECISIONS),
        Call("conversations.create", _ITEMS),
        Call("conversations.items.create", _ITEMS),
        *(
            Call(f"{prefix}chat.completions.{name}", _CHAT)
            for prefix in ("", "beta.")
            for name in ("create", "parse", "stream")
        ),
        Call("files.create", plan_file),
        Call("content_provenance_checks.create", plan_provenance),
    ),
    wrappers=("with_raw_response", "with_streaming_response"),
    copies=("with_options", "copy"),
    description="OpenAI (and gateways that mirror its API)",
)
