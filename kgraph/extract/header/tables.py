"""Patterns built once from the knowledge tables: type words in headings and number lines, issuer
names and the proper names whose capitals a sentence-cased title keeps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kgraph.extract.normalize import DASH_CLASS
from kgraph.knowledge import DocType, Knowledge, fold, load

#: Proper names that are neither a type nor an issuer but keep their capitals in a sentence-cased title.
_PROPER = ("Cộng hòa xã hội chủ nghĩa Việt Nam", "Việt Nam", "Hồ Chí Minh", "Hà Nội")
# Bounded repeats: a number has a few short parts, and no input can make these patterns backtrack far.
_NUM_BODY = r"\d[\w.]{0,12}(?:[ \t]{0,2}(?:/|" + DASH_CLASS + r")[ \t]{0,2}[\w.]{1,24}){0,8}"


@dataclass(frozen=True)
class Tables:
    k: Knowledge
    heading: re.Pattern  # a type word at the start of a folded line
    number_line: re.Pattern  # "Số: N" / "Luật số: N" on a line
    running_title: re.Pattern  # "Thông tư số N ngày ..." (a gazette continuation's running title)
    running_number: re.Pattern  # the number in such a line
    cite_start: re.Pattern  # a line opening with a cited document (Nghị định số 15/2019/NĐ-CP ngày ...)
    phrases: re.Pattern  # known proper names in folded text
    phrase_case: dict[str, str]
    issuer_names: tuple[str, ...]  # folded issuer names and aliases, longest first
    letter_type: DocType | None  # Công văn: an official letter, whose number has no type code
    consolidated_type: DocType | None  # Văn bản hợp nhất: the type doc_types.yaml gives family "consolidated"


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def tables() -> Tables:
    k = load()
    type_names = [n for t in k.types for n in t.names]
    folded_types = [fold(n) for n in type_names]
    heading = re.compile(r"(?P<word>" + _alt(folded_types) + r")\d{0,2}(?:\s+(?P<rest>\S.*))?")
    words = _alt(type_names)
    number_line = re.compile(
        # "Số: N", and "Số N" when the number ends the line (Party documents: Số 221-KL/TW)
        r"(?:^|(?<=\s))(?:(?:" + words + r")[ \t]+)?S[ốỐ](?:[ \t]*:+|(?=[ \t]+\d[^\s:]*[ \t]*$))[ \t]*"
        r"(?P<num>" + _NUM_BODY + r")", re.I
    )
    running_title = re.compile(
        r"(?P<word>" + words + r")[ \t]+số[ \t]+(?P<num>" + _NUM_BODY + r")"
        r"(?:[ \t]+ngày[ \t]+(?P<d>\d{1,2})[ \t]+tháng[ \t]+(?P<m>\d{1,2})[ \t]+năm[ \t]+(?P<y>\d{4}))?"
        r"(?P<rest>.*)"
    )
    cite_start = re.compile(r"(?:" + words + r")\b[^\n]{0,80}?\bsố\s+\d")
    running_number = re.compile(r"(?P<word>" + words + r")[ \t]+số[ \t]+(?P<num>" + _NUM_BODY + r")")
    case: dict[str, str] = {}
    for i in k.issuers:
        case.setdefault(fold(i.name), i.name)
    for i in k.issuers:
        for a in i.aliases:
            case.setdefault(fold(a), a)
    for p in _PROPER:
        case.setdefault(fold(p), p)
    phrases = re.compile(r"(?<!\w)(?:" + _alt(list(case)) + r")(?!\w)")
    names = tuple(sorted({fold(i.name) for i in k.issuers} | {fold(a) for i in k.issuers for a in i.aliases},
                         key=len, reverse=True))
    letter = k.untyped_number_type
    consolidated = next((t for t in k.types if t.family == "consolidated"), None)
    return Tables(k, heading, number_line, running_title, running_number, cite_start, phrases, case, names, letter,
                  consolidated)
