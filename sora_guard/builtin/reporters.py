"""Reporters: ``text`` (a linter's lines), ``json``, ``github`` (workflow commands), ``sarif`` 2.1.0,
``markdown`` (a GitHub step summary); ``html`` is its own built-in plugin (:mod:`sora_guard.builtin.html_report`)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import IO, TYPE_CHECKING
from urllib.parse import quote

from sora_guard import __version__
from sora_guard.plugins import hookimpl
from sora_guard.vocabulary.contract import Reporter
from sora_guard.vocabulary.formats import is_url
from sora_guard.vocabulary.model import Counts, Diagnostic, FileReport, Heading, Report, Rule, Severity

if TYPE_CHECKING:
    from sora_guard.vocabulary.contract import Entry, FixOutcome, Placement

__all__ = [
    "Reporter",
    "count_cards",
    "heading_rows",
    "literals",
    "noun",
    "printable",
    "render_statistics",
    "skipped_sentence",
    "summary_text",
]

HOMEPAGE = "https://github.com/sora-guard/sora-guard"


def _os_bytes(path: str) -> bytes | None:
    """The bytes the OS has for ``path`` (undoing surrogateescape), or None for text that never came from it."""
    try:
        return os.fsencode(path)
    except UnicodeEncodeError:
        return None


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127)}


def printable(path: str) -> str:
    """A path safe to print whatever its bytes: a non-UTF-8 byte or a control character (a newline,
    a terminal escape) shows as ``\\xe9``, as ``ls -b`` shows it, so a name cannot forge output lines."""
    raw = _os_bytes(path)
    text = (
        raw.decode("utf-8", "backslashreplace")
        if raw is not None
        else path.encode("utf-8", "backslashreplace").decode("utf-8")
    )
    return text.translate(_CONTROL)


def _sarif_uri(path: str) -> str:
    """A relative URI for ``path``: ``/`` separators and percent-encoded bytes, so any file name survives.

    A URL (``s3://bucket/key``) stays absolute, its key percent-encoded the same way.
    """
    if is_url(path):
        scheme, rest = path.split("://", 1)
        return f"{scheme}://{quote(rest.encode('utf-8', 'surrogatepass'), safe='/')}"
    raw = _os_bytes(path) or path.encode("utf-8", "surrogatepass")
    if os.sep == "\\":
        raw = raw.replace(b"\\", b"/")
    return quote(raw.removeprefix(b"./"), safe="/")


def _artifact(uri: str) -> dict:
    """A SARIF artifactLocation: relative URIs against the source root; absolute ones (URLs) alone, as SARIF requires."""
    return {"uri": uri} if is_url(uri) else {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def noun(n: int, one: str, many: str) -> str:
    """``one`` or ``many``, as ``n`` needs: "1 file with warnings only", "2 files with warnings only"."""
    return one if n == 1 else many


def heading_rows(heading: Heading) -> list[tuple[str, str]]:
    """What a report's head says the run checked, as (label, value) rows in order."""
    rows = [
        (
            noun(len(heading.targets), "Target", "Targets"),
            ", ".join(heading.targets) or "none (the checks every service shares)",
        ),
        ("Size", heading.size),
        ("Folder", heading.root),
        ("Date", heading.date),
        ("Version", f"sora-guard {heading.version}"),
    ]
    if heading.argv:
        rows.append(("Command", heading.command))
    return rows


def count_cards(counts: Counts) -> list[tuple[int, str]]:
    """The counts a report's head shows, each with its label in the number it needs."""
    return [
        (counts.files, noun(counts.files, "file checked", "files checked")),
        (counts.failing, noun(counts.failing, "file with errors", "files with errors")),
        (counts.warned, noun(counts.warned, "file with warnings only", "files with warnings only")),
        (counts.errors, noun(counts.errors, "error", "errors")),
        (counts.fixable, "fixable with sora-guard fix"),
        (counts.warnings, noun(counts.warnings, "warning", "warnings")),
    ]


def summary_line(report: Report) -> str:
    return summary_text(report.counts())


def summary_text(counts: Counts) -> str:
    """The closing sentence of a check from its counts: "Found 3 errors (...) in 2 files of 12 files.",
    then what could not be read: folders, and files a walk skipped."""
    checked = _plural(counts.files, "file")
    if not counts.errors:
        tail = f", {_plural(counts.warnings, 'warning')}" if counts.warnings else ""
        text = f"All checks passed: {checked}{tail}"
    else:
        fix = f" ({counts.fixable} fixable with `sora-guard fix`)" if counts.fixable else ""
        found = f"{_plural(counts.errors, 'error')}{fix} and {_plural(counts.warnings, 'warning')}"
        text = f"Found {found} in {_plural(counts.failing, 'file')} of {checked}"
    if counts.folders:
        text += f"; {_plural(counts.folders, 'folder')} could not be read"
    return text + "." + skipped_sentence(counts.skipped)


def skipped_sentence(skipped: Mapping[str, int]) -> str:
    """`` Skipped 3 files sora-guard does not read: 2 vector drawing (.svg), 1 no extension.``, or ``""``."""
    if not skipped:
        return ""
    kinds = ", ".join(f"{n} {why}" for why, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])))
    return f" Skipped {_plural(sum(skipped.values()), 'file')} sora-guard does not read: {kinds}."


