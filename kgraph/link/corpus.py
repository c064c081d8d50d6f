"""The corpus-level pass: what each file tells it (`facts_of`), and the `Resolver` that merges over the corpus.

Named laws meet their numbers here, and every cited instrument gets its type, date and name from the
document itself when the corpus holds it, else from the citations that name it most often.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from kgraph.knowledge import DocType
from kgraph.link.extraction_keys import document_key, document_name, reference_keys
from kgraph.link.keys import (
    WS,
    InstrumentKey,
    doc_type_for,
    name_key,
    named_type,
    plausible_year,
    year_of_date,
)
from kgraph.model import Extraction
from kgraph.numbers import normalize_number, number_codes, term_mismatch, year_of_number

def held_names(keys: Iterable[list[Any]], aliases: Iterable[list[Any]]) -> set[str]:
    """Name keys a document itself identifies (with a year, or with a number, or as its own name).

    A bare name still without a year after `reference_keys` whose key is here was named by the same
    document in several ways: the document's own evidence is ambiguous and the catalogue is not asked.
    """
    held = {k[2] for k in keys if k[2] is not None and k[1] is not None}
    held.update(a[0] for a in aliases)
    return held


def words_date(doc: dict[str, Any]) -> str | None:
    """The date a document's words were written, as far as its facts tell (`facts_of(...)["doc"]`): its own
    date, except for a consolidated text, whose words are its sources' (often years older)."""
    dt = doc_type_for(doc.get("type_code"), doc.get("type"))
    return None if dt is not None and dt.family == "consolidated" else doc.get("date")


