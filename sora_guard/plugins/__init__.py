"""The plugin contract: everything a plugin author imports, from this one module.

``from sora_guard.plugins import hookimpl, Rule, rule, Profile, Size, Strategy, FitOptions, Reporter, Entry, Finder, Subject``"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sora_guard.plugins.markers import hookimpl, hookspec
from sora_guard.vocabulary.contract import Reporter, Strategy, contain_scale, cover_scale
from sora_guard.vocabulary.lazy import lazy_names
from sora_guard.vocabulary.model import (
    Diagnostic,
    FileReport,
    Finding,
    Heading,
    ImageInfo,
    Profile,
    Report,
    Rule,
    Severity,
    Size,
    Target,
    rule,
)

if TYPE_CHECKING:
    from sora_guard.vocabulary.contract import (
        Entries,
        Entry,
        Finder,
        FitOptions,
        FixOutcome,
        Picture,
        Placement,
        Subject,
    )
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

_LAZY = {
    **dict.fromkeys(
        (
            "Adapter",
            "Base64Text",
            "Call",
            "Context",
            "Count",
            "ImageInput",
            "Outgoing",
            "Plan",
            "instance_of",
        ),
        "sora_guard.vocabulary.guarding",
    ),
    **dict.fromkeys(
        ("Entries", "Entry", "Finder", "FitOptions", "FixOutcome", "Picture", "Placement", "Subject"),
        "sora_guard.vocabulary.contract",
    ),
}
"""Name -> module, loaded on first use: the guard adapter contract and what strategies and reporters
exchange about pictures. A check needs neither, and every dataclass costs start-up time."""

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
    "Diagnostic",
    "Entries",
    "Entry",
    "FileReport",
    "Finder",
    "Finding",
    "FitOptions",
    "FixOutcome",
    "Heading",
    "ImageInfo",
    "Picture",
    "Placement",
    "Profile",
    "Report",
    "Reporter",
    "Rule",
    "Severity",
    "Size",
    "Strategy",
    "Subject",
    "Target",
    "contain_scale",
    "cover_scale",
    "hookimpl",
    "hookspec",
    "rule",
]


__getattr__ = lazy_names(__name__, _LAZY)
