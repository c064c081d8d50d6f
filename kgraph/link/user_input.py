"""What users type for an instrument (a query argument) → an exact key, or what to look it up by.

`163/2016/NĐ-CP`, `Nghị định 163/2016`, `nd 163/2016/ND-CP`, `13/CT-TTg năm 2018`, `Luật Ngân sách nhà
nước 2015` or an IRI: the query layers (`kgraph.query`, the Cypher twins) bind what this returns as
parameters. Extracted short forms bound to their target are read back the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kgraph.knowledge import code_key, load
from kgraph.link.keys import (
    DASH_RE,
    DASHES,
    TOKEN,
    WS,
    InstrumentKey,
    doc_type_for,
    name_key,
    numbered_key,
)
from kgraph.numbers import dj_for_eth, normalize_number


@dataclass(frozen=True, slots=True)
class UserInstrument:
    """An instrument as a user typed it: an exact key when the input is complete, else a prefix to look up."""

    exact: InstrumentKey | None = None
    number_prefix: str | None = None  # folded (code_key) prefix of a number: `163/2016/nd-`
    number_loose: str | None = None  # folded full number for a yearless number typed without year
    name_key: str | None = None
    year: int | None = None
    iri: str | None = None
    #: words after a local number naming its issuer (`2828/QĐ-UBND Quảng Trị`): which province's node
    issuer_hint: str | None = None


_TYPE_WORD = re.compile(r"^(.*?)\s*(?:số\s*:?\s*)?(\d+[a-zA-Z]?(?:\s*[/\-" + DASHES + r"]\s*[\wĐđ]+)*)\s*(.*)$")
_YEAR_TAIL = re.compile(r"^(?:,?\s*(?:năm|year)?\s*\(?\s*((?:19|20)\d\d)\s*\)?)$", re.IGNORECASE)


def parse_user_instrument(text: str) -> UserInstrument | None:
    """Read `163/2016/NĐ-CP`, `Nghị định 163/2016`, `nd 163/2016/ND-CP`, `13/CT-TTg năm 2018`,
    `Luật Ngân sách nhà nước 2015` or an IRI into what to look up. None when nothing is recognisable."""
    s = dj_for_eth(unicodedata.normalize("NFC", WS.sub(" ", text)).strip())  # NÐ typed for NĐ
    if not s:
        return None
    if re.match(r"^<?https?://", s):
        return UserInstrument(iri=s.strip("<>"))
    m = _TYPE_WORD.match(s)
    if m and ("/" in m.group(2) or "-" in DASH_RE.sub("-", m.group(2))):
        word, number, tail = m.group(1).strip(), m.group(2), m.group(3).strip()
        year = None
        hint = None
        ym = _YEAR_TAIL.match(tail) if tail else None
        if not ym and tail:  # `2828/QĐ-UBND của UBND tỉnh Quảng Trị năm 2025`: issuer words, then maybe a year
            yt = re.search(r"\s*,?\s*(?:năm|year)?\s*\(?\s*((?:19|20)\d\d)\s*\)?$", tail, re.IGNORECASE)
            hint = (tail[: yt.start()] if yt else tail).strip(" ,") or None
            ym = _YEAR_TAIL.match(tail[yt.start():].strip()) if yt else None
        if ym:
            year = int(ym.group(1))
        t = doc_type_for(word, word) if word else None
        if t is None and word:
            t = load().doc_type(code=word.replace(" ", ""))
        n = normalize_number(number)
        parts = [p for p in TOKEN.split(n) if p and p not in "/-"]
        has_code = any(not p.isdigit() for p in parts[1:])
        if has_code:
            key = numbered_key(n, year)
            if key.issuer is not None:  # a local number: every body's node of it, narrowed by the hint
                return UserInstrument(number_loose=code_key(n), year=year, issuer_hint=hint)
            if key.year_in_number or year is not None:
                return UserInstrument(exact=key, year=year)
            return UserInstrument(number_loose=code_key(n), year=None)
        # `163/2016` with a type word: look the number up by prefix
        prefix = code_key(n) + "/"
        if t is not None and t.code:
            prefix += code_key(t.code) + "-"
        return UserInstrument(number_prefix=prefix, year=year)
    # a name, maybe with a year
    year = None
    ym = re.search(r"(?:năm\s+)?\(?((?:19|20)\d\d)\)?\s*$", s)
    if ym:
        year = int(ym.group(1))
    nk = name_key(s)
    if not nk:
        return None
    if year is not None:
        return UserInstrument(exact=InstrumentKey(name_key=nk, year=year), name_key=nk, year=year)
    return UserInstrument(name_key=nk)
