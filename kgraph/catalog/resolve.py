"""A name as cited → one catalogue number, or the honest answer that several fit, or that none does.

Rules (issue 10): with a date, the instrument of that name issued that day; with a year, the one issued
that year; a bare name, the one in force at the citing document's date (`at`) when the catalogue's
dates say so unambiguously. A name that fits two instruments is returned as `Ambiguous`, never guessed.

Over 500 lines for one reason: the one-pass resolver (`_resolver_of`) applies the rules of `_dated` and
`_bare` to the compact index's records in the common cases, and stays beside them so both change together
(tests/test_catalog_fast.py checks that they agree).
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from typing import Any, Callable, Sequence

from kgraph.catalog.compact import (D_DATE, D_EFFECTIVE, D_NO_LONGER, D_RECORD, D_STATUS, D_STATUS_BASIS, D_YEAR,
                                    DATE, EFFECTIVE, NO_LONGER, STATUS, STATUS_BASIS, YEAR)
from kgraph.catalog.compact import Lookup
from kgraph.catalog.names import split_cited
from kgraph.catalog.namekey import prober
from kgraph.catalog.store import Catalog, Instrument, default_catalog


class Match:
    """Exactly one instrument fits. `basis` says why (date, year, in force at the citing date); `note` says
    e.g. that the cited date differs from the catalogue's within the same year.

    Immutable, compared and shown as a frozen dataclass of (number, instrument, basis, note) would be. One
    answered from the compact index makes its `instrument` at the first read: most callers read the number
    alone (kgraph/link/corpus.py), and an `Instrument` made for nothing was a sixth of resolving a new name."""

    __slots__ = ("number", "_instrument", "basis", "note", "_record", "_catalog")
    __match_args__ = ("number", "instrument", "basis", "note")

    number: str | None
    basis: str
    note: str | None

    def __init__(self, number: str | None, instrument: Instrument, basis: str, note: str | None = None):
        _set_number(self, number)
        _set_instrument(self, instrument)
        _set_basis(self, basis)
        _set_note(self, note)

    @property
    def instrument(self) -> Instrument:
        inst = self._instrument
        if inst is None:  # answered from a record of the compact index: made now, once
            cat, record = self._catalog, self._record
            if record.__class__ is int:  # where the record is in the index
                record = cat._lookup.record_at(record)
            inst = cat.instrument_of(record)
            _set_instrument(self, inst)
            _set_catalog(self, None)
        return inst

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _fields(self) -> tuple[Any, ...]:
        return self.number, self.instrument, self.basis, self.note

    def __repr__(self) -> str:
        return (f"{self.__class__.__qualname__}(number={self.number!r}, instrument={self.instrument!r}, "
                f"basis={self.basis!r}, note={self.note!r})")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._fields() == other._fields()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[Any, ...]:
        return Match, self._fields()  # the instrument made: a catalogue's connection is not pickled


_set_number, _set_instrument, _set_basis, _set_note, _set_record, _set_catalog = (
    Match.__dict__[f].__set__ for f in Match.__slots__)
_new_match = Match.__new__


def _match_of(cat: Catalog, record: tuple[int, ...], basis: str) -> Match:
    """The answer of one record of the compact index, its instrument made when first read (`Match.instrument`)."""
    lk = cat._lookup  # the number as `Catalog.instrument_of` makes it, without the instrument
    tail = lk.tails[record[3]]
    m = _new_match(Match)
    _set_number(m, None if tail is None else lk.nums[record[1]:record[1] + record[2]].decode() + tail)
    _set_instrument(m, None)
    _set_basis(m, basis)
    _set_note(m, None)
    _set_record(m, record)
    _set_catalog(m, cat)
    return m


#: Why a match the cache keeps as an int (`_resolver_of`) was made, by its two low bits.
_BASES = ("name and date", "name and year", "the only instrument of this name issued before the citing date",
          "the latest instrument of this name in force at the citing date")


def _whole(cat: Catalog, hit: Any) -> Match:
    """The `Match` of an answer the cache keeps compact: (record, basis), or an int (`_resolver_of`)."""
    if hit.__class__ is tuple:
        return _match_of(cat, hit[0], hit[1])
    lk = cat._lookup
    at = hit >> 2
    m = _match_of(cat, lk.record_at(at), _BASES[hit & 3])
    _set_record(m, at)
    return m


def _resolver_of(cat: Catalog) -> Callable[..., Match | Ambiguous | None]:
    """`resolve_name` of a name not asked lately, for this catalogue: answers and caches it (in `new` under `ck`).

    The names most citations are made of (`names._fast_split`'s shape, each word one `FOLDED_BYTES` knows)
    are keyed and probed in the compact index by `namekey` (compiled where it could be built) and decided
    here in one function: a name a corpus cites once finds no cache to spare it any step, and a call, a tuple
    or a string each cost it more than the rule it serves. The cache keeps such a match as one int (its record's place in the index, its basis), not an
    object the garbage collector walks. Any other name, or a catalogue with a user's layer, goes to
    `_resolve`."""
    def decided(hit: Any, ck: Any, new: dict) -> Any:
        """Cache the answer of the general rules and give it."""
        hit = new[ck] = hit or _NONE
        if hit.__class__ is tuple:
            return _match_of(cat, hit[0], hit[1])
        return None if hit is _NONE else hit

    if cat.user:
        def general(name: str, year: int | None, date: str | None, at: str | None, ck: Any, new: dict) -> Any:
            return decided(_resolve(cat, name, year, date, at), ck, new)

        cat.resolver = general
        return general

    lk = cat._lookup or cat.index()
    entries, tails, record = lk.entries, lk.tails, lk.cand.unpack_from
    size_of, column = lk.cand.size, lk.column
    date_columns, year_columns = lk._columns.setdefault(DATE, {}), lk._columns.setdefault(YEAR, {})
    _, vd, _, ve, vs, vb, vn = lk.vocab
    date_code, year_code = lk.date_code.get, lk.year_code.get
    probe, then = prober(lk)
    bases = _BASES
    new_match = _new_match
    set_number, set_instrument, set_basis, set_note, set_record, set_catalog = \
        _set_number, _set_instrument, _set_basis, _set_note, _set_record, _set_catalog

    def dated(off: int, count: int, year: int, date: str | None) -> int:
        """`_decide` of several records, a name with a date or year: the record issued that day, else that year
        (its place << 2 | its basis in `_BASES`); -2 for anything else (`_decide` tells which)."""
        if date:
            day = date_code(date, -1)
            codes = (date_columns.get(count) or column(DATE, count))(entries, off)
            if codes.count(day) == 1:
                return codes.index(day) << 2
        else:
            yc = year_code(year, -1)
            codes = (year_columns.get(count) or column(YEAR, count))(entries, off)
            if codes.count(yc) == 1:
                return codes.index(yc) << 2 | 1
        return -2

    def bare(off: int, count: int, at: str | None) -> int:
        """`_bare` of several records, all dated: the latest issued by `at` (its place << 2 | its basis in
        `_BASES`), -1 for none; -2 when `_bare` may find it doubtful (it then says why)."""
        if at is None:
            return -2
        before = 0
        found = prev = -1
        last_day = prev_day = ""
        for j, c in enumerate((date_columns.get(count) or column(DATE, count))(entries, off)):
            issued = vd[c]
            if not issued:
                return -2
            if issued <= at:
                before += 1
                if issued >= last_day:  # as `_bare`'s stable sort by date orders them
                    prev, prev_day, found, last_day = found, last_day, j, issued
                elif issued >= prev_day:
                    prev, prev_day = j, issued
        if not before:
            return -1
        r = record(entries, off + found * size_of)
        effective, no_longer, status = ve[r[EFFECTIVE]], vn[r[NO_LONGER]], vs[r[STATUS]]
        if before > 1 and (last_day[:4] == prev_day[:4] or
                           _DISPUTED_END in (vb[record(entries, off + prev * size_of)[STATUS_BASIS]] or "")) \
                or effective is None or (effective > at and before > 1) \
                or not no_longer and (status == "no_longer_in_force" or
                                      status == "likely_no_longer_in_force" and at >= _OLDEST_SNAPSHOT):
            return -2  # an `Ambiguous`
        if effective > at or no_longer and no_longer <= at:
            return -1
        return found << 2 | (2 if before == 1 else 3)

    def resolver(name: str, year: int | None, date: str | None, at: str | None, ck: Any, new: dict) -> Any:
        got = probe(name)  # the split and the probe: `namekey`
        if got is None and (then is None or (got := then(name)) is None):
            return decided(_resolve(cat, name, year, date, at), ck, new)
        if got is False:
            new[ck] = _NONE
            return None
        off, count, cited_year, cited_date = got
        date = date or cited_date
        year = year or cited_year or (int(date[:4]) if date else None)
        if count == 1:  # most names: `_decide`'s first cases, on the one record
            r = record(entries, off)
            if year is not None:
                if r[DATE] == (date_code(date, -1) if date else -2):
                    code = off << 2
                elif r[YEAR] != year_code(year, -1):
                    new[ck] = _NONE
                    return None
                elif date is None:  # "Luật X năm 2015": no date to differ from the catalogue's, so no note
                    code = off << 2 | 1
                else:  # the year alone agrees: a note says so
                    return decided(_dated((), [r], year, date, cat.instrument_of), ck, new)
            elif at is None:
                new[ck] = _NONE  # the catalogue is partial: one known instrument does not prove there is no other
                return None
            else:
                issued, effective = vd[r[DATE]], ve[r[EFFECTIVE]]
                if not (issued and effective is not None and vn[r[NO_LONGER]] is None and vs[r[STATUS]] == "in_force"):
                    return decided(_decide(cat, lk, [r], year, date, at), ck, new)
                if issued > at or effective > at:  # not yet issued, or not yet in force and no predecessor
                    new[ck] = _NONE
                    return None
                code = off << 2 | 2
        else:  # several instruments of this name
            picked = dated(off, count, year, date) if year is not None else bare(off, count, at)
            if picked < 0:
                if picked == -1:
                    new[ck] = _NONE
                    return None
                return decided(_decide(cat, lk, lk.records(off, count), year, date, at), ck, new)
            off += (picked >> 2) * size_of
            r = record(entries, off)
            code = off << 2 | picked & 3
        new[ck] = code
        tail = tails[r[3]]
        m = new_match(Match)
        set_number(m, None if tail is None else entries[r[1]:r[1] + r[2]].decode() + tail)
        set_instrument(m, None)
        set_basis(m, bases[code & 3])
        set_note(m, None)
        set_record(m, code >> 2)
        set_catalog(m, cat)
        return m

    cat.resolver = resolver
    return resolver


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Several instruments fit; they are listed so the report can show them."""

    candidates: tuple[Instrument, ...]
    reason: str

    @property
    def numbers(self) -> list[str]:
        return [c.number or c.ident for c in self.candidates]


def resolve_name(name: str, year: int | None = None, date: str | None = None, at: str | None = None,
                 catalog: Catalog | None = None) -> Match | Ambiguous | None:
    """Resolve a cited name (`Luật Phòng, chống rửa tiền ngày 15 tháng 11 năm 2022`) to one instrument.

    `year`/`date` are what the citation gives (also read from the name's tail when not passed); `at` is the
    citing document's date (ISO), used only for a bare name.
    """
    cat = catalog or default_catalog()
    # the name alone when nothing else is asked (as most citations, "Luật X năm 2015"): a str keeps its hash,
    # a tuple's is computed at each of the three reads below
    ck = name if year is None and date is None and at is None else (name, year, date, at)
    new = cat.resolved
    hit = new.get(ck)
    if hit is None:
        hit = cat.resolved_old.get(ck)
        if len(new) >= cat.resolved_half:  # two halves: a hit costs one or two dict reads, a miss no reorder
            cat.resolved_old = new
            new = cat.resolved = {}
        if hit is None:  # not asked lately: resolved, its answer cached by the resolver
            return (cat.resolver or _resolver_of(cat))(name, year, date, at, ck, new)
        if hit.__class__ is tuple or hit.__class__ is int:  # asked again: kept whole from now on (see `_Compact`)
            hit = _whole(cat, hit)
        new[ck] = hit
    elif hit.__class__ is tuple or hit.__class__ is int:
        hit = new[ck] = _whole(cat, hit)
    return None if hit is _NONE else hit


_NONE = False  # a cached "no instrument" (None is "not cached")

#: What `_resolve` gives for a match on one record of the compact index with no note, and the cache keeps of
#: a name asked once: (record, basis), tuples of ints and strs the garbage collector stops tracking at its
#: first passes. A `Match` and its `Instrument` kept for every name were two objects it walked at every full
#: pass (of 30k names cached, a fifth of the time of resolving names never asked before); a name asked a
#: second time keeps its `Match` (a corpus cites a few laws often: their answers are not made again and again).
_Compact = tuple[tuple[int, ...], str]


def _resolve(cat: Catalog, name: str, year: int | None, date: str | None,
             at: str | None) -> Match | Ambiguous | _Compact | None:
    # `cited_name` without its cache: resolve_name caches the answer, and a second cache (of the split) costs
    # a name never asked before more than it saves
    key, cited_year, cited_date, number = split_cited(name)
    if not key:
        return None
    date = date or cited_date
    year = year or cited_year or (int(date[:4]) if date else None)
    if not number and not cat.user:  # the shipped file alone: its index's records
        lk = cat._lookup or cat.index()
        recs = lk.candidates(key)
        if recs is None:
            return None
        return _decide(cat, lk, recs, year, date, at)
    cands = cat.by_key(key)
    if not cands:
        return None
    if number:  # name and number together: the number decides, the name must agree
        from kgraph.catalog.store import number_lookup_key

        nk = number_lookup_key(number)
        same = [c for c in cands if c.number and number_lookup_key(c.number) == nk]
        if len(same) == 1:
            return Match(same[0].number, same[0], "name and number")
        return None
    if year is not None:
        return _dated([c for c in cands if c.date == date] if date else [], [c for c in cands if c.year == year],
                      year, date, _same)
    return _bare([(c.date, c.year, c.effective, c.status, c.status_basis, c.no_longer, c) for c in cands], at,
                 _same)


def _decide(cat: Catalog, lk: Lookup, recs: list[tuple[int, ...]], year: int | None, date: str | None,
            at: str | None) -> Match | Ambiguous | _Compact | None:
    """Which of a key's records of the compact index the citation means (the rules of `_dated` and `_bare`)."""
    if year is None:
        if at is not None and len(recs) == 1:  # most bare names: `_bare` of one dated instrument in force
            r = recs[0]
            _, vd, _, ve, vs, _, vn = lk.vocab
            issued, effective = vd[r[DATE]], ve[r[EFFECTIVE]]
            if issued and effective is not None and vn[r[NO_LONGER]] is None and \
                    vs[r[STATUS]] == "in_force":
                if issued > at or effective > at:  # not yet issued, or not yet in force and no predecessor
                    return None
                return r, "the only instrument of this name issued before the citing date"
        return _bare(lk.dated(recs), at, cat.instrument_of)
    day = lk.date_code.get(date, -1) if date else -2
    if len(recs) == 1:  # most names: `_dated` of one record, its answer by date or by year alone made here
        r = recs[0]
        if r[DATE] == day:
            return r, "name and date"
        if r[YEAR] != lk.year_code.get(year, -1):
            return None
        if date is None:  # "Luật X năm 2015": no date to differ from the catalogue's, so no note
            return r, "name and year"
        return _dated((), recs, year, date, cat.instrument_of)
    same_day = [r for r in recs if r[DATE] == day]
    if len(same_day) == 1:
        return same_day[0], "name and date"
    yc = lk.year_code.get(year, -1)
    same_year = [r for r in recs if r[YEAR] == yc]
    if not same_day and date is None and len(same_year) == 1:
        return same_year[0], "name and year"
    return _dated(same_day, same_year, year, date, cat.instrument_of)


def _dated(same_day: Sequence[Any], same_year: Sequence[Any], year: int, date: str | None,
           make: Callable[[Any], Instrument]) -> Match | Ambiguous | None:
    """A name with a date or year: the one instrument issued that day, else that year. The candidates are
    `Instrument`s or the compact index's records, of which only those answered with are `make`d `Instrument`s:
    a name a corpus cites once finds no cache to spare it that cost."""
    if len(same_day) == 1:
        c = make(same_day[0])
        return Match(c.number, c, "name and date")
    if len(same_day) > 1:
        return Ambiguous(tuple(map(make, same_day)), f"{len(same_day)} instruments of this name dated {date}")
    if len(same_year) == 1:
        c = make(same_year[0])
        note = None
        if date and c.date and c.date != date:
            note = f"cited date {date}, catalogue date {c.date}"
        elif date and not c.date:
            note = f"cited date {date}, catalogue has the year only"
        return Match(c.number, c, "name and date (year agrees)" if date else "name and year", note)
    if len(same_year) > 1:
        return Ambiguous(tuple(map(make, same_year)), f"{len(same_year)} instruments of this name in {year}")
    return None


def _same(c: Instrument) -> Instrument:
    return c


#: How scripts/build_catalog.py words a same-name replacement the late-2025 pháp điển contradicts.
_DISPUTED_END = "same-name heuristic; pháp điển 2025: in_force"

#: The oldest pháp điển snapshot the catalogue was built from (data/PROVENANCE.md): an instrument dropped
#: from a later one was still in force before this day.
_OLDEST_SNAPSHOT = "2023-01-01"


def _bare(cands: list[tuple[Any, ...]], at: str | None,
          make: Callable[[Any], Instrument]) -> Match | Ambiguous | _Compact | None:
    """A name with no date: the one in force at `at`, when the catalogue's dates leave no doubt. Each candidate
    is as `Lookup.dated` gives it (`D_DATE`...; its `D_RECORD` what `make` makes an `Instrument` of): the
    compact index's records are decided on as they are: a match on one is given back as (record, basis) for
    `resolve_name` to answer with, and only those an `Ambiguous` lists are made instruments."""
    if at is None:
        if len(cands) == 1:
            return None  # the catalogue is partial: one known instrument does not prove there is no other
        return _ambiguous(cands, make, "a name with no date and no citing date")
    for c in cands:
        if c[D_DATE] is None and c[D_YEAR] is None:
            return _ambiguous(cands, make, "an instrument of this name has no date in the catalogue")
    before = [c for c in cands if (c[D_DATE] or str(c[D_YEAR])) <= at]
    if not before:
        return None
    if len(before) > 1:  # a sort calls its key even on one item
        before.sort(key=_issued)
    latest = before[-1]
    date, effective, status, no_longer = (latest[D_DATE], latest[D_EFFECTIVE], latest[D_STATUS],
                                         latest[D_NO_LONGER])
    if len(before) > 1 and (date or "")[:4] == (before[-2][D_DATE] or "")[:4]:
        return _ambiguous(before, make, "two instruments of this name in the same year")
    if effective is None:
        return _ambiguous(before, make, f"{make(latest[D_RECORD]).label()} has no date of entry into force in the catalogue")
    if effective > at:
        if len(before) == 1:  # the citing text likely means a predecessor the catalogue does not know
            return None
        return _ambiguous(before, make, f"{make(latest[D_RECORD]).label()} was issued but not yet in force on {at}")
    prev = before[-2] if len(before) > 1 else None
    if prev is not None and _DISPUTED_END in (prev[D_STATUS_BASIS] or ""):
        # the predecessor's end is only the same-name heuristic, and the pháp điển still lists it in force:
        # the "successor" may amend it (44/2024/QH15 amends Luật Dược 105/2016/QH13)
        return _ambiguous(before, make,
                          f"whether {make(latest[D_RECORD]).label()} replaced {make(prev[D_RECORD]).label()} is disputed")
    if no_longer and no_longer <= at:
        return None  # no instrument of this name the catalogue knows was in force then
    if not no_longer and status == "no_longer_in_force":
        return _ambiguous(before, make,
                          f"{make(latest[D_RECORD]).label()} is no longer in force and the catalogue has no end date")
    if not no_longer and status == "likely_no_longer_in_force" and at >= _OLDEST_SNAPSHOT:
        # dropped from the newest pháp điển snapshot: in force at the oldest, ended at an unknown date since
        # (and often by a newer law of the same name the catalogue does not have yet, as 42/2024/QH15)
        return _ambiguous(before, make,
                          f"{make(latest[D_RECORD]).label()} likely ended after {_OLDEST_SNAPSHOT[:4]} (date unknown)")
    basis = ("the only instrument of this name issued before the citing date" if len(before) == 1
             else "the latest instrument of this name in force at the citing date")
    found = latest[D_RECORD]
    if make is not _same:  # a record of the compact index: `resolve_name` makes the answer of it
        return found, basis
    return Match(found.number, found, basis)


def _issued(c: tuple[Any, ...]) -> str:
    return c[D_DATE] or f"{c[D_YEAR]}-12-31"


def _ambiguous(cands: list[tuple[Any, ...]], make: Callable[[Any], Instrument], reason: str) -> Ambiguous:
    return Ambiguous(tuple([make(c[D_RECORD]) for c in cands]), reason)
