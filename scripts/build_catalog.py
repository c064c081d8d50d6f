#!/usr/bin/env python
"""Build kgraph's shipped catalogue of national instruments (kgraph/catalog/data/catalog.sqlite).

(One script of about 700 lines, in the order it runs: the lists, the own texts, the choice, then the digests and
the provenance note that make a rebuild checkable.)

    python scripts/build_catalog.py [--shared ../shared] [--out kgraph/catalog/data/catalog.sqlite]

Inputs: the facts gathered in ../shared/corpus/catalog and the own headers of the instruments whose text
is in ../shared/corpus (laws, congbao), read by kgraph's extractor. Which source wins, field by field:

1. `text`: the instrument's own text. Its header is the primary source for its number, type, title, issuer
   and date, its final article for the date it takes effect, and its effect clauses ("Luật này thay thế
   ...", "... hết hiệu lực kể từ ngày ...") for what it replaces or repeals, dated by its entry into force.
2. `phapdien`: the Ministry of Justice's codification notes: official, with full dates and amended-by
   links; its status is inferred from presence in the late-2025 snapshot.
3. `laws-merged`: a merge of the three lists; used for alternative titles and, as a heuristic marked as
   such, "a later law of the same name" (replaced by).
4. `luatvietnam`: a list of laws (~late 2023) with explicit status words but no dates.
5. `ansvar`: curated census, low trust (some numbers are known wrong): used only where nothing above
   says anything, and its disagreements are recorded, never chosen over a higher source.

Status combines evidence by date: a whole replacement or repeal with a date wins (no longer in force from
that date); else the pháp điển's late-2025 presence (in force; partly when a repeal in part is known or
the 2023 list says partly expired); else its drop from the newest snapshot (likely no longer in force);
else the 2023 list, else ansvar. Every claim is kept in `fact` with its source; the chosen one is marked.

Reproducible: the file is a function of the inputs, the code and `--today` alone (no build date, rows
written in a sorted order, one page size, vacuumed), so a rebuild with the same SQLite library gives the
same bytes, and with any library the same `content_digest` (kgraph/catalog/canonical.py). The meta table
holds that digest and the inputs' digest; the provenance note beside the file (a block this script
rewrites) adds each input's digest, the kgraph commit and the digest of the code that read the texts.
`--check` rebuilds into a temporary file and fails when the shipped facts differ from a rebuild's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kgraph.catalog.canonical import PROVENANCE_KEYS, canonical_lines, content_digest  # noqa: E402
from kgraph.catalog.names import cited_name, name_key  # noqa: E402
from kgraph.numbers import is_party_number, normalize_number, number_codes, term_mismatch  # noqa: E402
from kgraph.catalog.write import Entry, create, named_types, write_entry, write_lookup  # noqa: E402

NAMED = named_types()

CATALOG_VERSION = "2026.12.2"

SOURCES = [
    ("text", 0, "the instrument's own text (../shared/corpus laws, congbao) read by kgraph's extractor",
     "../shared/corpus/laws, ../shared/corpus/congbao", "primary source for what its header says"),
    ("phapdien", 1, "Bộ pháp điển điện tử (Ministry of Justice) notes, snapshots 2023/2024/late 2025",
     "quangthai87vn/NLP-TraCuuPhapDienVN@75b8e8f1, saladnga/ISODS-PhapDien-Crawler-Semantic-Search@646f5c91, "
     "DAIKOOH12/bot_rasa@ce0bfd0f", "status inferred from snapshot presence"),
    ("laws-merged", 2, "National Assembly level merged list (../shared/corpus/catalog/laws-merged.jsonl)",
     "derived from the other three lists", "possibly_replaced_by is a same-name heuristic"),
    ("luatvietnam", 3, "LuatVietNam list of laws (~late 2023)", "VoAnKhoi2005/LawAssistant@81b715e8",
     "no dates; status words as of ~2023"),
    ("ansvar", 4, "Ansvar census of laws (Feb 2026)", "Ansvar-Systems/vietnamese-law-mcp@dc9ac73e",
     "low trust: some numbers wrong"),
    ("text-citation", 5, "the name and date another instrument's text gives it where it repeals or replaces it",
     "../shared/corpus/laws, ../shared/corpus/congbao", "only for instruments no list names"),
    ("text-header", 6, "a law's header date where its closing line ('thông qua ngày ...') gives another day",
     "../shared/corpus/laws", "kept for the record; the closing line wins"),
]
RANK = {s[0]: s[1] for s in SOURCES}
FIELDS = ("number", "type", "title", "issuer", "date", "effective")
_NUM_IN_TITLE = re.compile(r"\b(\d+[a-zA-Z]?/(?:19|20)\d\d/[A-ZĐa-zđ0-9/\-]+)")
_EFFECTIVE = re.compile(
    r"(?:Luật|Bộ luật|Pháp lệnh|Nghị định|Thông tư(?: liên tịch)?|Quyết định|Nghị quyết|Hiến pháp|Chỉ thị)\s+này\s+"
    r"(?:đã\s+được[^.]{0,200}?)?có\s+hiệu\s+lực(?:\s+thi\s+hành)?(?:\s+kể)?\s+từ\s+"
    r"(?:ngày\s+(\d{1,2})\s*(?:tháng|/|-)\s*(\d{1,2})\s*(?:năm|/|-)\s*((?:19|20)\d\d)|(ngày\s+(?:ký|ban\s+hành)))",
    re.IGNORECASE)
_PASSED = re.compile(
    r"(?:Luật|Bộ luật|Pháp lệnh|Hiến pháp|Nghị quyết)\s+này\s+(?:đã\s+)?được\s+(?:Quốc\s+hội|Ủy\s+ban\s+thường\s+vụ"
    r"\s+Quốc\s+hội|Uỷ\s+ban\s+thường\s+vụ\s+Quốc\s+hội)[^.]{0,160}?thông\s+qua\s+ngày\s+(\d{1,2})\s*tháng\s*(\d{1,2})"
    r"\s*năm\s*((?:19|20)\d\d)", re.IGNORECASE)


def family(number: str | None, type_: str | None) -> str:
    """What, besides the number, tells instruments apart: only the National Assembly and its Standing
    Committee give a law (or ordinance) and a resolution the same number (55/2010/QH12 is both)."""
    if number and re.search(r"/(?:UBTV)?QH\d*$", number) and (type_ or "").startswith("Nghị quyết"):
        return "Nghị quyết"
    return ""


def clean_number(raw: str | None, title: str | None) -> str | None:
    if not raw and title:
        m = _NUM_IN_TITLE.search(title)
        raw = m.group(1) if m else None
    if not raw or not re.match(r"^\d", raw.strip()):
        return None
    return normalize_number(raw.strip())


@dataclass
class Acc:
    """Everything the sources say about one instrument, before choosing."""

    claims: dict[str, list[tuple[Any, str]]] = field(default_factory=lambda: defaultdict(list))
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (shown, src)
    effects: list[dict[str, Any]] = field(default_factory=list)
    status: list[tuple[str, str, str, str]] = field(default_factory=list)  # (status, as_of, basis, src)
    possibly_replaced_by: list[str] = field(default_factory=list)
    amending: bool = False

    def claim(self, f: str, v: Any, src: str) -> None:
        if v not in (None, "", []):
            self.claims[f].append((v, src))

    def best(self, f: str) -> tuple[Any, str | None]:
        vals = sorted(self.claims.get(f, []), key=lambda vs: RANK[vs[1]])
        return (vals[0][0], vals[0][1]) if vals else (None, None)


class Merge:
    def __init__(self) -> None:
        self.acc: dict[str, Acc] = {}
        self.by_number: dict[str, list[str]] = defaultdict(list)
        self.skipped: dict[str, int] = defaultdict(int)

    def get(self, number: str | None, type_: str | None, title: str | None, date: str | None,
            create_new: bool = True) -> Acc | None:
        if number:
            ident = f"{number}|{family(number, type_)}"
            if ident not in self.acc and not type_ and len(self.by_number.get(number, [])) == 1:
                ident = self.by_number[number][0]
        else:
            key = cited_name(title or "").key
            if not key:
                return None
            year = (date or "")[:4]
            ident = f"~{key}|{year}"
        if ident not in self.acc:
            if not create_new:
                return None
            self.acc[ident] = Acc()
            if number:
                self.by_number[number].append(ident)
        return self.acc[ident]


def fold_undated(m: Merge) -> int:
    """A numberless instrument known without a date (a stub) joins the one dated instrument of its name."""
    folded = 0
    by_key: dict[str, list[str]] = defaultdict(list)
    for ident in m.acc:
        if ident.startswith("~") and not ident.endswith("|"):
            by_key[ident.rsplit("|", 1)[0]].append(ident)
    for ident in [i for i in m.acc if i.startswith("~") and i.endswith("|")]:
        dated = by_key.get(ident[:-1], [])
        if len(dated) != 1:
            continue
        src, dst = m.acc.pop(ident), m.acc[dated[0]]
        for f, vals in src.claims.items():
            dst.claims[f] += vals
        for k, v in src.names.items():
            dst.names.setdefault(k, v)
        dst.effects += src.effects
        dst.status += src.status
        folded += 1
    return folded


def read_jsonl(p: Path) -> Iterable[dict[str, Any]]:
    with p.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def add_list_rows(m: Merge, rows: Iterable[dict[str, Any]], src: str) -> None:
    for r in rows:
        number = clean_number(r.get("number"), r.get("title"))
        title = re.sub(r"\bKHÔNG số\s*", "", r.get("title") or "").strip() or None
        if title and r.get("number") is None and number:  # "Thông tư 01/2025/TT-BYT" as the title
            title = None
        if not number and r.get("type") not in ("Hiến pháp", "Pháp lệnh", "Luật", "Bộ luật"):
            m.skipped[f"{src}: no number"] += 1
            continue
        if r.get("stub") and not number:
            continue
        a = m.get(number, r.get("type"), title, r.get("date"))
        if a is None:
            m.skipped[f"{src}: no number, no name"] += 1
            continue
        a.claim("number", number, src)
        a.claim("type", r.get("type"), src)
        if title and title.strip() and not title.startswith(("Thông tư TT ", "Thông tư LIÊN")):
            a.claim("title", " ".join(title.split()), src)
            key = name_key(title)
            if key:
                a.names.setdefault(key, (" ".join(title.split()), src))
        for alt in r.get("title_alt") or []:
            cn = cited_name(alt)
            if cn.key:
                a.names.setdefault(cn.key, (" ".join(alt.split()), src))
        if r.get("date_from") != "ansvar" or src == "ansvar":
            a.claim("date", r.get("date"), src)
        if r.get("effective_from") != "ansvar" or src == "ansvar":
            a.claim("effective", r.get("effective"), src)
        a.claim("issuer", r.get("issuer"), src)
        if r.get("is_amending_law"):
            a.amending = True
        for x in r.get("amended_by") or []:
            kinds = x.get("kinds") or ["amended"]
            kind = ("suspended_by" if "suspended" in kinds else
                    "repealed_in_part_by" if kinds == ["repealed_in_part"] else "amended_by")
            a.effects.append(dict(kind=kind, other=clean_number(x.get("number"), None), other_type=x.get("type"),
                                  date=x.get("effective"), src=src, basis=", ".join(kinds)))
            if "repealed_in_part" in kinds and kind != "repealed_in_part_by":  # amended and repealed in part
                a.effects.append(dict(kind="repealed_in_part_by", other=clean_number(x.get("number"), None),
                                      other_type=x.get("type"), date=x.get("effective"), src=src,
                                      basis="repealed in part"))
        a.possibly_replaced_by += [clean_number(n, None) for n in r.get("possibly_replaced_by") or [] if n]
        st = r.get("status")
        if src == "phapdien" and st:
            a.status.append((st, "2025-11", "", src))
        elif src == "luatvietnam" and st:
            a.status.append((st, "2023", r.get("status_raw") or "", src))
        elif src == "ansvar" and st:
            a.status.append((st, "2026-02", "Ansvar census (curated, unverified)", src))


# --------------------------------------------------------------------------- own texts


_PART_OF = re.compile(r"\b(?:các quy định|một số|khoản|điểm|Điều \d)")
_A_NUMBER = re.compile(r"\d+[a-zA-Z]?/(?:(?:19|20)\d\d/)?[A-ZĐa-zđ][A-ZĐa-zđ0-9-]*(?:/[A-ZĐa-zđ0-9-]+)*")
_AMENDED_BY = re.compile(r"\bđược\s+sửa\s+đổi[^;]*?\b(?:theo|tại|bởi)\b", re.IGNORECASE)


def _acts_on_whole(s: str, r: Any) -> bool:
    """Whether some mention of the instrument in the sentence is one the sentence ends or replaces as a whole:
    not `một số điều của X`, `khoản 2 Điều 3 của X` (words since the last number before it), not an amender
    (`A đã được sửa đổi, bổ sung theo X`, in its clause). Spaces are folded: a gazette's lines break inside
    a reference, and a number can be repeated (its first mention may be the one the extractor kept)."""
    t = " ".join((r.text or "").split())
    marks = {m.start() for m in re.finditer(re.escape(t), s)} if t else set()
    if r.number:
        marks |= {m.start() for m in re.finditer(re.escape(r.number), s)}
    if not marks:
        return True
    for at in sorted(marks):
        before = s[:at]
        clause = before.rsplit(";", 1)[-1]
        gap = _A_NUMBER.split(clause)[-1]
        if not _PART_OF.search(gap) and not _AMENDED_BY.search(clause):
            return True
    return False


def _own(path: str) -> dict[str, Any] | None:
    from kgraph import extract
    from kgraph.link.extraction_keys import document_name
    from kgraph.reader import InputError, read_source

    try:
        text = read_source(path).text
    except InputError:
        return None
    ex = extract(text, source=path)
    d = ex.document
    if not d.number and not document_name(d):
        return None
    eff = None
    tail = text[len(text) // 2:] if len(text) > 20000 else text
    for m in _EFFECTIVE.finditer(tail):
        if m.group(4):
            eff = d.date
        else:
            eff = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        break
    date = d.date
    m = _PASSED.search(tail)
    if m:  # a law's date is the day it was passed, which its closing line states (headers have typos)
        date = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    names = []
    if document_name(d):
        names.append(document_name(d))
        if d.title and d.type and not d.title.lower().startswith(d.type.lower() + " " + d.type.lower()):
            names.append(f"{d.type} {d.title[0].upper()}{d.title[1:]}")  # `Luật sư` is `Luật Luật sư`
    refs = []
    for r in ex.references:
        if r.kind == "self" or r.pinpoint or r.relation == "lists":  # a list of instruments others ended
            continue
        s = " ".join((r.sentence or "").split())
        low = s.lower()
        whole_replace = r.relation == "replaces" and "cụm từ" not in low
        ends = ("hết hiệu lực" in low and "một phần" not in low and ("này có hiệu lực" in low or "kể từ ngày" in low))
        if not (whole_replace or ends) or not _acts_on_whole(s, r):
            continue
        refs.append(dict(number=r.number, name=r.name, year=r.year, date=r.date, type=r.type,
                         kind="replaced_by" if whole_replace else "repealed_by", sentence=s[:300]))
    return dict(source=path, number=d.number, type=d.type, title=d.title, issuer=d.issuer, date=date,
                header_date=d.date, name=names[0] if names else None, names=names, effective=eff, effects=refs)


def own_text_files(shared: Path) -> list[Path]:
    """The instruments' own texts read, in one order (sorted by their path under the corpus)."""
    return sorted((p for sub in ("laws", "congbao") for p in (shared / "corpus" / sub).rglob("*.txt")),
                  key=lambda p: p.relative_to(shared / "corpus").as_posix())


