"""Validation: a built graph checked against `ontology/shapes.ttl`, fast enough for a whole corpus."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import RdfFormat, Store

from kgraph.graph.ontology import SHAPES_FILE

if TYPE_CHECKING:
    import rdflib


def _split_shapes(shapes_path: Path):
    """The shapes for pySHACL without their SPARQL constraints, and those constraints as whole-graph queries.

    pySHACL runs a SPARQL constraint once per focus node through rdflib's engine (milliseconds each,
    minutes on a corpus); the same SELECT over the whole graph in Oxigraph takes milliseconds. The
    semantics are the same: every solution's ?this is a focus node that violates the constraint.
    """
    import rdflib
    from rdflib.namespace import SH

    g = rdflib.Graph().parse(str(shapes_path), format="turtle")
    queries: list[tuple[str, str, str]] = []  # (shape, message, query)
    for shape, _, c in list(g.triples((None, SH.sparql, None))):
        select = str(g.value(c, SH.select))
        message = str(g.value(c, SH.message) or "")
        prefixes = []
        for pnode in g.objects(c, SH.prefixes):
            for decl in g.objects(pnode, SH.declare):
                prefixes.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
        targets = list(g.objects(shape, SH.targetClass))
        body = select.replace("$this", "?this")
        if targets:
            i = body.index("{", body.upper().index("WHERE"))
            body = body[: i + 1] + f" ?this a <{targets[0]}> . " + body[i + 1 :]
        queries.append((str(shape), message, "\n".join(prefixes) + "\n" + body))
        g.remove((shape, SH.sparql, c))
    return g, queries


def sample_focus_nodes(data: rdflib.Graph, shapes_g: rdflib.Graph, per_path: int) -> list[rdflib.term.Node]:
    """Some of the shapes' focus nodes: for each target class, its first `per_path` nodes in IRI order and, for
    each predicate its nodes carry (as subject or as object), the first `per_path` nodes that carry it.

    pySHACL's core checks cost their time per focus node; on a sample like this each node shape and each
    property a node of its class holds is still checked, in a small part of the time (the test suite's use;
    the whole graph is checked by ``bench/corpus_full.py``).
    """
    from rdflib.namespace import RDF, SH

    chosen: set = set()
    for cls in sorted(set(shapes_g.objects(None, SH.targetClass))):
        nodes = sorted(data.subjects(RDF.type, cls))
        chosen.update(nodes[:per_path])
        by_path: dict = {}
        for n in nodes:
            used = {("out", p) for p in data.predicates(n, None)} | {("in", p) for p in data.predicates(None, n)}
            for key in used:
                got = by_path.setdefault(key, [])
                if len(got) < per_path:
                    got.append(n)
        for got in by_path.values():
            chosen.update(got)
    return sorted(chosen)


def validate(graph_nt: Path, store: Store | None = None, shapes: Path = SHAPES_FILE, max_results: int = 50,
             focus_per_path: int | None = None, data: rdflib.Graph | None = None) -> tuple[bool, list[str], dict]:
    """Check a built graph against the shapes: core constraints by pySHACL, SPARQL ones as whole-graph queries.

    `focus_per_path`: the core constraints only on ``sample_focus_nodes`` of that size (the SPARQL ones still on
    the whole graph). `data`: the graph already parsed from `graph_nt` as an rdflib Graph, to save a parse.
    Returns (conforms, violation messages (at most `max_results`), counts).
    """
    import time

    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    t0 = time.perf_counter()
    shapes_g, sparql_checks = _split_shapes(shapes)
    if data is None:
        data = rdflib.Graph()
        data.parse(str(graph_nt), format="nt")
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    focus = None if focus_per_path is None else sample_focus_nodes(data, shapes_g, focus_per_path)
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_g, inference="none", inplace=True, advanced=True,
                                           focus_nodes=focus)
    t_core = time.perf_counter() - t1
    messages: list[str] = []
    n_core = 0
    for r in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        n_core += 1
        if len(messages) < max_results:
            focus = report.value(r, SH.focusNode)
            path = report.value(r, SH.resultPath)
            msg = report.value(r, SH.resultMessage)
            messages.append(f"{focus} {path or ''}: {msg}")
    t2 = time.perf_counter()
    n_sparql = 0
    if store is None:
        store = Store()
        store.bulk_load(path=str(graph_nt), format=RdfFormat.N_TRIPLES)
    for shape, message, q in sparql_checks:
        for row in store.query(q):
            n_sparql += 1
            if len(messages) < max_results:
                messages.append(f"{row['this']}: {message} ({shape})")
    t_sparql = time.perf_counter() - t2
    ok = bool(conforms) and n_sparql == 0
    counts = {
        "triples": len(data),
        "core_violations": n_core,
        "sparql_violations": n_sparql,
        "sparql_checks": len(sparql_checks),
        "focus_nodes": None if focus is None else len(focus),
        "seconds": {"load": round(t_load, 2), "core": round(t_core, 2), "sparql": round(t_sparql, 3)},
    }
    return ok, messages, counts
