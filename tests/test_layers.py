"""The house's layers, read from the source: no import cycle, and the bottom layers import nothing above them.

Imports are read with `ast`, never executed. Module-level imports (also inside a top-level `try` or
`if`, but not under `if TYPE_CHECKING:`) make the import graph; imports inside functions (lazy
imports) are listed by `lazy_imports()` and not held against the layers here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "kgraph"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, here: str) -> list[str]:
    """The kgraph modules an import statement loads (a `from pkg import sub` names the submodule)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "kgraph"]
    base = node.module or ""
    if node.level:
        package = here if MODULES[here].name == "__init__.py" else here.rsplit(".", 1)[0]
        for _ in range(node.level - 1):
            package = package.rsplit(".", 1)[0]
        base = f"{package}.{base}" if base else package
    if base.split(".")[0] != "kgraph":
        return []
    out = []
    for a in node.names:
        sub = f"{base}.{a.name}"
        out.append(sub if sub in MODULES else base)
    return out


def _imports(name: str) -> tuple[set[str], set[str]]:
    """(module-level, lazy) kgraph imports of one module."""
    tree = ast.parse(MODULES[name].read_text("utf-8"))
    top: set[str] = set()
    lazy: set[str] = set()

    def walk(body: list[ast.stmt], into: set[str]) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                into.update(_targets(node, name))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                walk_all(node, lazy)
            elif isinstance(node, ast.ClassDef):
                walk(node.body, into)
            elif isinstance(node, ast.If):
                if _is_type_checking(node):
                    continue
                walk(node.body, into)
                walk(node.orelse, into)
            elif isinstance(node, ast.Try):
                for part in (node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]):
                    walk(part, into)
            elif isinstance(node, (ast.With, ast.For, ast.While)):
                walk(node.body, into)

    def walk_all(node: ast.AST, into: set[str]) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                into.update(_targets(sub, name))

    walk(tree.body, top)
    return top - {name}, lazy - {name}


GRAPH = {name: _imports(name)[0] for name in MODULES}


def lazy_imports() -> dict[str, set[str]]:
    """Imports made inside functions, module by module (the layering debt the module graph does not show)."""
    return {name: lazy for name in MODULES if (lazy := _imports(name)[1])}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_reader_sees_the_imports() -> None:
    """The parser itself: known edges are found (so the assertions below are not vacuous)."""
    assert "kgraph.numbers" in GRAPH["kgraph.extract.citations"]
    assert "kgraph.extract.found" in GRAPH["kgraph.extract.shortforms"]
    assert "kgraph.knowledge" in GRAPH["kgraph.numbers"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_among_kgraph_modules() -> None:
    assert _cycles(GRAPH) == []


def test_the_extractors_passes_do_not_import_each_other() -> None:
    passes = {"kgraph.extract.citations", "kgraph.extract.relation", "kgraph.extract.shortforms"}
    for name in passes - {"kgraph.extract.citations"}:
        assert not (GRAPH[name] | _imports(name)[1]) & passes, name


@pytest.mark.parametrize("name", ["kgraph.numbers", *[n for n in MODULES if n.startswith("kgraph.knowledge")]])
def test_the_bottom_imports_nothing_else_from_kgraph(name: str) -> None:
    top, lazy = _imports(name)
    assert all(m == "kgraph.knowledge" or m.startswith("kgraph.knowledge.") for m in top | lazy), (top, lazy)


def test_the_model_imports_no_higher_layer() -> None:
    top, lazy = _imports("kgraph.model")
    higher = ("kgraph.extract", "kgraph.link", "kgraph.graph", "kgraph.sinks", "kgraph.build", "kgraph.cli", "kgraph.query")
    assert not [m for m in top | lazy if m.startswith(higher)], top | lazy


def test_no_cycle_even_through_lazy_imports() -> None:
    graph = {name: top | lazy for name, (top, lazy) in ((n, _imports(n)) for n in MODULES)}
    assert _cycles(graph) == []


def test_the_neo4j_sink_modules_import_no_asking_or_cli() -> None:
    """kgraph/neo4j/ sits with the sinks, except `queries` (the Cypher side of kgraph.query); nothing below
    the asking layer imports the package."""
    higher = ("kgraph.query", "kgraph.sparql", "kgraph.cli", "kgraph.neo4j.queries")
    for name in [n for n in MODULES if n.startswith("kgraph.neo4j") and n != "kgraph.neo4j.queries"]:
        top, lazy = _imports(name)
        assert not [m for m in top | lazy if m.startswith(higher)], (name, top | lazy)
    lower = ("kgraph.numbers", "kgraph.knowledge", "kgraph.model", "kgraph.reader", "kgraph.extract", "kgraph.link",
             "kgraph.graph", "kgraph.build", "kgraph.sinks")
    for name in [n for n in MODULES if n.startswith(lower)]:
        top, lazy = _imports(name)
        assert not [m for m in top | lazy if m.startswith("kgraph.neo4j")], (name, top | lazy)
    assert "kgraph.query" in GRAPH["kgraph.neo4j.queries"] and "kgraph.neo4j.sync" in GRAPH["kgraph.neo4j.stream"]


#: The house from the bottom up, as ARCHITECTURE.md draws it: a module may import its own layer and the
#: layers below it, never one above (lazy imports included). The longest matching prefix names a layer.
LAYERS: dict[str, int] = {
    "kgraph.knowledge": 0, "kgraph.numbers": 0, "kgraph.paths": 0, "kgraph.progress": 0, "kgraph.lazy": 0,
    "kgraph.lifetime": 0,
    "kgraph.model": 1,
    "kgraph.reader": 2,
    "kgraph.extract": 3, "kgraph.catalog": 3,
    "kgraph.link": 4, "kgraph.spacy_component": 4, "kgraph.evaluation": 4,
    "kgraph.graph": 5,
    "kgraph.sinks": 6, "kgraph.neo4j": 6, "kgraph.generate": 6,
    "kgraph.build": 7,
    "kgraph.query": 8, "kgraph.sparql": 8, "kgraph.serve": 8, "kgraph.neo4j.queries": 8,
    "kgraph.tables": 8, "kgraph.unresolved": 8, "kgraph.views": 8,
    "kgraph.cli": 9, "kgraph": 9,
}


def _layer(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".") or module.startswith(p + "_")),
               key=len, default=None)
    assert best is not None, f"{module} is in no layer: add it to LAYERS (and to ARCHITECTURE.md)"
    return LAYERS[best]


def test_the_layer_table_knows_the_house() -> None:
    assert _layer("kgraph.cli_neo4j") == 9 and _layer("kgraph.neo4j.queries") == 8 and _layer("kgraph.neo4j.sync") == 6
    assert _layer("kgraph.extract.header.signer") == 3


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_higher_layer(name: str) -> None:
    top, lazy = _imports(name)
    upward = sorted(m for m in top | lazy if _layer(m) > _layer(name))
    assert not upward, f"{name} (layer {_layer(name)}) imports {upward}"
