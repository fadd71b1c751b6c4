"""``fix``: repair one file or many, deciding with the engine's own check, writing atomically.

A file that passes ``check`` is never rewritten. A file with only fixable errors is decoded once,
fitted to ``Target.size_for`` (the size the check demands), colour-normalised and encoded, and
the result is checked again before anything is written: if it would still fail, nothing is
written. Unfixable files (corrupt, unreadable, too large to decode) are reported and left alone.

Fix-stage problems are diagnostics with codes of their own (``FIX_CODES``).
"""

from __future__ import annotations

import enum
import errno
import io
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .atomic import _fsync_dir, atomic_write_bytes, remove_stale
from .config import Settings
from .engine import check_bytes, check_info, check_path
from .fitting import FitError, Fitted, encode, fit_opened, get_strategy, output_format, output_size
from .model import Diagnostic, FileReport, ImageInfo, Rule, Severity, Target
from .probe import EXTENSION_FORMATS, FORMAT_EXTENSION, probe_image, scan_bomb
from .strategies import FitOptions

__all__ = ["Status", "FixJob", "FixResult", "FIX_CODES", "fix_file", "fix_bytes", "fix_files", "fix_paths", "plan", "Summary", "summarise", "describe", "mirror", "validate"]

FIX_CODES = {
    "SG901": ("write-failed", "the fixed file could not be written (read-only file or folder, disk full); the original is untouched"),
    "SG902": ("not-fixed", "the repaired image would still fail the check (or the strategy failed), so nothing was written"),
    "SG903": ("name-taken", "the converted file needs a new extension, but a file with that name exists; nothing was written"),
    "SG911": ("enlarged", "the picture had to be enlarged more than 2x; it will look soft"),
    "SG912": ("distorted", "the stretch strategy changed the picture's proportions"),
    "SG913": ("profile-ignored", "the embedded colour profile could not be applied; pixels were taken as sRGB"),
    "SG914": ("renamed", "the file's format changed, so its extension changed with it"),
}
"""Codes of fix-stage diagnostics: (name, meaning)."""

LOWER_QUALITIES = (85, 75, 65, 50)
"""JPEG/WebP qualities tried, in order, when the fixed file is over the byte limit."""


