"""Short forms bound to what they stand for, as a separate pass over the references found.

- Aliases a text defines, "(sau đây gọi là Nghị định 65)" or a bare "(Luật Ngân sách nhà nước)",
  bind its later uses.
- "Nghị định nêu trên" binds to the last decree mentioned, but only when exactly one candidate
  remains in that sentence; otherwise it stays unbound (eyecite's rule for short forms).
- "khoản 2 Điều này" keeps its clause as a pinpoint of the citing document.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import chain
from typing import Callable

from kgraph.extract.alias_uses import AliasUses
from kgraph.extract.found import Found, in_text_order
from kgraph.extract.normalize import one_line, unify_dashes
from kgraph.extract.sentences import sentence_start
from kgraph.knowledge import DocType, Knowledge, load
from kgraph.model import Pinpoint

_CLAUSE = re.compile(
    r"(?:điểm\s{1,3}(?P<pt>\d{0,2}[a-zđ]\d?(?:\s{0,3}(?:,|và|hoặc)\s{1,3}(?:điểm\s{1,3})?\d{0,2}[a-zđ]\d?){0,20})\s{1,3})?"
    r"(?:khoản\s{1,3}(?P<cl>\d{1,3}[a-z]?(?:\s{0,3}(?:,|và|hoặc)\s{1,3}(?:khoản\s{1,3})?\d{1,3}[a-z]?){0,30})\s{1,3})?$",
    re.IGNORECASE,
)

#: what opens an alias's definition, up to the alias: "(sau đây gọi tắt là ", "(được viết tắt là: “"
_DEFINES = (r"\(\s{0,3}(?:sau\s{1,3}đây\s{1,3})?(?:được\s{1,3})?(?:gọi\s{1,3}tắt\s{1,3}là|gọi\s{1,3}là|viết\s{1,3}tắt\s{1,3}là|viết\s{1,3}là)"
            r"\s{0,3}:?\s{0,3}[“\"']?")
_ALIAS_DEF = re.compile(
    r"[^()]{0,160}?" + _DEFINES + r"(?P<alias>[^”\"')]{2,80}?)[”\"']?\s{0,3}\)",
    re.IGNORECASE,
)
#: a number defined as its own alias, read from the number back ("... (sau đây gọi là Thông tư số 26/2016/TT-BLĐTBXH)")
_DEFINED_AS = re.compile(_DEFINES + r"$", re.IGNORECASE)
_HAS_NUMBER = re.compile(r"\d+\s*[/-]")
#: a bracketed type word and number after a citation's title, before the clause ends ("... toàn diện (Nghị quyết
#: 214/NQ-CP);")
_RESTATED = re.compile(r"[^();]{0,200}?\(\s{0,3}(?P<alias>[A-ZĐ][^()]{2,60}?\d[^()]{0,30}?)\s{0,3}\)")


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


def _judge(alias: str, k: Knowledge, seen: dict[str, DocType | None]) -> list:
    """[the type word an alias opens with (the longest of its first three words that is one), the type it names
    alone (`_UNSEEN` until `bind` needs it: most aliases name an instrument), whether it names an instrument
    (`_designates_instrument`)], from one lookup of each opening. `seen` keeps the openings looked up: distinct
    aliases share a few (issue 14)."""
    words = alias.split()
    count = len(words)
    atype: DocType | None = None
    names = False
    for n in (3, 2, 1):  # longest first: the type word is the longest opening that is one
        if count >= n:
            o = " ".join(words[:n])
            t = seen.get(o, _UNSEEN)
            if t is _UNSEEN:
                t = seen[o] = k.doc_type(name=o)
            if t is not None:
                atype = atype or t
                names = names or count > n
    return [atype, _UNSEEN, names and words[0][:1].isupper()]


_UNSEEN = object()


def _aliased(f: Found, atype: DocType | None, found: list[Found], short: Callable[[Found], bool]) -> Found:
    """The instrument an alias opening with type word `atype` names: the reference just before it, unless the alias
    opens with another type word — "Nghị định số 200/2025/NĐ-CP ... quy định chi tiết Luật Phòng thủ dân sự (sau
    đây viết tắt là Nghị định)" names the decree, the last earlier reference of that type in the same passage, not
    the law in its title. `short`: whether a named reference is a use of an alias defined before (`bind`)."""
    if atype is None or f.type == atype.name:
        return f
    # `found` is in text order: only the references of the 600 characters before `f` are looked at
    lo = bisect_left(found, f.start - 599, key=lambda g: g.start)
    hi = bisect_left(found, f.start, key=lambda g: g.start)
    earlier = [g for g in found[lo:hi] if (g.kind == "numbered" or g.kind == "named" and not short(g)) and g.type == atype.name]
    return earlier[-1] if earlier else f


def _definitions(text: str, found: list[Found], starts: list[int],
                 k: Knowledge) -> list[tuple[Found, tuple[str | None, int, tuple[int, int]]]]:
    """(reference, definition) for each numbered or named reference of `found` (in text order; `starts`, their
    starts) that an alias's definition follows ("(sau đây gọi là Nghị định 65)", or a bare "(Luật Ngân sách nhà
    nước)"): the alias, where its definition ends and the alias's own span; alias None when it restates a number
    (its span then holds no reference). Whether the alias names an instrument or is a defined term is for `bind` to
    judge, once it knows which reference the alias names. One walk over the references: the next one's start is
    most often the next in the list, not bisected for (dense references, issue 14)."""
    out: list[tuple[Found, tuple[str | None, int, tuple[int, int]]]] = []
    n = len(starts)
    for j, f in enumerate(found):
        if f.kind != "numbered" and f.kind != "named":
            continue
        after = f.tail or f.end
        paren = text.find("(", after, after + 201)
        if paren < 0:
            continue  # every kind below opens with a "(" within 200 characters: most references have none
        # no other reference may start between this one and its "(sau đây gọi là ...)"; each kind below but the
        # bare alias opens with the first "(" after the reference: when another reference starts before it, only a
        # bare alias can be read (dense references: the next one's definition is not matched for this one). The
        # first reference starting past `after`: most often the next one (those up to `f` start at or before it)
        i = j + 1
        if i < n and starts[i] <= after:
            i = bisect_right(starts, after, i)
        elif f.start > after:
            i = bisect_right(starts, after)
        blocked = i < n and starts[i] < paren
        if blocked and paren - after > 3:
            continue  # only a bare alias is left, and it opens with a "(" after at most 3 spaces
        m = None if blocked else _ALIAS_DEF.match(text, after)
        alias = None
        if m and not (i < n and starts[i] < m.start("alias") - 1):
            alias = one_line(m.group("alias")).rstrip(" .,;")
            alias_end = m.end()
            span = (m.start("alias"), m.end("alias"))
        else:
            bare = _bare_alias().match(text, after)
            if bare:
                alias = one_line(bare.group("alias"))
                alias_end = bare.end()
                span = (bare.start("alias"), bare.end("alias"))
            elif not blocked and f.number and (r := _RESTATED.match(text, after)) and f.number in unify_dashes(re.sub(r"\s+", "", r.group("alias"))):
                # "Nghị quyết số 214/NQ-CP ... về thúc đẩy ... chuyển đổi số toàn diện (Nghị quyết 214/NQ-CP)": the
                # number restated after the title, no reference of its own (CONVENTIONS.md)
                if not (i < n and starts[i] < r.start("alias") - 1) and _designates_instrument(r.group("alias"), k):
                    out.append((f, (None, r.end(), (r.start("alias"), r.end("alias")))))
                continue
        if not alias or len(alias) < 3:
            continue
        if ("/" in alias or "-" in alias) and _HAS_NUMBER.search(alias):  # no "/" nor "-" (most aliases): no number
            # "(sau đây gọi tắt là Nghị định số 115/2015/NĐ-CP)": the number restated, not a reference of its own
            out.append((f, (None, alias_end, span)))
            continue
        out.append((f, (alias, alias_end, span)))
    return out


def _merged(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The starts and the ends of `spans` merged where they overlap or touch, in order."""
    heads: list[int] = []
    ends: list[int] = []
    for a, b in sorted(spans):
        if heads and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            heads.append(a)
            ends.append(b)
    return heads, ends


