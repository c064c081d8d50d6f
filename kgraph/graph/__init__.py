"""RDF view of the resolved model: N-Triples lines (`rdf`), the ontology (`ontology`), its generated
document-type scheme (`scheme`), terms (`terms`) and validation against the shapes (`validate`)."""

from __future__ import annotations

from kgraph.lazy import lazy_names

#: Each name below and its module, imported on first use (PEP 562): `import kgraph.graph.ontology` (the Neo4j
#: mapping, `kg load`, `kg validate`) runs this file first, and importing `rdf` here loaded the resolver and
#: the extractor into commands that only read a built graph.
_WHERE = {
    "ELI": "ontology", "KG": "ontology", "ONTOLOGY_FILE": "ontology", "ONTOLOGY_GRAPH": "ontology",
    "PREFIXES": "ontology", "SHAPES_FILE": "ontology",
    "RELATION_PREDICATE": "rdf", "extraction_graph": "rdf", "file_triples": "rdf", "instrument_triples": "rdf",
}

__all__ = list(_WHERE)


__getattr__ = lazy_names(__name__, _WHERE)
