"""The build process's memory phase by phase: RSS now and peak at each phase's end, and with `--trace` the
tracemalloc sites still holding the most at that point.

    python bench/bench_build_memory.py OUT INPUT... [--no-store] [--trace] [--workers N]

It runs `kgraph.build.build` in this process and reads /proc/self/status where the build records its
`main_peak_rss_mb_after`. Tracing slows the build ~5x. To rerun only the corpus phases of a finished build,
copy OUT and set its manifest's "graph" to anything else: every part is then written again, nothing extracted.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import kgraph.build as build_module


def proc_status() -> dict[str, float]:
    """VmRSS and VmHWM (this process's resident memory now and at its peak) in MB, from /proc/self/status."""
    out = {}
    with open("/proc/self/status") as f:
        for ln in f:
            if ln.startswith(("VmRSS", "VmHWM")):
                k, v = ln.split(":")
                out[k] = int(v.split()[0]) / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--no-store", action="store_true",
                    help="build no store (what the store loader adds is the difference)")
    ap.add_argument("--trace", action="store_true", help="tracemalloc's top sites at each phase's end")
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    rows: list[dict] = []
    peak = build_module.own_peak_mb

    def probe() -> float:  # called by the build at each phase's end
        s = proc_status()
        row = {"rss_mb": round(s["VmRSS"], 1), "peak_mb": round(s["VmHWM"], 1)}
        if args.trace:
            cur, top = tracemalloc.get_traced_memory()
            row.update(python_mb=round(cur / 1e6, 1), python_peak_mb=round(top / 1e6, 1))
            row["sites"] = [(str(st.traceback[0]), round(st.size / 1e6, 2), st.count)
                            for st in tracemalloc.take_snapshot().statistics("lineno")[:10]]
            tracemalloc.reset_peak()
        rows.append(row)
        return peak()

    build_module.own_peak_mb = probe
    if args.trace:
        tracemalloc.start(1)
    t = time.perf_counter()
    r = build_module.build(args.inputs, args.out, workers=args.workers, store=not args.no_store)
    for phase, row in zip(r.summary["main_peak_rss_mb_after"], rows):
        print(phase, {k: v for k, v in row.items() if k != "sites"})
        for site in row.get("sites", []):
            print("   ", site)
    print("peak RSS MB of each process:", r.summary["peak_rss_mb"])  # the build's, its largest worker's, the loader's
    print(f"{time.perf_counter() - t:.1f} s, {r.summary['triples']} triples, graph {r.summary['graph_sha256'][:16]}")


if __name__ == "__main__":
    main()
