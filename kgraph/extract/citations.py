"""Finding references: numbered, named, short forms and self references, with their context.

One pass per family finds candidate spans on NFC text; a second pass, in text order, adds what is
written beside each (date, issuer, pinpoint, relation); a last pass binds short forms and self
references (see shortforms.py). Offsets are mapped back to the text as given at the end.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from kgraph.extract import context, shortforms
from kgraph.extract.normalize import OffsetText, one_line
from kgraph.extract.numbers import NUMBER_PATTERN, parse_number
from kgraph.extract.pinpoint import pinpoint_before
from kgraph.extract.relation import classify, sentence_starts
from kgraph.knowledge import Knowledge, fold, load
from kgraph.model import Document, Pinpoint, Reference


@dataclass(slots=True)
class Found:
    """A reference while it is being built (NFC offsets)."""

    start: int
    end: int
    kind: str
    type: str | None = None
    type_code: str | None = None
    number: str | None = None
    year: int | None = None
    date: str | None = None
    issuer: str | None = None
    name: str | None = None
    relation: str | None = "cites"
    pinpoint: list[Pinpoint] = field(default_factory=list)
    target: str | None = None
    family: str | None = None
    issuer_codes: list[str] = field(default_factory=list)
    tail: int = 0  # end of the date/issuer phrase written after it
    lead: int = 0  # start of its pinpoint phrase (or start)


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s{1,3}") for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    k = load()
    type_words = [n for t in k.types for n in t.names]
    heads = k.named["heads"]
    return {
        "number": re.compile(NUMBER_PATTERN),
        # the type word (and "số") written right before a number
        "type_before": re.compile(
            r"(?P<word>" + _alt(type_words) + r")(?:\s{1,3}liên\s{1,3}tịch)?\s{0,3}:?\s{0,3}(?:(?:số|Số|SỐ)\s{0,3}:?\s{0,3})?$",
            re.IGNORECASE,
        ),
        "list_gap": re.compile(r"[\s,;]{0,4}(?:và|hoặc|,)?\s{0,3}(?:(?:số|Số)\s{0,3})?"),
        "so_before": re.compile(r"(?:số|Số)\s{0,3}:?\s{0,3}$"),
        "head": re.compile(r"(?<!\w)(" + _alt(heads) + r")(?!\w)"),
        "token": re.compile(r"[ \t\r\n\xa0]{0,4}(,|\(|\)|[-–]|\w+)"),
        "self": re.compile(r"(?<!\w)(" + _alt([w for w in type_words if w[0].isupper()] + ["Điều", "Chương"]) + r")\s{1,3}này(?!\w)"),
        "back": re.compile(
            r"(?<!\w)(" + _alt(type_words) + r")\s{1,3}(?:nêu\s{1,3}trên|nói\s{1,3}trên|đã\s{1,3}nêu|dẫn\s{1,3}trên|đã\s{1,3}dẫn|trên)(?!\w)"
        ),
    }


def _type_name(k: Knowledge, code: str | None, word: str | None) -> str | None:
    if code:
        t = k.doc_type(code=code)
        if t:
            return t.name
    if word:
        t = k.doc_type(name=one_line(word))
        return t.name if t else None
    return None


def _issuer_from_codes(k: Knowledge, codes: list[str], party: bool) -> str | None:
    """The issuer a number names, unless its code is ambiguous (TW) or unknown."""
    for c in codes:
        base = re.sub(r"\d+$", "", c)
        i = k.issuer_by_code.get(base)
        if i is None:
            from kgraph.knowledge import code_key

            i = k.issuer_by_code.get(code_key(base))
        if i is not None:
            if i.ambiguous:
                return None
            return i.party_name if (party and i.party_name) else i.name
        return None
    return None


def _numbered(t: str, k: Knowledge) -> list[Found]:
    pats = _patterns()
    out: list[Found] = []
    prev: Found | None = None
    for m in pats["number"].finditer(t):
        family = m.lastgroup or "admin"
        parts = parse_number(m.group(), family, k)
        s = m.start()
        window = t[max(0, s - 70) : s]
        tb = pats["type_before"].search(window)
        word = tb.group("word") if tb else None
        start = s - (len(window) - tb.start()) if tb else s
        known = any(k.doc_type(code=c) or k.issuer(code=re.sub(r"\d+$", "", c)) for c in parts.issuer_codes + ([parts.type_code] if parts.type_code else []))
        if family == "old" and not (tb or pats["so_before"].search(window)):
            continue
        if family in ("old", "admin") and not (known or tb):
            continue
        f = Found(start=start, end=m.end(), kind="numbered", number=parts.number, year=parts.year,
                  type_code=parts.type_code, family=family, issuer_codes=parts.issuer_codes)
        f.type = _type_name(k, parts.type_code, word)
        if f.type is None and prev is not None and not tb:
            gap = t[prev.end : s]
            if len(gap) < 40 and pats["list_gap"].fullmatch(gap):
                f.type = prev.type
        if f.type is None and family == "admin" and parts.issuer_codes and k.issuer(code=parts.issuer_codes[0]):
            f.type = "Công văn"
        out.append(f)
        prev = f
    return out


def _named(t: str, k: Knowledge) -> list[Found]:
    pats = _patterns()
    nk = k.named
    not_names = set(nk["not_names"])
    stops = set(nk["stop_words"])
    pairs = set(nk["stop_pairs"])
    commas = nk["comma_continues"]
    max_words = int(nk["max_words"])
    tok = pats["token"]
    out: list[Found] = []
    for m in pats["head"].finditer(t):
        head = one_line(m.group(1))
        pos = m.end()
        words: list[str] = []
        end = pos
        if head == "Hiến pháp":
            tm = re.compile(r"\s{1,3}(?:nước\s+)?(?:Cộng\s+hòa|Cộng\s+hoà|CHXHCN)[\w\s]{0,40}?Việt\s+Nam").match(t, pos)
            end = tm.end() if tm else pos
            nxt = tok.match(t, end)
            if nxt and nxt.group(1).lower() in ("này",):
                continue
            f = Found(start=m.start(), end=end, kind="named", name="Hiến pháp", type="Hiến pháp")
            out.append(f)
            continue
        amend = False
        while len(words) < max_words:
            tm = tok.match(t, pos)
            if not tm:
                break
            w = tm.group(1)
            lw = w.lower()
            if not words:
                if lw in not_names and (w[0].islower() or lw == "này"):
                    break
                if lw == "sửa" and t.startswith("đổi", tm.end() + 1):
                    amend = True
            if w in ("(", ")"):
                break
            if w in ("-", "–"):
                nx = tok.match(t, tm.end())
                if words and nx and nx.group(1)[:1].isupper() and nx.group(1) not in ("Luật", "Bộ"):
                    words.append("-")
                    pos = tm.end()
                    continue
                break
            if w == ",":
                rest = t[tm.end() : tm.end() + 24].lstrip().lower()
                if words and (any(rest.startswith(c) for c in commas) or amend):
                    words.append(",")
                    pos = tm.end()
                    continue
                break
            if words or not w[:1].isupper():
                if lw in stops and not (amend and lw in ("của", "các", "số")):
                    if not (lw == "số" and amend and t[tm.end():tm.end() + 6].lstrip().startswith("điều")):
                        break
                nx = tok.match(t, tm.end())
                if nx and f"{lw} {nx.group(1).lower()}" in pairs and not (amend and lw in ("sửa", "bổ")):
                    break
            if words and w in ("Luật", "Bộ", "Pháp", "Nghị", "Thông", "Quyết", "Chỉ") and not amend:
                break
            words.append(w)
            pos = tm.end()
            end = tm.end()
        while words and words[-1] in (",", "-", "và", "hoặc"):
            words.pop()
        if not words:
            continue
        # the end is that of the last kept word
        name_end = m.end()
        for w in words:
            i = t.find(w, name_end)
            name_end = i + len(w)
        name = one_line(t[m.start() : name_end])
        type_name = "Bộ luật" if head.lower() == "bộ luật" else head
        out.append(Found(start=m.start(), end=name_end, kind="named", name=name, type=type_name))
    return out


def _merge_named_numbers(named: list[Found], numbered: list[Found], t: str) -> list[Found]:
    """"Luật Đầu tư số 61/2020/QH14" is one named reference that carries a number."""
    by_start = {f.start: f for f in numbered}
    num_starts = sorted(by_start)
    dropped: set[int] = set()
    for f in named:
        y, p = context.year_after(t, f.end)
        if y:
            f.year = y
            f.end = p
        ns = context.number_follows(t, f.end)
        cand_pos = ns if ns is not None else None
        if cand_pos is None:
            continue
        i = bisect_right(num_starts, cand_pos + 1) - 1
        # the numbered finder may have taken "số" or the type word into its span
        for j in (i, i + 1):
            if 0 <= j < len(num_starts):
                n = by_start[num_starts[j]]
                if f.end <= n.start <= cand_pos and n.end > cand_pos or n.start == cand_pos:
                    f.number = n.number
                    f.year = f.year or n.year
                    f.end = n.end
                    dropped.add(id(n))
                    break
    return [n for n in numbered if id(n) not in dropped]


_ARTICLE_HEADING = re.compile(r"(?m)^[ \t]*Điều\s{1,3}(\d{1,3}[a-z]?)\s{0,2}[.:]")


def find_references(text: str, document: Document | None = None, skip: Iterable[tuple[int, int]] = ()) -> list[Reference]:
    """Every reference in `text`, in text order, with offsets into `text` as given."""
    k = load()
    ot = OffsetText(text)
    t = ot.text
    numbered = _numbered(t, k)
    named = _named(t, k)
    numbered = _merge_named_numbers(named, numbered, t)
    found = sorted(numbered + named, key=lambda f: (f.start, -f.end))
    # drop exact duplicates and numbers swallowed by a longer numbered span
    uniq: list[Found] = []
    for f in found:
        if uniq and uniq[-1].start == f.start and uniq[-1].end >= f.end and uniq[-1].kind == f.kind:
            continue
        uniq.append(f)
    found = uniq

    pats = _patterns()
    sents = sentence_starts(t)
    own = document.number if document else None
    for f in found:
        b = context.beside(t, f.end)
        f.date = b.date
        f.tail = b.end if (b.date or b.issuer) else f.end
        if f.kind == "named" and f.year is None and b.date:
            f.year = int(b.date[:4])
        if f.kind == "numbered":
            party = f.family == "party"
            f.issuer = b.issuer or _issuer_from_codes(k, f.issuer_codes, party)
            if f.year is None and b.date:
                f.year = int(b.date[:4])
            if own and f.number == own:
                f.kind, f.target = "self", "self"
        else:
            f.issuer = b.issuer
        f.pinpoint, f.lead = pinpoint_before(t, f.start)

    # self and back references
    articles = [(m.start(), m.group(1)) for m in _ARTICLE_HEADING.finditer(t)]
    art_pos = [a[0] for a in articles]
    extra: list[Found] = []
    for m in pats["self"].finditer(t):
        word = one_line(m.group(1))
        f = Found(start=m.start(), end=m.end(), kind="self", target="self", relation=None)
        if word in ("Điều", "Chương"):
            pts, lead = shortforms.clause_before(t, m.start())
            if word == "Điều":
                i = bisect_right(art_pos, m.start()) - 1
                art = articles[i][1] if i >= 0 else None
                f.pinpoint = [Pinpoint(article=art, clause=p.clause, point=p.point) for p in pts] or [Pinpoint(article=art)]
                f.lead = lead
        else:
            tt = k.doc_type(name=word)
            f.type = tt.name if tt else word
        if document is not None:
            f.number = document.number
            if f.type is None:
                f.type, f.type_code = document.type, document.type_code
        extra.append(f)
    for m in pats["back"].finditer(t):
        tt = k.doc_type(name=one_line(m.group(1)))
        f = Found(start=m.start(), end=m.end(), kind="short", type=tt.name if tt else one_line(m.group(1)))
        f.pinpoint, f.lead = pinpoint_before(t, m.start())
        extra.append(f)
    found = sorted(found + extra, key=lambda f: (f.start, -f.end))
    found = shortforms.bind(t, found, k)

    # relations, in text order, each seeing the previous reference of its sentence
    prev: Found | None = None
    prev_sent = -1
    for f in found:
        if f.kind == "self" and f.type is None:
            f.relation = None
            continue
        si = bisect_right(sents, f.lead or f.start) - 1
        s0 = sents[si]
        p = (prev.start, prev.tail or prev.end, prev.relation or "cites") if (prev is not None and si == prev_sent) else None
        f.relation = classify(t, f.lead or f.start, s0, p) if f.kind != "self" else None
        prev, prev_sent = f, si

    skips = sorted(skip)
    out: list[Reference] = []
    for f in found:
        start, end = ot.to_original(f.start), ot.to_original(f.end)
        if any(a <= start < b for a, b in skips):
            continue
        out.append(
            Reference(
                start=start, end=end, text=text[start:end], kind=f.kind, type=f.type, type_code=f.type_code,
                number=f.number, year=f.year, date=f.date, issuer=f.issuer, name=f.name, relation=f.relation,
                pinpoint=f.pinpoint, target=f.target,
            )
        )
    return out
