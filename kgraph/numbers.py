"""Document numbers ("số, ký hiệu"): their shapes, their normal form and what their codes say.

The one place that knows a number: the extractor finds numbers with `NUMBER_PATTERN` and reads them
with `parse_number`; resolution, the graph, the query resolver and the evaluation key them with
`normalize_number`; everyone reads the year and the codes with `year_of_number` and `number_codes`.

The shapes come from numbering.md; which codes mean which type or issuer comes from the knowledge
tables. Patterns allow what real text does (spaces and a line break around separators, any dash,
mixed case) but are linear: no nested quantifiers, bounded repeats.

This module sits at the bottom of the house: it imports only the standard library and
`kgraph.knowledge`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kgraph.knowledge import Knowledge, code_key, load

#: Every dash that real documents put inside numbers: ASCII, U+2010–2015, minus sign, full-width.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"
DASH_CLASS = "[" + re.escape(DASHES) + "]"
_DASH_RE = re.compile(DASH_CLASS)
_WS = re.compile(r"\s+")


def unify_dashes(s: str) -> str:
    """Every dash as ASCII `-`."""
    return _DASH_RE.sub("-", s)


def squash(s: str) -> str:
    """Remove all white space (numbers wrapped across lines, `05- NQ/TW`)."""
    return _WS.sub("", s)


def dj_for_eth(s: str) -> str:
    """``Ð`` (U+00D0) read as ``Đ`` (and ``ð`` as ``đ``): same length, so offsets are unchanged. Icelandic eth
    is what some Vietnamese fonts and converters put for Đ/đ (str.replace: C speed). Here, not in
    kgraph.extract.normalize, so the user-input parser (`kg query`) can use it without loading the extractor."""
    if "\u00d0" in s:
        s = s.replace("\u00d0", "Đ")
    return s.replace("\u00f0", "đ") if "\u00f0" in s else s


# --------------------------------------------------------------------------- shapes

_S = r"[ \t]{0,2}(?:\r?\n[ \t]{0,2})?"  # a little space, at most one line break
# a dash between codes: a wrap may follow it, a stray space beside it (71/NQ -CP, TT- BTC)
_D = r"[ \t]?" + DASH_CLASS + r"(?:[ \t]{0,2}\r?\n[ \t]{0,2}|[ \t])?"
_DN = r"[ \t]?" + DASH_CLASS + _S  # the dash after a Party number: `05- NQ/TW`
_SL = _S + "/" + _S
_YEAR = r"\d{3,4}"  # four digits; three in real typos (`139/009/TT-BTC`), read as an unknown year
_NUMREST = r"\d{0,4}(?:[ ]?[a-zA-Z](?![a-zA-Z]))?"  # after the first digit: `163`, `30a`, `08 a`
# codes start upper case: NĐ, TTg, CTr, QyĐ, UBTƯMTTQVN; local units join two with "&" (BNN&MT, QLN& TTBĐS)
_CODE = r"[A-ZĐ][A-ZĐƯƠa-zđ0-9]{0,14}(?:[ \t]?&[ \t]?[A-ZĐ][A-ZĐƯƠa-zđ0-9]{0,12})?"

#: One pattern per family; the group names say which family matched. The pattern starts with a
#: digit (so the engine skips ahead fast) and then checks that no word or number runs into it.
NUMBER_PATTERN = (
    r"\d(?:(?<=số\d)|(?<=Số\d)|(?<![\w/.,-]\d))(?:"
    # N/YYYY/CODE[-CODE...]: state normative, laws, joint documents (`/` between codes in old typing)
    # (a Government resolution's dotted ordinal, `66.13/2026/NQ-CP`, is one number)
    rf"(?P<state>{_NUMREST}(?:\.\d{{1,3}})?{_SL}{_YEAR}{_SL}{_CODE}(?:(?:{_D}|/){_CODE}){{0,7}})"
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

#: After a type word, older and looser shapes: `105 TC/ĐT`, `1141 TC/QĐ/CĐKT`, `150 CP`, or a bare
#: ordinal (`Nghị định 54`, a short form bound later).
LOOSE_AFTER_TYPE = (
    r"(?P<num>\d{1,5}[a-zA-Z]?(?:[ \t]?" + DASH_CLASS + r"?[ \t]?[A-ZĐ][A-ZĐa-zđ0-9]{0,12}"
    r"(?:[/" + DASH_CLASS[1:-1] + r"][A-ZĐ][A-ZĐa-zđ0-9]{0,12}){0,4})?)(?![\w/])"
)

_SPLIT = re.compile(r"([/-])")
_CODE_TERM = re.compile(r"([^\W\d_]+)(\d+)")
_YEAR_IN_NUMBER = re.compile(r"^\d[\d.]*[a-zA-Z]?/((?:19|20)\d\d)/")  # 66.16/2026/NQ-CP: dotted ordinals too
_PARTY = re.compile(r"^\d+[a-zA-Z]?-[^\W\d_]+/")
_STATE_HEAD = re.compile(r"\d+[a-zA-Z]?/\d{3,4}/")  # N/YYYY/: the codes after it are joined by dashes


def number_family(number: str) -> str:
    """The family of a number read outside running text (a header's "Số:" line): state, party, admin or old.

    Looser than `NUMBER_PATTERN` (dotted ordinals such as `66.16/2026/NQ-CP` are state numbers).
    """
    s = unify_dashes(number)
    if re.match(r"\d[\d.]*[a-zA-Z]?/(?:19|20)\d\d/", s):
        return "state"
    if re.match(r"\d[\d.]*[a-zA-Z]?-[^/]+/", s):
        return "party"
    if "/" in s:
        return "admin"
    return "old"


# --------------------------------------------------------------------------- normal form


def canonical_code(code: str, k: Knowledge | None = None) -> str:
    """A code as the tables spell it (ND → NĐ, ttg → TTg, qh13 → QH13), or as written when unknown.

    Exact spellings win before folded ones, so `HD` (hướng dẫn) and `HĐ` (hợp đồng) stay apart.
    """
    if not code or code.isdigit():
        return code
    k = k or load()
    for table in (k.type_by_code, k.issuer_by_code):
        hit = table.get(code)
        if hit is not None and hit.code == code:
            return code
    t = k.type_by_code.get(code_key(code))
    if t is not None and t.code:
        return t.code
    i = k.issuer_by_code.get(code_key(code))
    if i is not None:
        return i.code
    m = _CODE_TERM.fullmatch(code)  # codes ending in a term number (QH13, UBTVQH14): canonical letters
    if m:
        i = k.issuer_by_code.get(code_key(m.group(1)))
        if i is not None:
            return i.code + m.group(2)
    return code


@lru_cache(maxsize=65536)
def normalize_number(raw: str) -> str:
    """The normal form of a number however it is written: NFC, one dash, no spaces, codes as the tables spell them.

    What identity keys, lookups of what users type and the evaluation compare; for a number the
    extractor matched it equals `parse_number(...).number` (so `01/2016/TTLT/BTC-KHCN` typed by a
    user meets the `01/2016/TTLT-BTC-KHCN` the extractor wrote). It sees only the number, never the
    text around it, so offsets are not its business.
    """
    s = unicodedata.normalize("NFC", raw)
    s = unify_dashes(s)
    s = squash(s).strip(".,;:()[]")
    k = load()
    pieces = [p if p in "/-" else canonical_code(p, k) for p in _SPLIT.split(s)]
    if _STATE_HEAD.match(s):
        pieces[5::2] = ["-"] * len(pieces[5::2])  # as `parse_number`: `TTLT/BTC-KHCN` → `TTLT-BTC-KHCN`
    return "".join(pieces)


@dataclass(slots=True)
class NumberParts:
    """A normalised number with what its codes say."""

    number: str
    family: str  # state | party | admin | old
    type_code: str | None
    issuer_codes: list[str]
    year: int | None


def parse_number(raw: str, family: str | None = None, k: Knowledge | None = None) -> NumberParts:
    """Read a number the extractor matched: its normal form (as `normalize_number`, with the
    codes of a joint state number joined by dashes, `TTLT/BTC-KHCN` → `TTLT-BTC-KHCN`), type code,
    issuer codes and year. `family` is the `NUMBER_PATTERN` group that matched, else `number_family`."""
    p = _parse_cached(raw, family or number_family(raw))
    return NumberParts(p.number, p.family, p.type_code, list(p.issuer_codes), p.year)


def number_parts(raw: str, family: str) -> NumberParts:
    """`parse_number(raw, family)` as kept in its cache: one record shared by every call, for a caller that only
    reads it (the extractor's finder: a new record and list per number was a tenth of its time on dense numbers)."""
    return _parse_cached(raw, family)


@lru_cache(maxsize=4096)
def _canonical_loaded(code: str) -> str:
    """`canonical_code` with the loaded tables: a few codes (NĐ, CP, QH13) recur in every distinct number."""
    return canonical_code(code, load())


#: a state number written plainly (no space, only ASCII dashes): N/YYYY/CODES, read by its codes (`_state_codes`)
_STATE_PLAIN = re.compile(r"([0-9]{1,4}[a-zA-Z]?(?:\.[0-9]{1,3})?)/([0-9]{3,4})/([^\s/" + re.escape(DASHES) + r"]+(?:[/-][^\s/"
                          + re.escape(DASHES) + r"]+)*)")


@lru_cache(maxsize=65536)
def _parse_cached(raw: str, family: str) -> NumberParts:
    """Numbers repeat (a decree cited forty times): parse each spelling once.

    A plain state number is its ordinal and year with codes read once per spelling of the codes: distinct numbers
    of one issuer (thousands a MB in a list of repealed decrees, issue 14) share "NĐ-CP"."""
    if family == "state":
        m = _STATE_PLAIN.fullmatch(raw)
        if m is not None:
            head, year, codes = m.groups()
            joined, type_code, issuers = _state_codes(codes)
            return NumberParts(number=f"{head}/{year}/{joined}", family=family, type_code=type_code,
                               issuer_codes=list(issuers), year=int(year) if len(year) == 4 else None)
    return _parse(raw, family)


@lru_cache(maxsize=4096)
def _state_codes(codes: str) -> tuple[str, str | None, tuple[str, ...]]:
    """The codes after a plain state number's year, as `_parse` reads them: joined by dashes, the type code and
    the issuers' codes."""
    p = _parse("0/0000/" + codes, "state")
    return p.number[len("0/0000/") :], p.type_code, tuple(p.issuer_codes)


def _parse(raw: str, family: str) -> NumberParts:
    """`parse_number` of `raw` in `family`, uncached."""
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
    canon = [c if c.isdigit() else _canonical_loaded(c) for c in codes]
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


# --------------------------------------------------------------------------- what a number says


def year_of_number(number: str) -> int | None:
    """The year written inside a normalised number (`163/2016/NĐ-CP` → 2016), else None."""
    m = _YEAR_IN_NUMBER.match(number)
    return int(m.group(1)) if m else None


def is_party_number(number: str) -> bool:
    """Party numbers put a hyphen before the type code: `11-NQ/TW` (their issuer codes mean Party bodies)."""
    return bool(_PARTY.match(number))


def number_codes(number: str) -> tuple[str | None, list[str]]:
    """The type code and the issuer codes inside a normalised number."""
    k = load()
    letters = [t for t in _SPLIT.split(number)[1:] if t and t not in "/-" and not t.isdigit()]
    if not letters:
        return None, []
    if is_party_number(number):
        return letters[0], letters[1:]
    first = letters[0]
    t = k.type_by_code.get(first)
    if t is not None and t.code == first and len(letters) > 1:
        return first, letters[1:]
    return None, letters


def issuer_of_codes(codes: list[str], party: bool, k: Knowledge | None = None) -> str | None:
    """The issuer a number's first issuer code names (Party sense when `party`), unless the code is
    ambiguous (TW) or unknown."""
    k = k or load()
    for c in codes:
        base = c.rstrip("0123456789")  # a term suffix (QH15) is not part of the code
        i = k.issuer_by_code.get(base) or k.issuer_by_code.get(code_key(base))
        if i is not None:
            if i.ambiguous:
                return None
            return i.party_name if (party and i.party_name) else i.name
        return None
    return None


_STEM = re.compile(r"[^/]+/\d{3,4}/")


def number_stem(number_key: str) -> str | None:
    """`163/2016/` of `163/2016/nd-cp`: the serial and year a user types without the codes
    (`Nghị định 163/2016`). The graph writes it as a literal of its own (kg:numberStem), so that
    lookup is an index hit, not a scan of every number's prefix."""
    m = _STEM.match(number_key)
    return m.group(0) if m else None


#: The National Assembly's terms (khóa) by the years they sat: a law's number carries both, so a typo
#: (`67/2014/QH14` for the Investment Law of 2014) shows as a year outside its term.
QH_TERMS = {9: (1992, 1997), 10: (1997, 2002), 11: (2002, 2007), 12: (2007, 2011), 13: (2011, 2016),
            14: (2016, 2021), 15: (2021, 2026), 16: (2026, 2031)}
_QH_NUMBER = re.compile(r"^(\d+/(\d{4})/(?:UBTV)?QH)(\d+)$")


def term_mismatch(number: str) -> str | None:
    """The number with the term that fits its year, when the written term does not (else None):
    `67/2014/QH14` → `67/2014/QH13`; `45/2013/QH13` → None."""
    m = _QH_NUMBER.match(number)
    if not m:
        return None
    y, t = int(m.group(2)), int(m.group(3))
    if t not in QH_TERMS or QH_TERMS[t][0] <= y <= QH_TERMS[t][1]:
        return None
    fits = [k for k, (a, b) in QH_TERMS.items() if a <= y <= b]
    return m.group(1) + str(fits[0]) if len(fits) == 1 else None
