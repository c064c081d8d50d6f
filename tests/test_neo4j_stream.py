"""A load into an empty database writes while it maps (nodes as the parser passes them, relationships
as each document's citations are folded); the database must end up exactly as the batch path leaves
it, also when the file does not keep a subject's triples together and after a crash mid-stream.

These tests need an empty database, so they run on the session's private temporary server (conftest
``private_neo4j``: its own home under /tmp sharing the installed jars, emptied for this module); the user's
server is not touched. The same comparison on the whole shared corpus is bench/stream_full.py (CI runs it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FULL_CORPUS, PrivateNeo4j, neo4j_delete_data, neo4j_drop_schema
from test_neo4j_load import DOCS, _build, fail_relationship_write

from kgraph.neo4j import connection as conn
from kgraph.neo4j import rows as pgrows
from kgraph.neo4j import stream, sync

pytestmark = pytest.mark.neo4j
BASE = "https://kgraph.test/stream/"


@pytest.fixture(scope="module")
def private(private_neo4j: PrivateNeo4j) -> conn.ConnectionSettings:
    return private_neo4j.settings


def _dump(s: conn.ConnectionSettings) -> tuple[list[Any], list[Any]]:
    """Every node (labels, properties) and relationship (ends, type, properties) but the load markers."""
    with conn.driver(s) as d:
        nodes = d.execute_query("MATCH (n) WHERE NOT n:KgraphLoad RETURN labels(n) AS l, properties(n) AS p "
                                "ORDER BY n.uri", database_=s.database)[0]
        rels = d.execute_query("MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, b.uri AS b, properties(r) AS p",
                               database_=s.database)[0]
    return ([(sorted(r["l"]), r["p"]) for r in nodes],
            sorted(((r["a"], r["t"], r["b"], r["p"]) for r in rels), key=lambda x: (x[0], x[1], x[2], repr(x[3]))))


def _markers(s: conn.ConnectionSettings) -> list[tuple[str, str]]:
    with conn.driver(s) as d:
        recs = d.execute_query("MATCH (m:KgraphLoad) RETURN m.base AS b, m.status AS s ORDER BY b", database_=s.database)[0]
    return [(r["b"], r["s"]) for r in recs]


def _batch_dump(s: conn.ConnectionSettings, source: Path) -> tuple[list[Any], list[Any]]:
    """What the batch path (no streaming) leaves in an empty database."""
    neo4j_delete_data(s)
    sync.load_property_graph(pgrows.read_property_graph(source), s)
    return _dump(s)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small streamed batches: several early node batches (the marker's base is first a guess)."""
    monkeypatch.setattr(pgrows, "EARLY_BATCH", 2)
    monkeypatch.setattr(stream, "STREAM_REL_BATCH", 3)


@pytest.mark.parametrize("batches", ["default", "small"])
def test_streamed_load_equals_the_batch_load(private: conn.ConnectionSettings, tmp_path: Path, batches: str,
                                             request: pytest.FixtureRequest) -> None:
    if batches == "small":
        request.getfixturevalue("small_batches")
    out = _build(tmp_path, BASE, DOCS)
    pg = pgrows.read_property_graph(out)
    neo4j_delete_data(private)
    report = stream.load(out, private)
    assert report.streamed and report.nodes_created == len(pg.nodes)
    assert not report.resumed  # its own running marker is not an earlier load cut short
    assert report.relationships_written == pg.relationship_count > 0
    streamed = _dump(private)
    assert _markers(private) == [(pg.base, "done")]  # the first guess at the base did not stay behind
    assert len(streamed[0]) == len(pg.nodes) and len(streamed[1]) == pg.relationship_count
    again = stream.load(out, private)
    assert not again.streamed and not again.changed and again.relationships_written == 0
    assert streamed == _batch_dump(private, out)


