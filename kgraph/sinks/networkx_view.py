"""The citation graph as networkx: documents and instruments as nodes, one edge per (citing, cited) pair.

Used by `kg stats`: counts, most cited, degrees, PageRank, components and citation cycles, the
questions SPARQL answers awkwardly.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

import networkx as nx
from pyoxigraph import Store

from kgraph.graph.ontology import ELI, KG, RDFS

_EDGES = f"""
PREFIX kg: <{KG}>
PREFIX rdfs: <{RDFS}>
SELECT ?citing ?cited ?rel WHERE {{
  ?c a kg:Citation ; kg:citingDocument ?citing ; kg:citedDocument ?cited ; kg:relationName ?rel .
}}
"""
_NODES = f"""
PREFIX kg: <{KG}>
PREFIX rdfs: <{RDFS}>
SELECT ?s ?label ?corpus WHERE {{
  ?s rdfs:label ?label ; a <{ELI}Work> .
  BIND(EXISTS {{ ?s a kg:CorpusDocument }} AS ?corpus)
}}
"""


def citation_digraph(store: Store) -> nx.DiGraph:
    """A DiGraph with node attributes label/corpus and edge attributes relations (set) and citations (count)."""
    g = nx.DiGraph()
    for row in store.query(_NODES):
        g.add_node(row["s"].value, label=row["label"].value, corpus=row["corpus"].value == "true")
    for row in store.query(_EDGES):
        a, b, rel = row["citing"].value, row["cited"].value, row["rel"].value
        if g.has_edge(a, b):
            e = g.edges[a, b]
            e["relations"].add(rel)
            e["citations"] += 1
        else:
            g.add_edge(a, b, relations={rel}, citations=1)
    return g


def pagerank(g: nx.DiGraph, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 200) -> dict[str, float]:
    """PageRank by power iteration in plain Python (networkx's own wants SciPy, which kgraph does not need)."""
    n = g.number_of_nodes()
    if n == 0:
        return {}
    nodes = sorted(g.nodes)
    rank = dict.fromkeys(nodes, 1.0 / n)
    out_deg = {v: g.out_degree(v) for v in nodes}
    dangling = [v for v in nodes if out_deg[v] == 0]
    for _ in range(max_iter):
        leak = alpha * sum(rank[v] for v in dangling) / n
        new = dict.fromkeys(nodes, (1.0 - alpha) / n + leak)
        for v in nodes:
            if out_deg[v]:
                share = alpha * rank[v] / out_deg[v]
                for w in g.successors(v):
                    new[w] += share
        err = sum(abs(new[v] - rank[v]) for v in nodes)
        rank = new
        if err < n * tol:
            break
    return rank


def _top(pairs: dict[str, float], g: nx.DiGraph, n: int) -> list[dict[str, Any]]:
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [{"uri": k, "label": g.nodes[k].get("label"), "value": round(v, 6) if isinstance(v, float) else v} for k, v in ranked]


def stats(g: nx.DiGraph, top: int = 10, max_cycles: int = 20, cycle_length: int = 6) -> dict[str, Any]:
    """Summary figures of a citation graph (deterministic ordering for equal values)."""
    corpus = [n for n, d in g.nodes(data=True) if d.get("corpus")]
    indeg = dict(g.in_degree())
    outdeg = dict(g.out_degree())
    pr = pagerank(g) if g.number_of_edges() else {}
    weak = sorted((len(c) for c in nx.weakly_connected_components(g)), reverse=True)
    sccs = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    self_loops = sorted(n for n in g.nodes if g.has_edge(n, n))
    cycles = []
    for cyc in islice(nx.simple_cycles(g, length_bound=cycle_length), max_cycles):
        i = cyc.index(min(cyc))
        cyc = cyc[i:] + cyc[:i]
        cycles.append([g.nodes[n].get("label") or n for n in cyc])
    cycles.sort()
    return {
        "nodes": g.number_of_nodes(),
        "corpus_documents": len(corpus),
        "cited_only_instruments": g.number_of_nodes() - len(corpus),
        "edges": g.number_of_edges(),
        "citations": sum(d["citations"] for _, _, d in g.edges(data=True)),
        "most_cited": _top({n: v for n, v in indeg.items()}, g, top),
        "most_citing": _top({n: v for n, v in outdeg.items()}, g, top),
        "pagerank": _top(pr, g, top),
        "mean_out_degree_corpus": round(sum(outdeg[n] for n in corpus) / len(corpus), 3) if corpus else 0.0,
        "weak_components": len(weak),
        "largest_weak_component": weak[0] if weak else 0,
        "cyclic_groups": len(sccs),
        "self_citations": len(self_loops),
        "cycles": cycles,
    }
