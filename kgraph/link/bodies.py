"""Bodies: an issuer however text, a header or a number's codes name it → one canonical body.

`của Bộ trưởng Bộ Tài chính`, `UBND tỉnh Lạng Sơn`, the `BTC` in `12/2020/TT-BTC`: the names and codes
come from issuers.yaml (through `kgraph.knowledge.load`); a local body keeps its province or city.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kgraph.knowledge import fold, load
from kgraph.knowledge.header_vocabulary import alternation
from kgraph.link.keys import CODE_TERM, DEFAULT_BASE, WS, slug
from kgraph.numbers import is_party_number, number_codes


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The abbreviations written inside bodies' names (`UBND`, `HĐND`, ...), from issuers.yaml."""
    return tuple((re.compile(rf"\b{re.escape(a.short)}\b"), a.name) for a in load().abbreviations)


_POSITIONS = re.compile(load().header.before_body(), re.IGNORECASE)
_LOCAL = re.compile(r"\b(" + alternation(load().header.unit_words()) + r")\s+(.+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Body:
    """An issuing body: one canonical name; a local body keeps its province or city."""

    name: str
    family: str | None = None
    province: str | None = None

    @property
    def key(self) -> str:
        return fold(self.name)

    def iri(self, base: str = DEFAULT_BASE) -> str:
        return f"{base}org/{slug(self.name)}"


def _tidy(s: str) -> str:
    s = unicodedata.normalize("NFC", WS.sub(" ", s)).strip(" ,.;:")
    s = re.sub(r"^(?:của|bởi)\s+", "", s, flags=re.IGNORECASE)
    for rx, full in _abbreviations():
        s = rx.sub(full, s)
    return s.replace("Uỷ", "Ủy").replace("uỷ", "ủy")


@lru_cache(maxsize=16384)
def normalize_body(phrase: str) -> Body | None:
    """An issuer as text or a header writes it (`của Bộ trưởng Bộ Tài chính`, `UBND tỉnh Lạng Sơn`) → one body."""
    k = load()
    s = _tidy(phrase)
    if not s:
        return None
    for cand in (s, _POSITIONS.sub("", s)):
        i = k.issuer_by_name.get(fold(cand))
        if i is not None:
            return Body(name=i.name, family=i.family)
    s = _POSITIONS.sub("", s)
    if s.isupper():
        s = s.capitalize()
    s = s[0].upper() + s[1:]
    province = None
    m = _LOCAL.search(s)
    if m and re.match(r"^(?:ủy ban|hội đồng|tỉnh ủy|huyện ủy|thành ủy|ban|sở|đảng)", fold(s)):
        province = " ".join(w[:1].upper() + w[1:].lower() for w in m.group(2).strip().split(" "))
        place = m.group(1).lower()
        s = s[: m.start(1)] + place + " " + province
        family = "local"
    else:
        family = None
    return Body(name=s, family=family, province=province)


@lru_cache(maxsize=65536)
def bodies_of_number(number: str) -> tuple[Body, ...]:
    """The bodies a number's issuer codes name, when the code names one body only (not UBND, not TW)."""
    k = load()
    _, codes = number_codes(number)
    party = is_party_number(number)
    out: list[Body] = []
    for c in codes:
        m = CODE_TERM.fullmatch(c)
        base = m.group(1) if m and not k.issuer_by_code.get(c) else c
        entries = [i for i in k.issuers if i.code == base]
        if len(entries) != 1:
            continue
        i = entries[0]
        if i.family == "local":
            continue
        if party and i.party_name:
            out.append(Body(name=i.party_name, family="party"))
        elif not party or i.family == "party":
            out.append(Body(name=i.name, family=i.family))
    return tuple(out)


def body_of_named(name_key_: str) -> Body | None:
    """Laws, codes and the constitution are passed by the National Assembly, ordinances by its Standing Committee."""
    k = load()
    code = "UBTVQH" if name_key_.startswith("pháp lệnh") else "QH"
    i = k.issuer_by_code.get(code)
    return Body(name=i.name, family=i.family) if i else None