def test_a_build_folder_is_parsed_as_the_build_wrote_it(private: conn.ConnectionSettings, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`kg load OUT` parses OUT/graph.nt leniently (its IRIs were validated when the build wrote them), as
    rows.read_property_graph does for a build folder: the loader hands it the folder, not the file."""
    out = _build(tmp_path, BASE, DOCS)
    lenient: list[bool] = []
    real = pgrows.parse
    monkeypatch.setattr(pgrows, "_ntriples", None)  # (the compiled reader is used for lenient files only)
    monkeypatch.setattr(pgrows, "parse", lambda *a, **k: lenient.append(k.get("lenient")) or real(*a, **k))
    neo4j_delete_data(private)
    assert stream.load(out, private).streamed
    assert lenient == [True]


def test_a_subject_split_across_the_file_is_written_whole(private: conn.ConnectionSettings, tmp_path: Path,
                                                          small_batches: None) -> None:
    out = _build(tmp_path, BASE, DOCS)
    lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    plan = next(ln.split(" ")[0] for ln in lines if '"120/KH-UBND"' in ln) + " "
    own = [ln for ln in lines if ln.startswith(plan)]
    assert len(own) >= 4
    moved = own[: len(own) // 2]  # half the plan's triples come after everything else
    split = tmp_path / "split.nt"
    split.write_text("".join([ln for ln in lines if ln not in moved] + moved), encoding="utf-8")
    neo4j_delete_data(private)
    assert stream.load(split, private).streamed
    got = _dump(private)
    plan_props = next(p for _, p in got[0] if p.get("number") == "120/KH-UBND")
    assert plan_props.get("title") and plan_props.get("date_document")  # from both halves
    assert not stream.load(split, private).changed
    assert got == _batch_dump(private, out)


def _in_order(out: Path, tmp_path: Path, variant: str) -> Path:
    """The build's graph.nt with its lines put in another order (or one line left out), as another RDF writer might:
    one document's citations apart (``citations-apart``), a citing document's own triples after all the citations, its
    own first (``resource-after``: known only as an object until then, nothing of it may go out early), one
    line of a citation before everything (``citation-line-first``), a citing document without its
    kg:CorpusDocument type (``not-corpus``), or, for a build with the same file under two names, the document's two
    sources' citations apart (``two-sources``)."""
    lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    rest = [ln for ln in lines if "/citation/" not in ln.split(" ", 1)[0]]
    blocks: dict[str, list[str]] = {}  # each source file's citations, in the file's order
    for ln in lines:
        if "/citation/" in ln.split(" ", 1)[0]:
            blocks.setdefault(ln.split("/citation/", 1)[1].split("/", 1)[0], []).append(ln)
    citing = {k: next(ln.split(" ")[2] for ln in b if "#citingDocument>" in ln) for k, b in blocks.items()}
    if variant == "citations-apart":  # the plan's first citation first, its others last
        plan = max(blocks, key=lambda k: sum("#citingDocument>" in ln for ln in blocks[k]))
        first = blocks[plan][0].split(" ", 1)[0]
        moved = [ln for ln in blocks[plan] if ln.startswith(first + " ")]
        others = [ln for k, b in blocks.items() if k != plan for ln in b]
        lines = rest + moved + others + [ln for ln in blocks[plan] if ln not in moved]
    elif variant == "resource-after":  # the plan's own triples after everything, its citations before the others'
        subject = next(ln.split(" ", 1)[0] for ln in rest if '"120/KH-UBND"' in ln)
        own = [k for k in blocks if citing[k] == subject]
        assert len(own) == 1
        lines = ([ln for ln in rest if not ln.startswith(subject + " ")] + blocks[own[0]]
                 + [ln for k, b in blocks.items() if k != own[0] for ln in b]
                 + [ln for ln in rest if ln.startswith(subject + " ")])
    elif variant == "citation-line-first":  # its citing document's link, read as a resource's before its type
        line = next(ln for ln in lines if "/citation/" in ln.split(" ", 1)[0] and "#citingDocument>" in ln)
        lines = [line] + [ln for ln in lines if ln != line]
    elif variant == "not-corpus":
        doc = next(ln.split(" ", 1)[0] for ln in rest if '"120/KH-UBND"' in ln)
        lines = [ln for ln in lines if not (ln.startswith(doc + " ") and ln.rstrip().endswith("#CorpusDocument> ."))]
    else:
        assert variant == "two-sources"
        twice = [k for k in blocks if list(citing.values()).count(citing[k]) == 2]
        assert len(twice) == 2 and len(blocks) == 4
        lines = rest + blocks[twice[0]] + [ln for k, b in blocks.items() if k not in twice for ln in b] + blocks[twice[1]]
    path = tmp_path / f"{variant}.nt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("variant", ["citations-apart", "resource-after", "citation-line-first", "not-corpus",
                                     "two-sources"])
