"""The figures of the code's shape: the longest functions in bot/, the modules loose in
bot/ (outside any folder), and the circles of imports among bot/, db/ and sandbox/ (imports
made only for the type checker left out, as import-linter leaves them out).

    .venv/bin/python tools/figures.py
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def longest_functions(count: int = 3) -> list[tuple[int, str]]:
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((lines, f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"))
    return sorted(found, reverse=True)[:count]


def loose_modules() -> list[str]:
    return sorted(p.name for p in (ROOT / "bot").glob("*.py") if p.name != "__init__.py")


def import_circles() -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan's algorithm)."""
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("bot", "db", "sandbox", exclude_type_checking_imports=True)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in edges.get(module, []):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for module in sorted(edges):
        if module not in index:
            visit(module)
    return circles


def main() -> None:
    print("longest functions in bot/:")
    for lines, where in longest_functions():
        print(f"  {lines:4d} lines  {where}")
    loose = loose_modules()
    print(f"loose modules in bot/: {len(loose)} ({', '.join(loose)})")
    circles = import_circles()
    print(f"import circles: {len(circles)}")
    for group in circles:
        print(f"  {len(group)} modules: {', '.join(group)}")


if __name__ == "__main__":
    main()
