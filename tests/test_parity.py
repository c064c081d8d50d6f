"""SPARQL vs Cypher on the same build of the shared corpus (congbao + laws): every named query's Cypher
twin must give the SPARQL answer, for every corpus document and the most cited instruments as X.

In the test suite the build is of every 4th file of congbao + laws (77 documents, ~700 cases); with
KGRAPH_CORPUS=full it is the session's build of the whole corpus, with the same checks on it:
`python bench/corpus_full.py`, which CI runs after the suite (.ci/run). Both builds are conftest's.

The build is loaded into Neo4j under a test-only IRI base and deleted afterwards. Queries such as
most-cited count the whole database, so when the running server already holds another graph the
test uses the session's private temporary server instead (conftest ``private_neo4j``; nobody's data is
touched).

Compared: the rows as JSON (`kg query --format json`), with the GROUP_CONCAT fields (relations,
pinpoints) as sets since SPARQL leaves their order open, and the rows' order on the query's ORDER BY
keys.
"""

from __future__ import annotations

import collections
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS_BASE, FULL_CORPUS, SUBSET_BASE

from kgraph.query import QueryError, load_queries, to_json_lines
from kgraph.neo4j import connection as conn
from kgraph.neo4j import mapping, stream, sync
from kgraph.neo4j import queries as neo4j_queries
from kgraph.neo4j import server as srv
from kgraph.neo4j.queries import Neo4jBackend
from kgraph.sinks.oxigraph_store import open_store
from kgraph.sparql import OxigraphBackend

pytestmark = [pytest.mark.shared, pytest.mark.neo4j]

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
FULL = FULL_CORPUS
#: The build's base (conftest): a run deletes exactly what it loaded.
BASE = CORPUS_BASE if FULL else SUBSET_BASE
#: Rows the comparison must cover (so it compares real answers, not empty ones), and the nodes a load makes.
MIN_ROWS, MIN_NODES = (5000, 1000) if FULL else (3000, 1000)  # the subset gives ~4,900 rows
#: The settings of the server the build was loaded into (the shared one or a private one).
_LOADED_INTO: list[conn.ConnectionSettings] = []
#: GROUP_CONCAT results: compared as sets.
SET_FIELDS = {"relations": ", ", "pinpoints": "; "}
#: The SPARQL queries' ORDER BY, as the output columns the rows must follow in both answers.
ORDER_KEYS = {
    "cited-by": ("date", "uri"), "cites": ("citations", "uri"), "most-cited": ("cited_by", "citations", "uri"),
    "provisions-cited": ("article", "clause", "point", "uri"), "stale-citations": ("uri", "cited", "by"),
    "by-issuer": ("instruments", "uri"), "by-issuer-documents": ("date", "uri"),
    "basis-chain": ("depth", "uri", "basis_of"),
}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"Neo4j server unavailable in CI: {reason}", pytrace=False)
    pytest.skip(f"Neo4j server unavailable: {reason}")


@pytest.fixture(scope="module")
def settings() -> conn.ConnectionSettings:
    try:
        st = srv.status()
        if not st.running:
            if os.environ.get("KGRAPH_NEO4J_AUTOSTART", "1") == "0":
                _unavailable("not running and KGRAPH_NEO4J_AUTOSTART=0")
            srv.start(wait=True, timeout=float(os.environ.get("KGRAPH_NEO4J_START_TIMEOUT", "300")))
        return conn.connection_settings()
    except conn.Neo4jServerError as e:
        _unavailable(str(e))
        raise


@pytest.fixture(scope="module")
def both(request: pytest.FixtureRequest, settings: conn.ConnectionSettings, corpus_checks_build: Path
         ) -> Iterator[tuple[OxigraphBackend, Neo4jBackend, Path]]:
    """(the SPARQL backend, the Cypher backend, build folder) over one build of the shared corpus.

    On the running server when it holds no other graph (most-cited and by-issuer count the whole
    database); otherwise on the session's private server (emptied for this module), so someone's loaded
    graph is neither touched nor a cause of failure.
    """
    out = corpus_checks_build  # made under BASE
    with conn.driver(settings) as d:
        other = d.execute_query("MATCH (n:Resource) WHERE NOT n.uri STARTS WITH $kg AND NOT n.uri STARTS WITH "
                                "'https://kgraph.test/' RETURN count(n) AS c", kg=mapping.KG, database_=settings.database)[0][0]["c"]
    if other:
        settings = request.getfixturevalue("private_neo4j").settings
    _LOADED_INTO.append(settings)
    report = stream.load(out, settings)
    assert report.nodes_created > MIN_NODES
    drv = conn.open_driver(settings)
    try:
        with drv.session(database=settings.database) as session:
            queries = load_queries()
            yield OxigraphBackend(open_store(out), queries), Neo4jBackend(session, queries, scope=BASE), out
    finally:
        drv.close()
        sync.delete_base(settings, BASE)
        with conn.driver(settings) as d:  # the ontology's concept nodes too, unless another graph uses them
            d.execute_query("MATCH (n:Resource) WHERE NOT n.uri STARTS WITH $kg WITH count(n) AS others "
                            "WHERE others = 0 MATCH (c:Resource) WHERE c.uri STARTS WITH $kg DETACH DELETE c",
                            kg=mapping.KG, database_=settings.database)


