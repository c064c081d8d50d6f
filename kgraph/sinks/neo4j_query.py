"""Asking Neo4j: the Cypher twins of the named SPARQL queries, raw Cypher with parameters, result shaping.

The twins live beside the SPARQL files as ``queries/NAME.cypher``. Their arguments and help come from
the ``.rq`` headers (one definition for both backends); what the user types for X or ISSUER is looked
up in Neo4j with the same parsing as the SPARQL side (``parse_user_instrument``, ``normalize_body``)
and the IRIs found are bound, all at once, to ``$targets`` / ``$orgs``, never spliced into the text. Rows come back
in the SPARQL side's shape (``kgraph.query.Result``): ``uri, number, type, title, date, source``
first, dates as ``YYYY-MM-DD``; a node property holding several values is shown as its smallest, as
the SPARQL queries' ``MIN()`` does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from kgraph.knowledge import cypher_parameters
from kgraph.query import QUERIES_DIR, NamedQuery, QueryError, Result, _with_depth, load_queries, read_header
from kgraph.sinks import neo4j_server as srv
from kgraph.sinks.neo4j_load import (
    ELI, KEY_LABEL, KG, LoadError, _translate, check_name, load_mapping, open_driver, quiet_session,
)

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
    from neo4j.graph import Node, Path as GraphPath, Relationship

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
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


def _smallest(v: Any) -> Any:
    """A list cell as its smallest element (SPARQL's MIN over a node's several values)."""
    if isinstance(v, list):
        items = [x for x in v if x is not None]
        return min(items, key=lambda x: (type(x).__name__, x)) if items else None
    return v


# --------------------------------------------------------------------------------------- running Cypher


def _run(session: neo4j.Session, text: str, params: dict[str, Any], write: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
    def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[dict[str, Any]]]:
        res = tx.run(text, params)
        keys = list(res.keys())
        return keys, [dict(zip(keys, rec.values())) for rec in res]

    return session.execute_write(work) if write else session.execute_read(work)


def run_cypher(settings: srv.ConnectionSettings, text: str, params: dict[str, Any] | None = None, *,
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
        raise _translate(e, settings) from None
    except (nx.Neo4jError, nx.DriverError) as e:
        raise _translate(e, settings) from None
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


# --------------------------------------------------------------------------------------- what users type


def _doc_label() -> str:
    return check_name(load_mapping().labels(ELI + "Work")[0], "label")


def _org_label() -> str:
    return check_name(load_mapping().labels(KG + "Organisation")[0], "label")


def _lookup(session: neo4j.Session, where: str, params: dict[str, Any], year: int | None) -> list[str]:
    q = f"MATCH (s:{_doc_label()}) WHERE {where} RETURN DISTINCT s.uri AS s, s.year AS y"
    found = set()
    for r in _run(session, q, params)[1]:
        y = _smallest(r["y"])
        if year is not None and (y is None or int(y) != year):
            continue
        found.add(r["s"])
    return sorted(found)


_NAME_KEY = "(s.nameKey = $key OR (s.nameKey IS :: LIST<STRING> NOT NULL AND $key IN s.nameKey))"


def resolve_instrument(session: neo4j.Session, text: str) -> list[str]:
    """The IRIs in Neo4j an instrument typed by a user names: ``kgraph.query.resolve_instrument``'s twin."""
    from kgraph.knowledge import code_key
    from kgraph.link.identity import parse_user_instrument
    from kgraph.numbers import year_of_number

    u = parse_user_instrument(text)
    if u is None:
        raise QueryError(f"'{text}': not a document number or name (try `163/2016/NĐ-CP` or `Luật Đất đai 2013`)")
    if u.iri:
        rows = _run(session, f"MATCH (n:{KEY_LABEL} {{uri: $iri}}) RETURN n.uri AS s LIMIT 1", {"iri": u.iri})[1]
        return [r["s"] for r in rows]
    if u.exact is not None and u.exact.number is not None:
        n = u.exact.number
        year = None if year_of_number(n) else u.exact.year
        return _lookup(session, "s.numberKey = $key", {"key": code_key(n)}, year)
    if u.exact is not None and u.exact.name_key is not None:
        return _lookup(session, _NAME_KEY, {"key": u.exact.name_key}, u.exact.year)
    if u.number_loose is not None:
        return _lookup(session, "s.numberKey = $key", {"key": u.number_loose}, None)
    if u.number_prefix is not None:
        return _lookup(session, "s.numberKey STARTS WITH $prefix", {"prefix": u.number_prefix}, u.year)
    if u.name_key is not None:
        return _lookup(session, _NAME_KEY, {"key": u.name_key}, None)
    return []


