"""Where a first `kg load` spends its time: the loader's CPU, the Neo4j server's CPU, and wall, for two source trees
alternated on one private server.

    python bench/neo4j_load_split.py --build OUT --tree before=/tmp/base --tree after=. [--rounds 3] [--warmup 2]

Each load is the `kg load` command in a process of its own (``PYTHONPATH`` = the tree; ``bench_neo4j_load.run_kgraph``)
into an emptied database: its CPU seconds are the whole process's (every thread, start-up and imports included, from
its rusage), its wall time start to exit; the server's CPU across the first load is read from ``/proc/<pid>/task/*/stat`` (user + system), split by thread: the JIT compilers, the Bolt
workers that run the queries, the network threads, the garbage collector, index population, the rest. The JIT's
share falls over the first loads into a fresh JVM (hence ``--warmup``); what stays is the loads' own work. The trees are alternated within each round, so a busy
machine's drift hits both. After each first load a second load must change nothing, and the database's content
(labels, properties, relationships, keyed by IRI) is hashed: every tree must leave the same content.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kgraph.neo4j import connection as conn  # noqa: E402
from kgraph.neo4j import server as srv  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_neo4j_load as bench  # noqa: E402  the bench's kgraph load in a child process, with the server's CPU by thread


def content(s: conn.ConnectionSettings) -> dict[str, object]:
    """Counts and a hash of every loaded node (labels, properties) and relationship (type, ends, properties);
    the load marker's times are left out (they differ on every load)."""
    h = hashlib.sha256()
    with conn.driver(s) as d, d.session(database=s.database) as ses:
        recs = list(ses.run("MATCH (n:Resource) RETURN n.uri AS u, labels(n) AS l, properties(n) AS p"))
        props = sum(len(r["p"]) for r in recs)
        nodes = sorted(json.dumps([r["u"], sorted(r["l"]), sorted((k, repr(v)) for k, v in r["p"].items())])
                       for r in recs)
        rels = sorted(json.dumps([r["a"], r["t"], r["b"], sorted((k, repr(v)) for k, v in r["p"].items())])
                      for r in ses.run("MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, b.uri AS b, "
                                       "properties(r) AS p"))
        other = ses.run("MATCH (n) WHERE NOT n:Resource RETURN count(n) AS c").single()["c"]
        indexes = sorted(r["name"] for r in ses.run("SHOW INDEXES YIELD name RETURN name"))
    for line in nodes + rels + indexes:
        h.update(line.encode())
    return {"nodes": len(nodes), "rels": len(rels), "other_nodes": other,
            "props": props, "hash": h.hexdigest()[:16]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--tree", action="append", required=True, help="NAME=PATH of a source tree (twice or more)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=2, help="discarded rounds first (the JVM compiles)")
    ap.add_argument("--bolt", type=int, default=7696)
    ap.add_argument("--http", type=int, default=7483)
    a = ap.parse_args()
    trees = dict(t.split("=", 1) for t in a.tree)
    graph = Path(a.build).resolve() / "graph.nt"
    results: dict[str, list[dict[str, object]]] = {n: [] for n in trees}
    with srv.private_server(a.bolt, a.http, echo=lambda m: print(m, file=sys.stderr)) as (home, s):
        bench.SERVER_PID = srv.running_pid(home)
        assert bench.SERVER_PID
        for i in range(a.warmup + a.rounds):
            for name, tree in trees.items():
                r = bench.run_kgraph(graph, s, tree=Path(tree).resolve())
                r["content"] = content(s)
                r["load"] = os.getloadavg()[0]
                warm = i < a.warmup
                print(f"{'warm-up' if warm else 'round ' + str(i - a.warmup + 1)} {name}: python cpu {r['python_cpu']:.2f} s, "
                      f"neo4j cpu {r['server_cpu']:.2f} s, wall {r['seconds']:.2f} s, second load changed "
                      f"{r['second_load_changed']}, load avg {r['load']:.2f}, {r['content']}\n"
                      f"    neo4j cpu by thread: {r['server_split']}",
                      flush=True)
                if not warm:
                    results[name].append(r)
    print()
    for name, rs in results.items():
        med = {k: statistics.median(float(r[k]) for r in rs) for k in ("python_cpu", "server_cpu", "seconds")}  # type: ignore[arg-type]
        split = {g: round(statistics.median(r["server_split"][g] for r in rs), 2) for g in rs[0]["server_split"]}  # type: ignore[index]
        print(f"{name}: median python cpu {med['python_cpu']:.2f} s, neo4j cpu {med['server_cpu']:.2f} s {split}, "
              f"wall {med['seconds']:.2f} s "
              f"over {len(rs)} rounds; contents {sorted({r['content']['hash'] for r in rs})}")  # type: ignore[index]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
