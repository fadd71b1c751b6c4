"""The ``sora-guard`` command line: a door onto the engine, with ruff's habits and exit codes (0, 1, 2)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sora_guard import __version__
from sora_guard.vocabulary.exceptions import UsageError

if TYPE_CHECKING:
    from sora_guard.config import Settings

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that runs the engine over files."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    group = parser.add_argument_group("target")
    group.add_argument("--profile", help="target profile (default: sora-2; see `sora-guard profiles`)")
    group.add_argument(
        "--size", metavar="WxH|auto", help="exact target size, or auto: the profile's size nearest in aspect"
    )
    group.add_argument(
        "--formats", metavar="FMT,...", help="allowed formats, overriding the profile's (e.g. JPEG,PNG)"
    )
    group.add_argument("--max-bytes", type=int, metavar="N", help="byte limit, overriding the profile's")
    group.add_argument(
        "--max-pixels",
        type=int,
        metavar="N",
        help="refuse images with more pixels than this (default 268435456)",
    )
    group.add_argument(
        "--max-file-bytes",
        type=int,
        metavar="N",
        help="refuse to read files larger than this (default 1073741824)",
    )
    group.add_argument(
        "--max-decode-seconds",
        type=float,
        metavar="S",
        help="stop decoding one image after S seconds (default 30)",
    )
    rules = parser.add_argument_group("rule selection")
    rules.add_argument(
        "--select", metavar="CODE,...", help="rule codes or prefixes to enable (replaces the configured list)"
    )
    rules.add_argument(
        "--extend-select", metavar="CODE,...", help="rule codes or prefixes to enable in addition"
    )
    rules.add_argument("--ignore", metavar="CODE,...", help="rule codes or prefixes to disable")
    files = parser.add_argument_group("files and configuration")
    files.add_argument("--exclude", metavar="GLOB,...", help="patterns to skip (replaces the default list)")
    files.add_argument(
        "--extend-exclude", metavar="GLOB,...", help="patterns to skip in addition to the defaults"
    )
    files.add_argument(
        "--force-exclude",
        action="store_true",
        default=None,
        help="apply exclusions to paths named on the command line too (for pre-commit)",
    )
    files.add_argument(
        "--follow-symlinks",
        action="store_true",
        default=None,
        help="follow symbolic links that point outside the folders being walked",
    )
    files.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read this configuration file instead of searching for one",
    )
    files.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    files.add_argument(
        "--no-plugins",
        action="store_true",
        help="load only the built-in plugins (also SORA_GUARD_DISABLE_PLUGIN_AUTOLOAD=1)",
    )
    files.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="files worked on at once (default: all cores)"
    )
    files.add_argument(
        "--executor",
        metavar="NAME",
        help="where files are processed: local (default) or dask (the default with --scheduler)",
    )
    files.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: DASK_SCHEDULER_ADDRESS, else a local cluster of --jobs workers)",
    )


#: CLI option -> configuration key, for the options that override configuration
OVERRIDES = {
    "profile": "profile",
    "size": "size",
    "formats": "formats",
    "max_bytes": "max-bytes",
    "max_pixels": "max-pixels",
    "max_file_bytes": "max-file-bytes",
    "max_decode_seconds": "max-decode-seconds",
    "select": "select",
    "extend_select": "extend-select",
    "ignore": "ignore",
    "exclude": "exclude",
    "extend_exclude": "extend-exclude",
    "force_exclude": "force-exclude",
    "follow_symlinks": "follow-symlinks",
    "output_format": "output-format",
    "strategy": "strategy",
    "quality": "quality",
    "background": "background",
    "convert_to": "convert-to",
}


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Configuration found from the working directory, overridden by the flags that were given."""
    from sora_guard.config import load_settings
    from sora_guard.config.validation import validate

    overrides = {
        key: getattr(args, attr) for attr, key in OVERRIDES.items() if getattr(args, attr, None) is not None
    }
    return validate(
        load_settings(
            config=args.config,
            isolated=args.isolated,
            overrides=overrides,
            autoload_plugins=False if args.no_plugins else None,
        )
    )


def _warn_targets(settings: Settings) -> None:
    """Say, once per run, which targets are closed or retired and which model names were taken as targets."""
    from sora_guard.config.lifecycle import run_notices

    for line in run_notices(settings):
        sys.stderr.write(f"sora-guard: warning: {line}\n")


def _output_format(args: argparse.Namespace, settings: Settings) -> str:
    if args.output_format:
        return args.output_format
    if settings.output_format:
        return settings.output_format
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _write(text: str, output: Path | None) -> None:
    _write_stream(lambda out: out.write(text), output)