def add_own_texts(m: Merge, shared: Path, workers: int) -> int:
    files = [str(p) for p in own_text_files(shared)]
    n = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        owns = [o for o in pool.map(_own, files, chunksize=4) if o]
    pending_effects = []
    for o in owns:
        if (o["type"] or "").startswith("Văn bản hợp nhất") or "/VBHN-" in (o["number"] or ""):
            continue  # a consolidated text is not the instrument: its header names the consolidating office
        number = clean_number(o["number"], None)
        fixed = term_mismatch(number) if number else None
        if fixed and fixed in m.by_number:  # a header typo the lists do not share: theirs is right
            m.get(fixed, o["type"], None, None).claim("number", number, "text-header")
            number = fixed
        if number and o["names"] and len(o["names"]) > 1:  # the reading other sources name it by, if any
            other = m.get(number, o["type"], None, None, create_new=False)
            if other is not None and any(name_key(x) in other.names for x in o["names"][1:]):
                o["name"] = o["names"][1]
        title = o["name"] or (f"{o['type']} {o['title'][0].lower()}{o['title'][1:]}" if o["title"] and o["type"]
                              else o["title"])
        a = m.get(number, o["type"], o["name"] or title, o["date"])
        if a is None:
            continue
        n += 1
        src = "text"
        a.claim("number", number, src)
        a.claim("type", o["type"], src)
        a.claim("title", " ".join(title.split()) if title else None, src)
        a.claim("issuer", o["issuer"], src)
        a.claim("date", o["date"], src)
        if o["header_date"] and o["header_date"] != o["date"]:
            a.claim("date", o["header_date"], "text-header")
        a.claim("effective", o["effective"], src)
        if o["name"]:
            a.names.setdefault(name_key(o["name"]), (o["name"], src))
        for e in o["effects"]:
            pending_effects.append((number, o, e))
    return n, pending_effects


