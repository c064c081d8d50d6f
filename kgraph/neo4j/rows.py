"""RDF triples → property-graph rows: nodes with typed properties, relationships carrying their citations.

With the names ``kgraph.neo4j.mapping`` gives:

* literals are typed properties (``xsd:date`` → Neo4j ``date``, integers, booleans); several values on
  one node make a sorted list there (a scalar elsewhere: one odd node does not turn every title into
  a list);
* each ``CITES``, ``BASED_ON``... relationship carries, as parallel lists ordered by offset, the detail
  of the ``kg:Citation`` mentions behind it (``pinpoint``, ``sentence``, ``startOffset``/``endOffset``,
  ``matchedText``, ``source``, ``citation`` IRIs, ``mentions`` count). The ontology says kg:Citation
  exists because RDF cannot put that detail on an edge; a property graph can, so a citation is
  folded into its relationship rather than made a node;
* every node has a hash of its labels, properties and outgoing relationships (what a load compares).

``read_property_graph`` parses a build's graph and maps it, calling back as nodes and relationships
become final so that a loader can write while the rest is parsed and mapped (``_Live``, ``kgraph.neo4j.stream``).

About 700 lines, kept whole: the reader, the node builder and the citation folder work on
the same per-subject tables (``_Collected``) in one pass, the loader's hot loop; apart, they would
hand those tables across modules.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import mmap
import os
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

try:
    from kgraph.neo4j import _ntriples  # compiled by setup.py where a C compiler is; a leaf (imports nothing)
except ImportError:  # pyoxigraph reads every file
    _ntriples = None

from kgraph.neo4j.connection import LoadError
from kgraph.neo4j.mapping import (
    CITATION, CITED, CITING, CORPUS_DOCUMENT, KEY_LABEL, KG, PRIMARY_LANGS, RDF, RDF_TYPE, RELATION, RELATION_NAME, SOURCE,
    SUMMARIES, XSD, OntologyMapping, Term, check_name, identifier, load_mapping, term,
)

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
            h = self._hashes[uri] = node_hash(self.nodes[uri], self.out.get(uri, ()))
        return h


def node_hash(n: PGNode, rels: Iterable[PGRel]) -> str:
    """``PropertyGraph.node_hash`` of a node given its outgoing relationships (the one definition)."""
    text = _HASH_JSON((n.labels, n.props, sorted(((r.type, r.end, r.props) for r in rels), key=_rel_order)))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _rel_order(x: tuple[str, str, Any]) -> tuple[str, str]:
    return x[0], x[1]


def _tagged(v: Any) -> dict[str, str]:
    return {type(v).__name__: v.isoformat() if hasattr(v, "isoformat") else str(v)}


#: The C JSON encoder with a fixed configuration (see ``PropertyGraph.node_hash``).
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_tagged, check_circular=False).encode


class WideIntegerWarning(UserWarning):
    """An xsd:integer beyond Neo4j's 64 bits, kept as its text."""


_INT_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}


def _value(lit: tuple[str, str, str]) -> Any:
    """A literal as the Python value the driver turns into the matching Neo4j type."""
    v, dtype, _lang = lit
    if dtype == XSD_STRING or dtype == RDF_LANG_STRING:
        return v
    try:
        if dtype in _INT_TYPES:
            i = int(v)
            if -(2**63) <= i < 2**63:
                return i
            # Neo4j's integers are 64-bit: the driver would fail the whole load on this one value
            warnings.warn(f"an integer wider than 64 bits is stored as text in Neo4j: {v[:40]}"
                          + ("..." if len(v) > 40 else ""), WideIntegerWarning, stacklevel=2)
            return v
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



