"""The engine's data: sizes, profiles, targets, probed image facts, rules and diagnostics.

Plain data with no Pillow import, so any door or plugin can build and pass it around cheaply.
"""

from __future__ import annotations

import enum
import fnmatch
import inspect
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

__all__ = [
    "ANY_SERVICE",
    "Counts",
    "Fix",
    "FixKind",
    "Severity",
    "Size",
    "SIZE_PATTERN",
    "Level",
    "Source",
    "Fact",
    "Availability",
    "Lifecycle",
    "Profile",
    "Limits",
    "Target",
    "ImageInfo",
    "Finding",
    "Diagnostic",
    "Rule",
    "FileReport",
    "Heading",
    "Report",
    "rule",
    "is_pattern",
    "same_model",
]


class Severity(str, enum.Enum):
    """How bad a diagnostic is: errors fail ``check``; warnings are reported only."""

    ERROR = "error"
    WARNING = "warning"


SIZE_PATTERN = r"^\s*(\d{1,6})\s*[xX:]\s*(\d{1,6})\s*$"
"""A size as written: ``1280x720`` (``x``, ``X`` or ``:``); a JSON-schema pattern too."""
_SIZE_RE = re.compile(SIZE_PATTERN)


@dataclass(frozen=True, order=True)
class Size:
    """A width and height in pixels."""

    width: int
    height: int

    @classmethod
    def parse(cls, text: str) -> Size:
        """Parse ``"1280x720"``; raise ``ValueError`` with a readable message otherwise."""
        match = _SIZE_RE.match(str(text))
        if not match or int(match.group(1)) == 0 or int(match.group(2)) == 0:
            raise ValueError(f"{text!r} is not a size; write it as WIDTHxHEIGHT, e.g. 1280x720")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def pixels(self) -> int:
        return self.width * self.height

    def transposed(self) -> Size:
        return Size(self.height, self.width)

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


class Level(str, enum.Enum):
    """How a profile value is backed, which decides what breaking it is.

    ``service``: the service's own documentation or its SDK's source, an error. ``secondary``: at
    least two independent third-party documents that quote the service's API and agree, an error
    marked as such. ``unverified``: a single third party, a warning.
    """

    SERVICE = "service"
    SECONDARY = "secondary"
    UNVERIFIED = "unverified"

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self is Level.UNVERIFIED else Severity.ERROR


@dataclass(frozen=True)
class Source:
    """Where a fact was read and when (ISO date): a URL, or an SDK's name, version and file."""

    where: str
    checked: str
    says: str = ""
    """What it says, in short (the words a unit or limit is read from)."""

    def __str__(self) -> str:
        return f"{self.where} (checked {self.checked})"


@dataclass(frozen=True)
class Fact:
    """The backing of one profile value: ``field`` names it as :class:`Profile` does (``max_bytes``).

    ``strict`` is, for a limit the sources leave open to two readings (MB as 10^6 or 2^20 bytes; a
    data URI's characters or its image's bytes), the stricter reading, in the field's unit: the field
    holds the larger one, above which the service refuses under either reading (an error); between
    the two, a warning.
    """

    field: str
    level: Level
    sources: tuple[Source, ...]
    note: str = ""
    strict: int | None = None


class Availability(str, enum.Enum):
    """A service or model: ``live``; ``retired`` (the model was withdrawn, its service goes on); ``closed``
    (the service or API itself shut down)."""

    LIVE = "live"
    RETIRED = "retired"
    CLOSED = "closed"


@dataclass(frozen=True)
class Lifecycle:
    """Whether a profile's service (``model`` None) or one of its models is still there.

    A retired or closed entry has its ``date`` (ISO) and ``replaced_by``: what took its place (model
    or profile names), empty when nothing did.
    """

    state: Availability = Availability.LIVE
    date: str = ""
    replaced_by: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    note: str = ""
    model: str | None = None

    @property
    def live(self) -> bool:
        return self.state is Availability.LIVE

    def __str__(self) -> str:
        """``closed on 2026-09-24 (why); nothing replaced it`` or ``live``."""
        if self.live:
            return "live"
        why = f" ({self.note})" if self.note else ""
        instead = (
            f"replaced by {' or '.join(self.replaced_by)}" if self.replaced_by else "nothing replaced it"
        )
        return f"{self.state.value} on {self.date}{why}; {instead}"


