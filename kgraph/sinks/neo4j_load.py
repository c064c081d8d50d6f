"""RDF → property graph, derived from the ontology; loaded into Neo4j in batches, or written as CSV.

One mapping, read from ``ontology/kgraph.ttl`` rather than kept by hand beside ``kgraph.model``:

* every IRI subject or object is a node ``(:Resource {uri})``; its labels are the local names of its
  ``rdf:type`` classes and of their superclasses in the ontology (``eli:Work`` shows as ``Document``,
  ``eli:LegalResourceSubdivision`` as ``Provision``, ``kg:Organisation`` as ``Organization``);
* literals are properties named by the predicate's local name (``eli:number`` → ``number``), typed
  (``xsd:date`` → Neo4j ``date``, integers, booleans); a predicate seen with several values is a list;
* IRI objects are relationships typed by the predicate (``kg:signedBy`` → ``SIGNED_BY``); the
  ``kg:CitationRelation`` instances give ``CITES``, ``BASED_ON``, ``IMPLEMENTS``... and each such
  relationship carries, as parallel lists, the detail of the ``kg:Citation`` mentions behind it
  (pinpoint, sentence, offsets, matched text, source), since RDF cannot put them on the edge;
* an object that is itself an ontology term (``kg:relation eli:based_on``) becomes a property value.

Loading is a sync of the graph into the database, keyed by IRI: every node stores a hash of its
labels, properties and outgoing relationships, written only after those are in place, so a second
load of the same graph writes nothing, a changed document has its outgoing relationships replaced
(not added to), and a load cut short is finished by running it again. Nodes under the graph's IRI
base that the graph no longer has are deleted (``prune``).

Label and relationship-type names are interpolated into Cypher (Neo4j cannot parameterise them in
an index-using MERGE); they come only from the ontology and are checked against ``NAME_RE``. All
values travel as parameters.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
#: Mention detail carried, as parallel lists ordered by offset, on each citation relationship:
#: (Citation predicate, empty value used when a mention lacks it).
MENTION_FIELDS: tuple[tuple[str, Any], ...] = (
    (KG + "startOffset", -1),
    (KG + "endOffset", -1),
    (KG + "sentence", ""),
    (KG + "matchedText", ""),
    (KG + "referenceKind", ""),
)
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
    individuals: tuple[Triple, ...] = ()

    def labels(self, class_iri: str) -> tuple[str, ...]:
        """Labels for one rdf:type value; classes the ontology lacks get their local name alone."""
        got = self.class_labels.get(class_iri)
        if got is not None:
            return got
        name = LABEL_ALIASES.get(class_iri) or _identifier(local_name(class_iri))
        return (check_name(name, "label"),)

    def key(self, pred: str) -> str:
        got = self.property_keys.get(pred)
        return got if got is not None else check_name(_identifier(local_name(pred)), "property key")

    def rel_type(self, pred: str) -> str:
        got = self.relationship_types.get(pred)
        return got if got is not None else check_name(upper_snake(local_name(pred)), "relationship type")

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
    property_keys: dict[str, str] = {}
    relationship_types: dict[str, str] = {}
    taken: dict[str, str] = {}
    for p in sorted(props, key=lambda p: (not p.startswith((KG, ELI)), p)):
        key = _identifier(local_name(p))
        if key in taken and taken[key] != p:  # two vocabularies with the same local name
            key = _identifier(_prefix(p) + "_" + local_name(p))
        taken[key] = p
        property_keys[p] = check_name(key, "property key")
        relationship_types[p] = check_name(upper_snake(rel_names.get(p) or local_name(p)), "relationship type")

    term_values = {c: local_name(c) for c in classes | props | ontology_iris}
    term_values.update(rel_names)
    individuals = tuple(
        t for t in triples
        if t.subject.value not in classes and t.subject.value not in props and t.subject.value not in ontology_iris
        and t.subject.value.startswith(KG)
    )
    return OntologyMapping(
        class_labels=class_labels, citation_relations=rel_names, property_keys=property_keys,
        relationship_types=relationship_types, term_values=term_values, individuals=individuals,
    )


_PREFIXES = {KG: "kg", ELI: "eli", RDF: "rdf", RDFS: "rdfs", OWL: "owl", SKOS: "skos", XSD: "xsd",
             "https://schema.org/": "schema", "http://xmlns.com/foaf/0.1/": "foaf", "http://purl.org/dc/terms/": "dcterms"}


def _prefix(iri: str) -> str:
    for ns, p in _PREFIXES.items():
        if iri.startswith(ns):
            return p
    return "ns"


# --------------------------------------------------------------------------------------- the property graph


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
    triples: int
    #: The IRI prefix the graph's own resources share (ontology individuals aside): the prune scope.
    base: str | None = None
    _hashes: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def relationship_count(self) -> int:
        return sum(len(v) for v in self.out.values())

    def rels(self) -> Iterator[PGRel]:
        for uri in sorted(self.out):
            yield from self.out[uri]

    def node_hash(self, uri: str) -> str:
        """A digest of what the loader writes for this node: labels, properties, outgoing relationships."""
        h = self._hashes.get(uri)
        if h is None:
            n = self.nodes[uri]
            rels = sorted(([r.type, r.end, r.props] for r in self.out.get(uri, ())), key=lambda x: (x[0], x[1]))
            doc = [sorted(n.labels), n.props, rels]
            h = hashlib.blake2b(json.dumps(doc, sort_keys=True, default=str, ensure_ascii=False).encode(),
                                digest_size=12).hexdigest()
            self._hashes[uri] = h
        return h


def _value(lit: Literal) -> Any:
    """A literal as the Python value the driver turns into the matching Neo4j type."""
    v = lit.value
    dtype = lit.datatype.value if lit.datatype is not None else ""
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


def _node_key(term: Any) -> str:
    if isinstance(term, BlankNode):
        return "_:" + term.value  # stable within one file only: kgraph's own graphs have no blank nodes
    return term.value


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


def property_graph(triples: Iterable[Triple], mapping: OntologyMapping | None = None, *,
                   with_individuals: bool = True) -> PropertyGraph:
    """Map RDF triples to nodes and relationships by the ontology (see the module docstring)."""
    m = mapping or load_mapping()
    types: dict[str, set[str]] = defaultdict(set)
    lits: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: dict[str, None] = {}
    n_triples = 0
    data_subjects: set[str] = set()
    source: Iterable[Triple] = triples
    if with_individuals:
        source = _chain(triples, m.individuals)
    individuals = {t.subject.value for t in m.individuals}
    for t in source:
        n_triples += 1
        s = _node_key(t.subject)
        seen.setdefault(s, None)
        p = t.predicate.value
        o = t.object
        if s not in individuals:
            data_subjects.add(s)
        if p == RDF_TYPE and isinstance(o, NamedNode):
            types[s].add(o.value)
        elif isinstance(o, Literal):
            lits[s][p].append(o)
        elif isinstance(o, NamedNode) and o.value in m.term_values:
            lits[s][p].append(Literal(m.term_values[o.value]))
        elif isinstance(o, (NamedNode, BlankNode)):
            ok = _node_key(o)
            links[s].append((p, ok))
            seen.setdefault(ok, None)
            if ok not in individuals:
                data_subjects.add(ok)
        else:  # RDF-star quoted triples: not produced by kgraph
            n_triples -= 1
    multi = {p for per in lits.values() for p, vs in per.items() if len(vs) > 1}

    nodes: dict[str, PGNode] = {}
    for s in seen:
        labels = [KEY_LABEL]
        for c in sorted(types.get(s, ())):
            labels.extend(m.labels(c))
        props: dict[str, Any] = {"uri": s}
        for p, vs in sorted(lits.get(s, {}).items()):
            key = m.key(p)
            by_lang: dict[str, list[Any]] = defaultdict(list)
            for lit in vs:
                lang = lit.language or ""
                by_lang["" if lang in PRIMARY_LANGS else lang].append(_value(lit))
            for lang, values in sorted(by_lang.items()):
                k = key if not lang else check_name(_identifier(f"{key}_{lang}"), "property key")
                values = sorted(values, key=_sort_key)
                props[k] = values if (p in multi or len(values) > 1) else values[0]
        nodes[s] = PGNode(uri=s, labels=tuple(dict.fromkeys(labels)), props=props)

    out: dict[str, list[PGRel]] = {}
    index: dict[tuple[str, str, str], PGRel] = {}
    for s, pairs in links.items():
        rels = []
        for p, o in sorted(set(pairs)):
            r = PGRel(type=m.rel_type(p), start=s, end=o, props={})
            rels.append(r)
            if p in m.citation_relations:
                index[(s, p, o)] = r
        out[s] = rels
    _attach_mentions(nodes, links, types, lits, index, m)
    base = _common_base(u for u in data_subjects if not u.startswith("_:"))
    return PropertyGraph(nodes=nodes, out=out, triples=n_triples, base=base)


def _chain(a: Iterable[Triple], b: Iterable[Triple]) -> Iterator[Triple]:
    yield from a
    yield from b


def _sort_key(v: Any) -> tuple[str, str]:
    return (type(v).__name__, str(v))


def _attach_mentions(nodes: dict[str, PGNode], links: dict[str, list[tuple[str, str]]], types: dict[str, set[str]],
                     lits: dict[str, dict[str, list[Literal]]], index: dict[tuple[str, str, str], PGRel],
                     m: OntologyMapping) -> None:
    """Put each kg:Citation's detail on the direct relationship it stands for, as parallel lists."""
    mentions: dict[tuple[str, str, str], list[tuple[Any, ...]]] = defaultdict(list)
    source_key = KG + "source"
    for c, ts in types.items():
        if CITATION not in ts:
            continue
        objs: dict[str, list[str]] = defaultdict(list)
        for p, o in links.get(c, ()):
            objs[p].append(o)
        rel = [v.value for v in lits.get(c, {}).get(RELATION, ())]
        rel_pred = next((p for p, n in m.citation_relations.items() if n in rel), None)
        if rel_pred is None:
            names = [str(v.value) for v in lits.get(c, {}).get(RELATION_NAME, ())]
            rel_pred = next((p for p, n in m.citation_relations.items() if n in names), None)
        if rel_pred is None or not objs.get(CITING) or not objs.get(CITED):
            continue
        key = (objs[CITING][0], rel_pred, objs[CITED][0])
        detail = []
        for pred, empty in MENTION_FIELDS:
            vs = lits.get(c, {}).get(pred)
            detail.append(_value(vs[0]) if vs else empty)
        pins = []
        for leaf in sorted(objs.get(PINPOINT, ())):
            leaf_props = nodes[leaf].props if leaf in nodes else {}
            pins.append(str(leaf_props.get("id_local") or leaf_props.get("label") or local_name(leaf)))
        src = lits.get(c, {}).get(source_key)
        mentions[key].append((*detail, "; ".join(pins), c, str(src[0].value) if src else ""))
    names = [m.key(p) for p, _ in MENTION_FIELDS] + [m.key(PINPOINT), "citation", "source"]
    for key, rows in mentions.items():
        r = index.get(key)
        if r is None:  # a mention without its direct triple: the reified citation still says it
            s, p, o = key
            if s not in nodes or o not in nodes:
                continue
            r = PGRel(type=m.rel_type(p), start=s, end=o, props={})
            links[s].append((p, o))
            index[key] = r
        rows.sort(key=lambda x: (x[0], x[1], x[-2]))
        for i, name in enumerate(names):
            r.props[name] = [row[i] for row in rows]
        sources = sorted({row[-1] for row in rows if row[-1]})
        r.props["source"] = sources[0] if len(sources) == 1 else sources
        r.props["mentions"] = len(rows)


