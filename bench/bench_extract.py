"""Extraction speed and memory over ../shared/corpus/congbao + laws, one process.

Reports MB/s for the full extractor (header + references), the same for one bare regex scan of
the same texts (the floor any regex-based extractor pays), their ratio, and the peak RSS after
each quarter of the files (flat means memory does not grow with the number of files).

    python bench/bench_extract.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path

from kgraph import extract

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
BARE = re.compile(r"\d+/\d{4}/[A-ZĐ]+-[A-Z]+")


def corpus_files() -> list[Path]:
    files = sorted((SHARED / "corpus" / "congbao").glob("*/*.txt")) + sorted((SHARED / "corpus" / "laws").glob("*.txt"))
    if not files:
        sys.exit(f"no corpus under {SHARED}: ../shared is required")
    return files


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    args = ap.parse_args()
    files = corpus_files()
    total = sum(f.stat().st_size for f in files) / 1e6
    extract("warm up: Nghị định số 1/2020/NĐ-CP")  # tables load once per process
    best_x = best_b = float("inf")
    marks: list[tuple[int, float]] = []
    refs = 0
    for run in range(args.repeat):
        t0 = time.process_time()
        n = 0
        for f in files:
            n += len(BARE.findall(f.read_text(encoding="utf-8")))
        best_b = min(best_b, time.process_time() - t0)
        t0 = time.process_time()
        refs = 0
        for i, f in enumerate(files, 1):
            refs += len(extract(f.read_text(encoding="utf-8"), source=str(f)).references)
            if run == 0 and i % max(1, len(files) // 4) == 0:
                marks.append((i, rss_mb()))
        best_x = min(best_x, time.process_time() - t0)
    print(f"corpus: {len(files)} files, {total:.1f} MB; {refs} references")
    print(f"extract:   {total / best_x:6.1f} MB/s ({best_x:.2f} s CPU, best of {args.repeat})")
    print(f"bare scan: {total / best_b:6.1f} MB/s ({best_b:.2f} s CPU)")
    print(f"ratio extract/bare: {best_b / best_x:.3f} (the extractor runs at this fraction of one regex scan)")
    print("peak RSS after files: " + ", ".join(f"{i}: {mb:.0f} MB" for i, mb in marks))


if __name__ == "__main__":
    main()
