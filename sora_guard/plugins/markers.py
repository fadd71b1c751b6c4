"""The pluggy markers: ``hookspec`` declares a hook, ``hookimpl`` marks a plugin's implementation."""

from __future__ import annotations

import pluggy

PROJECT = "sora_guard"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
