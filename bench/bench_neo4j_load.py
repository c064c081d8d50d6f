"""Load speed into Neo4j: kgraph's loader vs rdflib-neo4j, and the CSV + neo4j-admin import path.

    python bench/bench_neo4j_load.py [--build DIR | --graph FILE] [--scales 1,4] [--repeats 3] [--warmup 5]
                                     [--cold 1] [--tree NAME=PATH ...] [--out FILE]

Both loaders get the same N-Triples file and the same Neo4j server: a private, temporary one (its own
home under $TMPDIR with the jars of `kg neo4j`'s home linked in, its own ports and credentials file),
so the server `kg neo4j start` runs and its data are never touched. Before every run the database is
emptied (data, constraints, indexes: each loader meets the empty database a first user has). Rates are
whole-job figures: parse + map + write + commit. kgraph is given the folder holding graph.nt, as
`kg load out/` is (so it skips re-validating the IRIs it wrote; `--strict` gives it the file instead).

Two figures, because the server's JIT makes a young JVM several times slower than one that has run for days:

* steady state: `--warmup` discarded loads of each loader first, then `--repeats` timed ones, the loaders
  alternated in every round (each round starting with the next loader, so no loader always follows the
  same one). A server in use has seen both loaders' statements many times; the report gives the JIT
  compilers' CPU in each timed load, so one can see whether the server had settled;
* first load after a start: `--cold` runs of each loader, each on a server restarted just before it
  (a fresh JVM for every loader, so none inherits what another's load compiled).

* kgraph: the `kg load` command, one process per load, as a user runs it (timed start to exit, its CPU from the
  process's rusage), with the code of this checkout or of each `--tree NAME=PATH` (e.g. main's code beside a
  branch's, alternated on one server); beside it the time `kgraph.neo4j.stream.load` reports of itself (what this
  bench timed before: without the process's start-up, imports and report); also timed: a second `kg load` of the
  same graph, and the counts before/after it;
* rdflib-neo4j (PyPI, Neo4j Labs): `Graph(store=Neo4jStore(config)).parse(file)`, batches of 5000,
  vocabulary IRIs ignored (local names), as its README shows;
* CSV: `kg export --neo4j-csv` then `neo4j-admin database import full` into the stopped private
  server, start, count, and `kg load` of the same graph (expected: nothing to do).

Scales > 1 replicate the graph under disjoint IRI bases (`<base>copyN/...`), to show how rates move
with size (the warm-up and the first loads after a start are run at the first scale only). Without
--build/--graph the shared corpus (congbao + laws) is built first.
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


@contextmanager
def server_cpu(into: dict[str, Any]) -> Iterator[None]:
    """The server's CPU seconds spent in the block, as ``server_cpu``, by thread group as ``server_split``, and its JIT
    compilers' share as ``server_jit_cpu`` (how far the JVM still was from settled)."""
    if not SERVER_PID:
        into["server_cpu"] = into["server_jit_cpu"] = None
        yield
        return
    j, t = jvm_cpu(SERVER_PID), jvm_threads(SERVER_PID)
    yield
    into["server_cpu"] = round(jvm_cpu(SERVER_PID) - j, 3)
    into["server_split"] = thread_split(t, jvm_threads(SERVER_PID))
    into["server_jit_cpu"] = into["server_split"]["jit"]


@contextmanager
def cpu_seconds(into: dict[str, Any]) -> Iterator[None]:
    """This process's CPU seconds (every thread: the loader's, its driver's) and the server's, spent in the block,
    put in ``into`` as ``python_cpu`` and ``server_cpu``: wall time on a shared machine is mostly the wait for a core."""
    c = time.process_time()
    with server_cpu(into):
        yield
    into["python_cpu"] = round(time.process_time() - c, 3)


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


#: ``kg load SOURCE --format json`` as a user runs it: what the ``kg`` console script runs, with the tree's kgraph.
KG_COMMAND = "import sys; from kgraph.cli import main; sys.exit(main())"


