"""What the instrument and document pages show, read from a build's store by SPARQL with the IRI bound.

The IRI a page is about is bound with `VALUES` written by pyoxigraph's `NamedNode` (which refuses anything
that is not an IRI), as `kgraph.query` binds named queries: nothing a client sends is pasted into the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Store

from kgraph.views.ask import bound_rows

PREFIX = """PREFIX kg: <https://w3id.org/kgraph/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

_META = PREFIX + """SELECT ?p ?o ?ol WHERE {
  ?s ?p ?o .
  OPTIONAL { ?o rdfs:label ?ol }
}"""

# one row per citation: the other instrument, the relation, the pinpoint labels, the sentence, the offsets
_OUT = PREFIX + """SELECT ?c ?other ?label ?type ?rel ?text ?sentence ?start ?end ?source (GROUP_CONCAT(?pin; separator="; ") AS ?pins)
WHERE {
  ?c kg:citingDocument ?s ; kg:citedDocument ?other ; kg:relationName ?rel .
  OPTIONAL { ?c kg:matchedText ?text } OPTIONAL { ?c kg:sentence ?sentence } OPTIONAL { ?c kg:source ?source }
  OPTIONAL { ?c kg:startOffset ?start } OPTIONAL { ?c kg:endOffset ?end }
  OPTIONAL { ?c kg:pinpoint/rdfs:label ?pin }
  OPTIONAL { ?other rdfs:label ?label } OPTIONAL { ?other kg:typeName ?type }
} GROUP BY ?c ?other ?label ?type ?rel ?text ?sentence ?start ?end ?source"""

_IN = _OUT.replace("?c kg:citingDocument ?s ; kg:citedDocument ?other", "?c kg:citedDocument ?s ; kg:citingDocument ?other")



@dataclass
class Citation:
    """One citation seen from the page's instrument: the other end, how, where, and in which sentence."""

    other: str
    label: str | None
    type: str | None
    relation: str
    text: str | None = None
    sentence: str | None = None
    pinpoints: str | None = None
    start: int | None = None
    end: int | None = None
    source: str | None = None


@dataclass
class InstrumentView:
    iri: str
    exists: bool
    meta: dict[str, list[Any]] = field(default_factory=dict)  # predicate local name -> values (labels for IRIs)
    cites: list[Citation] = field(default_factory=list)
    cited_by: list[Citation] = field(default_factory=list)

    def first(self, key: str) -> Any:
        v = self.meta.get(key)
        return v[0] if v else None

    @property
    def label(self) -> str:
        return str(self.first("label") or self.first("number") or self.iri)

    @property
    def is_corpus_document(self) -> bool:
        return "CorpusDocument" in (self.meta.get("type") or [])


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


def _rows(store: Store, query: str, iri: str) -> list[dict[str, Any]]:
    return bound_rows(store, query, "s", [iri])


def _citations(rows: list[dict[str, Any]]) -> list[Citation]:
    out = [
        Citation(other=r["other"], label=r.get("label"), type=r.get("type"), relation=r["rel"], text=r.get("text"),
                 sentence=r.get("sentence"), pinpoints=r.get("pins") or None, start=r.get("start"), end=r.get("end"),
                 source=r.get("source"))
        for r in rows
    ]
    return sorted(out, key=lambda c: (c.relation, str(c.label or c.other), c.source or "", c.start or 0))


def instrument_view(store: Store, iri: str) -> InstrumentView:
    """An instrument's metadata and its citations both ways (each a row, grouped by the page)."""
    meta: dict[str, list[Any]] = {}
    for r in _rows(store, _META, iri):
        key = _local(r["p"])
        value = r.get("ol") or (_local(r["o"]) if key == "type" else r["o"])
        meta.setdefault(key, [])
        if value not in meta[key]:
            meta[key].append(value)
    cites = _citations(_rows(store, _OUT, iri))
    cited_by = _citations(_rows(store, _IN, iri))
    return InstrumentView(iri=iri, exists=bool(meta or cites or cited_by), meta=meta, cites=cites, cited_by=cited_by)


def neighbourhood(view: InstrumentView, limit: int = 150) -> dict[str, Any]:
    """Cytoscape elements for the instrument and the instruments it cites or that cite it (one edge per pair and relation)."""
    nodes: dict[str, dict[str, Any]] = {
        view.iri: {"id": view.iri, "label": view.label, "type": view.first("typeName") or "", "centre": 1}
    }
    edges: dict[tuple[str, str, str], int] = {}
    for direction, items in (("out", view.cites), ("in", view.cited_by)):
        for c in items:
            if c.other not in nodes:
                if len(nodes) > limit:
                    continue
                nodes[c.other] = {"id": c.other, "label": c.label or _local(c.other), "type": c.type or "", "centre": 0}
            src, dst = (view.iri, c.other) if direction == "out" else (c.other, view.iri)
            edges[(src, dst, c.relation)] = edges.get((src, dst, c.relation), 0) + 1
    from kgraph.knowledge import load

    colours = {r.relation: r.colour for r in load().relations}
    elements = [{"data": n} for n in nodes.values()]
    for i, ((s, t, rel), n) in enumerate(sorted(edges.items())):
        elements.append({"data": {"id": f"e{i}", "source": s, "target": t, "relation": rel, "count": n,
                                  "colour": colours.get(rel, "#A5ABB6")}})
    return {"elements": elements, "truncated": len(nodes) > limit}
