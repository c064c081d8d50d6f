"""The catalogue on disk: one SQLite schema, opened read-only, a user's file layered over the shipped one.

Hundreds of thousands of instruments must not sit in RAM as rows: a name is looked up in a compact index of
the shipped file (kgraph/catalog/compact.py: only what resolution decides on, tens of bytes an instrument),
the rest of a row is read when a caller asks for it, and only a bounded cache of recent name keys is kept.
Every other lookup is an indexed query. The shipped file is package data opened `immutable`; the
user's file (env `KGRAPH_CATALOG`, else ~/.local/share/kgraph/catalog.sqlite) is attached when it exists,
and its rows hide shipped rows of the same instrument.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from kgraph.catalog.compact import Lookup, lookup_for
from kgraph.catalog.names import fold_words, name_key
from kgraph.numbers import normalize_number

#: Bumped when the tables change; a file with another version is refused with a clear message.
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source(code TEXT PRIMARY KEY, rank INTEGER, title TEXT, origin TEXT, note TEXT)
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS instrument(
  id INTEGER PRIMARY KEY,
  ident TEXT NOT NULL,        -- number|type, or name key|date for an instrument without a number
  number TEXT, number_key TEXT, type TEXT, title TEXT, issuer TEXT,
  date TEXT, year INTEGER, effective TEXT,
  status TEXT, status_basis TEXT, no_longer TEXT,
  src TEXT,                   -- the source its number (or, without one, its title) comes from
  prov TEXT                   -- the source of each chosen field: `title=text;date=phapdien;...`
);
CREATE UNIQUE INDEX IF NOT EXISTS instrument_ident ON instrument(ident);
CREATE INDEX IF NOT EXISTS instrument_number ON instrument(number_key);
CREATE TABLE IF NOT EXISTS name(key TEXT NOT NULL, id INTEGER NOT NULL, shown TEXT, src TEXT,
  PRIMARY KEY(key, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS effect(id INTEGER NOT NULL, kind TEXT NOT NULL, other TEXT, other_type TEXT,
  date TEXT, src TEXT, basis TEXT);
CREATE INDEX IF NOT EXISTS effect_id ON effect(id);
CREATE INDEX IF NOT EXISTS effect_other ON effect(other);
-- claims that lost: a lower source's different value (the chosen value's source is in instrument.prov)
CREATE TABLE IF NOT EXISTS fact(id INTEGER NOT NULL, field TEXT NOT NULL, value TEXT, src TEXT);
CREATE INDEX IF NOT EXISTS fact_id ON fact(id);
"""

STATUSES = ("in_force", "partly_in_force", "no_longer_in_force", "likely_no_longer_in_force",
            "not_yet_in_force", "unknown")
EFFECT_KINDS = ("amended_by", "repealed_in_part_by", "suspended_by", "replaced_by", "repealed_by")

_YEAR_IN_NUMBER = re.compile(r"^\d+[a-zA-Z]?(?:\.\d+)?/(?:19|20)\d\d/")
_COLS = "id, ident, number, type, title, issuer, date, year, effective, status, status_basis, no_longer, src, prov"


def shipped_path() -> Path:
    """The catalogue shipped with kgraph (package data)."""
    return Path(str(resources.files("kgraph.catalog") / "data" / "catalog.sqlite"))


def user_path() -> Path:
    """Where a user's own instruments go: env KGRAPH_CATALOG, else ~/.local/share/kgraph/catalog.sqlite."""
    env = os.environ.get("KGRAPH_CATALOG")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "kgraph" / "catalog.sqlite"


def _readable_file(path: Path) -> bool:
    """Whether a user catalogue is there to attach. One that cannot be reached (a home this user may not
    search) is said once on stderr and left out: the shipped catalogue still answers."""
    try:
        return path.is_file()
    except OSError as e:
        print(f"kgraph: the user catalogue {path} cannot be read ({e.strerror}); using the shipped one only",
              file=sys.stderr)
        return False


def number_lookup_key(number: str) -> str:
    """Numbers are looked up loosely (case, Đ/D): `14/2022/qh15`."""
    return fold_words(normalize_number(number)).replace("đ", "d")


def ident_of(number: str | None, type_: str | None, key: str | None, date: str | None) -> str:
    """One instrument's identity: its number and type (a law and a resolution share `55/2010/QH12`),
    else its name key and date."""
    if number:
        if not _YEAR_IN_NUMBER.match(number):  # 120/KH-UBND is reused every year (and by every province)
            return f"{number}|{type_ or ''}|{(date or '')[:4]}"
        return f"{number}|{type_ or ''}"
    return f"~{key or ''}|{date or ''}"


