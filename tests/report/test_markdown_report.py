"""``--output-format markdown``, the step summary, read as GitHub reads it (cmark-gfm, GitHub's own
Markdown): what was checked, a table row per diagnostic whatever the file is called, under 1 MiB."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import cmarkgfm
from cmarkgfm.cmark import Options
from support.images import encode, marker, write

from sora_guard.builtin.reporters import SUMMARY_BYTES, render_markdown
from sora_guard.run.context import RunContext

NAMES = [
    "<img src=x onerror=alert(1)>.jpg",
    "a|b*c*_d_[e](f).jpg",
    "`tick` ~~gone~~ $x$ &amp;.jpg",
    "line\nbreak.jpg",
]


def _cells(markdown: str) -> list[list[str]]:
    """The table's rows as text, rendered without GitHub's sanitiser (raw HTML would pass through)."""
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    assert "<img" not in rendered and "<del>" not in rendered and "<a " not in rendered, rendered
    rows = re.findall(r"<tr>\n(.*?)</tr>", rendered, re.S)
    return [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows[1:]]


def test_every_file_is_one_row_of_text_whatever_it_is_called(run_cli, tmp_path):
    for name in NAMES:
        write(tmp_path / "assets" / name, encode(marker((1600, 720)), "JPEG"))
    done = run_cli(
        "check", "--isolated", "--profile", "sora-2", "--no-cache", "--output-format", "markdown", "assets"
    )
    assert done.returncode == 1
    rows = _cells(done.stdout)
    shown = {"assets/" + name.replace("\n", "\\x0a") for name in NAMES}
    assert {row[0] for row in rows} == shown and len(rows) == len(NAMES)
    assert {tuple(row[1:3]) for row in rows} == {("error", "SG101 size-mismatch")}
    assert "1 error" not in done.stdout and "**4** files checked · **4** files with errors" in done.stdout


def test_a_summary_stops_short_of_githubs_limit_and_says_how_many_rows_it_left_out(tmp_path):
    write(tmp_path / "wide.jpg", encode(marker((1600, 720)), "JPEG"))
    report = RunContext.from_options(profile="sora-2").check([tmp_path / "wide.jpg"])
    one = report.files[0]
    report.files = [replace(one, path=f"{tmp_path}/{'deep/' * 20}{n:05}.jpg") for n in range(10_000)]
    text = render_markdown(report, {})
    assert SUMMARY_BYTES - 64 * 1024 < len(text.encode()) < SUMMARY_BYTES
    listed = len(_cells(text))
    assert 1000 < listed < 10_000
    assert text.endswith(
        f"\n\n{10_000 - listed:,} more diagnostics are not listed: a step summary holds 1 MiB.\n\n### Rules\n\n- **SG101** size-mismatch: size-mismatch (`sora-guard rules SG101`)\n"
    )
