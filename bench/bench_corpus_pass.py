"""The corpus-level pass of `kg build` alone, on a finished build's cached facts: the `Resolver` over every
file's facts, then every instrument resolved and written to a part (what phases 3 and 4 do in the build's
own process), with its CPU seconds and the Python heap it leaves and peaks at, per file.

    python bench/bench_corpus_pass.py OUT [--trace]

OUT is a build folder (its manifest and cache). The catalogue, the tables and the caches are warmed on the
first 50 files before anything is measured. Without `--trace`: CPU seconds (process time) and this process's
peak RSS; with it, tracemalloc's live heap after the pass and its peak (tracing slows the pass several times).
Memory flat in corpus size means the bytes per file fall as the corpus grows (the same fixed cost shared).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from kgraph.build_cache import CachedFacts
from kgraph.graph.rdf import instruments_triples
from kgraph.link.corpus import Resolver
from kgraph.link.resolved import resolve_instruments
from kgraph.sinks.files import write_part


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--trace", action="store_true", help="tracemalloc's live and peak heap (slow)")
    a = ap.parse_args()
    out = Path(a.out)
    files = json.loads((out / "manifest.json").read_text("utf-8"))["files"]
    shas = [files[s]["sha256"] for s in sorted(files)]
    with tempfile.TemporaryDirectory(prefix="kg-corpus-pass-") as tmp:
        warm = Resolver(CachedFacts(out / "cache", shas[:50]))
        write_part(instruments_triples(resolve_instruments(warm)), Path(tmp) / "warm.nt")
        del warm
        gc.collect()
        if a.trace:
            tracemalloc.start(1)
            start = tracemalloc.get_traced_memory()[0]
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.process_time()
        r = Resolver(CachedFacts(out / "cache", shas))
        n = write_part(instruments_triples(resolve_instruments(r)), Path(tmp) / "instruments.nt")
        cpu = time.process_time() - t
        gc.collect()
        row = {"files": len(shas), "instrument_triples": n, "cpu_s": round(cpu, 2),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
               "peak_rss_before_mb": round(rss0, 1)}
        if a.trace:
            cur, peak = tracemalloc.get_traced_memory()
            row.update(live_mb=round((cur - start) / 1e6, 2), live_b_per_file=round((cur - start) / len(shas)),
                       peak_mb=round((peak - start) / 1e6, 2))
        print(json.dumps(row))


if __name__ == "__main__":
    main()
