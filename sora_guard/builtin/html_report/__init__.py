"""The ``html`` reporter, a built-in plugin registered like a third party's: a page with thumbnails, filters
and, for ``fix``, each file before and after. Only this loads with the plugins; :mod:`.page` writes it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING

from sora_guard.plugins import hookimpl
from sora_guard.vocabulary.contract import Reporter
from sora_guard.vocabulary.model import Report, Rule

if TYPE_CHECKING:
    from sora_guard.vocabulary.contract import Entry


def _render(report: Report, rules: Mapping[str, Rule]) -> str:
    from .page import render_html

    return render_html(report, rules)


def _write(entries: Iterable[Entry], rules: Mapping[str, Rule], out: IO[str]) -> None:
    from .page import write_html

    write_html(entries, rules, out)


HTML = Reporter(
    "html",
    "one self-contained page: thumbnails, filters, rule docs; with fix, each file before and after",
    _render,
    _write,
    pictures=True,
    fixes=True,
)


@hookimpl
def sora_guard_reporters() -> list[Reporter]:
    return [HTML]