def _diag(code: str, message: str, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(code, FIX_CODES[code][0], severity, message, False)


class Status(str, enum.Enum):
    UNCHANGED = "unchanged"
    FIXED = "fixed"
    FAILED = "failed"


@dataclass(frozen=True)
class FixJob:
    """One file to fix. ``out`` is where the result goes (``None``: in place); ``dry_run`` writes nothing.

    ``anchor`` and ``crop_box`` override the fit options (in displayed fractions); ``keep`` puts
    the resulting bytes in ``FixResult.output`` (in-memory fixing; off for files, to keep memory flat).
    """

    path: str
    out: str | None = None
    dry_run: bool = False
    anchor: tuple[float, float] | None = None
    crop_box: tuple[float, float, float, float] | None = None
    keep: bool = False
    out_root: str | None = None
    """The ``--out`` folder: nothing is written where it resolves outside it (a symbolic link in the tree)."""
    exclusive: bool = False
    """Another source of this run has the same ``out`` name but for its extension (``a.gif``, ``a.tif``):
    a conversion could land both on one name, so an existing file is never replaced."""


@dataclass
class FixResult:
    """What ``fix`` did (or would do) to one file."""

    path: str
    status: Status
    before: FileReport
    after: FileReport | None = None
    dest: str | None = None
    changes: list[str] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    dry_run: bool = False
    output: bytes | None = field(default=None, repr=False)
    """With ``FixJob.keep``: the bytes that pass (the fixed image, or the original when unchanged)."""

    @property
    def renamed(self) -> bool:
        return self.dest is not None and os.path.splitext(self.dest)[1] != os.path.splitext(self.path)[1]

    @property
    def problems(self) -> list[Diagnostic]:
        """Why the file is not compliant after the run (empty unless it failed)."""
        if self.status is not Status.FAILED:
            return []
        errors = self.before.errors
        return [d for d in self.notes if d.severity is Severity.ERROR] or [d for d in errors if not d.fixable] or errors


_cleaned: set[str] = set()


def _prepare_folder(folder: str) -> None:
    """Remove temporary files an interrupted run left here (once per folder per process)."""
    if folder not in _cleaned:
        _cleaned.add(folder)
        remove_stale(folder)


def _read_only(path: str, *, must_exist: bool) -> str | None:
    """Why ``path`` may not be written (or replaced), or None. Honours read-only bits even for root."""
    folder = os.path.dirname(os.path.abspath(path))
    if must_exist or os.path.exists(path):
        try:
            st = os.stat(path)
        except OSError as exc:
            return exc.strerror or str(exc)
        if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
            return "the file is read-only" if os.path.lexists(path) else os.strerror(errno.ENOENT)  # gone meanwhile
    try:
        if not os.stat(folder).st_mode & 0o222 or not os.access(folder, os.W_OK | os.X_OK):
            return f"the folder {folder} is read-only"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _dest_name(path: str, fmt: str) -> str:
    """``path`` with an extension that names ``fmt`` (unchanged when it already does)."""
    stem, ext = os.path.splitext(path)
    return path if EXTENSION_FORMATS.get(ext.lower()) == fmt else stem + FORMAT_EXTENSION[fmt]


def _describe(info: ImageInfo | None) -> str:
    if info is None or info.stored is None:
        return "?"
    parts = [info.format or "?", str(info.displayed), info.mode or "?"]
    if info.orientation != 1:
        parts.append(f"orientation {info.orientation}")
    if info.byte_size is not None:
        parts.append(f"{info.byte_size:,} bytes")
    return " ".join(parts)


def _read(path: str, limit: int, storage_options=None) -> bytes | None:
    if "://" in path:
        from .storage import read_object

        try:
            return read_object(path, storage_options, limit)[1]
        except OSError:
            return None
    try:
        with open(path, "rb") as fp:
            if os.fstat(fp.fileno()).st_size > limit:
                return None
            return fp.read()
    except OSError:
        return None


def fix_file(job: FixJob, settings: Settings) -> FixResult:
    """Fix one file with the settings that apply to its path. Never raises for the file's content."""
    own = settings.for_path(job.path)
    target, rules = own.target(), own.rules()
    data = _read(job.path, target.limits.max_file_bytes, own.storage_options)
    if data is None:
        return FixResult(job.path, Status.FAILED, check_path(job.path, target, rules, own.storage_options), dry_run=job.dry_run)
    return _fix_data(job, own, data, target, rules)


def fix_bytes(data: bytes, name: str, settings: Settings, target: Target | None = None, rules: list[Rule] | None = None) -> FixResult:
    """Fix an image held in memory and write nothing; ``output`` holds the bytes to use.

    The same decisions and pipeline as :func:`fix_file` (the pre-flight guard's fix mode runs it).
    ``name`` is what reports call the image; ``target`` and ``rules`` default to the settings' own.
    """
    target = target or settings.target()
    return _fix_data(FixJob(name, dry_run=True, keep=True), settings, data, target, settings.rules() if rules is None else rules)


def _fix_data(job: FixJob, own: Settings, data: bytes, target: Target, rules: list[Rule]) -> FixResult:
    try:
        from PIL import Image

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data))
    except Exception:
        return FixResult(job.path, Status.FAILED, check_bytes(data, target, rules, job.path), dry_run=job.dry_run)
    with im:
        return _fix_opened(job, own, im, data, target, rules)


_TECHNICAL_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "adobe", "adobe_transform", "progressive", "progression", "gamma", "srgb", "chromaticity", "transparency", "interlace", "aspect"}
"""``Image.info`` keys that say how to decode the pixels, not who took them, where or when."""


def _carries_metadata(im, info: ImageInfo) -> bool:
    """True when the file holds EXIF (GPS), XMP, comments, text or a colour profile: then even a
    rename re-encodes it, so a fixed file never carries them."""
    return info.has_icc or bool(im.getexif()) or any(key not in _TECHNICAL_INFO for key in im.info)