LIVE = Lifecycle()


@dataclass(frozen=True)
class Profile:
    """What one target service accepts. Profiles are data: plugins add or override them.

    ``sizes`` lists exact sizes the service accepts (empty when it is aspect-tolerant);
    ``aspect`` bounds width/height; ``min_side`` applies to the shorter side and ``max_side``
    to the longer; ``models`` names the model ids (with their dated snapshots) or glob patterns of
    them (``kling-video/*``, endpoint ids of hosts) the profile describes; ``seconds`` lists accepted clip lengths, where the service has that parameter;
    ``needs_alpha`` marks inputs that must carry transparency (an edit mask); ``max_images`` is how
    many images one request takes (SG602); ``max_data_uri`` the largest image, in bytes, a data URI
    may carry (it replaces ``max_bytes`` for an image sent that way; a source that may count the
    URI's characters instead gives the stricter reading, ``Fact.strict``).
    ``facts`` back the values (a value without one is the configuration's or a plugin's, taken as
    given); ``lifecycle`` is the service's, ``model_lifecycles`` those of models no longer live.
    """

    name: str
    description: str
    formats: frozenset[str]
    sizes: tuple[Size, ...] = ()
    aspect: tuple[float, float] | None = None
    min_side: int | None = None
    max_side: int | None = None
    max_bytes: int | None = None
    models: tuple[str, ...] = ()
    seconds: tuple[str, ...] = ()
    needs_alpha: bool = False
    max_images: int | None = None
    max_data_uri: int | None = None
    notes: str = ""
    facts: tuple[Fact, ...] = ()
    lifecycle: Lifecycle = LIVE
    model_lifecycles: tuple[Lifecycle, ...] = ()

    def fact(self, field: str) -> Fact | None:
        """The backing of the value of ``field``, if the profile records one."""
        return next((f for f in self.facts if f.field == field), None)

    def configured(self, **values: object) -> Profile:
        """This profile with ``values`` set by configuration: their facts no longer apply."""
        return replace(self, **values, facts=tuple(f for f in self.facts if f.field not in values))

    def model_lifecycle(self, model: str) -> Lifecycle:
        """The lifecycle of ``model`` (or of the model it is a dated snapshot of): its own, else live."""
        return next((c for c in self.model_lifecycles if c.model and same_model(c.model, model)), LIVE)

    def covers_model(self, model: str) -> bool:
        """True when ``model`` is one of ``models`` or a dated snapshot of one (``sora-2-2025-10-06``)."""
        return any(same_model(m, model) for m in self.models)

    def nearest_size(self, shape: Size) -> Size | None:
        """The allowed exact size closest in aspect ratio to ``shape`` (None when no exact sizes).

        Ties go to the size with more pixels that is not larger than the image, then to the
        first listed, so a landscape phone photo picks 1280x720 and a portrait one 720x1280.
        """
        if not self.sizes:
            return None
        log_aspect = math.log(shape.aspect)
        return min(
            self.sizes,
            key=lambda s: (
                round(abs(math.log(s.aspect) - log_aspect), 9),
                s.pixels > shape.pixels,
                -s.pixels,
            ),
        )


def is_pattern(model: str) -> bool:
    """True when a ``models`` entry is a glob pattern (``kling-video/*``) rather than one model id."""
    return any(c in model for c in "*?[")


_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}")


def same_model(model: str, name: str) -> bool:
    """True when ``name`` is the model id ``model`` in any case or a dated snapshot of it
    (``sora-2-2025-10-06``), or, when ``model`` is a glob pattern (``kling-video/*``), matches it."""
    name, model = name.casefold(), model.casefold()
    if name == model:
        return True
    if is_pattern(model):
        return fnmatch.fnmatchcase(name, model)
    return (
        len(name) == len(model) + 11 and name.startswith(model) and bool(_DATED.fullmatch(name, len(model)))
    )