@pytest.fixture(scope="module")
def load_settings(both: tuple[OxigraphBackend, Neo4jBackend, Path]) -> conn.ConnectionSettings:
    """The settings of the server ``both`` loaded into (the shared one or the private one)."""
    return _LOADED_INTO[-1]


def _cases(sparql: OxigraphBackend) -> list[tuple[str, list[str]]]:
    top = [json.loads(r) for r in to_json_lines(sparql.run("most-cited", ["150"]))]
    corpus = [r["uri"].value for r in sparql.store.query(
        "SELECT ?uri WHERE { ?uri a <https://w3id.org/kgraph/ontology#CorpusDocument> } ORDER BY ?uri")]
    orgs = [json.loads(r)["issuer"] for r in to_json_lines(sparql.run("by-issuer", []))]
    cases: list[tuple[str, list[str]]] = [("most-cited", []), ("most-cited", ["100000"]), ("stale-citations", []),
                                          ("by-issuer", []), ("by-issuer", ["Chính phủ"]), ("by-issuer", ["Bộ Tài chính"])]
    cases += [("by-issuer", [o]) for o in orgs if o]  # each body by its name, as users type it
    for t in top:  # as users type them: the number when there is one
        x = t["number"] or t["uri"]
        cases += [("cited-by", [x]), ("provisions-cited", [x]), ("basis-chain", [x])]
    for u in corpus:
        cases += [("cites", [u]), ("cited-by", [u]), ("basis-chain", [u])]
    return cases


def _rows(result: Any) -> list[dict[str, Any]]:
    return [json.loads(x) for x in to_json_lines(result)]


def _norm(row: dict[str, Any]) -> str:
    d = dict(row)
    for k, sep in SET_FIELDS.items():
        if isinstance(d.get(k), str):
            d[k] = sorted(d[k].split(sep))
    return json.dumps(d, sort_keys=True, ensure_ascii=False)


def _compare(sparql_backend: OxigraphBackend, cypher_backend: Neo4jBackend, name: str, args: list[str]
             ) -> tuple[bool, int, str]:
    """(equal?, rows, what differs)."""
    errors = []
    try:
        sres = sparql_backend.run(name, args)
        sparql = _rows(sres)
    except QueryError as e:
        errors.append(str(e))
    try:
        cres = cypher_backend.run(name, args)
        cypher = _rows(cres)
    except QueryError as e:
        errors.append(str(e))
    if errors:  # both must refuse the same input (the messages name their backend)
        return len(errors) == 2, 0, f"only one backend refused: {errors}"
    if sres.candidates != cres.candidates:  # X naming several nodes: the same list, issuers and dates
        return False, len(sparql), f"candidates differ: {sres.candidates[:2]} vs {cres.candidates[:2]}"
    a = collections.Counter(map(_norm, sparql))
    b = collections.Counter(map(_norm, cypher))
    if a != b:
        return False, len(sparql), f"sparql-only {list(a - b)[:1]} cypher-only {list(b - a)[:1]}"
    keys = ORDER_KEYS[name if not (name == "by-issuer" and args) else "by-issuer-documents"]
    if [tuple(r.get(k) for k in keys) for r in sparql] != [tuple(r.get(k) for k in keys) for r in cypher]:
        return False, len(sparql), f"order differs on {keys}"
    return True, len(sparql), ""


def test_every_named_query_gives_the_sparql_answer(both: tuple[OxigraphBackend, Neo4jBackend, Path]) -> None:
    sparql, cypher, _ = both
    cases = _cases(sparql)
    per_query: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])  # cases, equal, rows
    failures = []
    for name, args in cases:
        ok, n, why = _compare(sparql, cypher, name, args)
        s = per_query[name]
        s[0] += 1
        s[1] += ok
        s[2] += n
        if not ok:
            failures.append(f"{name} {args}: {why}")
    print("\nquery                 cases  equal   rows")
    for name, (n, eq, rows) in sorted(per_query.items()):
        print(f"{name:20s} {n:6d} {eq:6d} {rows:6d}")
    assert set(per_query) >= {"cited-by", "cites", "most-cited", "provisions-cited", "stale-citations", "by-issuer",
                              "basis-chain"}
    assert sum(s[2] for s in per_query.values()) > MIN_ROWS  # the comparison covered real answers, not empty ones
    assert not failures, "\n".join(failures[:10])


class _CountingSession:
    """A session that counts its auto-commit queries and refuses every other way to the server."""

    def __init__(self, session: Any) -> None:
        self.session, self.statements = session, 0

    def run(self, query: str, parameters: Any = None, **kwargs: Any) -> Any:
        self.statements += 1
        return self.session.run(query, parameters, **kwargs)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the backend used session.{name}, not auto-commit queries")


