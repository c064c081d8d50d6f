"""The build's store loader alone at ×k: peak RSS and CPU of `StoreLoader` fed a build's parts k times.

    python bench/bench_store_memory.py OUT [--copies 1,10,30]

OUT is a finished `kg build` folder (its `parts/`). Copy i has every IRI under the build's base moved
below `c<i>/`, so the copies are distinct triples of the same shapes and sizes, as `make_scaled_corpus.py`'s
distinct numbers make distinct documents. Each size runs in a fresh process, so the peak is that load's.
The store's memory is most of the build process's peak (SCALING.md); this measures it at ×10 and ×30 in
minutes, where a whole build at ×30 takes ~300 CPU s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_ONE = r"""
import json, os, resource, shutil, sys, tempfile, time
from pathlib import Path
from kgraph.link.keys import DEFAULT_BASE
from kgraph.sinks.oxigraph_store import StoreLoader
parts, k = sorted(Path(sys.argv[1], "parts").glob("*.nt")), int(sys.argv[2])
tmp = Path(tempfile.mkdtemp(prefix="kg-store-memory-"))
try:
    c = time.process_time()
    loader, n, base = StoreLoader(tmp), 0, f"<{DEFAULT_BASE}".encode()
    for i in range(k):
        for p in parts:
            data = p.read_bytes().replace(base, base + f"c{i}/".encode())
            q = tmp / "part.nt"
            q.write_bytes(data)
            loader.add(q)
            n += data.count(b"\n")
    loader.finish("0" * 64)
    size = sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file())
    print(json.dumps({"copies": k, "lines": n, "cpu_s": round(time.process_time() - c, 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "store_mb": round(size / 1e6)}))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="a finished kg build folder")
    ap.add_argument("--copies", default="1,10,30")
    a = ap.parse_args()
    print(f"{'copies':>6} {'lines':>10} {'CPU s':>6} {'peak RSS MB':>11} {'store MB':>8}")
    for k in (int(x) for x in a.copies.split(",")):
        r = subprocess.run([sys.executable, "-c", _ONE, a.out, str(k)], capture_output=True, text=True, cwd=ROOT)
        if r.returncode:
            raise SystemExit(r.stderr[-2000:])
        row = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"{row['copies']:>6} {row['lines']:>10} {row['cpu_s']:>6} {row['peak_rss_mb']:>11} {row['store_mb']:>8}")


if __name__ == "__main__":
    main()