ANY_SERVICE = Profile(
    name="any-service",
    description="no target chosen: what every service refuses or reads two ways (integrity, extension, "
    "orientation, colour, animation); an exact size only with --size",
    formats=frozenset(),
)
"""The target when none is chosen (and the guard's for an endpoint no profile claims)."""


def common_profile(profiles: Sequence[Profile]) -> Profile:
    """What every one of ``profiles`` accepts, as one profile: the formats they share, the tightest
    aspect and side bounds, the exact sizes they share (or one's sizes inside the others' bounds),
    the smallest byte limit. The first profile's order is kept, so its sizes come first.

    Raises ``ValueError`` saying why when no image could satisfy them all.
    """
    names = ", ".join(p.name for p in profiles)
    formats = [p.formats for p in profiles if p.formats]
    shared = frozenset.intersection(*formats) if formats else frozenset()
    if formats and not shared:
        each = "; ".join(f"{p.name} {', '.join(sorted(p.formats))}" for p in profiles if p.formats)
        raise ValueError(f"no format every target takes ({each})")
    bounds = [p.aspect for p in profiles if p.aspect]
    aspect = (max(b[0] for b in bounds), min(b[1] for b in bounds)) if bounds else None
    if aspect and aspect[0] > aspect[1] + 1e-9:
        each = "; ".join(f"{p.name} {p.aspect[0]:g}..{p.aspect[1]:g}" for p in profiles if p.aspect)
        raise ValueError(f"no aspect every target takes ({each})")
    sides = [p.min_side for p in profiles if p.min_side]
    caps = [p.max_side for p in profiles if p.max_side]
    min_side, max_side = (max(sides) if sides else None), (min(caps) if caps else None)
    if min_side and max_side and min_side > max_side:
        raise ValueError(f"no side length every target takes (at least {min_side} px, at most {max_side} px)")
    listed = [p for p in profiles if p.sizes]
    sizes: tuple[Size, ...] = ()
    if listed:
        sizes = tuple(
            s
            for s in listed[0].sizes
            if all(s in p.sizes for p in listed[1:])
            and (aspect is None or aspect[0] - 1e-9 <= s.aspect <= aspect[1] + 1e-9)
            and (min_side is None or min(s.width, s.height) >= min_side)
            and (max_side is None or max(s.width, s.height) <= max_side)
        )
        if not sizes:
            each = "; ".join(f"{p.name} {', '.join(map(str, p.sizes))}" for p in listed)
            raise ValueError(f"no size every target takes ({each})")
    limits = [p for p in profiles if p.max_bytes]
    smallest = min(limits, key=lambda p: p.max_bytes) if limits else None
    return Profile(
        name="+".join(p.name for p in profiles),
        description=f"what {names} all accept",
        formats=shared,
        sizes=sizes,
        aspect=aspect,
        min_side=min_side,
        max_side=max_side,
        max_bytes=smallest.max_bytes if smallest else None,
        needs_alpha=any(p.needs_alpha for p in profiles),
        facts=tuple(f for f in (smallest.facts if smallest else ()) if f.field == "max_bytes"),
    )


@dataclass(frozen=True)
class Limits:
    """Per-file resource limits: pixels decoded, bytes read and seconds spent decoding.

    Decompression bombs stop at ``max_pixels``, before any decoding. ``max_decode_seconds`` is
    enforced where a timer can interrupt the decoder (see ``probe``); None means no time limit.
    """

    max_pixels: int = 2**28
    max_file_bytes: int = 2**30
    max_decode_seconds: float | None = 30.0


