"""The plugin contract: everything a plugin author imports, from this one module.

``from sora_guard.plugins import hookimpl, Rule, rule, Profile, Size, Strategy, FitOptions, Reporter, Entry``"""

from __future__ import annotations

from sora_guard.plugins.markers import hookimpl, hookspec
from sora_guard.vocabulary.contract import (
    Entry,
    FitOptions,
    FixOutcome,
    Picture,
    Placement,
    Reporter,
    Strategy,
    contain_scale,
    cover_scale,
)
from sora_guard.vocabulary.guarding import Adapter, Call, Context, ImageInput, Outgoing, Plan, instance_of
from sora_guard.vocabulary.model import (
    Diagnostic,
    FileReport,
    Finding,
    ImageInfo,
    Profile,
    Report,
    Rule,
    Severity,
    Size,
    Target,
    rule,
)

__all__ = [
    "Adapter",
    "Call",
    "Context",
    "ImageInput",
    "Outgoing",
    "Plan",
    "instance_of",
    "Diagnostic",
    "Entry",
    "FileReport",
    "Finding",
    "FitOptions",
    "FixOutcome",
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
    "Target",
    "contain_scale",
    "cover_scale",
    "hookimpl",
    "hookspec",
    "rule",
]
