"""Pinpoints: "điểm c khoản 6 Điều 4", "khoản 1, 2 và 3 Điều 5", "từ Điều 10 đến Điều 15", "Chương II".

Provisions are written small to large before the instrument they belong to. The grammar is
read backwards from a reference's start; lists and ranges expand to one `Pinpoint` each.
"""

from __future__ import annotations

import re

from kgraph.model import Pinpoint

_PT = r"[a-zđ]\d?"
_NUM = r"\d{1,3}[a-z]?"
_ROMAN = r"(?:[IVXLC]{1,7}|\d{1,2})"
#: Between list items: a connector with up to 3 spaces before it, or bare spaces. The two ways never
#: match the same text (the old `\s{0,3}(?:,|và)?\s{1,3}` split bare spaces several ways: exponential
#: backtracking when a list fails late, issue 14).
_SEP = r"(?:\s{0,3}(?:,|và|hoặc|;)\s{1,3}|\s{1,6})"


def _list(item: str, kw: str) -> str:
    return rf"{item}(?:{_SEP}(?:{kw}\s{{1,3}})?{item}){{0,30}}"


def _range(item: str, kw: str) -> str:
    return rf"(?:từ\s{{1,3}})?{kw}\s{{1,3}}{item}\s{{1,3}}(?:đến|tới|-)\s{{1,3}}(?:{kw}\s{{1,3}})?{item}"


_CHAIN = re.compile(
    r"(?P<chain>"
    rf"(?:(?:các\s{{1,3}})?điểm\s{{1,3}}(?P<pt>{_list(_PT, 'điểm')})\s{{0,3}},?\s{{1,3}})?"
    rf"(?:(?:các\s{{1,3}})?khoản\s{{1,3}}(?P<cl>{_list(_NUM, 'khoản')})\s{{0,3}},?\s{{1,3}})?"
    rf"(?:(?P<artrange>{_range(_NUM, 'điều')})|(?:các\s{{1,3}})?điều\s{{1,3}}(?P<art>{_list(_NUM, 'điều')}))"
    rf"(?:\s{{0,3}},?\s{{1,3}}(?:của\s{{1,3}})?chương\s{{1,3}}(?P<chp>{_ROMAN}))?"
    rf"|(?:các\s{{1,3}})?chương\s{{1,3}}(?P<chponly>{_list(_ROMAN, 'chương')})"
    r")"
    r"\s{0,3},?\s{0,3}(?:(?:của|tại|thuộc|trong)\s{1,3})?$",
    re.IGNORECASE,
)
#: The words a chain can start with; one preceded by a word character is skipped by `_chain_before` (a leading
#: lookbehind would make the engine try every position of the window instead of jumping to these letters). Each
#: spelling is written out, opening with a literal letter: the engine then skips to those letters by a set of
#: characters, where `[Cc]ác|...` (a class first) made it try every alternative at every position (2.5x the time).
_START = re.compile(r"(?:Các|các|Điểm|điểm|Khoản|khoản|Điều|điều|Từ|từ|Chương|chương|ĐIỂM|KHOẢN|ĐIỀU|CHƯƠNG)(?!\w)")
_WORD_CHAR = re.compile(r"\w")
#: The letters of the words a chain is written with (any case, as `_CHAIN` reads them).
_CHAIN_LETTERS = "".join(sorted(set("".join(("các điểm khoản điều từ đến tới chương của tại thuộc trong và hoặc").split()))))
#: A character no chain holds (every one `_CHAIN` reads is a digit, a blank, ",", ";", "-", an ASCII letter or a letter
#: of its words): a chain ending a window starts after the last of them. Searched in the reversed window, it is found
#: in the few characters before the chain, and the chain's starts before it are not tried (prose before a reference
#: holds several "các", "từ", "điều" that fail).
_NOT_IN_CHAIN = re.compile(r"[^\d\s,;\-a-z" + _CHAIN_LETTERS + "]", re.IGNORECASE)
_ITEM = {
    "pt": re.compile(_PT),
    "num": re.compile(_NUM),
    "roman": re.compile(_ROMAN),
}
_KW = re.compile(r"(?i)\b(?:điểm|khoản|điều|chương|các|và|hoặc|từ|đến|tới)\b")

#: How far before a reference a pinpoint may start.
WINDOW = 240


def _items(s: str | None, kind: str) -> list[str]:
    if not s:
        return []
    return _ITEM[kind].findall(_KW.sub(" ", s))


def _expand_range(s: str) -> list[str]:
    nums = re.findall(r"\d+", s)
    if len(nums) != 2:
        return nums
    a, b = int(nums[0]), int(nums[1])
    if a <= b and b - a <= 60:
        return [str(n) for n in range(a, b + 1)]
    return nums


_CONNECTORS = ("của", "tại", "thuộc", "trong")


def _may_end_a_chain(text: str, start: int) -> bool:
    """A chain ends with an article number or a chapter numeral (then maybe "của"): check that cheaply
    before running the grammar, since most references have no pinpoint."""
    tail = text[start - 16 if start > 16 else 0 : start].rstrip(" ,\t\r\n\xa0")
    if tail.endswith(_CONNECTORS):  # one test for the four (most tails end with none)
        for w in _CONNECTORS:
            if tail.endswith(w):
                tail = tail[: -len(w)].rstrip(" ,\t\r\n\xa0")
                break
    if not tail:
        return False
    c = tail[-1]
    return c.isdigit() or c in "IVXLC" or (c.isalpha() and len(tail) > 1 and tail[-2].isdigit())