def _write_stream(write: Callable[[IO[str]], object], output: Path | None) -> None:
    """``write(stream)`` to stdout, or to a file that replaces ``output`` atomically once it is complete."""
    if output is None:
        write(sys.stdout)
        sys.stdout.flush()
        return
    import io

    from sora_guard.io.atomic import atomic_writer

    try:
        with atomic_writer(output) as fp:
            text = io.TextIOWrapper(fp, encoding="utf-8", newline="")
            write(text)
            text.flush()
            text.detach()
    except OSError as exc:  # name the report, not the temporary file
        raise OSError(exc.errno, exc.strerror or str(exc), os.fspath(output)) from None


def cmd_check(args: argparse.Namespace) -> int:
    from sora_guard.config.validation import existing, validate_reporter
    from sora_guard.run.check import check_files, check_stdin
    from sora_guard.run.discovery import discover, skipped_reports
    from sora_guard.run.executors import make_executor

    settings = settings_from_args(args)
    registry = settings.registry
    fmt = validate_reporter(
        _output_format(args, settings), registry.reporters, settings.origins.get("output_format", "")
    )
    if args.staged:
        from sora_guard.git.staged import check_staged

        if args.paths:
            raise UsageError("--staged checks the files git has staged; it takes no PATH")
        return _finish_check(check_staged(settings), args, fmt, settings)
    if args.stdin_filename or "-" in args.paths:
        if args.paths not in ([], ["-"]) or not args.stdin_filename:
            raise UsageError(
                "check an image on standard input with: sora-guard check - --stdin-filename NAME"
            )
        return _finish_check(check_stdin(args.stdin_filename, settings), args, fmt, settings)
    executor = make_executor(args.executor, jobs=args.jobs, scheduler=args.scheduler, progress=True)
    cache = None
    if not args.no_cache:
        from sora_guard.run.cache import open_cache  # and json: not for a run that keeps no cache

        cache = open_cache(settings)
    skipped: list = []
    report = check_files(
        discover(existing(args.paths or ["."]), settings, skipped), settings, executor=executor, cache=cache
    )
    report.files.extend(skipped_reports(skipped, settings))
    if not report.files:
        _no_files()

    def pictured(checked):  # for a reporter that shows pictures: the fitting pipeline loads only then
        from sora_guard.run.pictures import check_entries

        return check_entries(checked, settings, executor)

    return _finish_check(report, args, fmt, settings, pictured)


def _no_files() -> None:
    sys.stderr.write("sora-guard: warning: no image files found under the given path(s)\n")


def _finish_check(report, args: argparse.Namespace, fmt: str, settings: Settings, pictured=None) -> int:
    """Write the report; ``pictured(report)`` gives the entries with pictures, for a reporter that shows them."""
    _warn_targets(settings)
    registry = settings.registry
    reporter = registry.reporters[fmt]
    if args.statistics:
        from sora_guard.builtin.reporters import render_statistics

        _write(render_statistics(report, fmt), args.output)
    elif reporter.write is not None:
        from sora_guard.vocabulary.contract import Entry

        entries = pictured(report) if pictured and reporter.pictures else (Entry(f) for f in report.files)
        _write_stream(lambda out: reporter.write(entries, registry.rules, out), args.output)
    else:
        _write(reporter.render(report, registry.rules), args.output)
    return EXIT_OK if report.ok or args.exit_zero else EXIT_ERRORS


