"""The ontology as a property-graph naming: labels per class, keys and types per property, the schema they need.

One mapping, read from ``ontology/kgraph.ttl`` rather than kept by hand beside ``kgraph.model``:

* every IRI subject or object is a node ``(:Resource {uri})``; its labels are the local names of its
  ``rdf:type`` classes and of their superclasses in the ontology (``eli:Work`` shows as ``Document``,
  ``eli:LegalResourceSubdivision`` as ``Provision``, ``kg:Organisation`` as ``Organization``);
* literals are properties named by the predicate's local name (``eli:number`` → ``number``);
* IRI objects are relationships typed by the predicate (``kg:signedBy`` → ``SIGNED_BY``); the
  ``kg:CitationRelation`` instances give ``CITES``, ``BASED_ON``, ``IMPLEMENTS``...;
* an object that is itself an ontology term (``kg:relation eli:based_on``) becomes a property value.

The few names written into Cypher text (index and constraint labels) come only from the ontology and
are checked against ``NAME_RE``; everything else travels as parameters. How triples become nodes and
relationships with these names is ``kgraph.neo4j.rows``.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kgraph.graph.ontology import (
    ELI, KG, ONTOLOGY_FILE, OWL, PREFIXES, RDF, RDF_TYPE, RDFS, XSD, ontology_triples, superclasses,
)

#: What a label, relationship type or property key must look like to be written into Cypher.
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: The label every loaded node has: its ``uri`` is unique (the constraint the MERGEs use).
KEY_LABEL = "Resource"
#: Node property holding the hash of what the loader last wrote for the node.
HASH_KEY = "_kgHash"
#: One node per loaded IRI base records whether the last load finished.
MARKER_LABEL = "KgraphLoad"
#: Classes whose local name reads badly as a Neo4j label. The ontology may override or extend this
#: with ``kg:propertyGraphLabel "Label"`` on a class; the ontology's own annotation wins.
LABEL_ALIASES = {
    ELI + "Work": "Document",
    ELI + "LegalResourceSubdivision": "Provision",
    KG + "Organisation": "Organization",
}
PG_LABEL_PROP = KG + "propertyGraphLabel"
#: A property's own relationship type (``kg:propertyGraphType "BASED_ON"``; the relations carry theirs).
PG_TYPE_PROP = KG + "propertyGraphType"
#: Namespaces whose classes' superclasses are followed for labels (not schema:, foaf:, skos:).
_CLOSED_NS = (KG, ELI)
#: The reified citation (kg:Citation) and the predicates that tie it to its direct relationship.
CITATION = KG + "Citation"
CITING = KG + "citingDocument"
CITED = KG + "citedDocument"
RELATION = KG + "relation"
PINPOINT = KG + "pinpoint"
CITATION_RELATION = KG + "CitationRelation"
#: The citation summaries (kg:CitationSummary, kg:ProvisionCitationSummary): counts the SPARQL queries read
#: instead of the citations. A relationship already carries them (``mentions``, the pinpoint lists), so
#: they are not mapped.
SUMMARIES = frozenset({KG + "CitationSummary", KG + "ProvisionCitationSummary"})
RELATION_NAME = KG + "relationName"
#: A document read from an input file (it has a kg:source, the file's path): only such a document cites.
CORPUS_DOCUMENT = KG + "CorpusDocument"
SOURCE = KG + "source"
#: Languages a literal is stored under the plain key for (others get ``key_<lang>``).
PRIMARY_LANGS = ("", "vi")



def check_name(name: str, what: str = "name") -> str:
    """Return ``name`` if it is safe to write into Cypher as a label/type/key, else raise ValueError."""
    if not NAME_RE.fullmatch(name):
        raise ValueError(f"{what} {name!r} is not a valid Neo4j identifier (^[A-Za-z_][A-Za-z0-9_]*$)")
    return name


def local_name(iri: str) -> str:
    """The part after the last ``#`` or ``/``."""
    for sep in ("#", "/"):
        if sep in iri:
            tail = iri.rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


def identifier(text: str) -> str:
    """``text`` folded into an identifier: other characters become ``_``, a leading digit gets ``_``."""
    s = re.sub(r"[^A-Za-z0-9_]", "_", text) or "_"
    return "_" + s if s[0].isdigit() else s


