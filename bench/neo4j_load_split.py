"""Where a first `kg load` spends its time: the loader's CPU, the Neo4j server's CPU, and wall, for two source trees
alternated on one private server.

    python bench/neo4j_load_split.py --build OUT --tree before=/tmp/base --tree after=. [--rounds 3] [--warmup 2]

Each load runs in a child process (``PYTHONPATH`` = the tree) into an emptied database; the child reports the
CPU seconds of its whole process (every thread) across ``stream.load`` and the wall time; the server's CPU is read
from ``/proc/<pid>/task/*/stat`` (user + system) before and after, split by thread: the JIT compilers, the Bolt
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
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kgraph.neo4j import connection as conn  # noqa: E402
from kgraph.neo4j import server as srv  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_neo4j_load import jvm_cpu, wipe  # noqa: E402  the bench's own emptying of a private database, the server's CPU

CHILD = r"""
import json, sys, time
from kgraph.neo4j import connection, stream
s = connection.local_settings()
c, w = time.process_time(), time.perf_counter()
r = stream.load(sys.argv[1], s)
cpu, wall = time.process_time() - c, time.perf_counter() - w
c2 = time.process_time()
r2 = stream.load(sys.argv[1], s)
print(json.dumps({"cpu": cpu, "wall": wall, "phases": r.seconds, "streamed": r.streamed,
                  "second_changed": r2.changed, "second_cpu": time.process_time() - c2}))
"""


#: The server's threads by what they do (their names as /proc shows them, cut to 15 characters).
THREAD_GROUPS = (("jit", ("C1 CompilerThre", "C2 CompilerThre", "Sweeper thread")),
                 ("queries", ("neo4j.BoltWorke",)), ("network", ("neo4j.BoltNetwo",)),
                 ("gc", ("GC Thread", "G1 ", "VM Thread")), ("indexes", ("neo4j.IndexPopu",)))


def jvm_threads(pid: int) -> dict[str, float]:
    """CPU seconds so far of each thread of a process, by its id (threads that ended drop out)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        f = stat.rsplit(")", 1)[1].split()
        out[f"{tid} {name}"] = (int(f[11]) + int(f[12])) / tick
    return out


def thread_split(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """The CPU spent between two ``jvm_threads`` readings, by ``THREAD_GROUPS`` (the rest under "other")."""
    split = {g: 0.0 for g, _ in THREAD_GROUPS} | {"other": 0.0}
    for key, cpu in after.items():
        name = key.split(" ", 1)[1]
        group = next((g for g, prefixes in THREAD_GROUPS if name.startswith(prefixes)), "other")
        split[group] += cpu - before.get(key, 0.0)
    return {g: round(v, 2) for g, v in split.items()}


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


def run(tree: str, source: str, s: conn.ConnectionSettings, pid: int, python: str) -> dict[str, object]:
    wipe(s)
    t0 = jvm_threads(pid)
    j0 = jvm_cpu(pid)
    w0 = time.perf_counter()
    # cwd: ``python -c`` puts the current directory first on sys.path, before PYTHONPATH, so run from another
    # tree's checkout the child would import that tree's kgraph instead
    out = subprocess.run([python, "-c", CHILD, source], env=dict(os.environ, PYTHONPATH=tree),
                         capture_output=True, text=True, check=True, cwd=tree)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    # the server's CPU across both loads; the first load's share is what counts: the second reads only the marker
    res["jvm"] = jvm_cpu(pid) - j0
    res["jvm_split"] = thread_split(t0, jvm_threads(pid))
    res["child_wall"] = time.perf_counter() - w0
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--tree", action="append", required=True, help="NAME=PATH of a source tree (twice or more)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=2, help="discarded rounds first (the JVM compiles)")
    ap.add_argument("--bolt", type=int, default=7696)
    ap.add_argument("--http", type=int, default=7483)
    ap.add_argument("--python", default=sys.executable)
    a = ap.parse_args()
    trees = dict(t.split("=", 1) for t in a.tree)
    source = str(Path(a.build).resolve())
    results: dict[str, list[dict[str, object]]] = {n: [] for n in trees}
    with srv.private_server(a.bolt, a.http, echo=lambda m: print(m, file=sys.stderr)) as (home, s):
        pid = srv.running_pid(home)
        assert pid
        for i in range(a.warmup + a.rounds):
            for name, tree in trees.items():
                r = run(tree, source, s, pid, a.python)
                r["content"] = content(s)
                r["load"] = os.getloadavg()[0]
                warm = i < a.warmup
                print(f"{'warm-up' if warm else 'round ' + str(i - a.warmup + 1)} {name}: python cpu {r['cpu']:.2f} s, "
                      f"neo4j cpu {r['jvm']:.2f} s (both loads), wall {r['wall']:.2f} s, second load changed "
                      f"{r['second_changed']}, load avg {r['load']:.2f}, {r['content']}\n    neo4j cpu by thread: {r['jvm_split']}",
                      flush=True)
                if not warm:
                    results[name].append(r)
    print()
    for name, rs in results.items():
        med = {k: statistics.median(float(r[k]) for r in rs) for k in ("cpu", "jvm", "wall")}  # type: ignore[arg-type]
        split = {g: round(statistics.median(r["jvm_split"][g] for r in rs), 2) for g in rs[0]["jvm_split"]}  # type: ignore[index]
        print(f"{name}: median python cpu {med['cpu']:.2f} s, neo4j cpu {med['jvm']:.2f} s {split}, wall {med['wall']:.2f} s "
              f"over {len(rs)} rounds; contents {sorted({r['content']['hash'] for r in rs})}")  # type: ignore[index]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