def _json_text(document: object) -> str:
    import json  # only the JSON and SARIF outputs: the text a pre-commit hook prints needs none of it

    return json.dumps(document, indent=2) + "\n"


def render_statistics(report: Report, fmt: str) -> str:
    """``--statistics``: JSON for ``json``; otherwise a table with a header, the summary and what ``[*]`` means."""
    rows = report.statistics()
    if fmt == "json":
        return _json_text(rows)
    if not rows:
        return summary_line(report) + "\n"
    width = max(len("count"), *(len(str(r["count"])) for r in rows))
    lines = [f"{'count':>{width}}  code   rule"]
    lines += [
        f"{r['count']:>{width}}  {r['code']:<6} {'[*]' if r['fixable'] else '[ ]'} {r['name']}" for r in rows
    ]
    lines.append(summary_line(report))
    if any(r["fixable"] for r in rows):
        lines.append("[*] fixable with `sora-guard fix`")
    return "\n".join(lines) + "\n"


def diagnostic_line(path: str, d: Diagnostic) -> str:
    """``path: CODE [severity] message``, the linter line every text output uses."""
    return f"{printable(path)}: {d.code} [{d.severity.value}] {printable(d.message)}"


def _lines(report: Report, line: Callable[[str, Diagnostic], str]) -> str:
    """One line per diagnostic, then the summary."""
    return (
        "".join(f"{line(f.path, d)}\n" for f in report.files for d in f.diagnostics)
        + summary_line(report)
        + "\n"
    )


def render_text(report: Report, rules: Mapping[str, Rule]) -> str:
    return _lines(report, diagnostic_line)


def _file_json(f: FileReport) -> dict:
    entry: dict = {"path": printable(f.path)}
    if f.folder:
        entry["folder"] = True
    if f.info is not None and f.info.stored is not None:
        entry.update(format=f.info.format, width=f.info.displayed.width, height=f.info.displayed.height)
    expected = f.expected_size
    if expected is not None:
        entry["target"] = str(expected)
    fixed = f.fixable
    entry["diagnostics"] = [{**d.to_dict(), "fixable": d in fixed} for d in f.diagnostics]
    return entry


def render_json(report: Report, rules: Mapping[str, Rule]) -> str:
    counts = report.counts()
    document = {
        "version": __version__,
        "summary": {
            "files": counts.files,
            "files_with_errors": counts.failing,
            "errors": counts.errors,
            "warnings": counts.warnings,
            "fixable": counts.fixable,
            "folders_not_read": counts.folders,
            "skipped": counts.skipped,
        },
        "files": [_file_json(f) for f in report.files],
        "skipped": [{"path": printable(s.path), "reason": s.reason} for s in report.skipped],
    }
    return _json_text(document)


