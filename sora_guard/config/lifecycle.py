"""Notices for targets whose service closed or whose model was retired, and for model names taken as
targets: one line each, said once per run (``check``, ``fix``) or per call (the guard)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sora_guard.config.settings import Settings
from sora_guard.vocabulary.model import Profile

__all__ = ["CHOOSE_ANOTHER", "NO_TARGET", "SENT_ANYWAY", "notices", "run_notices"]

CHOOSE_ANOTHER = (
    'choose another target with --profile NAME or profile = "NAME" in [tool.sora-guard] '
    "(`sora-guard profiles` lists them with their status)"
)
NO_TARGET = (
    "no target chosen: only what every service refuses or reads two ways was checked (integrity, "
    "extension, orientation, colour, animation; an exact size with --size); choose the services the "
    'images go to with --profile NAME[,NAME...] or profile = ["NAME", ...] in [tool.sora-guard] '
    "(`sora-guard profiles` lists them)"
)
SENT_ANYWAY = (
    "sent anyway, as a gateway may still serve it; pass another model, or guard(client, profile=NAME)"
)


def notices(targets: Iterable[tuple[str, Profile, str]], how: str = CHOOSE_ANOTHER) -> list[str]:
    """One line for each retired or closed target among ``targets``, each said once, in order.

    A target is the name it was given as (a profile, or a model such as ``gpt-image-1``), the profile
    that name resolved to, and where it came from (``" (the default)"``, or empty). A closed service
    is reported for its profile; a retired or closed model for the model. ``how`` says what to do.
    """
    said: set[tuple[str, str | None]] = set()
    lines = []
    for name, profile, where in targets:
        subject, lifecycle = f"target {profile.name}{where}", profile.lifecycle
        if lifecycle.live:
            lifecycle = profile.model_lifecycle(name)
            subject = f"model {name}{where} (profile {profile.name})"
        key = (profile.name, lifecycle.model)
        if lifecycle.live or key in said:
            continue
        said.add(key)
        lines.append(f"{subject}: {lifecycle}; {how}")
    return lines


def run_notices(settings: Settings) -> list[str]:
    """What a run of ``settings`` says before it starts: that no target was chosen, each closed or
    retired target (the top-level ones and each per-path table's) and each model name taken as a
    target, with the profile it resolved to."""
    chosen = [] if settings.targets else [NO_TARGET]  # for every file no per-path table gives one
    targets = [(name, settings.resolve_profile(name), where) for name, where in _targets(settings)]
    resolved = {
        f"target {name}{where} is a model name: checked against profile {profile.name}": None
        for name, profile, where in targets
        if name.casefold() != profile.name.casefold()
    }
    return chosen + notices(targets) + list(resolved)


def _targets(settings: Settings) -> Iterator[tuple[str, str]]:
    """(name, where) for each top-level target and each per-path table's."""
    for name in settings.targets:
        yield name, ""
    for table in settings.per_path:
        for name in table.values.get("targets", ()):
            yield name, f" (per-path {table.pattern!r})"