@dataclass(slots=True)
class Instrument:
    """One catalogue entry as a lookup returns it (names, effects and disputed facts via `Catalog.details`).

    Fields are in the order of the query's columns, so rows become instruments positionally (fast). One a name
    lookup returns (`Catalog.by_key`) is made from the compact index with ident, title, issuer, src and prov
    left unset: the first read of one of them reads the row (`__getattr__`, `_fill`)."""

    number: str | None
    type: str | None
    title: str | None
    issuer: str | None
    date: str | None
    year: int | None
    effective: str | None
    status: str | None
    status_basis: str | None
    no_longer: str | None
    src: str | None
    prov: str | None = None
    layer: str = "shipped"
    ident: str = ""
    row: int = 0
    _fill: Any = field(default=None, repr=False, compare=False)

    def __getattr__(self, name: str) -> Any:
        """Called only for an unset field: one the compact index left out, read now."""
        if name in _LAZY:
            fill = self._fill
            if fill is not None:
                fill(self)
                return getattr(self, name)
        raise AttributeError(name)

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in _STATE)  # every field read, the reader (a connection) left out

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for f, v in zip(_STATE, state):
            setattr(self, f, v)
        self._fill = None

    def label(self) -> str:
        return " ".join(x for x in (self.type, self.number, f"({self.date})" if self.date else None) if x) or self.ident

    def in_force_at(self, day: str) -> bool | None:
        """Whether in force on `day` (ISO) by the catalogue's dates; None when they do not say."""
        if self.no_longer and day >= self.no_longer:
            return False
        start = self.effective or None
        if start is None:
            return None
        if day < start:
            return False
        if self.no_longer:
            return True
        if self.status in ("no_longer_in_force", "likely_no_longer_in_force"):
            return None
        return True


_LAZY = frozenset(("ident", "title", "issuer", "src", "prov"))
_STATE = tuple(f for f in Instrument.__dataclass_fields__ if f != "_fill")
_new_instrument = Instrument.__new__


@dataclass(slots=True)
class Details:
    instrument: Instrument
    names: list[str] = field(default_factory=list)
    effects: list[dict[str, Any]] = field(default_factory=list)
    affects: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)


class _Filler:
    """Reads the fields the compact index leaves out of an instrument, when a caller first asks for one. One
    object a catalogue, not a bound method an instrument: the instruments a resolution keeps are fewer for the
    garbage collector to walk, and it holds no reference back to the `Catalog`."""

    __slots__ = ("con", "strings")

    def __init__(self, con: sqlite3.Connection, strings: dict[str, str]):
        self.con, self.strings = con, strings

    def __call__(self, inst: Instrument) -> None:
        r = self.con.execute("SELECT ident, title, issuer, src, prov FROM main.instrument WHERE id = ?",
                             (inst.row,)).fetchone()
        s = self.strings.setdefault
        inst.ident, inst.title, inst.issuer, inst.src, inst.prov = r[0], r[1], s(r[2], r[2]), s(r[3], r[3]), s(r[4], r[4])
        inst._fill = None


class CatalogError(Exception):
    """A catalogue file that cannot be used (missing, another schema version)."""


def _connect(path: Path, *, immutable: bool) -> sqlite3.Connection:
    if not path.exists():
        raise CatalogError(f"{path}: no catalogue file")
    uri = f"file:{path}?mode=ro" + ("&immutable=1" if immutable else "")
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    _check_version(con, path)
    return con


def _check_version(con: sqlite3.Connection, path: Path, schema: str = "main") -> None:
    try:
        row = con.execute(f"SELECT value FROM {schema}.meta WHERE key='schema_version'").fetchone()
    except sqlite3.DatabaseError as e:
        raise CatalogError(f"{path}: not a kgraph catalogue ({e})") from None
    if row is None or int(row[0]) != SCHEMA_VERSION:
        raise CatalogError(f"{path}: catalogue schema {row[0] if row else '?'}, this kgraph reads {SCHEMA_VERSION}")


