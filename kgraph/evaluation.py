"""Scoring the extractor against the gold sets in ../shared (used by the tests and by bench/).

Kept in the package so the tests' floors and the benchmark's report are one computation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kgraph.extract import extract
from kgraph.extract.citations import find_references
from kgraph.model import Reference
from kgraph.numbers import normalize_number

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
    "Nghị định thư": "NĐ",  # the annotators label protocols with the decree label
}


@dataclass
class SpanScore:
    gold: int = 0
    recalled: int = 0
    predicted: int = 0
    correct: int = 0
    #: predictions outside every span whose instrument is annotated elsewhere in the same sentence
    #: (the annotators often label one mention of an instrument and skip its repeats)
    repeats: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def precision_repeats_counted(self) -> float:
        """Precision when a repeat mention of an annotated instrument counts as right."""
        return (self.correct + self.repeats) / self.predicted if self.predicted else 1.0


def _instrument(text: str) -> str:
    m = re.search(r"\d+\w*\s?/[\w/\-Đđ ]+?(?=\s|$)", text)
    if m:
        return normalize_number(m.group())
    return re.sub(r"\s+", " ", text).casefold().strip()


def judgeable(r: Reference) -> bool:
    """Whether the NER annotations could contain this prediction."""
    if r.kind == "self":
        return False
    if r.kind == "short" and not re.search(r"\d", r.text):
        return False
    if r.type not in NER_LABEL_OF_TYPE:
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
        annotated = {_instrument(text[a:b]) for a, b in gold}
        for r in preds:
            if any(r.start < b and a < r.end for a, b in gold):
                s.correct += 1
            elif _instrument(r.text) in annotated or (r.number and r.number in annotated):
                s.repeats += 1
            else:
                s.false_positives.append((row["id"], r.text))
    return s


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass
class SeedScore:
    """The seed plan against its hand-checked gold."""

    checks: dict[str, bool] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks[name] = ok
        if not ok:
            self.problems.append(f"{name}: {detail}")

    @property
    def passed(self) -> int:
        return sum(self.checks.values())


def score_seed(text_path: Path, gold_path: Path) -> SeedScore:
    """Every gold reference found at its offset with its number/name, date, issuer, pinpoint, relation."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    ex = extract(text_path.read_text(encoding="utf-8"), source=str(text_path))
    s = SeedScore()
    by_start = {r.start: r for r in ex.references}
    for g in gold["references"]:
        r = by_start.get(g["at"])
        label = f"ref@{g['at']} {g.get('number') or g.get('name')}"
        if r is None:
            s.check(label, False, "not found at this offset")
            continue
        if g.get("kind") == "named":
            s.check(label + " name", (r.name or "").casefold() == g["name"].casefold(), f"{r.name!r}")
            s.check(label + " year", r.year == g.get("year"), f"{r.year!r}")
        else:
            s.check(label + " number", r.number == g["number"], f"{r.number!r}")
            s.check(label + " type", r.type == g["type"], f"{r.type!r}")
            s.check(label + " date", r.date == g.get("date"), f"{r.date!r}")
            if "issuer" in g:
                s.check(label + " issuer", r.issuer == g["issuer"], f"{r.issuer!r}")
        if g.get("pinpoint"):
            got = [{k: v for k, v in (("article", p.article), ("clause", p.clause), ("point", p.point)) if v} for p in r.pinpoint]
            s.check(label + " pinpoint", got == g["pinpoint"], f"{got!r}")
        if g.get("relation"):
            s.check(label + " relation", r.relation == g["relation"], f"{r.relation!r}")
    gold_numbers = {g["number"] for g in gold["references"] if g.get("number")}
    extra = sorted({r.number for r in ex.references if r.kind == "numbered" and r.number not in gold_numbers})
    s.check("no false numbered reference", not extra, f"{extra}")
    distinct = {(r.number, r.year) for r in ex.references if r.kind == "numbered"}
    s.check("distinct numbered instruments", len(distinct) == gold["distinct_numbered_instruments"], f"{len(distinct)}")
    d = ex.document
    gd = gold["document"]
    for key in ("number", "type", "type_code", "issuer", "place", "date", "title"):
        s.check(f"document {key}", getattr(d, key) == gd[key], f"{getattr(d, key)!r}")
    for key in ("name", "title", "mode"):
        s.check(f"signer {key}", getattr(d.signer, key) == gd["signer"][key], f"{getattr(d.signer, key)!r}")
    for rcpt in gd["recipients_include"]:
        s.check(f"recipient {rcpt}", any(rcpt in x for x in d.recipients), f"{d.recipients!r}")
    return s
