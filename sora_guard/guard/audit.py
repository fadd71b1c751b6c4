"""``sora-guard profiles --audit``: the model names the installed SDKs declare as literals that no profile
maps, and mapped models they no longer declare. Reads the SDKs' sources; imports none of them."""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sora_guard.vocabulary.model import Profile, is_pattern, same_model

__all__ = ["DECLARATIONS", "Audit", "Declaration", "Drift", "audit", "declared_models"]

_RUNWAY = ("runway", "runway-gen4", "runway-grok-imagine", "runway-h3-max")
_RUNWAY_CALLS = ("image_to_video", "text_to_video", "video_to_video", "text_to_image", "character_performance", "image_upscale")  # fmt: skip


@dataclass(frozen=True)
class Declaration:
    """Where an SDK lists model names: ``module``'s type alias ``name`` (``VideoModel``), or, when no
    alias has that name, every class field ``name`` (``model: Required[Literal["gen4.5"]]``).

    ``profiles`` are the profiles whose models the SDK declares here; ``ignore`` holds glob patterns of
    declared names that are no image target (text-to-speech models).
    """

    distribution: str
    module: str
    name: str
    profiles: tuple[str, ...]
    ignore: tuple[str, ...] = ()


DECLARATIONS = (
    Declaration("openai", "openai.types.video_model", "VideoModel", ("sora-2", "sora-2-pro")),
    Declaration("openai", "openai.types.image_model", "ImageModel", ("openai-image-edit",)),
    Declaration(
        "google-genai",
        "google.genai._gaos.types.interactions.model",
        "Model",
        ("gemini", "gemini-omni"),
        ignore=("*-tts*", "*transcribe*"),
    ),
    *(Declaration("runwayml", f"runwayml.types.{c}_create_params", "model", _RUNWAY) for c in _RUNWAY_CALLS),
    Declaration("luma-agents", "luma_agents.types.model", "Model", ("luma",)),
)
"""The SDK declarations the audit reads: the models of the calls that carry images."""


@dataclass
class Drift:
    """One declaration as installed: its version (None: not installed), the names it declares, and
    those no profile maps."""

    declaration: Declaration
    version: str | None
    declared: frozenset[str] = frozenset()
    unmapped: tuple[str, ...] = ()


@dataclass
class Audit:
    """Every declaration's drift, and per profile the live models no installed declaration declares."""

    drifts: list[Drift]
    undeclared: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every declared model is mapped (models no longer declared are reported, not failed)."""
        return not any(d.unmapped for d in self.drifts)

    def render(self) -> str:
        lines = []
        for d in self.drifts:
            where = f"{d.declaration.distribution} {d.version or '(not installed)'}: {d.declaration.module} {d.declaration.name}"
            if d.version is None:
                lines.append(f"{where}: skipped")
                continue
            count = f"{len(d.declared)} model{'s' if len(d.declared) != 1 else ''}"
            lines.append(f"{where}: {count}" + ("" if d.unmapped else ", all mapped"))
            lines += [f"  unmapped: {m}" for m in d.unmapped]
        for profile, models in self.undeclared.items():
            lines.append(
                f"{profile}: mapped, but no longer declared by the installed SDK: {', '.join(models)}"
            )
        unmapped = sum(len(d.unmapped) for d in self.drifts)
        lines.append(
            f"{unmapped} unmapped model{'s' if unmapped != 1 else ''}: add each to a profile's models "
            "([tool.sora-guard.profiles.NAME] models = [...]) or report it"
            if unmapped
            else "No drift: every model the installed SDKs declare is mapped."
        )
        return "\n".join(lines) + "\n"


def _source(module: str) -> Path | None:
    """The file of ``module`` (``a.b.c`` -> ``.../a/b/c.py``), found without importing its package."""
    top, *rest = module.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    for base in (spec.submodule_search_locations or ()) if spec else ():
        path = Path(base, *rest).with_suffix(".py") if rest else Path(base, "__init__.py")
        if path.is_file():
            return path
    return None


def _literals(node: ast.AST) -> Iterator[str]:
    """The strings inside every ``Literal[...]`` in ``node``."""
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Subscript)
            and getattr(sub.value, "id", getattr(sub.value, "attr", "")) == "Literal"
        ):
            items = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
            yield from (i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str))


def declared_models(source: str, name: str) -> frozenset[str]:
    """The model names ``source`` declares under ``name``: a module-level alias of that name, else the
    annotations of every class field of that name."""
    tree = ast.parse(source)
    aliases = [
        s.value
        for s in tree.body
        if isinstance(s, (ast.Assign, ast.AnnAssign))
        and s.value is not None
        and name
        in [t.id for t in (s.targets if isinstance(s, ast.Assign) else [s.target]) if isinstance(t, ast.Name)]
    ]
    fields = [
        s.annotation
        for c in ast.walk(tree)
        if isinstance(c, ast.ClassDef)
        for s in c.body
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.target.id == name
    ]
    return frozenset(m for node in aliases or fields for m in _literals(node))


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version  # the audit only: slow to import

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "(version unknown)"


def audit(profiles: Iterable[Profile], declarations: Iterable[Declaration] | None = None) -> Audit:
    """Compare what the installed SDKs declare (``declarations``, default :data:`DECLARATIONS`) with
    what ``profiles`` map."""
    profiles = list(profiles)
    drifts = []
    for d in DECLARATIONS if declarations is None else declarations:
        path = _source(d.module)
        if path is None:
            drifts.append(Drift(d, None))
            continue
        declared = declared_models(path.read_text(encoding="utf-8"), d.name)
        unmapped = sorted(
            m
            for m in declared
            if not any(fnmatch.fnmatchcase(m, i) for i in d.ignore)
            and not any(p.covers_model(m) for p in profiles)
        )
        drifts.append(Drift(d, _version(d.distribution), declared, tuple(unmapped)))
    return Audit(drifts, _undeclared(profiles, [d for d in drifts if d.version is not None]))


def _undeclared(profiles: list[Profile], installed: list[Drift]) -> dict[str, tuple[str, ...]]:
    """Per profile an installed declaration covers: its live model ids that none of them declares."""
    found = {}
    for p in profiles:
        covering = [d for d in installed if p.name in d.declaration.profiles]
        if not covering:
            continue
        declared = frozenset().union(*(d.declared for d in covering))
        live = [m for m in p.models if not is_pattern(m) and p.model_lifecycle(m).live]
        gone = [m for m in live if not any(same_model(m, n) for n in declared)]
        if gone:
            found[p.name] = tuple(gone)
    return found
