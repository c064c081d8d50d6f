"""The issuing body from a header's capitalised block (or a number's codes), as the tables name it."""

from __future__ import annotations

import re

from kgraph.extract.header.casing import cap, lower, proper_names, spelling_key, title_words
from kgraph.extract.header.tables import tables
from kgraph.extract.header.vocab import ADMIN_UNIT, BODY_WORDS, TAIL_UNIT
from kgraph.extract.normalize import one_line, unify_dashes


def org_case(low: str) -> str:
    """A body's name from lower-case text: ``sở tài chính`` → ``Sở Tài chính``."""
    out = proper_names(low)
    for w in BODY_WORDS:
        if spelling_key(out).startswith(w + " ") and len(out) > len(w) + 1:
            out = out[: len(w) + 1] + cap(out[len(w) + 1 :])
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


def issuer_name(lines: list[str]) -> str | None:
    """The issuing body from the capitalised block, spelled the way the knowledge tables spell it."""
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
