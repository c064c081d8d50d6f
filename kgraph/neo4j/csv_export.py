"""A property graph as CSV files for ``neo4j-admin database import full``: the bulk path for full rebuilds.

The same mapping as ``kg load`` (``kgraph.neo4j.rows``, streamed by ``rows_stream``), written as node and
relationship files with typed columns, in chunks as the nodes become final (several files per group when
chunks' columns differ), the schema statements ``kg load`` would create, and an ``import.sh`` that runs the
import from the kgraph Neo4j home. Each node carries its load hash, so a ``kg load`` of the same graph
after the import finds nothing else to do.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgraph.neo4j.install import ADMIN_MAIN, neo4j_home
from kgraph.neo4j.mapping import HASH_KEY, OntologyMapping, check_name, schema_statements
from kgraph.neo4j.rows import PGNode, PGRel, PropertyGraph, read_property_graph
from kgraph.neo4j.rows_stream import NotGrouped, stream_property_graph

#: Between array elements and labels in the CSV (``--array-delimiter``): a control character no text holds.
ARRAY_DELIMITER = "\x1f"
_CSV_TYPES = {bool: "boolean", int: "long", float: "double", dt.date: "date", dt.datetime: "datetime", str: "string"}


def _csv_kind(v: Any) -> str:
    """The neo4j-admin column type of one value (a list of mixed types is written as strings)."""
    if isinstance(v, list):
        kinds = {_CSV_TYPES.get(type(x), "string") for x in v}
        return (kinds.pop() if len(kinds) == 1 else "string") + "[]"
    return _CSV_TYPES.get(type(v), "string")


def _csv_scalar(v: Any) -> str:
    if isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, (dt.date, dt.datetime)):
        s = v.isoformat()
    else:
        s = str(v)
    return s.replace(ARRAY_DELIMITER, " ") if ARRAY_DELIMITER in s else s


def _csv_cell(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, list):
        return ARRAY_DELIMITER.join(_csv_scalar(x) for x in v)
    return _csv_scalar(v)


def _append_csv(path: Path, header: list[str] | None, rows: Iterable[list[str | None]]) -> int:
    """RFC 4180 CSV rows appended (the header first when given): every present value quoted, an absent one
    an empty unquoted field (null on import)."""
    n = 0
    with open(path, "a", encoding="utf-8", newline="") as f:
        if header is not None:
            f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join("" if c is None else '"' + c.replace('"', '""') + '"' for c in row) + "\n")
            n += 1
    return n


class _Files:
    """One group's files: one per distinct header (column names and types), rows appended chunk by chunk."""

    def __init__(self, d: Path, stem: str) -> None:
        self.d, self.stem = d, stem
        self.by_header: dict[tuple[str, ...], Path] = {}

    def write(self, header: list[str], rows: Iterable[list[str | None]]) -> int:
        key = tuple(header)
        path = self.by_header.get(key)
        if path is None:
            path = self.by_header[key] = self.d / f"{self.stem}-{len(self.by_header)}.csv.tmp"
            return _append_csv(path, header, rows)
        return _append_csv(path, None, rows)

    def close(self) -> list[Path]:
        """The files under their final names (``STEM.csv`` when there is one)."""
        done = []
        for tmp in self.by_header.values():
            final = self.d / (f"{self.stem}.csv" if len(self.by_header) == 1 else tmp.name[:-len(".tmp")])
            os.replace(tmp, final)
            done.append(final)
        return done


#: Nodes and relationships held before they are written: each chunk's columns are typed on their own.
CHUNK_NODES = 10_000
CHUNK_RELS = 5_000


