"""Configuration: ``[tool.sora-guard]`` and flags resolved into :class:`Settings`, validated once for every door."""

from __future__ import annotations

from sora_guard.config.settings import Settings, load_settings, settings_from_options

__all__ = ["Settings", "load_settings", "settings_from_options"]
