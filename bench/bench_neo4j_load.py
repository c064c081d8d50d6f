"""Load speed into Neo4j: kgraph's loader vs rdflib-neo4j, and the CSV + neo4j-admin import path.

    python bench/bench_neo4j_load.py [--build DIR | --graph FILE] [--scales 1,4] [--repeats 3] [--out FILE]

Both loaders get the same N-Triples file and the same Neo4j server: a private, temporary one (its own
home under /tmp with the jars of `kg neo4j`'s home linked in, its own ports and credentials file),
so the server `kg neo4j start` runs and its data are never touched. Before every run the database is
emptied (data, constraints, indexes). Rates are whole-job figures: parse + map + write + commit.
kgraph is given the folder holding graph.nt, as `kg load out/` is (so it skips re-validating the
IRIs it wrote; `--strict` gives it the file instead). `--warmup` discarded runs of each loader
come first: a fresh JVM spends seconds compiling over the first loads.

* kgraph: `kgraph.neo4j.stream.load` (also timed: a second load of the same graph, and the counts
  before/after it);
* rdflib-neo4j (PyPI, Neo4j Labs): `Graph(store=Neo4jStore(config)).parse(file)`, batches of 5000,
  vocabulary IRIs ignored (local names), as its README shows;
* CSV: `kg export --neo4j-csv` then `neo4j-admin database import full` into the stopped private
  server, start, count, and `kg load` of the same graph (expected: nothing to do).

Scales > 1 replicate the graph under disjoint IRI bases (`<base>copyN/...`), to show how rates move
with size. Without --build/--graph the shared corpus (congbao + laws) is built first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kgraph.neo4j import connection as conn  # noqa: E402
from kgraph.neo4j import csv_export, install, stream  # noqa: E402
from kgraph.neo4j import rows as pgrows  # noqa: E402
from kgraph.neo4j import server as srv  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
BENCH_BOLT = 7688
BENCH_HTTP = 7475
#: --strict: kgraph parses the N-Triples file with full IRI validation, as it does any file not in a build folder.
STRICT = False


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------- the private server


@contextmanager
def private_server(keep: bool = False) -> Iterator[Path]:
    """The shared throwaway server (``srv.private_server``) on ports 7688/7475."""
    with srv.private_server(BENCH_BOLT, BENCH_HTTP, keep=keep, echo=log) as (home, _settings):
        yield home


def settings() -> conn.ConnectionSettings:
    return conn.local_settings()


#: The private server's pid (set once it runs): each run reports the server's CPU seconds beside its own.
SERVER_PID: int | None = None


def jvm_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far (the server's JVM, from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def cpu_seconds(into: dict[str, Any]) -> Iterator[None]:
    """This process's CPU seconds (every thread: the loader's, its driver's) and the server's, spent in the block,
    put in ``into`` as ``python_cpu`` and ``server_cpu``: wall time on a shared machine is mostly the wait for a core."""
    c = time.process_time()
    j = jvm_cpu(SERVER_PID) if SERVER_PID else 0.0
    yield
    into["python_cpu"] = round(time.process_time() - c, 3)
    into["server_cpu"] = round(jvm_cpu(SERVER_PID) - j, 3) if SERVER_PID else None


def wipe(s: conn.ConnectionSettings) -> None:
    """Empty the (private) database: data, constraints, indexes."""
    with conn.driver(s) as d, d.session(database=s.database) as ses:
        ses.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()
        for r in ses.run("SHOW CONSTRAINTS YIELD name RETURN name").data():
            ses.run(f"DROP CONSTRAINT `{r['name']}` IF EXISTS").consume()
        for r in ses.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name").data():
            ses.run(f"DROP INDEX `{r['name']}` IF EXISTS").consume()


def counts(s: conn.ConnectionSettings) -> dict[str, int]:
    with conn.driver(s) as d:
        rec = d.execute_query("MATCH (n) RETURN count(n) AS n", database_=s.database)[0][0]
        rel = d.execute_query("MATCH ()-[r]->() RETURN count(r) AS r", database_=s.database)[0][0]
    return {"nodes": rec["n"], "relationships": rel["r"]}


# --------------------------------------------------------------------------------------- graphs


def shared_build(work: Path) -> Path:
    from kgraph.build import build

    out = work / "build"
    t = time.perf_counter()
    res = build([str(SHARED / "congbao"), str(SHARED / "laws")], out, workers=os.cpu_count() or 1, store=False)
    log(f"built {res.summary['documents']} documents, {res.summary['triples']} triples in {time.perf_counter() - t:.0f} s")
    return out / "graph.nt"


def scaled(graph: Path, factor: int, work: Path) -> Path:
    """The graph ``factor`` times, each copy under its own IRI base (the ontology's IRIs unchanged)."""
    if factor == 1:
        return graph
    pg = pgrows.read_property_graph(graph)
    base = pg.base
    if not base:
        raise SystemExit(f"{graph}: no common IRI base to replicate under")
    (work / f"x{factor}-graph").mkdir(exist_ok=True)
    out = work / f"x{factor}-graph" / "graph.nt"  # a folder like a build's: kg load reads it as one
    with open(graph, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as g:
        lines = f.readlines()
        for i in range(factor):
            new = f"<{base}copy{i}/"
            g.writelines(ln.replace("<" + base, new) for ln in lines)
    return out


# --------------------------------------------------------------------------------------- the loaders


def run_kgraph(graph: Path, s: conn.ConnectionSettings) -> dict[str, Any]:
    """``kg load`` of the folder holding ``graph`` (a build's graph.nt is parsed without validating its
    IRIs again, as they were validated when written; with --strict, the file itself, validated)."""
    source = graph.parent if not STRICT and graph.name == "graph.nt" else graph
    wipe(s)
    cpu: dict[str, Any] = {}
    with cpu_seconds(cpu):
        r1 = stream.load(source, s)
    c1 = counts(s)
    r2 = stream.load(source, s)
    c2 = counts(s)
    return {
        "seconds": r1.seconds["total"], "phases": {k: round(v, 3) for k, v in r1.seconds.items()},
        "triples": r1.triples, "nodes": r1.nodes, "relationships": r1.relationships, "db_counts": c1, **cpu,
        "second_load_seconds": r2.seconds["total"], "second_load_changed": r2.changed,
        "db_counts_after_second_load": c2,
    }


def run_rdflib_neo4j(graph: Path, s: conn.ConnectionSettings) -> dict[str, Any]:
    import contextlib
    import io

    from rdflib import Graph
    from rdflib_neo4j import HANDLE_VOCAB_URI_STRATEGY, Neo4jStore, Neo4jStoreConfig

    wipe(s)
    auth = {"uri": s.uri, "database": s.database or "neo4j", "user": s.user, "pwd": s.password}
    cfg = Neo4jStoreConfig(auth_data=auth, handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE, batching=True)
    t = time.perf_counter()
    cpu: dict[str, Any] = {}
    with cpu_seconds(cpu), contextlib.redirect_stdout(io.StringIO()):  # it prints progress
        g = Graph(store=Neo4jStore(config=cfg))
        g.parse(str(graph), format="nt")
        g.close(True)
    seconds = time.perf_counter() - t
    c = counts(s)
    n_triples = sum(1 for ln in open(graph, encoding="utf-8") if ln.strip())
    return {"seconds": seconds, "triples": n_triples, "nodes": c["nodes"], "relationships": c["relationships"], "db_counts": c,
            **cpu}


def run_csv(graph: Path, home: Path, work: Path) -> dict[str, Any]:
    """Export, stop the private server, neo4j-admin import, start, count, `kg load` (nothing to do)."""
    t = time.perf_counter()
    exp = csv_export.export_graph(graph, work / "csv")
    export_s = time.perf_counter() - t
    srv.stop(echo=log)
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    cmd = [install.find_java(), "-cp", str(home / "lib" / "*"), install.ADMIN_MAIN, *exp.admin_args()]
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True, check=False)  # import.report lands in cwd
    import_s = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"neo4j-admin import failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    t = time.perf_counter()
    srv.start(wait=True, timeout=300, echo=log)
    start_s = time.perf_counter() - t
    global SERVER_PID
    SERVER_PID = srv.running_pid(home)
    s = settings()
    c = counts(s)
    r = stream.load(graph, s)
    return {
        "export_seconds": export_s, "import_seconds": import_s, "restart_seconds": start_s,
        "nodes": exp.nodes, "relationships": exp.relationships, "triples": exp.triples, "db_counts": c,
        "kg_load_after_import": {"seconds": r.seconds["total"], "changed": r.changed, "nodes_created": r.nodes_created,
                                 "nodes_updated": r.nodes_updated, "relationships_written": r.relationships_written},
    }


# --------------------------------------------------------------------------------------- main


def _cpu(run: dict[str, Any]) -> str:
    return f"Python {run['python_cpu']:.2f} CPU s, server {run['server_cpu'] or 0:.2f} CPU s"


def _rates(triples: int, rels: int, seconds: float) -> dict[str, float]:
    return {"triples_per_s": round(triples / seconds), "relationships_per_s": round(rels / seconds)}


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds the finally blocks: the private server is stopped, /tmp cleaned


def main(argv: list[str] | None = None) -> int:
    import signal

    global STRICT, BENCH_BOLT, BENCH_HTTP, SERVER_PID
    signal.signal(signal.SIGTERM, _terminate)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="A kg build folder (its graph.nt is loaded).")
    ap.add_argument("--graph", help="An N-Triples file to load.")
    ap.add_argument("--scales", default="1,4", help="Comma-separated replication factors (default 1,4).")
    ap.add_argument("--repeats", type=int, default=3, help="Runs per loader and scale; the median is reported.")
    ap.add_argument("--warmup", type=int, default=3, help="Discarded runs of each loader first (default 3).")
    ap.add_argument("--strict", action="store_true",
                    help="kgraph loads the N-Triples file itself (IRIs validated), not the build folder.")
    ap.add_argument("--no-rdflib", action="store_true", help="Skip rdflib-neo4j.")
    ap.add_argument("--no-csv", action="store_true", help="Skip the CSV + neo4j-admin path.")
    ap.add_argument("--out", help="Also write the results as JSON here.")
    ap.add_argument("--keep", action="store_true", help="Keep the temporary Neo4j home (for inspection).")
    ap.add_argument("--bolt", type=int, default=BENCH_BOLT,
                    help=f"The private server's Bolt port (default {BENCH_BOLT}; another when two benchmarks share a machine).")
    ap.add_argument("--http", type=int, default=BENCH_HTTP, help=f"Its HTTP port (default {BENCH_HTTP}).")
    a = ap.parse_args(argv)
    STRICT = a.strict
    BENCH_BOLT, BENCH_HTTP = a.bolt, a.http
    work = Path(tempfile.mkdtemp(prefix="kgraph-bench-load-"))
    try:
        if a.graph:
            graph = Path(a.graph)
        elif a.build:
            graph = pgrows.graph_file(a.build)
        else:
            graph = shared_build(work)
        scales = [int(x) for x in a.scales.split(",") if x.strip()]
        results: dict[str, Any] = {"graph": str(graph), "cpus": os.cpu_count(), "load_average": os.getloadavg(),
                                   "repeats": a.repeats,
                                   "warmup": a.warmup, "strict": a.strict, "scales": {}}
        with private_server(keep=a.keep) as home:
            SERVER_PID = srv.running_pid(home)
            s = settings()
            with conn.driver(s) as d:
                results["neo4j"] = d.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v")[0][0]["v"]
            # A fresh JVM compiles the server's hot paths over the first loads (its CPU time per load
            # falls from ~20 s to ~2 s over the first four kgraph loads here); discarded runs of each
            # loader warm it so that the timed runs measure the loaders, not the JIT.
            log(f"warm-up: {a.warmup} discarded run(s) of each loader")
            for _ in range(a.warmup):
                run_kgraph(scaled(graph, scales[0], work), s)
                if not a.no_rdflib:
                    run_rdflib_neo4j(scaled(graph, scales[0], work), s)
            for f in scales:
                g = scaled(graph, f, work)
                entry: dict[str, Any] = {"file": str(g)}
                runs: list[dict[str, Any]] = []
                rruns: list[dict[str, Any]] = []
                for i in range(a.repeats):  # alternate the loaders so drift on a busy machine hits both
                    runs.append(run_kgraph(g, s))
                    log(f"x{f} kgraph run {i + 1}: {runs[-1]['seconds']:.2f} s ({_cpu(runs[-1])}), "
                        f"second load {runs[-1]['second_load_seconds']:.2f} s, load average {os.getloadavg()[0]:.1f}")
                    if not a.no_rdflib:
                        rruns.append(run_rdflib_neo4j(g, s))
                        log(f"x{f} rdflib-neo4j run {i + 1}: {rruns[-1]['seconds']:.2f} s ({_cpu(rruns[-1])}), "
                            f"load average {os.getloadavg()[0]:.1f}")
                med = statistics.median(r["seconds"] for r in runs)
                k = runs[0]
                entry["kgraph"] = {"runs": runs, "median_seconds": round(med, 3),
                                   **_rates(k["triples"], k["relationships"], med)}
                if rruns:
                    rmed = statistics.median(r["seconds"] for r in rruns)
                    rr = rruns[0]
                    entry["rdflib_neo4j"] = {"runs": rruns, "median_seconds": round(rmed, 3),
                                             **_rates(rr["triples"], rr["relationships"], rmed)}
                    entry["speedup_triples_per_s"] = round(rmed / med, 2)
                results["scales"][str(f)] = entry
            # the CSV path restarts the server, so it runs after every loader run: no loader meets a cold JVM
            for f in scales if not a.no_csv else []:
                wipe(s)
                (work / f"x{f}").mkdir(exist_ok=True)
                entry = results["scales"][str(f)]
                entry["csv"] = run_csv(scaled(graph, f, work), home, work / f"x{f}")
                s = settings()
                c = entry["csv"]
                log(f"x{f} csv: export {c['export_seconds']:.2f} s, import {c['import_seconds']:.2f} s")
        results["load_average_after"] = os.getloadavg()
        print(report(results))
        if a.out:
            Path(a.out).write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _cpu_medians(runs: list[dict[str, Any]]) -> str:
    """The runs' median Python and server CPU seconds, as two table cells."""
    py = statistics.median(r["python_cpu"] for r in runs)
    server = [r["server_cpu"] for r in runs if r.get("server_cpu") is not None]
    return f"{py:.2f} | {statistics.median(server):.2f}" if server else f"{py:.2f} | ?"


