"""The ``html`` page: self-contained (pictures inlined, a CSP forbidding remote loads), streamed row by row;
the markup is ``templates.html``, whose values are escaped unless the code marks them :class:`Safe`."""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import re
import shutil
import string
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import IO

from sora_guard import __version__
from sora_guard.builtin.reporters import count_cards, heading_rows, literals, noun, printable, summary_text
from sora_guard.vocabulary.contract import Entries, Entry, Picture
from sora_guard.vocabulary.model import Counts, Diagnostic, FileReport, Heading, Report, Rule, Severity

__all__ = ["write_html", "render_html"]


class Safe(str):
    """Text that is HTML already (a rendered fragment); every other value is escaped."""


class HtmlTemplate(string.Template):
    def render(self, **values: object) -> Safe:
        return Safe(
            self.substitute({k: v if isinstance(v, Safe) else html.escape(str(v)) for k, v in values.items()})
        )


@functools.cache
def _templates() -> dict[str, HtmlTemplate]:
    text = resources.files(__package__).joinpath("templates.html").read_text("utf-8")
    parts = text.split("<!-- template: ")[1:]
    return {name: HtmlTemplate(body.strip("\n")) for name, _, body in (p.partition(" -->\n") for p in parts)}


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text("utf-8")


def _hash(source: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"
    )


def _t(template: str, /, **values: object) -> Safe:
    return _templates()[template].render(**values)


def _join(parts: Iterable[str]) -> Safe:
    return Safe("".join(parts))


@dataclass
class _Tally:
    """Counts for the summary and filters, kept while rows stream past."""

    counts: Counts = field(default_factory=Counts)
    """Files, errors, warnings and fixable, counted as every reporter counts them."""
    severities: Counter = field(default_factory=Counter)
    codes: Counter = field(default_factory=Counter)
    names: dict = field(default_factory=dict)
    status: Counter = field(default_factory=Counter)
    listed: Counter = field(default_factory=Counter)
    """Rows per fix status."""
    dry_run: bool = False
    fix: bool = False


def _status(entry: Entry) -> str:
    """``fixed``, ``unchanged`` or ``failed`` for a fix entry (a str enum's value), ``""`` for a check."""
    return "" if entry.fix is None else str(getattr(entry.fix.status, "value", entry.fix.status))


def _shown(entry: Entry) -> list[Diagnostic]:
    """The diagnostics a row lists: a check's findings; for fix, what was fixed, or why not, and the notes."""
    fix = entry.fix
    if fix is None:
        return list(entry.report.diagnostics)
    if _status(entry) == "failed":
        return list(fix.problems) + [d for d in entry.report.diagnostics if d.severity is Severity.WARNING]
    return list(entry.report.diagnostics) + list(fix.notes)


def _facts(report: FileReport | None) -> str:
    info = report.info if report is not None else None
    if info is None or info.stored is None:
        return "not read as an image"
    parts = [info.format or "?", str(info.displayed)]
    if info.byte_size is not None:
        parts.append(f"{info.byte_size:,} bytes")
    expected = report.expected_size
    if expected is not None and expected != info.displayed:
        parts.append(f"target {expected}")
    return " · ".join(parts)


def _undecodable(report: FileReport) -> bool:
    info = report.info
    return (
        info is None
        or not info.readable
        or bool(info.decode_error or info.too_many_pixels or info.decode_timeout or info.skipped)
    )


def _figure(picture: Picture | None, caption: str, reason: str) -> Safe:
    if picture is None:
        return _t("placeholder", reason=reason, caption=caption)
    src = f"data:{picture.mime};base64,{base64.b64encode(picture.data).decode('ascii')}"
    return _t("picture", alt=caption, width=picture.width, height=picture.height, src=src, caption=caption)


def _shape(report: FileReport | None) -> str:
    info = report.info if report is not None else None
    return f"{info.format} {info.displayed}" if info is not None and info.stored is not None else ""


