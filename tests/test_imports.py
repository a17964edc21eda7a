"""The package's import graph: no module imports one that imports it back, however far round."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str) -> set[str]:
    """The lstm modules `path` imports, at any depth of its code (lazy imports count too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            mod = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            found.add(mod)
            found |= {f"{mod}.{a.name}" for a in node.names}  # `from . import x` of a module
    return {m for m in found if m.split(".")[0] == "lstm"}


def graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in sorted(ROOT.glob("lstm/**/*.py"))}
    return {name: imports_of(path, name) & set(paths) - {name} for name, path in paths.items()}


def test_no_import_cycles():
    edges = graph()
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycle = [*trail[trail.index(nxt):], nxt] if nxt in trail else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])


def test_the_graph_is_read():  # the test above would pass on an empty graph
    edges = graph()
    assert "lstm.model" in edges["lstm.ui.app"] and "lstm.ui.playback" in edges["lstm.ui.app"]
