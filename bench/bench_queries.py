"""Named queries' time in process against corpus size: does a query grow with its answer or with the graph?

    python bench/make_scaled_corpus.py 10 /tmp/kg-x10 && kg build /tmp/kg-x10 --out /tmp/kg-x10-out --workers 2
    python bench/bench_queries.py --store x1=/tmp/kg-x1-out --store x10=/tmp/kg-x10-out [--backend sparql|neo4j]

Each store is a `kg build` output of ../shared/corpus (congbao + laws) or of a ×N copy of it made by
make_scaled_corpus.py (copy 0 is the corpus itself, so its documents have the same IRIs at every
scale). The instruments asked about are taken from the first store:

- `corpus`: every corpus document (for cites, cited-by, basis-chain) and the corpus documents whose
  provisions are cited (provisions-cited). Copies cite their own copy's documents, so these answers
  are the same size at every scale: their time must not grow with the graph.
- `popular`: the 20 most cited instruments from outside the corpus (Constitution, codes, decrees). Every
  copy cites them, so their answers grow N times with the corpus; shown for the rows per ms.

Each case runs as `kg query NAME X` does in process (X as a user types it: resolution, then the query),
once to warm up (plan caches; for Neo4j, after `--warm` passes over every case (1: the JIT of a server just
started is still compiling after it), then `--repeat` times, the median kept. Printed per
query and scale: cases, the median and 95th percentile over the cases of the wall time (perf_counter:
what a caller waits for; on a shared machine it includes the wait for a core), the median, 95th
percentile and largest CPU time in ms, and the median and largest row count. Aggregates (most-cited, by-issuer,
stale-citations) run once each per scale after a warm-up. Timing is wall-clock on a shared machine:
compare scales within one run.

`--backend neo4j` loads each build into a private, empty Neo4j server of its own (on free ports; the
shared server is never touched, and most-cited counts only that build), or, for a store named by
`--neo4j-loaded LABEL=CREDENTIALS` (a graph too large for `kg load`, imported by `kg export --neo4j-csv` and
`neo4j-admin`, docs/neo4j.md), asks the running server that credentials file names, and runs the Cypher twins
through the same `Neo4jBackend` `kg query --backend neo4j` uses, on one read-only session. There the query's
cost is the server's: `cpu` columns are the server process's CPU (user + system, from /proc; 10 ms
ticks, so per case it is the total over the repeats divided by them: coarse), so the wall time is the
figure to read. A last line per scale, `connect+cited-by`, times what `kg query cited-by X --backend
neo4j` does besides starting Python: open a driver, check it, one session, the query, close.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KG = "https://w3id.org/kgraph/ontology#"
INSTRUMENT_QUERIES = ("cited-by", "cites", "basis-chain", "provisions-cited")
AGGREGATES = (("most-cited", []), ("by-issuer", []), ("stale-citations", []))


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def pick_cases(store: Any) -> dict[str, list[tuple[str, str]]]:
    """(group, query) → the X's to ask, as users type them (a number when there is one, else the IRI)."""
    from kgraph.sparql import OxigraphBackend

    run_named = lambda st, name, args: OxigraphBackend(st).run(name, args)  # noqa: E731

    def typed(uri: str) -> str:
        rows = list(store.query(f"SELECT ?u ?n WHERE {{ ?u <http://data.europa.eu/eli/ontology#number> ?n }}",
                                substitutions={_var("u"): _node(uri)}))
        return rows[0]["n"].value if len(rows) == 1 else uri

    corpus = [r["u"].value for r in store.query(f"SELECT ?u WHERE {{ ?u a <{KG}CorpusDocument> }} ORDER BY ?u")]
    pinned = [r["u"].value for r in store.query(
        f"SELECT DISTINCT ?u WHERE {{ ?u a <{KG}CorpusDocument> . ?c <{KG}citedDocument> ?u ; <{KG}pinpoint> ?p }} ORDER BY ?u")]
    top = [r["uri"] for r in run_named(store, "most-cited", ["400"]).rows]
    corpus_set = set(corpus)
    popular = [u for u in top if u not in corpus_set][:20]
    cases: dict[str, list[tuple[str, str]]] = {}
    for q in INSTRUMENT_QUERIES:
        cases[("corpus", q)] = [(u, typed(u)) for u in (pinned if q == "provisions-cited" else corpus)]
        cases[("popular", q)] = [(u, typed(u)) for u in popular]
    return cases


def _var(name: str) -> Any:
    from pyoxigraph import Variable

    return Variable(name)


