"""sora-guard: check and fix reference images before they reach video-generation APIs."""

from __future__ import annotations

__version__ = "0.1.0"