class _Writer:
    """Nodes and relationships to CSV in chunks as they come: memory for one chunk, not the graph.

    Within a chunk, a key whose values differ in type splits the rows into typed groups (``_typed_groups``);
    chunks whose columns agree share a file, others get one of their own with its header.
    """

    def __init__(self, d: Path) -> None:
        self.d = d
        for old in [*d.glob("nodes*.csv"), *d.glob("relationships-*.csv"), *d.glob("*.csv.tmp")]:
            old.unlink()
        self.node_files = _Files(d, "nodes")
        self.rel_files: dict[str, _Files] = {}
        self.nodes: list[tuple[PGNode, str]] = []
        self.rels: dict[str, list[PGRel]] = defaultdict(list)
        self.n_pending_rels = 0
        self.n_nodes = 0
        self.n_rels = 0

    def add(self, n: PGNode, h: str, rels: Sequence[PGRel]) -> None:
        self.nodes.append((n, h))
        for r in rels:
            self.rels[r.type].append(r)
        self.n_pending_rels += len(rels)
        if len(self.nodes) >= CHUNK_NODES:
            self._flush_nodes()
        if self.n_pending_rels >= CHUNK_RELS:
            self._flush_rels()

    def _flush_nodes(self) -> None:
        keys, groups = _typed_groups(self.nodes, lambda x: {k: v for k, v in x[0].props.items() if k != "uri"})
        for col, members in groups:
            header = ["uri:ID", ":LABEL", f"{HASH_KEY}:string"] + [f"{k}:{col[k]}" for k in keys]
            self.n_nodes += self.node_files.write(header, ([n.uri, ARRAY_DELIMITER.join(n.labels), h]
                                                           + [_csv_cell(n.props.get(k)) for k in keys]
                                                           for n, h in members))
        self.nodes.clear()

    def _flush_rels(self) -> None:
        for rtype, rels in sorted(self.rels.items()):
            files = self.rel_files.get(rtype)
            if files is None:
                check_name(rtype, "relationship type")
                files = self.rel_files[rtype] = _Files(self.d, f"relationships-{rtype}")
            rkeys, rgroups = _typed_groups(rels, lambda r: r.props)
            for col, members in rgroups:
                header = [":START_ID", ":END_ID", ":TYPE"] + [f"{k}:{col[k]}" for k in rkeys]
                self.n_rels += files.write(header, ([r.start, r.end, r.type] + [_csv_cell(r.props.get(k)) for k in rkeys]
                                                    for r in members))
        self.rels.clear()
        self.n_pending_rels = 0

    def close(self) -> tuple[list[Path], list[Path]]:
        self._flush_nodes()
        self._flush_rels()
        rel_files = [f for _, files in sorted(self.rel_files.items()) for f in files.close()]
        return self.node_files.close(), rel_files


def _typed_groups(items: Sequence[Any], props_of: Callable[[Any], dict[str, Any]]
                  ) -> tuple[list[str], list[tuple[dict[str, str], list[Any]]]]:
    """Property keys, and the items split so that within a group every key has one column type.

    neo4j-admin gives a column one type; a key that is a scalar on one node and a list on another
    (several values there) puts those nodes in a file of their own, so the import is exact.
    """
    kinds: dict[str, set[str]] = defaultdict(set)
    for it in items:
        for k, v in props_of(it).items():
            kinds[k].add(_csv_kind(v))
    keys = sorted(kinds)
    mixed = [k for k in keys if len(kinds[k]) > 1]
    groups: dict[tuple[tuple[str, str], ...], list[Any]] = defaultdict(list)
    for it in items:
        p = props_of(it)
        groups[tuple((k, _csv_kind(p[k])) for k in mixed if k in p)].append(it)
    out = []
    for sig, members in sorted(groups.items()):
        col = {k: min(kinds[k]) for k in keys}
        col.update(dict(sig))
        out.append((col, members))
    return keys, out


