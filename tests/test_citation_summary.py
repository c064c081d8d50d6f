"""The citation summaries agree with the citations they sum up, and the property graph does not map them.

Every kg:CitationSummary and kg:ProvisionCitationSummary is recomputed here from the kg:Citation nodes of
the same file, and every file's citations have their summaries: on the build of data/, and on a document
that cites one instrument under two relations at several provisions, read from two files.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from pyoxigraph import RdfFormat, Store, parse

from kgraph.graph.rdf import extraction_graph
from kgraph.model import Document, Extraction, Pinpoint, Reference
from kgraph.neo4j import rows as pgrows
from kgraph.sparql import OxigraphBackend

KG = "https://w3id.org/kgraph/ontology#"
PREFIXES = f"PREFIX kg: <{KG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def _store(build: Path) -> Store:
    s = Store()
    s.bulk_load(path=str(build / "graph.nt"), format=RdfFormat.N_TRIPLES)
    return s


def _file(iri: str) -> str:
    """The source file's part of a citation's or a summary's IRI (`<base>citation/<file hash>/...`)."""
    head, _, rest = iri.partition("/citation/")
    return head + "/citation/" + rest.split("/", 1)[0]


def _check_summaries(store: Store) -> None:
    counts: Counter = Counter()
    relations: dict[tuple, set[str]] = defaultdict(set)
    pins: dict[tuple, set[str]] = defaultdict(set)
    by_provision: dict[tuple, set[str]] = defaultdict(set)
    for r in store.query(PREFIXES + """SELECT ?c ?d ?t ?rel WHERE {
            ?c a kg:Citation ; kg:citingDocument ?d ; kg:citedDocument ?t ; kg:relationName ?rel }"""):
        key = (_file(r["c"].value), r["d"].value, r["t"].value)
        counts[key] += 1
        relations[key].add(r["rel"].value)
    for r in store.query(PREFIXES + """SELECT ?c ?d ?t ?p ?label WHERE {
            ?c a kg:Citation ; kg:citingDocument ?d ; kg:citedDocument ?t ; kg:pinpoint ?p . ?p rdfs:label ?label }"""):
        key = (_file(r["c"].value), r["d"].value, r["t"].value)
        pins[key].add(r["label"].value)
        by_provision[(*key, r["p"].value)].add(r["c"].value)
    assert counts

    got = {}
    for r in store.query(PREFIXES + """SELECT ?s ?d ?t ?n ?rels ?pins WHERE {
            ?s a kg:CitationSummary ; kg:summaryCiting ?d ; kg:summaryCited ?t ; kg:citationCount ?n ; kg:relations ?rels
            OPTIONAL { ?s kg:pinpoints ?pins } }"""):
        key = (_file(r["s"].value), r["d"].value, r["t"].value)
        assert key not in got, f"two summaries for {key}"
        got[key] = (int(r["n"].value), r["rels"].value, r["pins"].value if r["pins"] else None)
    want = {k: (n, ", ".join(sorted(relations[k])), "; ".join(sorted(pins[k])) if pins[k] else None)
            for k, n in counts.items()}
    assert got == want

    got_p = {}
    for r in store.query(PREFIXES + """SELECT ?s ?d ?t ?p ?n WHERE {
            ?s a kg:ProvisionCitationSummary ; kg:provisionCiting ?d ; kg:provisionCited ?t ; kg:summaryProvision ?p ;
               kg:citationCount ?n }"""):
        got_p[(_file(r["s"].value), r["d"].value, r["t"].value, r["p"].value)] = int(r["n"].value)
    assert got_p == {k: len(v) for k, v in by_provision.items()}


def test_summaries_sum_up_their_files_citations(data_build: Path) -> None:
    _check_summaries(_store(data_build))