def _pictures(entry: Entry) -> Safe:
    report, fix = entry.report, entry.fix
    reason = "no preview: the image does not decode" if _undecodable(report) else "no preview"
    if _status(entry) == "fixed":
        before = _figure(entry.picture, f"before: {_shape(report)}", reason)
        after = _figure(entry.fixed_picture, f"after: {_shape(fix.after)}", "no preview")
        return _t("pair", before=before, after=after)
    return _figure(entry.picture, "", reason)


def _outcome(entry: Entry) -> Safe:
    fix = entry.fix
    if fix is None:
        return Safe("")
    verb = {
        "fixed": "would fix" if fix.dry_run else "fixed",
        "failed": "not fixable",
        "unchanged": "unchanged",
    }[_status(entry)]
    change = "; ".join(fix.changes)
    if fix.dest is not None and fix.dest != entry.report.path:
        change += f"{'; ' if change else ''}written as {printable(fix.dest)}"
    return _t("outcome", status=_status(entry), verb=verb, change=change)


def _row(entry: Entry, shown: list[Diagnostic]) -> Safe:
    path = printable(entry.report.path)
    return _t(
        "row",
        search=path.lower(),
        severities=" ".join(sorted({d.severity.value for d in shown})),
        codes=" ".join(sorted({d.code for d in shown})),
        kind="check" if entry.fix is None else "fix",
        status=_status(entry),
        pictures=_pictures(entry),
        path=path,
        facts=_facts(entry.report),
        outcome=_outcome(entry),
        diagnostics=_join(
            _t(
                "diagnostic",
                severity=d.severity.value,
                code=d.code,
                name=d.name,
                message=printable(d.message),
            )
            for d in shown
        ),
    )


def _count(tally: _Tally, entry: Entry, shown: list[Diagnostic]) -> None:
    tally.counts.add(entry.report)
    if entry.fix is not None:
        tally.fix = True
        tally.dry_run |= entry.fix.dry_run
        tally.status[_status(entry)] += 1
    tally.severities.update({d.severity.value for d in shown})
    tally.codes.update({d.code for d in shown})
    for d in shown:
        tally.names.setdefault(d.code, d.name)


def _listed(entry: Entry, shown: list[Diagnostic]) -> bool:
    return bool(shown) or _status(entry) not in ("", "unchanged")


def _counts(tally: _Tally) -> Safe:
    if tally.fix:
        verb = "would fix" if tally.dry_run else "fixed"
        cards = [
            (tally.counts.files, noun(tally.counts.files, "file", "files")),
            (tally.status["fixed"], verb),
            (tally.status["unchanged"], "already fine"),
            (tally.status["failed"], "not fixable"),
        ]
    else:
        cards = count_cards(tally.counts)
    return _join(_t("count", value=f"{n:,}", label=label) for n, label in cards)


def _run(heading: Heading | None) -> Safe:
    """What the run checked (targets, size, folder, date, version, command line), or nothing."""
    if heading is None:
        return Safe("")
    rows = (
        _t("fact", label=label, value=_t("code", text=printable(value)) if label == "Command" else value)
        for label, value in heading_rows(heading)
    )
    return _t("run", facts=_join(rows))


def _verdict(tally: _Tally) -> Safe:
    """The run in one sentence; `quoted` commands become code."""
    if tally.fix:
        verb = "Would fix" if tally.dry_run else "Fixed"
        fixed = tally.status["fixed"]
        text = f"{verb} {fixed} {noun(fixed, 'file', 'files')}; {tally.status['unchanged']} already fine; {tally.status['failed']} not fixable."
    else:
        text = summary_text(tally.counts)
    return Safe(re.sub(r"`([^`<>&]+)`", r"<code>\1</code>", html.escape(text)))