@dataclass(frozen=True)
class Target:
    """A resolved target for one file: the profile, the exact size (or ``None`` for ``auto``) and limits.

    ``formats`` and ``max_bytes`` start as the profile's values and may be overridden by configuration.
    ``seconds`` is the clip length a request asks for (set by the pre-flight guard; None for files).
    """

    profile: Profile
    size: Size | None = None
    formats: frozenset[str] | None = None
    max_bytes: int | None = None
    limits: Limits = Limits()
    seconds: str | None = None
    output: Size | None = None
    """The shape of what the service renders from the image (a video's aspect), when that is not an
    input size: an image of another aspect is cropped or padded by the service (SG107, a warning)."""
    problems: tuple[str, ...] = ()
    """Why the request's own parameters are refused (set by the pre-flight guard, reported by SG601)."""
    alternatives: tuple[str, ...] = ()
    """When the profile does not render ``size``: the run's profiles of models that do (SG105's advice)."""
    images: int | None = None
    """How many images the request sends where the profile's ``max_images`` applies (set by the
    pre-flight guard, checked by SG602)."""

    @classmethod
    def for_profile(cls, profile: Profile, size: Size | None = None, **overrides) -> Target:
        values = {"formats": profile.formats, "max_bytes": profile.max_bytes}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(profile=profile, size=size, **values)

    def fact(self, field: str) -> Fact | None:
        """The backing of the profile's ``field`` as this target applies it; None when configuration set
        the value (``formats`` or ``max_bytes`` other than the profile's), which is taken as given."""
        if field in ("formats", "max_bytes") and getattr(self, field) != getattr(self.profile, field):
            return None
        return self.profile.fact(field)

    def size_for(self, shape: Size) -> Size | None:
        """The exact size an image of displayed ``shape`` must have, or None when only bounds apply."""
        return self.size if self.size is not None else self.profile.nearest_size(shape)

    def with_size(self, size: Size | None) -> Target:
        return replace(self, size=size)

    def describe(self) -> str:
        return f"{self.profile.name} {self.size or 'auto'}"


@dataclass
class ImageInfo:
    """What the probe learned about one image, from headers first and pixels only when needed.

    ``stored`` is the size as encoded (a HEIF's after its rotation, mirroring and crop properties,
    which every reader applies); ``displayed`` the size after EXIF orientation. Fields stay
    ``None`` when the probe could not get that far; the ``*_error`` fields say why.
    """

    name: str
    extension: str = ""
    byte_size: int | None = None
    format: str | None = None
    stored: Size | None = None
    mode: str | None = None
    bits: int = 8
    orientation: int = 1
    has_icc: bool = False
    icc_description: str | None = None
    n_frames: int = 1
    """Frames of an animation, pages, or top-level images of a HEIF collection (a burst)."""
    auxiliary: tuple[str, ...] = ()
    """Images beside the shown one that are not frames: a HEIF's depth maps, HDR gain maps, thumbnails."""
    has_transparency: bool = False
    read_error: str | None = None
    identify_error: str | None = None
    decode_error: str | None = None
    too_many_pixels: bool = False
    decode_timeout: float | None = None
    """The ``max-decode-seconds`` limit that stopped decoding, when one did."""
    skipped: str | None = None
    """Why file discovery deliberately did not read this path (a symbolic link out of the tree)."""
    extraneous_bytes: tuple[int, int] | None = None
    """JPEG: (count, marker) of bytes between header segments that libjpeg skips with a warning."""
    declared_mime: str | None = None
    """The MIME type an upload announces (a data URL's, a tuple's, an SDK field's), when it says one."""
    folder: bool = False
    """Not a file but a folder: one a walk could not list, or a link to one it did not follow."""

    @property
    def displayed(self) -> Size | None:
        if self.stored is None:
            return None
        return self.stored.transposed() if self.orientation in (5, 6, 7, 8) else self.stored

    @property
    def readable(self) -> bool:
        """True when the header was read, so geometry and format rules can run."""
        return self.stored is not None and self.read_error is None and self.identify_error is None


