"""The replicate adapter: ``Path``, file-object and image data URI values in a prediction's ``input``,
with the profile picked by model reference (``[tool.sora-guard.endpoints]``, then the profiles' ``models``
patterns, such as ``kwaivgi/kling-*``)."""

from __future__ import annotations

import io

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


class _Named(io.BytesIO):
    """In-memory bytes with a file name, which replicate uses for the upload's name and MIME type."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def _named(out: Outgoing) -> io.BytesIO:
    return _Named(out.data, out.filename)


def _reference(arguments: dict) -> str | None:
    """``owner/name`` of the model a call runs (a version suffix dropped), from a string or an object."""
    for key in ("ref", "model", "deployment", "version"):
        value = arguments.get(key)
        if isinstance(value, tuple) and len(value) == 2:
            value = "/".join(value)
        if not isinstance(value, str) and value is not None:
            owner, name = getattr(value, "owner", None), getattr(value, "name", None)
            value = f"{owner}/{name}" if owner and name else None
        if isinstance(value, str):
            return value.partition(":")[0]
    return None


def plan_prediction(arguments: dict, ctx: Context) -> Plan:
    """``run`` / ``predictions.create`` and friends: every file or image data URI in ``input``, and how
    many there are (the profile's ``max_images``)."""
    profile = ctx.profile_for_endpoint(_reference(arguments))
    plan = Plan()
    for where, value in data_urls(arguments.get("input"), ("input",)):
        label = ".".join(map(str, where))
        encode = Outgoing.data_url if isinstance(value, str) else _named
        plan.images.append(ImageInput(label, where, value, profile=profile, encode=encode))
    plan.counts.append(Count("input", len(plan.images), profile))
    return plan


_CALLS = (
    "run",
    "async_run",
    "stream",
    "async_stream",
    "predictions.create",
    "predictions.async_create",
    "models.predictions.create",
    "models.predictions.async_create",
    "deployments.predictions.create",
    "deployments.predictions.async_create",
    *(  # the Deployment that deployments.get returns (the guard wraps what a guarded call returns)
        f"deployments.{get}().predictions.{create}"
        for get in ("get", "async_get")
        for create in ("create", "async_create")
    ),
)

ADAPTER = Adapter(
    name="replicate",
    clients=("replicate.Client",),
    recognises=lambda client: (
        instance_of(client, "replicate", "Client") or instance_of(client, "replicate.client", "Client")
    ),
    calls=tuple(Call(name, plan_prediction) for name in _CALLS),
    description="Replicate (Kling, MiniMax and the other models hosted there)",
)
