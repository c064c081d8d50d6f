#!/usr/bin/env python
"""Issue 10's acceptance: every instrument cited by name that the catalogue knows appears in the graph under its number.

    kg build --out OUT ../shared/corpus/vbpl-pages ../shared/corpus/laws
    python bench/catalog_acceptance.py OUT/

Counted: every reference the extractor calls `named` with a name and a year or date (any type). "The catalogue
knows it" when `resolve_name` gives exactly one instrument with a number for that name and year; the
reference passes when its reified citation in graph.nt points at that number's instrument (or it names the citing document itself). Prints the counts
and every failure (exit 1 when any), and the names the catalogue finds ambiguous (never resolved).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from catalog_resolution import citations  # noqa: E402

from kgraph.catalog import Ambiguous, Match, default_catalog, resolve_name  # noqa: E402
from kgraph.link.keys import iri_segment  # noqa: E402
from kgraph.numbers import normalize_number  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    cites = citations(args.out / "graph.nt")
    files = json.loads((args.out / "manifest.json").read_text(encoding="utf-8"))["files"]
    cat = default_catalog()
    known, ok, failures, ambiguous, unknown = 0, 0, [], Counter(), 0
    for source, entry in sorted(files.items()):
        cache = json.loads((args.out / "cache" / f"{entry['sha256']}.json").read_text(encoding="utf-8"))
        fields = cache["ref_fields"]
        own = normalize_number((cache.get("document") or {}).get("number") or "") or None
        for raw in cache["refs"]:
            r = dict(zip(fields, raw))
            if r["kind"] != "named" or not r["name"] or not (r["year"] or r["date"]):
                continue
            res = resolve_name(r["name"], year=r["year"], date=r["date"], catalog=cat)
            if isinstance(res, Ambiguous):
                ambiguous[f"{r['name']} ({r['year'] or r['date']}): {', '.join(res.numbers)}"] += 1
                continue
            if not isinstance(res, Match) or not res.number:
                unknown += 1
                continue
            known += 1
            iri = cites.get((hashlib.sha256(source.encode("utf-8")).hexdigest()[:16], r["start"], r["end"]))
            want = "/doc/" + iri_segment(normalize_number(res.number))
            if (iri and iri.endswith(want)) or (iri is None and own == normalize_number(res.number)):
                ok += 1  # a mention of the document itself is its own node, not a citation
            else:
                failures.append(f"{Path(source).name}@{r['start']}: {' '.join(r['text'].split())[:70]!r} "
                                f"→ graph {iri and iri.rsplit('/', 2)[-2:]}, catalogue {res.number}")
    print(f"named citations with a year or date: {known + unknown + sum(ambiguous.values())}; "
          f"the catalogue knows {known}; in the graph under its number {ok} "
          f"({ok / max(known, 1):.1%}); not known {unknown}; ambiguous {sum(ambiguous.values())}")
    for f in failures:
        print("  MISSING", f)
    for k, c in ambiguous.most_common():
        print(f"  ambiguous ×{c}: {k}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