@dataclass(frozen=True)
class Finding:
    """What a rule's check yields: a message, and optionally a severity other than the rule's default."""

    message: str
    severity: Severity | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One problem with one file, as reporters see it."""

    code: str
    name: str
    severity: Severity
    message: str
    fixable: bool
    target: str | None = None
    """The target (profile) this concerns, when a file is checked against several and not every one
    reports it; None when it holds for every target."""

    def to_dict(self) -> dict:
        found = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "fixable": self.fixable,
        }
        return found if self.target is None else {**found, "target": self.target}


class FixKind(str, enum.Enum):
    """What ``sora-guard fix`` does to repair a finding."""

    REFIT = "refit"
    """Decode, fit to the target size, convert colour and frames, encode again."""
    RENAME = "rename"
    """Give the file a name (or the upload a type) that matches its content; the bytes stay when nothing else changes."""
    SHRINK = "shrink"
    """Encode again, at lower qualities until the file fits the byte limit."""
    FLATTEN = "flatten"
    """Encode again with transparency flattened onto the configured ``background``."""


@dataclass(frozen=True)
class Fix:
    """How ``sora-guard fix`` repairs what a rule finds: ``title`` says it in a few words (shown by
    ``sora-guard rules``), ``kind`` what the repair does. A rule's warnings are fixed only when the
    rule is selected by its code (``--select SG406``), as ruff applies unsafe fixes only when asked."""

    title: str
    kind: FixKind = FixKind.REFIT


@dataclass(frozen=True)
class Rule:
    """A check with a stable code. ``doc`` is the user documentation (what, why, how to fix).

    ``fix`` says whether and how ``sora-guard fix`` repairs its findings (None: it cannot).
    ``always`` rules report a file that cannot be read as an image: their errors are reported
    whatever the selection says (an ignored or unselected one still shows them), as ruff always
    reports E902. ``stage`` is ``"fix"`` for the diagnostics only ``fix`` makes (a failed write, a
    result that would still fail): ``check`` never runs those. ``named`` and ``only_errors`` are
    set by selection: the rule was selected by its code; it is reported only for its errors.
    """

    code: str
    name: str
    summary: str
    severity: Severity
    check: Callable[[ImageInfo, Target], Iterable[Finding]]
    doc: str = ""
    needs_header: bool = True
    fix: Fix | None = None
    always: bool = False
    stage: str = "check"
    named: bool = False
    only_errors: bool = False

    @property
    def fixable(self) -> bool:
        """True when ``sora-guard fix`` can repair what this rule finds."""
        return self.fix is not None

    def run(self, info: ImageInfo, target: Target) -> list[Diagnostic]:
        if self.needs_header and not info.readable:
            return []
        found = [self.note(f.message, f.severity) for f in self.check(info, target)]
        return [d for d in found if d.severity is Severity.ERROR] if self.only_errors else found

    def note(self, message: str, severity: Severity | None = None) -> Diagnostic:
        """A diagnostic of this rule: fixable when the rule has a fix and it is an error, or a warning
        of a rule selected by its code."""
        severity = severity or self.severity
        fixable = self.fix is not None and (severity is Severity.ERROR or self.named)
        return Diagnostic(self.code, self.name, severity, message, fixable)


def rule(
    code: str,
    name: str,
    *,
    severity: Severity = Severity.ERROR,
    fix: Fix | str | None = None,
    fixable: bool = False,
    needs_header: bool = True,
    always: bool = False,
    stage: str = "check",
) -> Callable[[Callable[[ImageInfo, Target], Iterable[Finding]]], Rule]:
    """Turn a check function into a :class:`Rule`.

    The function's docstring is the rule's documentation: its first line is the summary, the rest
    says why the service cares and how to fix it. The function yields :class:`Finding` objects
    (or plain strings, taken as messages). ``fix`` is a :class:`Fix`, or its title for a
    :attr:`FixKind.REFIT`; ``fixable=True`` is a refit with a generic title.
    """
    if isinstance(fix, str):
        fix = Fix(fix)
    elif fix is None and fixable:
        fix = Fix("repaired by `sora-guard fix`")

    def decorate(func: Callable[[ImageInfo, Target], Iterable[Finding | str]]) -> Rule:
        doc = inspect.cleandoc(func.__doc__ or "")

        def check(info: ImageInfo, target: Target) -> Iterable[Finding]:
            return [f if isinstance(f, Finding) else Finding(f) for f in func(info, target)]

        return Rule(
            code=code,
            name=name,
            summary=doc.splitlines()[0] if doc else name,
            severity=severity,
            check=check,
            doc=doc,
            needs_header=needs_header,
            fix=fix,
            always=always,
            stage=stage,
        )

    return decorate


@dataclass
class FileReport:
    """The diagnostics for one file (or in-memory image)."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    info: ImageInfo | None = None
    target: Target | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    @property
    def fixable(self) -> list[Diagnostic]:
        """What ``fix`` would repair in this file: its fixable diagnostics, none when any error is not
        fixable (such a file is left to the user whole). The one count of "fixable" every reporter uses."""
        if any(not d.fixable for d in self.errors):
            return []
        return [d for d in self.diagnostics if d.fixable]

    @property
    def repairable(self) -> bool:
        """True when ``fix`` would change this file."""
        return bool(self.fixable)

    @property
    def folder(self) -> bool:
        """True for a folder's report (one a walk could not list, a link to one it did not follow)."""
        return self.info is not None and self.info.folder

    @property
    def expected_size(self) -> Size | None:
        if self.target is None or self.info is None or self.info.displayed is None:
            return None
        return self.target.size_for(self.info.displayed)


