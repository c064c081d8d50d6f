"""A load of the graph the database already holds stops before parsing it (``kgraph.neo4j.fingerprint``), and
anything that could make the database differ from that graph sends the load the whole way, as before.

On the session's private server (``private_neo4j``), emptied for this module: the tests count markers and
need no other loader running beside them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PrivateNeo4j, neo4j_delete_data
from test_neo4j_load import DOCS, _build, _snapshot, ref

from kgraph.neo4j import connection as conn
from kgraph.neo4j import fingerprint
from kgraph.neo4j import rows as pgrows
from kgraph.neo4j import stream, sync

BASE = "https://kgraph.test/unchanged/"


@pytest.fixture(scope="module")
def private(private_neo4j: PrivateNeo4j) -> conn.ConnectionSettings:
    return private_neo4j.settings


@pytest.fixture
def loaded(private: conn.ConnectionSettings, tmp_path: Path) -> Path:
    """A build loaded into the emptied database (the digests stored on its marker)."""
    neo4j_delete_data(private)
    out = _build(tmp_path, BASE, DOCS)
    assert stream.load(out, private).changed
    return out


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record whether a load parsed its source (it still does)."""
    seen: list[str] = []
    real = stream.read_property_graph

    def spy(*a: Any, **k: Any) -> Any:
        seen.append("parsed")
        return real(*a, **k)

    monkeypatch.setattr(stream, "read_property_graph", spy)
    return seen


def _run(s: conn.ConnectionSettings, q: str, **params: Any) -> list[dict[str, Any]]:
    with conn.driver(s) as d:
        return [r.data() for r in d.execute_query(q, database_=s.database, **params)[0]]


def test_pairs_digest_ignores_order_and_counts_a_missing_hash() -> None:
    a = [("https://x/a", "1"), ("https://x/b", "2")]
    assert fingerprint.pairs_digest(a) == fingerprint.pairs_digest(a[::-1])
    assert fingerprint.pairs_digest(a) != fingerprint.pairs_digest([("https://x/a", "1"), ("https://x/b", None)])
    assert fingerprint.pairs_digest(a) != fingerprint.pairs_digest(a[:1])
    # an IRI that is a prefix of another sorts first, as sorting by IRI does
    assert fingerprint.pairs_digest([("https://x/a", "1"), ("https://x/a/b", "2")]) == fingerprint.pairs_digest(
        [("https://x/a/b", "2"), ("https://x/a", "1")])


@pytest.mark.neo4j
def test_second_load_stops_before_parsing_and_leaves_the_database_alone(
        private: conn.ConnectionSettings, loaded: Path, no_parse: list[str]) -> None:
    before = _snapshot(private, BASE)
    marker = _run(private, "MATCH (m:KgraphLoad) RETURN properties(m) AS p")
    pg = pgrows.read_property_graph(loaded)
    again = stream.load(loaded, private)
    assert no_parse == []
    assert not again.changed and not again.resumed
    assert (again.nodes, again.relationships, again.triples) == (len(pg.nodes), pg.relationship_count, pg.triples)
    assert again.nodes_unchanged == len(pg.nodes) and again.base == BASE
    assert _snapshot(private, BASE) == before  # the very same relationships (element ids)
    assert _run(private, "MATCH (m:KgraphLoad) RETURN properties(m) AS p") == marker  # not even the marker written
    assert marker[0]["p"]["graph"] == fingerprint.graph_digest(pg)[0]


@pytest.mark.neo4j
@pytest.mark.parametrize("tamper", [
    "MATCH (n:Resource) WHERE n.uri STARTS WITH $b AND NOT ()-->(n) WITH n LIMIT 1 DETACH DELETE n",  # a node gone
    "MATCH (n:Resource) WHERE n.uri STARTS WITH $b WITH n LIMIT 1 REMOVE n._kgHash",  # a node half rewritten
    "CREATE (:Resource {uri: $b + 'stray'})",  # a node the graph lacks, under its base
    "MATCH (m:KgraphLoad) SET m.status = 'running'",  # a load cut short
    "CREATE (:KgraphLoad {base: 'https://elsewhere/', status: 'running'})",  # another load running
    "MATCH (n:Resource {uri: 'http://data.europa.eu/eli/ontology#InForce-inForce'}) SET n._kgHash = 'x'",  # outside
])
def test_a_database_that_differs_gets_the_whole_load(private: conn.ConnectionSettings, loaded: Path,
                                                     no_parse: list[str], tamper: str) -> None:
    """Whatever makes the database differ from what the last load left sends the next one the whole way (parse,
    compare, write), which puts it back as a clean load leaves it."""
    before = _snapshot(private, BASE)
    _run(private, tamper, b=BASE)
    report = stream.load(loaded, private, prune=True)
    assert no_parse == ["parsed"]
    nodes, rels = _snapshot(private, BASE)
    assert nodes == before[0] and [r[:4] for r in rels] == [r[:4] for r in before[1]]
    _run(private, "MATCH (m:KgraphLoad {base: 'https://elsewhere/'}) DELETE m")
    assert not stream.load(loaded, private).changed and no_parse == ["parsed"]  # stops early again
    assert report.resumed == ("SET m.status" in tamper)


