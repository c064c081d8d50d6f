"""Identity: one canonical key and IRI per instrument, body and person, however the text writes it.

The same decree cited by forty documents must be one node, so every reference and every corpus
document is reduced to an `InstrumentKey`:

* numbered instruments by their normalised number (`163/2016/NĐ-CP`); a number that carries no
  year (`13/CT-TTg`, `11-NQ/TW`) is repeated every year, so its key adds the year from the citation's
  date, and stays "year unknown" when there is none (a distinct node, never merged by guess);
* instruments cited by name (laws, codes, ordinances, the constitution) by their normalised name
  and year, and by number once any citation in the corpus gives name and number together
  (`Resolver`, the corpus-level pass);
* a corpus document with no number by the hash of its content.

Keys map to IRIs under a base the user chooses. Nothing here reads RDF: `kgraph.graph.rdf` turns
keys into triples.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from kgraph.knowledge import DocType, Knowledge, code_key, fold, load
from kgraph.knowledge.header_vocabulary import alternation
from kgraph.model import Document, Extraction, Reference
from kgraph.numbers import is_party_number, normalize_number, number_codes, year_of_number

#: Where instrument, body and person IRIs live unless the user sets `--base`.
DEFAULT_BASE = "https://kgraph.example/id/"

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"
_DASH_RE = re.compile("[" + _DASHES + "]")
_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"([/-])")
_CODE_TERM = re.compile(r"([^\W\d_]+)(\d+)")


# --------------------------------------------------------------------------- years

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
    s = fold(_WS.sub(" ", name).strip(" .,;:\"'“”"))
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
            return p
        if self.name_key is not None:
            return f"law/{slug(self.name_key)}/{self.year or 'year-unknown'}"
        return f"file/{self.file_hash}"

    def iri(self, base: str = DEFAULT_BASE) -> str:
        return base + self.path()

    def text(self) -> str:
        """A readable form, and the sort key that makes outputs deterministic."""
        if self.number is not None:
            return self.number if self.year_in_number else f"{self.number} ({self.year or '?'})"
        if self.name_key is not None:
            return f"{self.name_key} ({self.year or '?'})"
        return f"file {self.file_hash}"

    def to_list(self) -> list[Any]:
        return [self.number, self.year, self.name_key, self.file_hash]

    @classmethod
    def from_list(cls, v: list[Any]) -> "InstrumentKey":
        return cls(number=v[0], year=v[1], name_key=v[2], file_hash=v[3])


def numbered_key(number: str, year: int | None) -> InstrumentKey:
    n = normalize_number(number)
    return InstrumentKey(number=n, year=None if year_of_number(n) else year)


def reference_key(ref: Reference) -> InstrumentKey | None:
    """The instrument a reference names, before corpus-level merging; None if it names none.

    A short form bound by the extractor (`target`) is read back from that target.
    """
    year = plausible_year(ref.year) or year_of_date(ref.date)
    if ref.number and re.match(r"^\d", ref.number.strip()):
        n = normalize_number(ref.number)
        return InstrumentKey(number=n, year=None if year_of_number(n) else year)
    if ref.name and is_named_type(ref.name):  # `Thông tư hướng dẫn` names no one instrument
        nk = name_key(ref.name)
        if nk:
            return InstrumentKey(name_key=nk, year=year)
    if ref.target:
        parsed = parse_user_instrument(ref.target)
        if parsed is not None and parsed.exact is not None:
            return parsed.exact
    return None


def reference_keys(extraction: Extraction) -> list[InstrumentKey | None]:
    """The key of every reference (None for self references and for those naming nothing), in order.

    Within one document a later mention often drops the year it gave earlier (`Luật Bảo hiểm y tế`
    after `Luật Bảo hiểm y tế ngày 14 tháng 11 năm 2008`): a yearless name or number takes the year
    the same document gives it, when the document gives exactly one. Across documents nothing is guessed.
    """
    refs = extraction.references
    keys = [None if r.kind == "self" else reference_key(r) for r in refs]
    years: dict[tuple[str | None, str | None], set[int]] = defaultdict(set)
    numbers: dict[str, set[str]] = defaultdict(set)  # name key → numbers the document gives with it
    for r, k in zip(refs, keys):
        if k is None:
            continue
        if k.year is not None:
            years[(k.number, k.name_key)].add(k.year)
        if k.number is not None and r.name:
            numbers[name_key(r.name)].add(k.number)
    out: list[InstrumentKey | None] = []
    for k in keys:
        if k is not None and k.year_unknown:
            ys = years.get((k.number, k.name_key))
            ns = numbers.get(k.name_key) if k.name_key is not None else None
            if ys and len(ys) == 1:  # the corpus-level pass merges name + year with a number
                k = InstrumentKey(number=k.number, year=next(iter(ys)), name_key=k.name_key)
            elif not ys and ns and len(ns) == 1:
                k = InstrumentKey(number=next(iter(ns)))
        out.append(k)
    return out


def document_name(doc: Document) -> str | None:
    """`Luật Báo chí` for a law whose header says type Luật and title Báo chí (how others cite it)."""
    if not is_named_type(doc.type) or not doc.title:
        return None
    title = _WS.sub(" ", doc.title).strip()
    if title.isupper():
        title = title.capitalize()
    if fold(title).startswith(fold(doc.type or "")):
        return title
    return f"{doc.type} {title[0].upper()}{title[1:]}"


def document_key(doc: Document, content_hash: str) -> InstrumentKey:
    """A corpus document's identity: its own number (+ year from its date when the number has none), else its content."""
    if doc.number and re.match(r"^\d", doc.number.strip()):
        return numbered_key(doc.number, year_of_date(doc.date))
    name = document_name(doc)
    if name:
        return InstrumentKey(name_key=name_key(name), year=year_of_date(doc.date))
    return InstrumentKey(file_hash=content_hash[:20])


