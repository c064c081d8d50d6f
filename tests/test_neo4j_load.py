"""RDF → Neo4j (kgraph.neo4j: mapping, rows, sync, stream, csv_export, queries; cli_neo4j_graph): the ontology-derived mapping,
the batched loader (idempotent, incremental, crash-safe), errors, Cypher, CSV for neo4j-admin.

Tests marked ``neo4j`` use the real server (started here if needed, as in test_neo4j_server.py; with
CI=true an unavailable server fails them). Each loads under its own IRI base https://kgraph.test/<id>/
and deletes what it loaded; nothing else in the database is touched.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import json
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kgraph.build import build, extraction_from_dict
from kgraph.model import Extraction
from kgraph.neo4j import connection as conn
from kgraph.neo4j import csv_export, install, mapping, stream, sync
from kgraph.neo4j import queries as nq
from kgraph.neo4j import rows as pgrows
from kgraph.neo4j import server as srv

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "neo4j_small.ttl"
T = "https://kgraph.test/small/"
from conftest import ENV_VARS  # noqa: E402

# ------------------------------------------------------------------------------ the mapping (no server)


@pytest.fixture(scope="module")
def small() -> pgrows.PropertyGraph:
    return pgrows.read_property_graph(SMALL)


def test_labels_and_types_come_from_the_ontology() -> None:
    m = mapping.load_mapping()
    assert m.labels(mapping.KG + "JointCircular") == ("JointCircular", "Circular", "LegalResource", "Document")
    assert m.labels(mapping.KG + "Plan") == ("Plan", "Document")
    assert m.labels(mapping.KG + "Organisation") == ("Organization",)
    assert m.labels(mapping.KG + "Clause") == ("Clause", "Provision")
    # one relationship type per kg:CitationRelation instance, named by its kg:relationName
    from kgraph.model import RELATIONS

    assert m.citation_types == {r.upper(): r for r in RELATIONS}
    from kgraph.knowledge import relations

    assert {m.rel_type(r.predicate_iri): r.relation for r in relations()} == m.citation_types
    assert m.rel_type(mapping.KG + "signedBy") == "SIGNED_BY" and m.key(mapping.ELI + "number") == "number"
    names = [lbl for ls in m.class_labels.values() for lbl in ls] + list(m.relationship_types.values())
    assert names and all(mapping.NAME_RE.fullmatch(n) for n in names)


@pytest.mark.parametrize("bad", ["Decree) DETACH DELETE (n", "A-B", "1st", "", "x y", "CITES`"])
def test_names_written_into_cypher_are_checked(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid Neo4j identifier"):
        mapping.check_name(bad)


def test_nodes_labels_and_typed_properties(small: pgrows.PropertyGraph) -> None:
    plan = small.nodes[T + "doc/120_KH-UBND_2018"]
    assert set(plan.labels) == {"Resource", "Document", "Plan", "CorpusDocument"}
    assert plan.props["date_document"] == dt.date(2018, 8, 10) and plan.props["year"] == 2018
    assert plan.props["recipient"] == ["Các huyện", "Sở Tài chính"]  # several values: a sorted list
    assert plan.props["title"] == "Kế hoạch thực hiện Nghị định 163/2016/NĐ-CP"  # one value: a scalar
    assert small.nodes[T + "doc/44_CT-TTg/year-unknown"].props["yearUnknown"] is True
    person = small.nodes[T + "person/nguyen-van-a"].props
    assert (person["position"], person["position_en"]) == ("Chủ tịch", "Chairman")
    assert "Circular" in small.nodes[T + "doc/01_2019_TTLT-BTC"].labels  # superclass from the ontology
    concept = small.nodes[mapping.KG + "type_Plan"]  # ontology individuals become nodes too
    assert "DocumentType" in concept.labels and concept.props["rdfClass"] == "Plan"
    assert small.base == T


def test_citations_fold_into_the_typed_relationship(small: pgrows.PropertyGraph) -> None:
    assert not any(u.startswith(T + "citation/") for u in small.nodes)  # kg:Citation is not a node
    assert small.citations == 4
    rels = {(r.type, r.end): r for r in small.out[T + "doc/120_KH-UBND_2018"]}
    impl = rels[("IMPLEMENTS", T + "doc/163_2016_NĐ-CP")].props
    # two mentions, ordered by offset although the file lists them the other way round
    assert impl["mentions"] == 2 and impl["startOffset"] == [100, 900] and impl["endOffset"] == [130, 914]
    assert impl["citation"] == [T + "citation/kh/100-130", T + "citation/kh/900-914"]
    assert impl["pinpoint"] == ["", "khoản 6 Điều 4; Điều 13"]
    assert impl["sentence"] == ["", "Thực hiện khoản 6 Điều 4 và Điều 13 Nghị định 163"]
    assert impl["citedIssuer"] == ["", "Chính phủ"] and impl["source"] == "in/kh-120.txt"
    assert rels[("CITES", T + "doc/163_2016_NĐ-CP")].props["startOffset"] == [2000]
    assert rels[("PASSED_BY", T + "org/ubnd-lang-son")].props == {}
    assert ("TYPE_DOCUMENT", mapping.KG + "type_Plan") in rels


def test_hash_follows_relationship_detail(small: pgrows.PropertyGraph) -> None:
    u = T + "doc/120_KH-UBND_2018"
    before = small.node_hash(u)
    again = pgrows.read_property_graph(SMALL)
    assert again.node_hash(u) == before  # deterministic across reads
    rel = next(r for r in again.out[u] if r.type == "IMPLEMENTS")
    rel.props["pinpoint"] = ["", "Điều 5"]
    again._hashes.clear()
    assert again.node_hash(u) != before



def test_fold_of_relation_names_mixed_types_and_several_targets() -> None:
    """The fold's rarer paths: a citation named by kg:relationName alone, one naming no known relation
    (skipped), a field typed differently across mentions (all as text), a field with two targets (joined)."""
    kg, xsd = mapping.KG, mapping.XSD
    a, b, org1, org2 = T + "doc/a", T + "doc/b", T + "org/z", T + "org/y"

    def cit(c: str, start: int, date: tuple[str, str, str], rel: tuple[str, str]) -> list[pgrows.RawTriple]:
        return [(c, mapping.RDF_TYPE, mapping.CITATION), (c, mapping.CITING, a), (c, mapping.CITED, b),
                (c, rel[0], (rel[1], xsd + "string", "")), (c, kg + "startOffset", (str(start), xsd + "integer", "")),
                (c, kg + "citedDate", date)]

    triples = [(a, kg + "implements", b), (org1, mapping.RDFS + "label", ("Bộ Y tế", xsd + "string", "")),
               (org2, mapping.RDFS + "label", ("Bộ Tài chính", xsd + "string", ""))]
    triples += cit(T + "c/2", 20, ("2016-12-01", xsd + "date", ""), (mapping.RELATION_NAME, "implements"))
    triples += cit(T + "c/1", 10, ("1.12.2016", xsd + "string", ""), (mapping.RELATION_NAME, "implements"))
    triples += [(T + "c/1", kg + "citedIssuer", org1), (T + "c/1", kg + "citedIssuer", org2)]
    triples += cit(T + "c/3", 5, ("2016-12-01", xsd + "date", ""), (mapping.RELATION_NAME, "no such relation"))
    pg = pgrows.property_graph(triples, with_individuals=False)
    (rel,) = pg.out[a]
    assert rel.type == "IMPLEMENTS" and rel.end == b
    assert rel.props["citation"] == [T + "c/1", T + "c/2"] and rel.props["mentions"] == 2  # c/3 names no relation
    assert rel.props["startOffset"] == [10, 20]
    assert rel.props["citedDate"] == ["1.12.2016", "2016-12-01"]  # a string beside a date: both as text
    assert rel.props["citedIssuer"] == ["Bộ Tài chính; Bộ Y tế", ""]  # two targets sorted and joined; a gap

def test_ontology_terms_as_objects_become_values(small: pgrows.PropertyGraph) -> None:
    # kg:relation eli:cites on a citation / kg:rdfClass kg:Plan on a concept: values, not nodes
    assert mapping.ELI + "cites" not in small.nodes and mapping.KG + "Plan" not in small.nodes


def test_csv_for_neo4j_admin(small: pgrows.PropertyGraph, tmp_path: Path) -> None:
    exp = csv_export.export_csv(small, tmp_path / "csv")
    assert exp.nodes == len(small.nodes) and exp.relationships == small.relationship_count
    rows = {}
    for f in exp.node_files:
        with open(f, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                rows[row["uri:ID"]] = row
    header = next(csv.reader(open(exp.node_files[0], encoding="utf-8")))
    assert "date_document:date" in header and "year:long" in header and "yearUnknown:boolean" in header
    plan = rows[T + "doc/120_KH-UBND_2018"]
    assert set(plan[":LABEL"].split(csv_export.ARRAY_DELIMITER)) == {"Resource", "Document", "Plan", "CorpusDocument"}
    assert plan["recipient:string[]"].split(csv_export.ARRAY_DELIMITER) == ["Các huyện", "Sở Tài chính"]
    assert plan[f"{mapping.HASH_KEY}:string"] == small.node_hash(T + "doc/120_KH-UBND_2018")
    impl = next(f for f in exp.relationship_files if "IMPLEMENTS" in f.name)
    r = next(csv.DictReader(open(impl, encoding="utf-8", newline="")))
    assert r["startOffset:long[]"].split(csv_export.ARRAY_DELIMITER) == ["100", "900"]
    args = exp.admin_args()
    assert args[:4] == ["database", "import", "full", "neo4j"] and "--array-delimiter=U+001F" in args
    assert exp.script.read_text().count(install.ADMIN_MAIN) == 1


def test_csv_splits_a_column_whose_type_differs(tmp_path: Path) -> None:
    pg = pgrows.PropertyGraph(nodes={
        "u:a": pgrows.PGNode("u:a", ("Resource",), {"uri": "u:a", "title": "one"}),
        "u:b": pgrows.PGNode("u:b", ("Resource",), {"uri": "u:b", "title": ["one", "two"]}),
    }, out={}, triples=3)
    exp = csv_export.export_csv(pg, tmp_path)
    headers = sorted(next(csv.reader(open(f, encoding="utf-8")))[-1] for f in exp.node_files)
    assert headers == ["title:string", "title:string[]"]


def _csv_content(exp: csv_export.CsvExport) -> tuple[collections.Counter, collections.Counter]:
    """Nodes and relationships as multisets of typed cells (column name with type → value), whatever the files."""
    def read(files: list[Path]) -> collections.Counter:
        got: collections.Counter = collections.Counter()
        for f in files:
            with open(f, encoding="utf-8", newline="") as fh:
                r = csv.reader(fh)
                header = next(r)
                got.update(tuple(sorted((h, v) for h, v in zip(header, row) if v != "")) for row in r)
        return got
    return read(exp.node_files), read(exp.relationship_files)


def _ntriples_in_order(tmp_path: Path, name: str, order: str) -> Path:
    """SMALL as N-Triples: subjects sorted with the citations last (kg build's order), citations first, one
    subject's lines apart, or the lines shuffled."""
    import random

    from pyoxigraph import RdfFormat, parse, serialize
    lines = serialize(parse(path=str(SMALL), format=RdfFormat.TURTLE), format=RdfFormat.N_TRIPLES).decode().splitlines()
    lines.sort()
    cit = [ln for ln in lines if ln.startswith(f"<{T}citation/")]
    rest = [ln for ln in lines if not ln.startswith(f"<{T}citation/")]
    assert cit and rest
    if order == "kgraph":
        lines = rest + cit
    elif order == "citations-first":
        lines = cit[::-1] + rest
    elif order == "split-citation":  # one line of a citation away from the others
        lines = [cit[len(cit) // 2]] + rest + cit[:len(cit) // 2] + cit[len(cit) // 2 + 1:]
    elif order == "split-resource":
        lines = rest[1:] + cit + rest[:1]
    else:
        random.Random(4).shuffle(lines)
    out = tmp_path / f"{name}.nt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize("order", ["kgraph", "citations-first", "split-citation", "split-resource", "shuffled"])
def test_streamed_csv_export_equals_the_whole_graphs(order: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``kg export``'s streamed mapping writes what exporting the whole mapped graph writes (nodes, properties,
    hashes, relationships), in chunks of a few rows; a file that does not keep subjects together is mapped whole."""
    nt = _ntriples_in_order(tmp_path, order, order)
    whole = csv_export.export_csv(pgrows.read_property_graph(nt), tmp_path / "whole")
    monkeypatch.setattr(csv_export, "CHUNK_NODES", 3)
    monkeypatch.setattr(csv_export, "CHUNK_RELS", 2)
    streamed = csv_export.export_graph(nt, tmp_path / "streamed")
    assert streamed.streamed == (order in ("kgraph", "citations-first"))
    assert (streamed.nodes, streamed.relationships, streamed.triples) == (whole.nodes, whole.relationships, whole.triples)
    assert _csv_content(streamed) == _csv_content(whole)
    if order == "kgraph":
        assert len(streamed.node_files) > 1  # chunks with other columns got files of their own
        impl = [dict(row) for row in _csv_content(streamed)[1] if (":TYPE", "IMPLEMENTS") in row]
        assert [r["mentions:long"] for r in impl] == ["2"]  # two citations folded into it


def _mapped(pg: pgrows.PropertyGraph) -> tuple[list, list, list]:
    """A mapped graph as comparable lists: nodes, relationships, hashes."""
    return (sorted((u, n.labels, repr(n.props)) for u, n in pg.nodes.items()),
            sorted((r.start, r.type, r.end, repr(r.props)) for rs in pg.out.values() for r in rs),
            sorted((u, pg.node_hash(u)) for u in pg.nodes))


def _recording() -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """``read_property_graph``'s callbacks, recording what each was handed, in order."""
    events: list[tuple[str, Any]] = []
    return events, {"on_early": lambda nodes, linked: events.append(("early", [n.uri for n in nodes])),
                    "on_nodes": lambda nodes, with_rels: events.append(("nodes", set(nodes))),
                    "on_final": lambda pg, uris: events.append(("final", list(uris)))}


@pytest.mark.parametrize("order", ["kgraph", "citations-first", "split-citation", "split-resource", "shuffled"])
def test_mapping_while_parsing_ends_as_the_whole_mapping(order: str, tmp_path: Path) -> None:
    """With a loader's callbacks the graph is mapped while it is parsed (relationships handed out before the last
    citation is read, rows._Live); whatever the order of the file, the graph is the one mapped without them, and
    every start node is handed out at least once, its last time with its final relationships."""
    nt = _ntriples_in_order(tmp_path, order, order)
    events, callbacks = _recording()
    pg = pgrows.read_property_graph(nt, **callbacks)
    assert _mapped(pg) == _mapped(pgrows.read_property_graph(nt))
    finals = [u for kind, uris in events if kind == "final" for u in uris]
    assert set(pg.out) <= set(finals)  # (a subject taken for a start node before its citation type was read: more)
    assert [kind for kind, _ in events if kind != "early"][0] == "nodes"  # every node before any relationship
    assert [x for kind, x in events if kind == "nodes"][-1] == set(pg.nodes)


def test_relationships_are_final_while_the_citations_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kg build's graph.nt holds the resources first and each file's citations together: at the first citation every
    node is handed out, then the relationships of every start node but the corpus documents', and each document's
    once the parser is past its citations, while the rest is still read (a loader writes them meanwhile)."""
    out = _build(tmp_path, "https://kgraph.test/live/", DOCS)
    events, callbacks = _recording()
    real = pgrows._Live.citation
    monkeypatch.setattr(pgrows._Live, "citation", lambda self, c: (real(self, c), events.append(("citation", c))))
    pg = pgrows.read_property_graph(out, **callbacks)
    kinds = [kind for kind, _ in events if kind != "early"]
    assert kinds[:3] == ["nodes", "final", "citation"]  # handed out when the first citation is read
    first_final = set(events[[k for k, _ in events].index("final")][1])
    docs = {u for u, n in pg.nodes.items() if "CorpusDocument" in n.labels}
    assert len(docs) == 3 and first_final == set(pg.out) - docs
    last_citation = max(i for i, (kind, _) in enumerate(events) if kind == "citation")
    early_docs = [u for kind, uris in events[:last_citation] if kind == "final" for u in uris if u in docs]
    assert len(early_docs) == 2  # two of the three documents' relationships by the time the last citation is read
    assert _mapped(pg) == _mapped(pgrows.read_property_graph(out))


def test_csv_export_of_a_graph_with_blank_nodes_maps_it_whole(tmp_path: Path) -> None:
    """A blank node may get a new label on every parse, so the streamed export's two passes would not agree."""
    ttl = tmp_path / "blank.ttl"
    ttl.write_text(f"<{T}doc/a> <{mapping.KG}source> [ <http://www.w3.org/2000/01/rdf-schema#label> \"x\" ] .\n", encoding="utf-8")
    exp = csv_export.export_graph(ttl, tmp_path / "csv")
    whole = csv_export.export_csv(pgrows.read_property_graph(ttl), tmp_path / "whole")
    assert not exp.streamed and (exp.nodes, exp.relationships) == (whole.nodes, whole.relationships)
    assert exp.nodes == 2 + len(mapping.load_mapping().individual_iris)  # the ontology individuals are nodes too


def test_cli_export_writes_the_mapped_graph(small: pgrows.PropertyGraph, tmp_path: Path) -> None:
    from kgraph.cli import main

    res = CliRunner().invoke(main, ["export", str(SMALL), "--neo4j-csv", str(tmp_path / "csv")])
    assert res.exit_code == 0, res.output
    assert f"Wrote {len(small.nodes)} nodes and {small.relationship_count} relationships ({small.triples} triples)" in res.output
    whole = csv_export.export_csv(small, tmp_path / "whole")
    assert _csv_content(csv_export.export_graph(SMALL, tmp_path / "again")) == _csv_content(whole)
    assert (tmp_path / "csv" / "import.sh").is_file()


def test_params_are_typed_only_on_request() -> None:
    assert nq.parse_params(["x=163/2016/NĐ-CP", "n:=5", "l:=[1, 2]", "s=5"]) == {
        "x": "163/2016/NĐ-CP", "n": 5, "l": [1, 2], "s": "5"}
    with pytest.raises(nq.QueryError):
        nq.parse_params(["no equals"])


def test_every_named_query_has_a_cypher_twin_using_mapped_names() -> None:
    from kgraph.knowledge import cypher_parameters
    from kgraph.query import QUERIES_DIR

    rq = {p.stem for p in QUERIES_DIR.glob("*.rq")}
    twins = nq.load_cypher_queries()
    assert rq and rq == set(twins)
    m = mapping.load_mapping()
    labels = {mapping.KEY_LABEL} | {lbl for ls in m.class_labels.values() for lbl in ls}
    types = set(m.relationship_types.values())
    for q in twins.values():
        body = "\n".join(ln for ln in q.text.splitlines() if not ln.lstrip().startswith("//"))
        for name in re.findall(r"\(\w*:(\w+)", body) + re.findall(r"\bNOT \w+:(\w+)", body):
            assert name in labels, f"{q.path.name}: label {name} is not produced by the mapping"
        for group in re.findall(r"\[\w*:([A-Z_|]+)\]", body):
            for t in group.split("|"):
                assert t in types, f"{q.path.name}: relationship type {t} is not produced by the mapping"
        # citation relations come only from the parameters kg query binds from relations.yaml
        assert not set(re.findall(r"[A-Z][A-Z_]+", body)) & set(m.citation_types), q.path.name
        for p in re.findall(r"\$(\w+)", body):
            assert p in cypher_parameters() or p in ("targets", "orgs", "limit"), f"{q.path.name}: ${p} is never bound"


# ------------------------------------------------------------------------------ against the server




@pytest.fixture
def settings(neo4j_server: srv.ServerStatus, monkeypatch: pytest.MonkeyPatch) -> conn.ConnectionSettings:
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return conn.connection_settings()


@pytest.fixture(scope="module")
def individuals_cleanup() -> Iterator[None]:
    """Delete the ontology's concept nodes afterwards unless they were in the database before."""
    yield
    try:
        s = conn.connection_settings()
        with conn.driver(s) as d:
            other = d.execute_query("MATCH (n:Resource) WHERE NOT n.uri STARTS WITH $kg RETURN count(n) AS c",
                                    kg=mapping.KG, database_=s.database)[0][0]["c"]
            if other == 0:
                d.execute_query("MATCH (n:Resource) WHERE n.uri STARTS WITH $kg DETACH DELETE n", kg=mapping.KG,
                                database_=s.database)
    except Exception:  # noqa: BLE001 - cleanup must not mask the test result
        pass


def json_extract(text: str, source: str | None = None) -> Extraction:
    return extraction_from_dict(json.loads(text))


def ref(i: int, relation: str = "cites", number: str | None = None, name: str | None = None,
        year: int | None = None, pins: tuple = ()) -> dict:
    text = number or name or ""
    return {"start": 100 * i, "end": 100 * i + len(text), "text": text, "kind": "numbered" if number else "named",
            "number": number, "name": name, "year": year, "relation": relation,
            "pinpoint": [dict(zip(("article", "clause", "point"), p)) for p in pins], "sentence": f"câu {i} {text}"}


DOCS = {
    "nd-163.txt": ({"number": "163/2016/NĐ-CP", "type": "Nghị định", "type_code": "NĐ", "title": "Quy định chi tiết Luật Ngân sách nhà nước",
                    "date": "2016-12-21", "issuer": "Chính phủ"}, [ref(1, "based_on", name="Luật Ngân sách nhà nước", year=2015)]),
    "kh-120.txt": ({"number": "120/KH-UBND", "type": "Kế hoạch", "type_code": "KH", "title": "Kế hoạch thực hiện dự toán 2019",
                    "date": "2018-08-10", "issuer": "UBND tỉnh Lạng Sơn"},
                   [ref(1, "implements", number="163/2016/NĐ-CP", pins=[("4", "6", "c")]), ref(2, number="44/2013/NĐ-CP"),
                    ref(3, number="163/2016/NĐ-CP", pins=[("13", "1", None)])]),
    "tt-342.txt": ({"number": "342/2016/TT-BTC", "type": "Thông tư", "type_code": "TT", "title": "Hướng dẫn Nghị định 163",
                    "date": "2016-12-30", "issuer": "Bộ Tài chính"},
                   [ref(1, "guides", number="163/2016/NĐ-CP", pins=[("4", "6", "c")]), ref(2, number="91/2015/QH13")]),
}


def _build(tmp: Path, base: str, docs: dict) -> Path:
    src = tmp / "in"
    src.mkdir(exist_ok=True)
    for f in src.iterdir():
        if f.name not in docs:
            f.unlink()
    for name, (document, refs) in docs.items():
        (src / name).write_text(json.dumps({"document": document, "references": refs}, ensure_ascii=False), "utf-8")
    out = tmp / "out"
    s = build([str(src)], out, extractor=json_extract, base=base, store=False).summary
    assert s["errors"] == []
    return out


def _snapshot(s: conn.ConnectionSettings, base: str) -> tuple[list, list]:
    """Every node (labels, properties) and relationship (type, ends, properties) under ``base``."""
    with conn.driver(s) as d:
        nodes = d.execute_query("MATCH (n:Resource) WHERE n.uri STARTS WITH $b RETURN n.uri AS u, labels(n) AS l, "
                                "properties(n) AS p ORDER BY u", b=base, database_=s.database)[0]
        rels = d.execute_query("MATCH (a:Resource)-[r]->(b) WHERE a.uri STARTS WITH $b RETURN a.uri AS a, type(r) AS t, "
                               "b.uri AS e, properties(r) AS p, elementId(r) AS id ORDER BY a, t, e", b=base,
                               database_=s.database)[0]
    return ([(r["u"], sorted(r["l"]), r["p"]) for r in nodes], [(r["a"], r["t"], r["e"], r["p"], r["id"]) for r in rels])


def fail_relationship_write(monkeypatch: pytest.MonkeyPatch, after: int, error: Exception) -> Callable[[], None]:
    """Let ``after`` relationship batches commit, then raise ``error`` (a crash, a lost server); returns
    the function that puts the real writer back."""
    real = sync.write_rows
    seen = {"rels": 0}

    def failing(session, query, rows):  # type: ignore[no-untyped-def]
        if "UNWIND row.rels" in query:
            if seen["rels"] == after:
                raise error
            seen["rels"] += 1
        return real(session, query, rows)

    monkeypatch.setattr(sync, "write_rows", failing)
    return lambda: monkeypatch.setattr(sync, "write_rows", real)


@pytest.fixture
def base(settings: conn.ConnectionSettings, individuals_cleanup: None) -> Iterator[str]:
    b = f"https://kgraph.test/{uuid.uuid4().hex[:12]}/"
    yield b
    sync.delete_base(settings, b)


@pytest.mark.neo4j
def test_load_a_build_and_ask_the_one_hop_question(settings: conn.ConnectionSettings, base: str, tmp_path: Path) -> None:
    out = _build(tmp_path, base, DOCS)
    report = stream.load(out, settings)
    pg = pgrows.read_property_graph(out)
    assert report.nodes_created == len(pg.nodes) - report.nodes_unchanged  # concept nodes may be there already
    assert sync.graph_counts(settings, base) == {
        "nodes": sum(1 for u in pg.nodes if u.startswith(base)),
        "relationships": sum(len(v) for u, v in pg.out.items() if u.startswith(base))}
    with conn.driver(settings) as d:
        recs = d.execute_query(
            "MATCH (p:Plan)-[r:CITES|IMPLEMENTS|BASED_ON]->(d:Decree {number: $x}) WHERE p.uri STARTS WITH $b "
            "RETURN p.number AS plan, type(r) AS t, r.pinpoint AS pin, r.startOffset AS so, r.sentence AS sen, "
            "p.date_document AS date ORDER BY t",
            x="163/2016/NĐ-CP", b=base, database_=settings.database)[0]
        # the title index folds diacritics: typed without them, the decree is still found
        hits = d.execute_query("CALL db.index.fulltext.queryNodes('kg_titles', $q) YIELD node "
                               "WHERE node.uri STARTS WITH $b RETURN node.number AS n", q="ngan sach", b=base,
                               database_=settings.database)[0]
    assert [(r["plan"], r["t"]) for r in recs] == [("120/KH-UBND", "CITES"), ("120/KH-UBND", "IMPLEMENTS")]
    impl = recs[1]
    assert impl["pin"] == ["điểm c khoản 6 Điều 4"] and impl["so"] == [100]
    assert impl["sen"] == ["câu 1 163/2016/NĐ-CP"] and recs[0]["pin"] == ["khoản 1 Điều 13"]
    assert impl["date"].iso_format() == "2018-08-10"  # a Neo4j date, not text
    assert "163/2016/NĐ-CP" in {h["n"] for h in hits}


@pytest.mark.neo4j
def test_second_load_changes_nothing(settings: conn.ConnectionSettings, base: str, tmp_path: Path) -> None:
    out = _build(tmp_path, base, DOCS)
    stream.load(out, settings)
    before = _snapshot(settings, base)
    again = stream.load(out, settings)
    assert not again.changed and again.nodes_created == again.nodes_updated == again.relationships_written == 0
    assert _snapshot(settings, base) == before  # same properties and the very same relationships (element ids)


@pytest.mark.neo4j
def test_changed_document_replaces_its_outgoing_relationships(settings: conn.ConnectionSettings, base: str,
                                                              tmp_path: Path) -> None:
    out = _build(tmp_path, base, DOCS)
    stream.load(out, settings)
    nodes0, rels0 = _snapshot(settings, base)
    changed = dict(DOCS)
    doc, _ = DOCS["kh-120.txt"]
    # the plan now implements 163 at another provision and no longer cites 44/2013 (nobody else does)
    changed["kh-120.txt"] = (doc, [ref(1, "implements", number="163/2016/NĐ-CP", pins=[("5", None, None)])])
    out = _build(tmp_path, base, changed)
    report = stream.load(out, settings)
    nodes1, rels1 = _snapshot(settings, base)
    plan = next(u for u, _, p in nodes1 if p.get("number") == "120/KH-UBND")
    out_rels = {(t, e): p for a, t, e, p, _ in rels1 if a == plan}
    cited = {e for (t, e) in out_rels if t in mapping.load_mapping().citation_types}
    assert cited == {base + "doc/163_2016_NĐ-CP"}
    assert out_rels[("IMPLEMENTS", base + "doc/163_2016_NĐ-CP")]["pinpoint"] == ["Điều 5"]
    assert not any(e.endswith("44_2013_NĐ-CP") for _, _, e, _, _ in rels1)
    assert base + "doc/44_2013_NĐ-CP" not in {u for u, _, _ in nodes1}  # pruned: the graph lost it
    assert report.nodes_deleted >= 1 and report.relationships_deleted >= 1
    # the other documents' relationships are the very same ones as before
    tt = next(u for u, _, p in nodes0 if p.get("number") == "342/2016/TT-BTC")
    assert [r for r in rels0 if r[0] == tt] == [r for r in rels1 if r[0] == tt]


@pytest.mark.neo4j
def test_interrupted_load_is_finished_by_running_it_again(settings: conn.ConnectionSettings, base: str,
                                                          tmp_path: Path) -> None:
    out = _build(tmp_path, base, DOCS)
    pg = pgrows.read_property_graph(out)
    with pytest.raises(conn.LoadError, match="simulate a crash"):
        sync.load_property_graph(pg, settings, batch_size=20, fail_after=2)  # the marker + one node batch
    with conn.driver(settings) as d:
        status = d.execute_query("MATCH (m:KgraphLoad {base: $b}) RETURN m.status AS s", b=base,
                                 database_=settings.database)[0][0]["s"]
    assert status == "running"
    half = sync.graph_counts(settings, base)
    assert half["relationships"] == 0 and 0 < half["nodes"] <= 20  # it died before any relationship
    messages: list[str] = []
    report = stream.load(out, settings, echo=messages.append)
    assert report.resumed and "did not finish; finishing it now" in messages[0]
    nodes, rels = _snapshot(settings, base)
    assert len(nodes) == sum(1 for u in pg.nodes if u.startswith(base))
    keys = [(a, t, e) for a, t, e, _, _ in rels]
    assert len(keys) == len(set(keys)) == sum(len(v) for u, v in pg.out.items() if u.startswith(base))
    assert not stream.load(out, settings).changed  # and now it is complete


@pytest.mark.neo4j
def test_crash_between_relationship_batches_leaves_no_duplicate(settings: conn.ConnectionSettings, base: str,
                                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after the first relationship batch committed: the rerun MERGEs, so nothing is doubled."""
    out = _build(tmp_path, base, DOCS)
    pg = pgrows.read_property_graph(out)
    restore = fail_relationship_write(monkeypatch, after=1, error=conn.LoadError("killed"))
    with pytest.raises(conn.LoadError, match="killed"):
        sync.load_property_graph(pg, settings, batch_size=10)
    restore()
    partial = sync.graph_counts(settings, base)["relationships"]
    assert 0 < partial < sum(len(v) for u, v in pg.out.items() if u.startswith(base))
    assert stream.load(out, settings).resumed
    _, rels = _snapshot(settings, base)
    keys = [(a, t, e) for a, t, e, _, _ in rels]
    assert len(keys) == len(set(keys)) == sum(len(v) for u, v in pg.out.items() if u.startswith(base))


@pytest.mark.neo4j
def test_wrong_password_gives_clear_error(settings: conn.ConnectionSettings) -> None:
    wrong = "not-the-password-" + uuid.uuid4().hex
    bad = conn.connection_settings(password=wrong)
    with pytest.raises(conn.LoadError) as err:
        stream.load(SMALL, bad)
    assert "wrong password" in str(err.value) and wrong not in str(err.value)
    assert settings.password not in str(err.value)


def test_server_down_gives_clear_error() -> None:
    s = conn.connection_settings(uri="bolt://127.0.0.1:9", password="whatever1", environ={})
    with pytest.raises(conn.LoadError, match="Nothing answers Bolt at bolt://127.0.0.1:9"):
        stream.load(SMALL, s)


@pytest.mark.neo4j
def test_wrong_database_gives_clear_error(settings: conn.ConnectionSettings) -> None:
    s = conn.connection_settings(database="no_such_db_" + uuid.uuid4().hex[:6])
    with pytest.raises(conn.DatabaseNotFoundError, match="does not exist.*Community holds one user database"):
        stream.load(SMALL, s)


@pytest.mark.neo4j
def test_query_on_a_wrong_database_gives_clear_error(settings: conn.ConnectionSettings) -> None:
    """`kg query --backend neo4j` checks the database by its one transaction, not a check of its own first."""
    from kgraph.neo4j.queries import run_named_query

    s = conn.connection_settings(database="no_such_db_" + uuid.uuid4().hex[:6])
    with pytest.raises(conn.DatabaseNotFoundError, match="does not exist.*Community holds one user database"):
        run_named_query("cited-by", ["163/2016/NĐ-CP"], s)


def test_missing_source_gives_clear_error(tmp_path: Path) -> None:
    with pytest.raises(conn.LoadError, match="no graph.nt or graph.ttl here"):
        pgrows.read_property_graph(tmp_path)
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(conn.LoadError, match="not valid RDF"):
        pgrows.read_property_graph(bad)


@pytest.mark.neo4j
def test_cli_load_cypher_and_named_query(settings: conn.ConnectionSettings, base: str, tmp_path: Path) -> None:
    from kgraph.cli import main
    from kgraph.cli_neo4j_graph import cypher_cmd, load_cmd

    out = _build(tmp_path, base, DOCS)
    runner = CliRunner()
    first = runner.invoke(load_cmd, [str(out)])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Loaded ") and "triples/s" in first.output
    second = runner.invoke(load_cmd, [str(out)])
    assert second.exit_code == 0 and second.output.startswith("Nothing to do")
    res = runner.invoke(cypher_cmd, ["MATCH (d:Decree {number: $x}) WHERE d.uri STARTS WITH $b RETURN d.number AS n, "
                                     "d.date_document AS date", "-p", "x=163/2016/NĐ-CP", "-p", f"b={base}",
                                     "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output.splitlines()[0]) == {"n": "163/2016/NĐ-CP", "date": "2016-12-21"}
    refused = runner.invoke(cypher_cmd, ["MATCH (d:Decree) WHERE d.uri STARTS WITH $b SET d.x = 1", "-p", f"b={base}"])
    assert refused.exit_code != 0 and "--write" in refused.output
    assert settings.password not in first.output + second.output + res.output + refused.output
    # the named query, as `kg query --backend neo4j` runs it
    named = runner.invoke(main, ["query", "cited-by", base + "doc/163_2016_NĐ-CP", "--backend", "neo4j",
                                 "--uri", settings.uri, "--user", settings.user, "--password", settings.password,
                                 "--format", "json"])
    assert named.exit_code == 0, named.output
    rows = [json.loads(ln) for ln in named.output.splitlines()]
    assert list(rows[0])[:6] == ["uri", "number", "type", "title", "date", "source"]
    assert {r["number"]: r["relations"] for r in rows} == {"120/KH-UBND": "cites, implements",
                                                          "342/2016/TT-BTC": "guides"}


def _sets(line: str) -> dict:
    """A JSON row with the GROUP_CONCAT fields as sets (SPARQL leaves their order open)."""
    d = json.loads(line)
    for k, sep in (("relations", ", "), ("pinpoints", "; ")):
        if isinstance(d.get(k), str):
            d[k] = sorted(d[k].split(sep))
    return d


@pytest.mark.neo4j
def test_named_cypher_equals_sparql_on_a_small_build(settings: conn.ConnectionSettings, base: str,
                                                     tmp_path: Path) -> None:
    """A quick parity check on a tiny build (the full one over the shared corpus is tests/test_parity.py)."""
    from kgraph.query import to_json_lines
    from kgraph.sparql import OxigraphBackend
    from kgraph.sinks.oxigraph_store import open_store

    src = tmp_path / "b"
    src.mkdir()
    out = _build(src, base, DOCS)
    shutil.rmtree(out)
    s = build([str(src / "in")], out, extractor=json_extract, base=base).summary
    assert s["errors"] == []
    stream.load(out, settings)
    st = open_store(out)
    drv = conn.open_driver(settings)
    try:
        with drv.session(database=settings.database) as ses:
            for name, args in [("cited-by", ["163/2016/NĐ-CP"]), ("cites", ["120/KH-UBND năm 2018"]),
                               ("provisions-cited", ["nd 163/2016"]), ("basis-chain", ["342/2016/TT-BTC"])]:
                a = [_sets(x) for x in to_json_lines(OxigraphBackend(st).run(name, args))]
                b = [_sets(x) for x in to_json_lines(nq.Neo4jBackend(ses, scope=base).run(name, args))]
                assert a == b and a, name
    finally:
        drv.close()


# ------------------------------------------------------------------------------ Neo4j Browser files


def test_browser_guide_is_generated_from_the_twins() -> None:
    # that the guide and the style are current is tests/test_generated.py's job
    guide = (ROOT / "browser" / "kgraph-guide.html").read_text("utf-8")
    for name in nq.load_cypher_queries():
        assert f"<h3>{name}</h3>" in guide


def test_browser_style_covers_every_document_class_and_citation_relation() -> None:
    grass = (ROOT / "browser" / "kgraph.grass").read_text("utf-8")
    styled_nodes = set(re.findall(r"^node\.(\w+)\s*\{", grass, flags=re.M))
    styled_rels = set(re.findall(r"^relationship\.(\w+)\s*\{", grass, flags=re.M))
    m = mapping.load_mapping()
    doc = m.labels(mapping.ELI + "Work")[0]
    doc_classes = {ls[0] for ls in m.class_labels.values() if doc in ls[1:] and ls[0] not in ("LegalResource", "CorpusDocument")}
    assert doc_classes and doc_classes <= styled_nodes, doc_classes - styled_nodes
    assert {"Organization", "Person", "Provision", "Document"} <= styled_nodes
    assert set(m.citation_types) <= styled_rels
    assert re.search(r"node\.Document\s*\{[^}]*caption:\s*\"\{number\}\"", grass)  # captions by number