def facts_of(extraction: Extraction, content_hash: str,
             keys: list[InstrumentKey | None] | None = None) -> dict[str, Any]:
    """What one file tells the corpus-level pass: its own key, and every reference's key, type and date.

    Small and JSON-able, so an incremental build keeps it in its manifest instead of re-reading the file.
    `keys`: `reference_keys(extraction)` when the caller has them already (the build resolves the same file next).
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
    for ref, key in zip(extraction.references, reference_keys(extraction) if keys is None else keys):
        if key is None:
            continue
        rt = doc_type_for(ref.type_code, ref.type)
        shown = WS.sub(" ", ref.name).strip() if ref.name and key.name_key else None
        facts["refs"].append([key.to_list(), rt.name if rt else None, rt.code if rt else None, ref.date, shown])
        if ref.name and key.number:
            y = year_of_number(key.number) or plausible_year(ref.year) or year_of_date(ref.date)
            facts["aliases"].append([name_key(ref.name), y, key.number, WS.sub(" ", ref.name).strip()])
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

    def __init__(self, facts: Iterable[dict[str, Any]], catalogue: bool = True):
        """`facts`: each file's `facts_of`, walked twice (a one-shot stream is kept as a list)."""
        aliases: dict[tuple[str, int | None], Counter] = defaultdict(Counter)
        display: dict[str, Counter] = defaultdict(Counter)
        named: set[tuple[str, int]] = set()  # (name key, year) of named citations, for the catalogue
        bare: set[tuple[str, str | None]] = set()  # (name key, citing date) of bare names not held
        self._held: set[tuple[InstrumentKey, str]] = set()  # (citing document, name key) the document holds
        self._undated: set[InstrumentKey] = set()  # citing documents whose date is not their words' date
        self.documents = 0
        if iter(facts) is facts:  # a one-shot stream is kept for the second walk; a collection is walked again
            facts = list(facts)
        #: the instruments' evidence by key as written, settled at its first use (`_instruments`)
        self._evidence: Evidence | None = Evidence()
        self._index: InstrumentIndex | None = None
        #: numbers written with a National Assembly term their year does not fit (`67/2014/QH14`) → the number
        #: the corpus or the catalogue knows with the right term (`67/2014/QH13`)
        self.number_fixes = self._term_fixes(facts, catalogue)
        #: bare names left unresolved because the citing document names them with several years or numbers.
        self.bare_held: Counter = Counter()
        for f in facts:
            self.documents += 1
            d = f["doc"]
            dk = InstrumentKey.from_list(d["key"])
            self._evidence.document(self._fix(dk), d)
            held = held_names((r[0] for r in f["refs"]), f["aliases"])
            at = words_date(d)
            if at is None and d.get("date"):
                self._undated.add(dk)
            if d.get("name"):
                display[name_key(d["name"])][d["name"]] += 1
            for nk, year, number, shown in f["aliases"]:
                if year is not None:
                    aliases[(nk, year)][self.number_fixes.get(number, number)] += 1
                display[nk][shown] += 1
            for key_list, tname, tcode, date, shown in f["refs"]:
                k = self._fix(InstrumentKey.from_list(key_list))
                if shown and k.name_key:
                    display[k.name_key][shown] += 1
                if k.name_key is not None and k.year is None:  # a bare name: settled once the catalogue is asked
                    if k.name_key in held:  # the document names it in several ways: left as it is
                        self._held.add((dk, k.name_key))
                        self.bare_held[k.name_key] += 1
                        self._evidence.bare(k, None, tname, tcode, date)
                    else:
                        bare.add((k.name_key, at))
                        self._evidence.bare(k, at, tname, tcode, date)
                    continue
                if k.name_key:
                    named.add((k.name_key, k.year))
                self._evidence.cited(k, tname, tcode, date)
            self._evidence.file_done()
        #: (name key, year) → number, only where the corpus names one number.
        self.aliases: dict[tuple[str, int], str] = {}
        self.ambiguous: dict[tuple[str, int], list[str]] = {}
        self._names_by_number: dict[str, list[str]] | None = None  # `names_of`'s index, made at its first call
        for nk_year, numbers in sorted(aliases.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            if len(numbers) == 1:
                self.aliases[nk_year] = next(iter(numbers))
            else:
                self.ambiguous[nk_year] = sorted(numbers)
        self._display = {nk: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for nk, c in display.items()}
        self.catalogue_aliases: dict[tuple[str, int], str] = {}
        self.catalogue_ambiguous: dict[tuple[str, int], list[str]] = {}
        self.catalogue_conflicts: dict[tuple[str, int], tuple[str, str]] = {}
        #: (name key, citing date) → number, for bare names the catalogue settles at that date.
        self.bare_aliases: dict[tuple[str, str], tuple[str, int | None]] = {}
        #: (name key, citing date or None) → (numbers, reason): bare names several instruments fit.
        self.bare_ambiguous: dict[tuple[str, str | None], tuple[list[str], str]] = {}
        if catalogue:
            self._consult_catalogue(named)
            self._consult_catalogue_bare(bare)

    def __getstate__(self) -> dict[str, Any]:
        """A worker that resolves keys (a Dask worker gets the resolver pickled) needs no instrument index: it
        stays with this process."""
        state = self.__dict__.copy()
        state["_index"] = state["_evidence"] = None
        return state

    def _instruments(self) -> "InstrumentIndex":
        """The instruments' evidence (own headers, type and date votes, every key) by final key, settled at
        its first use now that names and numbers are: kept on disk, not in memory."""
        if self._index is None:
            if self._evidence is None:
                raise RuntimeError("the instruments' index stays with the process that gathered it")
            self._index, self._bare_resolved = self._evidence.settle(self)
            self._evidence = None
        return self._index

    @property
    def bare_resolved(self) -> int:
        """Bare-name references resolved through the catalogue (a count of mentions, not of names)."""
        self._instruments()
        return self._bare_resolved

    @staticmethod
    def _term_fixes(facts: Iterable[dict[str, Any]], catalogue: bool) -> dict[str, str]:
        """A number whose term does not fit its year is read as the right-term number only when the names the
        corpus gives with it all name that instrument (in the corpus or the catalogue): "Luật Đầu tư số
        67/2014/QH14" is 67/2014/QH13, but "Luật Xuất bản số 10/2022/QH14" is not 10/2022/QH15 (another law),
        and a bare number with an impossible term stays as written."""
        numbers: set[str | None] = set()
        named: dict[str, set[str]] = defaultdict(set)  # number → name keys the corpus gives with it
        for f in facts:  # one walk: the facts may be read from disk on each
            numbers.add(f["doc"]["key"][0])
            numbers.update(r[0][0] for r in f["refs"])
            for nk, _y, number, _shown in f["aliases"]:
                named[number].add(nk)
        numbers.discard(None)
        wrong = {n: fixed for n in numbers if (fixed := term_mismatch(n))}
        if not wrong:
            return {}
        cat = None
        if catalogue and not os.environ.get("KGRAPH_NO_CATALOG"):
            from kgraph.catalog import CatalogError, default_catalog

            try:
                cat = default_catalog()
            except CatalogError:
                cat = None
        out = {}
        for n, fixed in sorted(wrong.items()):
            given = named.get(n)
            if not given:
                continue
            known = set(named.get(fixed, ()))
            if cat is not None:
                known |= {name_key(i.title) for i in cat.by_number(fixed) if i.title}
            if given <= known:
                out[n] = fixed
        return out

    def _fix(self, key: InstrumentKey) -> InstrumentKey:
        if key.number is not None and key.number in self.number_fixes:
            return InstrumentKey(number=self.number_fixes[key.number], year=key.year)
        return key

    def _consult_catalogue(self, named: set[tuple[str, int]]) -> None:
        """Names with a year the corpus gives no number for take the catalogue's, when exactly one instrument
        fits; where the corpus gives one, a different catalogue number is kept as a reported conflict."""
        from kgraph.catalog import Ambiguous, CatalogError, Match, default_catalog, resolve_name

        if os.environ.get("KGRAPH_NO_CATALOG"):
            return  # the user asked for resolution from the corpus alone
        try:
            cat = default_catalog()
        except CatalogError:
            return  # no catalogue file: resolution from the corpus alone
        for nk, year in sorted(named | set(self.aliases)):
            r = resolve_name(self._display.get(nk) or nk, year=year, catalog=cat)
            if isinstance(r, Match) and r.number:
                number = normalize_number(r.number)
                if (nk, year) in self.aliases:
                    if self.aliases[(nk, year)] != number:
                        self.catalogue_conflicts[(nk, year)] = (self.aliases[(nk, year)], number)
                elif (nk, year) not in self.ambiguous:
                    self.aliases[(nk, year)] = number
                    self.catalogue_aliases[(nk, year)] = number
            elif isinstance(r, Ambiguous):
                self.catalogue_ambiguous[(nk, year)] = r.numbers

    def _consult_catalogue_bare(self, named: set[tuple[str, str | None]]) -> None:
        """Bare names (no year, none from the citing document either): the instrument of that name in force
        at the citing document's date, when the catalogue's dates leave no doubt; else reported, never guessed."""
        from kgraph.catalog import Ambiguous, CatalogError, Match, cited_name, default_catalog, resolve_name

        if os.environ.get("KGRAPH_NO_CATALOG"):
            return
        try:
            cat = default_catalog()
        except CatalogError:
            return
        for nk, at in sorted(named, key=lambda p: (p[0], p[1] or "")):
            shown = self._display.get(nk)
            if not shown or cited_name(shown).year is not None or cited_name(shown).number is not None:
                shown = nk  # the display form of a bare key must not bring a year back in
            r = resolve_name(shown, at=at, catalog=cat)
            if isinstance(r, Match) and r.number:
                if at is not None:
                    number = normalize_number(r.number)  # a number without a year (18-L/CTN) keeps the instrument's
                    self.bare_aliases[(nk, at)] = (number, None if year_of_number(number) else r.instrument.year)
            elif isinstance(r, Ambiguous):
                self.bare_ambiguous[(nk, at)] = (r.numbers, r.reason)

    def resolve_cited(self, key: InstrumentKey, citing: InstrumentKey, at: str | None) -> InstrumentKey:
        """A reference's canonical key in the document `citing` (its own key, before resolution) dated `at`.

        Issue 9 item 8 first: a bare name that document names with several years or numbers stays as it is;
        otherwise a bare name takes the catalogue's instrument in force at `at` (`resolve`)."""
        if key.name_key is not None and key.year is None and (citing, key.name_key) in self._held:
            return key
        return self.resolve(key, None if citing in self._undated else at)

    def resolve(self, key: InstrumentKey, at: str | None = None) -> InstrumentKey:
        """The canonical key: a named law with a known number becomes that number's key; a bare name cited by a
        document dated `at` becomes the number the catalogue says was in force then (`_consult_catalogue_bare`)."""
        if key.number is not None:
            return self._fix(key)
        if key.name_key is not None:
            if key.year is not None:
                number = self.aliases.get((key.name_key, key.year))
                if number is not None:
                    return InstrumentKey(number=number, year=None if year_of_number(number) else key.year)
            elif at is not None:
                hit = self.bare_aliases.get((key.name_key, at))
                if hit is not None:
                    return InstrumentKey(number=hit[0], year=hit[1])
        return key

    def names_of(self, key: InstrumentKey) -> list[tuple[str, str]]:
        """(name key, display name) pairs merged into a numbered key (for lookups by name)."""
        if key.number is None:
            return []
        index = self._names_by_number
        if index is None:  # made at the first call (the aliases are settled by then): one pass, not one per key
            index = self._names_by_number = defaultdict(list)
            for (nk, _y), n in self.aliases.items():
                index[n].append(nk)
        return sorted((nk, self._display.get(nk, nk)) for nk in index.get(key.number, ()))

    def instrument(self, key: InstrumentKey) -> Instrument:
        """Type, date and name of an instrument: its own header first, else the corpus's most frequent citation."""
        key = self.resolve(key)
        own, voted, voted_date = self._instruments().evidence(key)
        t = None
        date = None
        if own is not None:
            t = doc_type_for(own.get("type_code"), own.get("type"))
            date = own.get("date")
        if t is None and key.number is not None:
            code, _ = number_codes(key.number)
            if code:
                t = doc_type_for(code, None)
        if t is None and voted is not None:
            t = doc_type_for(voted[0] or None, voted[1])
        names = self.names_of(key)
        if t is None:
            nk = key.name_key or (names[0][0] if names else None)
            if nk:
                t = named_type(nk)
        if date is None:
            date = voted_date
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

    def keys(self) -> Iterator[InstrumentKey]:
        """Every distinct instrument (corpus documents and cited ones), in a stable order, read from the index."""
        return self._instruments().keys()

    def count_keys(self) -> int:
        """How many distinct instruments there are."""
        return self._instruments().count()

    def alias_fingerprint(self) -> str:
        """Changes when a merge changes, so an incremental build knows which per-file triples to redo."""
        h = hashlib.sha256()
        for (nk, y), n in sorted(self.aliases.items()):
            h.update(f"{nk}\t{y}\t{n}\n".encode())
        for n, fixed in sorted(self.number_fixes.items()):
            h.update(f"#{n}\t{fixed}\n".encode())
        for (nk, at), (n, y) in sorted(self.bare_aliases.items()):
            h.update(f"{nk}\t@{at}\t{n}\t{y}\n".encode())
        return h.hexdigest()[:16]


class Evidence:
    """What the corpus says about each instrument, by its key as written (after `Resolver._fix`), while the
    names are still being read: in memory for `BATCH` files, then in a temporary SQLite database (only once
    there is that much: the one-file resolver a worker makes never opens one). `settle` maps each distinct key
    to its final key once the names are settled, and sums the votes by final key (`InstrumentIndex`)."""

    BATCH = 1024  # files whose evidence is counted in memory before it is added to the database (~3 MB)

    def __init__(self) -> None:
        self.db: sqlite3.Connection | None = None
        self.files = 0
        self.cites: dict[InstrumentKey, tuple[Counter, Counter]] = {}  # key → its (code, type) and date votes
        self.bares: Counter = Counter()
        self.own: list[tuple[str, int, str]] = []

    def document(self, key: InstrumentKey, doc: dict[str, Any]) -> None:
        self.own.append((_js(key), self.files, json.dumps(doc, ensure_ascii=False)))

    def cited(self, key: InstrumentKey, tname: str | None, tcode: str | None, date: str | None) -> None:
        votes = self.cites.get(key)  # one look-up of the key a reference (hashing a key is most of the cost)
        if votes is None:
            votes = self.cites[key] = (Counter(), Counter())
        if tname:
            votes[0][(tcode or "", tname)] += 1
        if date:
            votes[1][date] += 1

    def bare(self, key: InstrumentKey, at: str | None, tname: str | None, tcode: str | None, date: str | None) -> None:
        """A bare name cited by a document dated `at` (None: held, resolved without a date)."""
        self.bares[(key, at, (tcode or "") if tname else "", tname or "", date or "")] += 1

    def file_done(self) -> None:
        self.files += 1
        if self.files % self.BATCH == 0:
            self.flush()

    def flush(self) -> None:
        if self.db is None:
            self.db = sqlite3.connect("")  # "": a private temporary database on disk (SQLITE_TMPDIR, TMPDIR or /tmp)
            self.db.executescript("""
                PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8192;
                CREATE TABLE own_raw (js TEXT PRIMARY KEY, seq INTEGER, doc TEXT) WITHOUT ROWID;
                CREATE TABLE keys_raw (js TEXT PRIMARY KEY) WITHOUT ROWID;
                CREATE TABLE types_raw (js TEXT, code TEXT, name TEXT, n INTEGER, PRIMARY KEY (js, code, name)) WITHOUT ROWID;
                CREATE TABLE dates_raw (js TEXT, date TEXT, n INTEGER, PRIMARY KEY (js, date)) WITHOUT ROWID;
                CREATE TABLE bare_raw (js TEXT, at TEXT, code TEXT, name TEXT, date TEXT, n INTEGER,
                                       PRIMARY KEY (js, at, code, name, date)) WITHOUT ROWID;
                CREATE TABLE own (js TEXT PRIMARY KEY, doc TEXT) WITHOUT ROWID;
                CREATE TABLE keys (text TEXT, rep TEXT, js TEXT, PRIMARY KEY (text, rep)) WITHOUT ROWID;
                CREATE TABLE map (raw TEXT PRIMARY KEY, final TEXT) WITHOUT ROWID;
                CREATE TABLE types (js TEXT, code TEXT, name TEXT, n INTEGER, PRIMARY KEY (js, code, name)) WITHOUT ROWID;
                CREATE TABLE dates (js TEXT, date TEXT, n INTEGER, PRIMARY KEY (js, date)) WITHOUT ROWID;
            """)
        db = self.db
        keys, types, dates = [], [], []
        for k, (tv, dv) in self.cites.items():
            j = _js(k)
            keys.append((j,))
            types.extend((j, code, name, n) for (code, name), n in tv.items())
            dates.extend((j, date, n) for date, n in dv.items())
        db.executemany("INSERT OR IGNORE INTO keys_raw VALUES (?)", keys)
        db.executemany("INSERT INTO types_raw VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n", types)
        db.executemany("INSERT INTO dates_raw VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n", dates)
        # SQLite keeps NULLs apart in a key: a bare name's citing date is stored as "@date", none as ""
        db.executemany("INSERT INTO bare_raw VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n",
                       [(_js(k), "" if at is None else "@" + at, code, name, date, n)
                        for (k, at, code, name, date), n in self.bares.items()])
        # a document's own header: the last file of a key wins, at the place its key was first seen
        db.executemany("INSERT INTO own_raw VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc", self.own)
        self.cites.clear()
        self.bares.clear()
        self.own.clear()

    def settle(self, resolver: "Resolver") -> tuple["InstrumentIndex", int]:
        """Every key as written to its final key (`resolver.resolve`; a bare name at its citing date), the votes
        summed by final key; returns the index and how many bare-name mentions the catalogue resolved."""
        self.flush()
        db = self.db
        assert db is not None
        index = InstrumentIndex(db)
        rows = db.execute("SELECT js FROM keys_raw")
        while batch := rows.fetchmany(1024):
            final = [(js, resolver.resolve(_key(js))) for js, in batch]
            db.executemany("INSERT INTO map VALUES (?, ?)", [(js, _js(k)) for js, k in final])
            index.add_keys(k for _, k in final)
        db.execute("INSERT INTO types SELECT m.final, t.code, t.name, SUM(t.n) FROM types_raw t JOIN map m ON m.raw = t.js"
                   " WHERE true GROUP BY m.final, t.code, t.name")
        db.execute("INSERT INTO dates SELECT m.final, t.date, SUM(t.n) FROM dates_raw t JOIN map m ON m.raw = t.js"
                   " WHERE true GROUP BY m.final, t.date")
        bare_resolved = 0
        rows = db.execute("SELECT js, at, code, name, date, n FROM bare_raw")
        while batch := rows.fetchmany(1024):
            types: Counter = Counter()
            dates: Counter = Counter()
            found = []
            for js, at, code, name, date, n in batch:
                k = _key(js)
                rk = resolver.resolve(k, at[1:] if at else None)
                if rk != k:
                    bare_resolved += n
                rk = resolver.resolve(rk)
                found.append(rk)
                if name:
                    types[(_js(rk), code, name)] += n
                if date:
                    dates[(_js(rk), date)] += n
            index.add_keys(found)
            db.executemany("INSERT INTO types VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n",
                           [(*k, n) for k, n in types.items()])
            db.executemany("INSERT INTO dates VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n",
                           [(*k, n) for k, n in dates.items()])
        # keys that resolve alike: the last of them in first-seen order gives the header (as a dict built so keeps)
        rows = db.execute("SELECT js, doc FROM own_raw ORDER BY seq")
        while batch := rows.fetchmany(1024):
            found_own = [(resolver.resolve(_key(js)), doc) for js, doc in batch]
            db.executemany("INSERT OR REPLACE INTO own VALUES (?, ?)", [(_js(k), d) for k, d in found_own])
            index.add_keys(k for k, _ in found_own)
        for table in ("own_raw", "keys_raw", "types_raw", "dates_raw", "bare_raw", "map"):
            db.execute(f"DELETE FROM {table}")
        db.commit()
        return index, bare_resolved


class InstrumentIndex:
    """What the corpus says about each instrument by its final key (its own header, the types and dates its
    citations give, every distinct key), in the temporary SQLite database `Evidence` filled: it grows with the
    corpus, and SQLite holds only a bounded page cache in memory, the rest in its temporary file (deleted when
    closed, or when the process dies). Ties break as `sorted` would: SQLite compares UTF-8 bytes, which order
    as code points do."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def add_keys(self, keys: Iterable[InstrumentKey]) -> None:
        """Each key with what `keys` orders by: its text, then the repr of its list (the order `sorted` gave)."""
        self.db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?, ?)",
                            [(k.text(), repr(k.to_list()), _js(k)) for k in keys])

    def evidence(self, key: InstrumentKey) -> tuple[dict[str, Any] | None, tuple[str, str] | None, str | None]:
        """The facts of the corpus document that is this instrument (if any), the (code or "", type name) its
        citations give most often and the date they give most often (ties to the smallest, as `sorted`)."""
        own, code, name, date = self.db.execute(
            "SELECT (SELECT doc FROM own WHERE js = :k),"
            " (SELECT code FROM types WHERE js = :k ORDER BY n DESC, code, name LIMIT 1),"
            " (SELECT name FROM types WHERE js = :k ORDER BY n DESC, code, name LIMIT 1),"
            " (SELECT date FROM dates WHERE js = :k ORDER BY n DESC, date LIMIT 1)", {"k": _js(key)}).fetchone()
        return None if own is None else json.loads(own), None if name is None else (code, name), date

    def keys(self) -> Iterator[InstrumentKey]:
        """Every key, ordered by (text, repr of its list) as `sorted` orders them."""
        rows = self.db.execute("SELECT js FROM keys ORDER BY text, rep")
        while batch := rows.fetchmany(1024):
            for (js,) in batch:
                yield _key(js)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM keys").fetchone()[0]


def _js(key: InstrumentKey) -> str:
    """A key as the database stores it (its list as JSON: one text per key, read back by `_key`)."""
    return json.dumps(key.to_list(), ensure_ascii=False)


def _key(js: str) -> InstrumentKey:
    return InstrumentKey.from_list(json.loads(js))
