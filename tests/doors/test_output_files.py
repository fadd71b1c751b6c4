"""Several reports from one run: ``-o FORMAT:PATH`` (repeatable) beside the run's own format, on
``check`` and ``fix``, each file written whole; ``-o PATH`` keeps its meaning."""

from __future__ import annotations

import json
import re
import textwrap
import time
from pathlib import Path

import pytest
from support.images import animated_gif, corrupt_jpeg, encode, marker, write
from support.plugins import install_plugin

import sora_guard
from sora_guard import __version__


@pytest.fixture
def assets(tmp_path) -> Path:
    root = tmp_path / "assets"
    write(root / "ok.jpg", encode(marker((1280, 720)), "JPEG"))
    write(root / "wide.jpg", encode(marker((1600, 720)), "JPEG"))
    write(root / "moving.gif", animated_gif((320, 240)))
    write(root / "clear.png", marker((1280, 720), "RGBA"))
    write(root / "broken.jpg", corrupt_jpeg((1280, 720)))
    return root


def _codes(document: dict) -> dict[str, list[str]]:
    return {f["path"]: [d["code"] for d in f["diagnostics"]] for f in document["files"]}


def test_text_on_the_terminal_with_sarif_json_and_html_files_from_one_check(run_cli, assets, tmp_path):
    alone = run_cli(
        "check", "--isolated", "--profile", "sora-2", "--no-cache", "--output-format", "json", "assets"
    )
    done = run_cli(
        "check",
        "--isolated",
        "--profile",
        "sora-2",
        "--no-cache",
        "assets",
        "-o",
        "sarif:reports/check.sarif",
        "--output-file",
        "json:check.json",
        "--output",
        "html:check.html",
    )
    assert done.returncode == alone.returncode == 1
    lines = done.stdout.splitlines()  # the text report on the terminal, as without files
    assert "assets/wide.jpg: SG101 [error] 1600x720 does not match the target 1280x720 (sora-2)" in lines
    assert lines[-1].startswith("Found 4 errors")
    assert _codes(json.loads((tmp_path / "check.json").read_text())) == _codes(json.loads(alone.stdout))
    sarif = json.loads((tmp_path / "reports" / "check.sarif").read_text())
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    } == {
        "assets/wide.jpg",
        "assets/moving.gif",
        "assets/clear.png",
        "assets/broken.jpg",
    }
    page = (tmp_path / "check.html").read_text()  # the streaming reporter, one of several, still draws
    assert page.count('data-src="data:image/webp;base64,') == 3  # the broken JPEG has no picture
    assert page.rstrip().endswith("</html>")
    assert not [p.name for p in tmp_path.rglob(".sora-guard-tmp-*")]  # every file renamed into place


def test_o_path_keeps_its_meaning_and_a_value_is_a_format_only_when_one_is_registered(
    run_cli, assets, tmp_path
):
    done = run_cli(
        "check",
        "--isolated",
        "--profile",
        "sora-2",
        "--no-cache",
        "--output-format",
        "json",
        "-o",
        "plain.json",
        "assets",
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert _codes(json.loads((tmp_path / "plain.json").read_text()))["assets/wide.jpg"] == ["SG101"]
    # "notes" is no format: the whole value is a file name, written in the run's own format
    named = run_cli(
        "check",
        "--isolated",
        "--profile",
        "sora-2",
        "--no-cache",
        "-o",
        "notes:today.txt",
        "--exit-zero",
        "assets",
    )
    assert (named.returncode, named.stdout) == (0, "")
    assert (tmp_path / "notes:today.txt").read_text().splitlines()[-1].startswith("Found 4 errors")
    # --statistics shapes the run's own format only; the other files are whole reports
    stats = run_cli(
        "check",
        "--isolated",
        "--profile",
        "sora-2",
        "--no-cache",
        "--statistics",
        "-o",
        "markdown:m.md",
        "assets",
    )
    assert stats.stdout.splitlines()[0] == "count  code   rule"
    assert "| assets/wide.jpg | error | SG101 size-mismatch |" in (tmp_path / "m.md").read_text()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-o", "html:"], "-o html:: name the file after the colon"),
        (["-o", "r.txt", "-o", "json:r.txt"], "two reports would be written to r.txt"),
        (["--output-format", "nope", "-o", "json:r.json"], "unknown output format 'nope'"),
    ],
)
def test_bad_output_files_are_usage_errors_before_anything_is_written(
    run_cli, assets, tmp_path, flags, message
):
    done = run_cli("check", "--isolated", "--profile", "sora-2", "--no-cache", *flags, "assets")
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assets"]


