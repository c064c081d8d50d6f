"""RDF view of the model: extractions and corpus-level identities → N-Triples lines (see `rdf`)."""

from kgraph.graph.rdf import (
    ELI,
    KG,
    ONTOLOGY_FILE,
    ONTOLOGY_GRAPH,
    PREFIXES,
    RELATION_PREDICATE,
    SHAPES_FILE,
    extraction_graph,
    file_triples,
    instrument_triples,
)

__all__ = [
    "ELI",
    "KG",
    "ONTOLOGY_FILE",
    "ONTOLOGY_GRAPH",
    "PREFIXES",
    "RELATION_PREDICATE",
    "SHAPES_FILE",
    "extraction_graph",
    "file_triples",
    "instrument_triples",
]
