"""The issuing body from a header's capitalised block (or a number's codes), as the tables name it."""

from __future__ import annotations

import re
from functools import lru_cache

from kgraph.extract.header.casing import cap, lower, proper_names, spelling_key, title_words
from kgraph.extract.header.tables import tables
from kgraph.extract.header.vocab import ADMIN_UNIT, BODY_WORDS, TAIL_UNIT
from kgraph.extract.normalize import one_line, unify_dashes


@lru_cache(maxsize=1)
def _ministry_tails() -> dict[str, str]:
    """What follows "Bộ" in the ministries' names, by its lower-case key: a department (Sở) of a province
    is named like its ministry (``sở giáo dục và đào tạo`` → ``Sở Giáo dục và Đào tạo``)."""
    out = {}
    for i in tables().k.issuers:
        for n in (i.name, *i.aliases):
            if n.startswith("Bộ ") and not n.startswith("Bộ trưởng"):
                out.setdefault(spelling_key(lower(n[3:])), n[3:])
    return out


def org_case(low: str) -> str:
    """A body's name from lower-case text: ``sở tài chính`` → ``Sở Tài chính``."""
    out = proper_names(low)
    for w in BODY_WORDS:
        if spelling_key(out).startswith(w + " ") and len(out) > len(w) + 1:
            rest = out[len(w) + 1 :]
            if ADMIN_UNIT.fullmatch(rest):
                break  # the unit's place is its name (thuế tỉnh tây ninh)
            m = TAIL_UNIT.search(rest)
            head = rest[: m.start()].rstrip() if m else rest
            known = _ministry_tails().get(spelling_key(head))
            out = out[: len(w) + 1] + (known + rest[len(head) :] if known else cap(rest))
            break
    m = TAIL_UNIT.search(out)
    if m:
        out = out[: m.start(2)] + title_words(m.group(2))
    return cap(out)


def _locality(rest: str) -> str | None:
    """``tỉnh lạng sơn`` → ``tỉnh Lạng Sơn`` (an administrative unit and its name), else None."""
    m = ADMIN_UNIT.fullmatch(rest)
    if not m:
        return None
    unit = "thành phố" if m.group(1) == "tp." else m.group(1)
    return f"{unit} {title_words(m.group(2))}"


def _starts_body(line: str) -> bool:
    key = spelling_key(lower(line))
    return any(key == w or key.startswith(w + " ") for w in BODY_WORDS)


def _regroup(lines: list[str]) -> list[str]:
    """A block wrapped at a page's width (UBND THÀNH PHỐ HÀ / NỘI / SỞ GIÁO DỤC VÀ ĐÀO TẠO) as its parent
    and the unit that issues: the unit is the last line after the first that opens with a body's word."""
    if len(lines) < 3:
        return lines
    j = next((i for i in range(len(lines) - 1, 0, -1) if _starts_body(lines[i])), None)
    if j is None:
        return [" ".join(lines)]
    return [" ".join(lines[:j]), " ".join(lines[j:])]


def issuer_name(lines: list[str]) -> str | None:
    """The issuing body from the capitalised block, spelled the way the knowledge tables spell it."""
    lines = _regroup([ln.strip() for ln in lines if ln.strip()])
    tb = tables()
    k = tb.k
    words = []
    for w in one_line(" ".join(lines)).split():
        i = k.issuer_by_code.get(w) if w.isupper() and len(w) <= 6 else None
        words.append(i.name if i and i.family == "local" else w)  # UBND → Ủy ban nhân dân
    low = re.sub(r"\s*-\s*", " - ", lower(unify_dashes(" ".join(words)))).strip(" -")
    f = spelling_key(low)  # same length as `low`: lookups on f, output from low
    if not f:
        return None
    hit = k.issuer_by_name.get(f)
    if hit:
        return hit.name
    pieces = f.split(" - ")
    if len(pieces) > 1:  # joint documents: several bodies joined by dashes
        names, i = [], 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                cand = k.issuer_by_name.get(" - ".join(pieces[i:j]))
                if cand:
                    names.append(cand.name)
                    i = j
                    break
            else:
                names = []
                break
        if len(names) > 1:
            return " - ".join(names)
    if len(lines) > 1 and not lines[0].rstrip().endswith("-"):
        # a parent body, then the unit that issues (UBND TỈNH LẠNG SƠN / SỞ TÀI CHÍNH)
        parent = issuer_name(lines[:1]) or ""
        child = lower(" ".join(lines[1:]))
        if spelling_key(child) in BODY_WORDS and parent:
            return cap(child) + " " + parent  # VĂN PHÒNG under BAN CHẤP HÀNH TRUNG ƯƠNG
        if any(spelling_key(child).startswith(w + " ") for w in BODY_WORDS):
            pm = TAIL_UNIT.search(parent)
            return org_case(child) + (f" {pm.group(0)}" if pm else "")
    for n in tb.issuer_names:
        if f.startswith(n + " "):
            base = k.issuer_by_name[n].name
            rest = low[len(n) + 1 :]
            loc = _locality(rest)
            if loc:
                return f"{base} {loc}"  # Ủy ban nhân dân tỉnh Lạng Sơn
            return org_case(rest)  # a parent, then the unit that issues (BỘ TÀI CHÍNH / TỔNG CỤC THUẾ)
    if len(f) >= 6:  # a block whose first letter was lost in extraction (UỐC HỘI)
        for n in tb.issuer_names:
            if n.endswith(f) and len(n) - len(f) <= 2:
                return k.issuer_by_name[n].name
    return org_case(low)


def issuer_from_codes(codes: list[str]) -> str | None:
    """The issuer a number's codes name (BLĐTBXH, QH13), when the text shows no issuer block."""
    k = tables().k
    names = []
    for c in codes:
        m = re.fullmatch(r"(\D+?)\d*", c)
        name = k.issuer(code=m.group(1) if m else c)
        if name and name not in names:
            names.append(name)
    return " - ".join(names) if names else None
