"""Check the images an adapter found in a call with the engine, fix them when asked, and return the
call's arguments with exactly the checked bytes in place. Nothing here knows any SDK.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import io
import logging
import mimetypes
import os
import re
import shlex
import urllib.parse
from dataclasses import dataclass

from sora_guard.config import Settings
from sora_guard.config.lifecycle import SENT_ANYWAY, notices
from sora_guard.engine.check import check_info, check_path
from sora_guard.engine.fix import Status, repair
from sora_guard.engine.probe import probe_bytes
from sora_guard.engine.selection import select_rules
from sora_guard.guard.addresses import replace
from sora_guard.guard.scan import find_images
from sora_guard.io.read import read_bounded, read_stream
from sora_guard.plugins.host import profile_for_model
from sora_guard.plugins.names import model_owner
from sora_guard.run.fix import fix_spec
from sora_guard.vocabulary.exceptions import PreflightError, lookup
from sora_guard.vocabulary.formats import EXTENSION_FORMATS, FORMAT_EXTENSION, FORMAT_MIME, HEIF_MIMES
from sora_guard.vocabulary.guarding import Base64Text, ImageInput, Outgoing, Plan
from sora_guard.vocabulary.model import ANY_SERVICE, FileReport, ImageInfo, Profile, Severity, Size, Target

__all__ = ["Preflight", "Prepared", "SERVICE_INDEPENDENT"]

log = logging.getLogger("sora_guard.guard")
log.addHandler(logging.NullHandler())  # a library stays quiet unless the application configures logging

FETCH_TIMEOUT = 30.0
SERVICE_INDEPENDENT = ("SG203", "SG302", "SG404", "SG5")
"""Rules that hold for any service: the content is a readable, whole, still image of the declared type."""
CONFIGURED_RULES = {"formats": "SG201", "max_bytes": "SG301", "size": "SG101"}
"""The rule that holds an image to each configuration key: an image no profile claims is held to
the keys the user set, as ``sora-guard check`` without a target holds it."""


@dataclass
class Upload:
    """One image read into memory. ``name`` is what messages call it; ``filename`` what it is sent as."""

    name: str
    filename: str | None
    data: bytes
    declared: str | None
    headers: object = None


@dataclass
class Prepared:
    """A call's arguments after the checks, the reports they produced and notes to warn about."""

    arguments: dict
    reports: list[FileReport]
    notes: list[str]


def _redact(url: str) -> str:
    """A URL for messages: scheme, host, port and path only (user info and query strings may hold tokens)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _fix_paragraph(doc: str) -> str:
    """The ``Fix:`` paragraph of a rule's documentation, on one line, without reST markup."""
    match = re.search(r"^Fix:\s*(.*?)(?:\n\s*\n|\Z)", doc, re.S | re.M)
    return " ".join(match.group(1).replace("``", "").split()) if match else ""


def _b64decode(text: str) -> bytes:
    """Strict base64, allowing the line breaks some encoders insert (stripped only when decoding fails)."""
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return base64.b64decode("".join(text.split()), validate=True)


def _generic(mime: str | None) -> bool:
    """True for a MIME type that says nothing about the content (the SDK's fallback)."""
    return not mime or mime.lower().split(";")[0].strip() in (
        "application/octet-stream",
        "binary/octet-stream",
    )


def _within_strict(target: Target) -> Target:
    """``target`` with the stricter reading of its byte limit (``Fact.strict``): what fix mode makes
    passes either reading."""
    fact = target.fact("max_bytes")
    if fact is None or fact.strict is None or target.max_bytes is None:
        return target
    return dataclasses.replace(target, max_bytes=min(target.max_bytes, fact.strict))


def _can_fix(image: ImageInput) -> bool:
    """True when fix mode may repair ``image``: it allows it and the repair can be put back in the call
    (an input without ``encode``, a URL say, would still go out as it was: its errors are raised)."""
    return image.fixable and image.encode is not None


def _sent_as(profile: Profile, field: str) -> Profile:
    """``profile`` with the byte limit of one form of sending (``field``: ``max_data_uri``) as its
    ``max_bytes``, with that limit's fact; the profile itself when it leaves ``field`` unset."""
    value = getattr(profile, field, None)
    if field == "max_bytes" or value is None:
        return profile
    fact = profile.fact(field)
    facts = tuple(f for f in profile.facts if f.field != "max_bytes")
    facts += (dataclasses.replace(fact, field="max_bytes"),) if fact is not None else ()
    return dataclasses.replace(profile, max_bytes=value, facts=facts)


