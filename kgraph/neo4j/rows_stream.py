"""The mapping of ``kgraph.neo4j.rows``, handed out one finished node at a time: the bulk export past memory.

``rows.read_property_graph`` holds the whole property graph (``kg load`` needs it to compare with the
database); ``kg export --neo4j-csv`` only writes, so it needs a node no longer than until it is final.
A node is final when its subject's triples are read and, for a citing document, when its last
kg:Citation is folded into its relationships (their detail and the node's hash). ``kg build``'s graph.nt
keeps each subject's triples together and puts the citations last, so two passes do it:

1. a survey: how many citations each document makes, which nodes citation detail names (pinpoints,
   issuers: their captions), and the object of every link (the node keys);
2. the mapping, by rows' own functions (``_node``, ``direct_rels``, ``_CitationFolder``, ``node_hash``):
   each subject as the parser passes it; a citing document waits for its citations, each citation
   waits for nothing but its document's last one.

Memory: the node keys, the nodes citation detail names, a count per citing document and the documents
still waiting with their citations, not the graph. A file that does not keep a subject's triples
together, links to a citation or holds a blank node (whose label a parser may make anew each pass) raises
``NotGrouped``: the caller maps it whole instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import parse

from kgraph.neo4j.connection import LoadError
from kgraph.neo4j.mapping import CITATION, CITING, SUMMARIES, OntologyMapping, load_mapping
from kgraph.neo4j.rows import (
    _CITATION_STRUCTURE, _FORMATS, PGNode, PGRel, _CitationFolder, _Collected, _node, direct_rels, graph_file,
    no_gc, node_hash,
)

#: ``emit(node, hash, relationships)``: a node, final, with its outgoing relationships.
Emit = Callable[[PGNode, str, list[PGRel]], None]


class NotGrouped(Exception):
    """The file does not keep each subject's triples together, a link ends at a citation, or it has blank nodes."""


@dataclass
class StreamStats:
    #: RDF triples read (the ontology individuals' included), as ``PropertyGraph.triples``
    triples: int = 0
    #: kg:Citation resources folded into relationship properties
    citations: int = 0
    #: nodes handed out
    nodes: int = 0


@dataclass
class _Survey:
    cites: dict[str, int]
    targets: set[str]
    objects: set[str]
    cs_hashes: set[int]


def _is_cs(types: Any) -> bool:
    return CITATION in types or not SUMMARIES.isdisjoint(types)


def _parse(source: str | Path) -> Iterator[Any]:
    path = graph_file(source)
    lenient = Path(source).is_dir() and path.suffix == ".nt"
    return parse(path=str(path), format=_FORMATS[path.suffix.lower()], lenient=lenient)


def _survey(source: str | Path, m: OntologyMapping) -> _Survey:
    """Pass 1: citations per citing document, the nodes citation detail names, every link's object."""
    got = _Collected()
    types, lits, links = got.types, got.lits, got.links
    cites: dict[str, int] = defaultdict(int)
    targets: set[str] = set()
    cs_hashes: set[int] = set()  # citations and summaries, by hash: only to notice a split subject

    def on_group(s: str) -> None:
        if s.startswith("_:"):
            raise NotGrouped(s)  # a blank node's label may be new on every parse: the two passes would differ
        ts = types.pop(s, ())
        ls = links.pop(s, ())
        lits.pop(s, None)
        if _is_cs(ts):
            h = hash(s)
            if h in cs_hashes:
                raise NotGrouped(s)
            cs_hashes.add(h)
            if CITATION in ts:
                citing = next((o for p, o in ls if p == CITING), None)
                if citing is not None:
                    cites[citing] += 1
                targets.update(o for p, o in ls if p not in _CITATION_STRUCTURE)

    got.add_oxigraph(_parse(source), m.term_values, on_group)
    got.add_raw(m.individuals, m.term_values)
    if any(hash(o) in cs_hashes or o.startswith("_:") for o in got.objects):
        raise NotGrouped("a link ends at a citation or a blank node")
    return _Survey(dict(cites), targets, got.objects, cs_hashes)


class _Nodes:
    """What the citation folder asks of the graph's nodes: a target's node (captions), whether one exists."""

    def __init__(self, captions: dict[str, PGNode], objects: set[str], seen: set[str]) -> None:
        self.captions, self.objects, self.seen = captions, objects, seen

    def get(self, u: str, default: Any = None) -> PGNode | None:
        return self.captions.get(u, default)

    def __contains__(self, u: object) -> bool:
        return u in self.objects or u in self.seen


