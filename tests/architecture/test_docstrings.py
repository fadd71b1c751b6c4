"""Every module in ``sora_guard`` says what it holds in a docstring of one to three lines.

Longer design notes belong in ``docs/architecture.md`` (its "Design notes" section).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sora_guard"
MAX_LINES = 3
MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_modules():
    assert len(MODULES) > 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_module_docstring_is_one_to_three_lines(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, f"{path.relative_to(PACKAGE.parent)}: add a module docstring saying what it holds"
    lines = docstring.splitlines()
    assert len(lines) <= MAX_LINES, (
        f"{path.relative_to(PACKAGE.parent)}: the module docstring has {len(lines)} lines; keep "
        f"{MAX_LINES} at most and move design notes to docs/architecture.md"
    )
