"""RDF → property graph, derived from the ontology; loaded into Neo4j in batches, or written as CSV.

One mapping, read from ``ontology/kgraph.ttl`` rather than kept by hand beside ``kgraph.model``:

* every IRI subject or object is a node ``(:Resource {uri})``; its labels are the local names of its
  ``rdf:type`` classes and of their superclasses in the ontology (``eli:Work`` shows as ``Document``,
  ``eli:LegalResourceSubdivision`` as ``Provision``, ``kg:Organisation`` as ``Organization``);
* literals are properties named by the predicate's local name (``eli:number`` → ``number``), typed
  (``xsd:date`` → Neo4j ``date``, integers, booleans); several values on one node make a sorted list
  there (a scalar elsewhere: one odd node does not turn every title into a list);
* IRI objects are relationships typed by the predicate (``kg:signedBy`` → ``SIGNED_BY``); the
  ``kg:CitationRelation`` instances give ``CITES``, ``BASED_ON``, ``IMPLEMENTS``... and each such
  relationship carries, as parallel lists ordered by offset, the detail of the ``kg:Citation``
  mentions behind it (``pinpoint``, ``sentence``, ``startOffset``/``endOffset``, ``matchedText``,
  ``source``, ``citation`` IRIs, ``mentions`` count). The ontology says kg:Citation exists because
  RDF cannot put that detail on an edge; a property graph can, so a citation is folded into its
  relationship rather than made a node;
* an object that is itself an ontology term (``kg:relation eli:based_on``) becomes a property value.

Loading is a sync of the graph into the database, keyed by IRI: every node stores a hash of its
labels, properties and outgoing relationships, written in the transaction that completes the node,
so a second load of the same graph writes nothing, a changed document has its outgoing
relationships replaced (not added to), and a load cut short is finished by running it again (what
lacks its hash is redone with MERGE: no duplicates). A marker node per IRI base records whether the
last load finished, for the message. Nodes under the graph's IRI base that the graph no longer has
are deleted (``prune``).

Into an empty database the load is a stream instead (``load``): a writer thread takes each node as
the parser moves past its subject, then each document's relationships as soon as its citations are
folded, so the server works while Python maps (a third of the time saved on the shared corpus). The
database ends up exactly as the sync would leave it (``tests/test_neo4j_stream.py``).

Node keys go through MERGE on ``:Resource(uri)`` (the label named, so the uniqueness index is used).
The other labels and the relationship types are set from parameters (Neo4j 5.26's dynamic labels
and types), so one query plan serves every kind; the few names written into Cypher text (index and
constraint labels) come only from the ontology and are checked against ``NAME_RE``. All values
travel as parameters.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from kgraph.sinks import neo4j_server as srv

if TYPE_CHECKING:
    import neo4j

KG = "https://w3id.org/kgraph/ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = RDF + "type"
ONTOLOGY_FILE = Path(__file__).resolve().parents[2] / "ontology" / "kgraph.ttl"

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
RELATION_NAME = KG + "relationName"
#: Languages a literal is stored under the plain key for (others get ``key_<lang>``).
PRIMARY_LANGS = ("", "vi")

_INT_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}

Echo = Callable[[str], None]


# --------------------------------------------------------------------------------------- errors


class LoadError(RuntimeError):
    """Loading cannot go on; the message says why and what to do (never holds the password)."""


class DatabaseNotFoundError(LoadError):
    """The ``--database`` named does not exist on the server."""


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


def _identifier(text: str) -> str:
    """``text`` folded into an identifier: other characters become ``_``, a leading digit gets ``_``."""
    s = re.sub(r"[^A-Za-z0-9_]", "_", text) or "_"
    return "_" + s if s[0].isdigit() else s


def upper_snake(name: str) -> str:
    """``signedBy`` → ``SIGNED_BY``, ``based_on`` → ``BASED_ON``: Neo4j's relationship-type style."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", _identifier(name))
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
        name = LABEL_ALIASES.get(class_iri) or _identifier(local_name(class_iri))
        return (check_name(name, "label"),)

    def key(self, pred: str) -> str:
        """The property key for a data predicate (its local name; predicates the ontology lacks too)."""
        got = self.property_keys.get(pred)
        if got is None:
            got = self.property_keys[pred] = check_name(_identifier(local_name(pred)), "property key")  # type: ignore[index]
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
    triples = [t for t in parse(path=str(ontology), format=RdfFormat.TURTLE) if isinstance(t.subject, NamedNode)]
    types = _objects(triples, RDF_TYPE)
    type_of = {s: {o.value for o in os_ if isinstance(o, NamedNode)} for s, os_ in types.items()}
    class_kinds = {OWL + "Class", RDFS + "Class"}
    prop_kinds = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                  RDF + "Property", CITATION_RELATION}
    classes = {s for s, ts in type_of.items() if ts & class_kinds}
    props = {s for s, ts in type_of.items() if ts & prop_kinds}
    ontology_iris = {s for s, ts in type_of.items() if OWL + "Ontology" in ts}
    supers = {s: [o.value for o in os_ if isinstance(o, NamedNode)] for s, os_ in _objects(triples, RDFS + "subClassOf").items()}
    own_label = {s: str(os_[0].value) for s, os_ in _objects(triples, PG_LABEL_PROP).items() if os_}

    def label_of(c: str) -> str:
        return check_name(own_label.get(c) or LABEL_ALIASES.get(c) or _identifier(local_name(c)), "label")

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
        key = _identifier(local_name(p))
        if key in taken and taken[key] != p:  # two vocabularies with the same local name
            key = _identifier(_prefix(p) + "_" + local_name(p))
        taken[key] = p
        property_keys[p] = check_name(key, "property key")
        relationship_types[p] = check_name(own_type.get(p) or upper_snake(rel_names.get(p) or local_name(p)),
                                           "relationship type")

    term_values = {c: local_name(c) for c in classes | props | ontology_iris}
    term_values.update(rel_names)
    individuals = tuple(
        (t.subject.value, t.predicate.value, _term(t.object)) for t in triples
        if t.subject.value not in classes and t.subject.value not in props and t.subject.value not in ontology_iris
        and t.subject.value.startswith(KG)
    )
    return OntologyMapping(
        class_labels=class_labels, citation_relations=rel_names, property_keys=property_keys,
        relationship_types=relationship_types, term_values=term_values, individuals=individuals,
        individual_iris=frozenset(t[0] for t in individuals),
    )


_PREFIXES = {KG: "kg", ELI: "eli", RDF: "rdf", RDFS: "rdfs", OWL: "owl", SKOS: "skos", XSD: "xsd",
             "https://schema.org/": "schema", "http://xmlns.com/foaf/0.1/": "foaf", "http://purl.org/dc/terms/": "dcterms"}


def _prefix(iri: str) -> str:
    for ns, p in _PREFIXES.items():
        if iri.startswith(ns):
            return p
    return "ns"


# --------------------------------------------------------------------------------------- the property graph

#: A term as the mapping sees it: an IRI or ``_:blank`` is a str, a literal a (lexical form, datatype, language)
#: tuple. Plain tuples rather than pyoxigraph objects: the mapping loop is the loader's Python hot spot.
Term = str | tuple[str, str, str]
RawTriple = tuple[str, str, Term]
XSD_STRING = XSD + "string"
RDF_LANG_STRING = RDF + "langString"