def cmd_fix(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from sora_guard.builtin.reporters import diagnostic_line
    from sora_guard.config.settings import COMMAND_LINE
    from sora_guard.config.validation import check_out, existing, fit_fractions
    from sora_guard.run.cache import open_cache
    from sora_guard.run.discovery import skipped_reports
    from sora_guard.run.executors import make_executor
    from sora_guard.run.fix import Status, fix_files, plan
    from sora_guard.run.fix_report import Summary, describe
    from sora_guard.run.progress import Progress
    from sora_guard.vocabulary.contract import Entry

    # numpy (loaded with simplejpeg, fix's scaled JPEG decoder) would start a BLAS thread pool fix never uses
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    settings = settings_from_args(args)
    reporter = _fix_reporter(args, settings.registry)
    anchor, crop_box = fit_fractions(settings, args.anchor, args.crop_box, COMMAND_LINE)
    dry_run = args.dry_run or args.diff
    paths = existing(args.paths or ["."])
    check_out(paths, args.out)
    _warn_targets(settings)
    skipped: list = []
    jobs = plan(paths, settings, args.out, dry_run, anchor, crop_box, skipped)
    if not jobs and not skipped:
        _no_files()
    if reporter is not None and reporter.pictures:
        jobs = [replace(job, pictures=True) for job in jobs]
    executor = make_executor(args.executor, jobs=args.jobs, scheduler=args.scheduler)
    cache = None if args.no_cache else open_cache(settings, outside=args.out)
    summary = Summary()
    console = reporter is None or args.output is not None  # the lines, unless the report takes stdout
    unread = []

    def entries() -> Iterator[Entry]:
        with Progress(len(jobs), "fixing") as bar:
            for result in fix_files(jobs, settings, executor=executor, cache=cache):
                summary.add(result)  # results stream out: a run over many files keeps none of them
                text = describe(result, args.diff) if console else ""
                if text:
                    bar.clear()
                    sys.stdout.write(text)
                    sys.stdout.flush()
                bar.advance()
                yield result.entry()
        unread.extend(skipped_reports(skipped, settings))  # unreadable folders, links not followed
        yield from (Entry(r) for r in unread)

    if reporter is None:
        for _ in entries():
            pass
    else:
        _write_stream(lambda out: reporter.write(entries(), settings.registry.rules, out), args.output)
    if console:
        notes = "".join(f"{diagnostic_line(r.path, d)}\n" for r in unread for d in r.diagnostics)
        sys.stdout.write(notes + summary.render())
    failed = summary.status[Status.FAILED] or not all(r.ok for r in unread)
    changed = summary.status[Status.FIXED]
    return EXIT_ERRORS if failed or (changed and (dry_run or args.exit_non_zero_on_fix)) else EXIT_OK


def _fix_reporter(args: argparse.Namespace, registry):
    """The reporter ``fix --output-format`` names (None: the console lines), or a usage error."""
    if args.output_format in (None, "text"):
        if args.output is not None:
            raise UsageError("fix writes a report file with --output-format html (or a plugin's fix format)")
        return None
    fixes = sorted(name for name, r in registry.reporters.items() if r.fixes and r.write is not None)
    if args.output_format not in fixes:
        raise UsageError(f"fix reports as text or {', '.join(fixes)}, not {args.output_format!r}")
    return registry.reporters[args.output_format]


def cmd_preview(args: argparse.Namespace) -> int:
    from PIL import Image

    from sora_guard.config.settings import COMMAND_LINE
    from sora_guard.config.validation import fit_fractions
    from sora_guard.engine.fitting import output_size
    from sora_guard.engine.probe import probe_image
    from sora_guard.preview import default_output, render_preview
    from sora_guard.vocabulary.contract import FitOptions
    from sora_guard.vocabulary.model import Size

    settings = settings_from_args(args)
    anchor, crop_box = fit_fractions(settings, args.anchor, args.crop_box, COMMAND_LINE)
    try:
        im = Image.open(args.image)
        im.load()
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {args.image}: {exc}") from None
    info = probe_image(im, args.image)
    size = output_size(info.displayed, settings.for_path(args.image).target())
    options = FitOptions(
        background=settings.background,
        anchor=anchor or (0.5, 0.5),
        crop_box=crop_box,
    )
    sheet = render_preview(im, Size(size.width, size.height), settings.registry, options)
    output = args.output or default_output(args.image, size)
    from sora_guard.engine.fitting import encode
    from sora_guard.io.atomic import atomic_write_bytes

    atomic_write_bytes(output, encode(sheet, "PNG"))
    sys.stdout.write(f"wrote {output}: {', '.join(settings.registry.strategies)} at {size}\n")
    return EXIT_OK


def _add_fit_options(parser: argparse.ArgumentParser) -> None:
    fit = parser.add_argument_group("fitting")
    fit.add_argument(
        "--strategy",
        metavar="NAME",
        help="cover (default), pad, blur-pad, smart, crop, stretch, or a plugin's",
    )
    fit.add_argument(
        "--background",
        metavar="COLOUR",
        help="colour for pad bars and flattened transparency (default black)",
    )
    fit.add_argument(
        "--anchor", metavar="X,Y", help="focal point as fractions of width and height (default 0.5,0.5)"
    )
    fit.add_argument(
        "--crop-box", metavar="L,T,R,B", help="for --strategy crop: the box to keep, as fractions"
    )


def cmd_rules(args: argparse.Namespace) -> int:
    from sora_guard.engine.fix import FIX_CODES

    settings = settings_from_args(args)
    rules = settings.registry.rules
    listed = list(rules.values())
    if args.code:
        wanted = args.code.strip()
        code = wanted.upper()
        by_name = {r.name: r.code for r in listed} | {name: c for c, (name, _) in FIX_CODES.items()}
        code = by_name.get(wanted.lower(), code)
        if code in rules:
            r = rules[code]
            fix = "fixable by `sora-guard fix`" if r.fixable else "not fixable automatically"
            sys.stdout.write(f"{r.code} {r.name} [{r.severity.value}, {fix}]\n\n{r.doc}\n")
            return EXIT_OK
        if code in FIX_CODES:
            name, meaning = FIX_CODES[code]
            sys.stdout.write(
                f"{code} {name} [reported by `sora-guard fix`]\n\n{meaning[0].upper()}{meaning[1:]}.\n"
            )
            return EXIT_OK
        listed = [r for r in listed if r.code.startswith(code)]  # a prefix, as --select takes
        if not listed:
            raise UsageError(
                f"unknown rule {args.code!r}: not a code, a code prefix or a rule name (see `sora-guard rules`)"
            )
    if args.output_format == "json":
        import json

        rows = [
            {
                "code": r.code,
                "name": r.name,
                "summary": r.summary,
                "severity": r.severity.value,
                "fixable": r.fixable,
            }
            for r in listed
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    for r in listed:
        sys.stdout.write(
            f"{r.code}  {r.name:<22} {r.severity.value:<8} {'fix ' if r.fixable else '    '} {r.summary}\n"
        )
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    names = sorted(settings.registry.profiles | dict(settings.profiles))
    if args.audit:
        from sora_guard.guard.audit import audit

        found = audit(settings.resolve_profile(n) for n in names)
        sys.stdout.write(found.render())
        return EXIT_ERRORS if args.exit_non_zero_on_drift and not found.ok else EXIT_OK
    from sora_guard.builtin.profile_views import details, table

    default = settings.resolve_profile(settings.profile).name
    if args.name:
        sys.stdout.write(details(settings.resolve_profile(args.name), default, args.name))
    else:
        sys.stdout.write(table([settings.resolve_profile(n) for n in names], default))
    return EXIT_OK


def cmd_install_hook(args: argparse.Namespace) -> int:
    from sora_guard.git.hook import install

    sys.stdout.write(install(force=args.force) + "\n")
    return EXIT_OK


def _check_options(check: argparse.ArgumentParser) -> None:
    add_target_options(check)
    out = check.add_argument_group("output")
    out.add_argument(
        "--output-format",
        "--format",
        dest="output_format",
        metavar="FORMAT",
        help="text, json, github, sarif or html (github when GITHUB_ACTIONS=true)",
    )
    out.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout"
    )
    out.add_argument(
        "--statistics", action="store_true", help="show counts per rule instead of each diagnostic"
    )
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when errors are found")
    check.add_argument(
        "--staged",
        action="store_true",
        help="check the staged content of added or modified images (the git pre-commit hook)",
    )
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="with PATH -: check standard input as the file NAME (its configuration and extension apply)",
    )
    check.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache (cache-dir)"
    )


