#!/usr/bin/env python3
"""Measure the layout: import circles, what the catalog imports from the workflows,
and the largest files. `python bin/architecture.py` prints the numbers;
tests/test_architecture.py holds the code to them.

Every import counts, at module level or inside a function; tests, migrations and
this script's own folder are left out.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cdtsite", "codes", "contributions")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports() -> dict[str, set[str]]:
    """module -> the project modules it imports (an imported name that is a module counts)."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node)
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
                    break
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def catalog_imports_from_workflows(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        if source.split(".")[0] == "codes"
        for target in targets
        if target.split(".")[0] == "contributions"
    )


def largest_files(count: int = 5) -> list[tuple[int, str]]:
    sizes = [
        (len(path.read_text().splitlines()), str(path.relative_to(ROOT)))
        for path in modules().values()
    ]
    return sorted(sizes, reverse=True)[:count]


def main() -> int:
    graph = imports()
    found = circles(graph)
    print(f"modules: {len(graph)}, import edges: {sum(len(t) for t in graph.values())}")
    print(f"import circles: {len(found)}")
    for group in found:
        print("  " + " <-> ".join(group))
    crossing = catalog_imports_from_workflows(graph)
    print(f"codes imports from contributions: {len(crossing)}")
    for line in crossing:
        print("  " + line)
    print("largest files (lines):")
    for lines, path in largest_files():
        print(f"  {lines:5d}  {path}")
    return 1 if found or crossing else 0


if __name__ == "__main__":
    sys.exit(main())