def test_a_named_query_is_one_round_trip(both: tuple[OxigraphBackend, Neo4jBackend, Path]) -> None:
    """X as users type it: its lookup and the query in one auto-commit query (one round trip; a lookup and
    then the query were two, and BEGIN and COMMIT around them two more, each a wake-up of both sides: the
    fixed cost was most of what a small answer cost). The first run of a twin in a process is two: the
    lookup, then the twin's rows one by one, which tell its columns."""
    sparql, cypher, _ = both
    cases = [args for name, args in _cases(sparql) if name == "cited-by"][:5]
    assert cases
    neo4j_queries._COLUMNS.pop(cypher.text_of(cypher.queries["cited-by"]), None)  # as in a new process
    for i, args in enumerate(cases * 2):
        counting = _CountingSession(cypher.session)
        res = Neo4jBackend(counting, cypher.queries, scope=BASE).run("cited-by", args)  # type: ignore[arg-type]
        assert counting.statements == (2 if i == 0 else 1) + (len(res.targets) > 1), (args, counting.statements)
        assert _rows(res) == _rows(cypher.run("cited-by", args))


def test_a_lookup_that_keeps_other_documents_runs_the_query_again(
        both: tuple[OxigraphBackend, Neo4jBackend, Path]) -> None:
    """The one statement runs the twin with what the lookup found; when ``instrument_lookup``'s finish names
    other IRIs (an issuer typed with a local number leaves some out) those rows are dropped and the query
    runs again with the IRIs the finish gave: the answer is theirs, as on the SPARQL side."""
    sparql, cypher, _ = both
    cases = [args for name, args in _cases(sparql) if name == "cited-by"][:6]
    extra = sparql.resolve_instrument(" ".join(cases[-1]))
    assert extra

    def one_more(backend: type) -> type:
        class OneMore(backend):  # type: ignore[valid-type,misc]
            def instrument_lookup(self, text: str) -> Any:
                kind, value, year, finish = super().instrument_lookup(text)
                return kind, value, year, lambda found: sorted(set(finish(found)) | set(extra))
        return OneMore

    cypher.run("cited-by", cases[0])  # the twin's columns known: later runs send the one statement
    for args in cases[:3]:
        counting = _CountingSession(cypher.session)
        res = one_more(Neo4jBackend)(counting, cypher.queries, scope=BASE).run("cited-by", args)
        assert set(extra) <= set(res.targets) and len(res.targets) > 1
        assert counting.statements == 3, counting.statements  # the statement, the query again, the candidates
        ok, _n, why = _compare(one_more(OxigraphBackend)(sparql.store, sparql.queries),
                               one_more(Neo4jBackend)(cypher.session, cypher.queries, scope=BASE), "cited-by", args)
        assert ok, why


def test_rows_as_one_list_keep_the_twins_order(both: tuple[OxigraphBackend, Neo4jBackend, Path]) -> None:
    """A twin's first run in a process reads its rows one by one (and learns its columns); later runs get
    them as one collected list (``_as_one_row``): the same rows in the same order, for every named query."""
    sparql, cypher, _ = both
    cases = _cases(sparql)
    picked = [c for name in ("cited-by", "cites", "basis-chain", "provisions-cited") for c in
              [c for c in cases if c[0] == name][:8]] + [c for c in cases if c[0] in ("most-cited", "by-issuer", "stale-citations")][:6]
    compared = 0
    for name, args in picked:
        neo4j_queries._COLUMNS.clear()
        try:
            first = cypher.run(name, args)
        except QueryError:
            continue
        assert neo4j_queries._COLUMNS, name
        again = cypher.run(name, args)
        assert (again.columns, again.rows) == (first.columns, first.rows), (name, args)
        compared += len(first.rows) > 1
    assert compared >= 10


def test_counts_unchanged_by_a_second_load(both: tuple[OxigraphBackend, Neo4jBackend, Path], load_settings: conn.ConnectionSettings) -> None:
    _, _, out = both
    before = sync.graph_counts(load_settings, BASE)
    again = stream.load(out, load_settings)
    assert not again.changed and again.nodes_unchanged == again.nodes
    assert sync.graph_counts(load_settings, BASE) == before and before["nodes"] > MIN_NODES


def test_sparql_keeps_pinpoints_when_some_citations_have_none(both: tuple[OxigraphBackend, Neo4jBackend, Path]) -> None:
    sparql, cypher, _ = both
    lost = 0
    for x in [json.loads(r)["number"] for r in to_json_lines(sparql.run("most-cited", ["20"]))]:
        if not x:
            continue
        by_uri = {r["uri"]: r for r in _rows(sparql.run("cited-by", [x]))}
        for r in _rows(cypher.run("cited-by", [x])):
            if r["pinpoints"] and by_uri.get(r["uri"], {}).get("pinpoints") is None:
                lost += 1
    assert lost == 0