def _fix_options(fix: argparse.ArgumentParser) -> None:
    add_target_options(fix)
    _add_fit_options(fix)
    fix.add_argument("--quality", type=int, metavar="N", help="JPEG/WebP quality, 1-100 (default 92)")
    fix.add_argument(
        "--convert-to",
        metavar="FORMAT",
        help="format for files whose own format the target refuses (default: JPEG for photos, PNG otherwise)",
    )
    fix.add_argument(
        "--out", metavar="DIR", help="write a mirrored tree under DIR and leave the sources alone"
    )
    fix.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    fix.add_argument("--diff", action="store_true", help="like --dry-run, showing each file before and after")
    fix.add_argument(
        "--exit-non-zero-on-fix", action="store_true", help="exit 1 when any file was changed (for CI)"
    )
    fix.add_argument(
        "--no-cache", action="store_true", help="do not use the check cache to skip files known to pass"
    )
    report = fix.add_argument_group("report")
    report.add_argument(
        "--output-format",
        dest="output_format",
        metavar="FORMAT",
        help="text (default: a line per file changed) or html (a page with each file before and after)",
    )
    report.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report to FILE")


def _preview_options(preview: argparse.ArgumentParser) -> None:
    preview.add_argument("image", metavar="IMAGE")
    preview.add_argument("--profile", help="target profile (default: sora-2)")
    preview.add_argument("--size", metavar="WxH|auto", help="target size (default: the profile's nearest)")
    preview.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="where to write the PNG (default: a new folder in the temporary directory, never the checked tree)",
    )
    _add_fit_options(preview)
    _add_config_options(preview)