def _node(iri: str) -> Any:
    from pyoxigraph import NamedNode

    return NamedNode(iri)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(median wall ms, median CPU ms of this process, last result). On a machine shared with other
    work the wall time mostly measures the queue for a core; the CPU time is the query's own cost."""
    wall, cpu = [], []
    out = fn()  # warm-up
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, out


def sparql_runner(build: Path) -> tuple[Any, Callable[[str, list[str]], Any]]:
    from kgraph.sinks.oxigraph_store import open_store
    from kgraph.sparql import OxigraphBackend

    store = open_store(build)
    backend = OxigraphBackend(store)
    return store, backend.run


class _Neo4jScale:
    """One build loaded into a private Neo4j server: a runner for its named queries, the server's CPU."""

    def __init__(self, build: Path) -> None:
        import socket
        from contextlib import ExitStack

        from kgraph.neo4j import connection as conn, server as srv, stream
        from kgraph.neo4j.queries import Neo4jBackend

        def free() -> int:
            with socket.socket() as so:
                so.bind(("127.0.0.1", 0))
                return so.getsockname()[1]

        self._stack = ExitStack()
        os.environ.setdefault("KGRAPH_NEO4J_HEAP", "2g")
        os.environ.setdefault("KGRAPH_NEO4J_PAGECACHE", "1g")
        home, settings = self._stack.enter_context(srv.private_server(free(), free(), echo=lambda _m: None))
        self.pid = srv.running_pid(home)
        t = time.perf_counter()
        report = stream.load(build, settings)
        print(f"loaded {build} into a private Neo4j: {report.nodes} nodes in {time.perf_counter() - t:.0f} s",
              flush=True)
        drv = self._stack.enter_context(conn.driver(settings))
        session = self._stack.enter_context(  # as `kg query` opens it (run_named_query)
            conn.quiet_session(drv, settings, read_only=True))
        self.backend = Neo4jBackend(session)
        self.settings = settings
        self.triples = report.nodes  # shown in the triples column: nodes, for this backend

    @classmethod
    def running(cls, credentials: Path) -> "_Neo4jScale":
        """A server already holding the build (not loaded, not stopped): the one ``credentials`` names."""
        from contextlib import ExitStack

        from kgraph.neo4j import connection as conn
        from kgraph.neo4j.queries import Neo4jBackend

        self = cls.__new__(cls)
        self._stack = ExitStack()
        settings = conn.connection_settings(credentials_file=credentials)
        self.pid = _listening_pid(int(settings.uri.rsplit(":", 1)[1]))
        drv = self._stack.enter_context(conn.driver(settings))
        session = self._stack.enter_context(conn.quiet_session(drv, settings, read_only=True))
        self.backend = Neo4jBackend(session)
        self.settings = settings
        self.triples = session.run("MATCH (n) RETURN count(n) AS n").single()["n"]
        print(f"asking the server of {credentials}: {self.triples} nodes", flush=True)
        return self

    def cpu(self) -> float:
        """The server's CPU seconds so far."""
        f = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self._stack.close()