def apply_text_effects(m: Merge, pending: list[tuple[str | None, dict[str, Any], dict[str, Any]]]) -> int:
    """'Luật này thay thế Luật X ngày ...' → X replaced_by this law, from its entry into force."""
    done = 0
    name_index: dict[str, list[str]] = defaultdict(list)
    for ident, a in m.acc.items():
        for k in a.names:
            name_index[k].append(ident)
    for by_number, o, e in pending:
        if not by_number:
            continue
        target: Acc | None = None
        if e["number"] and re.match(r"^\d", e["number"]):
            tn = clean_number(e["number"], None)
            fixed = term_mismatch(tn) if tn else None
            if fixed and fixed in m.by_number:  # `Luật Đầu tư số 67/2014/QH14`: a typo for QH13
                tn = fixed
            target = m.get(tn, e["type"], None, None)
            if not target.claims.get("number"):
                target.claim("number", tn, "text-citation")
                target.claim("type", e["type"], "text-citation")
        elif e["name"]:
            cn = cited_name(e["name"])
            year = (e["date"] or "")[:4] or (str(e["year"]) if e["year"] else "")
            fits = [i for i in name_index.get(cn.key, []) if year and
                    any(str(v)[:4] == year for v, _ in m.acc[i].claims.get("date", []))]
            if len(fits) != 1:
                continue
            target = m.acc[fits[0]]
        if target is None:
            continue
        if e["name"] and e["number"]:  # "Luật đất đai số 13/2003/QH11 hết hiệu lực ...": its name, as cited
            target.claim("title", " ".join(e["name"].split()), "text-citation")
            target.names.setdefault(name_key(e["name"]), (" ".join(e["name"].split()), "text-citation"))
            if e["date"]:
                target.claim("date", e["date"], "text-citation")
        target.effects.append(dict(kind=e["kind"], other=by_number, other_type=o["type"],
                                   date=o["effective"], src="text", basis=e["sentence"][:200]))
        done += 1
    return done