@dataclass(slots=True)
class PGNode:
    uri: str
    labels: tuple[str, ...]
    props: dict[str, Any]


@dataclass(slots=True)
class PGRel:
    type: str
    start: str
    end: str
    props: dict[str, Any]


@dataclass
class PropertyGraph:
    """Nodes by IRI and each node's outgoing relationships: the whole graph, ready to load or export."""

    nodes: dict[str, PGNode]
    out: dict[str, list[PGRel]]
    #: RDF triples read (the ontology individuals' included), the figure rates are quoted in.
    triples: int
    #: The IRI prefix the graph's own resources share (ontology individuals aside): the prune scope.
    base: str | None = None
    #: kg:Citation resources folded into relationship properties (not nodes).
    citations: int = 0
    _hashes: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def relationship_count(self) -> int:
        return sum(len(v) for v in self.out.values())

    def rels(self) -> Iterator[PGRel]:
        for uri in sorted(self.out):
            yield from self.out[uri]

    def node_hash(self, uri: str) -> str:
        """A digest of what the loader writes for this node: labels, properties, outgoing relationships.

        JSON of the node's values in the order they were built (properties are built sorted, so the
        text is deterministic), by the C encoder: several times cheaper than ``repr`` on the long
        sentence lists. Values JSON lacks (dates) are tagged with their type, so a date and the same
        text as a string differ. The hash only has to be stable between loads of this code.
        """
        h = self._hashes.get(uri)
        if h is None:
            n = self.nodes[uri]
            rels = sorted(((r.type, r.end, r.props) for r in self.out.get(uri, ())), key=_rel_order)
            text = _HASH_JSON((n.labels, n.props, rels))
            h = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
            self._hashes[uri] = h
        return h


def _rel_order(x: tuple[str, str, Any]) -> tuple[str, str]:
    return x[0], x[1]


def _tagged(v: Any) -> dict[str, str]:
    return {type(v).__name__: v.isoformat() if hasattr(v, "isoformat") else str(v)}


#: The C JSON encoder with a fixed configuration (see ``PropertyGraph.node_hash``).
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_tagged, check_circular=False).encode


def _value(lit: tuple[str, str, str]) -> Any:
    """A literal as the Python value the driver turns into the matching Neo4j type."""
    v, dtype, _lang = lit
    if dtype == XSD_STRING or dtype == RDF_LANG_STRING:
        return v
    try:
        if dtype in _INT_TYPES:
            return int(v)
        if dtype == XSD + "boolean":
            return v.strip() in ("true", "1")
        if dtype == XSD + "date":
            return dt.date.fromisoformat(v)
        if dtype == XSD + "dateTime":
            return dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        if dtype in _FLOAT_TYPES:
            return float(v)
    except ValueError:
        pass  # an ill-typed literal is kept as its text
    return v


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


class _Collected:
    """The triples sorted by role, per subject: what the mapping needs, in plain Python values."""

    __slots__ = ("types", "lits", "links", "objects", "n")

    def __init__(self) -> None:
        self.types: dict[str, list[str]] = defaultdict(list)
        self.lits: dict[str, dict[str, list[tuple[str, str, str]]]] = defaultdict(lambda: defaultdict(list))
        self.links: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.objects: set[str] = set()
        self.n = 0

    def add_raw(self, triples: Iterable[RawTriple], term_values: Mapping[str, str]) -> None:
        types, lits, links, objects = self.types, self.lits, self.links, self.objects
        for s, p, o in triples:
            self.n += 1
            if o.__class__ is tuple:
                lits[s][p].append(o)  # type: ignore[arg-type]
            elif p == RDF_TYPE:
                types[s].append(o)  # type: ignore[arg-type]
            elif o in term_values:
                lits[s][p].append((term_values[o], XSD_STRING, ""))  # type: ignore[index]
            else:
                links[s].append((p, o))  # type: ignore[arg-type]
                objects.add(o)  # type: ignore[arg-type]

    def add_oxigraph(self, triples: Iterable[Triple], term_values: Mapping[str, str],
                     on_group: Callable[[str], None] | None = None) -> None:
        """``add_raw`` over pyoxigraph triples without building tuples first: the loader's hot loop.

        ``on_group(s)`` is called when the subject changes, with the one before: its triples are
        all in when the file keeps each subject's together (as kgraph's sorted N-Triples does).
        """
        types, lits, links, objects = self.types, self.lits, self.links, self.objects
        lit_cls, named_cls = Literal, NamedNode
        n = 0
        prev = None
        for t in triples:
            n += 1
            s = t.subject
            s = s.value if s.__class__ is named_cls else _term(s)
            if on_group is not None and s != prev:
                if prev is not None:
                    on_group(prev)
                prev = s
            p = t.predicate.value
            o = t.object
            oc = o.__class__
            if oc is lit_cls:
                lits[s][p].append((o.value, o.datatype.value, o.language or ""))
                continue
            ov = o.value if oc is named_cls else _term(o)
            if p == RDF_TYPE:
                types[s].append(ov)  # type: ignore[arg-type]
            elif ov in term_values:
                lits[s][p].append((term_values[ov], XSD_STRING, ""))  # type: ignore[index]
            else:
                links[s].append((p, ov))  # type: ignore[arg-type]
                objects.add(ov)  # type: ignore[arg-type]
        self.n += n
        if on_group is not None and prev is not None:
            on_group(prev)


#: ``on_nodes(nodes, with_relationships)``: the nodes are final; ``with_relationships`` will have outgoing ones.
NodesReady = Callable[[dict[str, "PGNode"], set[str]], None]
#: ``on_final(pg, uris)``: these nodes' outgoing relationships (``pg.out``) are final, so is their hash.
RelsReady = Callable[["PropertyGraph", list[str]], None]


def property_graph(triples: Iterable[RawTriple], mapping: OntologyMapping | None = None, *,
                   with_individuals: bool = True, on_nodes: NodesReady | None = None,
                   on_final: RelsReady | None = None) -> PropertyGraph:
    """Map RDF triples (see ``Term``) to nodes and relationships by the ontology (see the module docstring).

    ``on_nodes`` is called once the nodes are final, before any relationship is built; ``on_final``
    as the relationships of each start node are finished (the loader writes them meanwhile).
    """
    m = mapping or load_mapping()
    got = _Collected()
    got.add_raw(triples, m.term_values)
    return _map(got, m, with_individuals=with_individuals, on_nodes=on_nodes, on_final=on_final)


