"""The ``sora-guard`` command line: a door onto the engine, with ruff's habits and exit codes (0, 1, 2)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sora_guard import __version__
from sora_guard.vocabulary.exceptions import SoraGuardError, UsageError

if TYPE_CHECKING:
    from sora_guard.run.context import RunContext
    from sora_guard.run.progress import Console

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that runs the engine over files. A flag that sets a
    configuration key is described as the key is (``config.settings.DESCRIPTIONS``, the schema's)."""
    from sora_guard.config.settings import DESCRIPTIONS as about

    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    group = parser.add_argument_group("target")
    group.add_argument("--profile", help=about["profile"])
    group.add_argument("--size", metavar="WxH|auto", help=about["size"])
    group.add_argument("--formats", metavar="FMT,...", help=about["formats"])
    group.add_argument("--max-bytes", type=int, metavar="N", help=about["max-bytes"])
    group.add_argument("--max-pixels", type=int, metavar="N", help=about["max-pixels"])
    group.add_argument("--max-file-bytes", type=int, metavar="N", help=about["max-file-bytes"])
    group.add_argument("--max-decode-seconds", type=float, metavar="S", help=about["max-decode-seconds"])
    rules = parser.add_argument_group("rule selection")
    rules.add_argument(
        "--select", metavar="CODE,...", help=about["select"] + " (replaces the configured list)"
    )
    rules.add_argument("--extend-select", metavar="CODE,...", help=about["extend-select"])
    rules.add_argument("--ignore", metavar="CODE,...", help=about["ignore"])
    files = parser.add_argument_group("files and configuration")
    files.add_argument("--exclude", metavar="GLOB,...", help=about["exclude"])
    files.add_argument("--extend-exclude", metavar="GLOB,...", help=about["extend-exclude"])
    files.add_argument("--force-exclude", action="store_true", default=None, help=about["force-exclude"])
    files.add_argument("--follow-symlinks", action="store_true", default=None, help=about["follow-symlinks"])
    _add_config_options(files)
    files.add_argument(
        "--show-settings",
        action="store_true",
        help="print the settings in effect for the first PATH, and where each came from; check nothing",
    )
    files.add_argument(
        "--show-files", action="store_true", help="list the files the run would read (and what it skips)"
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


def run_context(args: argparse.Namespace, console: Console | None = None) -> RunContext:
    """The run these arguments ask for: the configuration found from the working folder (or
    ``--config``, or none with ``--isolated``), overridden by the flags that were given."""
    from sora_guard.run.context import RunContext

    flags = {key: getattr(args, a) for a, key in OVERRIDES.items() if getattr(args, a, None) is not None}
    return RunContext.from_configuration(
        flags=flags,
        config=args.config,
        isolated=args.isolated,
        plugins=not args.no_plugins,
        executor=getattr(args, "executor", None),
        jobs=getattr(args, "jobs", None),
        scheduler=getattr(args, "scheduler", None),
        cache=not getattr(args, "no_cache", True),
        console=console,
        argv=getattr(args, "argv", ()),
    )


def _show(args: argparse.Namespace, run: RunContext, console: Console) -> int | None:
    """``--show-settings`` and ``--show-files``: what a run would use and read, instead of running."""
    if args.show_settings:
        from sora_guard.config.show import show_settings

        console.line(show_settings(run.settings, (args.paths or ["."])[0]))
        return EXIT_OK
    if args.show_files:
        from sora_guard.builtin.reporters import printable

        found = run.discover(args.paths or ["."])
        console.line("".join(f"{printable(path)}\n" for path in found.files))
        for item in found.skipped:
            console.warn(f"{printable(item.path)}: skipped: {item.reason}")
        return EXIT_OK
    return None


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    from sora_guard.run.reports import destinations, write_check

    run = run_context(args, console)
    shown = _show(args, run, console)
    if shown is not None:
        return shown
    chosen = destinations(run, args.output, args.output_format)
    if args.staged:
        from sora_guard.git.staged import staged_blobs

        if args.paths:
            raise UsageError("--staged checks the files git has staged; it takes no PATH")
        report = run.check_data(staged_blobs(run.settings))
    elif args.stdin_filename or "-" in args.paths:
        if args.paths not in ([], ["-"]) or not args.stdin_filename:
            raise UsageError(
                "check an image on standard input with: sora-guard check - --stdin-filename NAME"
            )
        report = run.check_stream(args.stdin_filename, sys.stdin.buffer)
    else:
        report = run.check(args.paths or ["."])
        if not report.files:
            console.warn("no image files found under the given path(s)")
    for notice in run.notices():
        console.warn(notice)
    write_check(run, report, chosen, console, statistics=args.statistics)
    return EXIT_OK if report.ok or args.exit_zero else EXIT_ERRORS


def cmd_fix(args: argparse.Namespace, console: Console) -> int:
    from sora_guard.builtin.reporters import diagnostic_line
    from sora_guard.run.fix_report import describe
    from sora_guard.run.reports import destinations, write_fix

    run = run_context(args, console)
    shown = _show(args, run, console)
    if shown is not None:
        return shown
    chosen = destinations(run, args.output, args.output_format, fixes=True)
    dry_run = args.dry_run or args.diff
    fixing = run.fix(
        args.paths or ["."],
        out=args.out,
        dry_run=dry_run,
        anchor=args.anchor,
        crop_box=args.crop_box,
        pictures=any(d.reporter.pictures for d in chosen),
    )
    for notice in run.notices():
        console.warn(notice)
    if not fixing.jobs and not fixing.skipped:
        console.warn("no image files found under the given path(s)")
    lines = all(d.path is not None for d in chosen)  # the lines, unless a report takes stdout
    write_fix(fixing, chosen, console, (lambda r: console.line(describe(r, args.diff))) if lines else None)
    if lines:
        console.line("".join(f"{diagnostic_line(r.path, d)}\n" for r in fixing.unread for d in r.diagnostics))
        console.line(fixing.summary.render(fixing.not_read))
    if fixing.failed or (fixing.changed and (dry_run or args.exit_non_zero_on_fix)):
        return EXIT_ERRORS
    return EXIT_OK


def cmd_preview(args: argparse.Namespace, console: Console) -> int:
    from sora_guard.preview import preview

    run = run_context(args, console)
    written, size = preview(run, args.image, args.output, args.anchor, args.crop_box)
    console.line(f"wrote {written}: {', '.join(run.settings.registry.strategies)} at {size}\n")
    return EXIT_OK


def _add_fit_options(parser: argparse.ArgumentParser) -> None:
    from sora_guard.config.settings import DESCRIPTIONS as about

    fit = parser.add_argument_group("fitting")
    fit.add_argument("--strategy", metavar="NAME", help=about["strategy"])
    fit.add_argument("--background", metavar="COLOUR", help=about["background"])
    fit.add_argument(
        "--anchor", metavar="X,Y", help="focal point as fractions of width and height (default 0.5,0.5)"
    )
    fit.add_argument(
        "--crop-box", metavar="L,T,R,B", help="for --strategy crop: the box to keep, as fractions"
    )


def cmd_rules(args: argparse.Namespace, console: Console) -> int:
    from sora_guard.engine.selection import prefix_match

    registry = run_context(args).settings.registry
    r = registry.rule(args.code) if args.code else None
    if r is not None:
        if r.stage == "fix":
            how = "reported by `sora-guard fix`"
        elif r.fix is not None:
            how = f"fix: {r.fix.title}" + (
                "; warnings only when selected by code" if r.severity.value == "warning" else ""
            )
        else:
            how = "not fixable automatically"
        always = ", reported whatever the selection" if r.always else ""
        console.line(f"{r.code} {r.name} [{r.severity.value}{always}; {how}]\n\n{r.doc}\n")
        return EXIT_OK
    listed = [r for code, r in registry.rules.items() if prefix_match(code, [args.code or "ALL"]) >= 0]
    if not listed:  # a prefix, as --select takes, matched nothing
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
                "fix": r.fix.title if r.fix is not None else None,
                "stage": r.stage,
            }
            for r in listed
        ]
        console.line(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    console.line(
        "".join(
            f"{r.code}  {r.name:<22} {r.severity.value:<8} {'fix ' if r.fixable else '    '} {r.summary}\n"
            for r in listed
        )
    )
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace, console: Console) -> int:
    settings = run_context(args).settings
    names = settings.profile_names()
    if args.audit:
        from sora_guard.guard.audit import audit

        found = audit(settings.resolve_profile(n) for n in names)
        console.line(found.render())
        return EXIT_ERRORS if args.exit_non_zero_on_drift and not found.ok else EXIT_OK
    from sora_guard.builtin.profile_views import details, table

    chosen = {t.profile.name for t in settings.all_targets()}
    if args.name:
        console.line(details(settings.resolve_profile(args.name), chosen, args.name))
    else:
        console.line(table([settings.resolve_profile(n) for n in names], chosen))
    return EXIT_OK