def upper_snake(name: str) -> str:
    """``signedBy`` → ``SIGNED_BY``, ``based_on`` → ``BASED_ON``: Neo4j's relationship-type style."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", identifier(name))
    return re.sub(r"_+", "_", s).upper()


# --------------------------------------------------------------------------------------- the mapping


@dataclass(frozen=True)
class OntologyMapping:
    """What the ontology says about naming: labels per class, types per property, terms as values."""

    #: class IRI → its labels (its own and its superclasses' in kg:/eli:, aliased).
    class_labels: Mapping[str, tuple[str, ...]]
    #: citation-relation property IRI → its kg:relationName (``based_on``).
    citation_relations: Mapping[str, str]
    #: property IRI → the key it is stored under (data properties) / its relationship type.
    property_keys: Mapping[str, str]
    relationship_types: Mapping[str, str]
    #: ontology classes and properties: as an object they become a string value, not a node.
    term_values: Mapping[str, str]
    #: Triples about the ontology's individuals (the document-type concepts): loaded as nodes too.
    individuals: tuple[tuple[str, str, Any], ...] = ()
    #: Their subjects: shared by every graph, so outside any graph's own IRI base.
    individual_iris: frozenset[str] = frozenset()

    def graph_base(self, uris: Iterable[str]) -> str | None:
        """The IRI base a graph's own resources share (ontology individuals and blank nodes aside)."""
        return _common_base(u for u in uris if u not in self.individual_iris and not u.startswith("_:"))

    def labels(self, class_iri: str) -> tuple[str, ...]:
        """Labels for one rdf:type value; classes the ontology lacks get their local name alone."""
        got = self.class_labels.get(class_iri)
        if got is not None:
            return got
        name = LABEL_ALIASES.get(class_iri) or identifier(local_name(class_iri))
        return (check_name(name, "label"),)

    def key(self, pred: str) -> str:
        """The property key for a data predicate (its local name; predicates the ontology lacks too)."""
        got = self.property_keys.get(pred)
        if got is None:
            got = self.property_keys[pred] = check_name(identifier(local_name(pred)), "property key")  # type: ignore[index]
        return got

    def rel_type(self, pred: str) -> str:
        """The relationship type for an object predicate (``SIGNED_BY``; ``BASED_ON`` for eli:based_on)."""
        got = self.relationship_types.get(pred)
        if got is None:
            got = self.relationship_types[pred] = check_name(upper_snake(local_name(pred)), "relationship type")  # type: ignore[index]
        return got

    @property
    def citation_types(self) -> dict[str, str]:
        """Relationship type → relation name, for the citation relations (``BASED_ON`` → ``based_on``)."""
        return {self.rel_type(p): n for p, n in self.citation_relations.items()}


def _objects(triples: Sequence[Triple], pred: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for t in triples:
        if t.predicate.value == pred:
            out[t.subject.value].append(t.object)
    return out


@lru_cache(maxsize=4)
def load_mapping(ontology: Path = ONTOLOGY_FILE) -> OntologyMapping:
    """Read the ontology once: class labels with superclass closure, property names, individuals."""
    triples = [t for t in ontology_triples(ontology) if isinstance(t.subject, NamedNode)]
    types = _objects(triples, RDF_TYPE)
    type_of = {s: {o.value for o in os_ if isinstance(o, NamedNode)} for s, os_ in types.items()}
    class_kinds = {OWL + "Class", RDFS + "Class"}
    prop_kinds = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                  RDF + "Property", CITATION_RELATION}
    classes = {s for s, ts in type_of.items() if ts & class_kinds}
    props = {s for s, ts in type_of.items() if ts & prop_kinds}
    ontology_iris = {s for s, ts in type_of.items() if OWL + "Ontology" in ts}
    supers = superclasses(ontology)
    own_label = {s: str(os_[0].value) for s, os_ in _objects(triples, PG_LABEL_PROP).items() if os_}

    def label_of(c: str) -> str:
        return check_name(own_label.get(c) or LABEL_ALIASES.get(c) or identifier(local_name(c)), "label")

    class_labels: dict[str, tuple[str, ...]] = {}
    for c in classes:
        seen, todo, out = {c}, [c], []
        while todo:
            x = todo.pop(0)
            out.append(label_of(x))
            for y in supers.get(x, ()):
                if y not in seen and y in classes and y.startswith(_CLOSED_NS):
                    seen.add(y)
                    todo.append(y)
        class_labels[c] = tuple(dict.fromkeys(out))

    rel_names = {s: str(os_[0].value) for s, os_ in _objects(triples, RELATION_NAME).items()
                 if s in props and CITATION_RELATION in type_of.get(s, set())}
    own_type = {s: str(os_[0].value) for s, os_ in _objects(triples, PG_TYPE_PROP).items() if os_}
    property_keys: dict[str, str] = {}
    relationship_types: dict[str, str] = {}
    taken: dict[str, str] = {}
    for p in sorted(props, key=lambda p: (not p.startswith((KG, ELI)), p)):
        key = identifier(local_name(p))
        if key in taken and taken[key] != p:  # two vocabularies with the same local name
            key = identifier(_prefix(p) + "_" + local_name(p))
        taken[key] = p
        property_keys[p] = check_name(key, "property key")
        relationship_types[p] = check_name(own_type.get(p) or upper_snake(rel_names.get(p) or local_name(p)),
                                           "relationship type")

    term_values = {c: local_name(c) for c in classes | props | ontology_iris}
    term_values.update(rel_names)
    individuals = tuple(
        (t.subject.value, t.predicate.value, term(t.object)) for t in triples
        if t.subject.value not in classes and t.subject.value not in props and t.subject.value not in ontology_iris
        and t.subject.value.startswith((KG, ELI))  # kgraph's concepts and ELI's (eli:InForce-inForce)
    )
    return OntologyMapping(
        class_labels=class_labels, citation_relations=rel_names, property_keys=property_keys,
        relationship_types=relationship_types, term_values=term_values, individuals=individuals,
        individual_iris=frozenset(t[0] for t in individuals),
    )


