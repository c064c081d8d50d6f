"""Neo4j on the failure paths of issue 14 (item 8 and the fault injection): a streamed load cut short
before it knew its IRI base, an integer wider than 64 bits, a home others could read, and a server that
stops in the middle of a load. On the session's private temporary server (conftest ``private_neo4j``: an
empty database for this module), which the last test stops and starts again.

Run under `flock /tmp/neo4j-tests.lock`.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import PrivateNeo4j, neo4j_delete_data
from test_neo4j_load import DOCS, _build

from kgraph.neo4j import connection as conn
from kgraph.neo4j import rows as pgrows
from kgraph.neo4j import server as srv
from kgraph.neo4j import stream, sync

pytestmark = pytest.mark.neo4j
BASE = "https://kgraph.test/failures/"


@pytest.fixture(scope="module")
def private(private_neo4j: PrivateNeo4j) -> tuple[Path, conn.ConnectionSettings]:
    return private_neo4j.home, private_neo4j.settings


@pytest.fixture(scope="module")
def clean_load(private: tuple[Path, conn.ConnectionSettings], tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, tuple[int, list[Any], list[Any]]]:
    """DOCS built once for the module (nobody changes the build), and what a clean load of it leaves in an
    emptied database: what each cut-short load, run again, must leave."""
    _, s = private
    out = _build(tmp_path_factory.mktemp("failures"), BASE, DOCS)
    neo4j_delete_data(s)
    stream.load(out, s)
    return out, _everything(s)


def _everything(s: conn.ConnectionSettings) -> tuple[int, list[Any], list[Any]]:
    """All nodes (load markers included, by base and status), and every relationship."""
    with conn.driver(s) as d:
        n = d.execute_query("MATCH (n) RETURN count(n) AS n", database_=s.database)[0][0]["n"]
        markers = d.execute_query("MATCH (m:KgraphLoad) RETURN m.base AS b, m.status AS s, m.guess AS g ORDER BY b",
                                  database_=s.database)[0]
        rels = d.execute_query("MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, b.uri AS b", database_=s.database)[0]
    return n, [(r["b"], r["s"], r["g"]) for r in markers], sorted((r["a"], r["t"], r["b"]) for r in rels)


def test_a_stream_cut_short_before_it_knew_its_base_leaves_no_marker_behind(
        private: tuple[Path, conn.ConnectionSettings], clean_load: tuple[Path, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, s = private
    out, clean = clean_load
    pg = pgrows.read_property_graph(out)
    assert clean[1] == [(pg.base, "done", None)]

    neo4j_delete_data(s)
    monkeypatch.setattr(pgrows, "EARLY_BATCH", 2)  # the marker is first written under a guess at the base
    real = sync.write_rows
    seen = {"nodes": 0}

    def failing(session, query, rows):  # type: ignore[no-untyped-def]
        if query in (sync.NODE_QUERY, sync.NODE_CREATE_QUERY):  # a streamed load CREATEs its early nodes
            seen["nodes"] += 1
            if seen["nodes"] == 2:  # the second early batch: the base is still a guess
                raise conn.LoadError("killed")
        return real(session, query, rows)

    monkeypatch.setattr(sync, "write_rows", failing)
    with pytest.raises(conn.LoadError, match="killed"):
        stream.load(out, s)
    monkeypatch.setattr(sync, "write_rows", real)
    cut = _everything(s)
    assert [(b, st, g) for b, st, g in cut[1]] == [(cut[1][0][0], "running", True)]
    assert cut[1][0][0] != pg.base  # a guess longer than the graph's base: the case that stayed behind

    report = stream.load(out, s)
    assert report.resumed and not report.streamed
    assert _everything(s) == clean  # the same nodes (no extra marker) and relationships as a clean load
    assert not stream.load(out, s).changed


def test_an_integer_wider_than_64_bits_is_stored_as_text_with_a_warning(
        private: tuple[Path, conn.ConnectionSettings], tmp_path: Path) -> None:
    from kgraph.cli_neo4j_graph import load_cmd

    _, s = private
    neo4j_delete_data(s)
    wide = "123456789012345678901234567890"
    nt = tmp_path / "wide.nt"
    nt.write_text(
        f'<{BASE}doc/1> <https://w3id.org/kgraph/ontology#pageCount> "{wide}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        f'<{BASE}doc/1> <https://w3id.org/kgraph/ontology#year> "2020"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        f'<{BASE}doc/1> <http://www.w3.org/2000/01/rdf-schema#label> "one" .\n', "utf-8")
    r = CliRunner().invoke(load_cmd, [str(nt), "--uri", s.uri, "--user", s.user, "--password", s.password])
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output and r.exception is None
    assert "warning: an integer wider than 64 bits is stored as text in Neo4j: " + wide in r.output
    with conn.driver(s) as d:
        props = d.execute_query("MATCH (n {uri: $u}) RETURN properties(n) AS p", u=f"{BASE}doc/1",
                                database_=s.database)[0][0]["p"]
    assert wide in props.values() and 2020 in props.values()  # the narrow one is still an integer


def test_the_home_and_its_data_are_the_owners_alone(private: tuple[Path, conn.ConnectionSettings]) -> None:
    home, _ = private
    auth = home / "data" / "dbms" / "auth.ini"
    assert auth.is_file()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    readable = [p for p in (home / "data").rglob("*") if not p.is_symlink() and p.stat().st_mode & 0o077]
    assert readable == []


def test_a_server_that_stops_mid_load_is_finished_by_running_the_load_again(
        private: tuple[Path, conn.ConnectionSettings], clean_load: tuple[Path, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The fault injection's Neo4j case: the server is stopped (SIGTERM, then SIGKILL) while a load writes;
    the load fails with the rerun advice, the server comes back, and the rerun leaves a clean load's graph.

    The driver retries a failed write transaction with growing waits (1, 2, 4 ... 30 s) for 30 s and more,
    once for the mapping thread's write and once for the writer thread's: most of this test's 142 s, and up to
    two minutes more at a high load average. The server is not coming back while the load runs, so this test
    gives the driver a 1 s retry window: the error it ends with, and what the rerun leaves, are the same."""
    import neo4j

    home, s = private
    real_driver = neo4j.GraphDatabase.driver
    monkeypatch.setattr(neo4j.GraphDatabase, "driver",
                        lambda *a, **kw: real_driver(*a, **{"max_transaction_retry_time": 1.0, **kw}))
    out, clean = clean_load
    neo4j_delete_data(s)
    monkeypatch.setattr(pgrows, "EARLY_BATCH", 2)
    real = sync.write_rows
    seen = {"n": 0}

    def stopping(session, query, rows):  # type: ignore[no-untyped-def]
        seen["n"] += 1
        if seen["n"] == 3:
            srv.stop(home=home, echo=lambda _m: None)
        return real(session, query, rows)

    monkeypatch.setattr(sync, "write_rows", stopping)
    try:
        with pytest.raises(conn.LoadError, match="Run the same command again"):
            stream.load(out, s)
    finally:
        monkeypatch.setattr(sync, "write_rows", real)
        srv.start(wait=True, timeout=300, home=home, echo=lambda _m: None)
    report = stream.load(out, s)
    assert report.resumed
    assert _everything(s) == clean
