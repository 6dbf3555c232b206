"""The layout's rules that import-linter (``lint-imports``, run in CI) cannot state:
no import cycle between modules, and render modules that never read the clock."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph("kb", "nlp", "scrapers", exclude_type_checking_imports=True)
    packages = {m for m in graph.modules if (ROOT / m.replace(".", "/") / "__init__.py").is_file()}
    # A package importing its own submodules (to re-export them) is not a cycle of layers.
    edges = {
        m: {
            i
            for i in graph.find_modules_directly_imported_by(m)
            if not (m in packages and i.startswith(m + "."))
        }
        for m in graph.modules
    }
    assert _cycles(edges) == []


def test_render_modules_never_read_the_clock_or_the_environment():
    calls = []
    for path in sorted((ROOT / "kb" / "render").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {
                "now",
                "today",
                "utcnow",
                "environ",
                "getenv",
            }:
                calls.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert calls == []
