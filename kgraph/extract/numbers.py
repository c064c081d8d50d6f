"""Numbers and symbols ("số, ký hiệu"): the shapes of every numbering family, and their normal form.

The shapes come from numbering.md; which codes mean which type or issuer comes from the knowledge
tables. Patterns allow what real text does (spaces and a line break around separators, any dash,
mixed case) but are linear: no nested quantifiers, bounded repeats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kgraph.extract.normalize import DASH_CLASS, squash, unify_dashes
from kgraph.knowledge import Knowledge, load

_S = r"[ \t]{0,2}(?:\r?\n[ \t]{0,2})?"  # a little space, at most one line break
_D = DASH_CLASS + r"(?:\r?\n)?"  # a dash between codes (a wrap may follow it)
_DN = r"[ \t]?" + DASH_CLASS + _S  # the dash after a Party number: `05- NQ/TW`
_SL = _S + "/" + _S
_NUM = r"\d{1,5}(?:[ ]?[a-zA-Z](?![a-zA-Z]))?"  # 30a, `08 a`
_YEAR = r"\d{3,4}"  # four digits; three in real typos (`139/009/TT-BTC`), read as an unknown year
_NUMREST = r"\d{0,4}(?:[ ]?[a-zA-Z](?![a-zA-Z]))?"  # after the first digit: `163`, `30a`, `08 a`
_CODE = r"[A-ZĐ][A-ZĐa-zđ0-9]{0,14}"  # codes start upper case: NĐ, TTg, CTr, QyĐ

#: One pattern per family; the group names say which family matched. The pattern starts with a
#: digit (so the engine skips ahead fast) and then checks that no word or number runs into it.
NUMBER_PATTERN = (
    r"\d(?:(?<=số\d)|(?<=Số\d)|(?<![\w/.,-]\d))(?:"
    # N/YYYY/CODE[-CODE...]: state normative, laws, joint documents (`/` between codes in old typing)
    rf"(?P<state>{_NUMREST}{_SL}{_YEAR}{_SL}{_CODE}(?:(?:{_D}|/){_CODE}){{0,7}})"
    # N-CODE/CODE[-CODE]: Party documents
    rf"|(?P<party>{_NUMREST}{_DN}{_CODE}{_SL}{_CODE}(?:{_D}{_CODE}){{0,3}})"
    # N/CODE-CODE[-CODE...]: administrative documents, letters, consolidated texts
    rf"|(?P<admin>{_NUMREST}{_SL}{_CODE}(?:{_D}{_CODE}){{1,5}})"
    # N-CP, N/CP, N/HĐBT: before about 2000 (only after a type word or "số", checked by the caller)
    rf"|(?P<old>{_NUMREST}(?:{_D}|/){_CODE})"
    r")(?![\w/-])"
)

#: A form's blank number, `số …/2016/NĐ-CP` or `số/2014/TT-NHNN`: a reference with no number.
BLANK_NUMBER_PATTERN = (
    rf"ố(?<=[sS]ố)[ \t]{{0,3}}(?P<blank>(?P<num>[.…_]{{0,10}}){_SL}{_YEAR}{_SL}{_CODE}(?:(?:{_D}|/){_CODE}){{0,7}})(?![\w/-])"
)

_YEAR_IN = re.compile(r"/((?:19|20)\d\d)/")

#: After a type word, older and looser shapes: `105 TC/ĐT`, `1141 TC/QĐ/CĐKT`, `150 CP`, or a bare
#: ordinal (`Nghị định 54`, a short form bound later).
LOOSE_AFTER_TYPE = (
    r"(?P<num>\d{1,5}[a-zA-Z]?(?:[ \t]?" + DASH_CLASS + r"?[ \t]?[A-ZĐ][A-ZĐa-zđ0-9]{0,12}"
    r"(?:[/" + DASH_CLASS[1:-1] + r"][A-ZĐ][A-ZĐa-zđ0-9]{0,12}){0,4})?)(?![\w/])"
)
_SPLIT = re.compile(r"([/-])")


@dataclass(slots=True)
class NumberParts:
    """A normalised number with what its codes say."""

    number: str
    family: str  # state | party | admin | old
    type_code: str | None
    issuer_codes: list[str]
    year: int | None


def year_of_number(number: str) -> int | None:
    m = _YEAR_IN.search(number)
    return int(m.group(1)) if m else None


def _canon_code(code: str, k: Knowledge) -> str:
    """A code as the tables spell it (ND → NĐ, ttg → TTg), or as written when unknown."""
    t = k.doc_type(code=code)
    if t and t.code and (t.code == code or t.code.casefold().replace("đ", "d") == code.casefold().replace("đ", "d")):
        return t.code
    i = k.issuer_by_code.get(code)
    if i:
        return i.code
    from kgraph.knowledge import code_key

    i = k.issuer_by_code.get(code_key(code))
    if i:
        return i.code
    # Codes ending in a term number (QH13, UBTVQH14): canonicalise the letters.
    m = re.fullmatch(r"([A-Za-zĐđ]+)(\d+)", code)
    if m:
        i = k.issuer_by_code.get(code_key(m.group(1)))
        if i:
            return i.code + m.group(2)
    return code


def parse_number(raw: str, family: str, k: Knowledge | None = None) -> NumberParts:
    """Normalise a matched number (NFC, one dash, no spaces, canonical codes) and read its codes."""
    p = _parse_cached(raw, family)
    return NumberParts(p.number, p.family, p.type_code, list(p.issuer_codes), p.year)


@lru_cache(maxsize=65536)
def _parse_cached(raw: str, family: str) -> NumberParts:
    """Numbers repeat (a decree cited forty times): parse each spelling once."""
    k = load()
    s = unify_dashes(squash(raw))
    pieces = _SPLIT.split(s)
    # pieces alternate token, separator, token ...; the first token is the ordinal number
    tokens = pieces[0::2]
    seps = pieces[1::2]
    head, codes = tokens[0], tokens[1:]
    year = None
    if family == "state" and codes and codes[0].isdigit() and len(codes[0]) == 4:
        year = int(codes[0])
    canon = [c if c.isdigit() else _canon_code(c, k) for c in codes]
    if family == "state":
        seps = seps[:2] + ["-"] * (len(seps) - 2)  # `TTLT/BTC-KHCN` → `TTLT-BTC-KHCN`
    out = head
    for sep, c in zip(seps, canon):
        out += sep + c
    letter_codes = [c for c in canon if not c.isdigit()]
    type_code = None
    issuers: list[str] = []
    if family == "party":
        # N-TYPE/ISSUER[-UNIT]
        type_code = letter_codes[0] if letter_codes else None
        issuers = letter_codes[1:]
    elif family in ("state", "admin"):
        first = letter_codes[0] if letter_codes else None
        if first and k.doc_type(code=first) and len(letter_codes) > 1:
            type_code = k.doc_type(code=first).code
            issuers = letter_codes[1:]
        else:
            issuers = letter_codes  # laws (QH13) and letters (BKHĐT-TH) carry no type code
    else:
        issuers = letter_codes
    return NumberParts(number=out, family=family, type_code=type_code, issuer_codes=issuers, year=year)


def normalize_number(raw: str) -> str:
    """The normal form of a number as a user or a text writes it (for identity and lookups)."""
    m = _NUMBER_RE.fullmatch(raw.strip())
    if not m:
        return unify_dashes(squash(raw))
    return parse_number(raw.strip(), m.lastgroup or "admin").number


_NUMBER_RE = re.compile(NUMBER_PATTERN)