# --------------------------------------------------------------------------- choosing


def choose_status(a: Acc, today: str) -> tuple[str, str, str | None, str | None]:
    """(status, basis, date no longer in force, source)."""
    ends = sorted((e for e in a.effects if e["kind"] in ("replaced_by", "repealed_by") and e["date"]
                   and e["src"] == "text"), key=lambda e: e["date"])
    if ends and ends[0]["date"] <= today:
        e = ends[0]
        return ("no_longer_in_force", f"{e['kind'].replace('_', ' ')} {e['other']} from {e['date']} (its own text)",
                e["date"], "text")
    heur = sorted((e for e in a.effects if e["kind"] == "replaced_by" and e["src"] == "laws-merged" and e["date"]),
                  key=lambda e: e["date"])
    by_src = {s[3]: s for s in a.status}
    pd = by_src.get("phapdien")
    lv = by_src.get("luatvietnam")
    an = by_src.get("ansvar")
    if heur and heur[0]["date"] <= today:
        e = heur[0]
        return ("no_longer_in_force", f"a later law of the same name, {e['other']}, in force from {e['date']} "
                f"(same-name heuristic; pháp điển 2025: {pd[0] if pd else 'absent'})", e["date"], "laws-merged")
    partly = any(e["kind"] == "repealed_in_part_by" for e in a.effects) or (lv and lv[0] == "partly_expired")
    if pd and pd[0] == "in_force":
        if partly:
            return ("partly_in_force", "in the late-2025 pháp điển; repealed in part by a later instrument"
                    if any(e["kind"] == "repealed_in_part_by" for e in a.effects)
                    else "in the late-2025 pháp điển; LuatVietNam ~2023: Hết hiệu lực một phần", None, "phapdien")
        return ("in_force", "in the late-2025 pháp điển (it keeps only provisions in force)", None, "phapdien")
    if pd and pd[0] == "likely_not_in_force":
        return ("likely_no_longer_in_force", "in an older pháp điển snapshot, dropped from the late-2025 one",
                None, "phapdien")
    if lv:
        st = {"in_force": "in_force", "in_force_amended": "in_force", "partly_expired": "partly_in_force",
              "not_yet_in_force": "not_yet_in_force"}.get(lv[0], "unknown")
        if st == "not_yet_in_force":
            eff = a.best("effective")[0]
            if eff and eff <= today:
                st = "in_force"
        return (st, f"LuatVietNam list ~2023: {lv[2]}", None, "luatvietnam")
    if an:
        st = {"in_force": "in_force", "amended": "in_force", "not_yet_in_force": "not_yet_in_force"}.get(an[0],
                                                                                                       "unknown")
        eff = a.best("effective")[0]
        if st == "not_yet_in_force" and eff and eff <= today:
            st = "in_force"
        return (st, "Ansvar census Feb 2026 (low trust)", None, "ansvar")
    return ("unknown", "no status evidence", None, None)