class _Collected:
    """The triples sorted by role, per subject: what the mapping needs, in plain Python values."""

    __slots__ = ("types", "lits", "links", "objects", "n")

    def __init__(self) -> None:
        self.types: dict[str, list[str]] = defaultdict(list)
        self.lits: dict[str, dict[str, list[tuple[str, str, str]]]] = defaultdict(lambda: defaultdict(list))
        self.links: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.objects: set[str] = set()
        self.n = 0

    def add_raw(self, triples: Iterable[RawTriple], term_values: Mapping[str, str],
                on_group: Callable[[str], None] | None = None) -> None:
        """File the triples by role; ``on_group`` as in ``add_oxigraph``. Where the C reader is built, its twin
        ``_ntriples.file_triples`` runs this loop (the Python loop's per-triple work was 8% of a build's mapping)."""
        types, lits, links, objects = self.types, self.lits, self.links, self.objects
        if _ntriples is not None:  # (counted after the call: on_group may file the ontology's individuals meanwhile)
            n = _ntriples.file_triples(triples, types, lits, links, objects, term_values, RDF_TYPE, XSD_STRING,
                                       on_group)
            self.n += n
            return
        n = 0
        prev = None
        for s, p, o in triples:
            n += 1
            if on_group is not None and s != prev:
                if prev is not None:
                    on_group(prev)
                prev = s
            if o.__class__ is tuple:
                lits[s][p].append(o)  # type: ignore[arg-type]
            elif p == RDF_TYPE:
                types[s].append(o)  # type: ignore[arg-type]
            elif o in term_values:
                lits[s][p].append((term_values[o], XSD_STRING, ""))  # type: ignore[index]
            else:
                links[s].append((p, o))  # type: ignore[arg-type]
                objects.add(o)  # type: ignore[arg-type]
        self.n += n
        if on_group is not None and prev is not None:
            on_group(prev)

    def add_oxigraph(self, triples: Iterable[Triple], term_values: Mapping[str, str],
                     on_group: Callable[[str], None] | None = None, *, literals: bool = True) -> None:
        """``add_raw`` over pyoxigraph triples without building tuples first: the loader's hot loop.

        ``on_group(s)`` is called when the subject changes, with the one before: its triples are
        all in when the file keeps each subject's together (as kgraph's sorted N-Triples does).
        ``literals=False`` leaves the literals (and ontology terms used as values) out: a reader that
        needs only types and links (``rows_stream``'s survey) is spared building them.
        """
        types, lits, links, objects = self.types, self.lits, self.links, self.objects
        lit_cls, named_cls = Literal, NamedNode
        n = 0
        prev = None
        for t in triples:
            n += 1
            s = t.subject
            s = s.value if s.__class__ is named_cls else term(s)
            if on_group is not None and s != prev:
                if prev is not None:
                    on_group(prev)
                prev = s
            p = t.predicate.value
            o = t.object
            oc = o.__class__
            if oc is lit_cls:
                if literals:
                    lits[s][p].append((o.value, o.datatype.value, o.language or ""))
                continue
            ov = o.value if oc is named_cls else term(o)
            if p == RDF_TYPE:
                types[s].append(ov)  # type: ignore[arg-type]
            elif ov in term_values:
                if literals:
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
         built: Mapping[str, PGNode | None] | None = None, live: _Live | None = None) -> PropertyGraph:
    """``built``: nodes already made from their subject's complete triples (see ``read_property_graph``; None: to
    be made again);
    ``live``: what was finished while the file was parsed, used if the file kept the order it relies on."""
    built = dict(built or {})
    if with_individuals:
        add_individuals(got, m, built)
    if live is not None:
        pg = live.end()
        if pg is not None:
            return pg
    links, lits, n_triples = got.links, got.lits, got.n
    nodes, citations, summaries = _nodes(got, m, built)

    # each citation under the document that makes it (its relationships are finished together)
    by_citing: dict[str, list[str]] = defaultdict(list)
    for c in citations:
        citing = next((o for p, o in links.get(c, ()) if p == CITING), None)
        if citing is not None:
            by_citing[citing].append(c)
    if on_nodes is not None:
        on_nodes(nodes, {s for s in links if s not in citations and s not in summaries} | by_citing.keys())

    out: dict[str, list[PGRel]] = {}
    index: dict[tuple[str, str, str], PGRel] = {}
    for s, pairs in links.items():
        if s in citations or s in summaries:
            continue
        out[s] = direct_rels(s, pairs, m, index)
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


def add_individuals(got: _Collected, m: OntologyMapping, built: dict[str, PGNode | None]) -> None:
    """The ontology's individuals (the document-type concepts) join the graph's triples; a node made of one of
    them from the file's triples alone is dropped from ``built``, to be made again with the ontology's."""
    got.add_raw(m.individuals, m.term_values)
    for u in m.individual_iris:
        built.pop(u, None)