def report(res: dict[str, Any]) -> str:
    lines = [f"Neo4j {res.get('neo4j')} (private server, {res.get('warmup', '?')} warm-up run(s) of each loader), "
             f"{res['cpus']} CPUs, median of {res['repeats']} runs; graph {res['graph']}",
             "load average (1, 5, 15 min) before " + ", ".join(f"{x:.1f}" for x in res.get("load_average", ()))
             + ", after " + ", ".join(f"{x:.1f}" for x in res.get("load_average_after", ())), ""]
    lines.append("| scale | loader | triples | nodes | rels | seconds | triples/s | rels/s | Python CPU s | server CPU s |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f, e in res["scales"].items():
        k = e["kgraph"]
        r0 = k["runs"][0]
        lines.append(f"| x{f} | kgraph | {r0['triples']} | {r0['nodes']} | {r0['relationships']} | {k['median_seconds']:.2f} | "
                     f"{k['triples_per_s']:,} | {k['relationships_per_s']:,} | {_cpu_medians(k['runs'])} |")
        if "rdflib_neo4j" in e:
            r = e["rdflib_neo4j"]
            q = r["runs"][0]
            lines.append(f"| x{f} | rdflib-neo4j | {q['triples']} | {q['nodes']} | {q['relationships']} | {r['median_seconds']:.2f} | "
                         f"{r['triples_per_s']:,} | {r['relationships_per_s']:,} | {_cpu_medians(r['runs'])} |")
        if "csv" in e:
            c = e["csv"]
            lines.append(f"| x{f} | CSV export + neo4j-admin import | {c['triples']} | {c['db_counts']['nodes']} | "
                         f"{c['db_counts']['relationships']} | {c['export_seconds'] + c['import_seconds']:.2f} | "
                         f"{round(c['triples'] / (c['export_seconds'] + c['import_seconds'])):,} | "
                         f"{round(c['relationships'] / (c['export_seconds'] + c['import_seconds'])):,} | | |")
    lines.append("")
    for f, e in res["scales"].items():
        k = e["kgraph"]["runs"]
        same = all(r["db_counts"] == r["db_counts_after_second_load"] and not r["second_load_changed"] for r in k)
        lines.append(f"x{f}: kgraph {e.get('speedup_triples_per_s', '?')}x rdflib-neo4j (triples/s); second load "
                     f"{statistics.median(r['second_load_seconds'] for r in k):.2f} s, counts before/after "
                     f"{k[0]['db_counts']} / {k[0]['db_counts_after_second_load']} ({'unchanged' if same else 'CHANGED'})")
        if "csv" in e:
            c = e["csv"]
            lines.append(f"x{f}: CSV export {c['export_seconds']:.2f} s, neo4j-admin import {c['import_seconds']:.2f} s, "
                         f"restart {c['restart_seconds']:.1f} s, counts {c['db_counts']}; kg load afterwards "
                         f"{c['kg_load_after_import']['seconds']:.2f} s, changed={c['kg_load_after_import']['changed']}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
