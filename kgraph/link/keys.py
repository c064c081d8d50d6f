"""Instrument keys: one identity per instrument, however a number or a law's name is written.

The same decree cited by forty documents must be one node, so every reference and every corpus
document is reduced to an `InstrumentKey`:

* numbered instruments by their normalised number (`163/2016/NĐ-CP`); a number that carries no
  year (`13/CT-TTg`, `11-NQ/TW`) is repeated every year, so its key adds the year from the citation's
  date, and stays "year unknown" when there is none (a distinct node, never merged by guess);
* instruments cited by name (laws, codes, ordinances, the constitution) by their normalised name
  and year, and by number once any citation in the corpus gives name and number together
  (`kgraph.link.corpus.Resolver`, the corpus-level pass);
* a corpus document with no number by the hash of its content.

Keys map to IRIs under a base the user chooses. Nothing here reads RDF: `kgraph.graph` writes triples
from the resolved model (`kgraph.link.resolved`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kgraph.knowledge import DocType, code_key, fold, load
from kgraph.numbers import is_party_number, normalize_number, number_codes, year_of_number

#: Where instrument, body and person IRIs live unless the user sets `--base`.
DEFAULT_BASE = "https://kgraph.example/id/"

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"
DASH_RE = re.compile("[" + DASHES + "]")
WS = re.compile(r"\s+")
TOKEN = re.compile(r"([/-])")
CODE_TERM = re.compile(r"([^\W\d_]+)(\d+)")


# --------------------------------------------------------------------------- numbers and years


def loose(s: str) -> str:
    """The folded form used for lookups of what users type (`163/2016/nd-cp` for any spelling)."""
    return code_key(normalize_number(s))


#: Years a citation can plausibly give; others (OCR slips like 2205) are treated as unknown.
YEARS = range(1900, 2101)


def plausible_year(y: int | None) -> int | None:
    return y if y is not None and y in YEARS else None


def year_of_date(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return plausible_year(int(date[:4]))
    return None


# --------------------------------------------------------------------------- names


@lru_cache(maxsize=1)
def _named_prefixes() -> tuple[str, ...]:
    """Type words of instruments cited by name (doc_types.yaml `cited_by_name`), longest first (Bộ luật before Luật)."""
    words = {fold(n) for t in load().types if t.cited_by_name for n in t.names}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


_NAME_NOISE = [
    re.compile(r"\s+(?:số|số hiệu)\s*:?\s*\S+$"),
    re.compile(r",?\s+(?:ngày\s+\d.*|năm\s+\d{4}|\(?\d{4}\)?)$"),
    re.compile(r"\s+(?:của\s+)?nước\s+cộng\s+hòa\s+xã\s+hội\s+chủ\s+nghĩa\s+việt\s+nam$"),
    re.compile(r"\s+việt\s+nam$"),
]


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A law's name folded for identity: case, spacing, tone-mark style, a trailing year or country dropped.

    `Bộ Luật Hàng hải Việt Nam 2015` and `Bộ luật hàng hải` give the same key; the year is kept apart.
    """
    s = fold(WS.sub(" ", name).strip(" .,;:\"'“”"))
    for _ in range(2):
        for rx in _NAME_NOISE:
            s = rx.sub("", s)
    s = re.sub(r"(?<=[^\W\d_])\d+$", "", s)  # a footnote mark glued to the last word (nghề nghiệp1)
    return " ".join(re.findall(r"[^\W_]+", s))  # words only: punctuation never splits one law in two


def named_type(name: str) -> DocType | None:
    """The type a law's name starts with (`Bộ luật Dân sự` → Bộ luật)."""
    f = fold(name)
    for prefix in _named_prefixes():
        if f.startswith(prefix + " ") or f == prefix:
            return doc_type_for(None, prefix)
    return None


def is_named_type(name: str | None) -> bool:
    """Whether a type word names instruments cited by name (Luật, Bộ luật, Pháp lệnh, Hiến pháp)."""
    if not name:
        return False
    f = fold(name)
    return any(f.startswith(p + " ") or f == p for p in _named_prefixes())


@lru_cache(maxsize=65536)
def slug(s: str) -> str:
    """A readable path segment: folded, words joined by '-', Vietnamese letters kept.

    Dropping the diacritics would merge different names (Thưởng and Thương), so they stay: IRIs allow them.
    """
    return re.sub(r"[\W_]+", "-", fold(s)).strip("-") or "x"


def iri_segment(s: str) -> str:
    """A path segment that keeps letters (Vietnamese ones too, IRIs allow them) and percent-encodes the rest."""
    out = []
    for ch in s:
        if ch.isalnum() or ch in "-_.~":
            out.append(ch)
        elif ch == "/":
            out.append("_")
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