def _map(got: _Collected, m: OntologyMapping, *, with_individuals: bool = True,
         on_nodes: NodesReady | None = None, on_final: RelsReady | None = None,
         built: Mapping[str, PGNode] | None = None) -> PropertyGraph:
    """``built``: nodes already made from their subject's complete triples (see ``read_property_graph``)."""
    built = built or {}
    if with_individuals:
        got.add_raw(m.individuals, m.term_values)
        built = {u: n for u, n in built.items() if u not in m.individual_iris}
    types, lits, links, objects, n_triples = got.types, got.lits, got.links, got.objects, got.n
    citations = {s for s, ts in types.items() if CITATION in ts}
    nodes: dict[str, PGNode] = {}
    for s in dict.fromkeys([*types, *lits, *links, *objects]):
        if s not in citations:
            nodes[s] = built.get(s) or _node(s, got, m)

    # each citation under the document that makes it (its relationships are finished together)
    by_citing: dict[str, list[str]] = defaultdict(list)
    for c in citations:
        citing = next((o for p, o in links.get(c, ()) if p == CITING), None)
        if citing is not None:
            by_citing[citing].append(c)
    if on_nodes is not None:
        on_nodes(nodes, {s for s in links if s not in citations} | by_citing.keys())

    out: dict[str, list[PGRel]] = {}
    index: dict[tuple[str, str, str], PGRel] = {}
    rel_type = m.rel_type
    for s, pairs in links.items():
        if s in citations:
            continue
        rels = []
        for p, o in sorted(set(pairs)):
            r = PGRel(type=rel_type(p), start=s, end=o, props={})
            rels.append(r)
            if p in m.citation_relations:
                index[(s, p, o)] = r
        out[s] = rels
    base = m.graph_base(nodes)
    pg = PropertyGraph(nodes=nodes, out=out, triples=n_triples, base=base, citations=len(citations))
    if on_final is not None:
        on_final(pg, [s for s in out if s not in by_citing])
    folder = _CitationFolder(nodes, out, links, lits, index, m)
    for citing in sorted(by_citing):
        folder.fold(by_citing[citing])
        if on_final is not None:
            on_final(pg, [citing])
    return pg


def _node(s: str, got: _Collected, m: OntologyMapping) -> PGNode:
    """One resource as a node: labels from its types (and their superclasses), literals as properties."""
    labels = [KEY_LABEL]
    for c in sorted(set(got.types.get(s, ()))):
        labels.extend(m.labels(c))
    props: dict[str, Any] = {"uri": s}
    for p, vs in sorted(got.lits.get(s, {}).items()):
        _put_literals(props, m.key(p), vs)
    return PGNode(uri=s, labels=tuple(dict.fromkeys(labels)), props=props)


def _put_literals(props: dict[str, Any], key: str, lits: list[tuple[str, str, str]]) -> None:
    """One predicate's literals on a node: a scalar, or a sorted list when there are several; other
    languages than PRIMARY_LANGS go under ``key_<lang>``."""
    if len(lits) == 1 and lits[0][2] in PRIMARY_LANGS:
        props[key] = _value(lits[0])
        return
    by_lang: dict[str, list[Any]] = defaultdict(list)
    for lit in lits:
        lang = lit[2]
        by_lang["" if lang in PRIMARY_LANGS else lang].append(_value(lit))
    for lang, values in sorted(by_lang.items()):
        k = key if not lang else check_name(_identifier(f"{key}_{lang}"), "property key")
        values = sorted(values, key=_sort_key)
        props[k] = values if len(values) > 1 else values[0]


def _sort_key(v: Any) -> tuple[str, str]:
    return (type(v).__name__, str(v))


#: Predicates of a kg:Citation that say which relationship it stands for (the rest is mention detail).
_CITATION_STRUCTURE = {RDF_TYPE, CITING, CITED, RELATION, RELATION_NAME}
#: What ``_CitationFolder.detail`` maps those to (not a valid property key, so never confused with one).
_STRUCTURE = "-"


class _CitationFolder:
    """Puts each kg:Citation's detail on the relationship it stands for, as parallel lists by offset.

    Every predicate of the citation but the structural ones becomes a list property: literals as
    values, objects (pinpoint, cited issuer) as the target's ``label`` ("điểm c khoản 6 Điều 4",
    "Bộ Tài chính"; several joined by "; "). A value missing from some mention turns that list into
    strings, "" for the gap. ``fold`` takes one citing document's citations at a time, so that
    document's relationships are final when it returns.
    """

    def __init__(self, nodes: dict[str, PGNode], out: dict[str, list[PGRel]],
                 links: dict[str, list[tuple[str, str]]], lits: dict[str, dict[str, list[tuple[str, str, str]]]],
                 index: dict[tuple[str, str, str], PGRel], m: OntologyMapping) -> None:
        self.nodes, self.out, self.links, self.lits, self.index, self.m = nodes, out, links, lits, index, m
        self.by_name = {n: p for p, n in m.citation_relations.items()}
        self.start_key, self.end_key = m.key(KG + "startOffset"), m.key(KG + "endOffset")
        self.source_key = m.key(KG + "source")
        #: predicate → its property key, or _STRUCTURE for the predicates that say which relationship
        self.detail: dict[str, str] = {}

    def _detail_key(self, p: str) -> str:
        key = self.detail[p] = _STRUCTURE if p in _CITATION_STRUCTURE else self.m.key(p)
        return key

    def fold(self, citations: Iterable[str]) -> None:
        nodes, out, links, lits, index, m, by_name = self.nodes, self.out, self.links, self.lits, self.index, self.m, self.by_name
        mentions: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        fields: dict[str, None] = {}
        detail = self.detail
        for c in citations:
            objs: dict[str, list[str]] = {}
            for p, o in links.get(c, ()):
                got = objs.get(p)
                if got is None:
                    objs[p] = [o]
                else:
                    got.append(o)
            clits = lits.get(c, {})
            names = [v[0] for v in clits.get(RELATION, ())] + [v[0] for v in clits.get(RELATION_NAME, ())]
            rel_pred = next((by_name[n] for n in names if n in by_name), None)
            if rel_pred is None or CITING not in objs or CITED not in objs:
                continue
            row: dict[str, Any] = {"citation": c}
            for p, vs in clits.items():
                key = detail.get(p) or self._detail_key(p)
                if key != _STRUCTURE:
                    fields[key] = None
                    if len(vs) == 1:
                        row[key] = _value(vs[0])
                    else:
                        row[key] = "; ".join(map(str, sorted((_value(v) for v in vs), key=_sort_key)))
            for p, targets in objs.items():
                key = detail.get(p) or self._detail_key(p)
                if key != _STRUCTURE:
                    fields[key] = None
                    row[key] = "; ".join(sorted(_caption(nodes.get(t), t) for t in targets))
            mentions[(objs[CITING][0], rel_pred, objs[CITED][0])].append(row)
        start_key, end_key, source_key = self.start_key, self.end_key, self.source_key
        keys = sorted(fields)
        for key, rows in mentions.items():
            r = index.get(key)
            if r is None:  # a mention without its direct triple: the reified citation still says it
                s, p, o = key
                if s not in nodes or o not in nodes:
                    continue
                r = PGRel(type=m.rel_type(p), start=s, end=o, props={})
                out.setdefault(s, []).append(r)
                index[key] = r
            rows.sort(key=lambda x: (_num(x.get(start_key)), _num(x.get(end_key)), x["citation"]))
            r.props["mentions"] = len(rows)
            r.props["citation"] = [x["citation"] for x in rows]
            for k in keys:
                vals = [x.get(k) for x in rows]
                if all(v is None for v in vals):
                    continue
                if k == source_key and len(set(vals)) == 1:
                    r.props[k] = vals[0]  # the citing file: one per relationship in practice, so not a list
                    continue
                if any(v is None for v in vals) or len({type(v) for v in vals}) > 1:
                    vals = ["" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for v in vals]
                r.props[k] = vals