def stream_property_graph(source: str | Path, emit: Emit, mapping: OntologyMapping | None = None) -> StreamStats:
    """Map a build directory or RDF file as ``rows.read_property_graph`` does, handing each node to ``emit``
    once final (see the module docstring); raises ``NotGrouped`` for a file this cannot stream."""
    m = mapping or load_mapping()
    with no_gc():
        try:
            return _stream(source, m, emit)
        except SyntaxError as e:
            raise LoadError(f"{graph_file(source)}: not valid RDF: {e}") from None


def _stream(source: str | Path, m: OntologyMapping, emit: Emit) -> StreamStats:
    sv = _survey(source, m)
    stats = StreamStats()
    got = _Collected()
    got.objects = sv.objects  # the survey's, complete: this pass adds nothing new to it
    types, lits, links = got.types, got.lits, got.links
    cites_left, targets, cs_hashes = sv.cites, sv.targets, sv.cs_hashes
    seen: set[str] = set()  # subjects mapped as nodes
    captions: dict[str, PGNode] = {}  # the nodes citation detail names
    waiting: dict[str, tuple[PGNode, list[PGRel], dict[tuple[str, str, str], PGRel]]] = {}
    pending: dict[str, list[tuple[str, list[tuple[str, str]], dict[str, Any]]]] = defaultdict(list)
    side = _Collected()  # the ontology individuals' subjects: mapped at the end, with their triples
    folder = _CitationFolder(_Nodes(captions, sv.objects, seen), {}, {}, {}, {}, m)

    def finish(d: str, n: PGNode, rels: list[PGRel], index: dict[tuple[str, str, str], PGRel],
               final: bool = False) -> None:
        cits = pending.pop(d, None)
        if cits:
            if not final and any(o not in captions for _, ls, _ in cits for p, o in ls if p not in _CITATION_STRUCTURE):
                pending[d] = cits  # a node its citations name is not read yet: at the end
                waiting[d] = (n, rels, index)
                return
            out = {d: rels}
            folder.out, folder.index = out, index
            folder.links = {c: ls for c, ls, _ in cits}
            folder.lits = {c: cl for c, _, cl in cits}
            folder.fold(list(folder.links))
            rels = out[d]
            stats.citations += len(cits)
        stats.nodes += 1
        emit(n, node_hash(n, rels), rels)

    def resource(s: str, src: _Collected) -> None:
        n = _node(s, src, m)
        ls = src.links.pop(s, None)
        src.types.pop(s, None)
        src.lits.pop(s, None)
        index: dict[tuple[str, str, str], PGRel] = {}
        rels = direct_rels(s, ls, m, index) if ls else []
        if s in targets:
            captions[s] = n
        if cites_left.get(s):
            waiting[s] = (n, rels, index)
        else:
            finish(s, n, rels, index)

    def on_group(s: str) -> None:
        ts = types.get(s, ())
        if _is_cs(ts):
            if s in seen:
                raise NotGrouped(s)
            ls = links.pop(s, [])
            cl = lits.pop(s, {})
            types.pop(s, None)
            citing = next((o for p, o in ls if p == CITING), None) if CITATION in ts else None
            if citing is not None:
                pending[citing].append((s, ls, cl))
                cites_left[citing] -= 1
                if cites_left[citing] == 0 and citing in waiting:
                    finish(citing, *waiting.pop(citing))
            return  # a summary is not mapped (its links' objects are nodes: in the survey's objects)
        if s in seen or hash(s) in cs_hashes:
            raise NotGrouped(s)
        seen.add(s)
        if s in m.individual_iris:
            side.types[s].extend(types.pop(s, ()))
            side.lits[s].update(lits.pop(s, {}))
            side.links[s].extend(links.pop(s, ()))
            return
        resource(s, got)

    got.add_oxigraph(_parse(source), m.term_values, on_group)
    side.add_raw(m.individuals, m.term_values)
    stats.triples = got.n + len(m.individuals)
    for s in list(dict.fromkeys([*side.types, *side.lits, *side.links])):
        seen.add(s)
        resource(s, side)
    for d in list(waiting):
        finish(d, *waiting.pop(d), final=True)
    empty = _Collected()
    for d in list(pending):  # citing documents that are only the object of links
        seen.add(d)
        finish(d, _node(d, empty, m), [], {}, final=True)
    for o in sv.objects:
        if o not in seen:
            n = _node(o, empty, m)
            stats.nodes += 1
            emit(n, node_hash(n, ()), [])
    return stats