_PREFIXES = {ns: p for p, ns in PREFIXES.items()} | {"http://xmlns.com/foaf/0.1/": "foaf", "http://purl.org/dc/terms/": "dcterms"}


def _prefix(iri: str) -> str:
    for ns, p in _PREFIXES.items():
        if iri.startswith(ns):
            return p
    return "ns"


#: A term as the mapping sees it: an IRI or ``_:blank`` is a str, a literal a (lexical form, datatype, language)
#: tuple. Plain tuples rather than pyoxigraph objects: the mapping loop is the loader's Python hot spot.
Term = str | tuple[str, str, str]


def _common_base(uris: Iterable[str]) -> str | None:
    """The longest ``/``-ending prefix all ``uris`` share, if it names at least a host (``https://h/``)."""
    prefix: str | None = None
    for u in uris:
        if prefix is None:
            prefix = u
        elif not u.startswith(prefix):
            prefix = os.path.commonprefix([prefix, u])
    if not prefix:
        return None
    prefix = prefix[: prefix.rfind("/") + 1]
    return prefix if re.match(r"^[a-z][a-z0-9+.-]*://[^/]+/", prefix) else None


def term(t: Any) -> Term:
    """A pyoxigraph term as a ``Term``: an IRI's text, ``_:`` and a blank node's id, or a literal's tuple."""
    if isinstance(t, Literal):
        return (t.value, t.datatype.value, t.language or "")
    if isinstance(t, BlankNode):
        return "_:" + t.value  # stable within one file only: kgraph's own graphs have no blank nodes
    return t.value


def key_statements() -> list[str]:
    """What every write needs: the uniqueness constraint on ``:Resource(uri)`` (it backs every MERGE and every
    ``MATCH (n:Resource {uri: ...})``) and the index on the load markers' base."""
    return [
        f"CREATE CONSTRAINT kg_resource_uri IF NOT EXISTS FOR (n:{KEY_LABEL}) REQUIRE n.uri IS UNIQUE",
        f"CREATE INDEX kg_marker_base IF NOT EXISTS FOR (n:{MARKER_LABEL}) ON (n.base)",
    ]


def index_statements(mapping: OntologyMapping | None = None) -> list[str]:
    """The indexes queries start from, all on ``Document`` (every document class's nodes carry that label too).

    ``numberKey`` and ``nameKey`` serve the resolution of what a user types (``kgraph.neo4j.queries``), ``number``
    a hand-written ``(d:Document {number: $x})`` (name ``Document`` beside ``Decree``, ``Plan``...: an index
    on one label serves only patterns naming it); titles get a full-text index whose ``standard-folding``
    analyzer also matches text typed without Vietnamese diacritics. There is no ``number`` index per document
    class: those 25 indexes were updated by every document node and used by no query (docs/neo4j.md).
    """
    m = mapping or load_mapping()
    doc_label = m.labels(ELI + "Work")[0]
    check_name(doc_label, "label")
    return [
        f"CREATE INDEX kg_document_number IF NOT EXISTS FOR (n:{doc_label}) ON (n.number)",
        f"CREATE INDEX kg_document_numberkey IF NOT EXISTS FOR (n:{doc_label}) ON (n.numberKey)",
        f"CREATE INDEX kg_document_namekey IF NOT EXISTS FOR (n:{doc_label}) ON (n.nameKey)",
        f"CREATE FULLTEXT INDEX kg_titles IF NOT EXISTS FOR (n:{doc_label}) ON EACH [n.title, n.name, n.label] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}",
    ]


def schema_statements(mapping: OntologyMapping | None = None) -> list[str]:
    """Constraint and indexes (``IF NOT EXISTS``: safe to run every load). A load into an empty database
    makes the indexes of ``index_statements`` after its writes (``kgraph.neo4j.stream``)."""
    return key_statements() + index_statements(mapping)
