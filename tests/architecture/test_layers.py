"""The package's layers: every import inside ``sora_guard`` points down, and no module imports itself back.

Imports inside functions count; imports under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sora_guard"

LAYERS = [
    (
        "doors",
        (
            "sora_guard.__main__",
            "sora_guard.api",
            "sora_guard.cli",
            "sora_guard.completion",
            "sora_guard.guard",
            "sora_guard.git",
            "sora_guard.preview",
        ),
    ),
    ("run", ("sora_guard.run",)),
    ("config", ("sora_guard.config",)),
    ("builtin", ("sora_guard.builtin",)),
    ("plugins", ("sora_guard.plugins",)),
    ("engine", ("sora_guard.engine",)),
    ("io", ("sora_guard.io",)),
    ("vocabulary", ("sora_guard.vocabulary",)),
]
"""Top to bottom; a module may import its own layer or any layer below it."""

ROOT = "sora_guard"  # the package root holds only __version__ and lazy re-exports: anyone may import it


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _rank(module: str) -> int | None:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, module: str | None = None) -> list[tuple[int, str]]:
    """(line, module) for every import of a ``sora_guard`` module that runs, at any depth."""
    module = module or _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                found.extend((child.lineno, a.name) for a in child.names if a.name.startswith(ROOT))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                if base == ROOT or base.startswith(ROOT + "."):
                    for alias in child.names:  # ``from sora_guard.x import y`` may import the module x.y
                        candidate = f"{base}.{alias.name}"
                        sub = PACKAGE.parent / Path(*candidate.split("."))
                        is_module = sub.with_suffix(".py").exists() or (sub / "__init__.py").exists()
                        found.append((child.lineno, candidate if is_module else base))
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer():
    homeless = [
        _module_name(p) for p in MODULES if _module_name(p) != ROOT and _rank(_module_name(p)) is None
    ]
    assert homeless == [], "add these modules to a layer in tests/architecture/test_layers.py"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_imports_point_down(path: Path):
    module = _module_name(path)
    rank = _rank(module)
    upward = [
        f"line {line}: {target} ({LAYERS[_rank(target)][0]})"
        for line, target in _imports(path)
        if target != ROOT and rank is not None and _rank(target) is not None and _rank(target) < rank
    ]
    assert upward == [], f"{module} ({LAYERS[rank][0]}) imports upward"


def test_no_import_cycles():
    graph = {_module_name(p): {t for _, t in _imports(p) if t != ROOT} for p in MODULES}
    # a package's __init__ is imported with each of its modules; an edge to it is an edge to that package
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    assert cycles == []


def test_the_checker_sees_an_upward_import(tmp_path):
    """The test above can fail: a function-level upward import in the engine is found."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "if TYPE_CHECKING:\n    import sora_guard.run\ndef f():\n    from ..cli import main\n    return main\n"
    )
    assert [t for _, t in _imports(probe, "sora_guard.engine.probe")] == ["sora_guard.cli"]
    assert _rank("sora_guard.cli") < _rank("sora_guard.engine.probe")
