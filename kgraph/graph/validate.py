"""Validation: a built graph checked against `ontology/shapes.ttl`, fast enough for a whole corpus."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat, Store

from kgraph.graph.ontology import SHAPES_FILE


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


def validate(graph_nt: Path, store: Store | None = None, shapes: Path = SHAPES_FILE, max_results: int = 50) -> tuple[bool, list[str], dict]:
    """Check a built graph against the shapes: core constraints by pySHACL, SPARQL ones as whole-graph queries.

    Returns (conforms, violation messages (at most `max_results`), counts).
    """
    import time

    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    t0 = time.perf_counter()
    shapes_g, sparql_checks = _split_shapes(shapes)
    data = rdflib.Graph()
    data.parse(str(graph_nt), format="nt")
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_g, inference="none", inplace=True, advanced=True)
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
        "seconds": {"load": round(t_load, 2), "core": round(t_core, 2), "sparql": round(t_sparql, 3)},
    }
    return ok, messages, counts
