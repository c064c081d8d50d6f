"""What is written beside a reference: its date ("ngày 24/5/2018") and issuer ("của Thủ tướng Chính phủ")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from functools import lru_cache

from kgraph.knowledge import Knowledge, fold, load
from kgraph.knowledge.header_vocabulary import alternation

_DATE_AFTER = re.compile(
    r"[ \t\r\n,(]{0,6}(?:được\s+|đã\s+)?(?:ban\s+hành\s+|ký\s+)?ngày\s{1,3}(\d{1,2})\s{0,3}"
    r"(?:tháng\s{1,3}(\d{1,2})\s{1,3}năm\s{1,3}(\d{4})|[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4}))",
)
_DATE_ANY = re.compile(
    r"(\d{1,2})\s{0,3}(?:tháng\s{1,3}(\d{1,2})\s{1,3}năm\s{1,3}(\d{4})|[/.\-](\d{1,2})[/.\-](\d{4}))"
)
_YEAR_AFTER = re.compile(r"[ \t\r\n,(]{0,3}(?:năm\s{1,3})?((?:19|20)\d\d)(?![\d/])")
_NUMBER_AFTER = re.compile(r"[ \t\r\n,]{0,3}(?:số|Số)\s{0,3}:?\s{0,2}(?=\d)")

_PLACE = re.compile(
    r"\s{1,3}((?:" + alternation(load().header.unit_words()) + r")\s{1,3}"
    r"[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ][\wÀ-ỹ]*(?:\s[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ][\wÀ-ỹ]*){0,3})"
)


@lru_cache(maxsize=1)
def _local_issuers() -> frozenset[str]:
    return frozenset(i.name for i in load().issuers if i.family == "local")


def iso_date(day: str, month: str, year: str) -> str | None:
    """ISO date from parts, or None when the parts are not a calendar date."""
    try:
        return _date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


@dataclass(slots=True)
class Beside:
    date: str | None = None
    issuer: str | None = None
    end: int = 0  # where the date/issuer phrase ends (for spans of named references and aliases)


def date_after(text: str, pos: int) -> tuple[str | None, int]:
    """A date written right after `pos` ("ngày 24 tháng 5 năm 2018", "ngày 24/5/2018")."""
    m = _DATE_AFTER.match(text, pos, pos + 60)
    if not m:
        return None, pos
    if m.group(3):
        return iso_date(m.group(1), m.group(2), m.group(3)), m.end()
    return iso_date(m.group(1), m.group(4), m.group(5)), m.end()


def year_after(text: str, pos: int) -> tuple[int | None, int]:
    """A bare year after a name: "năm 2015", "2015"."""
    m = _YEAR_AFTER.match(text, pos, pos + 12)
    if not m:
        return None, pos
    return int(m.group(1)), m.end()


def number_follows(text: str, pos: int) -> int | None:
    """Where a number starts if "số ..." follows `pos` ("Luật Đầu tư số 61/2020/QH14")."""
    m = _NUMBER_AFTER.match(text, pos, pos + 12)
    return m.end() if m else None


def _levenshtein_at_most_1(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = 0
    edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


@lru_cache(maxsize=1)
def _issuer_index() -> tuple[re.Pattern, dict[str, str], list[tuple[str, str, int]]]:
    k: Knowledge = load()
    names: dict[str, str] = {}
    for i in k.issuers:
        for n in (i.name, *i.aliases):
            names.setdefault(fold(n), i.name)
    alts = sorted(names, key=len, reverse=True)
    pat = re.compile(
        r"[ \t\r\n,]{0,3}của\s{1,3}(" + "|".join(re.escape(a).replace(r"\ ", r"\s{1,3}") for a in alts) + r")(?!\w)",
        re.IGNORECASE,
    )
    # for misspelt names ("Banh Chấp hành Trung ương"): multi-word names with their word counts
    fuzzy = [(a, names[a], a.count(" ") + 1) for a in alts if a.count(" ") >= 2]
    return pat, names, fuzzy


_WORDS_AFTER_CUA = re.compile(r"[ \t\r\n,]{0,3}của\s{1,3}((?:[\wÀ-ỹ]+\s{1,3}){0,7}[\wÀ-ỹ]+)")


def issuer_after(text: str, pos: int) -> tuple[str | None, int]:
    """The issuer in a "của ..." phrase right after `pos`, as the knowledge tables name it."""
    pat, names, fuzzy = _issuer_index()
    m = pat.match(text, pos, pos + 120)
    if m:
        name = names[fold(re.sub(r"\s+", " ", m.group(1)))]
        end = m.end()
        if name in _local_issuers():  # a local body takes its province or district from the text
            p = _PLACE.match(text, end)
            if p:
                return name + " " + " ".join(p.group(1).split()), p.end()
        return name, end
    w = _WORDS_AFTER_CUA.match(text, pos, pos + 120)
    if not w:
        return None, pos
    words = fold(w.group(1)).split()
    for alias, name, n in fuzzy:
        if len(words) >= n and _levenshtein_at_most_1(" ".join(words[:n]), alias):
            # find where the n-th word ends
            end = w.start(1)
            seen = 0
            for mm in re.finditer(r"\S+", text[w.start(1) : w.end(1)]):
                seen += 1
                if seen == n:
                    end = w.start(1) + mm.end()
                    break
            return name, end
    return None, pos


def beside(text: str, pos: int) -> Beside:
    """Date then issuer (or issuer then date) written right after a reference ending at `pos`."""
    d, p = date_after(text, pos)
    i, p2 = issuer_after(text, p)
    if i and not d:
        d, p3 = date_after(text, p2)
        if d:
            p2 = p3
    return Beside(date=d, issuer=i, end=max(p, p2))