def cmd_install_hook(args: argparse.Namespace, console: Console) -> int:
    from sora_guard.git.hook import install

    console.line(install(force=args.force) + "\n")
    return EXIT_OK


def cmd_completion(args: argparse.Namespace, console: Console) -> int:
    from sora_guard.completion import script
    from sora_guard.plugins.host import load_registry

    console.line(script(args.shell, build_parser(), load_registry(False if args.no_plugins else None)))
    return EXIT_OK


def _check_options(check: argparse.ArgumentParser) -> None:
    add_target_options(check)
    out = check.add_argument_group("output")
    out.add_argument(
        "--output-format",
        "--format",
        dest="output_format",
        metavar="FORMAT",
        help="text, json, github, sarif, html or markdown (github when GITHUB_ACTIONS=true)",
    )
    _output_file_option(out, "instead of stdout")
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
    from sora_guard.config.settings import DESCRIPTIONS as about

    add_target_options(fix)
    _add_fit_options(fix)
    fix.add_argument("--quality", type=int, metavar="N", help=about["quality"])
    fix.add_argument("--convert-to", metavar="FORMAT", help=about["convert-to"])
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
    _output_file_option(report, "(html, json, or a plugin's fix format)")


def _output_file_option(group: argparse._ArgumentGroup, where: str) -> None:
    group.add_argument(
        "-o",
        "--output-file",
        "--output",
        dest="output",
        action="append",
        default=[],
        metavar="[FORMAT:]FILE",
        help=f"write the report to FILE {where}; FORMAT:FILE writes that format's report too "
        "(repeatable: -o sarif:x.sarif -o html:x.html); written atomically",
    )