# --------------------------------------------------------------------------- bodies and persons

_ABBREV = [
    (re.compile(r"\bUBND\b"), "Ủy ban nhân dân"),
    (re.compile(r"\bHĐND\b"), "Hội đồng nhân dân"),
    (re.compile(r"\bUBMTTQ\b"), "Ủy ban Mặt trận Tổ quốc"),
]
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
    s = unicodedata.normalize("NFC", _WS.sub(" ", s)).strip(" ,.;:")
    s = re.sub(r"^(?:của|bởi)\s+", "", s, flags=re.IGNORECASE)
    for rx, full in _ABBREV:
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
        m = _CODE_TERM.fullmatch(c)
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


def person_name(name: str) -> str:
    """A signer's name in one spelling: NFC, one space, each word capitalised."""
    s = unicodedata.normalize("NFC", _WS.sub(" ", name)).strip(" ,.")
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split(" "))


def person_iri(name: str, base: str = DEFAULT_BASE) -> str:
    return f"{base}person/{slug(person_name(name))}"


# --------------------------------------------------------------------------- what users type


@dataclass(frozen=True, slots=True)
class UserInstrument:
    """An instrument as a user typed it: an exact key when the input is complete, else a prefix to look up."""

    exact: InstrumentKey | None = None
    number_prefix: str | None = None  # folded (code_key) prefix of a number: `163/2016/nd-`
    number_loose: str | None = None  # folded full number for a yearless number typed without year
    name_key: str | None = None
    year: int | None = None
    iri: str | None = None


_TYPE_WORD = re.compile(r"^(.*?)\s*(?:số\s*:?\s*)?(\d+[a-zA-Z]?(?:\s*[/\-" + _DASHES + r"]\s*[\wĐđ]+)*)\s*(.*)$")
_YEAR_TAIL = re.compile(r"^(?:,?\s*(?:năm|year)?\s*\(?\s*((?:19|20)\d\d)\s*\)?)$", re.IGNORECASE)


def loose(s: str) -> str:
    """The folded form used for lookups of what users type (`163/2016/nd-cp` for any spelling)."""
    return code_key(normalize_number(s))