def _rules_options(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("code", nargs="?", metavar="CODE|NAME|PREFIX")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    _add_config_options(rules)


def _profiles_options(profiles: argparse.ArgumentParser) -> None:
    profiles.add_argument(
        "name", nargs="?", metavar="NAME", help="a profile, or a model name one maps (gen4.5)"
    )
    profiles.add_argument(
        "--audit",
        action="store_true",
        help="list model names the installed SDKs declare that no profile maps, and mapped ones they dropped",
    )
    profiles.add_argument(
        "--exit-non-zero-on-drift",
        action="store_true",
        help="with --audit: exit 1 when a declared model is unmapped",
    )
    _add_config_options(profiles)


def _hook_options(hook: argparse.ArgumentParser) -> None:
    hook.add_argument("--force", action="store_true", help="replace an existing pre-commit hook")


COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {
    "check": ("report images the target service would reject", _check_options, cmd_check),
    "fix": ("repair images in place (or into --out) so they pass check", _fix_options, cmd_fix),
    "preview": ("one PNG showing every strategy's result side by side", _preview_options, cmd_preview),
    "rules": (
        "list the rules, or explain one: sora-guard rules SG101 (or a name, or a prefix: SG1)",
        _rules_options,
        cmd_rules,
    ),
    "profiles": (
        "list the target profiles with their status (the default marked), or show one with its sources",
        _profiles_options,
        cmd_profiles,
    ),
    "install-hook": (
        "install a git pre-commit hook that checks staged images",
        _hook_options,
        cmd_install_hook,
    ),
}
"""Subcommand -> (help, what adds its options, what runs it)."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; given the ``command`` about to run, only its subparser (building every one
    costs a one-file check over a millisecond). Without one, all of them, for ``--help``."""
    parser = argparse.ArgumentParser(
        prog="sora-guard",
        description="Check and fix reference images for Sora 2 and other video-generation APIs.",
    )
    parser.add_argument("--version", action="version", version=f"sora-guard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, add_options, run) in COMMANDS.items():
        if command in (None, name):
            sub = commands.add_parser(name, help=summary)
            add_options(sub)
            sub.set_defaults(run=run)
    return parser


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help="read this configuration file")
    parser.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    parser.add_argument("--no-plugins", action="store_true", help="load only the built-in plugins")


def _unrecognised(parser: argparse.ArgumentParser, command: str | None, unknown: list[str]) -> None:
    """Exit 2 with the subcommand's usage, suggesting the nearest flag for each one mistyped."""
    import difflib

    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    sub = commands.get(command, parser)
    flags = [o for a in sub._actions for o in a.option_strings if o.startswith("--")]
    hints = []
    for arg in (a.split("=", 1)[0] for a in unknown if a.startswith("-")):
        near = difflib.get_close_matches(arg, flags, n=1, cutoff=0.6)
        elsewhere = [
            name
            for name, other in commands.items()
            if other is not sub and any(arg in a.option_strings for a in other._actions)
        ]
        if elsewhere:
            hints.append(f"{arg} is an option of `sora-guard {' / '.join(elsewhere)}`, not of this command")
        elif near:
            hints.append(f"{arg}: did you mean {near[0]}?")
    sub.error(f"unrecognized arguments: {' '.join(unknown)}" + "".join(f"\n  {h}" for h in hints))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(f"sora-guard: warning: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    import atexit
    import gc
    import warnings

    from PIL import Image

    from sora_guard.vocabulary.exceptions import ConfigError

    # At exit the interpreter's garbage collections walk every object still alive (start-up's: modules,
    # classes, the registry) several times, a tenth of a one-file check. Frozen by an exit callback
    # registered before the command's own, they are skipped; the other callbacks, the flushing of
    # streams and freeing what reference counts free still happen.
    atexit.unregister(gc.freeze)  # once per process, however often main runs
    atexit.register(gc.freeze)
    Image.MAX_IMAGE_PIXELS = None  # the configured max-pixels limit applies instead (SG504)
    warnings.showwarning = _show_warning
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the hints name options of every subcommand
        _unrecognised(build_parser(), args.command, unknown)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except (ConfigError, UsageError) as exc:
        sys.stderr.write(f"sora-guard: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("sora-guard: interrupted\n")
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERRORS
    except OSError as exc:  # the system failed a write (disk full, I/O error): say which, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"sora-guard: error: {where}{exc.strerror or exc}\n")
        return EXIT_USAGE
