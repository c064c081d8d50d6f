"""``kg load``: map a build's graph and sync it into Neo4j, writing while mapping when the database is empty.

A second thread connects and creates the schema while the RDF is parsed. Into an empty database it
also writes while the main thread maps (``StreamWriter``): each node as soon as the parser moves past
its subject; at the first citation every node left, then the relationships (with their start node's hash)
of every node but the documents that cite, and each of those documents' once the parser is past its
citations (``rows._Live``: kg build's graph.nt keeps resources first and each file's citations together;
what a file in another order made final too soon is written again or deleted). The mapping is Python-bound
and the writes mostly wait on the server, so the two overlap. One writer thread keeps the order the
crash-safety argument of ``kgraph.neo4j.sync`` needs: a node's properties before its relationships.
The database ends up exactly as the sync would leave it (``tests/test_neo4j_stream.py``); a database
that is not empty gets the sync alone, unless it already holds what the last load from the same source
left, which is checked first, before any parsing (``kgraph.neo4j.fingerprint``).
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgraph.neo4j import sync
from kgraph.neo4j.connection import ConnectionSettings, reraise_as_load_error, quiet_session
from kgraph.neo4j.fingerprint import source_digest, stored_load
from kgraph.neo4j.mapping import OntologyMapping, load_mapping
from kgraph.neo4j.rows import PGNode, PropertyGraph, graph_file, no_gc, read_property_graph
from kgraph.neo4j.sync import Echo, LoadReport, load_property_graph, node_rows, rel_query

if TYPE_CHECKING:
    import neo4j

#: Relationships per write batch while the mapping is still running: small enough that the server
#: starts early and the last batch, written after the mapping, is short.
STREAM_REL_BATCH = 2500

#: Into an empty database, make the query indexes (``mapping.index_statements``) after the nodes are written rather
#: than before: one bulk population instead of an update per node written. They are created as soon as every node
#: is written, before the relationships (which touch no indexed property), so the server populates them while the
#: relationships are mapped and written; the load awaits them at its end. A load cut short leaves a database that
#: is not empty, whose rerun makes them first. Only the uniqueness constraint is needed while writing.
DEFER_INDEXES = True


class StreamWriter:
    """Writes into an empty database from the mapping's callbacks, on one writer thread.

    ``on_early``, ``on_nodes`` and ``on_final`` are ``read_property_graph``'s callbacks; they do
    nothing unless the connection (made on the writer thread meanwhile) found the database empty.
    ``reconcile`` puts right what the final graph maps otherwise, ``finish`` waits for every write;
    ``written`` then says which nodes ``load_property_graph`` need not write again.
    """

    def __init__(self, settings: ConnectionSettings, pool: ThreadPoolExecutor, mapping: OntologyMapping,
                 batch_size: int, driver: neo4j.Driver | None = None, path: Path | None = None,
                 source: str | None = None) -> None:
        self.settings = settings
        self._driver = driver
        self._path = path
        #: the source's digest (``fingerprint.source_digest``), computed by ``finish`` if not given
        self.source = source
        self.mapping = mapping
        self.batch_size = batch_size
        self._pool = pool
        #: the driver (after the schema is made) and whether the database was empty
        self.ready: Future[tuple[neo4j.Driver, bool]] = pool.submit(self._connect)
        #: every write handed to the writer thread, in order
        self.writes: list[Future[None]] = []
        #: streamed nodes → written with their hash (True) or awaiting their relationships (False)
        self.written: dict[str, bool] = {}
        #: nodes handed to the writer, as they were then (a node made again later is compared with this)
        self.sent: dict[str, PGNode] = {}
        #: start nodes whose relationships were handed to the writer → the hash written with them
        self.rel_hashes: dict[str, str] = {}
        #: the base the ``running`` marker was written under (None: no marker yet)
        self.marker_base: str | None = None
        #: relationship rows not yet handed to the writer, and the relationships they hold
        self.pending: list[dict[str, Any]] = []
        self.pending_rels = 0
        #: relationships handed to the writer
        self.streamed_rels = 0
        #: the query indexes' creation was handed to the writer (after the last node write)
        self.indexes_submitted = False
        #: how long ``finish`` waited for them to come online after the last write
        self.index_seconds = 0.0

    @property
    def deferred_indexes(self) -> bool:
        """True when the query indexes are still to be made (the database was empty: see ``DEFER_INDEXES``)."""
        if not DEFER_INDEXES or not self.ready.done() or self.ready.exception() is not None:
            return False
        return self.ready.result()[1]

    @property
    def streaming(self) -> bool:
        """True once anything was written while mapping (the database was empty)."""
        return bool(self.writes)

    def _connect(self) -> tuple[neo4j.Driver, bool]:
        drv = sync.prepare(self.settings, self.mapping, indexes=not DEFER_INDEXES, driver=self._driver)
        try:
            with quiet_session(drv, self.settings) as session:
                fresh = sync.database_is_fresh(session)
                if DEFER_INDEXES and not fresh:  # a sync reads and writes a database that has them: made first
                    sync.ensure_schema(session, self.mapping)
        except BaseException:
            drv.close()
            raise
        return drv, fresh

    def _driver_if_empty(self) -> neo4j.Driver | None:
        """The driver if the database was empty (this load streams), else None."""
        try:
            drv, empty = self.ready.result()
        except Exception:  # noqa: BLE001 - reported by finish(), after the mapping
            return None
        return drv if empty else None

    def _submit_nodes(self, drv: neo4j.Driver, rows: list[dict[str, Any]], base: str | None,
                      old_base: str | None, guess: bool = False, create: bool = False) -> None:
        def work() -> None:
            with quiet_session(drv, self.settings) as session:
                sync.write_nodes(session, rows, self.batch_size, base=base, old_base=old_base, guess=guess,
                                 create=create)

        self.writes.append(self._pool.submit(work))

    def on_early(self, batch: list[PGNode], linked: set[str]) -> None:
        """Nodes whose subject the parser has passed: written with their hash when they have no outgoing link
        (a relationship folded in later changes the hash, and its write sets the right one), else without."""
        drv = self._driver_if_empty()
        if drv is None:
            return
        base = None
        if self.marker_base is None:  # a first guess at the base, from what is parsed so far
            base = self.marker_base = self.mapping.graph_base(n.uri for n in batch) or ""
        nodes = {n.uri: n for n in batch}
        hashes = PropertyGraph(nodes=nodes, out={}, triples=0)
        rows = node_rows(nodes, nodes, linked, hashes.node_hash, {})
        # CREATE, not MERGE: the database was empty and the parser passes each subject once (one split across the
        # file is written again at the end, by MERGE, as are all others)
        self._submit_nodes(drv, rows, base, None, guess=base is not None, create=True)
        self.sent.update(nodes)
        self.written.update((u, u not in linked) for u in nodes)

    def on_nodes(self, nodes: dict[str, PGNode], with_rels: set[str]) -> None:
        """Every node, final: what was not written yet (or changed since), and the hash of nodes without relationships.
        Called once the first citation is read and again at the end (``rows._Live``): the second time only what
        differs is written."""
        drv = self._driver_if_empty()
        if drv is None:
            return
        hashes = PropertyGraph(nodes=nodes, out={}, triples=0)  # hashes of nodes without relationships
        base = self.mapping.graph_base(nodes) or ""
        # what was written and has not changed needs nothing more but its hash, when that is due now
        # (no relationship to carry it): the hash alone, not the node again
        todo = [u for u in nodes if self.sent.get(u) != nodes[u]]
        new = [u for u in todo if u not in self.sent]  # by CREATE, as early nodes (one query plan fewer than MERGE)
        changed = [u for u in todo if u in self.sent]
        if new or base != self.marker_base:  # (the marker moves with the base)
            self._submit_nodes(drv, node_rows(nodes, new, with_rels, hashes.node_hash, {}), base, self.marker_base,
                               create=True)
            self.marker_base = base
        if changed:
            self._submit_nodes(drv, node_rows(nodes, changed, with_rels, hashes.node_hash, {}), base, base)
        hash_rows = [{"uri": u, "h": hashes.node_hash(u)} for u in nodes
                     if u not in with_rels and not self.written.get(u) and self.sent.get(u) == nodes[u]]
        if hash_rows:
            def work() -> None:
                with quiet_session(drv, self.settings) as session:
                    sync.write_hashes(session, hash_rows, self.batch_size)

            self.writes.append(self._pool.submit(work))
        self.sent.update((u, nodes[u]) for u in todo)
        for u in nodes:
            if not self.written.get(u):  # (a start node whose relationships went already stays done)
                self.written[u] = u not in with_rels
        if self.deferred_indexes and not self.indexes_submitted:  # every node is written before the indexes
            def make_indexes() -> None:
                with quiet_session(drv, self.settings) as session:
                    sync.create_indexes(session, self.mapping)

            self.writes.append(self._pool.submit(make_indexes))
            self.indexes_submitted = True

    def on_final(self, pg: PropertyGraph, uris: list[str]) -> None:
        """These start nodes' relationships are final: queued with the node's hash, written in batches. One whose
        relationships were written already (the file broke the order ``rows._Live`` streams by) is written again
        only if its hash changed, replacing them."""
        if not self.streaming:
            return
        for u in uris:
            rels = pg.out.get(u, ())
            h = pg.node_hash(u)
            old = self.rel_hashes.get(u)
            if old == h:
                continue
            row = {"s": u, "h": h, "rels": [{"t": r.type, "e": r.end, "props": r.props} for r in rels]}
            self.rel_hashes[u] = h
            if old is not None:
                self._replace(row)
                continue
            self.pending.append(row)
            self.pending_rels += len(rels)
            if self.pending_rels >= STREAM_REL_BATCH:
                self._flush()

    def _replace(self, row: dict[str, Any]) -> None:
        """A start node's relationships written again: those it no longer has deleted, the others MERGEd, with its
        hash (until then the node's stored hash is the old one: a load cut short in between redoes it)."""
        self._flush()
        drv = self.ready.result()[0]

        def work() -> None:
            with quiet_session(drv, self.settings) as session:
                sync.write_rows(session, sync.DELETE_OTHER_RELS_QUERY,
                                [sync.keep_row(row["s"], ((r["t"], r["e"]) for r in row["rels"]))])
                sync.write_rows(session, rel_query("MERGE"), [row])

        self.writes.append(self._pool.submit(work))
        self.streamed_rels += len(row["rels"])

    def reconcile(self, pg: PropertyGraph) -> None:
        """What was written for a subject the final graph maps otherwise, put right: a node written as the parser
        passed it that turned out to be no node (a citation whose type came later in the file) is deleted, and a start
        node whose relationships were written but that has none in the end loses them (``rows._Live`` hands out only
        what the file's order says is final; this covers a file in another order)."""
        if not self.streaming:
            return
        for u in [u for u in self.rel_hashes if u in pg.nodes and u not in pg.out]:
            self.rel_hashes[u] = pg.node_hash(u)
            self._replace({"s": u, "h": self.rel_hashes[u], "rels": []})
        gone = [u for u in self.sent if u not in pg.nodes]
        if gone:
            drv = self.ready.result()[0]

            def work() -> None:
                with quiet_session(drv, self.settings) as session:
                    for chunk in sync.batches(gone, self.batch_size):
                        sync.write_rows(session, sync.DELETE_NODES_QUERY, chunk)

            self.writes.append(self._pool.submit(work))

    def _flush(self) -> None:
        if not self.pending:
            return
        drv, rows = self.ready.result()[0], self.pending[:]

        def work() -> None:
            with quiet_session(drv, self.settings) as session:
                sync.create_relationships(session, rows)

        self.writes.append(self._pool.submit(work))
        for row in rows:
            self.written[row["s"]] = True
        self.streamed_rels += self.pending_rels
        self.pending.clear()
        self.pending_rels = 0

    def finish(self) -> neo4j.Driver:
        """Hand over the last relationships, wait for every write and for the indexes made meanwhile to be online;
        the driver (a connection error raises here)."""
        if self.streaming:
            self._flush()
        drv = self.ready.result()[0]
        if self.indexes_submitted:
            def await_indexes() -> None:
                t = time.perf_counter()
                with quiet_session(drv, self.settings) as session:
                    session.run("CALL db.awaitIndexes(300)").consume()
                self.index_seconds = time.perf_counter() - t

            self.writes.append(self._pool.submit(await_indexes))
        if self.source is None and self._path is not None:  # while the last writes go (hashing releases the GIL),
            self.source = source_digest(self._path)  # not before the first on the writer thread
        for f in self.writes:
            f.result()
        return drv

    def abort(self) -> None:
        """Cancel the writes not started and close the connection."""
        for f in self.writes:
            f.cancel()
        for f in self.writes:  # the write running now still uses the driver: closing under it broke the
            if not f.cancelled():  # driver's buffer (BufferError) instead of reporting the load's own error
                try:
                    f.result(timeout=60)
                except BaseException:  # noqa: BLE001 - the first failure is the one reported
                    pass
        if self.ready.done() and self.ready.exception() is None:
            self.ready.result()[0].close()


def load(source: str | Path, settings: ConnectionSettings, *, batch_size: int = 10000, prune: bool | None = True,
         echo: Echo | None = None) -> LoadReport:
    """``kg load``: read a build directory or RDF file, map it, and sync it into Neo4j (streaming into an
    empty database; see the module docstring). The cyclic garbage collector stays paused to the end (as while
    mapping, ``rows.no_gc``): after the mapping each collection would walk the whole mapped graph again."""
    with no_gc():
        return _load(source, settings, batch_size=batch_size, prune=prune, echo=echo)


def _load(source: str | Path, settings: ConnectionSettings, *, batch_size: int, prune: bool | None,
          echo: Echo | None) -> LoadReport:
    t0 = time.perf_counter()
    path = graph_file(source)
    origin = str(Path(source).resolve())
    mapping = load_mapping()
    checked = _unchanged(settings, mapping, origin, path, t0)
    if isinstance(checked, LoadReport):
        return checked
    drv, digest = checked
    with ThreadPoolExecutor(max_workers=1) as pool:
        writer = StreamWriter(settings, pool, mapping, batch_size, driver=drv, path=path, source=digest)
        try:
            pg = read_property_graph(source, on_nodes=writer.on_nodes, on_final=writer.on_final,
                                     on_early=writer.on_early)
            writer.reconcile(pg)
            t_map = time.perf_counter() - t0
            drv = writer.finish()
        except BaseException as e:
            writer.abort()
            reraise_as_load_error(e, settings)  # a write that failed mid-stream
    report = load_property_graph(pg, settings, batch_size=batch_size, prune=prune, echo=echo, driver=drv,
                                 written=writer.written if writer.streaming else None,
                                 origin=origin, source=writer.source)
    if writer.indexes_submitted:  # made while the relationships were written (``on_nodes``), awaited by ``finish``
        report.seconds["indexes"] = writer.index_seconds
    elif writer.deferred_indexes:  # no node written (an empty graph): made now
        t = time.perf_counter()
        sync.prepare(settings, writer.mapping).close()
        report.seconds["indexes"] = time.perf_counter() - t
    report.relationships_written += writer.streamed_rels
    report.streamed = writer.streaming
    report.seconds["map"] = t_map
    report.seconds["total"] = time.perf_counter() - t0
    return report


def _unchanged(settings: ConnectionSettings, mapping: OntologyMapping, origin: str, path: Path,
               t0: float) -> LoadReport | tuple[neo4j.Driver, str | None]:
    """Connect and ask whether the last load from ``origin`` left the database holding what ``path`` maps to
    (``fingerprint.stored_load``). If so the schema is made sure of, as a sync would, and the report of a load
    that found nothing to do comes back; else the driver (for the writer thread) and the source's digest if the
    check computed it."""
    drv = sync.open_driver(settings, check_database=False)
    try:
        with quiet_session(drv, settings) as session:
            stored, digest = stored_load(session, origin, path)
            if stored is None:
                return drv, digest
            sync.ensure_schema(session, mapping)
    except BaseException as e:
        drv.close()
        reraise_as_load_error(e, settings)
    drv.close()
    n = stored["nodes"]
    report = sync.LoadReport(triples=stored["triples"], nodes=n, relationships=stored["relationships"],
                             nodes_unchanged=n, base=stored["base"] or None, database=settings.database)
    report.seconds["total"] = time.perf_counter() - t0
    return report