def _preview_options(preview: argparse.ArgumentParser) -> None:
    from sora_guard.config.settings import DESCRIPTIONS as about

    preview.add_argument("image", metavar="IMAGE")
    preview.add_argument("--profile", help=about["profile"])
    preview.add_argument("--size", metavar="WxH|auto", help=about["size"])
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


def _completion_options(completion: argparse.ArgumentParser) -> None:
    from sora_guard.completion import SHELLS

    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    completion.add_argument(
        "--no-plugins", action="store_true", help="offer only the built-in profiles, strategies and formats"
    )


COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace, Console], int]]
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
        "list the target profiles with their status (the run's targets marked), or show one with its sources",
        _profiles_options,
        cmd_profiles,
    ),
    "install-hook": (
        "install a git pre-commit hook that checks staged images",
        _hook_options,
        cmd_install_hook,
    ),
    "completion": (
        'print a completion script for bash, zsh or fish, e.g. eval "$(sora-guard completion bash)"',
        _completion_options,
        cmd_completion,
    ),
}
"""Subcommand -> (help, what adds its options, what runs it)."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; given the ``command`` about to run, only its subparser (building every one
    costs a one-file check over a millisecond). Without one, all of them, for ``--help``."""
    parser = argparse.ArgumentParser(
        prog="sora-guard",
        description="Check and fix the reference images you send to video- and image-generation APIs.",
    )
    parser.add_argument("--version", action="version", version=f"sora-guard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, add_options, run) in COMMANDS.items():
        if command in (None, name):
            sub = commands.add_parser(name, help=summary)
            add_options(sub)
            sub.set_defaults(run=run)
    return parser


def _add_config_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read this configuration file instead of searching for one",
    )
    parser.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    parser.add_argument(
        "--no-plugins",
        action="store_true",
        help="load only the built-in plugins (also SORA_GUARD_DISABLE_PLUGIN_AUTOLOAD=1)",
    )


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code: 0 no errors, 1 errors found, 2 usage or
    configuration error (or a report that could not be written), 130 interrupted."""
    from sora_guard.run.process import command_line_process
    from sora_guard.run.progress import Console

    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # the hints name options of every subcommand
            _unrecognised(build_parser(), args.command, unknown)
    except SystemExit as exc:  # --help, --version, or argparse's own usage error (already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    args.argv = ("sora-guard", *argv)  # the command line, for the head of a report
    with Console() as console, command_line_process(console):
        try:
            return args.run(args, console)
        except SoraGuardError as exc:  # configuration, usage, executor, git: what ruff exits 2 for
            console.error(str(exc))
            return EXIT_USAGE
        except KeyboardInterrupt:
            console.error("interrupted")
            return 130
        except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_ERRORS
        except OSError as exc:  # the system failed a write (disk full, I/O error): say which, no traceback
            where = f"{exc.filename}: " if exc.filename else ""
            console.error(f"{where}{exc.strerror or exc}")
            return EXIT_USAGE
