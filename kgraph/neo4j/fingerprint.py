"""What lets a load of an unchanged graph stop before parsing it: digests of the source and of the result.

A load that finishes stores on its base's marker (``sync.load_property_graph``) the digest of what it read
(``source_digest``: the RDF file's bytes and the code and ontology that map it) and of what the database
then holds for it (``graph_digest``: every node's IRI and hash, and which of its nodes lie outside the
IRI base). The next load from the same origin reads that marker first (``stored_load``): when the file and
the code are the same, no load is running or was cut short, and the nodes under the base (and those
outside it) are exactly the IRIs and hashes stored, the sync would find nothing to write and nothing to
prune, so it is not run (``kgraph.neo4j.stream``). A node a load is rewriting has lost its hash, and a
deleted or added node changes the set, so either sends the load the whole way, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgraph.neo4j.connection import read_rows
from kgraph.neo4j.mapping import HASH_KEY, KEY_LABEL, MARKER_LABEL

if TYPE_CHECKING:
    import neo4j

    from kgraph.neo4j.rows import PropertyGraph

#: Changed when what a digest covers changes, so that no digest of an older kind ever matches.
DIGEST_FORMAT = "kgraph-neo4j-1"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The code and ontology a node's properties and hash come from (a change re-runs the sync once)."""
    import pyoxigraph

    from kgraph.graph import ontology
    from kgraph.neo4j import mapping, rows

    h = hashlib.sha256(f"{DIGEST_FORMAT}\0{pyoxigraph.__version__}\0".encode())
    reader = [Path(rows._ntriples.__file__)] if rows._ntriples is not None else []  # the compiled N-Triples reader
    for p in (Path(rows.__file__), Path(mapping.__file__), Path(ontology.__file__), ontology.ONTOLOGY_FILE, *reader):
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:32]


def source_digest(path: str | Path) -> str:
    """The RDF file's bytes with ``code_digest``: equal digests map to equal graphs (sha256: 0.04 s for 57 MB;
    it releases the GIL while hashing, so a writer thread can do it beside the parse)."""
    with open(path, "rb") as f:
        h = hashlib.file_digest(f, "sha256")
    h.update(code_digest().encode())
    return h.hexdigest()[:32]


def pairs_digest(pairs: Iterable[tuple[str, str | None]]) -> str:
    """Order-free digest of (IRI, hash) pairs (a node without its hash counts as such)."""
    lines = sorted([f"{uri}\0{node_hash or ''}\n" for uri, node_hash in pairs])  # by IRI: "\0" sorts first
    return hashlib.sha256("".join(lines).encode()).hexdigest()[:32]


def graph_digest(pg: PropertyGraph) -> tuple[str, list[str]]:
    """The digest of what a database holding ``pg`` has for it (every node's IRI and hash), and the nodes
    outside its IRI base (the ontology's individuals), which a check by base would not see."""
    base = pg.base or ""
    return (pairs_digest((u, pg.node_hash(u)) for u in pg.nodes),
            sorted(u for u in pg.nodes if not u.startswith(base)))


def stored_load(session: neo4j.Session, origin: str, path: str | Path) -> tuple[dict[str, Any] | None, str | None]:
    """The marker of the last load from ``origin`` when the database still holds exactly what it left and
    ``path`` maps to the same graph (else None), and the source digest if it was computed."""
    row = read_rows(session, f"MATCH (m:{MARKER_LABEL}) WITH collect(m) AS ms "
                        "RETURN any(m IN ms WHERE m.status <> 'done' OR m.status IS NULL) AS unfinished, "
                        "[m IN ms WHERE m.origin = $origin AND m.status = 'done' AND m.source IS NOT NULL "
                        "| m {.base, .source, .graph, .outside, .nodes, .relationships, .triples}] AS done",
                        origin=origin)[0]
    if row["unfinished"] or not row["done"]:
        return None, None
    digest = source_digest(path)
    for m in row["done"]:
        if m["source"] != digest:
            continue
        # one record holding two lists: a record per node costs the driver ten times more than the rest
        held = read_rows(session, f"MATCH (n:{KEY_LABEL}) WHERE n.uri STARTS WITH $base OR n.uri IN $outside "
                         f"RETURN collect(n.uri) AS u, collect(coalesce(n.{HASH_KEY}, '')) AS h",
                         base=m["base"] or "", outside=m["outside"] or [])[0]
        if pairs_digest(zip(held["u"], held["h"])) == m["graph"]:
            return m, digest
    return None, digest
