"""Asking Neo4j: the Cypher twins of the named queries (``Neo4jBackend``), raw Cypher with parameters, values.

The twins live beside the SPARQL files as ``queries/NAME.cypher``. Their arguments and help come from
the ``.rq`` headers (one definition for both backends, ``kgraph.query``); what the user types for X or
ISSUER is parsed there and looked up here by bound parameters, and the IRIs found are bound, all at
once, to ``$targets`` / ``$orgs``, never spliced into the text. Rows come back in the SPARQL side's
shape: ``uri, number, type, title, date, source`` first, dates as ``YYYY-MM-DD``; a node property
holding several values is shown as its smallest, as the SPARQL queries' ``MIN()`` does.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgraph.graph.ontology import ELI, KG
from kgraph.knowledge import cypher_parameters
from kgraph.neo4j.connection import ConnectionSettings, open_driver, quiet_session, translate_error
from kgraph.neo4j.mapping import KEY_LABEL, check_name, load_mapping
from kgraph.query import QUERIES_DIR, Found, NamedQuery, QueryBackend, QueryError, Result, read_header, target_last

if TYPE_CHECKING:
    import neo4j


@dataclass(frozen=True)
class CypherQuery:
    """One ``queries/NAME.cypher`` file: its text and the header lines (``// name:``, ``// doc:``...)."""

    name: str
    path: Path
    text: str
    header: dict[str, str]


def load_cypher_queries(directory: Path = QUERIES_DIR) -> dict[str, CypherQuery]:
    """Every ``.cypher`` file in ``directory``, by the name its header gives (the file stem otherwise)."""
    out = {}
    for p in sorted(directory.glob("*.cypher")):
        text = p.read_text("utf-8")
        h = read_header(text, comment="//")
        out[h.get("name", p.stem)] = CypherQuery(name=h.get("name", p.stem), path=p, text=text, header=h)
    return out


# --------------------------------------------------------------------------------------- values


def plain(value: Any) -> Any:
    """A driver value as JSON-able data: temporal values as ISO text, nodes and relationships as maps."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    from neo4j.graph import Node, Path as GraphPath, Relationship  # here, not per plain value: a row has a dozen

    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        start = value.start_node.get("uri") if value.start_node is not None else None
        end = value.end_node.get("uri") if value.end_node is not None else None
        return {"_type": value.type, "_start": start, "_end": end, **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, GraphPath):
        return [plain(x) for pair in zip(value.nodes, [*value.relationships, None]) for x in pair if x is not None]
    iso = getattr(value, "iso_format", None)
    if callable(iso):
        return iso()
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _cell(v: Any) -> Any:
    """A named query's cell as its rows show it: ``_smallest(plain(v))``, text and numbers passed as they are."""
    return v if v is None or type(v) in _PLAIN_TYPES else _smallest(plain(v))


_PLAIN_TYPES = frozenset((str, int, float, bool))


def _smallest(v: Any) -> Any:
    """A list cell as its smallest element (SPARQL's MIN over a node's several values)."""
    if isinstance(v, list):
        items = [x for x in v if x is not None]
        return min(items, key=lambda x: (type(x).__name__, x)) if items else None
    return v


# --------------------------------------------------------------------------------------- running Cypher


def _in_tx(tx: neo4j.Session | neo4j.ManagedTransaction, text: str, params: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    res = tx.run(text, params)
    keys = list(res.keys())
    return keys, [dict(zip(keys, rec.values())) for rec in res]


def _in_tx_one(tx: neo4j.Session | neo4j.ManagedTransaction, text: str, params: dict[str, Any]) -> Any:
    """The one value of a statement that returns one row of one column (a ``collect``)."""
    return tx.run(text, params).single(strict=True)[0]


def _run(session: neo4j.Session, text: str, params: dict[str, Any], write: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
    """One statement in a managed transaction of its own."""
    work = lambda tx: _in_tx(tx, text, params)  # noqa: E731
    return session.execute_write(work) if write else session.execute_read(work)


def run_cypher(settings: ConnectionSettings, text: str, params: dict[str, Any] | None = None, *,
               write: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
    """Run one Cypher statement with parameters; read-only unless ``write`` (the server refuses writes then).

    The relation parameters (``$relTypes``...) are bound too, so a named twin runs as it is; ``params`` win.
    """
    from neo4j import exceptions as nx

    drv = open_driver(settings)
    try:
        with drv.session(database=settings.database) as session:
            cols, rows = _run(session, text, {**cypher_parameters(), **(params or {})}, write)
    except nx.ClientError as e:
        if e.code == "Neo.ClientError.Statement.AccessMode" or "in read access mode" in (e.message or ""):
            raise QueryError("this query writes to the database; add --write to allow it") from None
        if e.code and e.code.startswith("Neo.ClientError.Statement."):
            raise QueryError(f"Cypher error ({e.code.rsplit('.', 1)[-1]}): {e.message}") from None
        raise translate_error(e, settings) from None
    except (nx.Neo4jError, nx.DriverError) as e:
        raise translate_error(e, settings) from None
    finally:
        drv.close()
    return cols, [{k: plain(v) for k, v in r.items()} for r in rows]


def parse_params(items: Iterable[str]) -> dict[str, Any]:
    """``k=v`` gives the string ``v``; ``k:=v`` parses ``v`` as JSON (numbers, lists, null...)."""
    out: dict[str, Any] = {}
    for item in items:
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(:?=)(.*)", item, flags=re.S)
        if not m:
            raise QueryError(f"--param {item!r}: expected NAME=text or NAME:=json")
        name, op, raw = m.groups()
        if op == ":=":
            try:
                out[name] = json.loads(raw)
            except json.JSONDecodeError as e:
                raise QueryError(f"--param {name}:=...: not JSON ({e.msg})") from None
        else:
            out[name] = raw
    return out


def cypher_text(query_or_file: str, queries: dict[str, CypherQuery] | None = None) -> str:
    """The Cypher to run for ``kg cypher``: a named twin, a file, or the text itself."""
    queries = queries if queries is not None else load_cypher_queries()
    if query_or_file in queries:
        return queries[query_or_file].text
    p = Path(query_or_file)
    if len(query_or_file) < 4096 and "\n" not in query_or_file and p.is_file():
        return p.read_text("utf-8")
    return query_or_file


# --------------------------------------------------------------------------------------- named queries


_NAME_KEY = "(s.nameKey = $key OR (s.nameKey IS :: LIST<STRING> NOT NULL AND $key IN s.nameKey))"


class Neo4jBackend(QueryBackend):
    """The named queries' Cypher twins on an open Neo4j session.

    ``scope`` keeps only X / ISSUER matches whose IRI starts with it: for a database that holds more
    than one graph (the tests load theirs under their own base beside whatever is there).

    ``run`` sends each statement a named query needs (the lookups behind X, the query, the candidates' facts)
    as an auto-commit query: one round trip each (RUN and PULL go together; X's lookup and the query go as
    one statement once the twin's columns are known, ``resolve_and_execute``), where a read transaction
    around them adds two (BEGIN, which the driver does not send with the first RUN, and COMMIT), each a wake-up
    of the server and of this process (on a loaded machine a wait for a core). Open the session read-only
    (``default_access_mode=neo4j.READ_ACCESS``, as ``run_named_query`` does) to have the server refuse writes.
    A transient failure (the server busy or restarting) runs the named query again, as a managed transaction
    would, up to ``_TRIES`` times.
    """

    place = "Neo4j"
    hint = " --backend neo4j"

    def __init__(self, session: neo4j.Session, queries: dict[str, NamedQuery] | None = None,
                 twins: dict[str, CypherQuery] | None = None, *, scope: str | None = None) -> None:
        super().__init__(queries)
        self.session = session
        self.twins = twins if twins is not None else load_cypher_queries()
        self.scope = scope or ""
        self._tx: neo4j.Session | neo4j.ManagedTransaction | None = None  # what runs statements during ``run``

    def run(self, name: str, args: Iterable[str] = ()) -> Result:
        if self._tx is not None:
            return super().run(name, args)
        from neo4j import exceptions as nx

        args = list(args)  # a transient failure runs it again: the arguments again
        for attempt in range(_TRIES):
            self._tx = self.session
            try:
                return QueryBackend.run(self, name, args)
            except (nx.Neo4jError, nx.DriverError) as e:
                if attempt + 1 == _TRIES or not e.is_retryable():
                    raise
            finally:
                self._tx = None
            time.sleep(0.2 * 2 ** attempt)
        raise AssertionError("unreachable")

    def _read(self, text: str, params: dict[str, Any], work: Callable[..., Any] = _in_tx) -> Any:
        """``work`` (``_in_tx``: columns and rows) on a read as ``run`` sends it, or (a lookup called on its
        own) in a read transaction of its own."""
        if self._tx is not None:
            return work(self._tx, text, params)
        return self.session.execute_read(lambda tx: work(tx, text, params))

    def text_of(self, query: NamedQuery) -> str:
        if query.name not in self.twins:
            raise QueryError(f"{query.name}: no Cypher twin (queries/{query.name}.cypher) for the neo4j backend")
        return self.twins[query.name].text

    def has_resource(self, iri: str) -> bool:
        return bool(self._read(f"MATCH (n:{KEY_LABEL} {{uri: $iri}}) RETURN n.uri AS s LIMIT 1",
                         {"iri": iri})[1])

    def _documents(self, where: str, params: dict[str, Any]) -> list[Found]:
        q = f"MATCH (s:{_doc_label()}) WHERE {where} RETURN DISTINCT s.uri AS s, s.year AS y"
        return [(r["s"], _smallest(r["y"])) for r in self._read(q, params)[1]]

    def documents_by_number_key(self, key: str) -> list[Found]:
        return self._documents(_LOOKUPS["number_key"][0], {"key": key})

    def documents_by_number_prefix(self, prefix: str) -> list[Found]:
        return self._documents(_LOOKUPS["number_prefix"][0], {"prefix": prefix})

    def documents_by_name_key(self, key: str) -> list[Found]:
        return self._documents(_LOOKUPS["name_key"][0], {"key": key})

    def resolve_and_execute(self, query: NamedQuery, text: str, typed: str
                            ) -> tuple[list[str], tuple[list[str], list[dict[str, Any]]] | None]:
        """X's lookup and the query in one statement (one round trip, not two), once the twin's columns are known.

        The statement runs the twin with the documents the lookup found in scope (of X's year when one was
        typed), in IRI order, and returns what it found; ``instrument_lookup``'s own ``finish`` then says which
        IRIs X names, as for any backend. When they are not the ones the statement guessed (an issuer typed
        with X, a node with several years) its rows are dropped and ``run`` executes the query with the right ones."""
        cols = _COLUMNS.get(text)
        lookup = self.instrument_lookup(typed)
        if cols is None or lookup is None or self._tx is None or not _TARGETS.search(text):
            return super().resolve_and_execute(query, text, typed)
        kind, value, year, finish = lookup
        params: dict[str, Any] = cypher_parameters()
        params.update({_LOOKUPS[kind][1]: value, "scope": self.scope, "year": year})
        found, guess, lists = self._read(_fused(kind, text, tuple(cols)), params, _in_tx_row)
        targets = self._in_scope(finish([(u, _smallest(y)) for u, y in found]))
        if targets != guess:
            return targets, None
        return targets, (cols, [dict(zip(cols, map(_cell, values))) for values in lists])

    def organisations_labelled(self, needle: str) -> list[str]:
        q = (f"MATCH (s:{_org_label()}) WHERE any(l IN CASE WHEN s.label IS :: LIST<ANY> NOT NULL THEN s.label "
             "ELSE [s.label] END WHERE toLower(l) CONTAINS toLower($needle)) RETURN DISTINCT s.uri AS s")
        return sorted(r["s"] for r in self._read(q, {"needle": needle})[1])

    def document_facts(self, iris: list[str]) -> list[tuple[str, Any, Any, Any]]:
        passed_by = check_name(load_mapping().rel_type(ELI + "passed_by"), "type")
        q = (f"MATCH (s:{KEY_LABEL}) WHERE s.uri IN $iris OPTIONAL MATCH (s)-[:{passed_by}]->(o) "
             "RETURN s.uri AS s, s.label AS l, collect(o.label) AS il, s.date_document AS d")
        return [(r["s"], plain(r["l"]), plain(r["il"]), plain(r["d"])) for r in self._read(q, {"iris": iris})[1]]

    def execute(self, query: NamedQuery, text: str, *, var: str | None = None, values: list[str] | None = None,
                limit: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        params: dict[str, Any] = cypher_parameters()  # the relation types the twins read ($relTypes ...)
        if var is not None:
            params[var + "s"] = values or []
        if limit is not None:
            params["limit"] = limit
        cols = _COLUMNS.get(text)
        if cols is None:  # the first run of this text in this process: its columns, rows one by one
            found, rows = self._read(text, params)
            cols = _COLUMNS[text] = target_last(found)
            return cols, [{c: _cell(r.get(c)) for c in cols} for r in rows]
        lists = self._read(_as_one_row(text, cols), params, _in_tx_one)
        return cols, [dict(zip(cols, map(_cell, values))) for values in lists]


#: Each twin's columns (``target`` last), learnt from its first run in this process.
_COLUMNS: dict[str, list[str]] = {}


def _as_one_row(text: str, columns: list[str]) -> str:
    """``text`` whose rows come back as one list of lists, in its order (``ORDER BY`` then ``collect``).

    Every row is a Bolt message of its own, which the driver reads, decodes and wraps one by one (two socket
    reads and a record each): for 355 rows of 13 columns 18 ms of Python CPU against 5 ms as one value
    (bench/bench_queries.py's largest ``provisions-cited``). The text is not changed, only wrapped in a
    subquery; each column is named in backquotes."""
    names = ", ".join("`" + c.replace("`", "``") + "`" for c in columns)
    return f"CALL () {{\n{text}\n}}\nRETURN collect([{names}]) AS rows"


#: Each lookup behind X: the condition on a document ``s`` and the parameter it binds.
_LOOKUPS = {"number_key": ("s.numberKey = $key", "key"), "number_prefix": ("s.numberKey STARTS WITH $prefix", "prefix"),
            "name_key": (_NAME_KEY, "key"), "iri": (None, "iri")}
_TARGETS = re.compile(r"\$targets\b")


def _in_tx_row(tx: neo4j.Session | neo4j.ManagedTransaction, text: str, params: dict[str, Any]) -> list[Any]:
    """The values of a statement that returns one row."""
    return tx.run(text, params).single(strict=True).values()


@functools.lru_cache(maxsize=64)
def _fused(kind: str, text: str, columns: tuple[str, ...]) -> str:
    """X's lookup of ``kind`` and the twin ``text`` in one statement returning one row: the documents found
    ([IRI, year] in IRI order), the IRIs in scope the twin ran with, and its rows as ``_as_one_row`` gives them.
    The twin's ``$targets`` becomes the subquery's ``targets``: the text is otherwise as written."""
    if kind == "iri":
        found = f"MATCH (s:{KEY_LABEL} {{uri: $iri}}) WITH s LIMIT 1 RETURN collect([s.uri, null]) AS found"
    else:
        found = (f"MATCH (s:{_doc_label()}) WHERE {_LOOKUPS[kind][0]} WITH DISTINCT s.uri AS u, s.year AS y "
                 "ORDER BY u RETURN collect([u, y]) AS found")
    names = ", ".join("`" + c.replace("`", "``") + "`" for c in columns)
    twin = _TARGETS.sub("targets", text)
    return (f"CALL () {{ {found} }}\n"
            "WITH found, [f IN found WHERE f[0] STARTS WITH $scope AND ($year IS NULL OR toIntegerOrNull(f[1]) = $year)"
            " | f[0]] AS targets\n"
            f"CALL (targets) {{\nCALL (targets) {{\n{twin}\n}}\nRETURN collect([{names}]) AS rows\n}}\n"
            "RETURN found, targets, rows")


#: How many times ``Neo4jBackend.run`` tries a named query that fails transiently.
_TRIES = 3


def _doc_label() -> str:
    return check_name(load_mapping().labels(ELI + "Work")[0], "label")


def _org_label() -> str:
    return check_name(load_mapping().labels(KG + "Organisation")[0], "label")


def run_named_query(name: str, args: Iterable[str], settings: ConnectionSettings) -> Result:
    """Open a connection, run a named query's Cypher twin, close: ``kg query NAME ... --backend neo4j``."""
    from neo4j import exceptions as nx

    drv = open_driver(settings, check_database=False)  # a missing database fails the query
    try:  # read-only: the server refuses a write; quiet: a twin may name a property no node has yet
        with quiet_session(drv, settings, read_only=True) as session:
            return Neo4jBackend(session).run(name, args)
    except (nx.Neo4jError, nx.DriverError) as e:
        raise translate_error(e, settings) from None
    finally:
        drv.close()