def _fractions(box) -> list[float]:
    return [round(v, 4) for v in box]


def _placement_json(placement: Placement) -> dict:
    """The window a fit kept and the subjects it was asked to keep whole, in fractions of the picture."""
    kept = set(placement.kept)
    return {
        "window": {"source": _fractions(placement.source), "target": _fractions(placement.target)},
        "subjects": [
            {"kind": s.kind, "box": _fractions(s.box), "weight": round(s.weight, 6), "whole": s in kept}
            for s in placement.subjects
        ],
    }


def _fix_json(entry: Entry) -> dict:
    document = _file_json(entry.report)
    fix: FixOutcome | None = entry.fix
    if fix is None:  # a path the run could not read: the check says why
        return {**document, "status": "failed"}
    document["status"] = str(getattr(fix.status, "value", fix.status))
    if fix.dest is not None:
        document["dest"] = printable(fix.dest)
    document["changes"] = list(fix.changes)
    document["notes"] = [d.to_dict() for d in fix.notes]
    if fix.problems:
        document["problems"] = [d.to_dict() for d in fix.problems]
    if fix.placement is not None:
        document.update(_placement_json(fix.placement))
    return document


def write_json(entries: Iterable[Entry], rules: Mapping[str, Rule], out: IO[str]) -> None:
    """``render_json`` for a check; for ``fix``, each file's outcome, with the window kept and its subjects."""
    entries = list(entries)  # the summary comes first: a document, not a stream
    if not any(e.fix is not None for e in entries):
        out.write(render_json(Report([e.report for e in entries]), rules))
        return
    files = [_fix_json(e) for e in entries]
    statuses = [f["status"] for f in files]
    summary = {status: statuses.count(status) for status in ("fixed", "unchanged", "failed")}
    dry_run = any(e.fix is not None and e.fix.dry_run for e in entries)
    out.write(
        _json_text({"version": __version__, "summary": {**summary, "dry_run": dry_run}, "files": files})
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_line(path: str, d: Diagnostic) -> str:
    return f"::{d.severity.value} file={_escape_property(printable(path))},title={_escape_property(f'{d.code} {d.name}')}::{_escape_data(d.message)}"


def render_github(report: Report, rules: Mapping[str, Rule]) -> str:
    return _lines(report, _github_line)


def _sarif_rule(r: Rule) -> dict:
    return {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.doc or r.summary},
        "help": {"text": r.doc or r.summary, "markdown": r.doc or r.summary},
        "defaultConfiguration": {"level": "error" if r.severity is Severity.ERROR else "warning"},
        "properties": {"fixable": r.fixable},
    }


def render_sarif(report: Report, rules: Mapping[str, Rule]) -> str:
    used = sorted({d.code for f in report.files for d in f.diagnostics} | set(rules))
    index = {code: i for i, code in enumerate(used)}
    results = []
    for f in report.files:
        uri = _sarif_uri(f.path)
        for d in f.diagnostics:
            results.append(
                {
                    "ruleId": d.code,
                    "ruleIndex": index[d.code],
                    "level": d.severity.value,
                    "message": {"text": d.message},
                    "locations": [
                        {"physicalLocation": {"artifactLocation": _artifact(uri), "region": {"startLine": 1}}}
                    ],
                    "partialFingerprints": {"sora-guard/v1": f"{d.code}:{uri}"},
                }
            )
    driver_rules = [
        _sarif_rule(rules[code]) if code in rules else {"id": code, "shortDescription": {"text": code}}
        for code in used
    ]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sora-guard",
                        "version": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": driver_rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return _json_text(document)


_MARKUP = r"([\\`*_\[\]<>|!~&$])"
"""What starts inline Markdown in a line's middle: code, emphasis, links, raw HTML, entities, table
cells, strikethrough, GitHub's math."""

