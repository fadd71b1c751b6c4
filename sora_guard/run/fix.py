"""Batch fix: plan the jobs, read each file once, let the engine repair it, write the result atomically.

Writes go in place, into an ``--out`` tree or to object storage; results stream in order, then totals.
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from sora_guard.config import Settings
from sora_guard.engine.check import check_path
from sora_guard.engine.fix import FixSpec, Repair, Status, repair
from sora_guard.engine.fixnotes import name_taken, not_fixed, write_failed
from sora_guard.io.atomic import atomic_write_bytes, fsync_dir, remove_stale
from sora_guard.io.read import read_bounded
from sora_guard.run.discovery import discover
from sora_guard.run.pool import parallel_map
from sora_guard.vocabulary.contract import Entry, FitOptions, Picture
from sora_guard.vocabulary.exceptions import UsageError
from sora_guard.vocabulary.formats import is_url
from sora_guard.vocabulary.model import Diagnostic

__all__ = [
    "FixJob",
    "FixResult",
    "Status",
    "fix_bytes",
    "fix_file",
    "fix_files",
    "mirror",
    "plan",
]


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
    pictures: bool = False
    """Make a report's pictures (``FixResult.picture``, ``fixed_picture``) while the file is in memory."""


@dataclass
class FixResult(Repair):
    """What ``fix`` did (or would do) to the file at ``path``; ``output`` is kept only with ``FixJob.keep``."""

    path: str = ""
    dry_run: bool = False
    picture: Picture | None = None
    """With ``FixJob.pictures``: the file as it was, with what the fit keeps or adds drawn on it."""
    fixed_picture: Picture | None = None
    """With ``FixJob.pictures``: the fixed file."""

    @classmethod
    def of(cls, job: FixJob, done: Repair) -> FixResult:
        """The result of ``job`` from the engine's repair."""
        fields = {**vars(done), "output": done.output if job.keep else None}
        return cls(**fields, path=job.path, dry_run=job.dry_run)

    def entry(self) -> Entry:
        """This result as a streaming reporter takes it."""
        return Entry(self.before, self.picture, self, self.fixed_picture)

    @property
    def renamed(self) -> bool:
        return self.dest is not None and os.path.splitext(self.dest)[1] != os.path.splitext(self.path)[1]


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
            return (
                "the file is read-only" if os.path.lexists(path) else os.strerror(errno.ENOENT)
            )  # gone meanwhile
    try:
        if not os.stat(folder).st_mode & 0o222 or not os.access(folder, os.W_OK | os.X_OK):
            return f"the folder {folder} is read-only"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def fix_file(job: FixJob, settings: Settings) -> FixResult:
    """Fix one file with the settings that apply to its path. Never raises for the file's content."""
    own = settings.for_path(job.path)
    rules = own.rules()
    try:
        target = own.fit_target()
    except ValueError as exc:  # several targets with no image every one accepts
        report = check_path(job.path, own.all_targets(), rules, own.storage_options)
        return FixResult.of(
            job, Repair(Status.FAILED, report, notes=[not_fixed.note(f"{exc}: nothing to fit to")])
        )
    try:
        data = read_bounded(job.path, target.limits.max_file_bytes, own.storage_options)[1]
    except OSError:
        data = None
    if data is None:  # the check names the problem (missing, unreadable, over the read limit)
        return FixResult.of(
            job, Repair(Status.FAILED, check_path(job.path, target, rules, own.storage_options))
        )
    spec = fix_spec(own, job)
    done = repair(data, job.path, target, rules, spec, job.out or job.path)
    result = FixResult.of(job, done)
    if job.pictures:
        from sora_guard.run.pictures import fix_pictures  # thumbnails: only for a report that shows them

        result.picture, result.fixed_picture = fix_pictures(data, done, own)
    if job.dry_run or done.status is Status.FAILED or (done.status is Status.UNCHANGED and not job.out):
        return result
    problem = _write(job, done.dest, done.output, own.storage_options)
    if problem is not None:
        result.status = Status.FAILED
        result.dest = None if done.status is Status.FIXED else result.dest
        result.notes.append(problem)
    return result


