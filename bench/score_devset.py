"""Score `kg extract --format json` against the hand-checked development sets (bench/devset/*.jsonl).

Why: span overlap alone says nothing about whether an edge is right; this compares every field a lawyer would
check — number, type, date, issuer, relation (overall and per relation), name, pinpoint, alias target — and the
document's own metadata, on whole documents annotated by hand (conventions: bench/devset/CONVENTIONS.md).

It runs the user's path: the `kg` command as a subprocess on the files in ../shared (KGRAPH_SHARED overrides
where ../shared is; a git worktree has none of its own).

Run: python bench/score_devset.py [--set central|central-heldout|central-all|local|local-heldout|local-all|all] [--show-errors] [--json]
(`central-heldout`: 4 gazette documents and `local-heldout`: 8 local documents the rules were not tuned on; `local-all`: the 17 and the 8 scored together.)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "bench" / "devset"
SETS = ("central", "central-heldout", "local", "local-heldout")
#: Sets scored as the union of others (each document keeps its own gold).
COMBINED = {"central-all": ("central", "central-heldout"), "local-all": ("local", "local-heldout")}
FIELDS = ("number", "type", "date", "issuer", "name", "relation", "pinpoint", "target")
OWN_FIELDS = ("number", "type", "issuer", "date", "signer")


def shared_dir() -> Path:
    """../shared beside the project root, or KGRAPH_SHARED."""
    return Path(os.environ.get("KGRAPH_SHARED") or ROOT.parent / "shared")


def load_gold(name: str) -> list[dict]:
    if name in COMBINED:
        return [d for part in COMBINED[name] for d in load_gold(part)]
    with open(DEVSET / f"{name}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def kg_command() -> list[str]:
    """The installed `kg` beside this interpreter (what a user runs), else the same entry point through Python."""
    exe = Path(sys.executable).parent / "kg"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from kgraph.cli import main; sys.exit(main())"]


def run_kg(paths: list[Path]) -> list[dict]:
    """`kg extract --format json FILE...`: one JSON object per input, in input order."""
    out = subprocess.run(kg_command() + ["extract", "--format", "json", *map(str, paths)],
                         capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(rows) != len(paths):
        raise RuntimeError(f"kg extract gave {len(rows)} rows for {len(paths)} files:\n{out.stderr[-2000:]}")
    return rows


# --- normalisation ---------------------------------------------------------------------------------------------

_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d]")


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s.replace("\u00d0", "Đ"))


def norm_number(s: str | None) -> str | None:
    if s is None:
        return None
    s = _DASHES.sub("-", nfc(s))
    return re.sub(r"\s+", "", s).upper()


def norm_text(s: str | None) -> str:
    s = _DASHES.sub("-", nfc(s or "")).casefold()
    s = re.sub(r"\s*-\s*", " - ", s)
    return re.sub(r"\s+", " ", s).strip(" .,;")


_ABBREV = [(r"\bubnd\b", "ủy ban nhân dân"), (r"\bhđnd\b", "hội đồng nhân dân"), (r"uỷ", "ủy"),
           (r"\btp\.?\s", "thành phố "), (r"hoà", "hòa"), (r"thuỷ", "thủy")]
_POSITION = re.compile(r"^(bộ trưởng|chủ tịch|thủ trưởng|chủ nhiệm|thống đốc|tổng giám đốc|giám đốc|trưởng)\s+")


def norm_issuer(s: str | None) -> str:
    s = norm_text(s)
    for pat, rep in _ABBREV:
        s = re.sub(pat, rep, s)
    return _POSITION.sub("", s)


def issuer_equal(gold: str, pred: str | None) -> bool:
    if not pred:
        return False
    parts = [norm_issuer(p) for p in gold.split(";")]
    p = norm_issuer(pred)
    if len(parts) == 1:
        return parts[0] == p
    return all(part in p for part in parts)


def date_equal(gold: str, pred_date: str | None, pred_year: Any) -> bool:
    if len(gold) == 4:
        return (pred_date or "").startswith(gold) or str(pred_year or "") == gold
    return gold == pred_date


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def arabic(s: str) -> str:
    """Chapters are written in Roman numerals ("Chương VI"); compare them as numbers."""
    if s and all(ch in _ROMAN for ch in s):
        vals = [_ROMAN[ch] for ch in s]
        return str(sum(-v if i + 1 < len(vals) and v < vals[i + 1] else v for i, v in enumerate(vals)))
    return s


def pin_set(pins: list[dict] | None) -> set[tuple]:
    out = set()
    for p in pins or []:
        key = tuple((str(p.get(k)).lower() if p.get(k) not in (None, "") else None)
                    for k in ("article", "clause", "point", "chapter"))
        key = key[:3] + (arabic(key[3]) if key[3] else None,)
        if any(key):
            out.add(key)
    return out


def target_equal(gold: dict, pred: dict) -> bool:
    g, t = gold["target"], pred.get("target")
    if g == "self":
        return t == "self" or pred.get("kind") == "self"
    cands = [t, pred.get("number"), pred.get("name")]
    return any(c and (norm_number(c).startswith(norm_number(g)) or norm_text(c) == norm_text(g)) for c in cands)


def field_ok(field: str, gold: dict, pred: dict) -> bool | None:
    """True/False when the field is scored on this pair; None when the gold value is null (not scored)."""
    g = gold.get(field)
    if field == "pinpoint":
        return None if not g else pin_set(g) == pin_set(pred.get("pinpoint"))
    if field == "relation":
        return None if gold["kind"] in ("self",) or g is None else g == pred.get("relation")
    if g is None:
        return None
    p = pred.get(field)
    if field == "number":
        return norm_number(g) == norm_number(p)
    if field == "type":
        return norm_text(g) == norm_text(p)
    if field == "date":
        return date_equal(g, p, pred.get("year"))
    if field == "issuer":
        return issuer_equal(g, p)
    if field == "name":
        return norm_text(p) in {norm_text(n) for n in [g, *gold.get("name_alternatives", [])]}
    if field == "target":
        return target_equal(gold, pred)
    raise ValueError(field)


def own_ok(field: str, gold: Any, pred: dict) -> bool:
    p = pred.get(field)
    if field == "signer":
        p = (p or {}).get("name") if isinstance(p, dict) else p
        return norm_text(p) == norm_text(gold)
    if field == "number":
        return norm_number(p) == norm_number(gold)
    if field == "issuer":
        return issuer_equal(gold, p)
    if field == "date":
        return gold == p
    return norm_text(p) == norm_text(gold)


# --- matching --------------------------------------------------------------------------------------------------

def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match(gold: list[dict], pred: list[dict]) -> tuple[list[tuple[int, int]], set[int]]:
    """One-to-one pairs (gold index, pred index) by largest overlap; and the predictions absorbed by optional spans."""
    real = [i for i, g in enumerate(gold) if g["kind"] != "optional"]
    cands = sorted(((overlap((gold[i]["start"], gold[i]["end"]), (p["start"], p["end"])), i, j)
                    for i in real for j, p in enumerate(pred)), reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for ov, i, j in cands:
        if ov <= 0:
            break
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((i, j))
    absorbed = {j for j, p in enumerate(pred) if j not in used_p and any(
        g["kind"] == "optional" and overlap((g["start"], g["end"]), (p["start"], p["end"])) > 0 for g in gold)}
    return sorted(pairs), absorbed


# --- scoring ---------------------------------------------------------------------------------------------------

def context(text: str, start: int, end: int, width: int = 70) -> str:
    s = text[max(0, start - width):start] + "[[" + text[start:end] + "]]" + text[end:end + width]
    return re.sub(r"\s+", " ", s)


def score(name: str, rows: list[dict] | None = None, shared: Path | None = None) -> dict:
    """Figures for one set; `rows` are kg's outputs in the set's order (run here when not given)."""
    docs = load_gold(name)
    base = shared or shared_dir()
    paths = [base / d["path"] for d in docs]
    if rows is None:
        rows = run_kg(paths)
    tally: dict[str, Counter] = defaultdict(Counter)
    per_rel: dict[str, Counter] = defaultdict(Counter)
    confusion: Counter = Counter()
    errors: list[dict] = []
    n_gold = n_pred = n_match = 0
    for doc, row, path in zip(docs, rows, paths):
        text = path.read_text(encoding="utf-8", errors="replace")
        gold, pred = doc["references"], row.get("references") or []
        pairs, absorbed = match(gold, pred)
        real = [g for g in gold if g["kind"] != "optional"]
        n_gold += len(real)
        n_pred += len(pred) - len(absorbed)
        n_match += len(pairs)
        matched_g = {i for i, _ in pairs}
        matched_p = {j for _, j in pairs}
        for i, g in enumerate(gold):
            if g["kind"] != "optional" and i not in matched_g:
                errors.append({"doc": doc["path"], "what": "missed", "field": "recall", "gold": g["text"],
                               "kind": g["kind"], "context": context(text, g["start"], g["end"])})
        for j, p in enumerate(pred):
            if j not in matched_p and j not in absorbed:
                errors.append({"doc": doc["path"], "what": "spurious", "field": "precision", "pred": p.get("text"),
                               "kind": p.get("kind"), "relation": p.get("relation"),
                               "context": context(text, p["start"], p["end"])})
        for i, j in pairs:
            g, p = gold[i], pred[j]
            for f in FIELDS:
                ok = field_ok(f, g, p)
                if ok is None:
                    continue
                tally[f]["n"] += 1
                tally[f]["ok"] += ok
                if f == "name" and g["type"] in ("Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"):
                    tally["law name"]["n"] += 1
                    tally["law name"]["ok"] += ok
                if f == "relation":
                    per_rel[g["relation"]]["n"] += 1
                    per_rel[g["relation"]]["ok"] += ok
                    if not ok:
                        confusion[(g["relation"], p.get("relation"))] += 1
                if not ok:
                    gv = g.get(f) if f != "pinpoint" else sorted(pin_set(g.get(f)))
                    pv = p.get(f) if f != "pinpoint" else sorted(pin_set(p.get(f)))
                    errors.append({"doc": doc["path"], "what": "field", "field": f, "gold": gv, "pred": pv,
                                   "kind": g["kind"], "text": g["text"], "context": context(text, g["start"], g["end"])})
        own = row.get("document") or {}
        for f in OWN_FIELDS:
            gv = (doc.get("document") or {}).get(f)
            if gv is None:
                continue
            ok = own_ok(f, gv, own)
            tally[f"own {f}"]["n"] += 1
            tally[f"own {f}"]["ok"] += ok
            if not ok:
                pv = own.get(f)
                errors.append({"doc": doc["path"], "what": "own", "field": f, "gold": gv,
                               "pred": pv.get("name") if isinstance(pv, dict) else pv})
    acc = {k: round(v["ok"] / v["n"], 4) if v["n"] else None for k, v in tally.items()}
    return {
        "set": name, "documents": len(docs), "gold": n_gold, "predicted": n_pred, "matched": n_match,
        "recall": round(n_match / n_gold, 4) if n_gold else None,
        "precision": round(n_match / n_pred, 4) if n_pred else None,
        "fields": {k: {"accuracy": acc[k], "n": tally[k]["n"]} for k in sorted(tally)},
        "relation_by_kind": {k: {"accuracy": round(v["ok"] / v["n"], 4), "n": v["n"]} for k, v in sorted(per_rel.items())},
        "relation_confusion": {f"{a} -> {b}": n for (a, b), n in confusion.most_common()},
        "errors": errors,
    }


def report(res: dict, show_errors: bool) -> None:
    print(f"== {res['set']}: {res['documents']} documents, {res['gold']} gold references, "
          f"{res['predicted']} predicted, {res['matched']} matched")
    print(f"recall {res['recall']}  precision {res['precision']}")
    for k, v in res["fields"].items():
        print(f"  {k:<14} {v['accuracy']}  (n={v['n']})")
    print("  relation by gold kind: " + ", ".join(f"{k} {v['accuracy']} (n={v['n']})"
                                                   for k, v in res["relation_by_kind"].items()))
    if res["relation_confusion"]:
        print("  relation errors (gold -> predicted): " + ", ".join(f"{k}: {n}" for k, n in res["relation_confusion"].items()))
    if show_errors:
        for e in res["errors"]:
            if e["what"] == "own":
                print(f"- {e['doc']}: own {e['field']}: gold {e['gold']!r}, kg {e['pred']!r}")
            elif e["what"] == "field":
                print(f"- {e['doc']}: {e['field']}: gold {e['gold']!r}, kg {e['pred']!r}  ({e['kind']}) … {e['context']}")
            else:
                print(f"- {e['doc']}: {e['what']} ({e.get('kind')}) … {e['context']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=(*SETS, *COMBINED, "all"), default="all")
    ap.add_argument("--show-errors", action="store_true", help="list every disagreement with its context")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    if not (shared_dir() / "corpus").is_dir():
        sys.exit(f"no corpus under {shared_dir()}: ../shared (or KGRAPH_SHARED) is required")
    results = [score(s) for s in ((*SETS, *COMBINED) if args.set == "all" else (args.set,))]
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if args.show_errors or k != "errors"} for r in results],
                         ensure_ascii=False, indent=1))
        return
    for r in results:
        report(r, args.show_errors)


if __name__ == "__main__":
    main()