def _fix_opened(job: FixJob, own: Settings, im, data: bytes, target, rules) -> FixResult:
    from .probe import decode_deadline, DecodeTimeout

    try:
        with decode_deadline(target.limits.max_decode_seconds):  # reading a PNG's EXIF decodes the whole image
            info = probe_image(im, job.path)
    except DecodeTimeout:
        return FixResult(job.path, Status.FAILED, check_bytes(data, target, rules, job.path), dry_run=job.dry_run)
    info.byte_size = len(data)
    if info.stored.pixels > target.limits.max_pixels or scan_bomb(data, info.format):
        return FixResult(job.path, Status.FAILED, check_bytes(data, target, rules, job.path), dry_run=job.dry_run)
    before = check_info(info, target, rules)
    if before.ok or any(not d.fixable for d in before.errors):
        full = check_bytes(data, target, rules, job.path)  # proves the pixel data decodes
        if full.ok:
            return _unchanged(job, full, data, own.storage_options)
        if any(not d.fixable for d in full.errors):
            return FixResult(job.path, Status.FAILED, full, dry_run=job.dry_run)
        before = full  # fixable problems only the full probe sees
    fmt = output_format(info.format, target, own.convert_to, info.has_transparency)
    dest = _dest_name(job.out or job.path, fmt)
    notes: list[Diagnostic] = []
    changes: list[str] = []
    if {d.code for d in before.errors} <= {"SG202"} and fmt == info.format and not _carries_metadata(im, info):
        out, after = data, check_bytes(data, target, rules, dest)  # a rename: the bytes stay as they are
        if not after.ok:
            return FixResult(job.path, Status.FAILED, after, dry_run=job.dry_run)
    else:
        strategy = get_strategy(own.strategy, own.registry)
        options = FitOptions(background=own.background, anchor=job.anchor or (0.5, 0.5), crop_box=job.crop_box)
        size = output_size(info.displayed, target)
        try:
            fitted = fit_opened(im, size, strategy, options, info.orientation, target.limits.max_decode_seconds)
        except FitError as exc:
            if exc.kind == "strategy":
                return FixResult(job.path, Status.FAILED, before, notes=[_diag("SG902", str(exc))], dry_run=job.dry_run)
            if exc.kind == "timeout":
                info.decode_timeout = target.limits.max_decode_seconds
            else:
                info.decode_error = str(exc)
            return FixResult(job.path, Status.FAILED, check_info(info, target, rules), dry_run=job.dry_run)
        notes.extend(_diag(code, message, Severity.WARNING) for code, message in fitted.notes)
        out, after = _encode_within_limit(fitted, fmt, own, target, rules, dest)
        if not after.ok:
            failing = ", ".join(f"{d.code} {d.message}" for d in after.errors)
            return FixResult(job.path, Status.FAILED, before, after, notes=notes + [_diag("SG902", f"the result would still fail: {failing}")], dry_run=job.dry_run)
        changes.append(_change(info, fitted, size, fmt))
    if dest != (job.out or job.path):
        notes.append(_diag("SG914", f"content is now {fmt}: renamed to {os.path.basename(dest)}", Severity.WARNING))
    result = FixResult(job.path, Status.FIXED, before, after, dest, changes, notes, job.dry_run, out if job.keep else None)
    if not job.dry_run:
        problem = _write(job, dest, out, own.storage_options)
        if problem is not None:
            result.status, result.dest = Status.FAILED, None
            result.notes.append(problem)
    return result


def _change(info: ImageInfo, fitted: Fitted, size, fmt: str) -> str:
    text = f"{info.displayed} -> {size}" + (f" ({fitted.strategy})" if info.displayed != size else "")
    if fmt != info.format:
        text += f", {info.format} -> {fmt}"
    return text


def _encode_within_limit(fitted: Fitted, fmt: str, own: Settings, target, rules, dest: str) -> tuple[bytes, FileReport]:
    """Encode at the configured quality; over the byte limit, retry lossy formats at lower qualities."""
    qualities = [own.quality] + ([q for q in LOWER_QUALITIES if q < own.quality] if fmt in ("JPEG", "WEBP") else [])
    for quality in qualities:
        out = encode(fitted.image, fmt, quality, own.background, target.profile.needs_alpha)
        after = check_bytes(out, target, rules, dest)
        if after.ok or "SG301" not in {d.code for d in after.errors}:
            break
    return out, after


