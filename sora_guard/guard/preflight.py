"""Pre-flight checks for OpenAI calls: find the uploads in a call's arguments, check them with the
engine, fix them when asked, and return arguments that upload exactly the checked bytes.
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
from sora_guard.engine.check import check_bytes, check_info, check_path
from sora_guard.engine.fix import Status, repair
from sora_guard.io.read import read_bounded, read_stream
from sora_guard.plugins.host import profile_for_model
from sora_guard.run.fix import fix_spec
from sora_guard.vocabulary.exceptions import PreflightError, lookup
from sora_guard.vocabulary.formats import EXTENSION_FORMATS, FORMAT_EXTENSION, FORMAT_MIME
from sora_guard.vocabulary.model import FileReport, ImageInfo, Severity, Size, Target

__all__ = ["Preflight", "Prepared", "VIDEO_DEFAULTS"]

log = logging.getLogger("sora_guard.guard")
log.addHandler(logging.NullHandler())  # a library stays quiet unless the application configures logging

VIDEO_DEFAULTS = {"model": "sora-2", "size": "720x1280"}
"""What the service uses when ``videos.create`` omits a parameter (the SDK's documented defaults)."""

IMAGE_EDIT_PROFILE = "openai-image-edit"
MASK_PROFILE = "openai-image-mask"
FETCH_TIMEOUT = 30.0


@dataclass
class Upload:
    """One file part read into memory. ``name`` is what messages call it; ``filename`` what it is uploaded as."""

    field: str
    name: str
    filename: str | None
    data: bytes
    headers: object = None
    reference: bool = False


@dataclass
class Prepared:
    """A call's arguments after the checks, the reports they produced and notes to warn about."""

    kwargs: dict
    reports: list[FileReport]
    notes: list[str]


def _failed(name: str, reason: str, target: Target, rules) -> FileReport:
    """A report for an input that could not be read, through the engine's own rules (SG501)."""
    return check_info(ImageInfo(name=name, read_error=reason), target, rules)


def _data_url_limit(target: Target) -> int:
    """Bytes a data URL may decode to: the target's byte limit when it has one (so SG301 text is
    never decoded just to be refused), else the per-file read limit."""
    return min(target.limits.max_file_bytes, target.max_bytes or target.limits.max_file_bytes)


def _redact(url: str) -> str:
    """A URL for messages: scheme, host, port and path only (user info and query strings may hold tokens)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _fix_paragraph(doc: str) -> str:
    """The ``Fix:`` paragraph of a rule's documentation, on one line, without reST markup."""
    match = re.search(r"^Fix:\s*(.*?)(?:\n\s*\n|\Z)", doc, re.S | re.M)
    return " ".join(match.group(1).replace("``", "").split()) if match else ""


class Preflight:
    """Checks and prepares the arguments of guarded calls. ``fix`` names a fit strategy, or None to only check.

    ``sends_references`` says whether the SDK can send ``{"image_url": ...}`` / ``{"file_id": ...}``
    itself (True), cannot (False: a checked data URL then goes out as a file upload), or is unknown.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        fix: str | None = None,
        profile: str | None = None,
        fetch_urls: bool = False,
        sends_references: bool | None = None,
    ):
        self.settings = settings
        self.fix = fix
        self.profile = profile
        self.fetch_urls = fetch_urls
        self.sends_references = sends_references
        self.rules = settings.rules()
        names = {*settings.registry.profiles, *settings.profiles}
        self._profiles = [settings.resolve_profile(n) for n in sorted(names)]  # configured models count too
        if profile is not None:
            settings.resolve_profile(profile)
        if fix is not None:
            lookup("strategy", fix, settings.registry.strategies)

    # -- targets -----------------------------------------------------------------------------

    def _video_target(self, model: str, size: Size, seconds: str | None) -> Target:
        name = self.profile
        if name is None:
            found = profile_for_model(self._profiles, model)
            name = found.name if found else self.settings.profile
        target = dataclasses.replace(self.settings, profile=name, size=size).target()
        return dataclasses.replace(target, seconds=seconds)

    def _target(self, profile: str, size: Size | None, *, configured: bool) -> Target:
        """A target for ``profile``; ``configured`` applies the configuration's ``formats`` and
        ``max-bytes`` too (not for a mask, whose format and limit the service fixes)."""
        if configured:
            return dataclasses.replace(self.settings, profile=profile, size=size).target()
        return Target.for_profile(self.settings.resolve_profile(profile), size, limits=self.settings.limits())

    # -- calls -------------------------------------------------------------------------------

    def videos_create(self, kwargs: dict) -> Prepared:
        """Check ``videos.create`` arguments: model/size/seconds and the ``input_reference`` image."""
        model = kwargs.get("model")
        model = model if isinstance(model, str) else VIDEO_DEFAULTS["model"]
        size_text = kwargs.get("size")
        size_text = size_text if isinstance(size_text, str) else VIDEO_DEFAULTS["size"]
        seconds = kwargs.get("seconds")
        try:
            size = Size.parse(size_text)
        except ValueError as exc:
            raise PreflightError(
                f"sora-guard stopped videos.create before sending anything: size {exc}", []
            ) from None
        target = self._video_target(model, size, str(seconds) if isinstance(seconds, (str, int)) else None)
        notes: list[str] = []
        value, report = self._prepare(
            "input_reference", kwargs.get("input_reference"), target, notes, fixable=True
        )
        if report is None:
            report = check_info(ImageInfo(name="<request>"), target, self.rules)
        self._raise_on_errors("videos.create", [report], fixable=[report])
        out = dict(kwargs)
        if value is not None:
            out["input_reference"] = value
        return Prepared(out, [report], notes)

    def images_edit(self, kwargs: dict) -> Prepared:
        """Check ``images.edit`` arguments: each image, and the mask and markup against the first image's size."""
        target = self._target(IMAGE_EDIT_PROFILE, None, configured=True)
        notes: list[str] = []
        out = dict(kwargs)
        reports: list[FileReport] = []
        images = kwargs.get("image")
        many = isinstance(images, list)
        prepared = []
        for i, item in enumerate(images if many else [images]):
            value, report = self._prepare(
                "image", item, target, notes, fixable=True, index=i if many else None
            )
            prepared.append(item if value is None else value)
            if report is not None:
                reports.append(report)
        if "image" in kwargs:  # a missing image stays missing: the SDK reports it
            out["image"] = prepared if many else prepared[0]
        image_reports = list(reports)
        first = reports[0] if reports else None
        size = first.info.displayed if first is not None and first.ok else None
        for field, profile in (("mask", MASK_PROFILE), ("markup", IMAGE_EDIT_PROFILE)):
            if field in kwargs:
                value, report = self._prepare(
                    field, kwargs[field], self._target(profile, size, configured=False), notes
                )
                if value is not None:
                    out[field] = value
                if report is not None:
                    reports.append(report)
        self._raise_on_errors("images.edit", reports, fixable=image_reports)
        return Prepared(out, reports, notes)

    # -- one upload --------------------------------------------------------------------------

    def _prepare(
        self,
        field: str,
        value: object,
        target: Target,
        notes: list[str],
        *,
        fixable: bool = False,
        index: int | None = None,
    ) -> tuple[object | None, FileReport | None]:
        """The outgoing value for one upload (None: leave it as it is) and its report (None: not checked)."""
        label = field if index is None else f"{field}[{index}]"
        read = self._read(label, value, target, notes)
        if read is None or isinstance(read, FileReport):
            return None, read
        # Checked nameless: the upload leaves under a name taken from its content, so SG202 cannot apply.
        report = check_bytes(read.data, target, self.rules, name=f"<{label}>")
        report.path = read.name
        data, fmt = read.data, report.info.format
        if fixable and self.fix is not None and report.errors and all(d.fixable for d in report.errors):
            data, fmt, report = self._fitted(read, target)
        if report.errors:
            return None, report
        for d in report.diagnostics:
            log.warning("%s: %s %s: %s", read.name, d.code, d.name, d.message)
        if read.reference and self.sends_references and data is read.data:
            return None, report  # the SDK sends the data URL as it is
        if read.reference:
            log.info("%s: checked, and sent as a file upload of the same image", read.name)
        return self._outgoing(read, data, fmt), report

    def _fitted(self, upload: Upload, target: Target) -> tuple[bytes, str | None, FileReport]:
        """Fix the upload in memory with ``sora-guard fix``'s own code and the chosen strategy."""
        spec = fix_spec(dataclasses.replace(self.settings, strategy=self.fix))
        result = repair(upload.data, f"<{upload.field}>", target, self.rules, spec)
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
    def _outgoing(upload: Upload, data: bytes, fmt: str) -> tuple:
        """``(name, bytes, MIME[, headers])`` with the extension and MIME type of the real content."""
        extension = FORMAT_EXTENSION.get(fmt, "." + fmt.lower())
        stem, ext = os.path.splitext(upload.filename or "")
        filename = (
            upload.filename
            if upload.filename and EXTENSION_FORMATS.get(ext.lower()) == fmt
            else (stem or upload.field) + extension
        )
        mime = FORMAT_MIME.get(fmt) or mimetypes.guess_type(filename)[0] or f"image/{fmt.lower()}"
        return (filename, data, mime) if upload.headers is None else (filename, data, mime, upload.headers)

    def _read(
        self, label: str, value: object, target: Target, notes: list[str]
    ) -> Upload | FileReport | None:
        """Read one upload as the SDK would; None when it is absent or cannot be checked locally."""
        limit = target.limits.max_file_bytes  # what SG301 does not catch: uploads too big to read at all
        if isinstance(value, tuple) and len(value) >= 2:
            filename = value[0] if isinstance(value[0], str) else None
            inner = self._read(label, value[1], target, notes)
            if isinstance(inner, Upload):
                inner.filename = filename
                inner.name = filename or inner.name
                inner.headers = value[3] if len(value) > 3 else None
            return inner
        if isinstance(value, bytes):
            return Upload(label, f"<{label} bytes>", None, value)
        if isinstance(value, os.PathLike):
            return self._read_path(label, value, target, limit)
        if isinstance(value, io.IOBase) and not isinstance(value, io.TextIOBase):
            return self._read_stream(label, value, target, limit)
        if isinstance(value, dict):
            return self._read_reference(label, value, target, notes, limit)
        return None

    def _read_path(self, label: str, path: os.PathLike, target: Target, limit: int) -> Upload | FileReport:
        name = os.fspath(path)
        name = name if isinstance(name, str) else os.fsdecode(name)
        try:
            data = read_bounded(path, limit)[1]
        except OSError:
            data = None
        if data is None:  # the check says why (missing, unreadable, over the read limit)
            return check_path(path, target, self.rules)
        return Upload(label, name, os.path.basename(name), data)

    def _read_stream(self, label: str, stream: io.IOBase, target: Target, limit: int) -> Upload | FileReport:
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
            return _failed(name, str(exc) or type(exc).__name__, target, self.rules)
        finally:
            if position is not None:
                stream.seek(position)
        if data is None:
            return _failed(name, f"more than {limit} bytes, over the per-file read limit", target, self.rules)
        return Upload(label, name, filename, data)

    def _read_reference(
        self, label: str, value: dict, target: Target, notes: list[str], limit: int
    ) -> Upload | FileReport | None:
        url = value.get("image_url")
        if isinstance(url, str) and url[:5].lower() == "data:":
            return self._read_data_url(label, url, target)
        if (
            isinstance(url, str)
            and self.fetch_urls
            and urllib.parse.urlsplit(url).scheme in ("http", "https")
        ):
            return self._fetch(label, url, target, limit)
        what = (
            f"image_url {_redact(url)}"
            if isinstance(url, str)
            else "file_id"
            if "file_id" in value
            else "reference"
        )
        hint = "; guard(client, fetch_urls=True) downloads and checks it" if isinstance(url, str) else ""
        if self.sends_references is False:
            hint += "; note: this openai version cannot send a reference dict from this call (it raises RuntimeError): upload a file"
        notes.append(f"{label} {what} cannot be checked locally and is passed through unchecked{hint}")
        return None

    def _read_data_url(self, label: str, url: str, target: Target) -> Upload | FileReport:
        name = f"<{label} data URL>"
        head, comma, payload = url.partition(",")
        if not comma:
            return _failed(name, "data URL has no ',' before its content", target, self.rules)
        limit = _data_url_limit(target)
        if len(payload) > (limit * 4) // 3 + 4:
            return _failed(
                name,
                f"data URL of {len(payload)} characters decodes to more than the limit of {limit} bytes",
                target,
                self.rules,
            )
        try:
            if head.lower().endswith(";base64"):
                data = base64.b64decode(re.sub(r"\s+", "", payload), validate=True)
            else:
                data = urllib.parse.unquote_to_bytes(payload)
        except (binascii.Error, ValueError):
            return _failed(name, "data URL content is not valid base64", target, self.rules)
        return Upload(label, name, None, data, reference=True)

    def _fetch(self, label: str, url: str, target: Target, limit: int) -> Upload | FileReport:
        import urllib.request

        shown = _redact(url)
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
                data = read_stream(response, limit)
        except (OSError, ValueError) as exc:
            return _failed(
                shown, f"download failed: {getattr(exc, 'reason', None) or exc}", target, self.rules
            )
        if data is None:
            return _failed(
                shown, f"download is over the per-file read limit of {limit} bytes", target, self.rules
            )
        filename = os.path.basename(urllib.parse.urlsplit(url).path) or None
        return Upload(label, shown, filename, data)

    # -- failure -----------------------------------------------------------------------------

    def _raise_on_errors(self, call: str, reports: list[FileReport], fixable: list[FileReport]) -> None:
        """Raise PreflightError when any report has errors; ``fixable`` lists the reports fix mode would repair."""
        failing = [r for r in reports if not r.ok]
        if failing:
            raise PreflightError(
                self._message(call, failing, [any(r is f for f in fixable) for r in failing]), reports
            )

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
            profile = report.target.profile.name if report.target else self.settings.profile
            options = (f" --profile {profile}" if profile != "sora-2" else "") + (
                f" --size {size}" if size else ""
            )
            hints.append(
                f"  or fix the file: sora-guard fix{options} --strategy {strategy} {shlex.quote(report.path)}"
            )
        return hints