def _inside(merged: tuple[list[int], list[int]]) -> Callable[[int], bool]:
    """Whether a position lies inside one of the spans `merged` (`_merged`), looked up by bisection."""
    heads, ends = merged

    def inside(x: int) -> bool:
        i = bisect_right(heads, x) - 1
        return i >= 0 and x < ends[i]

    return inside


def _outside(found: list[Found], merged: tuple[list[int], list[int]], keep_numbered: bool = True) -> list[Found]:
    """The references of `found` (in order of start) that start outside every span of `merged` (`_merged`), and the
    numbered ones anywhere when `keep_numbered`: one walk along both, not a bisection a reference (issue 14)."""
    heads, ends = merged
    out: list[Found] = []
    k, n = 0, len(heads)
    for f in found:
        s = f.start
        while k < n and ends[k] <= s:
            k += 1
        if not (k < n and heads[k] <= s) or keep_numbered and f.kind == "numbered":
            out.append(f)
    return out


_BRACKETED = re.compile(r"\(\s*$")
_BRACKET_CLOSE = re.compile(r"\s*\)")


def _restated_in_brackets(text: str, found: list[Found]) -> list[tuple[int, int]]:
    """"Nghị quyết số 50/NQ-CP ... về ban hành Kế hoạch triển khai Nghị quyết số 163/2024/QH15 ... (Nghị quyết số
    50/NQ-CP)": a number alone in brackets, or defined as an alias ("(sau đây gọi là Thông tư số ...)"), that
    restates a reference of the same clause (no ";" between) is an alias, though another reference (in the title)
    stands between them (CONVENTIONS.md)."""
    out: list[tuple[int, int]] = []
    # where a "(" at most 3 characters before can open: one walk over the text's brackets, not a look at each
    # reference (dense bait: 20-40k references a MB, most with no bracket before them, issue 14)
    opened: set[int] = set()
    q = text.find("(")
    while q >= 0:
        opened.update((q + 1, q + 2, q + 3))
        q = text.find("(", q + 1)
    if not opened:
        return out
    for i, f in enumerate(found):
        if f.kind != "numbered" or not f.number:
            continue
        if f.start in opened and _BRACKETED.search(text, max(0, f.start - 3), f.start):
            reach = 600
        elif (text.find("là", f.start - 8 if f.start > 8 else 0, f.start) >= 0
              and _DEFINED_AS.search(text, f.start - 48 if f.start > 48 else 0, f.start)):
            # "Thông tư số 26/2016/TT-BLĐTBXH ngày ... hướng dẫn ... (300 characters, or other references in its
            # title) ... (sau đây gọi là Thông tư số 26/2016/TT-BLĐTBXH)": a definition `_definitions` reads only
            # right after its reference, restating its number
            reach = 1000
        else:
            continue
        if not _BRACKET_CLOSE.match(text, f.end):
            continue
        for g in reversed(found[max(0, i - 8):i]):
            if f.start - g.end > reach or ";" in text[g.end:f.start]:
                break
            if g.kind == "numbered" and g.number == f.number and g.start < f.start:
                out.append((f.start, f.end))
                break
    return out


