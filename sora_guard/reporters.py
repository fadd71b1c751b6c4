"""Output reporters (text, json, github, sarif)."""

from __future__ import annotations

from .hookspecs import hookimpl


@hookimpl
def sora_guard_reporters() -> list:
    return []
