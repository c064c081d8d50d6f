"""The ontology in one place: the namespaces, the files, and `ontology/kgraph.ttl` parsed once with its class closure.

The RDF writer, the stores, the queries and the Neo4j mapping all take their IRIs from here, so a
namespace or a class hierarchy is never spelt twice.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from kgraph.knowledge import NAMESPACES, DocType
from kgraph.paths import ONTOLOGY_DIR

#: kg: and eli: are the knowledge tables' too (relations.yaml writes its predicates as CURIEs), so they are read from there.
KG = NAMESPACES["kg"]
ELI = NAMESPACES["eli"]
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = NAMESPACES["schema"]
RDF_TYPE = RDF + "type"

#: The named graph the ontology is loaded into beside the data.
ONTOLOGY_GRAPH = "https://w3id.org/kgraph/ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "kgraph.ttl"  # package data (kgraph/paths.py)
SHAPES_FILE = ONTOLOGY_FILE.with_name("shapes.ttl")

#: Prefixes for Turtle output and readable results.
PREFIXES = {
    "kg": KG,
    "eli": ELI,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
    "schema": SCHEMA,
    "owl": OWL,
}


@lru_cache(maxsize=4)
def ontology_triples(path: Path = ONTOLOGY_FILE) -> tuple[Triple, ...]:
    """The ontology's triples, parsed once per process (per file: tests may pass their own)."""
    return tuple(parse(path=str(path), format=RdfFormat.TURTLE))


@lru_cache(maxsize=4)
def superclasses(path: Path = ONTOLOGY_FILE) -> dict[str, tuple[str, ...]]:
    """Each class's direct rdfs:subClassOf IRIs, in the file's order."""
    sub: dict[str, list[str]] = {}
    for t in ontology_triples(path):
        if t.predicate.value == RDFS + "subClassOf" and isinstance(t.subject, NamedNode) and isinstance(t.object, NamedNode):
            sub.setdefault(t.subject.value, []).append(t.object.value)
    return {c: tuple(s) for c, s in sub.items()}


def is_subclass(c: str, ancestor: str, path: Path = ONTOLOGY_FILE) -> bool:
    """Whether `c` is `ancestor` or reaches it through rdfs:subClassOf (the closure)."""
    sub = superclasses(path)
    seen, todo = {c}, [c]
    while todo:
        x = todo.pop()
        if x == ancestor:
            return True
        for y in sub.get(x, ()):
            if y not in seen:
                seen.add(y)
                todo.append(y)
    return False


@lru_cache(maxsize=1)
def legal_resource_classes() -> frozenset[str]:
    """Local names of kg classes under eli:LegalResource, read from the ontology (one place says it)."""
    return frozenset(
        c[len(KG):] for c in superclasses() if c.startswith(KG) and is_subclass(c, ELI + "LegalResource")
    )


def class_iris(t: DocType | None) -> list[str]:
    """rdf:type values for an instrument of type `t`: its kg class, eli:Work, and eli:LegalResource when normative."""
    out = [ELI + "Work"]
    if t is None:
        return out
    if t.rdf_class == "Work":
        return out
    out.append(KG + t.rdf_class)
    if t.rdf_class in legal_resource_classes():
        out.append(ELI + "LegalResource")
    return sorted(out)
