"""Short forms bound to what they stand for, as a separate pass over the references found.

- Aliases a text defines, "(sau đây gọi là Nghị định 65)" or a bare "(Luật Ngân sách nhà nước)",
  bind its later uses.
- "Nghị định nêu trên" binds to the last decree mentioned, but only when exactly one candidate
  remains in that sentence; otherwise it stays unbound (eyecite's rule for short forms).
- "khoản 2 Điều này" keeps its clause as a pinpoint of the citing document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from kgraph.extract.found import Found
from kgraph.extract.normalize import one_line
from kgraph.extract.sentences import sentence_start
from kgraph.knowledge import Knowledge, load
from kgraph.model import Pinpoint

_CLAUSE = re.compile(
    r"(?:điểm\s{1,3}(?P<pt>\d{0,2}[a-zđ]\d?(?:\s{0,3}(?:,|và|hoặc)\s{1,3}\d{0,2}[a-zđ]\d?){0,20})\s{1,3})?"
    r"(?:khoản\s{1,3}(?P<cl>\d{1,3}[a-z]?(?:\s{0,3}(?:,|và|hoặc)\s{1,3}\d{1,3}[a-z]?){0,30})\s{1,3})?$",
    re.IGNORECASE,
)

_ALIAS_DEF = re.compile(
    r"[^()]{0,160}?\(\s{0,3}(?:sau\s{1,3}đây\s{1,3})?(?:được\s{1,3})?(?:gọi\s{1,3}tắt\s{1,3}là|gọi\s{1,3}là|viết\s{1,3}tắt\s{1,3}là|viết\s{1,3}là)"
    r"\s{0,3}:?\s{0,3}[“\"']?(?P<alias>[^”\"')]{2,80}?)[”\"']?\s{0,3}\)",
    re.IGNORECASE,
)
_HAS_NUMBER = re.compile(r"\d+\s*[/-]")


@lru_cache(maxsize=1)
def _bare_alias() -> re.Pattern:
    """A bracketed name right after a reference, opened by a type word of named.yaml `bare_alias_types`."""
    types = "|".join(re.escape(w) for w in load().named["bare_alias_types"])
    return re.compile(r"\s{0,3}\((?P<alias>(?:" + types + r")[^()\d]{0,70})\)")


def _designates_instrument(alias: str, k: Knowledge) -> bool:
    """An alias that names an instrument opens with its type word ("Nghị định 65", "Thông tư 04", "Luật Đất
    đai"); "Quỹ", "TNXP", "dự án BT chuyển tiếp" are terms the document defines."""
    words = alias.split()
    if not words[0][:1].isupper():
        return False
    # the type word and something naming which one ("Quy chế" alone is the defined annex, not an instrument)
    return any(len(words) > n and k.doc_type(name=" ".join(words[:n])) is not None for n in (3, 2, 1))


def clause_before(text: str, start: int) -> tuple[list[Pinpoint], int]:
    """Clause and point written before "Điều này" ("điểm a khoản 2 Điều này")."""
    lo = max(0, start - 160)
    m = _CLAUSE.search(text, lo, start)
    if not m or m.start() == start:
        return [], start
    cls = re.findall(r"\d{1,3}[a-z]?", m.group("cl") or "")
    # "điểm 4đ, 4e": old laws number points within a clause ("4đ" is point đ of clause 4), kept as written
    pts = re.findall(r"(?<!\w)\d{0,2}[a-zđ]\d?(?!\w)", re.sub(r"(?i)\b(và|hoặc)\b", " ", m.group("pt") or ""))
    out: list[Pinpoint] = []
    for c in cls or [None]:
        if pts and c == (cls[0] if cls else None):
            out.extend(Pinpoint(clause=c, point=p.lower()) for p in pts)
        else:
            out.append(Pinpoint(clause=c))
    return ([p for p in out if p.clause or p.point], m.start()) if (cls or pts) else ([], start)


def key_of(f: Found) -> str | None:
    if f.number:
        return f"{f.number} ({f.year})" if f.year and str(f.year) not in f.number else f.number
    if f.name:
        return f"{f.name} {f.year}" if f.year else f.name
    return None


def copy_target(dst: Found, src: Found) -> None:
    dst.number, dst.year, dst.name = src.number, src.year, src.name
    dst.type, dst.type_code, dst.issuer = src.type or dst.type, src.type_code, src.issuer
    dst.date = src.date
    dst.target = key_of(src)


def _aliased(f: Found, alias: str, found: list[Found], k: Knowledge) -> Found:
    """The instrument an alias names: the reference just before it, unless the alias opens with another type word
    — "Nghị định số 200/2025/NĐ-CP ... quy định chi tiết Luật Phòng thủ dân sự (sau đây viết tắt là Nghị định)"
    names the decree, the last earlier reference of that type in the same passage, not the law in its title."""
    words = alias.split()
    atype = next((t for n in (3, 2, 1) if len(words) >= n and (t := k.doc_type(name=" ".join(words[:n])))), None)
    if atype is None or f.type == atype.name:
        return f
    earlier = [g for g in found if g.kind in ("numbered", "named") and g.type == atype.name
               and g.start < f.start and f.start - g.start < 600]
    return earlier[-1] if earlier else f


def bind(text: str, found: list[Found], k: Knowledge) -> list[Found]:
    """Bind aliases and back references; returns the references in text order."""
    by_start = {f.start: f for f in found}
    spans = sorted((f.start, f.end) for f in found)
    starts = [s for s, _ in spans]

    def overlaps(a: int, b: int) -> bool:
        # references are short: only spans starting shortly before `a` can reach into [a, b)
        i = bisect_right(starts, b) - 1
        while i >= 0 and spans[i][0] > a - 600:
            if spans[i][1] > a:
                return True
            i -= 1
        return False

    added: list[Found] = []
    defined: list[tuple[int, int]] = []  # where aliases are defined: not references of their own
    restated: list[tuple[int, int]] = []  # aliases that restate a number: nothing in them is a reference
    for f in list(found):
        if f.kind not in ("numbered", "named"):
            continue
        after = f.tail or f.end
        m = _ALIAS_DEF.match(text, after)
        alias = None
        if m and not any(s for s in starts if after < s < m.start("alias") - 1):
            alias = one_line(m.group("alias")).rstrip(" .,;")
            alias_end = m.end()
            span = (m.start("alias"), m.end("alias"))
        else:
            bare = _bare_alias().match(text, after)
            if bare:
                alias = one_line(bare.group("alias"))
                alias_end = bare.end()
                span = (bare.start("alias"), bare.end("alias"))
        if not alias or len(alias) < 3:
            continue
        if _HAS_NUMBER.search(alias):
            # "(sau đây gọi tắt là Nghị định số 115/2015/NĐ-CP)": the number restated, not a reference of its own
            restated.append(span)
            continue
        g = _aliased(f, alias, found, k)
        bare_type = k.doc_type(name=alias)  # "(sau đây viết tắt là Nghị định)" after a decree: that decree
        if not _designates_instrument(alias, k) and not (bare_type is not None and g.type == bare_type.name):
            continue  # a defined term ("(sau đây gọi là Quỹ)"): not a name of the instrument (issue 9, point 7)
        f = g
        defined.append(span)
        pat = re.compile(r"(?<!\w)" + re.escape(alias).replace(r"\ ", r"\s{1,3}") + r"(?!\w)")
        for um in pat.finditer(text, alias_end):
            existing = by_start.get(um.start())
            if existing is not None and existing.kind in ("named", "short") and existing is not f:
                existing.kind = "short"
                copy_target(existing, f)
                continue
            if overlaps(um.start(), um.end()):
                continue
            g = Found(start=um.start(), end=um.end(), kind="short")
            copy_target(g, f)
            added.append(g)
    found = sorted(found + added, key=lambda x: (x.start, -x.end))
    if defined:
        found = [f for f in found if f.kind == "numbered" or not any(a <= f.start < b for a, b in defined)]
    if restated:
        found = [f for f in found if not any(a <= f.start < b for a, b in restated)]

    # short citations by ordinal ("Nghị định 54"): the one earlier instrument of that type and ordinal
    for i, f in enumerate(found):
        if f.kind != "short" or not (f.family or "").startswith("ordinal:"):
            continue
        ordinal = f.family.split(":", 1)[1]
        keys = {key_of(g): g for g in found[:i] if g.kind in ("numbered", "named") and g.type == f.type
                and g.number and re.match(re.escape(ordinal) + r"[/-]", g.number)}
        if len(keys) == 1:
            copy_target(f, next(iter(keys.values())))

    # back references: the last reference of the same type, if it is the only candidate
    for i, f in enumerate(found):
        if f.kind != "short" or f.target is not None or (f.family or "").startswith("ordinal:"):
            continue
        cand = None
        j = i - 1
        while j >= 0:
            g = found[j]
            if g.kind in ("numbered", "named", "short") and g.target is not None or g.kind in ("numbered", "named"):
                if g.type == f.type and key_of(g):
                    cand = g
                    break
            j -= 1
        if cand is None:
            continue
        s0 = sentence_start(text, cand.start)
        rivals = {
            key_of(g)
            for g in found[:i]
            if g.start >= s0 and g.type == f.type and g.kind in ("numbered", "named") and key_of(g)
        }
        if len(rivals) <= 1:
            copy_target(f, cand)
    return found