class Counts:
    """The totals every reporter states, kept one file at a time (streaming reporters add each file
    as it passes; :meth:`Report.counts` adds them all): files, those ``failing`` (with errors) and
    ``warned`` (warnings only), diagnostics, ``fixable`` ones, unreadable folders and skipped files.
    A plain class: see "Start-up" in docs/architecture.md."""

    __slots__ = ("files", "failing", "warned", "errors", "warnings", "fixable", "folders", "skipped")

    def __init__(self) -> None:
        self.files = self.failing = self.warned = self.errors = self.warnings = self.fixable = 0
        self.folders = 0
        self.skipped: dict[str, int] = {}
        """Files a walk did not read, by why (a format sora-guard does not read, no extension)."""

    def add(self, report: FileReport) -> None:
        errors = len(report.errors)
        self.errors += errors
        self.warnings += len(report.diagnostics) - errors
        self.fixable += len(report.fixable)
        if report.folder:
            self.folders += bool(errors)
        else:
            self.files += 1
            self.failing += bool(errors)
            self.warned += not errors and bool(report.diagnostics)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


@dataclass(frozen=True)
class Heading:
    """What a run checked, for the head of a report: the ``targets`` (profile names, or model names
    taken as targets) and ``size`` (``auto`` or ``WxH``), the working folder ``root``, the sora-guard
    ``version``, the ``argv`` of the command line as typed (empty when the API ran it) and the
    ``date`` it ran (ISO 8601, local time with its offset). Made by the run context."""

    targets: tuple[str, ...]
    size: str
    root: str
    version: str
    argv: tuple[str, ...] = ()
    date: str = ""

    @property
    def command(self) -> str:
        """The command line as a POSIX shell takes it (``""`` when the API ran)."""
        import shlex  # only for the reports that show it

        return shlex.join(self.argv)


@dataclass
class Report:
    """The result of one run over many files. ``skipped`` holds the files a walk met but did not read
    (each with ``path`` and ``reason``): no diagnostic, but counted in the summary. ``heading`` says
    what the run checked (None for a report a run context did not make); it is not compared."""

    files: list[FileReport] = field(default_factory=list)
    skipped: list = field(default_factory=list)
    heading: Heading | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def counts(self) -> Counts:
        counts = Counts()
        for f in self.files:
            counts.add(f)
        for item in self.skipped:
            counts.skip(item.reason)
        return counts

    def statistics(self) -> list[dict]:
        """Counts per code, most frequent first, in ruff's ``--statistics`` JSON shape:
        ``{"code", "name", "count", "fixable", "fixable_count"}``; ``fixable_count`` counts what fix
        would repair (:attr:`FileReport.fixable`)."""
        rows: dict[str, dict] = {}
        for f in self.files:
            repaired = f.fixable
            for d in f.diagnostics:
                row = rows.setdefault(
                    d.code, {"code": d.code, "name": d.name, "count": 0, "fixable": False, "fixable_count": 0}
                )
                row["count"] += 1
                row["fixable"] |= d.fixable
                row["fixable_count"] += d in repaired
        return sorted(rows.values(), key=lambda r: (-r["count"], r["code"]))
