"""RDF view of the resolved model: N-Triples lines (`rdf`), the ontology (`ontology`), its generated
document-type scheme (`scheme`), terms (`terms`) and validation against the shapes (`validate`)."""

from __future__ import annotations

from typing import Any

#: Each name below and its module, imported on first use (PEP 562): `import kgraph.graph.ontology` (the Neo4j
#: mapping, `kg load`, `kg validate`) runs this file first, and importing `rdf` here loaded the resolver and
#: the extractor into commands that only read a built graph.
_WHERE = {
    "ELI": "ontology", "KG": "ontology", "ONTOLOGY_FILE": "ontology", "ONTOLOGY_GRAPH": "ontology",
    "PREFIXES": "ontology", "SHAPES_FILE": "ontology",
    "RELATION_PREDICATE": "rdf", "extraction_graph": "rdf", "file_triples": "rdf", "instrument_triples": "rdf",
}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kgraph.graph' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"kgraph.graph.{module}"), name)
    globals()[name] = value
    return value