_NUMBER_SEP = re.compile(r"[/-]")


def _prefixes(number: str) -> list[str]:
    """The ordinals `number` can be cited by: each part of it that a '/' or '-' follows ("163", "163/2016/NĐ")."""
    return [number[: m.start()] for m in _NUMBER_SEP.finditer(number)]


def bind(text: str, found: list[Found], k: Knowledge) -> list[Found]:
    """Bind aliases and back references in `found` (in text order: start, then longest first); returns the
    references in text order.

    Linear in the references and the text (issue 14, point 3): aliases found in one pass (alias_uses.py),
    defined spans merged, ordinals and back references indexed by type as the references are walked.
    """
    by_start = {f.start: f for f in found}
    # `found` is in order of start: its spans need no sorting (`overlaps` asks whether any reaches into a stretch)
    starts = [f.start for f in found]
    spans = found

    def overlaps(a: int, b: int) -> bool:
        # references are short: only spans starting shortly before `a` can reach into [a, b)
        i = bisect_right(starts, b) - 1
        while i >= 0 and spans[i].start > a - 600:
            if spans[i].end > a:
                return True
            i -= 1
        return False

    # every definition is read first so that all aliases are looked for in one pass (alias_uses.py)
    definitions = _definitions(text, found, starts, k)
    # an alias's uses before its first definition are never bound: not read (`since`; issue 14, one text of many
    # documents each defining its own aliases)
    since: dict[str, int] = {}
    for _, (alias, _, span) in definitions:
        if alias and span[0] < since.get(alias, span[0] + 1):
            since[alias] = span[0]
    # what is used inside the aliases' own spans is read only when asked: binding drops it with the definition
    uses = AliasUses(text, (d[0] for _, d in definitions if d[0]),
                     _merged([d[2] for _, d in definitions if d[0]]), since) if definitions else None
    defined: list[tuple[int, int]] = []  # where aliases are defined: not references of their own
    restated: list[tuple[int, int]] = []  # aliases that restate a number: nothing in them is a reference
    reaching: dict[str, list[tuple[int, int, Found]]] = {}  # alias -> (end of definition, order, definer)
    reached: dict[str, int] = {}  # alias -> where the uses its definitions so far reach begin
    # alias -> the type word it opens with, the type it names alone, whether it names an instrument
    judged: dict[str, list] = {}
    openings: dict[str, DocType | None] = {}

    def short(g: Found) -> bool:
        """Whether named reference `g` is a use of an alias the definitions so far reach (it is made a short
        form in the walk over the uses below; asked here for the few references a definition's reading needs:
        one walk over the uses, not one here and one below, issue 14)."""
        if by_start.get(g.start) is not g:
            return False
        return any(g.start >= r and uses.in_chain(a, g.start)
                   for a in uses.used_at(g.start) if (r := reached.get(a)) is not None)

    for order, (f, (alias, alias_end, span)) in enumerate(definitions):
        if f.kind != "numbered" and (f.kind != "named" or short(f)):
            continue  # a name an earlier alias stands for ("Luật Ngân sách (Luật NS)") defines nothing
        if alias is None:
            restated.append(span)
            continue
        j = judged.get(alias)
        if j is None:
            # "(sau đây viết tắt là Nghị định)" after a decree: that decree (the type named alone)
            j = judged[alias] = _judge(alias, k, openings)
        atype, bare_type, designates = j
        g = _aliased(f, atype, found, short)
        if not designates and bare_type is _UNSEEN:
            bare_type = j[1] = k.doc_type(name=alias)
        if not designates and not (bare_type is not None and g.type == bare_type.name):
            continue  # a defined term ("(sau đây gọi là Quỹ)"): not a name of the instrument (issue 9, point 7)
        f = g
        defined.append(span)
        # the instruments' names among its uses from here on are short forms: they define nothing themselves
        # (`short`), and are made short forms below
        reaching.setdefault(alias, []).append((alias_end, order, f))
        was = reached.get(alias, alias_end)
        reached[alias] = alias_end if alias_end <= was else was

    # each use stands for the last definition (in reading order) that reaches it, its type for the last
    # definition that has one; an alias defined again rebinds later uses, it does not add a second reference
    added: list[Found] = []
    last_for: dict[int, list] = {}  # id(existing reference) -> [it, (order, definer), (order, typed definer)]
    # a use inside a definition ("Luật An" in a later "(sau đây gọi là Luật An Bình)") is dropped with the
    # definition's span below (`_outside`): rejected here before any work, by the merged spans (the walk over the
    # uses judges each position once, going along the spans: one use or more per alias and reference, issue 14)
    in_definitions = _merged(defined)
    # each alias: where its first definition ends, the ends of its definitions, the best (order, definer) and the
    # best typed one from each on, whether it has one definition (most have: every use stands for that one)
    info: dict[str, tuple[int, list[int], list[tuple[int, Found]], list[tuple[int, Found] | None], bool]] = {}
    for alias, defs in reaching.items():
        if len(defs) == 1:  # most aliases: no order to keep among definitions
            e, order, f = defs[0]
            key = (order, f)
            info[alias] = (e, [e], [key], [key if f.type else None], True)
            continue
        defs.sort(key=lambda d: d[0])
        ends = [d[0] for d in defs]
        best: list[tuple[int, Found]] = []
        typed: list[tuple[int, Found] | None] = []
        b = t = None
        for _, order, f in defs:
            key = (order, f)
            b = key if b is None or key[0] > b[0] else b
            if f.type and (t is None or key[0] > t[0]):
                t = key
            best.append(b)
            typed.append(t)
        info[alias] = (ends[0], ends, best, typed, len(ends) == 1)
    # the uses in text order, one walk over all aliases' (the few aliases not one line, each by its own): a use is
    # bound by where it is, so the order in which aliases are taken changes nothing
    inside = _inside(in_definitions)
    other = [(s, e, a) for a in reaching if a in uses.other for s, e in uses.chain(a) if not inside(s)] if uses is not None else []
    for s, e, alias in (chain(uses.in_order(in_definitions), other) if uses is not None else ()):
        inf = info.get(alias)
        if inf is None or s < inf[0]:
            continue
        _, ends, best, typed, one = inf
        j = 0 if one else bisect_right(ends, s) - 1
        bj, tj = best[j], typed[j]
        existing = by_start.get(s)
        if existing is not None and existing.kind in ("named", "short"):
            existing.kind = "short"
            cur = last_for.get(id(existing))
            if cur is None:
                last_for[id(existing)] = [existing, bj, tj]
                continue
            if bj[0] > cur[1][0]:
                cur[1] = bj
            if tj is not None and (cur[2] is None or tj[0] > cur[2][0]):
                cur[2] = tj
            continue
        if overlaps(s, e):
            continue
        g = Found(start=s, end=e, kind="short")
        copy_target(g, bj[1])
        added.append(g)
    for existing, (_, f), t in last_for.values():
        copy_target(existing, f)
        if not f.type and t is not None:
            existing.type = t[1].type
    # `found` comes in text order (start, then longest first): sorted again only with uses added
    found = in_text_order(found + added) if added else list(found)
    if defined:
        found = _outside(found, in_definitions)
    restated += _restated_in_brackets(text, found)
    if restated:
        found = _outside(found, _merged(restated), keep_numbered=False)

    _bind_ordinals_and_back_references(text, found)
    return found


