"""A property graph as CSV files for ``neo4j-admin database import full``: the bulk path for full rebuilds.

The same mapping as ``kg load`` (``kgraph.neo4j.rows``), written as node and relationship files with
typed columns, the schema statements ``kg load`` would create, and an ``import.sh`` that runs the
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
from kgraph.neo4j.mapping import HASH_KEY, check_name, schema_statements
from kgraph.neo4j.rows import PGRel, PropertyGraph

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


def _write_csv(path: Path, header: list[str], rows: Iterable[list[str | None]]) -> int:
    """RFC 4180 CSV: every present value quoted, an absent one an empty unquoted field (null on import)."""
    n = 0
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join("" if c is None else '"' + c.replace('"', '""') + '"' for c in row) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


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

    def admin_args(self) -> list[str]:
        """Arguments after ``neo4j-admin`` (the target database must be stopped, or be in a new home)."""
        args = ["database", "import", "full", self.database, "--overwrite-destination=true", "--multiline-fields=true",
                f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}", "--id-type=string"]
        args += [f"--nodes={f}" for f in self.node_files]
        args += [f"--relationships={f}" for f in self.relationship_files]
        return args


def export_csv(pg: PropertyGraph, out: str | Path, *, database: str = "neo4j") -> CsvExport:
    """Write ``pg`` as node and relationship CSV files, ``schema.cypher`` and ``import.sh``.

    Each node carries its load hash, so ``kg load`` of the same graph after the import (which also
    creates the constraint and indexes the import leaves out) finds nothing else to do.
    """
    t0 = time.perf_counter()
    d = Path(out).resolve()
    d.mkdir(parents=True, exist_ok=True)
    for old in [*d.glob("nodes*.csv"), *d.glob("relationships-*.csv")]:
        old.unlink()
    nodes = [pg.nodes[u] for u in sorted(pg.nodes)]
    keys, groups = _typed_groups(nodes, lambda n: {k: v for k, v in n.props.items() if k != "uri"})
    node_files = []
    n_nodes = 0
    for i, (col, members) in enumerate(groups):
        header = ["uri:ID", ":LABEL", f"{HASH_KEY}:string"] + [f"{k}:{col[k]}" for k in keys]
        path = d / (f"nodes-{i}.csv" if len(groups) > 1 else "nodes.csv")
        n_nodes += _write_csv(path, header, ([n.uri, ARRAY_DELIMITER.join(n.labels), pg.node_hash(n.uri)]
                                             + [_csv_cell(n.props.get(k)) for k in keys] for n in members))
        node_files.append(path)
    by_type: dict[str, list[PGRel]] = defaultdict(list)
    for r in pg.rels():
        by_type[r.type].append(r)
    rel_files = []
    n_rels = 0
    for rtype, rels in sorted(by_type.items()):
        check_name(rtype, "relationship type")
        rkeys, rgroups = _typed_groups(rels, lambda r: r.props)
        for i, (col, members) in enumerate(rgroups):
            header = [":START_ID", ":END_ID", ":TYPE"] + [f"{k}:{col[k]}" for k in rkeys]
            path = d / (f"relationships-{rtype}-{i}.csv" if len(rgroups) > 1 else f"relationships-{rtype}.csv")
            n_rels += _write_csv(path, header, ([r.start, r.end, r.type] + [_csv_cell(r.props.get(k)) for k in rkeys]
                                                for r in members))
            rel_files.append(path)
    schema = d / "schema.cypher"
    schema.write_text(";\n".join(schema_statements()) + ";\n", encoding="utf-8")
    exp = CsvExport(directory=d, nodes=n_nodes, relationships=n_rels, node_files=node_files,
                    relationship_files=rel_files, schema=schema, script=d / "import.sh", database=database,
                    seconds=0.0)
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