@pytest.mark.neo4j
def test_changed_code_gets_the_whole_load_once(private: conn.ConnectionSettings, loaded: Path, no_parse: list[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fingerprint, "code_digest", lambda: "another mapping")
    assert not stream.load(loaded, private).changed and no_parse == ["parsed"]  # compared, the digest stored
    assert not stream.load(loaded, private).changed and no_parse == ["parsed"]  # then it stops early


@pytest.mark.neo4j
def test_a_changed_graph_gets_the_whole_load(private: conn.ConnectionSettings, loaded: Path, tmp_path: Path,
                                             no_parse: list[str]) -> None:
    changed = dict(DOCS)
    doc, _ = DOCS["kh-120.txt"]
    changed["kh-120.txt"] = (doc, [ref(1, "implements", number="163/2016/NĐ-CP", pins=[("5", None, None)])])
    out = _build(tmp_path, BASE, changed)
    assert out == loaded  # the same folder (origin), another graph
    report = stream.load(out, private)
    assert report.changed and report.nodes_deleted >= 1 and no_parse == ["parsed"]
    assert not stream.load(out, private).changed and no_parse == ["parsed"]


@pytest.mark.neo4j
def test_a_load_that_stored_no_digest_is_compared_once_then_stops_early(
        private: conn.ConnectionSettings, loaded: Path, no_parse: list[str]) -> None:
    """A database an earlier kgraph loaded (a marker without digests): the first load compares and stores them."""
    _run(private, "MATCH (m:KgraphLoad) REMOVE m.source, m.graph, m.outside")
    assert not stream.load(loaded, private).changed and no_parse == ["parsed"]
    assert not stream.load(loaded, private).changed and no_parse == ["parsed"]
    assert sync.graph_counts(private, BASE)["nodes"] == len(_snapshot(private, BASE)[0])


def test_a_load_after_a_change_reads_the_stored_state_in_one_record(loaded: Path, private: conn.ConnectionSettings,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that goes the whole way into a database holding nodes reads their stored hashes and labels, and the
    IRIs under its base, as one record each (a record per node was most of such a load's Python time), and sees in
    them what a read per node sees: a hash changed by hand, a hash missing, labels, a node the graph lacks."""
    pg = pgrows.read_property_graph(loaded)
    doc, other = sorted(u for u in pg.nodes if u.startswith(BASE))[:2]
    _run(private, f"MATCH (n:Resource {{uri: $u}}) SET n.{sync.HASH_KEY} = 'x'", u=doc)
    _run(private, f"MATCH (n:Resource {{uri: $u}}) REMOVE n.{sync.HASH_KEY}", u=other)
    _run(private, "CREATE (:Resource {uri: $u, _kgHash: 'y'})", u=BASE + "gone")
    with conn.driver(private) as d, d.session(database=private.database) as session:
        held = sync.stored_nodes(session, [*pg.nodes, BASE + "nowhere"], chunk=len(pg.nodes) // 3)
    one_by_one = {r["uri"]: (r["h"], r["labels"]) for r in _run(
        private, f"UNWIND $uris AS u MATCH (n:Resource {{uri: u}}) RETURN n.uri AS uri, n.{sync.HASH_KEY} AS h, "
        "labels(n) AS labels", uris=list(pg.nodes))}
    assert held == one_by_one and held[doc][0] == "x" and held[other][0] is None and BASE + "nowhere" not in held
    records: list[int] = []
    real = sync.read_rows

    def counted(session: Any, query: str, **params: Any) -> list[dict[str, Any]]:
        rows = real(session, query, **params)
        records.append(len(rows))
        return rows

    monkeypatch.setattr(sync, "read_rows", counted)
    report = stream.load(loaded, private, prune=True)
    assert report.nodes_updated == 2 and report.nodes_deleted == 1 and max(records) == 1
    assert sync.graph_counts(private, BASE)["nodes"] == len([u for u in pg.nodes if u.startswith(BASE)])
