"""Named queries' time in process against corpus size: does a query grow with its answer or with the graph?

    python bench/make_scaled_corpus.py 10 /tmp/kg-x10 && kg build /tmp/kg-x10 --out /tmp/kg-x10-out --workers 2
    python bench/bench_queries.py --store x1=/tmp/kg-x1-out --store x10=/tmp/kg-x10-out [--backend sparql]

Each store is a `kg build` output of ../shared/corpus (congbao + laws) or of a ×N copy of it made by
make_scaled_corpus.py (copy 0 is the corpus itself, so its documents have the same IRIs at every
scale). The instruments asked about are taken from the first store:

- `corpus`: every corpus document (for cites, cited-by, basis-chain) and the corpus documents whose
  provisions are cited (provisions-cited). Copies cite their own copy's documents, so these answers
  are the same size at every scale: their time must not grow with the graph.
- `popular`: the 20 most cited instruments from outside the corpus (Constitution, codes, decrees). Every
  copy cites them, so their answers grow N times with the corpus; shown for the rows per ms.

Each case runs as `kg query NAME X` does in process (X as a user types it: resolution, then the query),
`--repeat` times, the median kept. Printed per query and scale: cases, the median wall time, the
median, 95th percentile and largest CPU time of this process in ms (on a shared machine the wall time
mostly measures the wait for a core), and the median and largest row count. Aggregates (most-cited, by-issuer,
stale-citations) run once each per scale after a warm-up. Timing is wall-clock on a shared machine:
compare scales within one run.
"""

from __future__ import annotations

import argparse
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
    out = None
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", action="append", required=True, help="LABEL=BUILD_DIR, smallest first")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--backend", choices=("sparql",), default="sparql")
    ap.add_argument("--sample", type=int, default=60, help="corpus documents asked about per query (evenly spread; 0 = all)")
    ap.add_argument("--skip-aggregates", action="store_true")
    a = ap.parse_args()
    from kgraph.query import QueryError

    stores = [(s.split("=", 1)[0], Path(s.split("=", 1)[1])) for s in a.store]
    first, _ = sparql_runner(stores[0][1])
    cases = pick_cases(first)
    if a.sample:
        cases = {k: (v[:: max(1, len(v) // a.sample)][: a.sample] if k[0] == "corpus" else v) for k, v in cases.items()}
    del first
    print(f"backend {a.backend}; cases from {stores[0][0]}: " + ", ".join(
        f"{g}/{q} {len(v)}" for (g, q), v in cases.items()))
    print(f"{'query':18} {'X':8} {'scale':6} {'triples':>9} {'cases':>6} {'wall med':>8} {'cpu med':>8} {'cpu p95':>8} "
          f"{'cpu max':>8} {'rows med':>8} {'rows max':>8}   (ms)")
    for label, build in stores:
        store, run = sparql_runner(build)
        triples = _count(store)
        for (group, q), xs in cases.items():
            wall, cpu, rows = [], [], []
            for uri, x in xs:
                try:
                    w, c, res = timed(lambda: run(q, [x]), a.repeat)
                except QueryError:  # not in this store (cannot happen for copy 0's documents)
                    continue
                wall.append(w)
                cpu.append(c)
                rows.append(len(res.rows))
            if cpu:
                print(f"{q:18} {group:8} {label:6} {triples:>9} {len(cpu):>6} {statistics.median(wall):>8.1f} "
                      f"{statistics.median(cpu):>8.1f} {_pct(cpu, 0.95):>8.1f} {max(cpu):>8.1f} "
                      f"{statistics.median(rows):>8.0f} {max(rows):>8}", flush=True)
        if a.skip_aggregates:
            continue
        for q, args in AGGREGATES:
            run(q, args)  # warm-up
            w, c, res = timed(lambda: run(q, args), max(1, a.repeat // 2))
            print(f"{q:18} {'all':8} {label:6} {triples:>9} {1:>6} {w:>8.1f} {c:>8.1f} {c:>8.1f} {c:>8.1f} "
                  f"{len(res.rows):>8} {len(res.rows):>8}", flush=True)


def _count(store: Any) -> int:
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


if __name__ == "__main__":
    main()