@dataclass
class CsvExport:
    """Files written for ``neo4j-admin database import full`` and the command that imports them."""

    directory: Path
    nodes: int
    relationships: int
    node_files: list[Path]
    relationship_files: list[Path]
    schema: Path
    script: Path
    database: str
    seconds: float
    #: RDF triples read
    triples: int = 0
    #: mapped as it was read (False: the file did not keep subjects together, so it was mapped whole)
    streamed: bool = True

    def admin_args(self) -> list[str]:
        """Arguments after ``neo4j-admin`` (the target database must be stopped, or be in a new home)."""
        args = ["database", "import", "full", self.database, "--overwrite-destination=true", "--multiline-fields=true",
                f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}", "--id-type=string"]
        args += [f"--nodes={f}" for f in self.node_files]
        args += [f"--relationships={f}" for f in self.relationship_files]
        return args


def export_csv(pg: PropertyGraph, out: str | Path, *, database: str = "neo4j") -> CsvExport:
    """Write a mapped graph ``pg`` as node and relationship CSV files, ``schema.cypher`` and ``import.sh``.

    Each node carries its load hash, so ``kg load`` of the same graph after the import (which also
    creates the constraint and indexes the import leaves out) finds nothing else to do.
    """
    t0 = time.perf_counter()
    d = _directory(out)
    w = _Writer(d)
    for u in sorted(pg.nodes):
        w.add(pg.nodes[u], pg.node_hash(u), pg.out.get(u, ()))
    return _finish(w, database, pg.triples, t0)


def export_graph(source: str | Path, out: str | Path, *, database: str = "neo4j",
                 mapping: OntologyMapping | None = None) -> CsvExport:
    """``kg export --neo4j-csv``: a build directory or RDF file mapped and written as it is read, in memory
    bounded by what the mapping must hold (``rows_stream``), not by the graph. A file that does not keep
    each subject's triples together is mapped whole first (``rows.read_property_graph``), as before."""
    t0 = time.perf_counter()
    d = _directory(out)
    w = _Writer(d)
    try:
        stats = stream_property_graph(source, w.add, mapping)
    except NotGrouped:
        for f in d.glob("*.csv.tmp"):
            f.unlink()
        pg = read_property_graph(source, mapping)
        exp = export_csv(pg, d, database=database)
        exp.streamed = False
        return exp
    return _finish(w, database, stats.triples, t0)


def _directory(out: str | Path) -> Path:
    d = Path(out).resolve()
    d.mkdir(parents=True, exist_ok=True)
    return d


def _finish(w: _Writer, database: str, triples: int, t0: float) -> CsvExport:
    node_files, rel_files = w.close()
    schema = w.d / "schema.cypher"
    schema.write_text(";\n".join(schema_statements()) + ";\n", encoding="utf-8")
    exp = CsvExport(directory=w.d, nodes=w.n_nodes, relationships=w.n_rels, node_files=node_files,
                    relationship_files=rel_files, schema=schema, script=w.d / "import.sh", database=database,
                    seconds=0.0, triples=triples)
    _write_script(exp)
    exp.seconds = time.perf_counter() - t0
    return exp


def _write_script(exp: CsvExport) -> None:
    """``import.sh``: run neo4j-admin from the kgraph Neo4j home (``kg neo4j stop`` first)."""
    import shlex

    args = " ".join(shlex.quote(a) for a in exp.admin_args())
    exp.script.write_text(
        "#!/bin/sh\n"
        f"# Written by `kg export --neo4j-csv`: imports these CSV files into database '{exp.database}',\n"
        "# REPLACING it. Stop the server first (kg neo4j stop); start it after (kg neo4j start), then\n"
        "# `kg load` the same graph: it creates the constraint and indexes and finds nothing else to do.\n"
        "set -e\n"
        f'NEO4J_HOME="${{NEO4J_HOME:-{neo4j_home()}}}"\n'
        'NEO4J_CONF="${NEO4J_CONF:-$NEO4J_HOME/conf}"\n'
        "export NEO4J_HOME NEO4J_CONF\n"
        f'exec "${{JAVA:-java}}" -cp "$NEO4J_HOME/lib/*" {ADMIN_MAIN} {args}\n',
        encoding="utf-8",
    )
    exp.script.chmod(0o755)
