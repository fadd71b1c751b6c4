"""A real browser for the report tests: the operating system's Chromium, driven by Playwright.

``.ci/run`` installs Chromium when it is missing; Playwright never downloads a browser of its own.
Screenshots the tests take are kept under ``test-artifacts/report/`` (gitignored; CI uploads them).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's sync API keeps an event loop running while it is
    open, which would make every later ``asyncio.run`` (the async guard's tests) fail."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


class Opened:
    """A report open in a fresh page, with everything the page logged, asked for or tried to pop up."""

    def __init__(self, browser: Browser, report: Path, scheme: str = "light"):
        self.url = report.resolve().as_uri()
        self.page: Page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on(
            "console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(self.url, wait_until="load")

    def shown(self) -> dict[str, list[str]]:
        """Each visible row's path (as the page shows it) and its rule codes (as links)."""
        rows = self.page.eval_on_selector_all(
            "li.file:not([hidden])",
            "rs => rs.map(r => [r.querySelector('.path').textContent,"
            " [...r.querySelectorAll('.diags a.code')].map(a => a.textContent)])",
        )
        return {path: codes for path, codes in rows}

    def pictures(self) -> list[dict]:
        """Every picture after scrolling each into view (they load lazily): its alt text and natural width."""
        self.page.eval_on_selector_all("figure img", "imgs => imgs.forEach(i => i.scrollIntoView())")
        self.until("[...document.querySelectorAll('figure img')].every(i => !i.dataset.src && i.complete)")
        self.page.evaluate("window.scrollTo(0, 0)")
        return self.page.eval_on_selector_all(
            "figure img",
            "imgs => imgs.map(i => ({row: i.closest('li.file').querySelector('.path').textContent,"
            " caption: i.closest('figure').textContent, width: i.naturalWidth}))",
        )

    def until(self, expression: str, seconds: float = 10) -> None:
        """Wait until ``expression`` is true in the page (polled from here: the page's CSP forbids the
        ``eval`` that Playwright's own ``wait_for_function`` runs inside it)."""
        deadline = time.monotonic() + seconds
        while not self.page.evaluate(expression):
            assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
            self.page.wait_for_timeout(50)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def assert_clean(self) -> None:
        """No console error, no script run by a file name, nothing fetched but the page and data: URLs."""
        assert self.errors == [] and self.dialogs == []
        assert all(u == self.url or u.startswith(("data:", "blob:")) for u in self.requests), self.requests


@pytest.fixture
def open_report(browser):
    pages: list[Opened] = []

    def opener(report: Path, scheme: str = "light") -> Opened:
        pages.append(Opened(browser, report, scheme))
        return pages[-1]

    yield opener
    for opened in pages:
        opened.page.close()