def test_a_file_in_another_order_streams_to_the_same_database(private: conn.ConnectionSettings, tmp_path: Path,
                                                               variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relationships go out while the citations are read as far as the order of kg build's graph.nt says they are
    final (rows._Live); a file in another order leaves the same database as the batch path: what was written too
    soon is written again (a document's relationships replaced) or deleted. A document read from two files waits
    for both files' citations, so nothing is written twice."""
    docs = dict(DOCS, **{"nd-163-copy.txt": DOCS["nd-163.txt"]}) if variant == "two-sources" else DOCS
    source = _in_order(_build(tmp_path, BASE, docs), tmp_path, variant)
    expected = _batch_dump(private, source)
    real = sync.write_rows
    queries: list[str] = []

    def recording(session, query, rows):  # type: ignore[no-untyped-def]
        queries.append(query)
        return real(session, query, rows)

    monkeypatch.setattr(sync, "write_rows", recording)
    neo4j_delete_data(private)
    assert stream.load(source, private).streamed
    monkeypatch.setattr(sync, "write_rows", real)
    assert _dump(private) == expected
    assert not stream.load(source, private).changed
    replaced = sync.DELETE_OTHER_RELS_QUERY in queries
    assert replaced == (variant in ("citations-apart", "not-corpus"))
    assert (sync.DELETE_NODES_QUERY in queries) == (variant == "citation-line-first")


def test_each_node_is_written_once_and_a_retried_create_batch_is_merged(private: conn.ConnectionSettings,
                                                                         tmp_path: Path, small_batches: None,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Into an empty database a node goes in once, by CREATE, with its hash when it has no outgoing relationship
    (no second write of the hash). A CREATE batch sent twice (the driver retrying a commit that went through)
    meets the uniqueness constraint and is MERGEd instead: the load still ends as the batch path leaves it."""
    out = _build(tmp_path, BASE, DOCS)
    expected = _batch_dump(private, out)
    pg = pgrows.read_property_graph(out)
    real = sync.write_rows
    written: list[str] = []
    queries: list[str] = []

    def counting(session, query, rows):  # type: ignore[no-untyped-def]
        queries.append(query)
        if query in (sync.NODE_CREATE_QUERY, sync.NODE_QUERY):
            written.extend(r["uri"] for r in rows)
        if query == sync.NODE_CREATE_QUERY and queries.count(query) == 2:
            real(session, query, rows)  # this batch commits, then is sent again
        return real(session, query, rows)

    monkeypatch.setattr(sync, "write_rows", counting)
    neo4j_delete_data(private)
    assert stream.load(out, private).streamed
    monkeypatch.setattr(sync, "write_rows", real)
    assert sync.HASH_QUERY not in queries
    assert queries.count(sync.NODE_CREATE_QUERY) >= 2 and sync.NODE_QUERY in queries  # the repeated batch, MERGEd
    assert sorted(set(written)) == sorted(pg.nodes)
    repeated = len(written) - len(set(written))
    assert repeated == 2  # that batch's two nodes (EARLY_BATCH 2) and no other node twice
    assert _dump(private) == expected
    assert not stream.load(out, private).changed


def test_crash_while_streaming_is_finished_by_running_it_again(private: conn.ConnectionSettings, tmp_path: Path,
                                                               small_batches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _build(tmp_path, BASE, DOCS)
    expected = _batch_dump(private, out)
    pg = pgrows.read_property_graph(out)
    neo4j_delete_data(private)
    restore = fail_relationship_write(monkeypatch, after=2, error=conn.LoadError("killed"))
    with pytest.raises(conn.LoadError, match="killed"):
        stream.load(out, private)
    restore()
    assert _markers(private) == [(pg.base, "running")]
    assert 0 < len(_dump(private)[1]) < pg.relationship_count
    report = stream.load(out, private)
    assert report.resumed and not report.streamed
    assert _dump(private) == expected
    assert not stream.load(out, private).changed


@pytest.mark.shared
def test_streamed_load_equals_the_batch_load_on_the_shared_corpus(private: conn.ConnectionSettings,
                                                                  corpus_checks_build: Path) -> None:
    """On conftest's corpus build: a quarter of the corpus in the suite (~6,300 relationships: three streamed
    batches of STREAM_REL_BATCH), all of it under KGRAPH_CORPUS=full (bench/corpus_full.py, in CI)."""
    out = corpus_checks_build  # nobody changes it (its own test-only base)
    neo4j_delete_data(private)
    report = stream.load(out, private)
    assert report.streamed and report.relationships > (10000 if FULL_CORPUS else 2 * stream.STREAM_REL_BATCH)
    streamed = _dump(private)
    assert not stream.load(out, private).changed
    assert streamed == _batch_dump(private, out)


def test_server_lost_mid_stream_gives_the_clear_error(private: conn.ConnectionSettings, tmp_path: Path,
                                                      small_batches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver error from the writer thread reaches the caller as LoadError with the rerun advice."""
    from neo4j.exceptions import ServiceUnavailable

    out = _build(tmp_path, BASE, DOCS)
    neo4j_delete_data(private)
    restore = fail_relationship_write(monkeypatch, after=0, error=ServiceUnavailable("connection lost"))
    with pytest.raises(conn.LoadError, match="Lost the connection to Neo4j.*Run the same command again"):
        stream.load(out, private)
    restore()
    assert stream.load(out, private).resumed


def _indexes(s: conn.ConnectionSettings) -> dict[str, str]:
    with conn.driver(s) as d:
        recs = d.execute_query("SHOW INDEXES YIELD name, state, type WHERE type <> 'LOOKUP' RETURN name, state",
                               database_=s.database)[0]
    return {r["name"]: r["state"] for r in recs}


def _index_seeks(plan: Any) -> list[str]:
    op = plan["operatorType"].split("@")[0]
    return ([op] if "IndexSeek" in op else []) + [x for c in plan.get("children") or [] for x in _index_seeks(c)]


def test_a_load_into_an_empty_database_makes_its_query_indexes_after_writing(private: conn.ConnectionSettings,
                                                                           tmp_path: Path) -> None:
    """Into an empty database only the uniqueness constraint exists while writing (stream.DEFER_INDEXES); the
    indexes queries start from are made after, online when the load returns, and used by the queries. A load
    into a database that is not empty makes them first (a database from an older kgraph, a load cut short)."""
    from kgraph.neo4j.queries import load_cypher_queries
    from kgraph.knowledge import cypher_parameters

    out = _build(tmp_path, BASE, DOCS)
    neo4j_delete_data(private)
    neo4j_drop_schema(private)
    report = stream.load(out, private)
    assert report.streamed and "indexes" in report.seconds
    want = {"kg_resource_uri", "kg_marker_base", "kg_document_number", "kg_document_numberkey",
            "kg_document_namekey", "kg_titles"}
    assert _indexes(private) == {n: "ONLINE" for n in want}  # no per-class number index any more
    with conn.driver(private) as d, d.session(database=private.database) as session:
        for q, params in (("MATCH (s:Document) WHERE s.numberKey = $key RETURN s.uri", {"key": "x"}),
                          ("MATCH (s:Document) WHERE s.numberKey STARTS WITH $p RETURN s.uri", {"p": "x"}),
                          ("MATCH (d:Document:Decree {number: $x}) RETURN d.uri", {"x": "x"}),
                          (load_cypher_queries()["cited-by"].text, {**cypher_parameters(), "targets": ["x"]})):
            assert _index_seeks(session.run("EXPLAIN " + q, params).consume().plan), q
    neo4j_drop_schema(private)  # a database with data but no indexes: made before the sync
    again = stream.load(out, private)
    assert not again.changed and "indexes" not in again.seconds
    assert set(_indexes(private)) == want


class _Recording:
    """A session that notes every statement sent through it (autocommit or in a transaction it opens)."""

    def __init__(self, session: Any, sent: list[str]) -> None:
        self.session, self.sent = session, sent

    def run(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(query)
        return self.session.run(query, *args, **kwargs)

    def begin_transaction(self) -> Any:
        tx = self.session.begin_transaction()
        real = tx.run
        tx.run = lambda query, *a, **k: (self.sent.append(query), real(query, *a, **k))[1]
        return tx


def test_a_schema_already_there_is_asked_for_not_made_again(private: conn.ConnectionSettings) -> None:
    """Every load makes sure of the schema: when every constraint and index is there and online it sends one
    ``SHOW INDEXES`` and nothing else (six ``CREATE ... IF NOT EXISTS`` and a wait, before); one dropped is made again,
    alone, and awaited."""
    from kgraph.neo4j.mapping import schema_statements
    from kgraph.neo4j.sync import schema_name

    want = {schema_name(s) for s in schema_statements()}
    with conn.driver(private) as d, d.session(database=private.database) as session:
        sync.ensure_schema(session)
        assert want <= set(_indexes(private))
        sent: list[str] = []
        sync.ensure_schema(_Recording(session, sent))
        assert len(sent) == 1 and sent[0].startswith("SHOW INDEXES"), sent
        session.run("DROP INDEX kg_document_namekey").consume()
        sent.clear()
        sync.ensure_schema(_Recording(session, sent))
        assert [q for q in sent if q.startswith("CREATE")] == [
            s for s in schema_statements() if schema_name(s) == "kg_document_namekey"]
        assert sent[-1] == "CALL db.awaitIndexes(300)"
    assert {n: st for n, st in _indexes(private).items() if n in want} == {n: "ONLINE" for n in want}


def test_the_query_indexes_are_made_between_the_last_node_and_the_first_relationship(
        private: conn.ConnectionSettings, tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Into an empty database the query indexes are created once every node is written and before any relationship
    (their population overlaps the relationships' writes instead of following them), and are online when the load
    returns. Nothing but the freshness check is read: a streamed load has no stored state to compare with."""
    out = _build(tmp_path, BASE, DOCS)
    events: list[str] = []
    real_write, real_read, real_indexes = sync.write_rows, sync.read_rows, sync.create_indexes

    def write(session, query, rows):  # type: ignore[no-untyped-def]
        events.append("node" if query in (sync.NODE_CREATE_QUERY, sync.NODE_QUERY)
                      else "rels" if "UNWIND row.rels" in query else "other")
        return real_write(session, query, rows)

    def read(session, query, **params):  # type: ignore[no-untyped-def]
        events.append("read")
        return real_read(session, query, **params)

    def indexes(session, mapping=None):  # type: ignore[no-untyped-def]
        events.append("indexes")
        return real_indexes(session, mapping)

    monkeypatch.setattr(sync, "write_rows", write)
    monkeypatch.setattr(sync, "read_rows", read)
    monkeypatch.setattr(sync, "create_indexes", indexes)
    neo4j_delete_data(private)
    neo4j_drop_schema(private)
    assert stream.load(out, private).streamed
    assert events.count("indexes") == 1 and events.count("read") == 1
    at = events.index("indexes")
    assert "rels" not in events[:at] and "node" not in events[at:]
    assert events.count("rels") >= 2  # several relationship batches (small_batches), all after the indexes
    assert set(_indexes(private).values()) == {"ONLINE"}