class Catalog:
    """Read-only lookups over the shipped catalogue and, above it, the user's.

    `by_name` keeps the candidates of the last `cache_size` keys: names repeat across a corpus and the
    rows are few, so memory stays bounded whatever the catalogue's size.
    """

    def __init__(self, shipped: Path | str | None = None, user: Path | str | None | bool = None,
                 cache_size: int = 10_000, resolved_size: int = 30_000):
        self.shipped = Path(shipped) if shipped else shipped_path()
        self.con = _connect(self.shipped, immutable=True)
        self.user: Path | None = None
        if user is not False:
            up = Path(user) if user else user_path()
            if _readable_file(up):
                self.con.execute("ATTACH DATABASE ? AS user", (f"file:{up}?mode=ro",))
                _check_version(self.con, up, "user")
                self.user = up
        self._strings: dict[str, str] = {}
        self._layers = ["user", "main"] if self.user else ["main"]
        self._cache: OrderedDict[str, list[Instrument]] = OrderedDict()
        self._cache_size = cache_size
        self.resolved_half = resolved_size // 2
        #: resolve_name's answers, by name (by (name, year, date, at) when more is asked): bounded like the key
        #: cache, in two halves (the recent and the previous `resolved_size / 2` names asked; a name found in the
        #: previous half moves on).
        self.resolved: dict[str | tuple[Any, ...], Any] = {}
        self.resolved_old: dict[str | tuple[Any, ...], Any] = {}
        cols = ", ".join("i." + c.strip() for c in _COLS.split(","))
        # the shipped file's names are looked up in the compact index (`_shipped`); the user's by this query
        self._q_name_user = (f"SELECT 'user', {cols} FROM user.name n JOIN user.instrument i ON i.id = n.id "
                             "WHERE n.key = ?")
        self._lookup: Lookup | None = None
        #: `resolve_name` of a name not in the answer cache, made for this catalogue by kgraph.catalog.resolve
        self.resolver: Any = None
        self._filler = _Filler(self.con, self._strings)  # one for every instrument the index gives
        self._q_number = " UNION ALL ".join(
            f"SELECT '{lay}', {_COLS} FROM {lay}.instrument WHERE number_key = ?" for lay in self._layers)

    # ----------------------------------------------------------------- meta

    def meta(self) -> dict[str, str]:
        return dict(self.con.execute("SELECT key, value FROM main.meta"))

    def sources(self) -> list[tuple[str, int, str, str, str]]:
        return list(self.con.execute("SELECT code, rank, title, origin, note FROM main.source ORDER BY rank"))

    def count(self) -> int:
        return sum(self.con.execute(f"SELECT COUNT(*) FROM {lay}.instrument").fetchone()[0] for lay in self._layers)

    # ----------------------------------------------------------------- lookups

    def _rows(self, sql: str, args: tuple[Any, ...]) -> list[Instrument]:
        out: list[Instrument] = []
        seen: set[str] = set()
        one_layer = len(self._layers) == 1  # idents are unique in a layer: nothing to hide
        s = self._strings.setdefault  # shared strings, not one copy a row (type, issuer, status, basis, src, prov)
        for r in self.con.execute(sql, args):
            ident = r[2]
            if not one_layer:
                if ident in seen:  # the user's row hides the shipped one
                    continue
                seen.add(ident)
            out.append(Instrument(r[3], s(r[4], r[4]), r[5], s(r[6], r[6]), r[7], r[8], r[9], s(r[10], r[10]),
                                  s(r[11], r[11]), r[12], s(r[13], r[13]), s(r[14], r[14]),
                                  "user" if r[0] == "user" else "shipped", ident, r[1]))
        return out

    def index(self) -> Lookup:
        """The shipped file's compact name index (made, or read from the file, at the first lookup; the shipped
        file is immutable, so it stays true). Resolution picks among a key's records (`Lookup.candidates`)
        before it makes an `Instrument` (`instrument_of`) of the few it answers with."""
        lk = self._lookup
        if lk is None:
            lk = self._lookup = lookup_for(self.con, "main")
        return lk

    def instrument_of(self, record: tuple[int, ...]) -> Instrument:
        """An `Instrument` of a record of the index; the fields the index leaves out are read on first use."""
        lk = self._lookup or self.index()
        rowid, noff, nsize, tail, t, d, y, e, s, b, no = record  # as `Lookup.build` packs it
        vt, vd, vy, ve, vs, vb, vn = lk.vocab
        tail = lk.tails[tail]
        i = _new_instrument(Instrument)
        i.row, i.number, i.type, i.date, i.year, i.effective, i.status, i.status_basis, i.no_longer = \
            rowid, None if tail is None else lk.nums[noff:noff + nsize].decode() + tail, vt[t], vd[d], vy[y], \
            ve[e], vs[s], vb[b], vn[no]
        i.layer = "shipped"
        i._fill = self._filler
        return i

    def _shipped(self, key: str) -> list[Instrument] | None:
        """The shipped file's instruments of this key from the compact index; None when it has no such name."""
        found = self.index().candidates(key)
        return None if found is None else [self.instrument_of(r) for r in found]

    def by_key(self, key: str) -> list[Instrument]:
        """Every instrument one of whose names has this key (all years)."""
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        rows = self._shipped(key)
        if self.user:  # the user's file can change while we run: always asked
            mine = self._rows(self._q_name_user, (key,))
            if rows is None:
                rows = mine
            elif mine:  # the user's row hides the shipped one of the same instrument
                idents = {i.ident for i in mine}
                rows = mine + [i for i in rows if i.ident not in idents]
        elif rows is None:
            return []  # the index answers as fast as the cache would: no entry spent on it
        self._cache[key] = rows
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return rows

    def by_name(self, name: str) -> list[Instrument]:
        return self.by_key(name_key(name))

    def by_number(self, number: str) -> list[Instrument]:
        """Every instrument with this number (a law and a resolution can share one)."""
        return self._rows(self._q_number, (number_lookup_key(number),) * len(self._layers))

    def search(self, text: str, limit: int = 20) -> list[Instrument]:
        """Instruments whose number is the text, then those whose title contains its words (folded)."""
        out = self.by_number(text) if any(ch.isdigit() for ch in text) else []
        words = name_key(text).split()
        if words:
            self.con.create_function("kfold", 1, lambda s: name_key(s) if s else "", deterministic=True)
            like = "%" + " ".join(words).replace("%", "").replace("_", "") + "%"
            sql = " UNION ALL ".join(
                f"SELECT '{lay}', {_COLS} FROM {lay}.instrument WHERE kfold(title) LIKE ?" for lay in self._layers)
            known = {i.ident for i in out}
            for i in self._rows(sql, (like,) * len(self._layers)):
                if i.ident not in known:
                    out.append(i)
                    known.add(i.ident)
        out.sort(key=lambda i: (i.layer != "user", len(i.title or ""), -(i.year or 0), i.number or ""))
        return out[:limit]

    def details(self, inst: Instrument) -> Details:
        """Names, effects (on it and by it) and every fact with its source."""
        lay = "user" if inst.layer == "user" else "main"
        d = Details(instrument=inst)
        d.names = [r[0] for r in self.con.execute(
            f"SELECT COALESCE(shown, ?) FROM {lay}.name WHERE id = ? ORDER BY 1", (inst.title, inst.row)) if r[0]]
        d.effects = [dict(kind=k, other=o, other_type=t, date=dt, src=s, basis=b) for k, o, t, dt, s, b in
                     self.con.execute(f"SELECT kind, other, other_type, date, src, basis FROM {lay}.effect "
                                      f"WHERE id = ? ORDER BY date, other", (inst.row,))]
        if inst.number:
            for lay2 in self._layers:
                d.affects += [dict(kind=k, other=o, other_type=t, date=dt, src=s) for k, o, t, dt, s in
                              self.con.execute(
                                  f"SELECT e.kind, i.number, i.type, e.date, e.src FROM {lay2}.effect e JOIN "
                                  f"{lay2}.instrument i ON i.id = e.id WHERE e.other = ? ORDER BY e.date",
                                  (inst.number,))]
        chosen = dict(p.split("=", 1) for p in (inst.prov or "").split(";") if "=" in p)
        d.facts = [dict(field=f, value=getattr(inst, f), src=s, chosen=True) for f, s in chosen.items()
                   if hasattr(inst, f)]
        d.facts += [dict(field=f, value=v, src=s, chosen=False) for f, v, s in self.con.execute(
            f"SELECT field, value, src FROM {lay}.fact WHERE id = ? ORDER BY field, src", (inst.row,))]
        return d

    def effects_of(self, inst: Instrument) -> list[dict[str, Any]]:
        return self.details(inst).effects

    def iter_all(self) -> Iterator[Instrument]:
        """Every instrument (user layer first), one query, streamed."""
        for lay in self._layers:
            yield from self._rows(f"SELECT '{lay}', {_COLS} FROM {lay}.instrument ORDER BY id", ())

    def close(self) -> None:
        self.con.close()


_DEFAULT: Catalog | None = None


def default_catalog() -> Catalog:
    """The shipped catalogue with the user's over it, opened once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Catalog()
    return _DEFAULT
