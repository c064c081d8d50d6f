"""The keys of one extraction: the document's own identity and every reference's, before corpus merging."""

from __future__ import annotations

import re
from collections import defaultdict

from kgraph.knowledge import fold
from kgraph.link.bodies import normalize_body
from kgraph.link.keys import (
    UNRESOLVED_ISSUER,
    WS,
    InstrumentKey,
    is_named_type,
    name_key,
    numbered_key,
    plausible_year,
    year_of_date,
)
from kgraph.link.user_input import parse_user_instrument
from kgraph.model import Document, Extraction, Reference
from kgraph.numbers import normalize_number, year_of_number


def canonical_issuer(issuer: str | None) -> str | None:
    """An issuer as one canonical name (`UBND tỉnh Quảng Trị` and `Ủy ban nhân dân tỉnh Quảng Trị` alike), so a
    local number's key does not depend on how its issuer was written; joint issuers stay joined by "; "."""
    if not issuer:
        return None
    names = []
    for part in issuer.split(";"):
        b = normalize_body(part) if part.strip() else None
        if b is not None:
            names.append(b.name)
    return "; ".join(names) or None


def reference_key(ref: Reference) -> InstrumentKey | None:
    """The instrument a reference names, before corpus-level merging; None if it names none.

    A short form bound by the extractor (`target`) is read back from that target.
    """
    return _key_of(*_key_fields(ref))


def _key_fields(ref: Reference) -> tuple[str | int | None, ...]:
    """All that `_key_of` reads of a reference: references equal in these have one key."""
    return ref.number, ref.year, ref.date, ref.issuer, ref.name, ref.target


def _key_of(number: str | None, year: int | None, date: str | None, issuer: str | None, name: str | None,
            target: str | None) -> InstrumentKey | None:
    year_n = plausible_year(year) or year_of_date(date)
    if number and re.match(r"^\d", number.strip()):
        return numbered_key(number, year_n, canonical_issuer(issuer))
    if name and is_named_type(name):  # `Thông tư hướng dẫn` names no one instrument
        nk = name_key(name)
        if nk:
            return InstrumentKey(name_key=nk, year=year_n)
    if target:
        parsed = parse_user_instrument(target)
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
    # a document cites one instrument many times in the same words: each distinct citation keyed once (keys
    # are frozen, so equal references may share one)
    memo: dict[tuple, InstrumentKey | None] = {}
    keys: list[InstrumentKey | None] = []
    for r in refs:
        if r.kind == "self":
            keys.append(None)
            continue
        fields = _key_fields(r)
        k = memo[fields] if fields in memo else memo.setdefault(fields, _key_of(*fields))
        keys.append(k)
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
                k = InstrumentKey(number=k.number, year=next(iter(ys)), name_key=k.name_key, issuer=k.issuer)
            elif not ys and ns and len(ns) == 1:
                k = InstrumentKey(number=next(iter(ns)))
        out.append(k)
    return _issuers_within(out)


def _issuers_within(keys: list[InstrumentKey | None]) -> list[InstrumentKey | None]:
    """A local number cited without its issuer ("Kế hoạch số 45/KH-UBND của UBND tỉnh" in a district's title)
    takes the issuer the same document names for that number elsewhere ("... ngày 02/4/2024 của Ủy ban nhân dân
    tỉnh An Hòa"), when it names exactly one (of a compatible year); else it stays unresolved."""
    named: dict[str, set[tuple[int | None, str]]] = defaultdict(set)
    for k in keys:
        if k is not None and k.issuer not in (None, UNRESOLVED_ISSUER):
            named[k.number].add((k.year, k.issuer))
    out: list[InstrumentKey | None] = []
    for k in keys:
        if k is not None and k.issuer == UNRESOLVED_ISSUER:
            fits = {(y, i) for y, i in named.get(k.number, ()) if k.year is None or y in (None, k.year)}
            if len({i for _y, i in fits}) == 1:
                y, i = sorted(fits, key=lambda f: f[0] is None)[0]
                k = InstrumentKey(number=k.number, year=k.year if k.year is not None else y, issuer=i)
        out.append(k)
    return out


def document_name(doc: Document) -> str | None:
    """`Luật Báo chí` for a law whose header says type Luật and title Báo chí (how others cite it)."""
    if not is_named_type(doc.type) or not doc.title:
        return None
    title = WS.sub(" ", doc.title).strip()
    if title.isupper():
        title = title.capitalize()
    if fold(title).startswith(fold(doc.type or "")):
        return title
    return f"{doc.type} {title[0].upper()}{title[1:]}"


def document_key(doc: Document, content_hash: str) -> InstrumentKey:
    """A corpus document's identity: its own number (+ year from its date when the number has none), else its content."""
    if doc.number and re.match(r"^\d", doc.number.strip()):
        return numbered_key(doc.number, year_of_date(doc.date), canonical_issuer(doc.issuer))
    name = document_name(doc)
    if name:
        return InstrumentKey(name_key=name_key(name), year=year_of_date(doc.date))
    return InstrumentKey(file_hash=content_hash[:20])
