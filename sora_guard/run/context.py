"""The run context every door builds and calls: settings with their plugins, executor, cache and
console, and the runs themselves (discover, check, fix)."""

from __future__ import annotations

import dataclasses
import os
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sora_guard import __version__
from sora_guard.config.lifecycle import run_notices
from sora_guard.config.settings import COMMAND_LINE, Settings, load_settings, settings_from_options
from sora_guard.config.validation import (
    check_out,
    common_fit,
    existing,
    fit_fractions,
    validate,
    validate_reporter,
)
from sora_guard.engine.check import check_bytes, check_image, check_stream
from sora_guard.run.check import check_file, check_files
from sora_guard.run.discovery import Found
from sora_guard.run.executors import Executor, make_executor
from sora_guard.vocabulary.exceptions import TargetWarning
from sora_guard.vocabulary.model import FileReport, Heading, Report

if TYPE_CHECKING:
    from PIL import Image

    from sora_guard.run.cache import CheckCache
    from sora_guard.run.fixrun import FixRun
    from sora_guard.run.progress import Console
    from sora_guard.vocabulary.contract import Entries, Reporter

__all__ = ["RunContext"]


class RunContext:
    """One run of the engine, the same whichever door built it.

    ``settings`` are resolved (flags, then per-path tables, then the file, then defaults) and carry
    the run's plugin registry; ``executor`` is where per-file work runs; ``cache`` answers files
    known unchanged (``check``, ``fix``); ``console``, when a door prints, draws the progress bar.
    ``where`` names the source of the door's own arguments in messages (``command line``, or
    nothing for the API); ``argv``, the command line as typed, for the head of its reports.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        executor: Executor | None = None,
        cache: bool = False,
        console: Console | None = None,
        where: str = "",
        argv: Sequence[str] = (),
    ) -> None:
        self.settings = validate(settings)
        self.executor = executor or make_executor()
        self.cache = cache
        self.console = console
        self.where = where
        self.argv = tuple(argv)

    @classmethod
    def from_configuration(
        cls,
        *,
        flags: Mapping[str, Any],
        config: Path | None = None,
        isolated: bool = False,
        plugins: bool = True,
        executor: str | None = None,
        jobs: int | None = None,
        scheduler: str | None = None,
        cache: bool = True,
        console: Console | None = None,
        argv: Sequence[str] = (),
    ) -> RunContext:
        """The command line's run: the configuration found from the working folder (or ``config``,
        or none when ``isolated``), then ``flags`` (configuration keys to raw values, as typed);
        ``argv`` is the command line, for the head of its reports."""
        settings = load_settings(
            config=config, isolated=isolated, overrides=flags, autoload_plugins=None if plugins else False
        )
        runner = make_executor(executor, jobs=jobs, scheduler=scheduler, progress=console is not None)
        return cls(settings, executor=runner, cache=cache, console=console, where=COMMAND_LINE, argv=argv)

    @classmethod
    def from_options(
        cls,
        settings: Settings | None = None,
        *,
        jobs: int | None = None,
        executor: Executor | None = None,
        **options: Any,
    ) -> RunContext:
        """The API's run: ``settings`` (default: no configuration file) with ``options``, keyword
        arguments named like configuration keys (``max_bytes`` for ``max-bytes``), applied over them."""
        return cls(settings_from_options(settings, **options), executor=executor or make_executor(jobs=jobs))

    def reporter(self, name: str | None = None, *, fixes: bool = False) -> Reporter:
        """The reporter named by ``name`` or the ``output-format`` setting; ``github`` in GitHub
        Actions, else ``text``. With ``fixes``, one that reports a ``fix`` run."""
        settings = self.settings
        chosen = name or settings.output_format
        if chosen is None:
            chosen = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
        origin = self.where if name else settings.origins.get("output_format", "")
        reporters = settings.registry.fix_reporters if fixes else settings.registry.reporters
        return reporters[validate_reporter(chosen, reporters, origin)]

    def heading(self) -> Heading:
        """What this run checks, stamped now, for the head of its reports (``Report.heading``,
        ``Entries.heading``); ``SOURCE_DATE_EPOCH``, when set, is the date (reproducible reports)."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        moment = time.localtime(int(epoch)) if epoch.isdigit() else time.localtime()
        date = time.strftime("%Y-%m-%dT%H:%M:%S%z", moment)
        size = self.settings.size
        return Heading(
            targets=self.settings.targets,
            size="auto" if size is None else str(size),
            root=os.getcwd(),
            version=__version__,
            argv=self.argv,
            date=f"{date[:-2]}:{date[-2:]}",  # ISO 8601's +01:00, where strftime gives +0100
        )

    def notices(self) -> list[str]:
        """What this run says before it reports: each closed or retired target, each model name taken
        as a target (``config.lifecycle``). The command line prints them; the API warns them
        (:class:`TargetWarning`), once per call."""
        return run_notices(self.settings)

    def warn_notices(self) -> None:
        """The notices as :class:`TargetWarning` warnings, for a door that prints nothing itself."""
        for notice in self.notices():
            warnings.warn(notice, TargetWarning, stacklevel=3)

    def discover(self, paths: Iterable[str | os.PathLike]) -> Found:
        """The files a run over ``paths`` reads, and what it leaves out (``--show-files``)."""
        return Found(existing(paths), self.settings)

    def _cache(self, outside: str | os.PathLike | None = None) -> CheckCache | None:
        if not self.cache:
            return None
        from sora_guard.run.cache import open_cache  # and json: not for a run that keeps no cache

        return open_cache(self.settings, outside=outside)

    def check(self, paths: Iterable[str | os.PathLike]) -> Report:
        """Check every file under ``paths`` (folders walked, URLs listed) into one report."""
        heading = self.heading()
        found = self.discover(paths)
        report = check_files(found.files, self.settings, executor=self.executor, cache=self._cache())
        report.files.extend(found.reports(self.settings))
        report.skipped = found.unread
        report.heading = heading
        return report

    def check_stream(self, name: str, stream: IO[bytes]) -> Report:
        """Check the image ``stream`` holds as the file ``name`` (its per-path settings and extension
        apply); under ``force-exclude`` a name ``exclude`` matches is skipped."""
        settings, heading = self.settings, self.heading()
        if settings.force_excluded(name):
            return Report(heading=heading)
        own = settings.for_path(name)
        return Report(files=[check_stream(stream, own.all_targets(), own.rules(), name)], heading=heading)

    def check_data(self, items: Iterable[tuple[str, bytes]]) -> Report:
        """Check images held in memory, each under its path (git's staged blobs)."""
        heading = self.heading()
        return Report(files=[self.check_bytes(data, name) for name, data in items], heading=heading)

    def check_path(self, path: str | os.PathLike) -> FileReport:
        """Check one file (a URL too) with the settings that apply to its path, as a run over it does."""
        return check_file(os.fspath(path), self.settings)

    def check_bytes(self, data: bytes, name: str) -> FileReport:
        """Check one image held in memory as the file ``name``."""
        own = self.settings.for_path(name)
        return check_bytes(data, own.all_targets(), own.rules(), name=name)

    def check_image(self, im: Image.Image, name: str | None = None) -> FileReport:
        """Check an opened PIL image, as the file ``name`` when given (its per-path settings apply),
        else under the image's own file name; one over the pixel limit stops at its size."""
        own = self.settings.for_path(name) if name else self.settings
        called = name or getattr(im, "filename", "") or "<image>"
        return check_image(im, own.all_targets(), own.rules(), name=called)

    def pictured_entries(self, report: Report) -> Entries:
        """``report``'s files for a reporter that shows pictures, with its heading: each file with
        diagnostics gets its thumbnail, made on the executor while earlier rows are written."""
        from sora_guard.run.pictures import check_entries  # the fitting pipeline loads only then
        from sora_guard.vocabulary.contract import Entries

        return Entries(check_entries(report, self.settings, self.executor), report.heading)

    def fix(
        self,
        paths: Sequence[str | os.PathLike],
        *,
        out: str | os.PathLike | None = None,
        dry_run: bool = False,
        anchor: str | Sequence[float] | None = None,
        crop_box: str | Sequence[float] | None = None,
        pictures: bool = False,
    ) -> FixRun:
        """Fix every file under ``paths``, in place or into ``out``, streaming one result per file.

        Everything that could stop the run is checked before a file is read: the paths, the crop
        box and anchor, ``out`` (not inside a path being fixed; no two sources on one output name).
        """
        from sora_guard.run.fixrun import FixRun  # the fix pipeline: not for a check

        point, box = fit_fractions(self.settings, anchor, crop_box, self.where)
        executor = self.executor
        if self.console is not None and getattr(executor, "progress", False) is not False:
            executor = dataclasses.replace(executor, progress=False)  # the run draws its own bar
        common_fit(self.settings, self.where)
        paths = existing(paths)
        check_out(paths, out)
        return FixRun(
            paths,
            self.settings,
            out=out,
            dry_run=dry_run,
            anchor=point,
            crop_box=box,
            pictures=pictures,
            executor=executor,
            cache=self._cache(outside=out),
            console=self.console,
            heading=self.heading(),
        )