def _unchanged(job: FixJob, report: FileReport, data: bytes, storage_options=None) -> FixResult:
    """A file that already passes: left byte-identical (copied as it is into an ``--out`` tree)."""
    result = FixResult(job.path, Status.UNCHANGED, report, report, job.out or job.path, dry_run=job.dry_run, output=data if job.keep else None)
    if job.out and not job.dry_run:
        problem = _write(job, job.out, data, storage_options)
        if problem is not None:
            result.status = Status.FAILED
            result.notes.append(problem)
    return result


def _write(job: FixJob, dest: str, data: bytes, storage_options=None) -> Diagnostic | None:
    """Write ``data`` to ``dest`` atomically; in place, remove the old name after a rename."""
    if "://" in dest:
        return _write_url(job, dest, data, storage_options)
    try:
        folder = os.path.dirname(os.path.abspath(dest))
        if job.out:
            if job.out_root is not None and not _within(folder, job.out_root):
                return _diag("SG901", f"cannot write {dest}: a symbolic link leads out of {job.out_root}; nothing written")
            os.makedirs(folder, exist_ok=True)
        if not job.out and os.path.islink(job.path):
            return _diag("SG901", f"cannot write {job.path}: it is a symbolic link to {os.readlink(job.path)}; fix that file instead; nothing changed")
        reason = _read_only(dest, must_exist=False) if job.out else _read_only(job.path, must_exist=True)
        if reason:
            return _diag("SG901", f"cannot write {dest}: {reason}; nothing changed")
        _prepare_folder(folder)
        if job.out and job.exclusive:
            try:
                atomic_write_bytes(dest, data, overwrite=False)
            except FileExistsError:
                if not _holds(dest, data):
                    return _diag("SG903", f"cannot write {dest}: it exists, and another source of this run has that name once converted; nothing written")
            return None
        if job.out or dest == job.path:
            atomic_write_bytes(dest, data, like=None if job.out else job.path)
            return None
        try:
            atomic_write_bytes(dest, data, overwrite=False, like=job.path)
        except FileExistsError:
            if not _holds(dest, data):
                return _diag("SG903", f"cannot rename to {dest}: that file exists; nothing changed")
            # a run killed between writing the new name and removing the old one: finish its rename
        try:
            os.unlink(job.path)
        except FileNotFoundError:  # a run working alongside removed it first: the rename is done
            pass
        _fsync_dir(folder)
    except OSError as exc:
        return _diag("SG901", f"cannot write {dest}: {exc.strerror or exc}; the original is untouched")
    return None


def _within(folder: str, root: str) -> bool:
    """True when ``folder`` (existing or not) resolves, through any symbolic links, inside ``root``."""
    real, top = os.path.realpath(folder), os.path.realpath(root)
    return real == top or real.startswith(os.path.join(top, ""))


def _holds(path: str, data: bytes) -> bool:
    """True when ``path`` holds exactly ``data``."""
    try:
        with open(path, "rb") as fp:
            return fp.read(len(data) + 1) == data
    except OSError:
        return False


def _write_url(job: FixJob, dest: str, data: bytes, storage_options) -> Diagnostic | None:
    """:func:`_write` for object storage: a temporary key moved onto ``dest``; a rename deletes the old key last."""
    from .storage import exists, put_atomic, read_object, remove, remove_stale

    renamed = not job.out and dest != job.path
    try:
        folder = dest.rsplit("/", 1)[0]
        if folder not in _cleaned:
            _cleaned.add(folder)
            remove_stale(folder, storage_options)
        if not renamed:
            put_atomic(dest, data, storage_options)
            return None
        if not exists(dest, storage_options):
            put_atomic(dest, data, storage_options)
        elif read_object(dest, storage_options, len(data))[1] != data:
            return _diag("SG903", f"cannot rename to {dest}: that object exists; nothing changed")
        # else a run stopped between writing the new name and removing the old one: finish its rename
        remove(job.path, storage_options)
    except OSError as exc:
        return _diag("SG901", f"cannot write {dest}: {exc}; the original is untouched")
    return None


