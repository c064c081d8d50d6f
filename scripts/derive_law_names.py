"""Derive kgraph/knowledge/law_names.yaml: the names of real laws, codes and ordinances, from the authority
catalogue in ../shared/corpus/catalog (laws-merged.jsonl and phapdien.jsonl).

Why: where a cited law's name ends is not decidable from the words alone ("Luật An toàn, vệ sinh lao động"
runs over a comma, "Luật Hỗ trợ doanh nghiệp nhỏ và vừa" over two stop words; "Luật Quản lý thuế và thời gian
tính lãi" must stop at "thuế"). The catalogue's titles are the evidence; the extractor prefers the longest
known name at a head and falls back on its word rules for laws the list lacks. Amending laws are left out
(their names run through the amended laws' names, which the extractor reads itself).

Run: python scripts/derive_law_names.py [--shared ../shared]   (rewrites the YAML; review the diff)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kgraph" / "knowledge" / "law_names.yaml"
TYPES = ("Bộ luật", "Luật", "Pháp lệnh")
# old-style tone marks the catalogue keeps from its sources: one spelling, as the extractor folds text
_TONES = {"oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "uỷ": "ủy", "uý": "úy", "uỳ": "ùy", "uỵ": "ụy",
          "oé": "óe", "uỹ": "ũy"}


def clean(title: str) -> str | None:
    t = unicodedata.normalize("NFC", " ".join(title.split()))
    for a, b in _TONES.items():
        t = re.sub(a + r"(?!\w)", b, t)  # "hoá" → "hóa" at a word's end only ("ngoài" stays)
    head = next((h for h in TYPES if t.lower().startswith(h.lower() + " ")), None)
    if head is None:
        return None
    rest = t[len(head) + 1 :]
    if re.search(r"\bsửa đổi\b|\bnăm \d{4}|\d{4}$|\(|\)", rest, re.IGNORECASE) or len(rest.split()) < 1:
        return None
    return f"{head} {rest}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.environ.get("KGRAPH_SHARED") or str(ROOT.parent / "shared"))
    args = ap.parse_args()
    cat = Path(args.shared) / "corpus" / "catalog"
    names: dict[str, str] = {}
    for f in ("laws-merged.jsonl", "phapdien.jsonl"):
        for line in open(cat / f, encoding="utf-8"):
            r = json.loads(line)
            if r.get("type") not in TYPES or not r.get("title") or r.get("is_amending_law") or r.get("stub"):
                continue
            n = clean(r["title"])
            if n:
                names.setdefault(n.casefold(), n)
    lines = [
        "# Names of real laws, codes and ordinances (derived by scripts/derive_law_names.py from the authority",
        "# catalogue in ../shared/corpus/catalog; do not edit by hand, rerun the script). The extractor takes the",
        "# longest of these at a head as the name's extent (a comma or a stop word inside a name does not end it;",
        "# words running on after it are not part of it) and falls back on named.yaml's word rules for others.",
        "names:",
    ]
    lines += [f"  - {json.dumps(n, ensure_ascii=False)}" for n in sorted(names.values(), key=str.casefold)]
    lines += [
        "examples:",
        '  - text: "Luật này thay thế Luật doanh nghiệp nhà nước năm 1995."',
        '    name: "Luật doanh nghiệp nhà nước"',
        '  - text: "mức tham chiếu quy định tại Luật Bảo hiểm xã hội bằng mức lương cơ sở."',
        '    name: "Luật Bảo hiểm xã hội"',
        '  - text: "Căn cứ Luật An toàn, vệ sinh lao động ngày 25 tháng 6 năm 2015;"',
        '    name: "Luật An toàn, vệ sinh lao động"',
        '  - text: "theo quy định của Luật Phòng, chống tham nhũng."',
        '    name: "Luật Phòng, chống tham nhũng"',
        '  - text: "lãi phạt chậm nộp theo quy định của Luật quản lý thuế và thời gian tính lãi"',
        '    name: "Luật quản lý thuế"',
        '  - text: "theo Luật Hỗ trợ doanh nghiệp nhỏ và vừa thì"',
        '    name: "Luật Hỗ trợ doanh nghiệp nhỏ và vừa"',
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(names)} names -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