def _num(v: Any) -> int:
    return v if isinstance(v, int) else -1


def _caption(node: PGNode | None, uri: str) -> str:
    if node is None:
        return uri
    v = node.props.get("label") or node.props.get("id_local") or uri
    return v if isinstance(v, str) else "; ".join(map(str, v))


# --------------------------------------------------------------------------------------- reading RDF


_FORMATS = {".nt": RdfFormat.N_TRIPLES, ".ttl": RdfFormat.TURTLE, ".nq": RdfFormat.N_QUADS,
            ".trig": RdfFormat.TRIG, ".rdf": RdfFormat.RDF_XML, ".xml": RdfFormat.RDF_XML, ".n3": RdfFormat.N3}


def graph_file(source: str | Path) -> Path:
    """The RDF file to load: ``source`` itself, or the graph a ``kg build --out DIR`` wrote in it."""
    p = Path(source)
    if p.is_dir():
        for name in ("graph.nt", "graph.ttl"):
            if (p / name).is_file():
                return p / name
        raise LoadError(f"{p}: no graph.nt or graph.ttl here (run `kg build INPUT... --out {p}` first)")
    if not p.exists():
        raise LoadError(f"{p}: no such file or directory")
    if p.suffix.lower() not in _FORMATS:
        raise LoadError(f"{p}: unknown RDF format (expected one of {', '.join(sorted(_FORMATS))})")
    return p


def _term(t: Any) -> Term:
    if isinstance(t, Literal):
        return (t.value, t.datatype.value, t.language or "")
    if isinstance(t, BlankNode):
        return "_:" + t.value  # stable within one file only: kgraph's own graphs have no blank nodes
    return t.value


def raw_triples(triples: Iterable[Triple]) -> Iterator[RawTriple]:
    """pyoxigraph triples (or quads: their triple part) as ``RawTriple`` tuples (``_term`` inlined: hot loop)."""
    lit_cls, named_cls = Literal, NamedNode
    for t in triples:
        s, o = t.subject, t.object
        oc = o.__class__
        if oc is named_cls:
            ov: Term = o.value
        elif oc is lit_cls:
            ov = (o.value, o.datatype.value, o.language or "")
        else:
            ov = _term(o)
        yield (s.value if s.__class__ is named_cls else _term(s)), t.predicate.value, ov  # type: ignore[misc]


def read_triples(path: Path) -> Iterator[RawTriple]:
    """Stream an RDF file's triples as ``RawTriple`` tuples (quads: every graph's triples), parsed by pyoxigraph."""
    try:
        yield from raw_triples(parse(path=str(path), format=_FORMATS[path.suffix.lower()]))
    except SyntaxError as e:
        raise LoadError(f"{path}: not valid RDF: {e}") from None


#: ``on_early(nodes)``: nodes whose subject's triples have all been read, while the rest is still parsed.
EarlyNodes = Callable[[list[PGNode]], None]
EARLY_BATCH = 2000