def run_command(source: Path, tree: Path) -> tuple[dict[str, Any], float, float]:
    """One ``kg load`` process: its JSON report, its wall seconds from start to exit, and its CPU seconds (user +
    system, every thread: start-up, imports, parsing, the driver)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", KG_COMMAND, "load", str(source), "--format", "json"],
                                **in_tree(tree), stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (the private server is a child too)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read()
        if proc.returncode != 0 or not text.strip():
            raise SystemExit(f"kg load ({tree}) failed ({proc.returncode}):\n{err.read()[-3000:]}")
    return json.loads(text.splitlines()[-1]), seconds, usage.ru_utime + usage.ru_stime


def in_tree(tree: Path) -> dict[str, Any]:
    """``subprocess`` arguments that make ``python -c`` import ``tree``'s kgraph: on ``PYTHONPATH``, and as the current
    directory, which ``python -c`` puts on ``sys.path`` before it (run from another checkout, the child would import
    that one's: an A/B of main against a branch then compared the branch with itself)."""
    return {"cwd": tree, "env": dict(os.environ, PYTHONPATH=str(tree))}


def rounds(names: list[str], n: int) -> Iterator[list[str]]:
    """``n`` rounds of every loader once, each round starting with the next loader (none always follows the same one,
    whose leftovers, a JIT queue still compiling or a checkpoint, it would meet every time)."""
    for i in range(n):
        yield names[i % len(names):] + names[: i % len(names)]


def run_kgraph(graph: Path, s: conn.ConnectionSettings, tree: Path = ROOT) -> dict[str, Any]:
    """``kg load`` of the folder holding ``graph`` (a build's graph.nt is parsed without validating its
    IRIs again, as they were validated when written; with --strict, the file itself, validated), run as the
    command in a process importing ``tree``'s kgraph, then a second ``kg load`` of the same. ``seconds`` is the
    command's, start to exit; ``function_seconds`` the part ``kgraph.neo4j.stream.load`` reports (what this bench
    timed before 2026-12-03: the command adds its start-up, its imports and its report)."""
    source = graph.parent if not STRICT and graph.name == "graph.nt" else graph
    wipe(s)
    cpu: dict[str, Any] = {}
    with server_cpu(cpu):
        first, seconds, python_cpu = run_command(source.resolve(), tree)
    c1 = counts(s)
    second, second_seconds, _ = run_command(source.resolve(), tree)
    return {"seconds": seconds, "function_seconds": first["seconds"]["total"], "python_cpu": python_cpu,
            "phases": first["seconds"], "triples": first["triples"], "nodes": first["nodes"],
            "relationships": first["relationships"], "db_counts": c1, **cpu, "second_load_seconds": second_seconds,
            "second_load_changed": second["nodes_created"] + second["nodes_updated"] + second["nodes_deleted"]
            + second["relationships_deleted"] > 0, "db_counts_after_second_load": counts(s)}


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
    return (f"Python {run['python_cpu']:.2f} CPU s, server {run['server_cpu'] or 0:.2f} CPU s "
            f"(JIT {run['server_jit_cpu'] or 0:.2f})")


def _rates(triples: int, rels: int, seconds: float) -> dict[str, float]:
    return {"triples_per_s": round(triples / seconds), "relationships_per_s": round(rels / seconds)}


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds the finally blocks: the private server is stopped, /tmp cleaned


RDFLIB = "rdflib-neo4j"


def _restart(home: Path) -> None:
    """Stop the private server and start it again: a fresh JVM, the database as it was."""
    global SERVER_PID
    srv.stop(echo=log)
    srv.start(wait=True, timeout=300, echo=log)
    SERVER_PID = srv.running_pid(home)


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    med = statistics.median(r["seconds"] for r in runs)
    return {"runs": runs, "median_seconds": round(med, 3), **_rates(runs[0]["triples"], runs[0]["relationships"], med)}


def main(argv: list[str] | None = None) -> int:
    import functools
    import signal

    global STRICT, BENCH_BOLT, BENCH_HTTP, SERVER_PID
    signal.signal(signal.SIGTERM, _terminate)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="A kg build folder (its graph.nt is loaded).")
    ap.add_argument("--graph", help="An N-Triples file to load.")
    ap.add_argument("--scales", default="1,4", help="Comma-separated replication factors (default 1,4).")
    ap.add_argument("--repeats", type=int, default=3, help="Timed runs per loader and scale; the median is reported.")
    ap.add_argument("--warmup", type=int, default=5,
                    help="Discarded loads of each loader first, alternated (default 5): the steady state's server.")
    ap.add_argument("--cold", type=int, default=1,
                    help="Loads of each loader on a server restarted just before each (default 1; 0: none).")
    ap.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                    help="kgraph's loader from this source tree (repeat to compare trees; default: this checkout).")
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
    trees = {n: Path(t).resolve() for n, t in (x.split("=", 1) for x in a.tree)} or {"kgraph": ROOT}
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
                                   "repeats": a.repeats, "warmup": a.warmup, "cold": a.cold, "strict": a.strict,
                                   "trees": {n: str(t) for n, t in trees.items()}, "scales": {}}
        loaders = {n: functools.partial(run_kgraph, tree=t) for n, t in trees.items()}
        if not a.no_rdflib:
            loaders[RDFLIB] = run_rdflib_neo4j
        names = list(loaders)
        with private_server(keep=a.keep) as home:
            SERVER_PID = srv.running_pid(home)
            s = settings()
            with conn.driver(s) as d:
                results["neo4j"] = d.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v")[0][0]["v"]
            for f in scales:
                g = scaled(graph, f, work)
                runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
                warm = a.warmup if f == scales[0] else 0
                log(f"x{f}: {warm} warm-up load(s) of each loader, then {a.repeats} timed, alternated")
                for i, order in enumerate(rounds(names, warm + a.repeats)):
                    for n in order:
                        r = loaders[n](g, s)
                        log(f"x{f} {n} {'warm-up' if i < warm else 'run'} {i + 1 - (warm if i >= warm else 0)}: "
                            f"{r['seconds']:.2f} s ({_cpu(r)}), load average {os.getloadavg()[0]:.1f}")
                        if i >= warm:
                            runs[n].append(r)
                entry: dict[str, Any] = {"file": str(g), "steady": {n: _summary(rs) for n, rs in runs.items()}}
                if f == scales[0] and a.cold:
                    # a fresh JVM for each loader's run: none inherits what another's loads compiled
                    cold: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
                    for i in range(a.cold):
                        for n in names:
                            _restart(home)
                            cold[n].append(loaders[n](g, s))
                            log(f"x{f} {n} first load after a start {i + 1}: {cold[n][-1]['seconds']:.2f} s "
                                f"({_cpu(cold[n][-1])}), load average {os.getloadavg()[0]:.1f}")
                    entry["first_after_start"] = {n: _summary(rs) for n, rs in cold.items()}
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


