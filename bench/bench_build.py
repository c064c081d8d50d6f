"""Build speed and memory as rates with corpus size: `kg build` end to end beside extraction alone.

    python bench/bench_build.py [INPUT...] [--workers 2] [--fractions 0.25,0.5,1]

Defaults to ../shared/corpus/congbao and ../shared/corpus/laws. For each fraction of the corpus (a fixed
pseudo-random sample, so every size has the same mix of gazette texts and laws) it runs, each in a
fresh process so memory is that run's own:

* extraction only: `kgraph.extract.extract` over the files in a pool of the same size (MB/s);
* a full build into an empty folder (MB/s end to end, peak RSS of the main process and of the largest worker);
* a rebuild with nothing changed (seconds; it must not re-extract).

Memory flat in corpus size means the peak RSS columns barely move while the MB column doubles.
Wall seconds depend on what else the machine runs; the CPU column (the build and its workers, from
summary.json) and MB per CPU second do much less: on a shared machine compare those.
For the ×10 and ×30 corpora: `python bench/make_scaled_corpus.py 30 /tmp/kg-x30`, then pass its copy folders.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

_EXTRACT_ONLY = r"""
import json, resource, sys, time, multiprocessing as mp
from kgraph.reader import read_source
from kgraph.extract import extract

def one(path):
    try:
        st = read_source(path)
    except Exception:  # a bad file (kgraph.reader.InputError does not survive pickling back to the pool)
        return 0, 0, 0.0
    t = time.perf_counter()
    e = extract(st.text, path)
    return len(st.raw), len(e.references), time.perf_counter() - t

if __name__ == "__main__":
    files = json.load(sys.stdin)
    workers = int(sys.argv[1])
    t = time.perf_counter()
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            res = pool.map(one, files, chunksize=1)
    else:
        res = [one(f) for f in files]
    wall = time.perf_counter() - t
    print(json.dumps({"bytes": sum(r[0] for r in res), "references": sum(r[1] for r in res),
                      "wall": wall, "cpu": sum(r[2] for r in res),
                      "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

_BUILD = r"""
import json, sys
from kgraph.build import build
files, out, workers = json.load(sys.stdin), sys.argv[1], int(sys.argv[2])
print(json.dumps(build(files, out, workers=workers).summary))
"""


def corpus_files(inputs: list[str]) -> list[str]:
    from kgraph.build import discover

    files, problems = discover(inputs)
    for p in problems:
        print(f"note: {p}", file=sys.stderr)
    return files


def sample(files: list[str], fraction: float) -> list[str]:
    shuffled = files[:]
    random.Random(2024).shuffle(shuffled)
    return sorted(shuffled[: max(1, round(len(files) * fraction))])


def run_py(code: str, args: list[str], stdin: object) -> dict:
    r = subprocess.run(
        [sys.executable, "-c", code, *args], input=json.dumps(stdin), capture_output=True, text=True, cwd=ROOT, check=False
    )
    if r.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*", default=[str(SHARED / "corpus" / "congbao"), str(SHARED / "corpus" / "laws")])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--fractions", default="0.25,0.5,1")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    a = ap.parse_args()
    files = corpus_files(a.inputs)
    rows = []
    print(f"{len(files)} files, workers={a.workers}, cores={os.cpu_count()}")
    header = (
        f"{'files':>5} {'MB':>6} | {'extract MB/s':>12} {'ext RSS max':>11} | {'build MB/s':>10} {'build s':>7} "
        f"{'CPU s':>6} {'MB/CPU s':>8} {'RSS main':>8} {'RSS worker':>10} {'triples':>8} | {'rebuild s':>9} {'CPU s':>6}"
    )
    print(header)
    print("-" * len(header))
    for frac in [float(x) for x in a.fractions.split(",")]:
        part = sample(files, frac)
        ex = run_py(_EXTRACT_ONLY, [str(a.workers)], part)
        with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
            out = str(Path(tmp) / "out")
            t = time.perf_counter()
            s = run_py(_BUILD, [out, str(a.workers)], part)
            wall = time.perf_counter() - t  # includes interpreter start and imports: end to end
            t = time.perf_counter()
            again = run_py(_BUILD, [out, str(a.workers)], part)
            rewall = time.perf_counter() - t
        assert again["files"]["extracted"] == 0 and again["graph_sha256"] == s["graph_sha256"], "rebuild was not a no-op"
        mb = s["input_bytes"] / 1e6
        row = {
            "files": len(part),
            "mb": round(mb, 2),
            "extract_mb_s": round(ex["bytes"] / 1e6 / ex["wall"], 2),
            "extract_rss_mb": round(max(ex["rss_main_mb"], ex["rss_worker_mb"]), 1),
            "build_mb_s": round(mb / wall, 2),
            "build_s": round(wall, 2),
            "build_phases_s": s["seconds"],
            "build_phases_cpu_s": s["cpu_seconds"],
            "build_cpu_s": s["cpu_seconds"]["total"],
            "rss_main_mb": s["peak_rss_mb"]["main"],
            "rss_worker_mb": s["peak_rss_mb"]["largest_worker"],
            "rss_store_loader_mb": s["peak_rss_mb"].get("store_loader"),  # its own process since branch buildmem2
            "triples": s["triples"],
            "rebuild_s": round(rewall, 2),
            "rebuild_cpu_s": again["cpu_seconds"]["total"],
        }
        rows.append(row)
        print(
            f"{row['files']:>5} {row['mb']:>6.1f} | {row['extract_mb_s']:>12.2f} {row['extract_rss_mb']:>11.0f} | "
            f"{row['build_mb_s']:>10.2f} {row['build_s']:>7.1f} {row['build_cpu_s']:>6.1f} {mb / row['build_cpu_s']:>8.2f} "
            f"{row['rss_main_mb']:>8.0f} {row['rss_worker_mb']:>10.0f} "
            f"{row['triples']:>8} | {row['rebuild_s']:>9.2f} {row['rebuild_cpu_s']:>6.2f}"
        )
    print("\nphases of the largest build (wall s):", json.dumps(rows[-1]["build_phases_s"]))
    print("phases of the largest build (CPU s):", json.dumps(rows[-1]["build_phases_cpu_s"]))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if a.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
