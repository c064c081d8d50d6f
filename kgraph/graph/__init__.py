"""RDF view of the resolved model: N-Triples lines (`rdf`), the ontology (`ontology`), its generated
document-type scheme (`scheme`), terms (`terms`) and validation against the shapes (`validate`)."""

from kgraph.graph.ontology import ELI, KG, ONTOLOGY_FILE, ONTOLOGY_GRAPH, PREFIXES, SHAPES_FILE
from kgraph.graph.rdf import RELATION_PREDICATE, extraction_graph, file_triples, instrument_triples

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