def resolve_issuer(session: neo4j.Session, text: str) -> list[str]:
    """Organization IRIs for an issuer as typed: its canonical name first, else labels containing the words."""
    from kgraph.link.identity import normalize_body

    def orgs(needle: str) -> list[str]:
        q = (f"MATCH (s:{_org_label()}) WHERE any(l IN CASE WHEN s.label IS :: LIST<ANY> NOT NULL THEN s.label "
             "ELSE [s.label] END WHERE toLower(l) CONTAINS toLower($needle)) RETURN DISTINCT s.uri AS s")
        return sorted(r["s"] for r in _run(session, q, {"needle": needle})[1])

    body = normalize_body(text)
    found = orgs(body.name) if body is not None else []
    return found or orgs(" ".join(text.split()))


# --------------------------------------------------------------------------------------- named queries


def _shape(cols: list[str], rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    out = [{c: _smallest(plain(r.get(c))) for c in cols} for r in rows]
    if all(c in cols for c in ("target", "uri")):
        cols = [c for c in cols if c != "target"] + ["target"]
    return cols, out


def run_named(session: neo4j.Session, name: str, args: Iterable[str] = (),
              queries: dict[str, NamedQuery] | None = None,
              twins: dict[str, CypherQuery] | None = None, *, within: str | None = None) -> Result:
    """Run the Cypher twin of a named query with the user's arguments: ``kgraph.query.run_named`` on Neo4j.

    ``within`` keeps only X / ISSUER matches whose IRI starts with it: for a database that holds
    more than one graph (the tests load theirs under their own base beside whatever is there).
    """
    queries = queries or load_queries()
    twins = twins if twins is not None else load_cypher_queries()
    if name not in queries:
        raise QueryError(f"no query named '{name}' (known: {', '.join(sorted(queries))})")
    q = queries[name]
    args = list(args)
    if q.with_arg and args:
        q = queries[q.with_arg]
    if q.name not in twins:
        raise QueryError(f"{q.name}: no Cypher twin (queries/{q.name}.cypher) for the neo4j backend")
    text = twins[q.name].text
    required = [a for a in q.args if not a.startswith("[")]
    if len(args) < len(required):
        raise QueryError(f"{name} needs {' '.join(q.args)} ({q.doc})")
    if q.needs_instrument or "ISSUER" in q.args:
        typed = " ".join(args)
        if q.needs_instrument:
            var, targets = "target", [t for t in resolve_instrument(session, typed) if t.startswith(within or "")]
            if not targets:
                raise QueryError(f"'{typed}': no instrument in Neo4j matches (try `kg query most-cited --backend neo4j`)")
        else:
            var, targets = "org", [t for t in resolve_issuer(session, typed) if t.startswith(within or "")]
            if not targets:
                raise QueryError(f"'{typed}': no issuing body in Neo4j matches (try `kg query by-issuer --backend neo4j`)")
        # one query for every match, ordered as a whole (the SPARQL side binds them all with VALUES)
        c, rs = _run(session, text, {**cypher_parameters(), var + "s": targets})
        cols, rows = _shape(c, rs)
        if q.name == "basis-chain":
            rows = _with_depth(rows, targets)
            if "depth" not in cols:
                cols = cols + ["depth"]
        return Result(columns=cols, rows=rows, targets=targets)
    params: dict[str, Any] = cypher_parameters()  # the relation types the twins read ($relTypes ...)
    if "[N]" in q.args:
        try:
            params["limit"] = int(args[0]) if args else 20
        except ValueError:
            raise QueryError(f"{name}: N must be a whole number, not '{args[0]}'") from None
    c, rs = _run(session, text, params)
    cols, rows = _shape(c, rs)
    if q.name == "basis-chain":
        rows = _with_depth(rows, [])
    return Result(columns=cols, rows=rows)


def run_named_query(name: str, args: Iterable[str], settings: srv.ConnectionSettings) -> Result:
    """Open a connection, run a named query's Cypher twin, close: ``kg query NAME ... --backend neo4j``."""
    from neo4j import exceptions as nx

    drv = open_driver(settings)
    try:
        with quiet_session(drv, settings) as session:  # a twin may name a property no node has yet
            return run_named(session, name, args)
    except (nx.Neo4jError, nx.DriverError) as e:
        raise _translate(e, settings) from None
    finally:
        drv.close()


__all__ = [
    "CypherQuery",
    "LoadError",
    "QueryError",
    "load_cypher_queries",
    "parse_params",
    "plain",
    "resolve_instrument",
    "resolve_issuer",
    "run_cypher",
    "run_named",
    "run_named_query",
]
