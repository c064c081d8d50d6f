"""Scoring the extractor against the gold sets in ../shared (used by the tests and by bench/).

Kept in the package so the tests' floors and the benchmark's report are one computation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kgraph.extract import extract
from kgraph.extract.citations import find_references
from kgraph.model import Reference

#: The NER set labels these types only; other predictions (directives, letters, Party documents,
#: self references) cannot be judged by it and are left out of precision.
NER_LABEL_OF_TYPE = {
    "Nghị định": "NĐ",
    "Luật": "L",
    "Thông tư": "TT",
    "Pháp lệnh": "PL",
    "Quyết định": "QĐ",
    "Bộ luật": "BL",
    "Nghị quyết": "NQ",
    "Thông tư liên tịch": "TTLT",
    "Hiến pháp": "HP",
}


@dataclass
class SpanScore:
    gold: int = 0
    recalled: int = 0
    predicted: int = 0
    correct: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0


def judgeable(r: Reference) -> bool:
    """Whether the NER annotations could contain this prediction."""
    if r.kind == "self":
        return False
    if r.kind == "short" and not re.search(r"\d", r.text):
        return False
    if r.type not in NER_LABEL_OF_TYPE:
        return False
    if r.number and re.match(r"\d+\w?-", r.number):  # Party numbering (11-NQ/TW)
        return False
    return True


def score_ner(rows: Iterable[dict]) -> SpanScore:
    """Overlap match of predicted spans against annotated spans, sentence by sentence."""
    s = SpanScore()
    for row in rows:
        text = row["text"]
        preds = [r for r in find_references(text) if judgeable(r)]
        gold = [(g["start"], g["end"]) for g in row["spans"]]
        s.gold += len(gold)
        s.predicted += len(preds)
        for a, b in gold:
            if any(r.start < b and a < r.end for r in preds):
                s.recalled += 1
            else:
                s.misses.append((row["id"], text[a:b]))
        for r in preds:
            if any(r.start < b and a < r.end for a, b in gold):
                s.correct += 1
            else:
                s.false_positives.append((row["id"], r.text))
    return s


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def slug_form(number: str) -> str:
    """A number as the gazette's URL slugs write it: ascii, lower case, '/' → '-'."""
    s = unicodedata.normalize("NFD", number.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


#: The gazette index abbreviates types.
CONGBAO_TYPE = {
    "NQ": "Nghị quyết",
    "QĐ": "Quyết định",
    "VB HN": "Văn bản hợp nhất",
    "TT Liên tịch": "Thông tư liên tịch",
}


def congbao_expected_number(entry: dict) -> str:
    """The index's number in slug form, whether it gives the number or only the slug."""
    so = entry["so_hieu"]
    m = re.search(r"(\d+\w*/[\w/\-Đđ]+)", so)
    if m:
        return slug_form(m.group(1))
    m = re.match(r".*?-so-(.+)-\d+$", entry["slug"])
    return m.group(1) if m else slug_form(so)


@dataclass
class MetaScore:
    total: int = 0
    number_ok: int = 0
    type_ok: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def number_rate(self) -> float:
        return self.number_ok / self.total if self.total else 1.0

    @property
    def type_rate(self) -> float:
        return self.type_ok / self.total if self.total else 1.0


def score_congbao(root: Path) -> MetaScore:
    """Own number and type of each gazette document against index.jsonl."""
    s = MetaScore()
    for e in load_jsonl(root / "index.jsonl"):
        path = root / e["topic_key"] / f"{e['slug']}.txt"
        ex = extract(path.read_text(encoding="utf-8"), source=str(path))
        d = ex.document
        s.total += 1
        want_type = CONGBAO_TYPE.get(e["loai"], e["loai"])
        if d.number and slug_form(d.number) == congbao_expected_number(e):
            s.number_ok += 1
        else:
            s.wrong.append((e["slug"], "number", str(d.number)))
        if d.type == want_type:
            s.type_ok += 1
        else:
            s.wrong.append((e["slug"], "type", f"{d.type} != {want_type}"))
    return s
