"""How well `read_header` reads a document's own number, type, date and signer on real documents.

Measures, on ../shared (next to the project root):
- congbao/: own number and type against index.jsonl (200 gazette documents);
- laws/ with law-metadata/codes.jsonl: number, issue date and signer of six codes;
- speed of `read_header` alone over congbao + laws.

Run: python bench/header_accuracy.py [--shared PATH] [--quiet]
Prints the figures, then every disagreement (file, what the index says, what was read).
The tests (tests/test_header.py) load this file for the same comparisons.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kgraph.extract.header import read_header  # noqa: E402
from kgraph.knowledge import load  # noqa: E402

#: How the gazette index abbreviates types that the knowledge tables name in full.
_LOAI = {"TT Liên tịch": "Thông tư liên tịch"}


def ascii_fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in s if not unicodedata.combining(c))


def number_key(number: str) -> str:
    """A number as the gazette's slugs write it: ascii, lower case, '/' → '-', nothing else."""
    s = ascii_fold(number).lower().replace("/", "-")
    s = re.sub(r"[\u2010-\u2015\u2212\uff0d]", "-", s)
    return re.sub(r"[^a-z0-9-]", "", s)


def expected_numbers(row: dict) -> set[str]:
    """Keys the index accepts for a row: from `so_hieu` when it has a number, and from the slug."""
    keys = set()
    so = row.get("so_hieu") or ""
    m = re.search(r"\d[\w.]*(?:\s*[/-]\s*[\w.]+)+", so)
    if m and "/" in m.group(0):
        keys.add(number_key(m.group(0)))
    for text in (row.get("slug") or "", so):
        sm = re.fullmatch(r"[a-z-]*?-so-(.+)-\d+", text)
        if sm:
            keys.add(sm.group(1))
    return keys


def expected_type(loai: str) -> str:
    if loai in _LOAI:
        return _LOAI[loai]
    k = load()
    t = k.doc_type(code=loai) or k.doc_type(name=loai)
    return t.name if t else loai


@dataclass
class Row:
    path: Path
    row: dict
    number: str | None
    type: str | None
    number_ok: bool
    type_ok: bool
    number_in_text: bool  # the index's number is written somewhere in the text at all


def congbao(shared: Path = SHARED) -> list[Row]:
    base = shared / "corpus" / "congbao"
    out = []
    for line in (base / "index.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        path = base / row["topic_key"] / f"{row['slug']}.txt"
        text = path.read_text("utf-8")
        doc = read_header(text).document
        want = expected_numbers(row)
        got = number_key(doc.number) if doc.number else None
        squashed = number_key(re.sub(r"\s+", "", unicodedata.normalize("NFC", text)))
        out.append(
            Row(
                path=path,
                row=row,
                number=doc.number,
                type=doc.type,
                number_ok=got in want,
                type_ok=doc.type == expected_type(row["loai"]),
                number_in_text=any(w in squashed for w in want),
            )
        )
    return out


def codes(shared: Path = SHARED) -> list[tuple[str, dict, dict]]:
    """(file, expected, read) for the six codes of law-metadata/codes.jsonl."""
    laws = shared / "corpus" / "laws"
    stems = sorted((p.stem for p in laws.glob("*.txt")), key=len, reverse=True)
    out = []
    for line in (shared / "corpus" / "law-metadata" / "codes.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        meta = json.loads(line)
        stem = next(s for s in stems if meta["file_hint"].startswith(s))
        doc = read_header((laws / f"{stem}.txt").read_text("utf-8")).document
        d, m, y = meta["ngay_ban_hanh"].split("/")
        want = {"number": meta["so_hieu_van_ban"], "date": f"{y}-{m}-{d}", "signer": meta["nguoi_ky"]}
        got = {"number": doc.number, "date": doc.date, "signer": doc.signer.name}
        out.append((stem, want, got))
    return out


def speed(shared: Path = SHARED, rounds: int = 3) -> tuple[float, int, int]:
    """(MB/s of UTF-8 input, files, bytes) for `read_header` alone over congbao + laws."""
    paths = sorted((shared / "corpus" / "congbao").glob("*/*.txt")) + sorted((shared / "corpus" / "laws").glob("*.txt"))
    texts = [p.read_text("utf-8") for p in paths]
    size = sum(len(t.encode("utf-8")) for t in texts)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for t in texts:
            read_header(t)
        best = min(best, time.perf_counter() - t0)
    return size / best / 1e6, len(texts), size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--quiet", action="store_true", help="figures only")
    args = ap.parse_args(argv)
    if not (args.shared / "corpus").is_dir():
        print(f"no shared corpus at {args.shared}", file=sys.stderr)
        return 2

    rows = congbao(args.shared)
    n = len(rows)
    num_ok = sum(r.number_ok for r in rows)
    type_ok = sum(r.type_ok for r in rows)
    answerable = [r for r in rows if r.number_in_text]
    ans_ok = sum(r.number_ok for r in answerable)
    print(f"congbao: {n} documents")
    print(f"  own number agrees with the index: {num_ok}/{n} = {num_ok / n:.1%}")
    print(f"    where the number is written in the text at all: {ans_ok}/{len(answerable)} = "
          f"{ans_ok / max(1, len(answerable)):.1%}")
    print(f"  own type agrees with the index:   {type_ok}/{n} = {type_ok / n:.1%}")

    cs = codes(args.shared)
    good = sum(w == g for _, w, g in cs)
    print(f"codes: {good}/{len(cs)} with number, date and signer right")

    mbs, files, size = speed(args.shared)
    print(f"speed: read_header alone, {files} files, {size / 1e6:.1f} MB: {mbs:.1f} MB/s")

    if not args.quiet:
        bad = [r for r in rows if not (r.number_ok and r.type_ok)]
        if bad:
            print("\ncongbao disagreements (file | index number / type | read number / type):")
        for r in bad:
            why = "" if r.number_in_text else "  [number not in the text]"
            print(f"  {r.path.parent.name}/{r.path.name} | {r.row['so_hieu']} / {r.row['loai']} | "
                  f"{r.number} / {r.type}{why}")
        for stem, w, g in cs:
            if w != g:
                print(f"  code {stem}: want {w} got {g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
