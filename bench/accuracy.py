"""Reference accuracy on the gold sets in ../shared: the seed plan and the NER sentences.

    python bench/accuracy.py [--show 30]

Prints the seed checks that fail (if any), NER recall and precision (overlap match), how many
predictions are repeat mentions of an instrument the sentence annotates elsewhere, and the first
misses and false positives to look at. Own-metadata figures: bench/header_accuracy.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kgraph.evaluation import load_jsonl, score_ner, score_seed

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=20, help="misses and false positives to list")
    args = ap.parse_args()
    if not (SHARED / "corpus").is_dir():
        sys.exit(f"{SHARED}/corpus is missing")
    seed_dir = SHARED / "corpus" / "seed"
    seed = score_seed(seed_dir / "120-KH-UBND-2018-lang-son.txt", seed_dir / "120-KH-UBND-2018-lang-son.gold.json")
    print(f"seed 120/KH-UBND: {seed.passed}/{len(seed.checks)} checks")
    for p in seed.problems:
        print("  -", p)
    rows = load_jsonl(SHARED / "corpus" / "vnlegaltext-ner" / "val.jsonl")
    t0 = time.perf_counter()
    s = score_ner(rows)
    dt = time.perf_counter() - t0
    print(f"NER: {len(rows)} sentences, {s.gold} annotated spans, {s.predicted} judgeable predictions ({dt:.1f} s)")
    print(f"  recall    {s.recall:.4f} ({s.recalled}/{s.gold})")
    print(f"  precision {s.precision:.4f} ({s.correct}/{s.predicted}); "
          f"{s.repeats} more are repeat mentions of an annotated instrument -> {s.precision_repeats_counted:.4f}")
    print(f"misses (first {args.show}):")
    for i, t in s.misses[: args.show]:
        print(f"  {i}\t{t}")
    print(f"false positives (first {args.show} of {len(s.false_positives)}):")
    for i, t in s.false_positives[: args.show]:
        print(f"  {i}\t{t}")


if __name__ == "__main__":
    main()