def read_property_graph(source: str | Path, mapping: OntologyMapping | None = None, *,
                        on_nodes: NodesReady | None = None, on_final: RelsReady | None = None,
                        on_early: EarlyNodes | None = None) -> PropertyGraph:
    """Parse a build directory or RDF file and map it (the step both ``load`` and ``export`` start with).

    A build directory's own graph.nt was written through pyoxigraph's validating constructors, so it
    is parsed leniently (no second IRI validation: a third faster); any other file strictly.
    ``on_early`` gets, in batches, each non-citation subject as a node as soon as the parser moves
    past it; that is final only if the file keeps each subject's triples together, so ``on_nodes``
    still gets every node (a caller compares).
    """
    with _no_gc():
        return _read_property_graph(source, mapping or load_mapping(), on_nodes, on_final, on_early)


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: mapping allocates hundreds of thousands of small
    containers and no cycles, and each collection walks all of them again (a fifth of the time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _read_property_graph(source: str | Path, m: OntologyMapping, on_nodes: NodesReady | None,
                         on_final: RelsReady | None, on_early: EarlyNodes | None) -> PropertyGraph:
    path = graph_file(source)
    lenient = Path(source).is_dir() and path.suffix == ".nt"
    fmt = _FORMATS[path.suffix.lower()]
    got = _Collected()
    early: list[PGNode] = []
    built: dict[str, PGNode] = {}
    reopened: set[str] = set()
    types = got.types

    def on_group(s: str) -> None:
        """A subject's triples are all read if the file keeps them together: make its node now."""
        if s in built:
            reopened.add(s)  # the file did not: this one is made again at the end
        elif CITATION not in types.get(s, ()):
            n = built[s] = _node(s, got, m)
            if on_early is not None:
                early.append(n)
                if len(early) >= EARLY_BATCH:
                    on_early(early[:])
                    early.clear()

    try:
        got.add_oxigraph(parse(path=str(path), format=fmt, lenient=lenient), m.term_values, on_group)
    except SyntaxError as e:
        raise LoadError(f"{path}: not valid RDF: {e}") from None
    if early and on_early is not None:
        on_early(early)
    for s in reopened:
        del built[s]
    return _map(got, m, on_nodes=on_nodes, on_final=on_final, built=built)


# --------------------------------------------------------------------------------------- the database


def schema_statements(mapping: OntologyMapping | None = None) -> list[str]:
    """Constraint and indexes, created before any data (``IF NOT EXISTS``: safe to run every load).

    The uniqueness constraint on ``:Resource(uri)`` backs every MERGE; ``number`` is indexed on
    ``Document`` and on each document class of the ontology, so ``(:Decree {number: $x})`` uses an
    index (an index on a label no node has costs nothing); titles get a full-text index whose
    ``standard-folding`` analyzer also matches text typed without Vietnamese diacritics.
    """
    m = mapping or load_mapping()
    doc_label = m.labels(ELI + "Work")[0]
    out = [
        f"CREATE CONSTRAINT kg_resource_uri IF NOT EXISTS FOR (n:{KEY_LABEL}) REQUIRE n.uri IS UNIQUE",
        f"CREATE INDEX kg_document_number IF NOT EXISTS FOR (n:{doc_label}) ON (n.number)",
        f"CREATE INDEX kg_document_numberkey IF NOT EXISTS FOR (n:{doc_label}) ON (n.numberKey)",
        f"CREATE INDEX kg_document_namekey IF NOT EXISTS FOR (n:{doc_label}) ON (n.nameKey)",
        f"CREATE INDEX kg_marker_base IF NOT EXISTS FOR (n:{MARKER_LABEL}) ON (n.base)",
        f"CREATE FULLTEXT INDEX kg_titles IF NOT EXISTS FOR (n:{doc_label}) ON EACH [n.title, n.name, n.label] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}",
    ]
    doc_classes = sorted({labels[0] for labels in m.class_labels.values() if doc_label in labels[1:]})
    for c in doc_classes:
        check_name(c, "label")
        out.append(f"CREATE INDEX kg_{c.lower()}_number IF NOT EXISTS FOR (n:{c}) ON (n.number)")
    return out


def _translate(e: Exception, settings: srv.ConnectionSettings) -> Exception:
    """A driver error as a LoadError whose message says what happened and what to do."""
    from neo4j import exceptions as nx

    code = getattr(e, "code", "") or ""
    db = settings.database or "the default database"
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return DatabaseNotFoundError(
            f"Database {settings.database!r} does not exist on {settings.uri}. Neo4j Community holds one user "
            f"database (usually 'neo4j') and cannot create others; drop --database/NEO4J_DATABASE or name that one."
        )
    if isinstance(e, nx.AuthError):
        return LoadError(f"Neo4j at {settings.uri} refused user {settings.user!r}: wrong password? "
                         f"(password from {settings.password_source})")
    if isinstance(e, (nx.ServiceUnavailable, nx.SessionExpired)):
        return LoadError(f"Lost the connection to Neo4j at {settings.uri} ({type(e).__name__}); is the server "
                         f"running (`kg neo4j status`)? Run the same command again: it finishes the job.")
    if code.startswith("Neo.TransientError.General.DatabaseUnavailable"):
        return LoadError(f"{db} on {settings.uri} is not available (stopped or starting); try again shortly.")
    return LoadError(f"Neo4j error on {settings.uri} ({code or type(e).__name__}): {getattr(e, 'message', None) or e}")


def _as_load_error(e: BaseException, settings: srv.ConnectionSettings) -> BaseException:
    """A driver error as its LoadError (see ``_translate``); anything else unchanged, to re-raise as is."""
    from neo4j import exceptions as nx

    return _translate(e, settings) if isinstance(e, (nx.Neo4jError, nx.DriverError)) else e


def open_driver(settings: srv.ConnectionSettings) -> neo4j.Driver:
    """A verified driver, with the server's auth/availability errors as LoadError, and the database checked."""
    try:
        drv = srv.driver(settings)
    except srv.Neo4jServerError as e:
        raise LoadError(str(e)) from None
    try:
        drv.execute_query("RETURN 1", database_=settings.database)
    except Exception as e:  # noqa: BLE001 - every failure is reported through _translate
        drv.close()
        raise _translate(e, settings) from None
    return drv


def quiet_session(drv: neo4j.Driver, settings: srv.ConnectionSettings) -> neo4j.Session:
    """A session on the settings' database without server notifications: the loader's own queries
    name properties (the hash, the marker's status) that do not exist before the first load."""
    return drv.session(database=settings.database, notifications_min_severity="OFF")


class _Rows(list):  # type: ignore[type-arg]
    """A batch of UNWIND rows whose ``repr`` is one short line.

    The driver (6.x) formats every RUN's parameters for a debug log line even when debug logging is
    off; for a load that is megabytes of sentences turned to text and thrown away on each batch (a
    tenth of the loader's Python time). The packer takes a list subclass as a list.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _write(session: neo4j.Session, query: str, rows: list[dict[str, Any]]) -> Any:
    """One batch in one managed write transaction (the driver retries it on transient errors)."""
    batch = _Rows(rows)

    def work(tx: neo4j.ManagedTransaction) -> Any:
        return tx.run(query, rows=batch).consume().counters

    return session.execute_write(work)


def _read(session: neo4j.Session, query: str, **params: Any) -> list[dict[str, Any]]:
    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return [r.data() for r in tx.run(query, **params)]

    return session.execute_read(work)


def _batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def _rel_batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Rows of (start node, its relationships) cut so that a batch holds about ``size`` relationships."""
    batch: list[dict[str, Any]] = []
    n = 0
    for row in rows:
        batch.append(row)
        n += len(row["rels"])
        if n >= size:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


@dataclass
class LoadReport:
    """What one load did, and how fast; rates are per second of the whole load (parse to commit)."""

    triples: int
    nodes: int
    relationships: int
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    nodes_deleted: int = 0
    relationships_written: int = 0
    relationships_deleted: int = 0
    labels_removed: int = 0
    resumed: bool = False
    #: Written while the RDF was still being mapped (a load into an empty database).
    streamed: bool = False
    base: str | None = None
    database: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.nodes_created or self.nodes_updated or self.nodes_deleted or self.relationships_deleted)

    def rates(self) -> dict[str, float]:
        total = self.seconds.get("total") or 0.0
        if not total:
            return {}
        return {"triples_per_s": self.triples / total, "relationships_per_s": self.relationships / total,
                "nodes_per_s": self.nodes / total}

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items()}
        d["rates"] = {k: round(v, 1) for k, v in self.rates().items()}
        d["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        return d


def ensure_schema(session: neo4j.Session, mapping: OntologyMapping | None = None) -> None:
    """Create the constraint and indexes if missing and wait until they are online."""
    for stmt in schema_statements(mapping):
        session.run(stmt).consume()
    session.run("CALL db.awaitIndexes(300)").consume()


def prepare(settings: srv.ConnectionSettings, mapping: OntologyMapping | None = None) -> neo4j.Driver:
    """Connect (clear errors for a server down, a wrong password or database) and create the schema.

    Separate from the load so ``load()`` can do it while the RDF is still being parsed.
    """
    drv = open_driver(settings)
    try:
        with quiet_session(drv, settings) as session:
            ensure_schema(session, mapping)
    except Exception as e:
        drv.close()
        err = _as_load_error(e, settings)
        if err is e:
            raise
        raise err from e
    return drv


def _node_rows(pg_nodes: Mapping[str, PGNode], uris: Iterable[str], with_rels: set[str],
               hash_of: Callable[[str], str], existing: Mapping[str, tuple[str | None, list[str]]]) -> list[dict[str, Any]]:
    """UNWIND rows for nodes: properties, labels to set and to remove, and the hash when the node has
    no outgoing relationships (otherwise the relationship write carries it)."""
    rows = []
    for u in uris:
        n = pg_nodes[u]
        props = n.props
        if u not in with_rels:
            props = dict(props)
            props[HASH_KEY] = hash_of(u)
        old = existing.get(u)
        rows.append({"uri": u, "props": props, "labels": list(n.labels),  # checked when the mapping made them
                     "remove": [lbl for lbl in old[1] if lbl not in n.labels] if old else []})
    return rows


#: Node upsert: MERGE names the key label, so the uniqueness index finds the node; the other labels
#: are set (and stale ones removed) from parameters (dynamic labels, Neo4j 5.26+): one plan for all.
NODE_QUERY = (f"UNWIND $rows AS row MERGE (n:{KEY_LABEL} {{uri: row.uri}}) SET n = row.props "
              "SET n:$(row.labels) REMOVE n:$(row.remove)")


def _rel_query(verb: str) -> str:
    """A node's hash and all its outgoing relationships in one transaction (types from parameters)."""
    return (f"UNWIND $rows AS row MATCH (a:{KEY_LABEL} {{uri: row.s}}) SET a.{HASH_KEY} = row.h "
            f"WITH a, row UNWIND row.rels AS rel MATCH (b:{KEY_LABEL} {{uri: rel.e}}) "
            f"{verb} (a)-[r:$(rel.t)]->(b) SET r = rel.props")


def load_property_graph(
    pg: PropertyGraph,
    settings: srv.ConnectionSettings,
    *,
    batch_size: int = 10000,
    prune: bool = True,
    mapping: OntologyMapping | None = None,
    echo: Echo | None = None,
    fail_after: int | None = None,
    driver: neo4j.Driver | None = None,
    written: Mapping[str, bool] | None = None,
) -> LoadReport:
    """Make the database hold ``pg`` (within its IRI base); see the module docstring.

    Crash safety: a node's hash is written in the transaction that completes it (with the node when
    it has no outgoing relationships, else with them), so a node carrying the right hash is complete
    and a rerun redoes exactly the others, MERGEing: no duplicates. A marker node says ``running``
    from the first write to the last, so the rerun can say it is finishing an interrupted load.
    ``fail_after`` stops after that many write batches with a LoadError (how the tests simulate a
    crash). ``driver`` is one ``prepare()`` returned (closed here). ``written``: nodes ``load()``
    already wrote into an empty database while mapping: True when complete (with their hash, and
    their relationships if any), False when their relationships are still to be written here.
    """
    t0 = time.perf_counter()
    say = echo or (lambda _msg: None)
    base = pg.base or ""
    report = LoadReport(triples=pg.triples, nodes=len(pg.nodes), relationships=pg.relationship_count,
                        base=pg.base, database=settings.database)
    drv = driver or prepare(settings, mapping)
    report.seconds["schema"] = time.perf_counter() - t0
    budget = [fail_after]

    def write(session: neo4j.Session, query: str, rows: list[dict[str, Any]]) -> Any:
        if budget[0] is not None:
            if budget[0] <= 0:
                raise LoadError("stopped on purpose (fail_after) to simulate a crash")
            budget[0] -= 1
        return _write(session, query, rows)

    try:
        with quiet_session(drv, settings) as session:
            # 0. what is there: stored hashes and labels, nodes under the base the graph lacks, the marker
            t = time.perf_counter()
            marker = _read(session, f"MATCH (m:{MARKER_LABEL} {{base: $base}}) RETURN m.status AS status, "
                           "toString(m.started) AS started", base=base)
            if marker and marker[0]["status"] == "running":
                report.resumed = True
                say(f"The previous load into {settings.database or 'the default database'} (started "
                    f"{marker[0]['started']}) did not finish; finishing it now.")
            existing: dict[str, tuple[str | None, list[str]]] = {}
            uris = list(pg.nodes)
            fresh = written is not None or _read(session, f"MATCH (n:{KEY_LABEL}) RETURN count(n) AS n")[0]["n"] == 0
            if not fresh:
                for chunk in _batches(uris, 20000):
                    for r in _read(session, f"UNWIND $uris AS u MATCH (n:{KEY_LABEL} {{uri: u}}) "
                                   f"RETURN n.uri AS uri, n.{HASH_KEY} AS h, labels(n) AS labels", uris=chunk):
                        existing[r["uri"]] = (r["h"], r["labels"])
            stale: list[str] = []
            if prune and pg.base and not fresh:
                for r in _read(session, f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base RETURN n.uri AS uri",
                               base=pg.base):
                    if r["uri"] not in pg.nodes:
                        stale.append(r["uri"])
            if fresh:  # an empty database: everything is new, no stored hash to compare with
                changed = uris
            else:
                changed = [u for u in uris if existing.get(u, (None, []))[0] != pg.node_hash(u)]
            report.seconds["diff"] = time.perf_counter() - t
            new = {u for u in changed if u not in existing}
            report.nodes_created = len(new)
            report.nodes_updated = len(changed) - len(new)
            report.nodes_unchanged = len(uris) - len(changed)
            if not changed and not stale:
                if report.resumed:
                    write(session, f"UNWIND $rows AS row MATCH (m:{MARKER_LABEL} {{base: row.base}}) "
                          "SET m.status = 'done', m.finished = datetime()", [{"base": base}])
                report.seconds["total"] = time.perf_counter() - t0
                return report
            if written is None:
                write(session, f"UNWIND $rows AS row MERGE (m:{MARKER_LABEL} {{base: row.base}}) "
                      "SET m.status = 'running', m.started = datetime(), m.finished = null", [{"base": base}])

            # 1. nodes: properties replaced, labels set and stale ones removed
            t = time.perf_counter()
            with_rels = {u for u, rels in pg.out.items() if rels}
            # streamed nodes are done, unless one streamed without a hash turned out to have no relationship
            todo = [u for u in changed if written is None or u not in written or (not written[u] and u not in with_rels)]
            for chunk in _batches(_node_rows(pg.nodes, todo, with_rels, pg.node_hash, existing), batch_size):
                write(session, NODE_QUERY, chunk)
            report.seconds["nodes"] = time.perf_counter() - t

            # 2. relationships: a changed node that existed loses the outgoing ones the graph no longer
            # has; new nodes' relationships are CREATEd, the others MERGEd; each row ends with the hash.
            t = time.perf_counter()
            keep_rows = [{"uri": u, "keep": [f"{r.type}|{r.end}" for r in pg.out.get(u, ())]}
                         for u in changed if u in existing]
            for chunk in _batches(keep_rows, batch_size):
                c = write(session, f"UNWIND $rows AS row MATCH (a:{KEY_LABEL} {{uri: row.uri}})-[r]->(b) "
                          "WHERE NOT type(r) + '|' + b.uri IN row.keep DELETE r", chunk)
                report.relationships_deleted += c.relationships_deleted
            groups: dict[str, list[dict[str, Any]]] = {"CREATE": [], "MERGE": []}
            for u in changed:
                rels = pg.out.get(u)
                if rels and not (written and written.get(u)):
                    groups["CREATE" if u in new else "MERGE"].append(
                        {"s": u, "h": pg.node_hash(u),
                         "rels": [{"t": check_name(r.type, "relationship type"), "e": r.end, "props": r.props}
                                  for r in rels]})
            for verb, rel_rows in groups.items():
                q = _rel_query(verb)
                for chunk in _rel_batches(rel_rows, batch_size):
                    write(session, q, chunk)
                    report.relationships_written += sum(len(x["rels"]) for x in chunk)
            report.seconds["relationships"] = time.perf_counter() - t

            # 3. what the graph no longer has, under its base
            t = time.perf_counter()
            for chunk in _batches(stale, batch_size):
                c = write(session, f"UNWIND $rows AS u MATCH (n:{KEY_LABEL} {{uri: u}}) DETACH DELETE n", chunk)
                report.nodes_deleted += c.nodes_deleted
                report.relationships_deleted += c.relationships_deleted
            report.seconds["prune"] = time.perf_counter() - t
            write(session, f"UNWIND $rows AS row MERGE (m:{MARKER_LABEL} {{base: row.base}}) SET m.status = 'done', "
                  "m.finished = datetime(), m.nodes = row.nodes, m.relationships = row.rels, m.triples = row.triples",
                  [{"base": base, "nodes": len(pg.nodes), "rels": pg.relationship_count, "triples": pg.triples}])
    except LoadError:
        raise
    except Exception as e:  # noqa: BLE001 - driver errors become LoadError with a clear message
        err = _as_load_error(e, settings)
        if err is e:
            raise
        raise err from e
    finally:
        drv.close()
    report.seconds["total"] = time.perf_counter() - t0
    return report


#: Relationships per write batch while the mapping is still running: small enough that the server
#: starts early and the last batch, written after the mapping, is short.
STREAM_REL_BATCH = 2500


def load(source: str | Path, settings: srv.ConnectionSettings, *, batch_size: int = 10000, prune: bool = True,
         echo: Echo | None = None) -> LoadReport:
    """``kg load``: read a build directory or RDF file, map it, and sync it into Neo4j.

    A second thread connects and creates the schema while the RDF is parsed. Into an empty database
    it also writes while the main thread maps: the nodes as soon as they are final, then each start
    node's relationships (with its hash) as soon as the folding of its citations is done. The mapping
    is Python-bound and the writes mostly wait on the server, so the two overlap. One writer thread
    keeps the order the crash-safety argument needs: a node's properties before its relationships.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    t0 = time.perf_counter()
    path = graph_file(source)
    futures: list[Future[None]] = []
    complete: dict[str, bool] = {}  # streamed nodes → written with their hash (True) or awaiting relationships
    pending: list[dict[str, Any]] = []  # relationship rows not yet handed to the writer
    pending_n = [0]
    streamed = [0]  # relationships handed to the writer

    def connect() -> tuple[neo4j.Driver, bool]:
        drv = prepare(settings)
        try:
            with quiet_session(drv, settings) as session:
                empty = _read(session, f"MATCH (n:{KEY_LABEL}) RETURN count(n) AS n")[0]["n"] == 0
                marker = _read(session, f"MATCH (m:{MARKER_LABEL}) RETURN count(m) AS n")[0]["n"]
        except BaseException:
            drv.close()
            raise
        return drv, empty and not marker

    def write_nodes(drv: neo4j.Driver, rows: list[dict[str, Any]], base: str | None, old_base: str | None) -> None:
        """Nodes, after marking the load ``running`` under ``base`` (``old_base``: a first guess, dropped)."""
        with quiet_session(drv, settings) as session:
            if base is not None and base != old_base:
                _write(session, f"UNWIND $rows AS row MERGE (m:{MARKER_LABEL} {{base: row.base}}) "
                       "SET m.status = 'running', m.started = datetime(), m.finished = null "
                       f"WITH row OPTIONAL MATCH (o:{MARKER_LABEL} {{base: row.old}}) DELETE o",
                       [{"base": base, "old": old_base}])
            for chunk in _batches(rows, batch_size):
                _write(session, NODE_QUERY, chunk)

    def write_rels(drv: neo4j.Driver, rows: list[dict[str, Any]]) -> None:
        with quiet_session(drv, settings) as session:
            _write(session, _rel_query("CREATE"), rows)

    with ThreadPoolExecutor(max_workers=1) as pool:
        ready: Future[tuple[neo4j.Driver, bool]] = pool.submit(connect)

        def empty_db() -> neo4j.Driver | None:
            """The driver if the database was empty (this load streams), else None."""
            try:
                drv, empty = ready.result()
            except Exception:  # noqa: BLE001 - reported below, after the mapping
                return None
            return drv if empty else None

        mapping = load_mapping()
        early: dict[str, PGNode] = {}  # nodes written while parsing (without hash)
        marker: list[str | None] = [None]  # the base the running marker was written under

        def on_early(batch: list[PGNode]) -> None:
            drv = empty_db()
            if drv is None:
                return
            base = None
            if marker[0] is None:  # a first guess at the base, from what is parsed so far
                base = marker[0] = mapping.graph_base(n.uri for n in batch) or ""
            futures.append(pool.submit(write_nodes, drv, _node_rows(dict((n.uri, n) for n in batch), [n.uri for n in batch],
                                                                    {n.uri for n in batch}, str, {}), base, None))
            early.update((n.uri, n) for n in batch)
            complete.update((n.uri, False) for n in batch)

        def on_nodes(nodes: dict[str, PGNode], with_rels: set[str]) -> None:
            drv = empty_db()
            if drv is None:
                return
            hashes = PropertyGraph(nodes=nodes, out={}, triples=0)  # hashes of nodes without relationships
            base = mapping.graph_base(nodes) or ""
            # what was written early and has not changed needs nothing more, unless its hash is due now
            todo = [u for u in nodes if early.get(u) != nodes[u] or u not in with_rels]
            rows = _node_rows(nodes, todo, with_rels, hashes.node_hash, {})
            futures.append(pool.submit(write_nodes, drv, rows, base, marker[0]))
            complete.update((u, u not in with_rels) for u in nodes)

        def flush(drv: neo4j.Driver) -> None:
            if pending:
                futures.append(pool.submit(write_rels, drv, pending[:]))
                for row in pending:
                    complete[row["s"]] = True
                streamed[0] += pending_n[0]
                pending.clear()
                pending_n[0] = 0

        def on_final(pg: PropertyGraph, uris: list[str]) -> None:
            if not futures:
                return
            drv = ready.result()[0]
            for u in uris:
                rels = pg.out.get(u, ())
                pending.append({"s": u, "h": pg.node_hash(u),
                                "rels": [{"t": r.type, "e": r.end, "props": r.props} for r in rels]})
                pending_n[0] += len(rels)
                if pending_n[0] >= STREAM_REL_BATCH:
                    flush(drv)

        try:
            pg = read_property_graph(path, on_nodes=on_nodes, on_final=on_final, on_early=on_early)
            t_map = time.perf_counter() - t0
            if futures:
                flush(ready.result()[0])
            drv = ready.result()[0]
            for f in futures:
                f.result()
        except BaseException as e:
            for f in futures:
                f.cancel()
            if ready.done() and ready.exception() is None:
                ready.result()[0].close()
            err = _as_load_error(e, settings)  # a write that failed mid-stream
            if err is e:
                raise
            raise err from e
    report = load_property_graph(pg, settings, batch_size=batch_size, prune=prune, echo=echo, driver=drv,
                                 written=complete if futures else None)
    report.relationships_written += streamed[0]
    report.streamed = bool(futures)
    report.seconds["map"] = t_map
    report.seconds["total"] = time.perf_counter() - t0
    return report


def graph_counts(settings: srv.ConnectionSettings, base: str | None = None) -> dict[str, int]:
    """Nodes and relationships in the database (only under ``base`` when given): the figure tests compare."""
    drv = open_driver(settings)
    try:
        with quiet_session(drv, settings) as session:
            if base:
                rec = _read(session, f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base "
                            "RETURN count(n) AS nodes, sum(COUNT { (n)-->() }) AS rels", base=base)[0]
            else:
                rec = _read(session, "MATCH (n) RETURN count(n) AS nodes, sum(COUNT { (n)-->() }) AS rels")[0]
    finally:
        drv.close()
    return {"nodes": rec["nodes"], "relationships": rec["rels"] or 0}


def delete_base(settings: srv.ConnectionSettings, base: str, batch_size: int = 10000) -> int:
    """Delete every node under ``base`` (and its marker), in batches (what the tests use to clean up)."""
    drv = open_driver(settings)
    deleted = 0
    try:
        with quiet_session(drv, settings) as session:
            while True:
                c = session.execute_write(lambda tx: tx.run(
                    f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base WITH n LIMIT $n DETACH DELETE n",
                    base=base, n=batch_size).consume().counters)
                deleted += c.nodes_deleted
                if c.nodes_deleted < batch_size:
                    break
            session.execute_write(lambda tx: tx.run(f"MATCH (m:{MARKER_LABEL} {{base: $base}}) DELETE m",
                                                    base=base).consume())
    finally:
        drv.close()
    return deleted


# --------------------------------------------------------------------------------------- CSV for neo4j-admin

#: Between array elements and labels in the CSV (``--array-delimiter``): a control character no text holds.
ARRAY_DELIMITER = "\x1f"
_CSV_TYPES = {bool: "boolean", int: "long", float: "double", dt.date: "date", dt.datetime: "datetime", str: "string"}


def _csv_kind(v: Any) -> str:
    """The neo4j-admin column type of one value (a list of mixed types is written as strings)."""
    if isinstance(v, list):
        kinds = {_CSV_TYPES.get(type(x), "string") for x in v}
        return (kinds.pop() if len(kinds) == 1 else "string") + "[]"
    return _CSV_TYPES.get(type(v), "string")


def _csv_scalar(v: Any) -> str:
    if isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, (dt.date, dt.datetime)):
        s = v.isoformat()
    else:
        s = str(v)
    return s.replace(ARRAY_DELIMITER, " ") if ARRAY_DELIMITER in s else s


def _csv_cell(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, list):
        return ARRAY_DELIMITER.join(_csv_scalar(x) for x in v)
    return _csv_scalar(v)


def _write_csv(path: Path, header: list[str], rows: Iterable[list[str | None]]) -> int:
    """RFC 4180 CSV: every present value quoted, an absent one an empty unquoted field (null on import)."""
    n = 0
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join("" if c is None else '"' + c.replace('"', '""') + '"' for c in row) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


def _typed_groups(items: Sequence[Any], props_of: Callable[[Any], dict[str, Any]]
                  ) -> tuple[list[str], list[tuple[dict[str, str], list[Any]]]]:
    """Property keys, and the items split so that within a group every key has one column type.

    neo4j-admin gives a column one type; a key that is a scalar on one node and a list on another
    (several values there) puts those nodes in a file of their own, so the import is exact.
    """
    kinds: dict[str, set[str]] = defaultdict(set)
    for it in items:
        for k, v in props_of(it).items():
            kinds[k].add(_csv_kind(v))
    keys = sorted(kinds)
    mixed = [k for k in keys if len(kinds[k]) > 1]
    groups: dict[tuple[tuple[str, str], ...], list[Any]] = defaultdict(list)
    for it in items:
        p = props_of(it)
        groups[tuple((k, _csv_kind(p[k])) for k in mixed if k in p)].append(it)
    out = []
    for sig, members in sorted(groups.items()):
        col = {k: min(kinds[k]) for k in keys}
        col.update(dict(sig))
        out.append((col, members))
    return keys, out


@dataclass
class CsvExport:
    """Files written for ``neo4j-admin database import full`` and the command that imports them."""

    directory: Path
    nodes: int
    relationships: int
    node_files: list[Path]
    relationship_files: list[Path]
    schema: Path
    script: Path
    database: str
    seconds: float

    def admin_args(self) -> list[str]:
        """Arguments after ``neo4j-admin`` (the target database must be stopped, or be in a new home)."""
        args = ["database", "import", "full", self.database, "--overwrite-destination=true", "--multiline-fields=true",
                f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}", "--id-type=string"]
        args += [f"--nodes={f}" for f in self.node_files]
        args += [f"--relationships={f}" for f in self.relationship_files]
        return args


def export_csv(pg: PropertyGraph, out: str | Path, *, database: str = "neo4j") -> CsvExport:
    """Write ``pg`` as node and relationship CSV files, ``schema.cypher`` and ``import.sh``.

    Each node carries its load hash, so ``kg load`` of the same graph after the import (which also
    creates the constraint and indexes the import leaves out) finds nothing else to do.
    """
    t0 = time.perf_counter()
    d = Path(out).resolve()
    d.mkdir(parents=True, exist_ok=True)
    for old in [*d.glob("nodes*.csv"), *d.glob("relationships-*.csv")]:
        old.unlink()
    nodes = [pg.nodes[u] for u in sorted(pg.nodes)]
    keys, groups = _typed_groups(nodes, lambda n: {k: v for k, v in n.props.items() if k != "uri"})
    node_files = []
    n_nodes = 0
    for i, (col, members) in enumerate(groups):
        header = ["uri:ID", ":LABEL", f"{HASH_KEY}:string"] + [f"{k}:{col[k]}" for k in keys]
        path = d / (f"nodes-{i}.csv" if len(groups) > 1 else "nodes.csv")
        n_nodes += _write_csv(path, header, ([n.uri, ARRAY_DELIMITER.join(n.labels), pg.node_hash(n.uri)]
                                             + [_csv_cell(n.props.get(k)) for k in keys] for n in members))
        node_files.append(path)
    by_type: dict[str, list[PGRel]] = defaultdict(list)
    for r in pg.rels():
        by_type[r.type].append(r)
    rel_files = []
    n_rels = 0
    for rtype, rels in sorted(by_type.items()):
        check_name(rtype, "relationship type")
        rkeys, rgroups = _typed_groups(rels, lambda r: r.props)
        for i, (col, members) in enumerate(rgroups):
            header = [":START_ID", ":END_ID", ":TYPE"] + [f"{k}:{col[k]}" for k in rkeys]
            path = d / (f"relationships-{rtype}-{i}.csv" if len(rgroups) > 1 else f"relationships-{rtype}.csv")
            n_rels += _write_csv(path, header, ([r.start, r.end, r.type] + [_csv_cell(r.props.get(k)) for k in rkeys]
                                                for r in members))
            rel_files.append(path)
    schema = d / "schema.cypher"
    schema.write_text(";\n".join(schema_statements()) + ";\n", encoding="utf-8")
    exp = CsvExport(directory=d, nodes=n_nodes, relationships=n_rels, node_files=node_files,
                    relationship_files=rel_files, schema=schema, script=d / "import.sh", database=database,
                    seconds=0.0)
    _write_script(exp)
    exp.seconds = time.perf_counter() - t0
    return exp


def _write_script(exp: CsvExport) -> None:
    """``import.sh``: run neo4j-admin from the kgraph Neo4j home (``kg neo4j stop`` first)."""
    import shlex

    args = " ".join(shlex.quote(a) for a in exp.admin_args())
    exp.script.write_text(
        "#!/bin/sh\n"
        f"# Written by `kg export --neo4j-csv`: imports these CSV files into database '{exp.database}',\n"
        "# REPLACING it. Stop the server first (kg neo4j stop); start it after (kg neo4j start), then\n"
        "# `kg load` the same graph: it creates the constraint and indexes and finds nothing else to do.\n"
        "set -e\n"
        f'NEO4J_HOME="${{NEO4J_HOME:-{srv.neo4j_home()}}}"\n'
        'NEO4J_CONF="${NEO4J_CONF:-$NEO4J_HOME/conf}"\n'
        "export NEO4J_HOME NEO4J_CONF\n"
        f'exec "${{JAVA:-java}}" -cp "$NEO4J_HOME/lib/*" {srv.ADMIN_MAIN} {args}\n',
        encoding="utf-8",
    )
    exp.script.chmod(0o755)