def parse_user_instrument(text: str) -> UserInstrument | None:
    """Read `163/2016/NĐ-CP`, `Nghị định 163/2016`, `nd 163/2016/ND-CP`, `13/CT-TTg năm 2018`,
    `Luật Ngân sách nhà nước 2015` or an IRI into what to look up. None when nothing is recognisable."""
    s = unicodedata.normalize("NFC", _WS.sub(" ", text)).strip()
    if not s:
        return None
    if re.match(r"^<?https?://", s):
        return UserInstrument(iri=s.strip("<>"))
    m = _TYPE_WORD.match(s)
    if m and ("/" in m.group(2) or "-" in _DASH_RE.sub("-", m.group(2))):
        word, number, tail = m.group(1).strip(), m.group(2), m.group(3).strip()
        year = None
        ym = _YEAR_TAIL.match(tail) if tail else None
        if ym:
            year = int(ym.group(1))
        elif tail and not m.group(1):
            pass  # trailing words after a number are ignored
        t = doc_type_for(word, word) if word else None
        if t is None and word:
            t = load().doc_type(code=word.replace(" ", ""))
        n = normalize_number(number)
        parts = [p for p in _TOKEN.split(n) if p and p not in "/-"]
        has_code = any(not p.isdigit() for p in parts[1:])
        if has_code:
            key = numbered_key(n, year)
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


# --------------------------------------------------------------------------- corpus-level resolution


def facts_of(extraction: Extraction, content_hash: str) -> dict[str, Any]:
    """What one file tells the corpus-level pass: its own key, and every reference's key, type and date.

    Small and JSON-able, so an incremental build keeps it in its manifest instead of re-reading the file.
    """
    doc = extraction.document
    dkey = document_key(doc, content_hash)
    t = doc_type_for(doc.type_code, doc.type)
    facts: dict[str, Any] = {
        "doc": {
            "key": dkey.to_list(),
            "type": t.name if t else None,
            "type_code": t.code if t else None,
            "date": doc.date,
            "name": document_name(doc),
            "title": " ".join(doc.title.split())[:200] if doc.title else None,
        },
        "refs": [],
        "aliases": [],
    }
    if dkey.number and document_name(doc):
        n = document_name(doc)
        facts["aliases"].append([name_key(n), year_of_number(dkey.number) or year_of_date(doc.date), dkey.number, n])
    for ref, key in zip(extraction.references, reference_keys(extraction)):
        if key is None:
            continue
        rt = doc_type_for(ref.type_code, ref.type)
        shown = _WS.sub(" ", ref.name).strip() if ref.name and key.name_key else None
        facts["refs"].append([key.to_list(), rt.name if rt else None, rt.code if rt else None, ref.date, shown])
        if ref.name and key.number:
            y = year_of_number(key.number) or plausible_year(ref.year) or year_of_date(ref.date)
            facts["aliases"].append([name_key(ref.name), y, key.number, _WS.sub(" ", ref.name).strip()])
    return facts


@dataclass(slots=True)
class Instrument:
    """What the corpus says about one instrument, merged over every file that names it."""

    key: InstrumentKey
    type: DocType | None = None
    date: str | None = None
    name: str | None = None
    name_keys: tuple[str, ...] = ()
    in_corpus: bool = False