#: How every chain ends (`_CHAIN` read from its end): an article or clause number or a chapter numeral after white
#: space, then maybe a comma and a connector. Checked before the chain's starts are tried, so that text that only
#: looks like a chain's end ("Điều 1   1 ... 1a1 Nghị định", issue 14) costs one short match, not one per start.
#: Written reversed and matched at the start of the reversed tail: a search for it ending at `$` tried every
#: position of the tail (~80 µs a reference on such text).
_CHAIN_END_REVERSED = re.compile(
    r"(?:\s{1,3}(?:" + "|".join(w[::-1] for w in _CONNECTORS) + r"))?\s{0,3},?\s{0,3}(?:[a-z]?\d{1,3}|(?:[IVXLC]{1,7}|\d{1,2}))\s",
    re.IGNORECASE,
)


def _ends_like_a_chain(text: str, start: int) -> bool:
    """Whether some chain can end right before `start` (or before a line break there, as `$` allows)."""
    tail = text[start - 40 if start > 40 else 0 : start][::-1]
    return bool(_CHAIN_END_REVERSED.match(tail) or (tail[:1] == "\n" and _CHAIN_END_REVERSED.match(tail, 1)))


#: an annex named after the provisions ("khoản 1 Điều 13 và Phụ lục I của ..."): not a provision, skipped over
# and "các điều 4, 7 và các nội dung cần thiết khác của Luật này": the provisions are still the law's
_ANNEX_TAIL = re.compile(
    r"[ \t\r\n]{0,3}(?:,|và)[ \t\r\n]{1,3}(?:các[ \t\r\n]{1,3})?(?:[Pp]hụ[ \t\r\n]{1,3}lục(?:[ \t\r\n]{1,3}[IVXLC\d]{1,6})?"
    r"|(?:nội[ \t\r\n]dung|quy[ \t\r\n]định|vấn[ \t\r\n]đề)[^,.;:\n]{0,40}?[ \t\r\n]khác)"
    r"[ \t\r\n]{0,3}(?:(?:của|tại|thuộc)[ \t\r\n]{0,3})?$"
)
#: between two chains of a list: "khoản 5 Điều 5, Điều 6, khoản 1 Điều 13", "... Điều 4 và khoản 2 Điều 5"
_CHAIN_SEP = re.compile(r"[ \t\r\n]{0,3}(?:,|;|và|hoặc)[ \t\r\n]{1,3}$")
#: how many chains a list may join (each is read once, right to left: linear in the list's length)
MAX_CHAINS = 12


def pinpoint_before(text: str, start: int) -> tuple[list[Pinpoint], int]:
    """Provisions written right before `start`, and where their phrase begins (or `start`): every chain of a
    list ("khoản 1, khoản 2 Điều 1, Điều 2 và khoản 2 Điều 5 Thông tư ...") keeps its provisions (issue 9, point 9)."""
    lo = start - 80 if start > 80 else 0
    # the tail names an annex ("Phụ lục") or other contents ("... khác"): only then is it searched for
    annex = _ANNEX_TAIL.search(text, lo, start) if text.find("lục", lo, start) >= 0 or text.find("khác", lo, start) >= 0 else None
    pts, lead = _chain_before(text, annex.start() if annex else start)
    if not pts:
        return [], start
    for _ in range(MAX_CHAINS):
        sep = _CHAIN_SEP.search(text, lead - 8 if lead > 8 else 0, lead)
        if not sep:
            break
        more, lead2 = _chain_before(text, sep.start())
        if not more or lead2 >= sep.start():
            break
        pts, lead = more + pts, lead2
    return pts, lead


def _chain_before(text: str, start: int) -> tuple[list[Pinpoint], int]:
    """One chain of provisions ending right before `start` ("điểm a khoản 2 Điều 3"), and where it begins."""
    if not _may_end_a_chain(text, start) or not _ends_like_a_chain(text, start):
        return [], start
    lo = start - WINDOW if start > WINDOW else 0
    window = text[lo:start]
    stop = _NOT_IN_CHAIN.search(window[::-1])
    # the chain can only start at one of these words, after the last character no chain holds: try them left to
    # right (leftmost = longest)
    m = None
    for c in _START.finditer(window, len(window) - stop.start() if stop else 0):
        if c.start() and _WORD_CHAR.match(window, c.start() - 1):
            continue
        m = _CHAIN.match(window, c.start())
        if m:
            break
    if not m:
        return [], start
    pts: list[Pinpoint] = []
    if m.group("chponly"):
        for c in _items(m.group("chponly"), "roman"):
            pts.append(Pinpoint(chapter=c))
        return pts, lo + m.start("chain")
    arts = _expand_range(m.group("artrange")) if m.group("artrange") else _items(m.group("art"), "num")
    cls = _items(m.group("cl"), "num")
    pnts = [p.lower() for p in _items(m.group("pt"), "pt")]
    chapter = m.group("chp")
    for a in arts:
        # clauses and points belong to the first (smallest) article named after them
        if a is arts[0] and cls:
            for c in cls:
                if c is cls[0] and pnts:
                    for p in pnts:
                        pts.append(Pinpoint(article=a, clause=c, point=p, chapter=chapter))
                else:
                    pts.append(Pinpoint(article=a, clause=c, chapter=chapter))
        else:
            pts.append(Pinpoint(article=a, chapter=chapter))
    return pts, lo + m.start("chain")
