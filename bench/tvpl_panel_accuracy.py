"""Own metadata of saved legal-website pages against the site's own panel (issue 15).

`../shared/corpus/tvpl/index.jsonl` records, for the 191 pages that carry the site's panel (`"panel": true`), the
panel's number, type, place or body of issue ("Nơi ban hành"), signer and date. This runs the user's path —
`kg extract --format json` on those pages — and compares the document's own metadata with the panel.

Matching rules (written down because the panel and kgraph name things differently):
- number: equal after normalisation (NFC, one hyphen, no spaces, upper case);
- type: equal without case; pages whose panel type is "Văn bản khác" (other) are not scored for type;
- signer: equal without case and extra spaces, and with the tone mark of "oa"/"uy" on either letter (the
  panel writes "Lê Hải Hòa" where the document signs "Lê Hải Hoà": one name);
- date: equal (ISO);
- issuer: the panel names either a place ("Tỉnh Hà Tĩnh", "Thành phố Hà Nội") or a body ("Cục Thuế", "Bộ Tài
  chính", "Thủ tướng Chính phủ"). For a place, the extracted issuer must be a body of that place: it ends with the
  place ("Ủy ban nhân dân tỉnh Hà Tĩnh", "Sở Giáo dục và Đào tạo thành phố Hà Nội", "Thuế tỉnh Tây Ninh") and has a
  body before it. For a body, the extracted issuer must equal it (without case), or, when the panel abbreviates
  ("Ban Chỉ đạo sắp xếp ĐVHC ..."), start with the panel's words before the first abbreviation.
The seed's own gold (corpus/seed/*.gold.json) is scored the same way, with its full issuer compared for equality.

Run: python bench/tvpl_panel_accuracy.py [--show-errors] [--json]   (KGRAPH_SHARED overrides where ../shared is)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from score_devset import norm_number, norm_text, run_kg, shared_dir  # noqa: E402

FIELDS = ("number", "type", "issuer", "signer", "date")
_PLACE = re.compile(r"^(tỉnh|thành phố)\s+\S")
_ABBR = re.compile(r"^[A-ZĐ&]{2,}$")


#: Old and new placement of the tone mark in "oa", "oe", "uy" (hoà / hòa): the same spelling.
_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe",
          "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_TONE_RE = re.compile("|".join(_TONES))


def norm_name(s: str | None) -> str:
    s = _TONE_RE.sub(lambda m: _TONES[m.group(0)], norm_text(s))
    return s.replace("**", "").strip()


def issuer_matches(panel: str, issuer: str | None) -> bool:
    """The extracted full issuer designates the panel's place or body (rules in the module docstring)."""
    if not issuer:
        return False
    p, i = norm_name(panel), norm_name(issuer)
    if _PLACE.match(p):
        return i.endswith(" " + p) and len(i) > len(p) + 1
    if i == p:
        return True
    words = panel.split()
    cut = next((k for k, w in enumerate(words) if _ABBR.match(w)), None)
    if cut:
        return i.startswith(norm_name(" ".join(words[:cut])))
    return False


def compare(field: str, panel: dict, own: dict) -> bool | None:
    g = panel.get("issuer_place" if field == "issuer" else field)
    if g is None or (field == "type" and g == "Văn bản khác"):
        return None
    p = own.get(field)
    if field == "signer":
        p = (p or {}).get("name") if isinstance(p, dict) else p
        return norm_name(p) == norm_name(g)
    if field == "number":
        return norm_number(p) == norm_number(g)
    if field == "issuer":
        return issuer_matches(g, p)
    if field == "date":
        return p == g
    return norm_name(p) == norm_name(g)


def measure(shared: Path | None = None) -> dict:
    base = (shared or shared_dir()) / "corpus"
    rows = [json.loads(line) for line in open(base / "tvpl" / "index.jsonl", encoding="utf-8") if line.strip()]
    rows = [r for r in rows if r.get("panel")]
    paths = [base / "tvpl" / f"{r['slug']}.txt" for r in rows]
    out = run_kg(paths)
    tally: dict[str, Counter] = {f: Counter() for f in FIELDS}
    errors = []
    for r, o in zip(rows, out):
        own = o.get("document") or {}
        for f in FIELDS:
            ok = compare(f, r, own)
            if ok is None:
                continue
            tally[f]["n"] += 1
            tally[f]["ok"] += ok
            if not ok:
                pv = own.get(f)
                errors.append({"slug": r["slug"], "field": f, "panel": r.get("issuer_place" if f == "issuer" else f),
                               "kg": pv.get("name") if isinstance(pv, dict) else pv})
    # the seed: its hand-checked own metadata, same comparisons (issuer: the full name, equal)
    seed = {}
    for gold_path in sorted((base / "seed").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))["document"]
        o = run_kg([gold_path.with_name(json.loads(gold_path.read_text(encoding="utf-8"))["source"])])[0]
        own = o.get("document") or {}
        signer = (gold.get("signer") or {}).get("name")
        seed[gold_path.name] = {
            "number": norm_number(own.get("number")) == norm_number(gold["number"]),
            "type": norm_name(own.get("type")) == norm_name(gold["type"]),
            "issuer": norm_name(own.get("issuer")) == norm_name(gold["issuer"]),
            "signer": norm_name((own.get("signer") or {}).get("name")) == norm_name(signer),
            "date": own.get("date") == gold["date"],
        }
    # the header reader alone: the same comparisons without the site's panel filling what a page leaves unsaid
    from kgraph.extract.header import read_header  # noqa: PLC0415
    alone: dict[str, Counter] = {f: Counter() for f in FIELDS}
    for r, path in zip(rows, paths):
        text = path.read_text(encoding="utf-8")
        d = read_header(text, site_panel=False).document
        own = {"number": d.number, "type": d.type, "issuer": d.issuer, "date": d.date,
               "signer": {"name": d.signer.name} if d.signer else None}
        for f in FIELDS:
            ok = compare(f, r, own)
            if ok is not None:
                alone[f]["n"] += 1
                alone[f]["ok"] += ok
    return {
        "pages": len(rows),
        "header_alone": {f: round(t["ok"] / t["n"], 4) if t["n"] else None for f, t in alone.items()},
        "fields": {f: {"accuracy": round(t["ok"] / t["n"], 4) if t["n"] else None, "n": t["n"]} for f, t in tally.items()},
        "seed": seed,
        "errors": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not (shared_dir() / "corpus" / "tvpl").is_dir():
        sys.exit(f"no corpus/tvpl under {shared_dir()}: ../shared (or KGRAPH_SHARED) is required")
    res = measure()
    if args.json:
        print(json.dumps({k: v for k, v in res.items() if args.show_errors or k != "errors"}, ensure_ascii=False, indent=1))
        return
    print(f"tvpl pages with the site's panel: {res['pages']}")
    for f, v in res["fields"].items():
        print(f"  {f:<7} {v['accuracy']}  (n={v['n']})")
    print("  the header reader alone (the panel filling nothing): "
          + ", ".join(f"{f} {v}" for f, v in res["header_alone"].items()))
    for name, s in res["seed"].items():
        print(f"  seed {name}: " + ", ".join(f"{k} {'ok' if ok else 'WRONG'}" for k, ok in s.items()))
    if args.show_errors:
        for e in res["errors"]:
            print(f"- {e['slug']}: {e['field']}: panel {e['panel']!r}, kg {e['kg']!r}")


if __name__ == "__main__":
    main()
