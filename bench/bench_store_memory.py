"""The build's store loader alone at ×k: peak RSS and CPU of `StoreLoader` fed a build's parts k times.

    python bench/bench_store_memory.py OUT [--copies 1,10,30] [--slices 30000,100000] [--pace 0.02]

OUT is a finished `kg build` folder (its `parts/`). Copy i has every IRI under the build's base moved
below `c<i>/`, so the copies are distinct triples of the same shapes and sizes, as `make_scaled_corpus.py`'s
distinct numbers make distinct documents. Each size runs in a fresh process, so the peak is that load's.
The store's memory is most of the build process's peak (SCALING.md); this measures it at ×10 and ×30 in
minutes, where a whole build at ×30 takes ~300 CPU s.

`--slices` loads with other slice sizes (lines a bulk load is given; the build's is `CHUNK_TRIPLES`). The CPU
is also split by thread: RocksDB's background threads (`rocksdb:*`: its compactions, and the merge that
`Store.optimize` asks of them) against the rest (parsing, encoding, writing the slices' files), read from
/proc when the load has finished. The parts are fed as fast as the loader takes them unless `--pace S` waits
S seconds after each (a ×10 build hands one over every ~60 ms): RocksDB then merges more often, each slice
into everything loaded before it, as in a build (docs/measurements.md).
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
import kgraph.sinks.oxigraph_store as oxs
from kgraph.sinks.oxigraph_store import StoreLoader
parts, k, pace = sorted(Path(sys.argv[1], "parts").glob("*.nt")), int(sys.argv[2]), float(sys.argv[4])
if int(sys.argv[3]):
    oxs.CHUNK_TRIPLES = int(sys.argv[3])

def rocksdb_cpu():  # CPU s of this process's RocksDB threads
    tck, n = os.sysconf("SC_CLK_TCK"), 0
    for t in Path("/proc/self/task").iterdir():
        try:
            if (t / "comm").read_text().startswith("rocksdb:"):
                f = (t / "stat").read_text().rsplit(")", 1)[1].split()
                n += int(f[11]) + int(f[12])
        except OSError:
            pass
    return n / tck
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
            time.sleep(pace)
    loader.finish("0" * 64)
    rocks = rocksdb_cpu()  # the threads are RocksDB's environment's: they outlive the closed store
    size = sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file())
    print(json.dumps({"copies": k, "slice": oxs.CHUNK_TRIPLES, "lines": n, "cpu_s": round(time.process_time() - c, 1),
                      "rocksdb_cpu_s": round(rocks, 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "store_mb": round(size / 1e6)}))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="a finished kg build folder")
    ap.add_argument("--copies", default="1,10,30")
    ap.add_argument("--slices", default="0", help="lines per bulk load, comma-separated (0: the build's own)")
    ap.add_argument("--pace", type=float, default=0.0, help="seconds to wait after each part, as a build would")
    a = ap.parse_args()
    print(f"{'copies':>6} {'slice':>7} {'lines':>10} {'CPU s':>6} {'RocksDB':>7} {'peak RSS MB':>11} {'store MB':>8}")
    for k in (int(x) for x in a.copies.split(",")):
        for sl in (int(x) for x in a.slices.split(",")):
            r = subprocess.run([sys.executable, "-c", _ONE, a.out, str(k), str(sl), str(a.pace)],
                               capture_output=True, text=True, cwd=ROOT)
            if r.returncode:
                raise SystemExit(r.stderr[-2000:])
            row = json.loads(r.stdout.strip().splitlines()[-1])
            print(f"{row['copies']:>6} {row['slice']:>7} {row['lines']:>10} {row['cpu_s']:>6} {row['rocksdb_cpu_s']:>7}"
                  f" {row['peak_rss_mb']:>11} {row['store_mb']:>8}")


if __name__ == "__main__":
    main()