def _missing_rels(pg_out: dict[str, list[PGRel]], index: dict[tuple[str, str, str], PGRel]) -> None:
    """Add relationships created by ``_attach_mentions`` for mentions without a direct triple."""
    have = {id(r) for rels in pg_out.values() for r in rels}
    for r in index.values():
        if id(r) not in have:
            pg_out.setdefault(r.start, []).append(r)


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


def read_triples(path: Path) -> Iterator[Triple]:
    """Stream the triples of an RDF file (quads: every graph's triples), parsed by pyoxigraph."""
    fmt = _FORMATS[path.suffix.lower()]
    try:
        for q in parse(path=str(path), format=fmt):
            yield Triple(q.subject, q.predicate, q.object) if fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG) else q
    except SyntaxError as e:
        raise LoadError(f"{path}: not valid RDF: {e}") from None


def read_property_graph(source: str | Path, mapping: OntologyMapping | None = None) -> PropertyGraph:
    """Parse a build directory or RDF file and map it (the step both ``load`` and ``export`` start with)."""
    return property_graph(read_triples(graph_file(source)), mapping)


# --------------------------------------------------------------------------------------- the database


def schema_statements(pg: PropertyGraph | None = None, mapping: OntologyMapping | None = None) -> list[str]:
    """Constraint and indexes, created before any data (``IF NOT EXISTS``: safe to run every load).

    The uniqueness constraint on ``:Resource(uri)`` backs every MERGE; ``number`` is indexed on
    ``Document`` and on each document class present, so ``(:Decree {number: $x})`` uses an index.
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
    doc_classes = sorted({lbl for c, labels in m.class_labels.items() if doc_label in labels
                          for lbl in labels[:1] if lbl != doc_label})
    if pg is not None:
        present = {lbl for n in pg.nodes.values() for lbl in n.labels}
        doc_classes = [c for c in doc_classes if c in present]
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


def _write(session: neo4j.Session, query: str, rows: list[dict[str, Any]]) -> Any:
    """One batch in one managed write transaction (the driver retries it on transient errors)."""

    def work(tx: neo4j.ManagedTransaction) -> Any:
        return tx.run(query, rows=rows).consume().counters

    return session.execute_write(work)


def _read(session: neo4j.Session, query: str, **params: Any) -> list[dict[str, Any]]:
    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return [r.data() for r in tx.run(query, **params)]

    return session.execute_read(work)


def _batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


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


def ensure_schema(session: neo4j.Session, pg: PropertyGraph | None = None,
                  mapping: OntologyMapping | None = None) -> None:
    """Create the constraint and indexes if missing and wait until they are online."""
    for stmt in schema_statements(pg, mapping):
        session.run(stmt).consume()
    session.run("CALL db.awaitIndexes(300)").consume()


def load_property_graph(
    pg: PropertyGraph,
    settings: srv.ConnectionSettings,
    *,
    batch_size: int = 5000,
    prune: bool = True,
    mapping: OntologyMapping | None = None,
    echo: Echo | None = None,
    fail_after: int | None = None,
) -> LoadReport:
    """Make the database hold ``pg`` (within its IRI base); see the module docstring.

    ``fail_after`` stops after that many write batches with a LoadError: how the tests simulate a crash.
    """
    t0 = time.perf_counter()
    say = echo or (lambda _msg: None)
    report = LoadReport(triples=pg.triples, nodes=len(pg.nodes), relationships=pg.relationship_count,
                        base=pg.base, database=settings.database)
    drv = open_driver(settings)
    budget = [fail_after]

    def write(session: neo4j.Session, query: str, rows: list[dict[str, Any]]) -> Any:
        if budget[0] is not None:
            if budget[0] <= 0:
                raise LoadError("stopped on purpose (fail_after) to simulate a crash")
            budget[0] -= 1
        return _write(session, query, rows)

    try:
        with drv.session(database=settings.database) as session:
            t = time.perf_counter()
            ensure_schema(session, pg, mapping)
            report.seconds["schema"] = time.perf_counter() - t

            t = time.perf_counter()
            existing: dict[str, tuple[str | None, list[str]]] = {}
            uris = list(pg.nodes)
            for chunk in _batches(uris, 20000):
                for r in _read(session, f"UNWIND $uris AS u MATCH (n:{KEY_LABEL} {{uri: u}}) "
                               f"RETURN n.uri AS uri, n.{HASH_KEY} AS h, labels(n) AS labels", uris=chunk):
                    existing[r["uri"]] = (r["h"], r["labels"])
            stale: list[str] = []
            if prune and pg.base:
                for r in _read(session, f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base RETURN n.uri AS uri",
                               base=pg.base):
                    if r["uri"] not in pg.nodes:
                        stale.append(r["uri"])
            marker = _read(session, f"MATCH (m:{MARKER_LABEL} {{base: $base}}) RETURN m.status AS status, "
                           "toString(m.started) AS started", base=pg.base or "")
            changed = [u for u in uris if existing.get(u, (None, []))[0] != pg.node_hash(u)]
            report.seconds["diff"] = time.perf_counter() - t
            if marker and marker[0]["status"] == "running":
                report.resumed = True
                say(f"The previous load into {settings.database or 'the default database'} (started "
                    f"{marker[0]['started']}) did not finish; finishing it now.")
            report.nodes_unchanged = len(uris) - len(changed)
            if not changed and not stale:
                if report.resumed:
                    write(session, f"MATCH (m:{MARKER_LABEL} {{base: $rows[0].base}}) SET m.status = 'done', "
                          "m.finished = datetime()", [{"base": pg.base or ""}])
                report.seconds["total"] = time.perf_counter() - t0
                return report
            write(session, f"UNWIND $rows AS row MERGE (m:{MARKER_LABEL} {{base: row.base}}) "
                  "SET m.status = 'running', m.started = datetime(), m.finished = null",
                  [{"base": pg.base or ""}])

            # 1. nodes: MERGE on :Resource(uri), properties replaced, labels set (stale ones removed)
            t = time.perf_counter()
            new = {u for u in changed if u not in existing}
            report.nodes_created = len(new)
            report.nodes_updated = len(changed) - len(new)
            by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
            removals: list[dict[str, Any]] = []
            for u in changed:
                n = pg.nodes[u]
                by_labels[n.labels].append({"uri": u, "props": n.props})
                if u in existing:
                    gone = [lbl for lbl in existing[u][1] if lbl not in n.labels]
                    if gone:
                        removals.append({"uri": u, "labels": gone})
            for labels, rows in sorted(by_labels.items()):
                extra = "".join(":" + check_name(lbl, "label") for lbl in labels if lbl != KEY_LABEL)
                set_labels = f" SET n{extra}" if extra else ""
                q = f"UNWIND $rows AS row MERGE (n:{KEY_LABEL} {{uri: row.uri}}) SET n = row.props{set_labels}"
                for chunk in _batches(rows, batch_size):
                    write(session, q, chunk)
            for chunk in _batches(removals, batch_size):
                write(session, f"UNWIND $rows AS row MATCH (n:{KEY_LABEL} {{uri: row.uri}}) REMOVE n:$(row.labels)", chunk)
                report.labels_removed += sum(len(r["labels"]) for r in chunk)
            report.seconds["nodes"] = time.perf_counter() - t

            # 2. relationships: a changed node that existed loses the outgoing ones the graph no longer has
            t = time.perf_counter()
            keep_rows = []
            for u in changed:
                if u in existing:
                    keep_rows.append({"uri": u, "keep": [f"{r.type}|{r.end}" for r in pg.out.get(u, ())]})
            for chunk in _batches(keep_rows, batch_size):
                c = write(session, f"UNWIND $rows AS row MATCH (a:{KEY_LABEL} {{uri: row.uri}})-[r]->(b) "
                          "WHERE NOT type(r) + '|' + b.uri IN row.keep DELETE r", chunk)
                report.relationships_deleted += c.relationships_deleted
            by_type_new: dict[str, list[dict[str, Any]]] = defaultdict(list)
            by_type_old: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for u in changed:
                target = by_type_new if u in new else by_type_old
                for r in pg.out.get(u, ()):
                    target[r.type].append({"s": r.start, "e": r.end, "props": r.props})
            for verb, groups in (("CREATE", by_type_new), ("MERGE", by_type_old)):
                for rtype, rows in sorted(groups.items()):
                    q = (f"UNWIND $rows AS row MATCH (a:{KEY_LABEL} {{uri: row.s}}) MATCH (b:{KEY_LABEL} {{uri: row.e}}) "
                         f"{verb} (a)-[r:{check_name(rtype, 'relationship type')}]->(b) SET r = row.props")
                    for chunk in _batches(rows, batch_size):
                        write(session, q, chunk)
                        report.relationships_written += len(chunk)
            report.seconds["relationships"] = time.perf_counter() - t

            # 3. hashes last: a node carries its hash only once its relationships are in place
            t = time.perf_counter()
            hashes = [{"uri": u, "h": pg.node_hash(u)} for u in changed]
            for chunk in _batches(hashes, max(batch_size, 10000)):
                write(session, f"UNWIND $rows AS row MATCH (n:{KEY_LABEL} {{uri: row.uri}}) SET n.{HASH_KEY} = row.h", chunk)
            report.seconds["hashes"] = time.perf_counter() - t

            # 4. what the graph no longer has, under its base
            t = time.perf_counter()
            for chunk in _batches(stale, batch_size):
                c = write(session, f"UNWIND $rows AS u MATCH (n:{KEY_LABEL} {{uri: u}}) DETACH DELETE n", chunk)
                report.nodes_deleted += c.nodes_deleted
                report.relationships_deleted += c.relationships_deleted
            report.seconds["prune"] = time.perf_counter() - t
            write(session, f"UNWIND $rows AS row MATCH (m:{MARKER_LABEL} {{base: row.base}}) SET m.status = 'done', "
                  "m.finished = datetime(), m.nodes = row.nodes, m.relationships = row.rels, m.triples = row.triples",
                  [{"base": pg.base or "", "nodes": len(pg.nodes), "rels": pg.relationship_count, "triples": pg.triples}])
    except LoadError:
        raise
    except Exception as e:  # noqa: BLE001 - driver errors become LoadError with a clear message
        from neo4j import exceptions as nx

        if isinstance(e, (nx.Neo4jError, nx.DriverError)):
            raise _translate(e, settings) from e
        raise
    finally:
        drv.close()
    report.seconds["total"] = time.perf_counter() - t0
    return report


def load(source: str | Path, settings: srv.ConnectionSettings, *, batch_size: int = 5000, prune: bool = True,
         echo: Echo | None = None) -> LoadReport:
    """``kg load``: read a build directory or RDF file, map it, and sync it into Neo4j."""
    t0 = time.perf_counter()
    pg = read_property_graph(source)
    t_map = time.perf_counter() - t0
    report = load_property_graph(pg, settings, batch_size=batch_size, prune=prune, echo=echo)
    report.seconds["map"] = t_map
    report.seconds["total"] = report.seconds.get("total", 0.0) + t_map
    return report


def graph_counts(settings: srv.ConnectionSettings, base: str | None = None) -> dict[str, int]:
    """Nodes and relationships in the database (only under ``base`` when given): the figure tests compare."""
    drv = open_driver(settings)
    try:
        with drv.session(database=settings.database) as session:
            if base:
                rec = _read(session, f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base "
                            "RETURN count(n) AS nodes, sum(COUNT {{ (n)-->() }}) AS rels", base=base)[0]
            else:
                rec = _read(session, "MATCH (n) RETURN count(n) AS nodes, sum(COUNT { (n)-->() }) AS rels")[0]
    finally:
        drv.close()
    return {"nodes": rec["nodes"], "relationships": rec["rels"] or 0}


def delete_base(settings: srv.ConnectionSettings, base: str, batch_size: int = 10000) -> int:
    """Delete every node under ``base`` (and its marker), in batches: for tests and ``kg load --clear``."""
    drv = open_driver(settings)
    deleted = 0
    try:
        with drv.session(database=settings.database) as session:
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


def _csv_type(values: Iterable[Any]) -> str:
    """The neo4j-admin column type for a property (a list gives ``type[]``; mixed types fall back to string)."""
    kinds: set[str] = set()
    is_list = False
    for v in values:
        if isinstance(v, list):
            is_list = True
            kinds.update(_CSV_TYPES.get(type(x), "string") for x in v)
        else:
            kinds.add(_CSV_TYPES.get(type(v), "string"))
    kind = kinds.pop() if len(kinds) == 1 else "string"
    return kind + ("[]" if is_list else "")


def _csv_cell(v: Any, kind: str) -> str | None:
    if v is None:
        return None
    if isinstance(v, list):
        return ARRAY_DELIMITER.join(_csv_scalar(x, kind.rstrip("[]")) for x in v)
    return _csv_scalar(v, kind)


def _csv_scalar(v: Any, kind: str) -> str:
    if isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, (dt.date, dt.datetime)):
        s = v.isoformat()
    else:
        s = str(v)
    if ARRAY_DELIMITER in s:
        s = s.replace(ARRAY_DELIMITER, " ")
    return s


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


@dataclass
class CsvExport:
    """Files written for ``neo4j-admin database import full`` and the command that imports them."""

    directory: Path
    nodes: int
    relationships: int
    files: list[Path]
    schema: Path
    seconds: float

    def admin_args(self, database: str = "neo4j") -> list[str]:
        """Arguments after ``neo4j-admin`` (the server must be stopped, or this be a new home)."""
        args = ["database", "import", "full", "--overwrite-destination=true", "--multiline-fields=true",
                f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}", "--id-type=string", "--skip-duplicate-nodes=false"]
        for f in self.files:
            kind = "--nodes" if f.name.startswith("nodes") else "--relationships"
            args.append(f"{kind}={f}")
        args.append(database)
        return args


def export_csv(pg: PropertyGraph, out: str | Path) -> CsvExport:
    """Write ``pg`` as ``nodes.csv`` and one ``relationships-TYPE.csv`` per type, plus ``schema.cypher``.

    Each node carries its load hash, so a ``kg load`` of the same graph after the import finds nothing to do.
    """
    t0 = time.perf_counter()
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    for old in list(d.glob("nodes*.csv")) + list(d.glob("relationships-*.csv")):
        old.unlink()
    keys: dict[str, list[Any]] = defaultdict(list)
    for n in pg.nodes.values():
        for k, v in n.props.items():
            if k != "uri":
                keys[k].append(v)
    cols = sorted(keys)
    kinds = {k: _csv_type(keys[k]) for k in cols}
    header = ["uri:ID", ":LABEL", f"{HASH_KEY}:string"] + [f"{k}:{kinds[k]}" for k in cols]

    def node_rows() -> Iterator[list[str | None]]:
        for uri in sorted(pg.nodes):
            n = pg.nodes[uri]
            yield [uri, ARRAY_DELIMITER.join(n.labels), pg.node_hash(uri)] + [_csv_cell(n.props.get(k), kinds[k]) for k in cols]

    files = [d / "nodes.csv"]
    n_nodes = _write_csv(files[0], header, node_rows())
    by_type: dict[str, list[PGRel]] = defaultdict(list)
    for r in pg.rels():
        by_type[r.type].append(r)
    n_rels = 0
    for rtype, rels in sorted(by_type.items()):
        check_name(rtype, "relationship type")
        rkeys: dict[str, list[Any]] = defaultdict(list)
        for r in rels:
            for k, v in r.props.items():
                rkeys[k].append(v)
        rcols = sorted(rkeys)
        rkinds = {k: _csv_type(rkeys[k]) for k in rcols}
        rheader = [":START_ID", ":END_ID", ":TYPE"] + [f"{k}:{rkinds[k]}" for k in rcols]
        path = d / f"relationships-{rtype}.csv"
        n_rels += _write_csv(path, rheader, ([r.start, r.end, r.type] + [_csv_cell(r.props.get(k), rkinds[k]) for k in rcols]
                                             for r in rels))
        files.append(path)
    schema = d / "schema.cypher"
    schema.write_text(";\n".join(schema_statements(pg)) + ";\n", encoding="utf-8")
    return CsvExport(directory=d, nodes=n_nodes, relationships=n_rels, files=files, schema=schema,
                     seconds=time.perf_counter() - t0)