class Preflight:
    """Checks and prepares the images of guarded calls. ``fix`` names a fit strategy, or None to only check."""

    def __init__(
        self,
        settings: Settings,
        *,
        fix: str | None = None,
        profile: str | None = None,
        fetch_urls: bool = False,
    ):
        self.settings = settings
        self.fix = fix
        self.forced = profile
        self.fetch_urls = fetch_urls
        self.rules = settings.rules()
        keys = tuple(code for key, code in CONFIGURED_RULES.items() if getattr(settings, key) is not None)
        self.unclaimed_rules = select_rules(self.rules, SERVICE_INDEPENDENT + keys)
        names = {*settings.registry.profiles, *settings.profiles}
        self._profiles = [settings.resolve_profile(n) for n in sorted(names)]  # configured models count too
        self._by_name = {p.name: p for p in self._profiles}
        if profile is not None:
            settings.resolve_profile(profile)
        if fix is not None:
            lookup("strategy", fix, settings.registry.strategies)

    # -- what planners ask -------------------------------------------------------------------

    def profile_for_model(self, model: object, default: str | None) -> str | None:
        """``profile=`` when given, else the profile claiming ``model`` (built-in or configured), else ``default``."""
        if self.forced is not None:
            return self.forced
        found = profile_for_model(self._profiles, model) if isinstance(model, str) else None
        return found.name if found else default

    def _lifecycle(self, model: object, plan: Plan) -> list[str]:
        """Notices for a closed or retired profile or ``model`` this call targets (the call is still sent)."""
        names = dict.fromkeys(n for n in (plan.request_profile, *(i.profile for i in plan.images)) if n)
        targets = [(n, self.profile(n), "") for n in names]
        found = profile_for_model(self._profiles, model) if isinstance(model, str) else None
        return notices(targets + ([(model, found, "")] if found else []), SENT_ANYWAY)

    def profile_for_endpoint(self, endpoint: object) -> str | None:
        """``profile=`` when given, else the most specific configured ``[endpoints]`` pattern matching
        ``endpoint`` (in any case, as ``models`` are matched: :func:`model_owner`), else the profile
        whose ``models`` claim it (an id or a pattern such as ``fal-ai/kling-video/*``), else None:
        the service-independent checks."""
        if self.forced is not None:
            return self.forced
        if not isinstance(endpoint, str):
            return None
        patterns: dict[str, list[str]] = {}  # profile -> its patterns: the shape model_owner reads
        for pattern, name in self.settings.endpoints.items():
            patterns.setdefault(name, []).append(pattern)
        found = model_owner(endpoint, patterns)  # an id before a pattern, the longest; any case
        return found if found is not None else self.profile_for_model(endpoint, None)

    def profile(self, name: str) -> Profile:
        """The profile ``name`` as this run resolves it (configured fields applied)."""
        found = self._by_name.get(name)
        return found if found is not None else self.settings.resolve_profile(name)

    # -- one call ----------------------------------------------------------------------------

    def complete(self, plan: Plan, arguments: dict) -> Plan:
        """``plan`` with every other image in ``arguments`` added, against the profile of the call's ``model``.

        What the adapter listed (its images' addresses and ``plan.claimed``) is left to it; the rest
        of the arguments is searched at any depth (:mod:`sora_guard.guard.scan`).
        """
        claimed = [*(image.where for image in plan.images), *plan.claimed]
        found = find_images(arguments, claimed, self.profile_for_model(arguments.get("model"), None))
        plan.images.extend(found)
        return plan

    def prepare(self, call: str, plan: Plan, arguments: dict) -> Prepared:
        """Check every image of ``plan``; raise PreflightError on errors, else return the arguments to send."""
        notes = self._lifecycle(arguments.get("model"), plan) + list(plan.notes)
        reports = self._requests(plan, notes)
        fixable: list[FileReport] = []
        sizes: dict[str, Size] = {}
        out = arguments
        for image in plan.images:
            target, rules = self._target(image, sizes)
            outgoing, report = self._prepare_one(image, target, rules, notes)
            if report is None:
                continue
            reports.append(report)
            if _can_fix(image):
                fixable.append(report)
            if report.ok and report.info is not None and report.info.displayed is not None:
                sizes[image.label] = report.info.displayed
            if (
                outgoing is not None
                and image.encode is not None
                and (outgoing.changed or image.always_encode)
            ):
                out = replace(out, image.where, image.encode(outgoing))
        self._raise_on_errors(call, reports, fixable)
        return Prepared(out, reports, notes)

    def _requests(self, plan: Plan, notes: list[str]) -> list[FileReport]:
        """The request's own checks: its parameters against its profile (model, size, seconds, SG601),
        and each count of images against its profile's ``max_images`` (SG602). Warnings go to ``notes``."""
        limits = self.settings.limits()
        checks = []
        if plan.request_profile is not None or plan.problems:
            profile = self.profile(plan.request_profile) if plan.request_profile else ANY_SERVICE
            target = Target.for_profile(profile, plan.request_size, limits=limits)
            target = dataclasses.replace(target, seconds=plan.request_seconds, problems=tuple(plan.problems))
            checks.append(("<request>", target))
        for count in plan.counts:
            profile = self.profile(count.profile) if count.profile is not None else None
            if profile is not None and profile.max_images is not None and count.number > profile.max_images:
                target = Target.for_profile(
                    profile, limits=limits
                )  # only a count over the limit has a finding
                checks.append((f"<{count.what}>", dataclasses.replace(target, images=count.number)))
        reports = [check_info(ImageInfo(name=name), target, self.rules) for name, target in checks]
        for report in reports:
            notes.extend(
                f"{report.path}: {d.code} {d.name}: {d.message}"
                for d in report.diagnostics
                if d.severity is Severity.WARNING
            )
        return reports

    def _target(self, image: ImageInput, sizes: dict[str, Size]) -> tuple[Target, list]:
        """The target for one image, and the rules that apply to it (the byte limit of its form of
        sending, ``image.limit``, replacing the profile's, a configured ``max-bytes`` still capping it)."""
        size = image.size if image.same_size_as is None else sizes.get(image.same_size_as)
        if image.profile is None:  # the configured formats, max-bytes and size apply, as in the CLI
            chosen = size if size is not None else self.settings.size
            target = dataclasses.replace(self.settings, targets=(), size=chosen).target()
            rules = self.unclaimed_rules
        elif image.same_size_as is None:  # configuration's formats and max-bytes apply to the main images
            target = dataclasses.replace(self.settings, targets=(image.profile,), size=size).target()
            rules = self.rules
        else:  # a mask: its format and limit are the service's, not the configuration's
            profile = self.settings.resolve_profile(image.profile)
            target, rules = Target.for_profile(profile, size, limits=self.settings.limits()), self.rules
        sent_as = _sent_as(target.profile, image.limit)
        if sent_as is not target.profile:
            limit = min(sent_as.max_bytes, self.settings.max_bytes or sent_as.max_bytes)
            target = dataclasses.replace(target, profile=sent_as, max_bytes=limit)
        if image.ignore:
            rules = [r for r in rules if r.code not in image.ignore]
        return dataclasses.replace(target, output=image.output), rules

    def _prepare_one(
        self, image: ImageInput, target: Target, rules: list, notes: list[str]
    ) -> tuple[Outgoing | None, FileReport | None]:
        """The outgoing image (None: nothing to send in its place) and its report (None: not checked)."""
        if image.problem is not None:
            return None, self._failed(f"<{image.label}>", image.problem, target, rules)
        read = self._read(image.label, image.value, target, rules, notes, image.hint)
        if read is None or isinstance(read, FileReport):
            return None, read
        if image.source:
            read.name = image.source
        declared = image.declared_mime or read.declared
        info = probe_bytes(read.data, f"<{image.label}>", target.limits)
        info.declared_mime = None if _generic(declared) else declared
        report = check_info(info, target, rules)
        report.path = read.name
        data, fmt = read.data, info.format
        errors = report.errors
        if errors and self.fix is not None and _can_fix(image) and all(d.fixable for d in errors):
            if any(d.code != "SG203" for d in errors):
                data, fmt, report = self._fitted(read, image.label, _within_strict(target), rules)
            else:  # only the label was wrong: the same bytes go out under their real type
                report = dataclasses.replace(
                    report, diagnostics=[d for d in report.diagnostics if d.code != "SG203"]
                )
        if report.errors:
            return None, report
        for d in report.diagnostics:
            log.warning("%s: %s %s: %s", read.name, d.code, d.name, d.message)
            notes.append(f"{read.name}: {d.code} {d.name}: {d.message}")
        mime = FORMAT_MIME.get(fmt) or f"image/{fmt.lower()}"
        if declared is not None and {declared.lower(), mime} <= HEIF_MIMES:
            mime = declared.lower()  # the caller's name for HEIF content stays
        changed = data is not read.data or declared is None or declared.lower() != mime
        filename = self._filename(read, image.label, fmt)
        return Outgoing(data, fmt, mime, filename, changed, read.headers), report

    def _fitted(
        self, upload: Upload, label: str, target: Target, rules: list
    ) -> tuple[bytes, str | None, FileReport]:
        """Repair the image in memory with the engine (the pipeline ``sora-guard fix`` runs)."""
        spec = fix_spec(dataclasses.replace(self.settings, strategy=self.fix))
        result = repair(upload.data, f"<{label}>", target, rules, spec)
        for d in result.notes:
            if d.severity is Severity.WARNING:
                log.warning("%s: %s %s: %s", upload.name, d.code, d.name, d.message)
        if result.status is Status.FAILED:
            report = FileReport(upload.name, result.problems, result.before.info, target)
        else:
            report = result.after
            report.path = upload.name
        return result.output or upload.data, report.info.format if report.info else None, report

    @staticmethod
    def _filename(upload: Upload, label: str, fmt: str) -> str:
        """The upload's own name when its extension names ``fmt``, else its stem (or the field) + the right one."""
        extension = FORMAT_EXTENSION.get(fmt, "." + fmt.lower())
        stem, ext = os.path.splitext(upload.filename or "")
        if upload.filename and EXTENSION_FORMATS.get(ext.lower()) == fmt:
            return upload.filename
        return (stem or re.sub(r"\W+", "_", label.split("[")[0].rsplit(".", 1)[-1]) or "image") + extension

    # -- reading -----------------------------------------------------------------------------

    def _failed(self, name: str, reason: str, target: Target, rules: list) -> FileReport:
        """A report for an input that could not be read, through the engine's own rules (SG501)."""
        return check_info(ImageInfo(name=name, read_error=reason), target, rules)

    def _read(
        self, label: str, value: object, target: Target, rules: list, notes: list[str], hint: str = ""
    ) -> Upload | FileReport | None:
        """Read one image as the SDK would; None when it is absent or cannot be checked locally."""
        limit = target.limits.max_file_bytes  # what SG301 does not catch: inputs too big to read at all
        if isinstance(value, tuple) and len(value) >= 2:
            filename = value[0] if isinstance(value[0], str) else None
            inner = self._read(label, value[1], target, rules, notes, hint)
            if isinstance(inner, Upload):
                inner.filename = filename
                inner.name = filename or inner.name
                given = value[2] if len(value) > 2 and isinstance(value[2], str) else None
                inner.declared = given or (mimetypes.guess_type(filename)[0] if filename else None)
                inner.headers = value[3] if len(value) > 3 else None
            return inner
        if isinstance(value, (bytes, bytearray, memoryview)):
            return Upload(f"<{label} bytes>", None, bytes(value), None)
        if isinstance(value, Base64Text):
            return self._read_base64(label, value.text, target, rules)
        if isinstance(value, os.PathLike):
            return self._read_path(value, target, rules, limit)
        if isinstance(value, io.IOBase) and not isinstance(value, io.TextIOBase):
            return self._read_stream(label, value, target, rules, limit)
        if isinstance(value, str):
            return self._read_string(label, value, target, rules, notes, limit, hint)
        return None

    def _read_path(self, path: os.PathLike, target: Target, rules: list, limit: int) -> Upload | FileReport:
        name = os.fspath(path)
        name = name if isinstance(name, str) else os.fsdecode(name)
        try:
            data = read_bounded(path, limit)[1]
        except OSError:
            data = None
        if data is None:  # the check says why (missing, unreadable, over the read limit)
            return check_path(path, target, rules)
        return Upload(name, os.path.basename(name), data, mimetypes.guess_type(name)[0])

    def _read_stream(
        self, label: str, stream: io.IOBase, target: Target, rules: list, limit: int
    ) -> Upload | FileReport:
        raw_name = getattr(stream, "name", None)
        filename = os.path.basename(raw_name) if isinstance(raw_name, str) else None
        name = raw_name if filename else f"<{label} file object>"
        try:
            position = stream.tell()
            stream.seek(0)
        except (OSError, ValueError):
            position = None
        try:
            data = read_stream(stream, limit)
        except (OSError, ValueError) as exc:
            return self._failed(name, str(exc) or type(exc).__name__, target, rules)
        finally:
            if position is not None:
                stream.seek(position)
        if data is None:
            return self._failed(name, f"more than {limit} bytes, over the per-file read limit", target, rules)
        return Upload(name, filename, data, mimetypes.guess_type(filename)[0] if filename else None)

    def _read_string(
        self, label: str, text: str, target: Target, rules: list, notes: list[str], limit: int, hint: str
    ) -> Upload | FileReport | None:
        if text[:5].lower() == "data:":
            return self._read_data_url(label, text, target, rules)
        if self.fetch_urls and urllib.parse.urlsplit(text).scheme in ("http", "https"):
            return self._fetch(label, text, target, rules, limit)
        is_url = "://" in text
        shown = _redact(text) if is_url else text if len(text) < 80 else text[:77] + "..."
        if is_url and text[:4] == "http":
            hint = "; guard(client, fetch_urls=True) downloads and checks it" + hint
        notes.append(f"{label} {shown} cannot be checked locally and is passed through unchecked{hint}")
        return None

    def _read_data_url(self, label: str, url: str, target: Target, rules: list) -> Upload | FileReport:
        name = f"<{label} data URL>"
        head, comma, payload = url.partition(",")
        if not comma:
            return self._failed(name, "data URL has no ',' before its content", target, rules)
        declared = head[5:].split(";")[0].strip() or "text/plain"  # RFC 2397's default type
        if not head.lower().endswith(";base64"):
            return Upload(name, None, urllib.parse.unquote_to_bytes(payload), declared)
        read = self._read_base64(label, payload, target, rules, name)
        if isinstance(read, Upload):
            read.declared = declared
        return read

    def _read_base64(
        self, label: str, text: str, target: Target, rules: list, name: str | None = None
    ) -> Upload | FileReport:
        """Decode base64 text once; what SG301 or the read limit refuses is never decoded."""
        name = name or f"<{label} base64>"
        padding = 2 if text.endswith("==") else 1 if text.endswith("=") else 0
        size = len(text) * 3 // 4 - padding  # exact for unbroken base64
        if self.fix is None and target.max_bytes and size > target.max_bytes:
            return check_info(ImageInfo(name=name, byte_size=size), target, rules)
        if size > target.limits.max_file_bytes:
            return self._failed(
                name, f"{len(text)} characters of base64 is over the per-file read limit", target, rules
            )
        try:
            return Upload(name, None, _b64decode(text), None)
        except (binascii.Error, ValueError):
            return self._failed(name, "the content is not valid base64", target, rules)

    def _fetch(self, label: str, url: str, target: Target, rules: list, limit: int) -> Upload | FileReport:
        import urllib.request

        shown = _redact(url)
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
                data = response.read(limit + 1)
                declared = response.headers.get_content_type()
        except (OSError, ValueError) as exc:
            return self._failed(
                shown, f"download failed: {getattr(exc, 'reason', None) or exc}", target, rules
            )
        if len(data) > limit:
            return self._failed(
                shown, f"download is over the per-file read limit of {limit} bytes", target, rules
            )
        filename = os.path.basename(urllib.parse.urlsplit(url).path) or None
        return Upload(shown, filename, data, declared)

    # -- failure -----------------------------------------------------------------------------

    def _raise_on_errors(self, call: str, reports: list[FileReport], fixable: list[FileReport]) -> None:
        """Raise PreflightError when any report has errors; ``fixable`` lists the reports fix mode would repair."""
        failing = [r for r in reports if not r.ok]
        if failing:
            message = self._message(call, failing, [any(r is f for f in fixable) for r in failing])
            raise PreflightError(message, reports)

    def _message(self, call: str, reports: list[FileReport], guard_fixes: list[bool]) -> str:
        lines = [f"sora-guard stopped {call} before sending anything:"]
        hints: list[str] = []
        registry = self.settings.registry
        for r, fixes in zip(reports, guard_fixes):
            in_memory = fixes and self.fix is None and r.repairable
            blocking = [d for d in r.errors if not d.fixable]  # what no fix repairs comes first
            for d in r.errors:
                lines.append(f"  {r.path}: {d.code} {d.name}: {d.message}")
            for d in blocking or ([] if in_memory else r.errors):
                hint = _fix_paragraph(registry.rules[d.code].doc) if d.code in registry.rules else ""
                hints.append(f"  {d.code}: {hint}" if hint else "")
            if in_memory:
                hints.extend(self._fix_hints(r))
        hints = list(dict.fromkeys(h for h in hints if h))
        return "\n".join(lines + (["how to fix:", *hints] if hints else []))

    def _fix_hints(self, report: FileReport) -> list[str]:
        strategy = self.settings.strategy
        hints = [f'  fix it in memory: sora_guard.guard(client, fix="{strategy}")']
        size = report.expected_size
        if not report.path.startswith("<") and os.path.exists(report.path):
            profile = report.target.profile.name if report.target else ANY_SERVICE.name
            options = (f" --profile {profile}" if profile != ANY_SERVICE.name else "") + (
                f" --size {size}" if size else ""
            )
            hints.append(
                f"  or fix the file: sora-guard fix{options} --strategy {strategy} {shlex.quote(report.path)}"
            )
        return hints
