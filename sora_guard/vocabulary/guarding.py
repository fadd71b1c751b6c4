"""The guard adapter contract: where a call's images are, which profile each answers to, and how checked
bytes go back into the call. Adapters describe; the guard door checks and fixes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .model import Profile, Size

__all__ = [
    "Adapter",
    "Base64Text",
    "Call",
    "Context",
    "Count",
    "ImageInput",
    "Outgoing",
    "Plan",
    "instance_of",
]


@dataclass(frozen=True)
class Outgoing:
    """An image as it will leave: the bytes, their real format and MIME type, and a file name for them."""

    data: bytes
    format: str
    mime: str
    filename: str
    changed: bool = False
    """True when the bytes or their MIME type differ from what the caller passed."""
    headers: object = None
    """Part headers the caller gave in a ``(name, content, mime, headers)`` tuple, kept for the upload."""

    def base64(self) -> str:
        """The image as base64 text."""
        import base64

        return base64.b64encode(self.data).decode("ascii")

    def data_url(self) -> str:
        """The image as a base64 data URL."""
        return f"data:{self.mime};base64,{self.base64()}"

    def file_tuple(self) -> tuple:
        """The image as a multipart file tuple ``(name, bytes, MIME[, headers])``."""
        base = (self.filename, self.data, self.mime)
        return base if self.headers is None else (*base, self.headers)


@dataclass(frozen=True)
class Base64Text:
    """An image's base64 text (no ``data:`` prefix), as an SDK sends it: decoded only when checked."""

    text: str


@dataclass
class ImageInput:
    """One image in a call's arguments.

    ``where`` is its address in the call's arguments (names, keys, indexes and attribute names, as
    ``("config", "last_frame")``); ``value`` is what sits there, in a form the door reads (bytes, an
    ``os.PathLike``, a binary file object, a ``(name, content[, mime[, headers]])`` tuple, a data URL,
    an ``http(s)`` URL, or any other string: a reference it cannot read, passed through with a warning).
    ``declared_mime`` is the MIME type the SDK will announce when it does not come from ``value``
    itself. ``profile`` names the profile it must satisfy (None: the service-independent checks only);
    ``size`` is an exact size the request demands, ``output`` the shape of what the service renders
    (a mismatch is a crop/pad warning). ``encode`` turns the outgoing image into the value the SDK
    takes there (None: the value stays as it is); ``always_encode`` re-encodes even unchanged input
    (an SDK that would mislabel it). ``limit`` names the profile field that holds the byte limit of
    this form of sending (``"max_data_uri"`` for a data URI): it replaces the profile's ``max_bytes``
    where the profile sets it, with its fact, and a configured ``max-bytes`` still caps it.
    ``problem`` says why the value cannot be sent at all (it is reported, never read).
    """

    label: str
    where: tuple
    value: object
    profile: str | None = None
    size: Size | None = None
    output: Size | None = None
    declared_mime: str | None = None
    encode: Callable[[Outgoing], object] | None = None
    always_encode: bool = False
    fixable: bool = True
    limit: str = "max_bytes"
    problem: str | None = None
    hint: str = ""
    """Appended to the warning when the value cannot be checked locally (a remote URL, say)."""
    same_size_as: str | None = None
    """The label of an earlier image this one must match in displayed size (an edit mask)."""
    ignore: tuple[str, ...] = ()
    """Rule codes that do not apply to this input (the service states it takes what they refuse)."""
    source: str | None = None
    """The caller's file the value was made from, when its form lost the name (a PIL image's
    ``filename``): messages name it."""


@dataclass(frozen=True)
class Count:
    """How many images the request sends in one place (``what``, an argument: ``"image"``), held against
    ``max_images`` of ``profile`` (SG602; None: no limit)."""

    what: str
    number: int
    profile: str | None


@dataclass
class Plan:
    """What the door needs for one call: the images, the request's own target, and anything to say."""

    images: list[ImageInput] = field(default_factory=list)
    request_profile: str | None = None
    """A profile the request itself is checked against, image or not (model/size/seconds rules)."""
    request_size: Size | None = None
    request_seconds: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Request-level refusals the adapter found (a parameter combination the service rejects)."""
    counts: list[Count] = field(default_factory=list)
    """How many images the request sends where a profile may limit it (the door checks the profile's
    ``max_images``)."""
    method: str | None = None
    """Call this method of the same object instead (with the prepared arguments), e.g. ``upload``."""
    arguments: Callable[[dict], dict] | None = None
    """Turns the prepared arguments into those of ``method`` (default: they are passed as they are)."""
    claimed: list[tuple] = field(default_factory=list)
    """Addresses the adapter has accounted for besides its images' (the door looks for images
    everywhere else in the arguments, against the profile of the call's ``model``)."""


Planner = Callable[[dict, "Context"], Plan]


@dataclass(frozen=True)
class Call:
    """A guarded method: ``path`` from the client (``"images.edit"``) and the planner for its arguments."""

    path: str
    plan: Planner


class Context(Protocol):
    """What a planner may ask the door: which profile a model or an endpoint answers to, and a profile's data."""

    def profile_for_model(self, model: object, default: str | None) -> str | None:
        """``guard(profile=...)`` when given, else the profile claiming ``model``, else ``default``."""

    def profile_for_endpoint(self, endpoint: object) -> str | None:
        """``guard(profile=...)``, else the most specific configured ``[endpoints]`` pattern's profile, else
        the profile whose ``models`` claim ``endpoint`` (an id or a glob pattern), else None."""

    def profile(self, name: str) -> Profile:
        """The profile ``name`` as this run resolves it (configured fields applied)."""


@dataclass
class Adapter:
    """A guard adapter: which clients it recognises and which of their calls carry images.

    ``clients`` names the client classes (``"openai.OpenAI"``) for messages; ``recognises(client)``
    says whether it serves this client (without importing the SDK when it is not loaded);
    ``calls`` maps a method path to its planner. ``wrappers`` are attributes that wrap the client or a
    resource around the same methods (``with_raw_response``), rebuilt around the guarded object;
    ``copies`` are methods that return a configured copy of the client, guarded the same way.
    """

    name: str
    clients: tuple[str, ...]
    recognises: Callable[[object], bool]
    calls: tuple[Call, ...]
    wrappers: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()
    description: str = ""


def instance_of(client: object, module: str, *names: str) -> bool:
    """True when ``client`` is an instance of ``module.name`` for one of ``names``; never imports ``module``."""
    loaded = sys.modules.get(module)
    if loaded is None:
        return False
    classes = tuple(c for c in (getattr(loaded, n, None) for n in names) if isinstance(c, type))
    return bool(classes) and isinstance(client, classes)
