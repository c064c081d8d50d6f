"""Make a Neo4j database hold a property graph: a sync keyed by IRI, crash-safe, and every write of the loader.

Loading is a sync of the graph into the database, keyed by IRI: every node stores a hash of its
labels, properties and outgoing relationships, written in the transaction that completes the node,
so a second load of the same graph writes nothing, a changed document has its outgoing
relationships replaced (not added to), and a load cut short is finished by running it again (what
lacks its hash is redone with MERGE: no duplicates). A marker node per IRI base records whether the
last load finished, for the message, and where that load came from (``origin``: the build folder or
file). Nodes under the graph's IRI base that the graph no longer has are deleted (``prune``); with
``prune=None`` (what `kg load` does unless told) only when the last load came from the same origin, so
a load of another build never deletes the first one's nodes unless asked: it is refused, nothing
written, with a message saying how many nodes and from where. Deletions are announced before they happen.
The marker of a load that finished also holds the digests ``kgraph.neo4j.fingerprint`` compares, so that
the next load of the same source into an unchanged database stops before parsing it.

Node keys go through MERGE on ``:Resource(uri)`` (the label named, so the uniqueness index is used).
The other labels and the relationship types are set from parameters (Neo4j 5.26's dynamic labels
and types), so one query plan serves every kind. All values travel as parameters. Every write
goes through ``write_rows`` (the streaming writer, ``kgraph.neo4j.stream``, uses this module's
statements too), so one place batches, retries and can be made to fail in tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kgraph.neo4j.connection import (ConnectionSettings, LoadError, open_driver, quiet_session, read_rows,
                                     reraise_as_load_error)
from kgraph.neo4j.mapping import (HASH_KEY, KEY_LABEL, MARKER_LABEL, OntologyMapping, check_name, index_statements,
                                  key_statements, schema_statements)
from kgraph.neo4j.fingerprint import graph_digest
from kgraph.neo4j.rows import PGNode, PropertyGraph

if TYPE_CHECKING:
    import neo4j

Echo = Callable[[str], None]


class _Rows(list):  # type: ignore[type-arg]
    """A batch of UNWIND rows whose ``repr`` is one short line.

    The driver (6.x) formats every RUN's parameters for a debug log line even when debug logging is
    off; for a load that is megabytes of sentences turned to text and thrown away on each batch (a
    tenth of the loader's Python time). The packer takes a list subclass as a list.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def write_rows(session: neo4j.Session, query: str, rows: list[dict[str, Any]]) -> Any:
    """One batch in one managed write transaction (the driver retries it on transient errors)."""
    batch = _Rows(rows)

    def work(tx: neo4j.ManagedTransaction) -> Any:
        return tx.run(query, rows=batch).consume().counters

    return session.execute_write(work)


def batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def _rel_batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Rows of (start node, its relationships) cut so that a batch holds about ``size`` relationships."""
    batch: list[dict[str, Any]] = []
    n = 0
    for row in rows:
        batch.append(row)
        n += len(row["rels"])
        if n >= size:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


@dataclass
class LoadReport:
    """What one load did, and how fast; rates are per second of the whole load (parse to commit)."""

    triples: int
    nodes: int
    relationships: int
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    nodes_deleted: int = 0
    relationships_written: int = 0
    relationships_deleted: int = 0
    labels_removed: int = 0
    resumed: bool = False
    #: Written while the RDF was still being mapped (a load into an empty database).
    streamed: bool = False
    base: str | None = None
    database: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.nodes_created or self.nodes_updated or self.nodes_deleted or self.relationships_deleted)

    def rates(self) -> dict[str, float]:
        total = self.seconds.get("total") or 0.0
        if not total:
            return {}
        return {"triples_per_s": self.triples / total, "relationships_per_s": self.relationships / total,
                "nodes_per_s": self.nodes / total}

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items()}
        d["rates"] = {k: round(v, 1) for k, v in self.rates().items()}
        d["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        return d


def schema_name(statement: str) -> str:
    """The name a ``mapping.key_statements``/``index_statements`` statement gives its constraint or index (a
    constraint's own index has the same name, so ``SHOW INDEXES`` lists every one)."""
    m = re.search(r"(?:INDEX|CONSTRAINT) (\w+) IF NOT EXISTS", statement)
    if m is None:
        raise ValueError(f"not a named schema statement: {statement}")
    return m.group(1)


def schema_state(session: neo4j.Session) -> dict[str, str]:
    """Every index in the database (the constraints' own included) by name, with its state (``ONLINE``...)."""
    return {r["name"]: r["state"] for r in session.run("SHOW INDEXES YIELD name, state RETURN name, state")}


def ensure_schema(session: neo4j.Session, mapping: OntologyMapping | None = None, *, indexes: bool = True) -> None:
    """Create the constraint and (with ``indexes``) the query indexes that are missing, and wait until they are online.

    Asked first (one ``SHOW INDEXES``): when every one is there and online nothing else is sent. Their ``CREATE ...
    IF NOT EXISTS`` changed nothing then, but each was planned and run on every load, then a wait."""
    wanted = {schema_name(stmt): stmt for stmt in (schema_statements(mapping) if indexes else key_statements())}
    have = schema_state(session)
    missing = [stmt for name, stmt in wanted.items() if name not in have]
    create_schema(session, missing)
    if missing or any(have[name] != "ONLINE" for name in wanted if name in have):
        session.run("CALL db.awaitIndexes(300)").consume()


def create_schema(session: neo4j.Session, statements: list[str]) -> None:
    """Schema statements in one transaction: the server populates what they make together, and its plan cache,
    which every index coming online empties, is emptied once rather than once per index."""
    if not statements:
        return
    with session.begin_transaction() as tx:
        for stmt in statements:
            tx.run(stmt).consume()
        tx.commit()


def create_indexes(session: neo4j.Session, mapping: OntologyMapping | None = None) -> None:
    """The query indexes (``mapping.index_statements``) created, not awaited: the server populates them in the
    background while the load goes on (``ensure_schema`` or ``prepare`` awaits them)."""
    create_schema(session, index_statements(mapping))


def prepare(settings: ConnectionSettings, mapping: OntologyMapping | None = None, *,
            indexes: bool = True, driver: neo4j.Driver | None = None) -> neo4j.Driver:
    """Connect (clear errors for a server down, a wrong password or database) and create the schema (without
    ``indexes``: only the uniqueness constraint and the markers' index the writes need). ``driver``: one
    already connected (closed here on an error, as one opened here).

    Separate from the load so ``load()`` can do it while the RDF is still being parsed.
    """
    drv = driver or open_driver(settings)
    try:
        with quiet_session(drv, settings) as session:
            ensure_schema(session, mapping, indexes=indexes)
    except Exception as e:
        drv.close()
        reraise_as_load_error(e, settings)
    return drv


def node_rows(pg_nodes: Mapping[str, PGNode], uris: Iterable[str], with_rels: set[str],
               hash_of: Callable[[str], str], existing: Mapping[str, tuple[str | None, list[str]]]) -> list[dict[str, Any]]:
    """UNWIND rows for nodes: properties, labels to set and to remove, and the hash when the node has
    no outgoing relationships (otherwise the relationship write carries it)."""
    rows = []
    for u in uris:
        n = pg_nodes[u]
        props = n.props
        if u not in with_rels:
            props = dict(props)
            props[HASH_KEY] = hash_of(u)
        old = existing.get(u)
        rows.append({"uri": u, "props": props, "labels": list(n.labels),  # checked when the mapping made them
                     "remove": [lbl for lbl in old[1] if lbl not in n.labels] if old else []})
    return rows


#: Node upsert: MERGE names the key label, so the uniqueness index finds the node; the other labels
#: are set (and stale ones removed) from parameters (dynamic labels, Neo4j 5.26+): one plan for all.
NODE_QUERY = (f"UNWIND $rows AS row MERGE (n:{KEY_LABEL} {{uri: row.uri}}) SET n = row.props "
              "SET n:$(row.labels) REMOVE n:$(row.remove)")

#: Nodes new to an empty database (``kgraph.neo4j.stream``): no lookup first, no labels to remove. The
#: uniqueness constraint refuses a second node with the same IRI; ``write_nodes`` then MERGEs that batch.
NODE_CREATE_QUERY = f"UNWIND $rows AS row CREATE (n:{KEY_LABEL}) SET n = row.props SET n:$(row.labels)"

#: The hash alone, for a node already written whole (a streamed node the parser passed, unchanged since).
HASH_QUERY = f"UNWIND $rows AS row MATCH (n:{KEY_LABEL} {{uri: row.uri}}) SET n.{HASH_KEY} = row.h"


def rel_query(verb: str) -> str:
    """A node's hash and all its outgoing relationships in one transaction (types from parameters)."""
    return (f"UNWIND $rows AS row MATCH (a:{KEY_LABEL} {{uri: row.s}}) SET a.{HASH_KEY} = row.h "
            f"WITH a, row UNWIND row.rels AS rel MATCH (b:{KEY_LABEL} {{uri: rel.e}}) "
            f"{verb} (a)-[r:$(rel.t)]->(b) SET r = rel.props")


#: The outgoing relationships of a node that are not among those to keep (``keep_row``): deleted before the node's
#: relationships are written again.
DELETE_OTHER_RELS_QUERY = (f"UNWIND $rows AS row MATCH (a:{KEY_LABEL} {{uri: row.uri}})-[r]->(b) "
                           "WHERE NOT type(r) + '|' + b.uri IN row.keep DELETE r")


#: Nodes (rows: their IRIs) deleted with their relationships.
DELETE_NODES_QUERY = f"UNWIND $rows AS u MATCH (n:{KEY_LABEL} {{uri: u}}) DETACH DELETE n"


def keep_row(uri: str, rels: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A ``DELETE_OTHER_RELS_QUERY`` row: the node and the (type, end) of the relationships it keeps."""
    return {"uri": uri, "keep": [f"{t}|{e}" for t, e in rels]}


def database_is_fresh(session: neo4j.Session) -> bool:
    """True when the database holds no loaded node and no load marker: nothing to compare a load with."""
    row = read_rows(session, f"RETURN COUNT {{ (n:{KEY_LABEL}) }} + COUNT {{ (m:{MARKER_LABEL}) }} AS n")[0]
    return row["n"] == 0


def write_nodes(session: neo4j.Session, rows: list[dict[str, Any]], batch_size: int, *,
                base: str | None = None, old_base: str | None = None, guess: bool = False,
                create: bool = False) -> None:
    """Node rows in batches, after marking a load ``running`` under ``base`` (its marker under ``old_base``,
    a first guess at the base, dropped). A marker written under a ``guess`` says so (``m.guess``): a load
    cut short before the base was known leaves it, and the rerun (by the sync) removes it."""
    if base is not None and base != old_base:
        write_rows(session, f"UNWIND $rows AS row MERGE (m:{MARKER_LABEL} {{base: row.base}}) "
                   "SET m.status = 'running', m.started = datetime(), m.finished = null, m.guess = row.guess "
                   f"WITH row OPTIONAL MATCH (o:{MARKER_LABEL} {{base: row.old}}) DELETE o",
                   [{"base": base, "old": old_base, "guess": guess or None}])
    from neo4j.exceptions import ConstraintError

    for chunk in batches(rows, batch_size):
        if create:
            try:
                write_rows(session, NODE_CREATE_QUERY, chunk)
                continue
            except ConstraintError:  # a node there already (a retried batch whose first commit went through): MERGE
                pass
        write_rows(session, NODE_QUERY, chunk)


def write_hashes(session: neo4j.Session, rows: list[dict[str, Any]], batch_size: int) -> None:
    """Rows of (uri, hash) for nodes whose properties and labels are already written (``HASH_QUERY``)."""
    for chunk in batches(rows, batch_size):
        write_rows(session, HASH_QUERY, chunk)


def create_relationships(session: neo4j.Session, rows: list[dict[str, Any]]) -> None:
    """Rows of (start node, its hash, its relationships) into a database that has none of them yet."""
    write_rows(session, rel_query("CREATE"), rows)


#: The markers a stream cut short left under a guessed base, deleted before the load is marked done. A guess is a
#: prefix of the real base or the base a prefix of it; other builds' markers are not touched.
DROP_GUESSES_QUERY = (f"UNWIND $rows AS row MATCH (o:{MARKER_LABEL}) WHERE o.guess AND o.base <> row.base "
                      "AND (row.base STARTS WITH o.base OR o.base STARTS WITH row.base) DELETE o")

#: The marker of a load under ``row.base`` marked done, with ``row.props`` (a null value removes that property).
DONE_QUERY = (f"UNWIND $rows AS row MERGE (m:{MARKER_LABEL} {{base: row.base}}) "
              "SET m += row.props, m.finished = datetime()")


def _mark_done(write: Callable[[neo4j.Session, str, list[dict[str, Any]]], Any], session: neo4j.Session, base: str,
               props: dict[str, Any], guessed: bool) -> None:
    """Mark the load under ``base`` done with ``props``, the guessed markers (``guessed``: the load read some) deleted
    first. Two plain statements rather than one: the server planned the one with the deletion folded in, on every
    load and as its last step, in 0.1-0.2 s of its CPU, against about 0.05 s for this ``DONE_QUERY``."""
    if guessed:
        write(session, DROP_GUESSES_QUERY, [{"base": base}])
    write(session, DONE_QUERY, [{"base": base, "props": {"status": "done", "guess": None, **props}}])


#: set on the marker with the query that stores the digests (``_digests`` gives the values): see ``fingerprint``
_DIGESTS = "m.source = row.source, m.graph = row.graph, m.outside = row.outside "


def _digests(pg: PropertyGraph, source: str | None) -> dict[str, Any]:
    """The marker's digests for a database that now holds ``pg`` (none without the source's digest)."""
    if not source:
        return {"source": None, "graph": None, "outside": None}
    graph, outside = graph_digest(pg)
    return {"source": source, "graph": graph, "outside": outside}


def stored_nodes(session: neo4j.Session, uris: list[str],
                 chunk: int = 20000) -> dict[str, tuple[str | None, list[str]]]:
    """The stored hash (None where a load cut short left none) and labels of each of ``uris`` that the database holds.

    Each chunk comes back as one record of three parallel lists: a record per node cost the driver a decoded,
    wrapped record each, 0.8 of the 3.6 CPU seconds of a `kg load` after a change on the 8,408-node corpus graph."""
    existing: dict[str, tuple[str | None, list[str]]] = {}
    for part in batches(uris, chunk):
        r = read_rows(session, f"UNWIND $uris AS x MATCH (n:{KEY_LABEL} {{uri: x}}) RETURN collect(n.uri) AS u, "
                      f"collect(coalesce(n.{HASH_KEY}, '')) AS h, collect(labels(n)) AS l", uris=part)[0]
        for u, h, labels in zip(r["u"], r["h"], r["l"]):
            existing[u] = (h or None, labels)
    return existing


def load_property_graph(
    pg: PropertyGraph,
    settings: ConnectionSettings,
    *,
    batch_size: int = 10000,
    prune: bool | None = True,
    mapping: OntologyMapping | None = None,
    echo: Echo | None = None,
    fail_after: int | None = None,
    driver: neo4j.Driver | None = None,
    written: Mapping[str, bool] | None = None,
    origin: str | None = None,
    source: str | None = None,
) -> LoadReport:
    """Make the database hold ``pg`` (within its IRI base); see the module docstring.

    Crash safety: a node's hash is written in the transaction that completes it (with the node when
    it has no outgoing relationships, else with them), so a node carrying the right hash is complete
    and a rerun redoes exactly the others, MERGEing: no duplicates. A marker node says ``running``
    from the first write to the last, so the rerun can say it is finishing an interrupted load.
    ``fail_after`` stops after that many write batches with a LoadError (how the tests simulate a
    crash). ``driver`` is one ``prepare()`` returned (closed here). ``written``: nodes
    ``kgraph.neo4j.stream.load`` already wrote into an empty database while mapping: True when complete (with their hash, and
    their relationships if any), False when their relationships are still to be written here. ``source``: the
    source's digest (``fingerprint.source_digest``), stored on the marker with the graph's once the database
    holds the graph, so that the next load of the same source can stop early (``fingerprint.stored_load``).
    """
    t0 = time.perf_counter()
    say = echo or (lambda _msg: None)
    base = pg.base or ""
    report = LoadReport(triples=pg.triples, nodes=len(pg.nodes), relationships=pg.relationship_count,
                        base=pg.base, database=settings.database)
    drv = driver or prepare(settings, mapping)
    report.seconds["schema"] = time.perf_counter() - t0
    budget = fail_after

    def write(session: neo4j.Session, query: str, rows: list[dict[str, Any]]) -> Any:
        nonlocal budget
        if budget is not None:
            if budget <= 0:
                raise LoadError("stopped on purpose (fail_after) to simulate a crash")
            budget -= 1
        return write_rows(session, query, rows)

    try:
        with quiet_session(drv, settings) as session:
            # 0. what is there: stored hashes and labels, nodes under the base the graph lacks, the marker
            t = time.perf_counter()
            # a streamed load (``written``) wrote its own ``running`` marker into an empty database: nothing to read
            marker = [] if written is not None else read_rows(
                session, f"MATCH (m:{MARKER_LABEL} {{base: $base}}) RETURN m.status AS status, "
                "toString(m.started) AS started, m.origin AS origin, m.source AS source", base=base)
            # a streamed load cut short before it knew its base left its marker under a first guess
            guessed = [] if written is not None else read_rows(
                session, f"MATCH (m:{MARKER_LABEL}) WHERE m.guess AND m.base <> $base AND ($base STARTS WITH m.base "
                "OR m.base STARTS WITH $base) RETURN m.status AS status, toString(m.started) AS started, "
                "m.origin AS origin", base=base)
            if not (marker and marker[0]["status"] == "running") and guessed:
                marker = guessed
            if marker and marker[0]["status"] == "running":
                report.resumed = True
                say(f"The previous load into {settings.database or 'the default database'} (started "
                    f"{marker[0]['started']}) did not finish; finishing it now.")
            existing: dict[str, tuple[str | None, list[str]]] = {}
            uris = list(pg.nodes)
            fresh = written is not None or read_rows(session, f"MATCH (n:{KEY_LABEL}) RETURN count(n) AS n")[0]["n"] == 0
            if not fresh:
                existing = stored_nodes(session, uris)
            stale: list[str] = []
            if prune is not False and pg.base and not fresh:
                held = read_rows(session, f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base "
                                 "RETURN collect(n.uri) AS u", base=pg.base)[0]["u"]
                stale = [u for u in held if u not in pg.nodes]
            if stale:
                before = marker[0]["origin"] if marker else None
                if prune is None and (origin is None or before != origin):
                    raise LoadError(
                        f"{settings.database or 'the database'} holds {len(stale)} nodes under {base} that this graph "
                        f"does not have, put there by a load of {before or 'another graph'}; nothing was changed. "
                        "Add --prune to delete them (the database then holds this graph only), or --no-prune to "
                        "load this graph beside them.")
                say(f"Deleting {len(stale)} nodes under {base} that this graph no longer has "
                    f"(e.g. {', '.join(sorted(stale)[:3])}).")
            if fresh:  # an empty database: everything is new, no stored hash to compare with
                changed = uris
            else:
                changed = [u for u in uris if existing.get(u, (None, []))[0] != pg.node_hash(u)]
            report.seconds["diff"] = time.perf_counter() - t
            new = {u for u in changed if u not in existing}
            report.nodes_created = len(new)
            report.nodes_updated = len(changed) - len(new)
            report.nodes_unchanged = len(uris) - len(changed)
            if not changed and not stale:
                if report.resumed:
                    _mark_done(write, session, base, _digests(pg, source), bool(guessed))
                elif source and marker and marker[0]["origin"] == origin and marker[0].get("source") != source:
                    # the database holds this graph, loaded from here by a loader that stored no digest (or
                    # another one): stored now, so the next load of it stops early
                    write(session, f"UNWIND $rows AS row MATCH (m:{MARKER_LABEL} {{base: row.base}}) SET " + _DIGESTS,
                          [{"base": base, **_digests(pg, source)}])
                report.seconds["total"] = time.perf_counter() - t0
                return report
            if written is None:
                write(session, f"UNWIND $rows AS row MERGE (m:{MARKER_LABEL} {{base: row.base}}) "
                      "SET m.status = 'running', m.started = datetime(), m.finished = null, m.origin = row.origin",
                      [{"base": base, "origin": origin}])

            # 1. nodes: properties replaced, labels set and stale ones removed
            t = time.perf_counter()
            with_rels = {u for u, rels in pg.out.items() if rels}
            # streamed nodes are done, unless one streamed without a hash turned out to have no relationship
            todo = [u for u in changed if written is None or u not in written or (not written[u] and u not in with_rels)]
            for chunk in batches(node_rows(pg.nodes, todo, with_rels, pg.node_hash, existing), batch_size):
                write(session, NODE_QUERY, chunk)
            report.seconds["nodes"] = time.perf_counter() - t

            # 2. relationships: a changed node that existed loses the outgoing ones the graph no longer
            # has; new nodes' relationships are CREATEd, the others MERGEd; each row ends with the hash.
            t = time.perf_counter()
            keep_rows = [keep_row(u, ((r.type, r.end) for r in pg.out.get(u, ()))) for u in changed if u in existing]
            for chunk in batches(keep_rows, batch_size):
                c = write(session, DELETE_OTHER_RELS_QUERY, chunk)
                report.relationships_deleted += c.relationships_deleted
            groups: dict[str, list[dict[str, Any]]] = {"CREATE": [], "MERGE": []}
            for u in changed:
                rels = pg.out.get(u)
                if rels and not (written and written.get(u)):
                    groups["CREATE" if u in new else "MERGE"].append(
                        {"s": u, "h": pg.node_hash(u),
                         "rels": [{"t": check_name(r.type, "relationship type"), "e": r.end, "props": r.props}
                                  for r in rels]})
            for verb, rel_rows in groups.items():
                q = rel_query(verb)
                for chunk in _rel_batches(rel_rows, batch_size):
                    write(session, q, chunk)
                    report.relationships_written += sum(len(x["rels"]) for x in chunk)
            report.seconds["relationships"] = time.perf_counter() - t

            # 3. what the graph no longer has, under its base
            t = time.perf_counter()
            for chunk in batches(stale, batch_size):
                c = write(session, DELETE_NODES_QUERY, chunk)
                report.nodes_deleted += c.nodes_deleted
                report.relationships_deleted += c.relationships_deleted
            report.seconds["prune"] = time.perf_counter() - t
            _mark_done(write, session, base, {"nodes": len(pg.nodes), "relationships": pg.relationship_count,
                                              "triples": pg.triples, "origin": origin, **_digests(pg, source)},
                       bool(guessed))
    except LoadError:
        raise
    except Exception as e:  # noqa: BLE001 - driver errors become LoadError with a clear message
        reraise_as_load_error(e, settings)
    finally:
        drv.close()
    report.seconds["total"] = time.perf_counter() - t0
    return report


def graph_counts(settings: ConnectionSettings, base: str | None = None) -> dict[str, int]:
    """Nodes and relationships in the database (only under ``base`` when given): the figure tests compare."""
    drv = open_driver(settings)
    try:
        with quiet_session(drv, settings) as session:
            if base:
                rec = read_rows(session, f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base "
                            "RETURN count(n) AS nodes, sum(COUNT { (n)-->() }) AS rels", base=base)[0]
            else:
                rec = read_rows(session, "MATCH (n) RETURN count(n) AS nodes, sum(COUNT { (n)-->() }) AS rels")[0]
    finally:
        drv.close()
    return {"nodes": rec["nodes"], "relationships": rec["rels"] or 0}


def delete_base(settings: ConnectionSettings, base: str, batch_size: int = 10000) -> int:
    """Delete every node under ``base`` (and its marker), in batches (what the tests use to clean up)."""
    drv = open_driver(settings)
    deleted = 0
    try:
        with quiet_session(drv, settings) as session:
            while True:
                c = session.execute_write(lambda tx: tx.run(
                    f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base WITH n LIMIT $n DETACH DELETE n",
                    base=base, n=batch_size).consume().counters)
                deleted += c.nodes_deleted
                if c.nodes_deleted < batch_size:
                    break
            session.execute_write(lambda tx: tx.run(f"MATCH (m:{MARKER_LABEL} {{base: $base}}) DELETE m",
                                                    base=base).consume())
    finally:
        drv.close()
    return deleted

