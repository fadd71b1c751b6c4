"""``--output-format html`` opened in a real browser: what a person reviewing a library sees.

Each test writes a mixed library of real images (fine, off-size, rotated, 16-bit, animated,
transparent, truncated, corrupt, HEIF, hostile names), runs the real CLI and opens the report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.images import (
    animated_gif,
    corrupt_jpeg,
    encode,
    exif_rotated_jpeg,
    heic_photo,
    marker,
    png_16bit_rgb,
    truncated,
    write,
)

from sora_guard import __version__

HOSTILE = "<img src=x onerror=alert(1)>.jpg"
SCRIPT = "<script>alert(2)<_script>.png"
UNDECODABLE = {"cut.jpg", "broken.jpg"}


@pytest.fixture
def library(tmp_path) -> Path:
    root = tmp_path / "assets"
    write(root / "ok.jpg", encode(marker((1280, 720)), "JPEG"))
    write(root / "wide.jpg", encode(marker((1600, 720)), "JPEG"))
    write(root / "phone.jpg", exif_rotated_jpeg((1600, 1200), 6))
    write(root / "deep.png", png_16bit_rgb((640, 480)))
    write(root / "moving.gif", animated_gif((320, 240)))
    write(root / "clear.png", marker((1280, 720), "RGBA"))
    write(root / "cut.jpg", truncated(encode(marker((1280, 720)), "JPEG")))
    write(root / "broken.jpg", corrupt_jpeg((1280, 720)))
    write(root / "photo.heic", heic_photo((1600, 1200)))
    write(root / HOSTILE, encode(marker((900, 900)), "JPEG"))
    write(root / SCRIPT, encode(marker((300, 200)), "PNG"))
    return root


def _expected(run_cli, root: Path) -> dict[str, list[str]]:
    """Each file with diagnostics and its codes, as the JSON report of the same check gives them."""
    done = run_cli(
        "check", "--profile", "sora-2", "--isolated", "--no-cache", "--output-format", "json", ".", cwd=root
    )
    files = json.loads(done.stdout)["files"]
    return {f["path"]: [d["code"] for d in f["diagnostics"]] for f in files if f["diagnostics"]}


def test_check_report_lists_every_failing_file_with_pictures_and_loads_nothing(run_cli, library, open_report):
    expected = _expected(run_cli, library)
    done = run_cli(
        "check",
        "--profile",
        "sora-2",
        "--isolated",
        "--no-cache",
        "--output-format",
        "html",
        "-o",
        "../report.html",
        ".",
        cwd=library,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert [line for line in done.stderr.splitlines() if "closed on 2026-09-24" not in line] == []
    page = open_report(library.parent / "report.html")
    assert page.shown() == expected and len(expected) == 10  # ok.jpg passes; every other file is listed
    pictures = page.pictures()
    assert {p["row"] for p in pictures} == set(expected) - UNDECODABLE
    assert all(p["width"] > 0 for p in pictures), pictures
    placeholders = page.page.eval_on_selector_all(
        ".placeholder", "ps => ps.map(p => p.closest('li.file').querySelector('.path').textContent)"
    )
    assert set(placeholders) == UNDECODABLE
    page.screenshot("check")
    page.assert_clean()


def test_hostile_names_show_as_text(run_cli, library, open_report):
    run_cli(
        "check",
        "--profile",
        "sora-2",
        "--isolated",
        "--no-cache",
        "--output-format",
        "html",
        "-o",
        "../report.html",
        ".",
        cwd=library,
    )
    raw = (library.parent / "report.html").read_text()
    assert HOSTILE not in raw and SCRIPT not in raw  # escaped wherever it appears
    page = open_report(library.parent / "report.html")
    assert {HOSTILE, SCRIPT} <= set(page.shown())
    assert page.page.locator("img[src=x], script:not(:last-of-type)").count() == 0
    assert page.page.locator("script").count() == 1  # the page's own
    page.pictures()
    page.assert_clean()  # no alert() ran


def test_filters_search_and_keyboard_change_what_is_shown(run_cli, library, open_report):
    expected = _expected(run_cli, library)
    run_cli(
        "check",
        "--profile",
        "sora-2",
        "--isolated",
        "--no-cache",
        "--output-format",
        "html",
        "-o",
        "../report.html",
        ".",
        cwd=library,
    )
    page = open_report(library.parent / "report.html")
    p = page.page
    p.get_by_label("errors", exact=False).uncheck()
    warned = {path for path, codes in expected.items() if any(c in ("SG405", "SG406") for c in codes)}
    assert set(page.shown()) == warned == {"clear.png", "moving.gif"}
    assert p.locator("#shown").text_content() == "Showing 2 of 10 files"
    p.get_by_label("errors", exact=False).check()
    p.get_by_label("SG101", exact=False).uncheck()
    assert set(page.shown()) == {path for path, codes in expected.items() if set(codes) - {"SG101"}}
    p.get_by_label("SG101", exact=False).check()
    p.keyboard.press("/")  # the keyboard reaches the search box
    p.keyboard.type("PHONE")
    page.until("document.querySelectorAll('li.file:not([hidden])').length === 1")
    assert list(page.shown()) == ["phone.jpg"]
    page.screenshot("check-search")
    p.keyboard.press("Escape")
    page.until("document.querySelectorAll('li.file:not([hidden])').length === 10")
    p.keyboard.type("no such file")
    page.until("!document.getElementById('empty').hidden")
    p.keyboard.press("Escape")
    p.keyboard.press("Tab")  # from the search box to the first filter: Space unticks it
    p.keyboard.press("Space")
    assert not p.locator("input[data-filter]").first.is_checked() and len(page.shown()) == 2
    p.keyboard.press("Space")
    assert len(page.shown()) == 10
    p.locator("a.code", has_text="SG403").first.click()  # a code links to its rule's explanation
    assert p.evaluate("location.hash") == "#rule-SG403"
    assert "EXIF" in p.locator("#rule-SG403").text_content()
    page.assert_clean()


def test_dark_mode_is_dark(run_cli, library, open_report):
    run_cli(
        "check",
        "--profile",
        "sora-2",
        "--isolated",
        "--no-cache",
        "--output-format",
        "html",
        "-o",
        "../report.html",
        ".",
        cwd=library,
    )
    light = open_report(library.parent / "report.html")
    dark = open_report(library.parent / "report.html", scheme="dark")
    background = "getComputedStyle(document.body).backgroundColor"
    assert (light.page.evaluate(background), dark.page.evaluate(background)) == (
        "rgb(255, 255, 255)",
        "rgb(13, 17, 23)",
    )
    dark.pictures()
    dark.screenshot("check-dark")
    dark.assert_clean()


def test_fix_dry_run_shows_before_and_after_and_writes_nothing(run_cli, library, open_report):
    before = {p.name: p.read_bytes() for p in library.iterdir()}
    done = run_cli(
        "fix",
        "--profile",
        "sora-2",
        "--isolated",
        "--no-cache",
        "--dry-run",
        "--output-format",
        "html",
        "-o",
        "../fix.html",
        ".",
        cwd=library,
    )
    assert done.returncode == 1 and "Would fix 7 file(s)" in done.stdout, done.stdout + done.stderr
    assert {p.name: p.read_bytes() for p in library.iterdir()} == before
    page = open_report(library.parent / "fix.html")
    pairs = page.page.eval_on_selector_all(
        ".pair", "ps => ps.map(p => p.closest('li.file').querySelector('.path').textContent)"
    )
    fixed = {HOSTILE, SCRIPT, "wide.jpg", "phone.jpg", "deep.png", "moving.gif", "photo.heic"}
    assert set(pairs) == fixed
    pictures = page.pictures()
    assert all(p["width"] > 0 for p in pictures), pictures
    after = {p["row"]: p["caption"] for p in pictures if p["caption"].startswith("after")}
    assert after["phone.jpg"] == "after: JPEG 720x1280" and after["moving.gif"] == "after: PNG 1280x720"
    assert page.page.locator("#rule-SG914").count() == 1  # the fix-stage codes are explained too
    page.screenshot("fix-dry-run")
    page.assert_clean()


def test_fix_run_writes_the_report_of_what_it_did(run_cli, library, open_report):
    done = run_cli(
        "fix",
        "--profile",
        "sora-2",
        "--isolated",
        "--no-cache",
        "--strategy",
        "pad",
        "--output-format",
        "html",
        "-o",
        "../fixed.html",
        ".",
        cwd=library,
    )
    assert "Fixing wide.jpg" in done.stdout
    page = open_report(library.parent / "fixed.html")
    assert page.page.locator("h1").text_content() == "sora-guard fix"
    statuses = page.page.eval_on_selector_all(".status", "ss => ss.map(s => s.textContent)")
    assert statuses.count("fixed") == 7
    assert all(p["width"] > 0 for p in page.pictures())
    page.screenshot("fix")
    page.assert_clean()
    rerun = run_cli(
        "check",
        "--profile",
        "sora-2",
        "--isolated",
        "--no-cache",
        "wide.jpg",
        "phone.jpg",
        "moving.png",
        cwd=library,
    )
    assert rerun.returncode == 0, rerun.stdout


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--output-format", "sarif"], "unknown output format 'sarif'; known: html, json"),
        (["-o", "fix.html"], "fix writes a report file with --output-format html"),
    ],
)
def test_fix_report_formats(run_cli, library, flags, message):
    done = run_cli("fix", "--profile", "sora-2", "--isolated", "--dry-run", *flags, ".", cwd=library)
    assert done.returncode == 2 and message in done.stderr


def test_the_head_says_what_was_checked_in_words_with_rule_docs_rendered(run_cli, tmp_path, open_report):
    root = tmp_path / "shoot"
    write(root / "ok.jpg", encode(marker((1280, 720)), "JPEG"))
    write(root / "wide.jpg", encode(marker((1600, 720)), "JPEG"))
    write(root / "clear.png", marker((1280, 720), "RGBA"))
    done = run_cli(
        "check",
        "--isolated",
        "--no-cache",
        "--profile",
        "veo",
        "--size",
        "1280x720",
        "-o",
        "html:../r.html",
        ".",
        cwd=root,
    )
    assert done.returncode == 1 and "wide.jpg: SG101" in done.stdout  # the text report on the terminal too
    page = open_report(tmp_path / "r.html")
    facts = dict(
        page.page.eval_on_selector_all(
            "dl.run > div",
            "ds => ds.map(d => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])",
        )
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", facts.pop("Date"))
    assert facts == {
        "Target": "veo",
        "Size": "1280x720",
        "Folder": str(root),
        "Version": f"sora-guard {__version__}",
        "Command": "sora-guard check --isolated --no-cache --profile veo --size 1280x720 -o html:../r.html .",
    }
    cards = page.page.eval_on_selector_all(".counts li", "ls => ls.map(l => l.textContent)")
    assert cards == [
        "3files checked",
        "1file with errors",
        "1file with warnings only",
        "1error",
        "1fixable with sora-guard fix",
        "1warning",
    ]
    doc = page.page.locator("#rule-SG101")
    assert "``" not in doc.text_content()  # reST literals shown as code, not as markup
    assert "sora-guard fix --size 1280x720 --strategy cover FILE" in doc.locator("code").all_text_contents()
    paragraphs = doc.locator("p").all_text_contents()
    assert paragraphs[0] == "Image size differs from the target size, even by one pixel."
    assert [p.split(":")[0] for p in paragraphs[1:]] == ["Why", "Fix"]
    page.screenshot("check-head")
    page.assert_clean()
