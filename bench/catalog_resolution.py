#!/usr/bin/env python
"""Named citations resolved to a number in a build, and what the catalogue says about each.

    python bench/catalog_resolution.py OUT/ [--sample 30] [--seed 1]

OUT/ is a `kg build` folder. Counted: references the extractor calls `named` whose type is cited by name
(Luật, Bộ luật, Pháp lệnh, Hiến pháp) and that give a year or a date. A reference is resolved when its
reified citation in graph.nt points at a numbered instrument (`.../doc/...`) rather than at a name
(`.../law/...`). "Covered" means the catalogue has an instrument of that name issued that year, whether or
not it resolves: the acceptance figure is resolved / covered. The sample lists resolutions with the
catalogue's title and date beside the citation, for checking by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kgraph.catalog import Ambiguous, Match, cited_name, default_catalog, resolve_name  # noqa: E402
from kgraph.catalog.write import named_types  # noqa: E402

_CITED = re.compile(r"^<[^>]*/citation/([0-9a-f]+)/(\d+)-(\d+)> <[^>]*#citedDocument> <([^>]+)> \.$")


def citations(graph: Path) -> dict[tuple[str, int, int], str]:
    out = {}
    with graph.open(encoding="utf-8") as f:
        for line in f:
            if "#citedDocument>" in line:
                m = _CITED.match(line.strip())
                if m:
                    out[(m.group(1), int(m.group(2)), int(m.group(3)))] = m.group(4)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, help="write every counted reference here")
    ap.add_argument("--catalogue-only", action="store_true",
                    help="sample the catalogue's answers for the citations the graph leaves unresolved")
    args = ap.parse_args()
    cites = citations(args.out / "graph.nt")
    files = json.loads((args.out / "manifest.json").read_text(encoding="utf-8"))["files"]
    named = named_types()
    cat = default_catalog()
    rows = []
    for source, entry in sorted(files.items()):
        sha = entry["sha256"]
        cache = json.loads((args.out / "cache" / f"{sha}.json").read_text(encoding="utf-8"))
        fields = cache["ref_fields"]
        doc_date = (cache.get("document") or {}).get("date")
        for raw in cache["refs"]:
            r = dict(zip(fields, raw))
            if r["kind"] != "named" or r["type"] not in named or not (r["year"] or r["date"]) or not r["name"]:
                continue
            # the graph keys citations by the hash of the source path (two copies of a file cite apart)
            iri = cites.get((hashlib.sha256(source.encode("utf-8")).hexdigest()[:16], r["start"], r["end"]))
            cn = cited_name(r["name"])
            year = r["year"] or int(r["date"][:4])
            covered = any(i.year == year for i in cat.by_key(cn.key))
            res = resolve_name(r["name"], year=r["year"], date=r["date"], at=doc_date, catalog=cat)
            rows.append({"source": Path(source).name, "start": r["start"], "text": " ".join(r["text"].split()),
                         "name": r["name"], "number_in_text": bool(r["number"]), "year": r["year"], "date": r["date"], "iri": iri,
                         "resolved": bool(iri and "/doc/" in iri), "covered": covered,
                         "catalogue": (res.number if isinstance(res, Match) else
                                       "ambiguous: " + ", ".join(res.numbers) if isinstance(res, Ambiguous) else None),
                         "catalogue_title": res.instrument.title if isinstance(res, Match) else None,
                         "catalogue_date": res.instrument.date if isinstance(res, Match) else None})
    print("named citations of laws, codes, ordinances and the constitution with a year or date")
    for label, sub in (("all", rows), ("the name only (no number written)", [r for r in rows if not r["number_in_text"]]),
                       ("name and number", [r for r in rows if r["number_in_text"]])):
        n = len(sub)
        res = sum(r["resolved"] for r in sub)
        cov = [r for r in sub if r["covered"]]
        res_cov = sum(r["resolved"] for r in cov)
        either = sum(1 for r in cov if r["resolved"] or (r["catalogue"] and not r["catalogue"].startswith("ambig")))
        print(f"  {label}: {n}; resolved to a number in the graph {res} ({res / max(n, 1):.1%}); "
              f"the catalogue covers {len(cov)}, resolved among them {res_cov} ({res_cov / max(len(cov), 1):.1%}); "
              f"by the graph or the catalogue's own answer {either} ({either / max(len(cov), 1):.1%})")
    cov = [r for r in rows if r["covered"]]
    amb = Counter(r["catalogue"].startswith("ambiguous") for r in rows if r["catalogue"])
    print(f"  catalogue's own answer: match {amb[False]}, ambiguous {amb[True]}, "
          f"none {sum(1 for r in rows if not r['catalogue'])}")
    wrong = [r for r in rows if r["resolved"] and r["catalogue"] and not r["catalogue"].startswith("ambiguous")
             and ("/doc/" + r["catalogue"].replace("/", "_") + "/") not in r["iri"] + "/"]
    print(f"  graph and catalogue disagree on the number: {len(wrong)}")
    for r in wrong[:10]:
        print(f"    {r['source']}@{r['start']}: {r['text'][:60]!r} graph {r['iri'].rsplit('/', 1)[-1]}, "
              f"catalogue {r['catalogue']}")
    unresolved = Counter(f"{r['name']} ({r['year'] or r['date']})" for r in cov if not r["resolved"])
    if unresolved:
        print("  covered but unresolved (most frequent):")
        for k, c in unresolved.most_common(10):
            print(f"    {c:>4}  {k}")
    done = [r for r in rows if r["resolved"] and not r["number_in_text"]]
    if args.catalogue_only:  # what the catalogue adds: its answers where the graph has none
        done = [r for r in rows if not r["resolved"] and not r["number_in_text"] and r["catalogue"]
                and not r["catalogue"].startswith("ambiguous")]
        for r in done:
            r["iri"] = "/doc/" + r["catalogue"]
    rng = random.Random(args.seed)
    sample = rng.sample(done, min(args.sample, len(done)))
    print(f"\nsample of {len(sample)} resolutions of names without a number (citation → graph's number; "
          f"catalogue's title and date):")
    for r in sorted(sample, key=lambda r: (r["source"], r["start"])):
        print(f"  {r['source'][:38]:<38} {r['text'][:70]!r:<72} → {r['iri'].rsplit('/', 1)[-1]:<16} "
              f"| {r['catalogue_title'] or '-'} {r['catalogue_date'] or ''}")
    if args.json:
        args.json.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