def to_entry(a: Acc, today: str, numbers_known: dict[str, str]) -> Entry | None:
    number, nsrc = a.best("number")
    typ, _ = a.best("type")
    if not typ and number:
        from kgraph.knowledge import load

        code = number_codes(number)[0]
        t = load().doc_type(code=code, party=is_party_number(number)) if code else None
        typ = t.name if t else None
    title, tsrc = a.best("title")
    if not number and not title:
        return None
    if title and typ not in NAMED:  # 23-L/CTN is the promulgating order's number; the instrument is the law
        for t in sorted(NAMED, key=len, reverse=True):
            if title.lower().startswith(t.lower() + " "):
                typ = t
                break
    # heuristic successor: a later law of the same name with a known entry into force
    for succ in a.possibly_replaced_by:
        eff = numbers_known.get(succ)
        if succ and eff:
            a.effects.append(dict(kind="replaced_by", other=succ, other_type="Luật", date=eff, src="laws-merged",
                                  basis="a later law of the same name (heuristic)"))
    status, basis, no_longer, ssrc = choose_status(a, today)
    e = Entry(number=number, type=typ, title=title, src=nsrc or tsrc, status=status, status_basis=basis,
              no_longer=no_longer)
    for f in FIELDS[2:]:
        v, s = a.best(f)
        setattr(e, f, v)
        if v is not None:
            e.prov[f] = s
        same = (lambda x: name_key(x) == name_key(v)) if f == "title" and v else (lambda x: x == v)
        lost = {(str(val), src) for val, src in a.claims.get(f, []) if not same(val)}
        e.facts += sorted((f, val, src) for val, src in lost)
    e.prov["status"] = ssrc or "-"
    if no_longer:
        e.prov["no_longer"] = ssrc or "-"
    for k, (shown, src) in a.names.items():
        e.names[k] = shown
    seen_eff = set()
    for x in sorted(a.effects, key=lambda x: RANK[x["src"]]):  # laws-merged repeats the pháp điển's links
        k = (x["kind"], x["other"], x["date"])
        if x["other"] and k not in seen_eff:
            seen_eff.add(k)
            e.effects.append(x)
    return e


