"""A ×N store made from one build's graph by replication, for query timing where a ×N corpus build is too slow.

    python bench/make_replicated_store.py BUILD 100 /tmp/kg-r100
    python bench/bench_queries.py --iri --store x1=BUILD --store r100=/tmp/kg-r100

Copy 0 is the graph itself (same IRIs, so the instruments `bench_queries.py` picks from BUILD are in it);
copies 1..N-1 have every IRI under the build's base moved to `BASE/copyI/` (the ontology's IRIs and the
literals unchanged). Unlike `make_scaled_corpus.py`, whose copies are read again by `kg build` and share
the instruments they cite from outside the corpus, here each copy has its own: every answer is the same
size at every scale, which is what "a query grows with its answer, not with the graph" needs, and the
numbers users type repeat in every copy (hence `bench_queries.py --iri`). The output is a folder with
`graph.nt` and an Oxigraph store, as `kg build` leaves them.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def replicate(graph: Path, factor: int, out: Path, base: str) -> tuple[int, str]:
    """Write `factor` copies of `graph` to `out`; (lines, sha256 of the bytes)."""
    lines = graph.read_bytes().splitlines(keepends=True)
    old = b"<" + base.encode("utf-8")
    h = hashlib.sha256()
    n = 0
    with open(out, "wb") as f:
        for i in range(factor):
            new = old + f"copy{i}/".encode() if i else old
            chunk = b"".join(ln.replace(old, new) for ln in lines) if i else b"".join(lines)
            f.write(chunk)
            h.update(chunk)
            n += len(lines)
    return n, h.hexdigest()


def main() -> None:
    from kgraph.link.keys import DEFAULT_BASE
    from kgraph.sinks.oxigraph_store import load_store

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", type=Path, help="a kg build output folder (its graph.nt)")
    ap.add_argument("factor", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--base", default=DEFAULT_BASE, help="the build's IRI base (default: kgraph's)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    t, c = time.perf_counter(), time.process_time()
    n, digest = replicate(a.build / "graph.nt", a.factor, a.out / "graph.nt", a.base)
    print(f"wrote {n:,} lines in {time.perf_counter() - t:.0f} s", flush=True)
    t2 = time.perf_counter()
    load_store(a.out, a.out / "graph.nt", digest)
    print(f"store loaded in {time.perf_counter() - t2:.0f} s wall; {time.process_time() - c:.0f} CPU s in all; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