SUMMARY_BYTES = 1024 * 1024
"""The most a GitHub step summary holds: a larger one is refused whole, so the file rows stop short of it."""


def _md(text: str) -> str:
    """``text`` as Markdown text in a line's middle, markup escaped (:data:`_MARKUP`), so a file name
    cannot open a link, an emphasis, raw HTML or a table cell."""
    return re.sub(_MARKUP, r"\\\1", printable(text))  # compiled on first use: a check needs none


_LITERAL = r"``(.+?)``|`([^`]+)`"
"""reST's double-backquoted literals, as rule docstrings write code, and Markdown's single ones."""


def literals(text: str) -> list[tuple[str, bool]]:
    """``text`` (a rule's docstring) in parts, each with whether it is code: ``"``--size``"`` is code."""
    parts, end = [], 0
    for m in re.finditer(_LITERAL, text, re.S):
        parts += [(text[end : m.start()], False), (m[1] if m[1] is not None else m[2], True)]
        end = m.end()
    return [*parts, (text[end:], False)]


def _md_code(text: str) -> str:
    """``text`` as a Markdown code span, fenced by more backticks than it holds in a row."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return (
        f"{fence} {text} {fence}" if text.startswith("`") or text.endswith("`") else f"{fence}{text}{fence}"
    )


def markdown_head(heading: Heading | None, counts: Counts, title: str = "sora-guard check") -> list[str]:
    """The head of a Markdown report: the title, the verdict, what was checked and the counts."""
    lines = [f"## {title}", "", summary_text(counts), ""]
    if heading is not None:
        for label, value in heading_rows(heading):
            shown = _md_code(printable(value)) if label in ("Folder", "Command") else _md(value)
            lines.append(f"- **{label}:** {shown}")
        lines.append("")
    lines.append(" · ".join(f"**{n:,}** {label}" for n, label in count_cards(counts)))
    return lines


def render_markdown(report: Report, rules: Mapping[str, Rule]) -> str:
    """The step summary: the head, a table of every diagnostic (cut short of GitHub's 1 MiB for a step
    summary, saying how many rows were left out), and the rules the table names."""
    lines = [*markdown_head(report.heading, report.counts()), ""]
    rows = [(f, d) for f in report.files for d in f.diagnostics]
    if rows:
        lines += ["| file | severity | rule | message |", "|---|---|---|---|"]
    budget = SUMMARY_BYTES - 64 * 1024 - sum(len(line.encode()) + 1 for line in lines)
    codes: dict[str, str] = {}
    for listed, (f, d) in enumerate(rows):
        row = f"| {_md(f.path)} | {d.severity.value} | {d.code} {_md(d.name)} | {_md(d.message)} |"
        budget -= len(row.encode()) + 1
        if budget < 0:
            lines += [
                "",
                f"{len(rows) - listed:,} more diagnostics are not listed: a step summary holds 1 MiB.",
            ]
            break
        lines.append(row)
        codes.setdefault(d.code, d.name)
    if codes:
        lines += ["", "### Rules", ""]
        for code in sorted(codes):
            said = rules[code].summary if code in rules else codes[code]
            said = "".join(_md_code(part) if literal else _md(part) for part, literal in literals(said))
            lines.append(f"- **{code}** {_md(codes[code])}: {said} (`sora-guard rules {code}`)")
    return "\n".join(lines) + "\n"


BUILTIN_REPORTERS = (
    Reporter("text", "one line per diagnostic, then a summary", render_text),
    Reporter(
        "json",
        "one JSON document with every file and its diagnostics; with fix, each outcome and the window kept",
        render_json,
        write_json,
        fixes=True,
    ),
    Reporter("github", "GitHub Actions workflow commands (annotations)", render_github),
    Reporter("sarif", "SARIF 2.1.0 for GitHub code scanning", render_sarif),
    Reporter("markdown", "Markdown with what was checked, for a GitHub step summary", render_markdown),
)


@hookimpl
def sora_guard_reporters() -> list[Reporter]:
    return list(BUILTIN_REPORTERS)
