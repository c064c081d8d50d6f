"""`kg build` on a Dask cluster beside the local build of the same corpus: the same graph.nt, and the cost.

    python bench/bench_dask_build.py [INPUT...] [--workers 2] [--scheduler tcp://host:8786]

Defaults to ../shared/corpus/congbao and ../shared/corpus/laws and a Dask LocalCluster of --workers
processes (started inside the timed build, as `kg build --executor dask` does). Prints MB/s end to end
and the CPU seconds of each phase for both, and whether graph.nt is byte for byte the same (exit 1 if not).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def main() -> int:
    from kgraph.build import GRAPH_NT, build

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*", default=[str(SHARED / "corpus" / "congbao"), str(SHARED / "corpus" / "laws")])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scheduler", default=None)
    a = ap.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-dask-") as tmp:
        for kind in ("local", "dask"):
            out = Path(tmp) / kind
            t = time.perf_counter()
            s = build(a.inputs, out, workers=a.workers, executor=kind,
                      scheduler=a.scheduler if kind == "dask" else None).summary
            wall = time.perf_counter() - t
            rows[kind] = s
            print(f"{kind:>5}: {s['input_bytes'] / 1e6:.1f} MB, {s['documents']} documents, {s['triples']} triples "
                  f"in {wall:.1f} s ({s['input_bytes'] / 1e6 / wall:.2f} MB/s); CPU s by phase "
                  f"(this process + its workers; a Dask cluster's workers are not counted): {json.dumps(s['cpu_seconds'])}")
        same = filecmp.cmp(Path(tmp) / "local" / GRAPH_NT, Path(tmp) / "dask" / GRAPH_NT, shallow=False)
    print(f"graph.nt: {'identical' if same else 'DIFFERS'} (sha256 {rows['local']['graph_sha256'][:16]} / "
          f"{rows['dask']['graph_sha256'][:16]})")
    return 0 if same else 1


if __name__ == "__main__":  # a Dask LocalCluster starts its workers by importing this module again
    sys.exit(main())