def fix_spec(own: Settings, job: FixJob | None = None) -> FixSpec:
    """The engine's fix options from settings (and a job's anchor and crop box)."""
    anchor = job.anchor if job and job.anchor else (0.5, 0.5)
    options = FitOptions(background=own.background, anchor=anchor, crop_box=job.crop_box if job else None)
    return FixSpec(own.fit_strategy(), options, own.quality, own.convert_to, own.registry.finders)


def fix_bytes(data: bytes, name: str, settings: Settings) -> FixResult:
    """Fix an image held in memory and write nothing; ``output`` holds the bytes to use.

    The same decisions and pipeline as :func:`fix_file`, with the file's own settings (the pre-flight
    guard's fix mode calls :func:`repair` the same way, with the call's target).
    """
    own = settings.for_path(name)
    job = FixJob(name, dry_run=True, keep=True)
    return FixResult.of(job, repair(data, name, own.fit_target(), own.rules(), fix_spec(own)))


def _write(job: FixJob, dest: str, data: bytes, storage_options=None) -> Diagnostic | None:
    """Write ``data`` to ``dest`` atomically; in place, remove the old name after a rename."""
    if is_url(dest):
        return _write_url(job, dest, data, storage_options)
    try:
        folder = os.path.dirname(os.path.abspath(dest))
        if job.out:
            if job.out_root is not None and not _within(folder, job.out_root):
                return write_failed.note(
                    f"cannot write {dest}: a symbolic link leads out of {job.out_root}; nothing written",
                )
            os.makedirs(folder, exist_ok=True)
        if not job.out and os.path.islink(job.path):
            return write_failed.note(
                f"cannot write {job.path}: it is a symbolic link to {os.readlink(job.path)}; fix that file instead; nothing changed",
            )
        reason = _read_only(dest, must_exist=False) if job.out else _read_only(job.path, must_exist=True)
        if reason:
            return write_failed.note(f"cannot write {dest}: {reason}; nothing changed")
        _prepare_folder(folder)
        if job.out and job.exclusive:
            try:
                atomic_write_bytes(dest, data, overwrite=False)
            except FileExistsError:
                if not _holds(dest, data):
                    return name_taken.note(
                        f"cannot write {dest}: it exists, and another source of this run has that name once converted; nothing written",
                    )
            return None
        if job.out or dest == job.path:
            atomic_write_bytes(dest, data, like=None if job.out else job.path)
            return None
        try:
            atomic_write_bytes(dest, data, overwrite=False, like=job.path)
        except FileExistsError:
            if not _holds(dest, data):
                return name_taken.note(f"cannot rename to {dest}: that file exists; nothing changed")
            # a run killed between writing the new name and removing the old one: finish its rename
        try:
            os.unlink(job.path)
        except FileNotFoundError:  # a run working alongside removed it first: the rename is done
            pass
        fsync_dir(folder)
    except OSError as exc:
        return write_failed.note(f"cannot write {dest}: {exc.strerror or exc}; the original is untouched")
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
    from sora_guard.io.storage import exists, put_atomic, read_object, remove, remove_stale

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
            return name_taken.note(f"cannot rename to {dest}: that object exists; nothing changed")
        # else a run stopped between writing the new name and removing the old one: finish its rename
        remove(job.path, storage_options)
    except OSError as exc:
        return write_failed.note(f"cannot write {dest}: {exc}; the original is untouched")
    return None


def fix_files(
    jobs: Iterable[FixJob], settings: Settings, workers: int | None = None, executor=None, cache=None
) -> Iterator[FixResult]:
    """Fix many files over all cores (bounded memory), streaming results in input order.

    ``executor`` is any object with the runner's ``map(func, items, settings)``; default: this
    machine. With a check ``cache``, files it knows to pass (unchanged since) are not even read,
    and files found to pass are remembered for ``check`` and the next ``fix``.
    """
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
    run = (
        executor.map(fix_file, todo, settings)
        if executor is not None
        else parallel_map(fix_file, todo, settings, workers)
    )
    done = iter(run)
    try:
        for i, job in enumerate(jobs):
            if i in passing:
                hit = cache.get(job.path, keys[i], settings.for_path(job.path).target())
                yield FixResult(Status.UNCHANGED, hit, hit, job.path, path=job.path, dry_run=job.dry_run)
                continue
            result = next(done)
            if i in keys and result.status is Status.UNCHANGED and not job.out:
                cache.put(job.path, keys[i], result.before)
            yield result
    finally:
        if cache is not None:
            cache.save()


