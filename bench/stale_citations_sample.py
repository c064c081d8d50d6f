#!/usr/bin/env python
"""A seeded sample of `kg query stale-citations` rows, each with the verdict a reader gave it by hand.

    python bench/stale_citations_sample.py OUT/ [--n 50] [--seed 2026] [--verdicts bench/devset/stale_citations_verdicts.jsonl]

OUT/ is a `kg build` of ../shared/corpus/congbao and ../shared/corpus/laws. The rows are taken in the query's
order and sampled with `random.Random(seed).sample`; each is looked up in the verdicts file by (citing document,
cited instrument, how, ender), so a row judged once keeps its verdict when the sample is drawn again and a row
never judged is reported as such (judge it: read the citing text, its date, and the ender's text with the date
it takes effect, then add a line). What "right" means is in bench/devset/stale_citations_sample.md.
Exit status 1 when a sampled row has no verdict.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERDICTS = ROOT / "bench" / "devset" / "stale_citations_verdicts.jsonl"


def key(row: dict) -> tuple[str, str, str, str]:
    """What identifies a row across builds: labels, not IRIs (the citing document's label carries its year)."""
    return (row["label"], row["cited_label"], row["how"], row.get("by_label") or "")


def rows_of(store: Path) -> list[dict]:
    kg = Path(sys.executable).with_name("kg")
    out = subprocess.run([str(kg), "query", "stale-citations", "--store", str(store), "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--verdicts", type=Path, default=VERDICTS)
    a = ap.parse_args(argv)
    rows = rows_of(a.store)
    verdicts = {}
    for line in a.verdicts.read_text("utf-8").splitlines():
        if line.strip():
            v = json.loads(line)
            verdicts[(v["label"], v["cited_label"], v["how"], v["by_label"])] = v
    sample = random.Random(a.seed).sample(rows, min(a.n, len(rows)))
    count: Counter[str] = Counter()
    for i, r in enumerate(sample, 1):
        v = verdicts.get(key(r))
        verdict = v["verdict"] if v else "UNJUDGED"
        count[verdict] += 1
        print(f"{i:2} {verdict:8} {r['label']} ({r['date']}) cites {r['cited_label']}: {r['how']}"
              f"{' ' + r['by_label'] if r.get('by_label') else ''}, ended {r['ended']}")
        if v and v["verdict"] != "right":
            print(f"   {v['why']}")
    judged = count["right"] + count["wrong"]
    print(f"\n{len(rows)} rows; sample of {len(sample)} (seed {a.seed}): right {count['right']}, wrong {count['wrong']}, "
          f"unjudged {count['UNJUDGED']}" + (f"; right {count['right'] / judged:.3f} of those judged" if judged else ""))
    return 1 if count["UNJUDGED"] else 0


if __name__ == "__main__":
    sys.exit(main())