# --------------------------------------------------------------------------- provenance

LISTS = ("phapdien.jsonl", "laws-merged.jsonl", "luatvietnam-laws.jsonl", "ansvar-census.jsonl")
NOTE_BEGIN = "<!-- build: written by scripts/build_catalog.py, do not edit by hand -->"
NOTE_END = "<!-- end of build -->"


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def input_digests(shared: Path, texts: bool) -> dict[str, str]:
    """Each list's sha256, and one sha256 over the own texts' (path under corpus, sha256) lines."""
    out = {f"catalog/{name}": _sha256(shared / "corpus" / "catalog" / name) for name in LISTS}
    if texts:
        files = own_text_files(shared)
        lines = "".join(f"{p.relative_to(shared / 'corpus').as_posix()}\t{_sha256(p)}\n" for p in files)
        out[f"own texts: {len(files)} files in laws/, congbao/"] = hashlib.sha256(lines.encode()).hexdigest()
    return out


def inputs_digest(digests: dict[str, str], today: str) -> str:
    """One digest of everything the facts are read from (with the day statuses are judged at)."""
    body = "".join(f"{k}\t{v}\n" for k, v in sorted(digests.items())) + f"today\t{today}\n"
    return hashlib.sha256(body.encode()).hexdigest()


def code_identity() -> dict[str, str]:
    """The kgraph commit (with `+dirty` when the package or this script differ from it) and one digest of
    the code that decides the facts: every kgraph module the build imports, the knowledge tables, this script."""
    import kgraph.extract  # noqa: F401  (what the workers import, so the list below is theirs too)
    import kgraph.link.extraction_keys  # noqa: F401
    import kgraph.reader  # noqa: F401

    files = {Path(m.__file__).resolve() for name, m in list(sys.modules.items())
             if (name == "kgraph" or name.startswith("kgraph.")) and getattr(m, "__file__", None)}
    files |= set((ROOT / "kgraph" / "knowledge").glob("*.yaml")) | {Path(__file__).resolve()}
    lines = "".join(f"{p.relative_to(ROOT).as_posix()}\t{_sha256(p)}\n" for p in sorted(files))
    out = {"code_digest": hashlib.sha256(lines.encode()).hexdigest(), "code_files": str(len(files))}
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "kgraph", "scripts/build_catalog.py",
                                ":(exclude)kgraph/catalog/data"], capture_output=True, text=True,
                               check=True).stdout.strip()
        out["commit"] = head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        out["commit"] = "unknown (not a git checkout)"
    return out