def plan(
    paths: Sequence[str | os.PathLike],
    settings: Settings,
    out: str | os.PathLike | None = None,
    dry_run: bool = False,
    anchor: tuple[float, float] | None = None,
    crop_box: tuple[float, float, float, float] | None = None,
    skipped: list | None = None,
) -> list[FixJob]:
    """One job per file found under ``paths``; with ``out``, each aimed at its place in the mirrored tree.

    One input is mirrored from inside it (``fix --out fixed assets`` writes ``fixed/hero.jpg``);
    several are each reproduced by their path relative to the working folder (``fixed/shootA/...``,
    ``fixed/shootB/...``), an input outside it under its own name. Two sources bound for one output
    name are a :class:`UsageError` before anything is written. Paths the walk did not yield
    (unreadable folders, links out of the tree) go to ``skipped``.
    """
    out = os.fspath(out) if out is not None else None
    jobs = []
    seen: set[str] = set()
    for root in paths:
        root = os.fspath(root)
        base = _mirror_base(root, several=len(paths) > 1)
        for path in discover([root], settings, skipped):
            if (out and _inside(path, out)) or os.path.normpath(path) in seen:
                continue  # never re-fix our own output, nor a file named twice (``fix a a/b``)
            seen.add(os.path.normpath(path))
            target = mirror(path, base, out) if out else None
            jobs.append(FixJob(path, target, dry_run, anchor, crop_box, out_root=out))
    if (
        out is None
    ):  # in place a link is never replaced; a file linked from the tree is fixed under its own name
        real = {os.path.realpath(j.path) for j in jobs if not os.path.islink(j.path)}
        return [j for j in jobs if not (os.path.islink(j.path) and os.path.realpath(j.path) in real)]
    _refuse_collisions(jobs)
    # sources whose out names differ only in extension may meet on one name after a conversion
    stems = Counter(os.path.splitext(j.out)[0] for j in jobs)
    return [replace(j, exclusive=True) if stems[os.path.splitext(j.out)[0]] > 1 else j for j in jobs]


def _mirror_base(root: str, several: bool) -> str:
    """What an input's files are mirrored relative to: itself (its folder, for a file) when it is the
    only input; with several, the working folder, or the folder holding an input outside it."""
    if is_url(root):  # a URL is outside the working folder: with others, it keeps its own name
        return root.rstrip("/").rsplit("/", 1)[0] if several else root
    own = root if os.path.isdir(root) else os.path.dirname(root) or "."
    if not several:
        return own
    here = os.path.abspath(".")
    absolute = os.path.abspath(root)
    if absolute == here or absolute.startswith(os.path.join(here, "")):
        return "."
    return os.path.dirname(absolute.rstrip(os.sep)) or os.sep


def _refuse_collisions(jobs: list[FixJob]) -> None:
    """A :class:`UsageError` naming two sources whose outputs would land on one name."""
    first: dict[str, str] = {}
    for job in jobs:
        key = os.path.normcase(os.path.normpath(job.out)) if not is_url(job.out) else job.out
        if key in first:
            raise UsageError(
                f"{first[key]} and {job.path} would both be written to {job.out}; fix them in two runs"
                " or into two --out folders"
            )
        first[key] = job.path


def _inside(path: str, folder: str) -> bool:
    """True when ``path`` lies below ``folder`` (local paths, or URL prefixes)."""
    if is_url(path) or is_url(folder):
        return path.startswith(folder.rstrip("/") + "/")
    return os.path.abspath(path).startswith(os.path.abspath(folder) + os.sep)


def mirror(path: str, base: str, out: str) -> str:
    """Where ``path`` goes in an ``--out`` tree: its path relative to ``base`` (a folder, or a URL
    prefix such as ``s3://bucket/photos``; a URL named itself keeps its own name), under ``out``."""
    if is_url(path):
        relative = path.rsplit("/", 1)[1] if path == base else path[len(base.rstrip("/")) + 1 :]
    else:
        relative = os.path.relpath(path, base)
    if is_url(out):
        return out.rstrip("/") + "/" + relative.replace(os.sep, "/")
    return os.path.normpath(os.path.join(out, relative))
