"""``Settings``: ``[tool.sora-guard]`` in pyproject.toml, sora-guard.toml or .sora-guard.toml, then flags."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sora_guard.engine.selection import select_rules
from sora_guard.plugins.host import Registry, load_registry
from sora_guard.vocabulary.contract import Strategy
from sora_guard.vocabulary.exceptions import ConfigError, lookup
from sora_guard.vocabulary.formats import is_url
from sora_guard.vocabulary.model import (
    ANY_SERVICE,
    SIZE_PATTERN,
    Limits,
    Profile,
    Rule,
    Size,
    Target,
    common_profile,
)

__all__ = [
    "COMMAND_LINE",
    "Settings",
    "PathOverride",
    "find_config",
    "load_settings",
    "located",
    "parse_size",
    "settings_from_options",
]

CONFIG_FILES = (".sora-guard.toml", "sora-guard.toml", "pyproject.toml")
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".sora-guard-cache",
    "build",
    "dist",
    "site-packages",
)


COMMAND_LINE = "command line"
"""Where flag values come from, in messages (a file's values name the file; the API's, nothing)."""


def located(where: str, message: str) -> str:
    """``message`` prefixed with where the value came from (a file, ``command line``); the API's own
    arguments need no prefix."""
    return f"{where}: {message}" if where else message


def accepts(schema: dict[str, Any]) -> Callable[[Callable], Callable]:
    """Attach to a parser the JSON schema of the values it takes (``config.schema`` builds the
    configuration's schema from the parsers of ``KEYS`` and ``PROFILE_KEYS``)."""

    def attach(parser: Callable) -> Callable:
        parser.schema = schema
        return parser

    return attach


_SIZE = {"type": "string", "pattern": SIZE_PATTERN, "examples": ["1280x720"]}
_TEXT = {"type": "string", "pattern": "\\S"}
_COMMAS = {"type": "string", "description": "comma-separated"}
_STRINGS = {"anyOf": [{"type": "array", "items": {"type": "string"}}, _COMMAS]}


@accepts({"anyOf": [{"const": "auto"}, _SIZE]})
def parse_size(value: Any) -> Size | None:
    """``"auto"`` -> None, ``"1280x720"`` -> Size."""
    if isinstance(value, Size) or value is None:
        return value
    if str(value).strip().lower() == "auto":
        return None
    return Size.parse(str(value))


@accepts(_STRINGS)
def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    return tuple(v.strip() for v in value)


@accepts(_STRINGS)
def _formats(value: Any) -> frozenset[str]:
    aliases = {"JPG": "JPEG", "TIF": "TIFF", "HEIC": "HEIF"}
    return frozenset(aliases.get(v.upper().lstrip("."), v.upper().lstrip(".")) for v in _str_list(value))


@accepts({"type": "integer", "minimum": 1})
def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("expected a positive integer")
    return value


@accepts({"type": "integer", "minimum": 1, "maximum": 100})
def _quality(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise ValueError("expected an integer from 1 to 100")
    return value


@accepts(
    {
        "anyOf": [
            {"type": "string", "examples": ["black", "#202020"]},
            {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 255},
                "minItems": 3,
                "maxItems": 3,
            },
        ]
    }
)
def _colour(value: Any) -> tuple[int, int, int]:
    from PIL import ImageColor

    if (
        isinstance(value, (list, tuple))
        and len(value) == 3
        and all(isinstance(v, int) and 0 <= v <= 255 for v in value)
    ):
        return tuple(value)
    try:
        return ImageColor.getrgb(str(value))[:3]
    except ValueError:
        raise ValueError("expected a colour such as 'black', '#202020' or [32, 32, 32]") from None


@accepts(_TEXT)
def _string(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value.strip()


@accepts({"type": "number", "exclusiveMinimum": 0})
def _positive_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError("expected a positive number")
    return float(value)


@accepts({"type": "boolean"})
def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


@accepts({"type": "object", "additionalProperties": {"type": "object"}})
def _storage_options(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("expected a table of fsspec options per protocol, e.g. [storage-options.s3]")
    return {protocol: dict(options) for protocol, options in value.items()}


@accepts({"type": "object", "additionalProperties": {"type": "string"}})
def _endpoints(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(
            'expected a table of endpoint pattern = profile name, e.g. "fal-ai/acme/*" = "kling"'
        )
    return {k.strip(): v.strip() for k, v in value.items()}


@accepts(_TEXT)
def _output_format(value: Any) -> str:
    (fmt,) = _formats([_string(value)])
    return fmt


@accepts({"anyOf": [_TEXT, {"type": "array", "items": _TEXT, "minItems": 1}]})
def _profile(value: Any) -> tuple[str, ...]:
    """The targets: one name (``"veo"``, or ``"veo,kling"`` as a flag gives it) or a list of names."""
    names = _str_list(value)
    if not names or not all(n.strip() for n in names):
        raise ValueError('expected a target name or a list of them, e.g. "veo" or ["veo", "kling"]')
    return names


@accepts({"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 2, "maxItems": 2})
def _aspect(value: Any) -> tuple[float, float]:
    if not (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise ValueError("expected [min, max]: two positive numbers, width/height, e.g. [0.5, 2.0]")
    return float(value[0]), float(value[1])


# key -> (attribute, parser). Keys allowed at the top level; PER_PATH_KEYS inside per-path tables.
KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "profile": ("targets", _profile),
    "size": ("size", parse_size),
    "formats": ("formats", _formats),
    "max-bytes": ("max_bytes", _positive_int),
    "max-pixels": ("max_pixels", _positive_int),
    "max-file-bytes": ("max_file_bytes", _positive_int),
    "max-decode-seconds": ("max_decode_seconds", _positive_number),
    "select": ("select", _str_list),
    "ignore": ("ignore", _str_list),
    "extend-select": ("extend_select", _str_list),
    "exclude": ("exclude", _str_list),
    "extend-exclude": ("extend_exclude", _str_list),
    "output-format": ("output_format", _string),
    "strategy": ("strategy", _string),
    "background": ("background", _colour),
    "quality": ("quality", _quality),
    "convert-to": ("convert_to", _output_format),
    "cache-dir": ("cache_dir", _string),
    "force-exclude": ("force_exclude", _bool),
    "follow-symlinks": ("follow_symlinks", _bool),
    "storage-options": ("storage_options", _storage_options),
    "endpoints": ("endpoints", _endpoints),
}
ADDITIVE = ("ignore", "extend_select")
"""Settings whose values add to the ones before them (file, per-path tables, flags) instead of replacing them."""
PER_PATH_KEYS = (
    "profile",
    "size",
    "formats",
    "max-bytes",
    "ignore",
    "extend-select",
    "strategy",
    "background",
    "convert-to",
)
PROFILE_KEYS = {
    "description": _string,
    "formats": _formats,
    "sizes": accepts({"anyOf": [{"type": "array", "items": _SIZE}, _COMMAS]})(
        lambda v: tuple(Size.parse(s) for s in _str_list(v))
    ),
    "aspect": _aspect,
    "min-side": _positive_int,
    "max-side": _positive_int,
    "max-bytes": _positive_int,
    "models": _str_list,
    "seconds": _str_list,
    "max-images": _positive_int,
    "max-data-uri": _positive_int,
}
DESCRIPTIONS = {
    "profile": "the targets: profiles, or the models they map, each file is checked against (none: the checks every service shares; see `sora-guard profiles`)",
    "size": "exact target size, or auto: the profile's size nearest in aspect",
    "formats": "allowed formats, overriding the profile's (JPEG, PNG...)",
    "max-bytes": "byte limit, overriding the profile's",
    "max-pixels": f"refuse images with more pixels than this (default {Limits.max_pixels})",
    "max-file-bytes": f"refuse to read files larger than this (default {Limits.max_file_bytes})",
    "max-decode-seconds": f"stop decoding one image after this many seconds (default {Limits.max_decode_seconds:g})",
    "select": "rule codes or prefixes to enable",
    "ignore": "rule codes or prefixes to disable",
    "extend-select": "rule codes or prefixes to enable in addition",
    "exclude": "patterns to skip (replaces the default list)",
    "extend-exclude": "patterns to skip in addition to the defaults",
    "output-format": "report format (default: github when GITHUB_ACTIONS=true, else text)",
    "strategy": "how fix fits an image: cover (default), pad, blur-pad, smart, crop, stretch, or a plugin's",
    "background": "colour for pad bars and flattened transparency (default black)",
    "quality": "JPEG/WebP quality, 1-100 (default 92)",
    "convert-to": "format for files whose own format the target refuses (default: JPEG for photos, PNG otherwise)",
    "cache-dir": "folder of the check result cache (default .sora-guard-cache)",
    "force-exclude": "apply exclusions to paths named on the command line too (for pre-commit)",
    "follow-symlinks": "follow symbolic links that point outside the folders being walked",
    "storage-options": "fsspec options per protocol ([storage-options.s3]), sent with the run to every worker",
    "endpoints": 'the guard\'s profile for fal endpoints and Replicate models: pattern = profile ("fal-ai/acme/*" = "kling")',
}
"""What each key of ``KEYS`` sets: the configuration schema's descriptions and the flags' help."""
PROFILE_DESCRIPTIONS = {
    "description": "what the profile is for, shown by `sora-guard profiles`",
    "formats": "formats the service accepts (JPEG, PNG, WEBP...)",
    "sizes": "the exact sizes the service accepts; none for an aspect-tolerant service",
    "aspect": "[min, max] width/height the service accepts",
    "min-side": "the shorter side's minimum, in pixels",
    "max-side": "the longer side's maximum, in pixels",
    "max-bytes": "the largest file the service accepts, in bytes",
    "models": 'model ids the profile describes, or glob patterns of them ("acme/video-*")',
    "seconds": "clip lengths the service accepts, where it has that parameter",
    "max-images": "how many images one request takes",
    "max-data-uri": "the longest data URI the service accepts, in characters",
}
"""What each key of a ``[profiles.NAME]`` table sets, for the configuration schema."""


@dataclass(frozen=True)
class PathOverride:
    """Settings for files whose path (relative to the config's folder) matches ``pattern``."""

    pattern: str
    values: Mapping[str, Any]

    def matches(self, relative: str) -> bool:
        pattern = self.pattern.rstrip("/")
        return (
            fnmatch.fnmatchcase(relative, pattern)
            or fnmatch.fnmatchcase(relative, pattern + "/*")
            or (pattern.endswith("/**") and relative.startswith(pattern[:-3] + "/"))
        )


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one run. ``root`` is the folder globs and excludes are relative to."""

    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None
    targets: tuple[str, ...] = ()
    """The names of the targets (profiles, or models they map) each file is checked against; none
    chosen: the checks every service shares (``ANY_SERVICE``)."""
    size: Size | None = None
    formats: frozenset[str] | None = None
    max_bytes: int | None = None
    max_pixels: int = Limits.max_pixels
    max_file_bytes: int = Limits.max_file_bytes
    max_decode_seconds: float = Limits.max_decode_seconds
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    follow_symlinks: bool = False
    output_format: str | None = None
    strategy: str = "cover"
    background: tuple[int, int, int] = (0, 0, 0)
    quality: int = 92
    convert_to: str | None = None
    cache_dir: str = ".sora-guard-cache"
    per_path: tuple[PathOverride, ...] = ()
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    storage_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    endpoints: Mapping[str, str] = field(default_factory=dict)
    """Endpoint id or model reference pattern -> profile, for the guard's fal and Replicate adapters."""
    registry: Registry = field(default_factory=load_registry, compare=False, repr=False)
    """The plugins of this run (rules, profiles, strategies, reporters, guard adapters): the door loads
    them, honouring ``--no-plugins``, and everything below it uses these."""
    origins: Mapping[str, str] = field(default_factory=dict)
    """Where each setting given explicitly came from (attribute -> file path or ``command line``), for messages."""
    pinned: frozenset[str] = frozenset()
    """Settings a door's own arguments gave (flags, the API's keyword options): no per-path table changes them."""

    def resolve_profile(self, name: str) -> Profile:
        """The profile ``name`` means (any case, or a model it maps: ``gen4.5``) with this configuration's
        ``[profiles.NAME]`` fields applied (or a new one)."""
        name = self.registry.profile_name(name, self.profiles)
        table = self.profiles.get(name)
        if table is None:
            return self.registry.profiles[name]
        base = self.registry.profiles.get(name) or Profile(
            name=name, description="from configuration", formats=frozenset({"JPEG", "PNG", "WEBP"})
        )
        return base.configured(**{k.replace("-", "_"): v for k, v in table.items()})

    def relative(self, path: str | os.PathLike) -> str:
        """``path`` relative to ``root``; for a URL, the key inside its bucket (``s3://b/a/x.jpg`` -> ``a/x.jpg``)."""
        if is_url(path):
            scheme, rest = path.split("://", 1)
            if scheme != "file":
                return rest.partition("/")[2]
            path = rest
        absolute, root = os.path.abspath(path), str(self.root)
        prefix = os.path.join(root, "")
        if absolute.startswith(prefix):  # the usual case, without pathlib's cost (it runs once per file)
            return absolute[len(prefix) :].replace(os.sep, "/")
        if os.path.normcase(absolute).startswith(
            os.path.normcase(root)
        ):  # the root itself, or case-insensitive
            try:
                return Path(absolute).relative_to(self.root).as_posix()
            except ValueError:
                pass
        return Path(path).as_posix()

    def override(self, values: Mapping[str, Any], where: str = COMMAND_LINE) -> Settings:
        """These settings with raw ``values`` keyed like the configuration file (``max-bytes``) applied.

        Values are parsed as the file's are; ``ignore`` and ``extend-select`` add to the lists.
        """
        parsed = _parse_table(values, list(KEYS), where)
        origins = {**self.origins, **dict.fromkeys(parsed, where)}
        for key in ADDITIVE:
            if key in parsed:
                parsed[key] = getattr(self, key) + parsed[key]
        return dataclasses.replace(self, **parsed, origins=origins, pinned=self.pinned | parsed.keys())

    def for_path(self, path: str | os.PathLike) -> Settings:
        """These settings with every matching per-path table applied, in file order."""
        if not self.per_path:
            return self
        relative = self.relative(path)
        matched = tuple(i for i, override in enumerate(self.per_path) if override.matches(relative))
        if not matched:
            return self
        variant = self._cache.get(matched)
        if variant is None:  # one object per combination of tables, so its target and rules are made once
            variant = self._cache[matched] = self._with_tables(matched)
        return variant

    def _with_tables(self, matched: tuple[int, ...]) -> Settings:
        """The tables' values over the file's, in file order. A door's own arguments win over both:
        ``--select`` replaces every table's ``extend-select`` too, as it replaces the file's; ``ignore``
        and ``extend-select`` add to what the file and the flags say."""
        values: dict[str, Any] = {}
        origins = dict(self.origins)
        for i in matched:
            table = self.per_path[i]
            where = located(str(self.source or "configuration"), f"per-path.{table.pattern!r}")
            for attribute, value in table.values.items():
                if attribute in ADDITIVE:
                    if attribute == "extend_select" and "select" in self.pinned:
                        continue
                    values[attribute] = values.get(attribute, getattr(self, attribute)) + value
                    origins[attribute] = f"{origins[attribute]} + {where}" if attribute in origins else where
                elif attribute not in self.pinned:
                    values[attribute] = value
                    origins[attribute] = where
        return dataclasses.replace(self, **values, origins=origins)

    def limits(self) -> Limits:
        """The per-file resource limits: ``max-pixels``, ``max-file-bytes``, ``max-decode-seconds``."""
        return Limits(
            max_pixels=self.max_pixels,
            max_file_bytes=self.max_file_bytes,
            max_decode_seconds=self.max_decode_seconds,
        )

    def fit_strategy(self) -> Strategy:
        """The registered fit strategy named by ``strategy``."""
        return lookup("strategy", self.strategy, self.registry.strategies)

    def target(self) -> Target:
        """The first target, the one whose shape ``fix`` prefers (made once per settings object)."""
        return self.all_targets()[0]

    def all_targets(self) -> tuple[Target, ...]:
        """Every target a file is checked against, in the order named (made once per settings object)."""
        if "targets" not in self._cache:
            profiles = [self.resolve_profile(n) for n in self.targets] or [ANY_SERVICE]
            self._cache["targets"] = tuple(self._target_for(p) for p in profiles)
        return self._cache["targets"]

    def fit_target(self) -> Target:
        """The one target ``fix`` fits to: the only one, or what every target accepts
        (:func:`common_profile`). Raises ``ValueError`` saying why when nothing satisfies them all."""
        if "fit" not in self._cache:
            targets = self.all_targets()
            self._cache["fit"] = (
                targets[0]
                if len(targets) == 1
                else self._target_for(common_profile([t.profile for t in targets]))
            )
        return self._cache["fit"]

    def _target_for(self, profile: Profile) -> Target:
        refused = self.size is not None and profile.sizes and self.size not in profile.sizes
        return Target.for_profile(
            profile,
            self.size,
            formats=self.formats,
            max_bytes=self.max_bytes,
            limits=self.limits(),
            alternatives=self.rendering(self.size) if refused else (),
        )

    def profile_names(self) -> list[str]:
        """The profiles of this run, registered or configured (``[profiles.NAME]``), sorted."""
        return sorted({*self.registry.profiles, *self.profiles})

    def rendering(self, size: Size) -> tuple[str, ...]:
        """The profiles of this run (registered or configured) whose models render exactly ``size``."""
        return tuple(
            n for n in self.profile_names() if (p := self.resolve_profile(n)).models and size in p.sizes
        )

    def rules(self) -> list[Rule]:
        """The selected rules (made once per settings object)."""
        if "rules" not in self._cache:
            self._cache["rules"] = select_rules(
                self.registry.rules.values(), self.select, self.ignore, self.extend_select
            )
        return self._cache["rules"]

    @functools.cached_property
    def _cache(self) -> dict:
        """Per-object memo: target, rules, and the settings for each combination of per-path tables."""
        return {}

    def __getstate__(self) -> dict:
        """Pickled (to worker processes) without memos: they hold plugin objects and rebuild cheaply."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_cache", "_exclude_re")}

    def force_excluded(self, path: str | os.PathLike) -> bool:
        """True when ``force-exclude`` is on and ``path`` is excluded: a path named outright is skipped."""
        return self.force_exclude and self.is_excluded(path)

    def is_excluded(self, path: str | os.PathLike) -> bool:
        """True when ``path`` (relative to root) or a folder it is in matches an exclude pattern, as in ruff.

        A pattern is matched against the whole relative path of the file and of each folder above
        it, and against each of their names: ``fixtures/bad``, ``fixtures/bad/``, ``bad`` and
        ``fix*/b?d`` all exclude ``fixtures/bad/truncated.jpg``. Every door (walks, paths named with
        ``--force-exclude``, staged files, storage keys) asks this one method.
        """
        paths, names = self._exclude_re
        if paths is None:
            return False
        relative = self.relative(path)
        return bool(paths.match(relative)) or (
            names is not None and any(names.match(part) for part in relative.split("/"))
        )

    @functools.cached_property
    def _exclude_re(self) -> tuple[re.Pattern | None, re.Pattern | None]:
        """The exclude patterns as regular expressions (fnmatch semantics): one matching a relative path
        when it or a folder above it matches a pattern, one matching a name (patterns without ``/``)."""
        patterns = [_pattern(p) for p in self.exclude + self.extend_exclude]
        if not patterns:
            return None, None
        # fnmatch.translate ends each pattern with \Z; "or anything below it" goes in front of that
        below = [fnmatch.translate(p).removesuffix("\\Z") + "(?s:/.*)?\\Z" for p in patterns]
        names = [fnmatch.translate(p) for p in patterns if "/" not in p]
        return (
            re.compile("|".join(f"(?:{p})" for p in below)),
            re.compile("|".join(f"(?:{p})" for p in names)) if names else None,
        )


def _pattern(pattern: str) -> str:
    """An exclude pattern as paths are compared with it: no ``./`` in front, no ``/`` behind."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/") or pattern


def find_config(start: Path) -> tuple[Path, dict] | None:
    """The first configuration file walking up from ``start``, with its sora-guard table."""
    for folder in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            data = _read_toml(candidate)
            if name == "pyproject.toml":
                table = data.get("tool", {}).get("sora-guard")
                if table is None:
                    continue
            else:
                table = data.get("tool", {}).get("sora-guard", data)
            if not isinstance(table, dict):
                raise ConfigError(f"{candidate}: [tool.sora-guard] must be a table")
            return candidate, table
    return None


def _read_toml(path: Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as fp:
            return tomllib.load(fp)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None


def _parse_table(table: Mapping[str, Any], allowed: Sequence[str], where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in allowed or key not in KEYS:
            raise ConfigError(located(where, f"unknown key {key!r} (known: {', '.join(allowed)})"))
        attribute, parser = KEYS[key]
        try:
            values[attribute] = parser(raw)
        except ValueError as exc:
            raise ConfigError(located(where, f"bad value for {key!r}: {exc}")) from None
    return values


def _parse_profiles(table: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: 'profiles' must be a table of profile tables")
    parsed = {}
    for name, fields in table.items():
        if not isinstance(fields, dict):
            raise ConfigError(f"{where}: profiles.{name} must be a table")
        parsed[name] = {}
        for key, raw in fields.items():
            if key not in PROFILE_KEYS:
                raise ConfigError(
                    f"{where}: unknown key {key!r} in profiles.{name} (known: {', '.join(PROFILE_KEYS)})"
                )
            try:
                parsed[name][key] = PROFILE_KEYS[key](raw)
            except (ValueError, TypeError, IndexError) as exc:
                raise ConfigError(f"{where}: bad value for profiles.{name}.{key}: {exc}") from None
    return parsed


def settings_from_table(
    table: Mapping[str, Any], root: Path, source: Path | None = None, registry: Registry | None = None
) -> Settings:
    """Settings from one ``[tool.sora-guard]`` table; raises ConfigError naming the file and key."""
    where = str(source or "configuration")
    table = dict(table)
    per_path_table = table.pop("per-path", {})
    profiles = _parse_profiles(table.pop("profiles", {}), where)
    values = _parse_table(table, list(KEYS), where)
    if not isinstance(per_path_table, dict):
        raise ConfigError(f"{where}: 'per-path' must be a table of glob = table")
    per_path = []
    for pattern, sub in per_path_table.items():
        if not isinstance(sub, dict):
            raise ConfigError(f"{where}: per-path.{pattern!r} must be a table")
        per_path.append(
            PathOverride(pattern, _parse_table(sub, PER_PATH_KEYS, f"{where}: per-path.{pattern!r}"))
        )
    return Settings(
        root=root,
        source=source,
        registry=registry or load_registry(),
        per_path=tuple(per_path),
        profiles=profiles,
        origins=dict.fromkeys(values, where),
        **values,
    )


def load_settings(
    cwd: Path | None = None,
    *,
    config: Path | None = None,
    isolated: bool = False,
    overrides: Mapping[str, Any] | None = None,
    autoload_plugins: bool | None = None,
) -> Settings:
    """Discover the configuration (or read ``config``), then apply ``overrides``.

    ``overrides`` maps configuration keys to raw values (as typed on the command line), parsed by
    the same rules as the file; ``ignore`` and ``extend-select`` add to the file's lists.
    """
    cwd = (cwd or Path.cwd()).resolve()
    registry = load_registry(autoload_plugins)
    if isolated:
        settings = Settings(root=cwd, registry=registry)
    elif config is not None:
        if not config.is_file():
            raise ConfigError(f"{config}: configuration file not found")
        data = _read_toml(config)
        table = data.get("tool", {}).get("sora-guard", {} if config.name == "pyproject.toml" else data)
        settings = settings_from_table(table, config.resolve().parent, config, registry)
    else:
        found = find_config(cwd)
        settings = (
            settings_from_table(found[1], found[0].resolve().parent, found[0], registry)
            if found
            else Settings(root=cwd, registry=registry)
        )
    return settings.override(overrides or {})


def settings_from_options(settings: Settings | None = None, **options: Any) -> Settings:
    """Settings from keyword options named like configuration keys (``max_bytes`` for ``max-bytes``).

    Without ``settings``, no configuration file is read: the caller gets what its arguments say.
    """
    base = settings or Settings(root=Path.cwd())
    return base.override({k.replace("_", "-"): v for k, v in options.items() if v is not None}, "")
