"""The annotated NER sentences (../shared/corpus/vnlegaltext-ner/val.jsonl) through the user's path,
`kg extract --jsonl`, against `find_references` on the same texts (overlap recall).

Why: a row is a sentence or a paragraph, not a document; if the CLI reads a header where there is none, the
row loses the reference it opens with and every one after it (issue 9, point 11). Both recalls must agree.

Run: python bench/ner_through_cli.py [--show 20]   (KGRAPH_SHARED=/path/to/shared in a git worktree)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from kgraph.evaluation import judgeable, load_jsonl
from kgraph.extract.citations import find_references

ROOT = Path(__file__).resolve().parents[1]


def kg_command() -> list[str]:
    exe = Path(sys.executable).parent / "kg"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "import sys; from kgraph.cli import main; sys.exit(main())"]


def measure(shared: Path) -> dict:
    rows = load_jsonl(shared / "corpus" / "vnlegaltext-ner" / "val.jsonl")
    feed = "\n".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) for r in rows)
    out = subprocess.run(kg_command() + ["extract", "--jsonl", "-"], input=feed, capture_output=True, text=True, check=True)
    cli = {o["id"]: o for o in map(json.loads, out.stdout.splitlines())}
    gold = direct = through = 0
    lost = []
    for r in rows:
        t = r["text"]
        pf = [x for x in find_references(t) if judgeable(x)]
        pc = [x for x in cli[r["id"]].get("references") or [] if x.get("kind") != "self"]
        for s in r["spans"]:
            a, b = s["start"], s["end"]
            gold += 1
            d = any(x.start < b and a < x.end for x in pf)
            c = any(x["start"] < b and a < x["end"] for x in pc)
            direct += d
            through += c
            if d and not c:
                lost.append((r["id"], t[a:b]))
    return {"gold": gold, "find_references": round(direct / gold, 4), "cli": round(through / gold, 4), "lost": lost}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", type=int, default=20)
    args = ap.parse_args()
    shared = Path(os.environ.get("KGRAPH_SHARED") or ROOT.parent / "shared")
    res = measure(shared)
    print(f"{res['gold']} annotated spans: find_references recall {res['find_references']}, "
          f"kg extract --jsonl recall {res['cli']}; {len(res['lost'])} lost through the CLI")
    for ident, span in res["lost"][: args.show]:
        print(f"  {ident}\t{span}")


if __name__ == "__main__":
    main()
