"""Which profile a name given as a target means: a profile (in any case) or a model one maps (``gen4.5``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sora_guard.vocabulary.exceptions import ConfigError
from sora_guard.vocabulary.model import is_pattern, same_model

__all__ = ["model_owner", "profile_name"]


def _squashed(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def profile_name(name: str, models: Mapping[str, Iterable[str]]) -> str:
    """The profile among ``models`` (profile name -> the model ids it maps) that ``name`` means.

    Its own name first, then the same name in another case (``Veo``), then the profile mapping a
    model of that name or a dated snapshot of one (the longest such model id wins). Anything else
    is a :class:`ConfigError` naming the closest profile or model names (``sora2``: ``sora-2``).
    """
    if name in models:
        return name
    folded = {n.casefold(): n for n in models}
    if name.casefold() in folded:
        return folded[name.casefold()]
    owner = model_owner(name, models)
    if owner is None:
        raise ConfigError(_unknown(name, models))
    return owner


def model_owner(model: str, models: Mapping[str, Iterable[str]]) -> str | None:
    """The profile mapping ``model``, the model it is a dated snapshot of, or a pattern it matches: a
    model id before a pattern, and the longest of them."""
    owners = [(not is_pattern(m), len(m), p) for p, ms in models.items() for m in ms if same_model(m, model)]
    return max(owners)[2] if owners else None


def _unknown(name: str, models: Mapping[str, Iterable[str]]) -> str:
    """``unknown profile 'sora2' (did you mean 'sora-2'?); known: ...``, suggesting profile or model names."""
    import difflib  # only for a name that is wrong: not on a one-file check's start-up

    owner = {m: p for p, ms in models.items() for m in ms if not is_pattern(m)}
    candidates = [*models, *owner]
    squashed = {_squashed(c): c for c in candidates}
    near = [squashed[_squashed(name)]] if _squashed(name) in squashed else []
    near = list(dict.fromkeys(near + difflib.get_close_matches(name, candidates, n=3, cutoff=0.75)))[:3]
    shown = [f"{n!r} (a model of {owner[n]})" if n in owner and n not in models else repr(n) for n in near]
    hint = f" (did you mean {' or '.join(shown)}?)" if near else ""
    return f"unknown profile {name!r}{hint}; known: {', '.join(sorted(models))}"