def test_fix_writes_its_lines_and_several_reports_from_one_run(run_cli, assets, tmp_path):
    before = {p.name: p.read_bytes() for p in assets.iterdir()}
    done = run_cli(
        "fix",
        "--isolated",
        "--profile",
        "sora-2",
        "--no-cache",
        "--dry-run",
        "-o",
        "html:fix.html",
        "-o",
        "json:fix.json",
        "assets",
    )
    assert done.returncode == 1, done.stderr
    assert "assets/wide.jpg: would fix SG101" in done.stdout and "Would fix 2 file(s)" in done.stdout
    assert {p.name: p.read_bytes() for p in assets.iterdir()} == before
    document = json.loads((tmp_path / "fix.json").read_text())
    statuses = {f["path"]: f["status"] for f in document["files"]}
    assert statuses == {
        "assets/ok.jpg": "unchanged",
        "assets/wide.jpg": "fixed",
        "assets/moving.gif": "fixed",
        "assets/clear.png": "unchanged",
        "assets/broken.jpg": "failed",
    }
    page = (tmp_path / "fix.html").read_text()  # read back from the one run: the same outcomes
    assert page.count('class="pair"') == 2 and "Would fix 2 files;" in page
    assert (
        "<dt>Command</dt><dd><code>sora-guard fix --isolated --profile sora-2 --no-cache --dry-run -o html:fix.html"
        in page
    )
    sarif = run_cli(
        "fix", "--isolated", "--profile", "sora-2", "--dry-run", "-o", "sarif:fix.sarif", "assets"
    )
    assert sarif.returncode == 2 and "unknown output format 'sarif'; known: html, json" in sarif.stderr


def test_the_api_report_says_what_was_checked(assets, monkeypatch):
    monkeypatch.chdir(assets.parent)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796601600")  # 2026-12-07 00:00 UTC: a reproducible report
    report = sora_guard.check_paths(["assets"], profile="veo", size="1280x720")
    heading = report.heading
    assert (heading.targets, heading.size, heading.root, heading.version) == (
        ("veo",),
        "1280x720",
        str(assets.parent),
        __version__,
    )
    assert (heading.argv, heading.command) == ((), "")
    local = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(1796601600))
    assert re.fullmatch(re.escape(local) + r"[+-]\d\d:\d\d", heading.date), heading.date


REPORTER = textwrap.dedent(
    """
    from sora_guard.plugins import Reporter, hookimpl


    def render(report, rules):
        return "".join(f"{f.path},{len(f.diagnostics)}\\n" for f in report.files)


    def write(entries, rules, out):
        for entry in entries:
            status = "" if entry.fix is None else entry.fix.status.value
            out.write(f"{entry.report.path},{len(entry.report.diagnostics)},{status}\\n")


    @hookimpl
    def sora_guard_reporters():
        return [Reporter("csv", "one line per file", render, write, fixes=True)]
    """
)


def test_a_plugin_reporter_written_before_headings_is_one_of_several(assets, tmp_path, run_process):
    site = tmp_path / "site"
    install_plugin(site, "sora_guard_csv", {"csv": "sora_guard_csv"}, {"sora_guard_csv": REPORTER})
    env = {"PYTHONPATH": str(site)}
    check = run_process(
        "check",
        "--isolated",
        "--profile",
        "sora-2",
        "--no-cache",
        "-o",
        "csv:c.csv",
        "-o",
        "html:c.html",
        "assets",
        env=env,
    )
    assert check.returncode == 1, check.stderr
    assert "assets/wide.jpg,1\n" in (tmp_path / "c.csv").read_text()
    fix = run_process(
        "fix",
        "--isolated",
        "--profile",
        "sora-2",
        "--no-cache",
        "--dry-run",
        "-o",
        "html:f.html",
        "-o",
        "csv:f.csv",
        "assets",
        env=env,
    )
    rows = (tmp_path / "f.csv").read_text().splitlines()  # the second reporter reads the run back
    assert sorted(rows) == sorted(
        [
            "assets/ok.jpg,0,unchanged",
            "assets/wide.jpg,1,fixed",
            "assets/moving.gif,3,fixed",
            "assets/clear.png,1,unchanged",
            "assets/broken.jpg,1,failed",
        ]
    ), fix.stderr
    assert re.search(r"<li><b>5</b>files</li>", (tmp_path / "f.html").read_text())