def fix_files(jobs: Iterable[FixJob], settings: Settings, workers: int | None = None, executor=None, cache=None) -> Iterator[FixResult]:
    """Fix many files over all cores (bounded memory), streaming results in input order.

    ``executor`` is any object with the runner's ``map(func, items, settings)``; default: this
    machine. With a check ``cache``, files it knows to pass (unchanged since) are not even read,
    and files found to pass are remembered for ``check`` and the next ``fix``.
    """
    from .runner import parallel_map

    jobs = list(jobs)
    keys: dict[int, tuple] = {}
    passing: set[int] = set()  # indices the cache knows to pass (their reports are re-read when yielded)
    if cache is not None:
        for i, job in enumerate(jobs):
            key = cache.key(job.path)
            if key is None:
                continue
            keys[i] = key
            hit = cache.get(job.path, key, settings.for_path(job.path).target())
            if hit is not None and hit.ok and not job.out:
                passing.add(i)
    todo = [job for i, job in enumerate(jobs) if i not in passing]
    run = executor.map(fix_file, todo, settings) if executor is not None else parallel_map(fix_file, todo, settings, workers)
    done = iter(run)
    try:
        for i, job in enumerate(jobs):
            if i in passing:
                hit = cache.get(job.path, keys[i], settings.for_path(job.path).target())
                yield FixResult(job.path, Status.UNCHANGED, hit, hit, job.path, dry_run=job.dry_run)
                continue
            result = next(done)
            if i in keys and result.status is Status.UNCHANGED and not job.out:
                cache.put(job.path, keys[i], result.before)
            yield result
    finally:
        if cache is not None:
            cache.save()


def plan(
    paths: Iterable[str | os.PathLike],
    settings: Settings,
    out: str | os.PathLike | None = None,
    dry_run: bool = False,
    anchor: tuple[float, float] | None = None,
    crop_box: tuple[float, float, float, float] | None = None,
    skipped: list | None = None,
) -> list[FixJob]:
    """One job per file found under ``paths``; with ``out``, each aimed at its place in the mirrored tree.

    Paths the walk did not yield (unreadable folders, links out of the tree) go to ``skipped``.
    """
    from .files import discover

    out = os.fspath(out) if out is not None else None
    jobs = []
    seen: set[str] = set()
    for root in paths:
        root = os.fspath(root)
        for path in discover([root], settings, skipped):
            if (out and _inside(path, out)) or os.path.normpath(path) in seen:
                continue  # never re-fix our own output, nor a file named twice (``fix a a/b``)
            seen.add(os.path.normpath(path))
            jobs.append(FixJob(path, mirror(path, root, out) if out else None, dry_run, anchor, crop_box, out_root=out))
    if out is None:  # in place a link is never replaced; a file linked from the tree is fixed under its own name
        real = {os.path.realpath(j.path) for j in jobs if not os.path.islink(j.path)}
        jobs = [j for j in jobs if not (os.path.islink(j.path) and os.path.realpath(j.path) in real)]
    else:  # sources whose out names differ only in extension may meet on one name after a conversion
        from dataclasses import replace

        stems = Counter(os.path.splitext(j.out)[0] for j in jobs)
        jobs = [replace(j, exclusive=True) if stems[os.path.splitext(j.out)[0]] > 1 else j for j in jobs]
    return jobs


def _inside(path: str, folder: str) -> bool:
    """True when ``path`` lies below ``folder`` (local paths, or URL prefixes)."""
    if "://" in path or "://" in folder:
        return path.startswith(folder.rstrip("/") + "/")
    return os.path.abspath(path).startswith(os.path.abspath(folder) + os.sep)


def fix_paths(
    paths: Iterable[str | os.PathLike],
    *,
    out: str | os.PathLike | None = None,
    dry_run: bool = False,
    anchor: tuple[float, float] | None = None,
    crop_box: tuple[float, float, float, float] | None = None,
    settings: Settings | None = None,
    jobs: int | None = None,
    executor=None,
    **options,
) -> list[FixResult]:
    """Fix files and folders like ``sora-guard fix`` (Python API); options are configuration keys.

    ``sora_guard.fix_paths(["assets"], size="1280x720", strategy="blur-pad", out="fixed")``; paths
    and ``out`` may be URLs, and ``executor`` (e.g. a ``DaskExecutor``) runs the fixes elsewhere.
    """
    from .api import make_settings

    s = make_settings(settings, **options)
    validate(s)
    return list(fix_files(plan(paths, s, out, dry_run, anchor, crop_box), s, jobs, executor=executor))