def _listening_pid(port: int) -> int:
    """The process listening on 127.0.0.1:``port`` (from /proc: its socket's inode among the fds)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):  # a JVM listens on an IPv6 socket, even for 127.0.0.1
        for ln in Path(table).read_text().splitlines()[1:]:
            f = ln.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "0A":
                inode = f[9]
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if any(os.readlink(fd) == f"socket:[{inode}]" for fd in (d / "fd").iterdir()):
                    return int(d.name)
            except OSError:
                continue
    raise SystemExit(f"no process listens on port {port}")


def timed_server(fn: Callable[[], Any], repeat: int, scale: _Neo4jScale) -> tuple[float, float, Any]:
    """(median wall ms, the server's CPU ms per run, last result)."""
    wall = []
    out = fn()  # warm-up: the server's plan cache and JIT
    c = scale.cpu()
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        wall.append(time.perf_counter() - t)
    return statistics.median(wall) * 1000, (scale.cpu() - c) * 1000 / repeat, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", action="append", required=True, help="LABEL=BUILD_DIR, smallest first")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--backend", choices=("sparql", "neo4j"), default="sparql")
    ap.add_argument("--sample", type=int, default=60, help="corpus documents asked about per query (evenly spread; 0 = all)")
    ap.add_argument("--skip-aggregates", action="store_true")
    ap.add_argument("--warm", type=int, default=1, help="passes over every case before timing (--backend neo4j: "
                    "the server's JIT is still compiling after one; steady state needs several)")
    ap.add_argument("--neo4j-loaded", action="append", default=[], metavar="LABEL=CREDENTIALS",
                    help="this store is already in the running server whose credentials file is given (--backend neo4j)")
    ap.add_argument("--iri", action="store_true",
                    help="ask by IRI, not as users type X (for make_replicated_store.py's stores, where numbers repeat)")
    a = ap.parse_args()
    stores = [(s.split("=", 1)[0], Path(s.split("=", 1)[1])) for s in a.store]
    loaded = dict(x.split("=", 1) for x in a.neo4j_loaded)
    first, _ = sparql_runner(stores[0][1])
    cases = pick_cases(first)
    if a.iri:
        cases = {k: [(u, u) for u, _ in v] for k, v in cases.items()}
    if a.sample:
        cases = {k: (v[:: max(1, len(v) // a.sample)][: a.sample] if k[0] == "corpus" else v) for k, v in cases.items()}
    del first
    print(f"backend {a.backend}; cases from {stores[0][0]}: " + ", ".join(
        f"{g}/{q} {len(v)}" for (g, q), v in cases.items()))
    print(f"{'query':18} {'X':8} {'scale':6} {'triples':>9} {'cases':>6} {'wall med':>8} {'wall p95':>8} {'cpu med':>8} {'cpu p95':>8} "
          f"{'cpu max':>8} {'rows med':>8} {'rows max':>8}   (ms)")
    for label, build in stores:
        scale = None
        if a.backend == "neo4j":
            scale = _Neo4jScale.running(Path(loaded[label])) if label in loaded else _Neo4jScale(build)
            run, triples = scale.backend.run, scale.triples
            timer: Callable[..., tuple[float, float, Any]] = lambda fn, rep: timed_server(fn, rep, scale)  # noqa: E731
        else:
            store, run = sparql_runner(build)
            triples = _count(store)
            timer = timed
        try:
            _bench_scale(a, label, triples, cases, run, timer)
            if scale is not None:
                _bench_connect(label, triples, cases[("corpus", "cited-by")][:20], scale, a.repeat)
        finally:
            if scale is not None:
                scale.close()


def _bench_scale(a: argparse.Namespace, label: str, triples: int, cases: dict, run: Callable, timer: Callable) -> None:
    from kgraph.query import QueryError

    if a.backend == "neo4j":  # a server just started runs its first thousand queries interpreted: warm its JIT
        for _ in range(a.warm):
            for (_group, q), xs in cases.items():
                for _uri, x in xs:
                    try:
                        run(q, [x])
                    except QueryError:
                        pass
    for (group, q), xs in cases.items():
        wall, cpu, rows = [], [], []
        for uri, x in xs:
            try:
                w, c, res = timer(lambda: run(q, [x]), a.repeat)
            except QueryError:  # not in this store (cannot happen for copy 0's documents)
                continue
            wall.append(w)
            cpu.append(c)
            rows.append(len(res.rows))
        if cpu:
            _print_row(q, group, label, triples, wall, cpu, rows)
    if a.skip_aggregates:
        return
    for q, args in AGGREGATES:
        run(q, args)  # warm-up
        w, c, res = timer(lambda: run(q, args), max(1, a.repeat // 2))
        print(f"{q:18} {'all':8} {label:6} {triples:>9} {1:>6} {w:>8.1f} {w:>8.1f} {c:>8.1f} {c:>8.1f} {c:>8.1f} "
              f"{len(res.rows):>8} {len(res.rows):>8}", flush=True)


def _bench_connect(label: str, triples: int, xs: list[tuple[str, str]], scale: _Neo4jScale, repeat: int) -> None:
    """`kg query cited-by X --backend neo4j` without Python's start: a new driver, its checks, one query, closed."""
    from kgraph.neo4j.queries import run_named_query

    wall, cpu, rows = [], [], []
    for _uri, x in xs:
        w, c, res = timed_server(lambda: run_named_query("cited-by", [x], scale.settings), repeat, scale)
        wall.append(w)
        cpu.append(c)
        rows.append(len(res.rows))
    if wall:
        _print_row("connect+cited-by", "corpus", label, triples, wall, cpu, rows)


def _print_row(q: str, group: str, label: str, triples: int, wall: list[float], cpu: list[float], rows: list[int]) -> None:
    print(f"{q:18} {group:8} {label:6} {triples:>9} {len(cpu):>6} {statistics.median(wall):>8.1f} {_pct(wall, 0.95):>8.1f} "
          f"{statistics.median(cpu):>8.1f} {_pct(cpu, 0.95):>8.1f} {max(cpu):>8.1f} "
          f"{statistics.median(rows):>8.0f} {max(rows):>8}", flush=True)


def _count(store: Any) -> int:
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


if __name__ == "__main__":
    main()