def write_note(note: Path, out: Path, meta: dict[str, str], digests: dict[str, str], code: dict[str, str]) -> None:
    """Rewrite the build block of the provenance note: what these facts rest on."""
    con = sqlite3.connect(f"file:{out}?mode=ro&immutable=1", uri=True)
    n = con.execute("SELECT COUNT(*) FROM instrument").fetchone()[0]
    effects = con.execute("SELECT src, kind, COUNT(*) FROM effect GROUP BY src, kind ORDER BY src, kind").fetchall()
    con.close()
    from importlib.metadata import PackageNotFoundError, version

    try:
        kg_version = version("kgraph")
    except PackageNotFoundError:
        kg_version = "unknown"
    rows = [
        NOTE_BEGIN, "", "## This build", "",
        "| what | value |", "|---|---|",
        f"| catalogue version | `{meta['catalog_version']}` (schema {meta.get('schema_version', '1')}) |",
        f"| facts (`content_digest`, kgraph/catalog/canonical.py) | `{meta['content_digest']}` |",
        f"| file sha256 (SQLite {sqlite3.sqlite_version}) | `{_sha256(out)}` |",
        f"| statuses judged at | {meta['status_judged_at']} |",
        f"| inputs (`inputs_digest`) | `{meta['inputs_digest']}` |",
    ]
    rows += [f"| input {k} | `{v}` |" for k, v in sorted(digests.items())]
    rows += [
        f"| kgraph | {kg_version}, commit `{code['commit']}` |",
        f"| code digest ({code['code_files']} files: the kgraph modules the build imports, knowledge/*.yaml, "
        f"this script) | `{code['code_digest']}` |",
        f"| instruments | {n} |",
        "| effects | " + ", ".join(f"{src} {kind} {c}" for src, kind, c in effects) + " |",
        "", "Check: `python scripts/build_catalog.py --check` (a rebuild's facts against these).", "", NOTE_END,
    ]
    text = note.read_text(encoding="utf-8") if note.exists() else ""
    block = "\n".join(rows) + "\n"
    if NOTE_BEGIN in text and NOTE_END in text:
        head, rest = text.split(NOTE_BEGIN, 1)
        text = head + block + rest.split(NOTE_END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    note.write_text(text, encoding="utf-8")


#: From this many instruments the file carries its compact name index (kgraph/catalog/compact.py): a process
#: then reads it in 0.1 s instead of making it from every row (~1.5 s a 100k at load); below, making it costs
#: milliseconds (6k instruments today) and the file stays as it was.
LOOKUP_FROM = 50_000


def check(shipped: Path, argv: list[str]) -> int:
    """Rebuild into a temporary file and compare its facts (and bytes) with the shipped file's."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "catalog.sqlite"
        rc = main([*argv, "--out", str(fresh), "--no-note"])
        if rc:
            return rc
        same_bytes = fresh.read_bytes() == shipped.read_bytes()
        a, b = content_digest(shipped), content_digest(fresh)
        if a == b:
            print(f"{shipped}: up to date (facts {a[:16]}; bytes {'identical' if same_bytes else 'differ'})")
            return 0
        old, new = set(canonical_lines(shipped)), set(canonical_lines(fresh))
        print(f"{shipped}: STALE: a rebuild gives other facts ({len(old - new)} rows only in the shipped file, "
              f"{len(new - old)} only in the rebuild); rerun python scripts/build_catalog.py", file=sys.stderr)
        for line in sorted(old - new)[:15]:
            print("- " + line[:240], file=sys.stderr)
        for line in sorted(new - old)[:15]:
            print("+ " + line[:240], file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(ROOT / "kgraph" / "catalog" / "data" / "catalog.sqlite"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-texts", action="store_true", help="skip the corpus's own texts (fast, for tests)")
    ap.add_argument("--today", default="2026-12-01", help="the date statuses are judged at")
    ap.add_argument("--note", default=None,
                    help="the provenance note whose build block to rewrite (default: PROVENANCE.md beside --out)")
    ap.add_argument("--no-note", action="store_true", help="leave the provenance note alone")
    ap.add_argument("--check", action="store_true",
                    help="rebuild into a temporary file; exit 1 if --out's facts differ from the rebuild's")
    args = ap.parse_args(argv)
    if args.check:
        rest = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--check"]
        if "--out" in rest:
            k = rest.index("--out")
            rest = rest[:k] + rest[k + 2:]
        rest = [a for a in rest if not a.startswith("--out=")]
        return check(Path(args.out), rest)
    shared = Path(args.shared)
    cat = shared / "corpus" / "catalog"
    m = Merge()
    add_list_rows(m, read_jsonl(cat / "phapdien.jsonl"), "phapdien")
    add_list_rows(m, read_jsonl(cat / "laws-merged.jsonl"), "laws-merged")
    add_list_rows(m, read_jsonl(cat / "luatvietnam-laws.jsonl"), "luatvietnam")
    add_list_rows(m, read_jsonl(cat / "ansvar-census.jsonl"), "ansvar")
    n_text = 0
    pending: list[Any] = []
    if not args.no_texts:
        n_text, pending = add_own_texts(m, shared, args.workers)
    n_eff = apply_text_effects(m, pending)
    m.skipped["undated stubs folded into their dated row"] = fold_undated(m)
    numbers_known = {}
    for a in m.acc.values():
        n, _ = a.best("number")
        eff, _ = a.best("effective")
        if n and eff:
            numbers_known[n] = eff
    out = Path(args.out)
    if out.exists():
        out.unlink()
    meta = {"catalog_version": CATALOG_VERSION, "status_judged_at": args.today,
            "inputs": "../shared/corpus/catalog/*.jsonl" + ("" if args.no_texts else
                                                           "; own texts of ../shared/corpus/{laws,congbao}")}
    con = create(out, meta)
    con.executemany("INSERT INTO source VALUES (?,?,?,?,?)", SOURCES)
    written = 0
    conflicts = 0
    for ident in sorted(m.acc):
        e = to_entry(m.acc[ident], args.today, numbers_known)
        if e is None:
            m.skipped["no number and no title"] += 1
            continue
        try:
            write_entry(con, e)
        except Exception as ex:  # a duplicate identity after normalisation: keep the first, count it
            m.skipped[f"duplicate identity ({type(ex).__name__})"] += 1
            continue
        written += 1
        conflicts += len({f for f, v, s in e.facts if f in ("date", "title", "issuer", "effective")})
    con.commit()
    digests = input_digests(shared, not args.no_texts)
    meta["inputs_digest"] = inputs_digest(digests, args.today)
    meta["content_digest"] = content_digest(out)
    meta["schema_version"] = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert PROVENANCE_KEYS >= {"inputs_digest", "content_digest"}  # the digest must not cover itself
    con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    [(k, meta[k]) for k in ("inputs_digest", "content_digest")])
    con.commit()
    if written >= LOOKUP_FROM:
        write_lookup(con)  # derived from the rows, not a fact: outside the content digest
        con.commit()
    con.execute("PRAGMA page_size = 4096")  # one page size whatever the library's default: same bytes
    con.execute("VACUUM")
    con.close()
    note = None if args.no_note else Path(args.note) if args.note else out.parent / "PROVENANCE.md"
    if note is not None:
        write_note(note, out, meta, digests, code_identity())
    print(f"{out}: {written} instruments ({n_text} own texts read, {n_eff} effects from own texts); "
          f"{conflicts} fields where a lower source disagrees; skipped: {dict(sorted(m.skipped.items()))}; "
          f"facts {meta['content_digest'][:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