def _bind_ordinals_and_back_references(text: str, found: list[Found]) -> None:
    """Short citations by ordinal ("Nghị định 54"): the one earlier instrument of that type and ordinal. Back
    references ("Nghị định nêu trên"): the last reference of the same type, if it is the only candidate in its
    sentence. One walk in text order: an ordinal binds from the instruments before it, a back reference from what
    is before it once bound."""
    # instruments indexed by (type, ordinal) as they are passed, each key with its last instrument, under the keys
    # some ordinal asks for only (most numbers are cited by no ordinal, and each has several prefixes)
    asked: dict[str | None, set[str]] = {}  # type -> the ordinals asked of it
    backs = False  # whether a back reference waits for its instrument
    for f in found:
        if f.kind == "short":
            if f.family and f.family.startswith("ordinal:"):
                asked.setdefault(f.type, set()).add(f.family[8:])
            elif f.target is None:
                backs = True
    if not asked and not backs:
        return
    by_ordinal: dict[tuple[str | None, str], dict[str, Found]] = {}
    prefixes: dict[str, list[str]] = {}  # number -> `_prefixes` (dense text cites a few numbers again and again)
    if not backs:
        # ordinals only (issue 14: a text citing by ordinal and never "nêu trên" keeps no instruments by type and
        # makes no key for a reference no ordinal asks for)
        for f in found:
            if f.kind == "short":
                if f.family and f.family.startswith("ordinal:"):
                    keys = by_ordinal.get((f.type, f.family[8:]))
                    if keys and len(keys) == 1:
                        copy_target(f, next(iter(keys.values())))
            elif f.number and (f.kind == "numbered" or f.kind == "named"):
                ords = asked.get(f.type)
                if ords:
                    key = None
                    pre = prefixes.get(f.number)
                    if pre is None:
                        pre = prefixes[f.number] = _prefixes(f.number)
                    for p in pre:
                        if p in ords:
                            key = key or key_of(f)
                            by_ordinal.setdefault((f.type, p), {})[key] = f
        return
    # the last candidate of each type and the instruments of each type (start, key) kept as they are passed
    last: dict[str | None, Found] = {}
    instruments: dict[str | None, tuple[list[int], list[str]]] = {}
    for f in found:
        ordinal = f.kind == "short" and f.family is not None and f.family.startswith("ordinal:")
        if ordinal:
            keys = by_ordinal.get((f.type, f.family[8:]))
            if keys and len(keys) == 1:
                copy_target(f, next(iter(keys.values())))
        elif f.kind == "short" and f.target is None:
            cand = last.get(f.type)
            if cand is not None:
                s0 = sentence_start(text, cand.start)
                at, keys = instruments.get(f.type, ([], []))
                rivals: set[str] = set()
                for key in keys[bisect_left(at, s0):]:
                    rivals.add(key)
                    if len(rivals) > 1:
                        break
                if len(rivals) <= 1:
                    copy_target(f, cand)
        key = key_of(f)
        if not key:
            continue
        if f.kind in ("numbered", "named"):
            last[f.type] = f
            at, keys = instruments.setdefault(f.type, ([], []))
            at.append(f.start)
            keys.append(key)
            ords = asked.get(f.type) if asked and f.number else None
            if ords:
                pre = prefixes.get(f.number)
                if pre is None:
                    pre = prefixes[f.number] = _prefixes(f.number)
                for p in pre:
                    if p in ords:
                        by_ordinal.setdefault((f.type, p), {})[key] = f
        elif f.kind == "short" and f.target is not None:
            last[f.type] = f