class Resolver:
    """The corpus-level pass: merges named laws with their numbers, binds cited instruments to corpus documents.

    A name meets a number only when the corpus itself says so (a citation or a document giving both,
    with one number for that name and year); conflicting evidence leaves them apart.
    """

    def __init__(self, facts: Iterable[dict[str, Any]]):
        aliases: dict[tuple[str, int | None], Counter] = defaultdict(Counter)
        display: dict[str, Counter] = defaultdict(Counter)
        type_votes: dict[InstrumentKey, Counter] = defaultdict(Counter)
        date_votes: dict[InstrumentKey, Counter] = defaultdict(Counter)
        own: dict[InstrumentKey, dict[str, Any]] = {}
        seen: set[InstrumentKey] = set()
        self.documents = 0
        for f in facts:
            self.documents += 1
            d = f["doc"]
            dk = InstrumentKey.from_list(d["key"])
            own[dk] = d
            if d.get("name"):
                display[name_key(d["name"])][d["name"]] += 1
            for nk, year, number, shown in f["aliases"]:
                if year is not None:
                    aliases[(nk, year)][number] += 1
                display[nk][shown] += 1
            for key_list, tname, tcode, date, shown in f["refs"]:
                k = InstrumentKey.from_list(key_list)
                seen.add(k)
                if shown and k.name_key:
                    display[k.name_key][shown] += 1
                if tname:
                    type_votes[k][(tcode or "", tname)] += 1
                if date:
                    date_votes[k][date] += 1
        #: (name key, year) → number, only where the corpus names one number.
        self.aliases: dict[tuple[str, int], str] = {}
        self.ambiguous: dict[tuple[str, int], list[str]] = {}
        for nk_year, numbers in sorted(aliases.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            if len(numbers) == 1:
                self.aliases[nk_year] = next(iter(numbers))
            else:
                self.ambiguous[nk_year] = sorted(numbers)
        self._display = {nk: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for nk, c in display.items()}
        self._own = {self.resolve(k): v for k, v in own.items()}
        self._keys = set(self._own) | {self.resolve(k) for k in type_votes} | {self.resolve(k) for k in seen}
        self._types: dict[InstrumentKey, Counter] = defaultdict(Counter)
        self._dates: dict[InstrumentKey, Counter] = defaultdict(Counter)
        for k, c in type_votes.items():
            self._types[self.resolve(k)].update(c)
        for k, c in date_votes.items():
            self._dates[self.resolve(k)].update(c)

    def resolve(self, key: InstrumentKey) -> InstrumentKey:
        """The canonical key: a named law with a known number becomes that number's key."""
        if key.name_key is not None and key.year is not None:
            number = self.aliases.get((key.name_key, key.year))
            if number is not None:
                return InstrumentKey(number=number, year=None if year_of_number(number) else key.year)
        return key

    def names_of(self, key: InstrumentKey) -> list[tuple[str, str]]:
        """(name key, display name) pairs merged into a numbered key (for lookups by name)."""
        if key.number is None:
            return []
        return sorted((nk, self._display.get(nk, nk)) for (nk, _y), n in self.aliases.items() if n == key.number)

    def instrument(self, key: InstrumentKey) -> Instrument:
        """Type, date and name of an instrument: its own header first, else the corpus's most frequent citation."""
        key = self.resolve(key)
        own = self._own.get(key)
        t = None
        date = None
        if own is not None:
            t = doc_type_for(own.get("type_code"), own.get("type"))
            date = own.get("date")
        if t is None and key.number is not None:
            code, _ = number_codes(key.number)
            if code:
                t = doc_type_for(code, None)
        if t is None and self._types.get(key):
            (code, tname), _ = sorted(self._types[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            t = doc_type_for(code or None, tname)
        names = self.names_of(key)
        if t is None:
            nk = key.name_key or (names[0][0] if names else None)
            if nk:
                t = named_type(nk)
        if date is None and self._dates.get(key):
            date = sorted(self._dates[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        name = None
        if key.name_key is not None:
            name = self._display.get(key.name_key) or key.name_key
        elif names:
            name = names[0][1]
        elif own is not None and own.get("name"):
            name = own["name"]
        elif own is not None and key.file_hash is not None:
            name = own.get("title")
        return Instrument(
            key=key,
            type=t,
            date=date,
            name=name,
            name_keys=tuple(sorted({nk for nk, _ in names} | ({key.name_key} if key.name_key else set()))),
            in_corpus=own is not None,
        )

    def keys(self) -> list[InstrumentKey]:
        """Every distinct instrument (corpus documents and cited ones), in a stable order."""
        return sorted(self._keys, key=lambda k: (k.text(), repr(k.to_list())))

    def alias_fingerprint(self) -> str:
        """Changes when a merge changes, so an incremental build knows which per-file triples to redo."""
        import hashlib

        h = hashlib.sha256()
        for (nk, y), n in sorted(self.aliases.items()):
            h.update(f"{nk}\t{y}\t{n}\n".encode())
        return h.hexdigest()[:16]


__all__ = [
    "DEFAULT_BASE",
    "Body",
    "Instrument",
    "InstrumentKey",
    "Resolver",
    "UserInstrument",
    "slug",
    "bodies_of_number",
    "body_of_named",
    "doc_type_for",
    "document_key",
    "document_name",
    "facts_of",
    "is_named_type",
    "iri_segment",
    "loose",
    "name_key",
    "named_type",
    "normalize_body",
    "normalize_number",
    "number_codes",
    "is_party_number",
    "numbered_key",
    "parse_user_instrument",
    "person_iri",
    "person_name",
    "reference_key",
    "reference_keys",
    "year_of_date",
    "year_of_number",
]