# --------------------------------------------------------------------------- instruments


@lru_cache(maxsize=4096)
def doc_type_for(code: str | None, name: str | None) -> DocType | None:
    """The knowledge entry for a type code or word; a bare word prefers the entry without a code (Công văn)."""
    k = load()
    if code:
        t = k.doc_type(code=code)
        if t is not None:
            return t
    if name:
        f = fold(name)
        matches = [t for t in k.types if any(fold(n) == f for n in t.names)]
        if matches:
            uncoded = [t for t in matches if t.code is None]
            return (uncoded or matches)[0]
    return None


@dataclass(frozen=True, slots=True)
class InstrumentKey:
    """The identity of one instrument. Exactly one of `number`, `name_key`, `file_hash` is set."""

    number: str | None = None
    year: int | None = None  # for yearless numbers and names; None = unknown
    name_key: str | None = None
    file_hash: str | None = None
    #: for local numbers only (`is_local_number`): the issuing body's slug, or UNRESOLVED_ISSUER
    issuer: str | None = None

    @property
    def year_in_number(self) -> bool:
        return self.number is not None and year_of_number(self.number) is not None

    @property
    def year_unknown(self) -> bool:
        return self.file_hash is None and not self.year_in_number and self.year is None

    def path(self) -> str:
        """The IRI path under the base: `doc/163_2016_NĐ-CP`, `doc/13_CT-TTg/2018`, `law/luat-dat-dai/year-unknown`."""
        if self.number is not None:
            p = "doc/" + iri_segment(self.number)
            if not self.year_in_number:
                p += f"/{self.year}" if self.year else "/year-unknown"
            if self.issuer is not None:
                p += "/" + iri_segment(self.issuer)
            return p
        if self.name_key is not None:
            return f"law/{slug(self.name_key)}/{self.year or 'year-unknown'}"
        return f"file/{self.file_hash}"

    def iri(self, base: str = DEFAULT_BASE) -> str:
        return base + self.path()

    def text(self) -> str:
        """A readable form, and the sort key that makes outputs deterministic."""
        if self.number is not None:
            t = self.number if self.year_in_number else f"{self.number} ({self.year or '?'})"
            return t if self.issuer is None else f"{t} [{self.issuer}]"
        if self.name_key is not None:
            return f"{self.name_key} ({self.year or '?'})"
        return f"file {self.file_hash}"

    def to_list(self) -> list[Any]:
        return [self.number, self.year, self.name_key, self.file_hash, self.issuer]

    @classmethod
    def from_list(cls, v: list[Any]) -> "InstrumentKey":
        return cls(number=v[0], year=v[1], name_key=v[2], file_hash=v[3], issuer=v[4] if len(v) > 4 else None)


#: The issuer part of a local number's key when the text does not say which body issued it: a node of its
#: own, never merged with any province's document of that number.
UNRESOLVED_ISSUER = "issuer-unknown"


@lru_cache(maxsize=65536)
def is_local_number(number: str) -> bool:
    """Whether a normalised number is unique only per issuing body (issuers.yaml `local_numbers`): no year
    segment, not a Party number, and a local body's code (`2828/QĐ-UBND`, `5095/SGDĐT-CTTT`; not `13/CT-TTg`)."""
    if year_of_number(number) is not None or is_party_number(number):
        return False
    k = load()
    _type, codes = number_codes(number)
    if not codes:
        return False
    first = re.sub(r"\d+$", "", codes[0])
    i = k.issuer_by_code.get(first) or k.issuer_by_code.get(code_key(first))
    if i is not None:
        return i.family == "local"
    return re.match(k.local_numbers.get("code_pattern") or r"(?!)", first) is not None


@lru_cache(maxsize=1)
def _generic_local_names() -> frozenset[str]:
    """Bodies named without a place (`Ủy ban nhân dân`, `UBND`): they do not say which province."""
    return frozenset(fold(n) for i in load().issuers if i.family == "local" for n in (i.name, *i.aliases))


def issuer_part(issuer: str | None) -> str:
    """The issuer segment of a local number's key: the body folded, or UNRESOLVED_ISSUER when it names no place."""
    if not issuer or fold(WS.sub(" ", issuer).strip()) in _generic_local_names():
        return UNRESOLVED_ISSUER
    return slug(issuer)


def numbered_key(number: str, year: int | None, issuer: str | None = None) -> InstrumentKey:
    """A number's key; a local number's also names its issuer (`issuer` as the text or header gives it)."""
    n = normalize_number(number)
    return InstrumentKey(
        number=n,
        year=None if year_of_number(n) else year,
        issuer=issuer_part(issuer) if is_local_number(n) else None,
    )