def _filters(tally: _Tally) -> Safe:
    groups = []
    if tally.fix:
        labels = {
            "fixed": "would fix" if tally.dry_run else "fixed",
            "failed": "not fixable",
            "unchanged": "unchanged",
        }
        boxes = [
            _t("box", group="status", value=s, label=labels[s], count=tally.listed[s])
            for s in labels
            if tally.listed[s]
        ]
        groups.append(_t("filter", legend="Outcome", boxes=_join(boxes)))
    severity = [
        _t("box", group="severity", value=s, label=s + "s", count=tally.severities[s])
        for s in ("error", "warning")
        if tally.severities[s]
    ]
    groups.append(_t("filter", legend="Severity", boxes=_join(severity)))
    rules = [
        _t("box", group="rule", value=c, label=f"{c} {tally.names[c]}", count=n)
        for c, n in sorted(tally.codes.items())
    ]
    groups.append(_t("filter", legend="Rules", boxes=_join(rules)))
    return _join(groups)


def _inline(text: str) -> Safe:
    """One paragraph of a rule's docstring: its literals as code, the rest as text."""
    return _join(_t("code", text=part) if literal else html.escape(part) for part, literal in literals(text))


def _doc(text: str) -> Safe:
    """A rule's docstring as HTML: blank lines part paragraphs, lines starting ``- `` or ``* `` are a list."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines()]
        if all(line.startswith(("- ", "* ")) for line in lines):
            items = _join(_t("item", text=_inline(line[2:])) for line in lines)
            blocks.append(_t("list", items=items))
        else:
            blocks.append(_t("paragraph", text=_inline(" ".join(lines))))
    return _join(blocks)


def _rules(rules: Mapping[str, Rule], tally: _Tally) -> Safe:
    """The documentation of every code the rows link to."""
    articles = []
    for code, r in rules.items():
        if code not in tally.codes:
            continue
        fixable = Safe(" <span>· fixable by <code>sora-guard fix</code></span>") if r.fixable else Safe("")
        articles.append(
            _t(
                "rule",
                code=code,
                name=r.name,
                severity=r.severity.value,
                fixable=fixable,
                doc=_doc(r.doc or r.summary),
            )
        )
    for code in sorted(set(tally.codes) - set(rules)):
        doc = _doc("A code of a plugin that registered no rule for it.")
        articles.append(_t("rule", code=code, name=tally.names[code], severity="", fixable=Safe(""), doc=doc))
    return _join(articles)


def write_html(entries: Iterable[Entry], rules: Mapping[str, Rule], out: IO[str]) -> None:
    """Write the report of ``entries`` to ``out``, one row at a time; the rows wait in a temporary
    file while the counts that head the page are gathered. The head says what was checked when
    ``entries`` carry a heading (:class:`Entries`)."""
    tally, heading = _Tally(), getattr(entries, "heading", None)
    style, script = _asset("report.css"), _asset("report.js")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as rows:
        for entry in entries:
            shown = _shown(entry)
            _count(tally, entry, shown)
            if _listed(entry, shown):
                tally.listed[_status(entry)] += 1
                rows.write(_row(entry, shown) + "\n")
        csp = f"default-src 'none'; img-src data: blob:; style-src {_hash(style)}; script-src {_hash(script)}; base-uri 'none'; form-action 'none'"
        title = (
            ("sora-guard fix --dry-run" if tally.dry_run else "sora-guard fix")
            if tally.fix
            else "sora-guard check"
        )
        out.write(
            _t(
                "head",
                csp=csp,
                version=__version__,
                title=title,
                style=Safe(style),
                verdict=_verdict(tally),
                run=_run(heading),
                counts=_counts(tally),
                filters=_filters(tally),
            )
            + "\n"
        )
        rows.seek(0)
        shutil.copyfileobj(rows, out)
    out.write(_t("tail", rules=_rules(rules, tally), version=__version__, script=Safe(script)) + "\n")


def render_html(report: Report, rules: Mapping[str, Rule]) -> str:
    """The page for ``report`` as one string, without pictures (the reporter contract's ``render``)."""
    out = io.StringIO()
    write_html(Entries((Entry(f) for f in report.files), report.heading), rules, out)
    return out.getvalue()