def _median(runs: list[dict[str, Any]], key: str) -> str:
    vals = [r[key] for r in runs if r.get(key) is not None]
    return f"{statistics.median(vals):.2f}" if vals else "?"


def _table(figures: dict[str, dict[str, Any]], f: str) -> list[str]:
    """One row per loader: counts, median wall, rates and the runs' median CPU seconds."""
    lines = ["| scale | loader | triples | nodes | rels | seconds | of it stream.load s | triples/s | rels/s "
             "| Python CPU s | server CPU s | of it JIT s |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, e in figures.items():
        r0 = e["runs"][0]
        lines.append(f"| x{f} | {n} | {r0['triples']} | {r0['nodes']} | {r0['relationships']} | {e['median_seconds']:.2f} | "
                     f"{_median(e['runs'], 'function_seconds')} | "
                     f"{e['triples_per_s']:,} | {e['relationships_per_s']:,} | {_median(e['runs'], 'python_cpu')} | "
                     f"{_median(e['runs'], 'server_cpu')} | {_median(e['runs'], 'server_jit_cpu')} |")
    return lines


def _ratios(figures: dict[str, dict[str, Any]], key: str = "seconds") -> str:
    """Each kgraph tree's median against rdflib-neo4j's, and the per-run ratios (runs of one round paired); ``key``
    ``function_seconds``: kgraph's time as ``stream.load`` reports it, without the command's start-up."""
    if RDFLIB not in figures:
        return ""
    ref = figures[RDFLIB]
    out = []
    for n, e in figures.items():
        if n != RDFLIB and all(key in r for r in e["runs"]):
            per = ", ".join(f"{q['seconds'] / r[key]:.1f}" for r, q in zip(e["runs"], ref["runs"]))
            med = statistics.median(r[key] for r in e["runs"])
            out.append(f"{n} {ref['median_seconds'] / med:.2f}x rdflib-neo4j (per run {per})")
    return "; ".join(out)


def report(res: dict[str, Any]) -> str:
    lines = [f"Neo4j {res.get('neo4j')} (private server), {res['cpus']} CPUs; graph {res['graph']}",
             "kgraph trees: " + ", ".join(f"{n}={t}" for n, t in res.get("trees", {}).items()),
             "load average (1, 5, 15 min) before " + ", ".join(f"{x:.1f}" for x in res.get("load_average", ()))
             + ", after " + ", ".join(f"{x:.1f}" for x in res.get("load_average_after", ())), ""]
    for f, e in res["scales"].items():
        lines.append(f"Steady state: after {res['warmup'] if f == next(iter(res['scales'])) else 0} warm-up load(s) of "
                     f"each loader, alternated; median of {res['repeats']} timed loads each (alternated)")
        lines += _table(e["steady"], f)
        lines.append(f"x{f} steady state, the kg load command: " + _ratios(e["steady"]))
        lines.append(f"x{f} steady state, stream.load's own time: " + _ratios(e["steady"], "function_seconds"))
        for n, k in e["steady"].items():
            if n != RDFLIB:
                same = all(r["db_counts"] == r["db_counts_after_second_load"] and not r["second_load_changed"]
                           for r in k["runs"])
                lines.append(f"x{f} {n}: second load {_median(k['runs'], 'second_load_seconds')} s, counts before/after "
                             f"{k['runs'][0]['db_counts']} / {k['runs'][0]['db_counts_after_second_load']} "
                             f"({'unchanged' if same else 'CHANGED'})")
        if "first_after_start" in e:
            lines += ["", f"First load after a server start: each loader on a server restarted just before it; "
                      f"median of {res['cold']}"]
            lines += _table(e["first_after_start"], f)
            lines.append(f"x{f} first load after a start, the kg load command: " + _ratios(e["first_after_start"]))
        if "csv" in e:
            c = e["csv"]
            lines.append(f"x{f}: CSV export {c['export_seconds']:.2f} s, neo4j-admin import {c['import_seconds']:.2f} s "
                         f"({round(c['triples'] / (c['export_seconds'] + c['import_seconds'])):,} triples/s for both), "
                         f"restart {c['restart_seconds']:.1f} s, counts {c['db_counts']}; kg load afterwards "
                         f"{c['kg_load_after_import']['seconds']:.2f} s, changed={c['kg_load_after_import']['changed']}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