def _twice_cited() -> list[tuple[Extraction, str, str]]:
    """A plan citing one decree four times under two relations at three provisions, read from two files."""
    def ref(text: str, start: int, relation: str, *pins: Pinpoint) -> Reference:
        return Reference(start=start, end=start + len(text), text=text, kind="numbered", number="163/2016/NĐ-CP",
                         type="Nghị định", type_code="NĐ", relation=relation, pinpoint=list(pins))

    plan = Extraction(
        Document(number="120/KH-UBND", type="Kế hoạch", type_code="KH", issuer="UBND tỉnh Lạng Sơn", date="2018-08-10"),
        [ref("Nghị định số 163/2016/NĐ-CP", 10, "implements", Pinpoint(article="4", clause="6")),
         ref("Nghị định số 163/2016/NĐ-CP", 100, "cites", Pinpoint(article="4", clause="6"), Pinpoint(article="13")),
         ref("Nghị định số 163/2016/NĐ-CP", 200, "cites"),
         ref("Nghị định số 163/2016/NĐ-CP", 300, "implements", Pinpoint(article="2"))],
    )
    return [(plan, "f" * 64, "a/plan.txt"), (plan, "f" * 64, "b/plan.txt")]


def test_summaries_count_relations_and_pinpoints_and_queries_read_them() -> None:
    store = Store()
    store.load("".join(extraction_graph(_twice_cited())).encode("utf-8"), format=RdfFormat.N_TRIPLES)
    _check_summaries(store)
    rows = list(store.query(PREFIXES + "SELECT ?n ?rels ?pins WHERE { ?s kg:citationCount ?n ; kg:relations ?rels ; kg:pinpoints ?pins }"))
    assert sorted((int(r["n"].value), r["rels"].value, r["pins"].value) for r in rows) == \
        [(4, "cites, implements", "khoản 6 Điều 4; Điều 13; Điều 2")] * 2  # one per file, sorted by code point
    backend = OxigraphBackend(store)
    cites = backend.run("cites", ["120/KH-UBND"]).rows
    # the one document read from two files: its two summaries added up, each list item once
    assert [(r["number"], r["citations"], r["relations"], sorted(r["pinpoints"].split("; "))) for r in cites] == \
        [("163/2016/NĐ-CP", 8, "cites, implements", ["khoản 6 Điều 4", "Điều 13", "Điều 2"])]
    provisions = backend.run("provisions-cited", ["163/2016/NĐ-CP"]).rows
    assert sorted((r["provision"], r["citations"]) for r in provisions) == \
        [("khoản 6 Điều 4", 4), ("Điều 13", 2), ("Điều 2", 2)]


def test_property_graph_does_not_map_the_summaries(data_build: Path, tmp_path: Path) -> None:
    """The same nodes and relationships with the summaries as without them: a relationship already
    carries its mentions' count and pinpoints."""
    graph = data_build / "graph.nt"
    store = _store(data_build)
    summaries = {r["s"].value for r in store.query(PREFIXES + """SELECT ?s WHERE {
            { ?s a kg:CitationSummary } UNION { ?s a kg:ProvisionCitationSummary } }""")}
    assert summaries
    without = tmp_path / "graph.nt"
    with graph.open(encoding="utf-8") as f, without.open("w", encoding="utf-8") as out:
        for ln in f:
            if ln[1:].split(">", 1)[0] not in summaries:
                out.write(ln)
    a, b = pgrows.read_property_graph(graph), pgrows.read_property_graph(without)
    assert not summaries & a.nodes.keys()
    assert {u: (n.labels, n.props) for u, n in a.nodes.items()} == {u: (n.labels, n.props) for u, n in b.nodes.items()}
    rels = lambda pg: sorted((r.start, r.type, r.end, repr(sorted(r.props.items()))) for rs in pg.out.values() for r in rs)  # noqa: E731
    assert rels(a) == rels(b)
    assert a.citations == b.citations
    assert list(parse(path=str(without), format=RdfFormat.N_TRIPLES))  # the filtered file is still a graph


def test_lists_joined_from_two_summaries_come_out_sorted_once() -> None:
    """Two files of one document that cite an instrument under different relations: SPARQL joins their sorted
    lists in first-seen order; kg query gives each item once, sorted as one summary and the Cypher twin do."""
    from kgraph.query import _lists_once

    rows = _lists_once([{"relations": "cites, implements, amends, cites", "pinpoints": "Điều 2; ; khoản 1 Điều 2; Điều 2"},
                        {"relations": "cites", "pinpoints": None}])
    assert rows == [{"relations": "amends, cites, implements", "pinpoints": "khoản 1 Điều 2; Điều 2"},
                    {"relations": "cites", "pinpoints": None}]
