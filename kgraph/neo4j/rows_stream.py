"""The mapping of ``kgraph.neo4j.rows``, handed out one finished node at a time: the bulk export past memory.

``rows.read_property_graph`` holds the whole property graph (``kg load`` needs it to compare with the
database); ``kg export --neo4j-csv`` only writes, so it needs a node no longer than until it is final.
A node is final when its subject's triples are read and, for a citing document, when its last
kg:Citation is folded into its relationships (their detail and the node's hash). ``kg build``'s graph.nt
keeps each subject's triples together and puts the citations last, so two passes do it:

1. a survey: how many citations each document makes, which subjects citation detail names (pinpoints,
   issuers: their captions), and which link objects are no subject (nodes of their IRI alone);
2. the mapping, by rows' own functions (``_node``, ``direct_rels``, ``_CitationFolder``, ``node_hash``):
   each subject as the parser passes it; a citing document waits for its citations, each citation
   waits for nothing but its document's last one.

Memory: in the survey the node keys (subjects and link objects) and 8 bytes per citation; then the
captions citation detail needs, a count per citing document, the object-only keys, the documents still
waiting with their citations and one CSV chunk, not the graph. A file that does not keep a subject's triples
together, links to a citation or holds a blank node (whose label a parser may make anew each pass) raises
``NotGrouped``: the caller maps it whole instead.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import parse

from kgraph.neo4j.connection import LoadError
from kgraph.neo4j.mapping import CITATION, CITING, SUMMARIES, OntologyMapping, load_mapping
from kgraph.neo4j.rows import (
    _CITATION_STRUCTURE, _FORMATS, PGNode, PGRel, _caption, _CitationFolder, _Collected, _node, direct_rels, graph_file,
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
    #: citations per citing document
    cites: dict[str, int]
    #: the subjects citation detail names (their captions are kept)
    targets: set[str]
    #: the objects of links that are no subject: nodes of their IRI alone
    only_objects: set[str]


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
    cs_hashes = array("q")  # citations and summaries, by hash (8 bytes each): only to notice a split subject
    subjects: set[str] = set()  # the other subjects (node keys)

    def on_group(s: str) -> None:
        if s.startswith("_:"):
            raise NotGrouped(s)  # a blank node's label may be new on every parse: the two passes would differ
        ts = types.pop(s, ())
        ls = links.pop(s, ())
        lits.pop(s, None)
        if _is_cs(ts):
            cs_hashes.append(hash(s))
            if CITATION in ts:
                citing = next((o for p, o in ls if p == CITING), None)
                if citing is not None:
                    cites[citing] += 1
                targets.update(o for p, o in ls if p not in _CITATION_STRUCTURE)
        elif s in subjects:
            raise NotGrouped(s)
        else:
            subjects.add(s)

    got.add_oxigraph(_parse(source), m.term_values, on_group, literals=False)
    got.add_raw(m.individuals, m.term_values)
    subjects.update(m.individual_iris)
    cs_hashes = array("q", sorted(cs_hashes))
    if any(cs_hashes[i] == cs_hashes[i + 1] for i in range(len(cs_hashes) - 1)):
        raise NotGrouped("a citation's triples are not together")  # (or two IRIs share a hash: mapped whole all the same)
    if any(_in_sorted(cs_hashes, hash(s)) for s in subjects):
        raise NotGrouped("a citation's triples are not together")
    if any(_in_sorted(cs_hashes, hash(o)) or o.startswith("_:") for o in got.objects):
        raise NotGrouped("a link ends at a citation or a blank node")
    # a target that is no subject is captioned by its IRI: nothing to wait for
    return _Survey(dict(cites), targets & subjects, got.objects - subjects)


def _in_sorted(a: array, h: int) -> bool:
    i = bisect_left(a, h)
    return i < len(a) and a[i] == h


class _Nodes:
    """What the citation folder asks of the graph's nodes: a target's caption (as a node holding it as its
    label, all ``rows._caption`` reads), and whether a mention's documents are nodes: always, as the
    objects of the citation's links (the survey refused a link to a citation or summary)."""

    def __init__(self, captions: dict[str, str]) -> None:
        self.captions = captions

    def get(self, u: str, default: Any = None) -> PGNode | None:
        c = self.captions.get(u)
        return default if c is None else PGNode(u, (), {"label": c})

    def __contains__(self, u: object) -> bool:
        return True


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
    types, lits, links, objects = got.types, got.lits, got.links, got.objects
    cites_left, targets = sv.cites, sv.targets
    captions: dict[str, str] = {}  # of the nodes citation detail names
    waiting: dict[str, tuple[PGNode, list[PGRel], dict[tuple[str, str, str], PGRel]]] = {}
    pending: dict[str, list[tuple[str, list[tuple[str, str]], dict[str, Any]]]] = defaultdict(list)
    side = _Collected()  # the ontology individuals' subjects: mapped at the end, with their triples
    folder = _CitationFolder(_Nodes(captions), {}, {}, {}, {}, m)

    def finish(d: str, n: PGNode, rels: list[PGRel], index: dict[tuple[str, str, str], PGRel],
               final: bool = False) -> None:
        cits = pending.pop(d, None)
        if cits:
            if not final and any(o in targets and o not in captions
                                 for _, ls, _ in cits for p, o in ls if p not in _CITATION_STRUCTURE):
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
            captions[s] = _caption(n, s)
        if cites_left.get(s):
            waiting[s] = (n, rels, index)
        else:
            finish(s, n, rels, index)

    def on_group(s: str) -> None:
        objects.clear()  # the survey has them: not kept twice
        ts = types.get(s, ())
        if _is_cs(ts):
            ls = links.pop(s, [])
            cl = lits.pop(s, {})
            types.pop(s, None)
            citing = next((o for p, o in ls if p == CITING), None) if CITATION in ts else None
            if citing is not None:
                pending[citing].append((s, ls, cl))
                cites_left[citing] -= 1
                if cites_left[citing] == 0 and citing in waiting:
                    finish(citing, *waiting.pop(citing))
            return  # a summary is not mapped (its links' objects are nodes: the survey has them)
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
        resource(s, side)
    for d in list(waiting):
        finish(d, *waiting.pop(d), final=True)
    empty = _Collected()
    citing_only = set(pending)
    for d in citing_only:  # citing documents that are only the object of links
        finish(d, _node(d, empty, m), [], {}, final=True)
    for o in sv.only_objects:
        if o not in citing_only:
            n = _node(o, empty, m)
            stats.nodes += 1
            emit(n, node_hash(n, ()), [])
    return stats