def _nodes(got: _Collected, m: OntologyMapping,
           built: Mapping[str, PGNode | None]) -> tuple[dict[str, PGNode], set[str], set[str]]:
    """Every subject and link object but the citations and summaries as a node (those in ``built`` as they are),
    and the citations and summaries."""
    types = got.types
    citations = {s for s, ts in types.items() if CITATION in ts}
    summaries = {s for s, ts in types.items() if not SUMMARIES.isdisjoint(ts)}  # not mapped: see SUMMARIES
    nodes: dict[str, PGNode] = {}
    for s in dict.fromkeys([*types, *got.lits, *got.links, *got.objects]):
        if s not in citations and s not in summaries:
            nodes[s] = built.get(s) or _node(s, got, m)
    return nodes, citations, summaries


def direct_rels(s: str, pairs: Iterable[tuple[str, str]], m: OntologyMapping,
                index: dict[tuple[str, str, str], PGRel]) -> list[PGRel]:
    """A start node's relationships from its own links (citation detail not yet folded in); those a
    citation may fold into are put in ``index`` under (start, predicate, end)."""
    rels = []
    rel_type, cited_by = m.rel_type, m.citation_relations
    for p, o in sorted(set(pairs)):
        r = PGRel(type=rel_type(p), start=s, end=o, props={})
        rels.append(r)
        if p in cited_by:
            index[(s, p, o)] = r
    return rels


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
        k = key if not lang else check_name(identifier(f"{key}_{lang}"), "property key")
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

    def __init__(self, nodes: Mapping[str, PGNode], out: dict[str, list[PGRel]],
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
            clits = lits.get(c, _NO_LITERALS)
            rel_pred = next((by_name[v[0]] for v in clits.get(RELATION, ()) if v[0] in by_name), None)
            if rel_pred is None:
                rel_pred = next((by_name[v[0]] for v in clits.get(RELATION_NAME, ()) if v[0] in by_name), None)
                if rel_pred is None:
                    continue
            objs: dict[str, list[str]] = {}
            for p, o in links.get(c, ()):
                got = objs.get(p)
                if got is None:
                    objs[p] = [o]
                else:
                    got.append(o)
            if CITING not in objs or CITED not in objs:
                continue
            row: dict[str, Any] = {"citation": c}
            for p, vs in clits.items():
                key = detail.get(p) or self._detail_key(p)
                if key != _STRUCTURE:
                    fields[key] = None
                    if len(vs) == 1:
                        lit = vs[0]  # a plain string, the common case, without a call
                        row[key] = lit[0] if lit[1] == XSD_STRING else _value(lit)
                    else:
                        row[key] = "; ".join(map(str, sorted((_value(v) for v in vs), key=_sort_key)))
            for p, targets in objs.items():
                key = detail.get(p) or self._detail_key(p)
                if key != _STRUCTURE:
                    fields[key] = None
                    row[key] = (_caption(nodes.get(targets[0]), targets[0]) if len(targets) == 1
                                else "; ".join(sorted(_caption(nodes.get(t), t) for t in targets)))
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
                kinds = {v.__class__ for v in vals}  # one pass says: all missing, some missing, mixed types
                if kinds == _ONLY_NONE:
                    continue
                if k == source_key and len(set(vals)) == 1:
                    r.props[k] = vals[0]  # the citing file: one per relationship in practice, so not a list
                    continue
                if len(kinds) > 1:  # a gap (None beside values) or mixed types: all as text
                    vals = ["" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for v in vals]
                r.props[k] = vals


_NO_LITERALS: dict[str, list[tuple[str, str, str]]] = {}
_ONLY_NONE = {type(None)}


def _num(v: Any) -> int:
    return v if isinstance(v, int) else -1


def _caption(node: PGNode | None, uri: str) -> str:
    if node is None:
        return uri
    v = node.props.get("label") or node.props.get("id_local") or uri
    return v if isinstance(v, str) else "; ".join(map(str, v))


class _Live:
    """Relationships made final while the file is still parsed, so that a loader writes them meanwhile.

    ``kg build``'s graph.nt holds every resource before the citations and each source file's citations together.
    So when the first citation is read every node is final, and so are the relationships of every start node but
    a corpus document's (only a document read from a file cites); a document's are final once the parser has
    moved past its citations from each of its sources (its ``kg:source`` values). A file in another order maps the
    same: a subject read after the first citation (a resource, or a citation again), a citation of a document
    already finished, or a node no triple named before the first citation sends the end (``_map``) back to
    mapping everything, and the loader compares what it already wrote (``kgraph.neo4j.stream``).
    """

    def __init__(self, got: _Collected, m: OntologyMapping, built: dict[str, PGNode | None], on_nodes: NodesReady,
                 on_final: RelsReady, flush_early: Callable[[], None]) -> None:
        self.got, self.m, self.built = got, m, built
        self.on_nodes, self.on_final, self.flush_early = on_nodes, on_final, flush_early
        #: the graph as it stood at the first citation (its nodes are every node, if the file keeps the order)
        self.pg: PropertyGraph | None = None
        self.broken = False
        self.folder: _CitationFolder | None = None
        self.by_citing: dict[str, list[str]] = defaultdict(list)
        #: start nodes whose relationships went to ``on_final``
        self.finished: set[str] = set()
        self.seen: set[str] = set()
        #: each citing document's sources its citations named so far
        self.sources: dict[str, set[str]] = defaultdict(set)
        #: the citing document of the last citation read
        self.run: str | None = None
        self.source_key = m.key(SOURCE)

    def citation(self, c: str) -> None:
        """A citation's triples are read."""
        if self.broken:
            return
        if self.pg is None:
            self._start()
        if c in self.seen:
            self.broken = True  # its triples were not together
            return
        self.seen.add(c)
        citing = next((o for p, o in self.got.links.get(c, ()) if p == CITING), None)
        if citing is None:
            return  # folded into no relationship
        if (citing in self.finished or citing not in self.pg.nodes  # type: ignore[union-attr]
                or CORPUS_DOCUMENT not in self.got.types.get(citing, ())):
            # kg build writes a citing document's own triples (its type among them) before any citation: one
            # known so far only as an object may still gain triples, so nothing of it is final yet
            self.broken = True
            return
        if citing != self.run:
            if self.run is not None:
                self._run_ended(self.run)
            self.run = citing
        self.by_citing[citing].append(c)
        for lit in self.got.lits.get(c, _NO_LITERALS).get(SOURCE, ()):
            self.sources[citing].add(lit[0])

    def _start(self) -> None:
        """The first citation: every node is written, then every relationship not waiting for citations."""
        self.flush_early()  # the nodes made before, as they were made (written first)
        got, m = self.got, self.m
        add_individuals(got, m, self.built)
        nodes, _, _ = _nodes(got, m, self.built)
        out: dict[str, list[PGRel]] = {}
        index: dict[tuple[str, str, str], PGRel] = {}
        for s, pairs in got.links.items():
            if s in nodes:
                out[s] = direct_rels(s, pairs, m, index)
        self.pg = PropertyGraph(nodes=nodes, out=out, triples=0, base=m.graph_base(nodes))
        self.folder = _CitationFolder(nodes, out, got.links, got.lits, index, m)
        self.on_nodes(nodes, set(out))
        ready = [s for s in out if CORPUS_DOCUMENT not in got.types.get(s, ())]
        self.finished.update(ready)
        self.on_final(self.pg, ready)

    def _run_ended(self, d: str) -> None:
        """The parser moved past a run of ``d``'s citations: its relationships are final if it has no other source."""
        want = self.pg.nodes[d].props.get(self.source_key)  # type: ignore[union-attr]
        if want is not None and not self.sources[d].issuperset([want] if isinstance(want, str) else want):
            return
        self.folder.fold(self.by_citing[d])  # type: ignore[union-attr]
        self.finished.add(d)
        self.on_final(self.pg, [d])  # type: ignore[arg-type]

    def end(self) -> PropertyGraph | None:
        """The graph once the file is read, finishing what is left; None if the file broke the order."""
        pg = self.pg
        if pg is None or self.broken:
            return None
        nodes, citations, _ = _nodes(self.got, self.m, {**self.built, **pg.nodes})
        if nodes.keys() != pg.nodes.keys():
            self.broken = True
            return None
        pg.triples, pg.citations = self.got.n, len(citations)
        self.on_nodes(pg.nodes, {s for s in self.got.links if s in nodes} | self.by_citing.keys())
        for d in sorted(self.by_citing):
            if d not in self.finished:
                self.folder.fold(self.by_citing[d])  # type: ignore[union-attr]
                self.finished.add(d)
                self.on_final(pg, [d])
        rest = [s for s in pg.out if s not in self.finished]
        if rest:
            self.on_final(pg, rest)
        return pg


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



def raw_triples(triples: Iterable[Triple]) -> Iterator[RawTriple]:
    """pyoxigraph triples (or quads: their triple part) as ``RawTriple`` tuples (``term`` inlined: hot loop)."""
    lit_cls, named_cls = Literal, NamedNode
    for t in triples:
        s, o = t.subject, t.object
        oc = o.__class__
        if oc is named_cls:
            ov: Term = o.value
        elif oc is lit_cls:
            ov = (o.value, o.datatype.value, o.language or "")
        else:
            ov = term(o)
        yield (s.value if s.__class__ is named_cls else term(s)), t.predicate.value, ov  # type: ignore[misc]


def read_triples(path: Path) -> Iterator[RawTriple]:
    """Stream an RDF file's triples as ``RawTriple`` tuples (quads: every graph's triples), parsed by pyoxigraph."""
    try:
        yield from raw_triples(parse(path=str(path), format=_FORMATS[path.suffix.lower()]))
    except SyntaxError as e:
        raise LoadError(f"{path}: not valid RDF: {e}") from None


#: ``on_early(nodes, linked)``: nodes whose subject's triples have all been read, while the rest is still
#: parsed; ``linked``: those of them with outgoing links so far (their hash must wait for the relationships).
EarlyNodes = Callable[[list[PGNode], set[str]], None]
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
    with no_gc():
        return _read_property_graph(source, mapping or load_mapping(), on_nodes, on_final, on_early)


@contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: mapping allocates hundreds of thousands of small
    containers and no cycles, and each collection walks all of them again (a fifth of the time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _mapped(path: Path) -> mmap.mmap | bytes:
    """A file's bytes, mapped rather than read into memory (unmapped when no longer referenced; an empty file
    cannot be mapped: its bytes, empty)."""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(f.fileno()).st_size else b""


def _read_property_graph(source: str | Path, m: OntologyMapping, on_nodes: NodesReady | None,
                         on_final: RelsReady | None, on_early: EarlyNodes | None) -> PropertyGraph:
    path = graph_file(source)
    lenient = Path(source).is_dir() and path.suffix == ".nt"
    fmt = _FORMATS[path.suffix.lower()]
    got = _Collected()
    early: list[PGNode] = []
    linked: set[str] = set()
    #: nodes made as the parser passed their subject; None for a subject read again later (made at the end)
    built: dict[str, PGNode | None] = {}
    types, links = got.types, got.links

    def flush_early() -> None:
        if early and on_early is not None:
            on_early(early[:], set(linked))
            early.clear()
            linked.clear()

    live = _Live(got, m, built, on_nodes, on_final, flush_early) if on_nodes is not None and on_final is not None else None

    def on_group(s: str) -> None:
        """A subject's triples are all read if the file keeps them together: make its node now."""
        ts = types.get(s, ())
        if CITATION in ts:
            if live is not None:
                live.citation(s)
            return
        if not SUMMARIES.isdisjoint(ts):
            return
        if live is not None and live.pg is not None:
            live.broken = True  # a resource after the citations began: the relationships are mapped at the end
        if s in built:
            built[s] = None  # the file did not keep it together: this one is made again at the end
            return
        n = built[s] = _node(s, got, m)
        if on_early is not None:
            early.append(n)
            if s in links:
                linked.add(s)
            if len(early) >= EARLY_BATCH:
                flush_early()

    try:
        if lenient and _ntriples is not None:  # the build's own graph.nt: read in C (see _ntriples.c)
            got.add_raw(_ntriples.triples(_mapped(path)), m.term_values, on_group)
        else:
            got.add_oxigraph(parse(path=str(path), format=fmt, lenient=lenient), m.term_values, on_group)
    except SyntaxError as e:
        raise LoadError(f"{path}: not valid RDF: {e}") from None
    flush_early()
    return _map(got, m, on_nodes=on_nodes, on_final=on_final, built=built, live=live,
                with_individuals=live is None or live.pg is None)