def mirror(path: str, root: str, out: str) -> str:
    """Where ``path``, found under the command-line argument ``root``, goes in an ``--out`` tree.

    Either side may be a URL prefix (``s3://bucket/fixed``): keys below it mirror folders.
    """
    if "://" in path:
        relative = path.rsplit("/", 1)[1] if path == root else path[len(root.rstrip("/")) + 1 :]
    else:
        base = root if os.path.isdir(root) else os.path.dirname(root)
        relative = os.path.relpath(path, base or ".")
    if "://" in out:
        return out.rstrip("/") + "/" + relative.replace(os.sep, "/")
    return os.path.normpath(os.path.join(out, relative))


def validate(settings: Settings) -> None:
    """Raise ConfigError when the strategy or convert-to (top level or any per-path table) cannot work."""
    from dataclasses import replace

    from .config import ConfigError

    variants = [("configuration", settings)] + [(f"per-path {o.pattern!r}", replace(settings, **o.values)) for o in settings.per_path]
    for where, own in variants:
        try:
            get_strategy(own.strategy, own.registry)
            output_format(None, own.target(), own.convert_to)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None


@dataclass
class Summary:
    """Running totals for the end-of-run summary: a run over many files keeps no per-file results."""

    status: Counter = field(default_factory=Counter)
    fixed: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    dry_run: bool = False

    def add(self, result: FixResult) -> None:
        self.status[result.status] += 1
        self.dry_run |= result.dry_run
        if result.status is Status.FIXED:
            self.fixed.update(f"{d.code} {d.name}" for d in result.before.errors)
        elif result.status is Status.FAILED:
            self.failed.update(f"{d.code} {d.name}" for d in result.problems)

    def render(self) -> str:
        """Counts of fixed / already fine / failed files, then per rule."""
        verb = "Would fix" if self.dry_run else "Fixed"
        lines = [f"{verb} {self.status[Status.FIXED]} file(s); {self.status[Status.UNCHANGED]} already fine; {self.status[Status.FAILED]} failed."]
        for label, counts in (("would fix" if self.dry_run else "fixed", self.fixed), ("failed", self.failed)):
            for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {label:<9} {n:>5}  {key}")
        return "\n".join(lines) + "\n"


def summarise(results: Iterable[FixResult]) -> str:
    """The end-of-run summary of ``results`` (see :class:`Summary`)."""
    summary = Summary()
    for r in results:
        summary.add(r)
    return summary.render()


def describe(result: FixResult, diff: bool = False) -> str:
    """One file's outcome as text (empty for a file left as it was)."""
    from .reporters import printable as p  # a hostile file name cannot forge lines or break the terminal

    if result.status is Status.UNCHANGED:
        return ""
    if result.status is Status.FAILED:
        return "".join(f"{p(result.path)}: {d.code} [{d.name}] {p(d.message)}\n" for d in result.problems)
    name = p(result.path) if result.dest in (None, result.path) else f"{p(result.path)} -> {p(result.dest)}"
    codes = ", ".join(sorted({d.code for d in result.before.errors}))
    changes = f": {'; '.join(result.changes)}" if result.changes else ""
    # "Fixing <path>" for each file written: pre-commit's convention for fixers
    head = f"{name}: would fix {codes}{changes}" if result.dry_run else f"Fixing {name}: {codes}{changes}"
    lines = [head]
    lines += [f"  {d.code} [{d.name}] {p(d.message)}" for d in result.notes if d.severity is Severity.WARNING]
    if diff:
        lines.append(f"  --- {p(result.path)}  {_describe(result.before.info)}")
        lines.append(f"  +++ {p(result.dest)}  {_describe(result.after.info if result.after else None)}")
    return "\n".join(lines) + "\n"
