"""The built-in guard adapters, registered through the ``sora_guard`` entry points like a third party's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sora_guard.plugins.markers import hookimpl

if TYPE_CHECKING:
    from sora_guard.vocabulary.guarding import Adapter


@hookimpl
def sora_guard_guards() -> list[Adapter]:
    from sora_guard.builtin.guards import fal, google_genai, luma, openai, replicate, runwayml

    return [
        openai.ADAPTER,
        google_genai.ADAPTER,
        runwayml.ADAPTER,
        fal.ADAPTER,
        replicate.ADAPTER,
        luma.ADAPTER,
    ]
