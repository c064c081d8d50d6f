"""What resolving a name needs of the shipped catalogue, held compactly in memory, keyed by the name key.

Deciding which instrument a cited name means reads, of each candidate, its number, type, dates (issued, in
force, ended), year and status; fetching and decoding full rows (title, issuer, provenance) through a SQLite
join cost most of a lookup. This index keeps only those fields, and the rest of a row is read only when a
caller asks for it (`Instrument.__getattr__`).

Laid out for few memory reads a lookup, as a name a corpus cites once finds none of it in a cache: one probe
into a table of 64-bit slots (open addressing, at most half full, the slot at the key's crc32), each holding
the key's crc32 and where its entry starts; the entry holds the key itself (compared whole on a hit: two keys
of one hash are never confused), its candidates' records (row id, number, the `CODED` fields as codes into
per-field tables: one struct each) and their numbers' first parts (before the first "/"; the rest,
`/2013/QH13`, is coded), one after the other, so one or two cache lines answer most lookups. An instrument of
several names has a record under each. About 55 bytes an instrument at 500k (8 MB of slots, 19 MB of
entries); no Python object per row (the arrays are views of the blobs read).

A large catalogue carries it in table `lookup` (`save`, called by the writer), so a process reads a few blobs
instead of every row; a file without it (the small shipped one, an older build) gets one made at the first lookup.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import sys
from array import array
from typing import Any, Callable
from zlib import crc32

#: Bumped when the layout below changes: a stored index of another version is ignored (and rebuilt in memory).
VERSION = 6

#: The fields kept, in `Instrument` order; the rest (ident, title, issuer, src, prov) are read on demand.
CODED = ("type", "date", "year", "effective", "status", "status_basis", "no_longer")

#: Where a record of `Lookup.candidates` holds the codes of an instrument's date, year, date in force, status,
#: its basis and end (each a code into `Lookup.vocab`'s table of that field).
DATE, YEAR, EFFECTIVE, STATUS, STATUS_BASIS, NO_LONGER = 5, 6, 7, 8, 9, 10

#: The fields of each item `Lookup.dated` gives, by position (what a bare name is decided on, then the record).
D_DATE, D_YEAR, D_EFFECTIVE, D_STATUS, D_STATUS_BASIS, D_NO_LONGER, D_RECORD = range(7)


class Lookup:
    """Candidates of a name key: (row id, number, and the `CODED` fields) for each instrument it names."""

    def __init__(self, meta: dict[str, Any], parts: dict[str, bytes]):
        self.meta, self.parts = meta, parts  # as stored: `save` writes them back unchanged
        order = "<" if meta["byteorder"] == "little" else ">"
        if meta["byteorder"] == sys.byteorder:
            self.slots: memoryview | array = memoryview(parts["slots"]).cast("Q")  # the blob itself, not a copy
        else:
            self.slots = array("Q")
            self.slots.frombytes(parts["slots"])
            self.slots.byteswap()
        self.mask = len(self.slots) - 1
        self.entries = self.nums = parts["entries"]  # `Catalog.instrument_of` reads a number's first part here
        self.head = struct.Struct(order + "HH")  # an entry's key size and candidate count
        self.cand = struct.Struct(order + meta["cand"])  # row id, number's first part (offset, size), codes
        self.tails = meta["tails"]  # None: no number
        self.vocab = [meta["vocab"][f] for f in CODED]
        #: value → code of the fields a resolution picks on (-1 for a value no instrument has)
        self.date_code = {v: c for c, v in enumerate(meta["vocab"]["date"])}
        self.year_code = {v: c for c, v in enumerate(meta["vocab"]["year"])}
        self._columns: dict[int, dict[int, Callable[[Any, int], tuple[int, ...]]]] = {}  # `column`'s readers

    def candidates(self, key: str) -> list[tuple[int, ...]] | None:
        """The records of this key's instruments as stored (`Catalog.instrument_of` makes an `Instrument` of
        one), None when no instrument has this key. Their fields at `DATE` and `YEAR` are codes (`date_code`,
        `year_code`): a caller picks among them without decoding the rest."""
        kb = key.encode()
        h = crc32(kb)
        slots, mask = self.slots, self.mask
        i = h & mask
        v = slots[i]
        while v:
            if v & 0xFFFFFFFF == h:  # the key's own hash: its entry is read, and the key in it compared whole
                off = v >> 32
                entries = self.entries
                size, count = self.head.unpack_from(entries, off)
                off += 4
                if size == len(kb) and entries.startswith(kb, off):
                    off += size
                    cand = self.cand
                    if count == 1:  # most keys: one record read in place, no slice copied
                        return [cand.unpack_from(entries, off)]
                    return list(cand.iter_unpack(entries[off:off + count * cand.size]))
            i = (i + 1) & mask
            v = slots[i]
        return None

    def column(self, field: int, count: int) -> Callable[[Any, int], tuple[int, ...]]:
        """`unpack_from` of one field (`DATE`, `YEAR`...) of `count` records stored one after the other: the
        codes a choice among a key's records compares, one call, no record made."""
        readers = self._columns.setdefault(field, {})
        read = readers.get(count)
        if read is None:
            codes = self.meta["cand"]  # one type code a field
            sizes = [struct.calcsize("<" + c) for c in codes]
            before = sum(sizes[:field])
            one = f"{before}x{codes[field]}{self.cand.size - before - sizes[field]}x"
            read = readers[count] = struct.Struct(self.cand.format[0] + one * count).unpack_from
        return read

    def record_at(self, off: int) -> tuple[int, ...]:
        """The record stored at this place of the entries (`resolve`'s cache keeps a match as its place)."""
        return self.cand.unpack_from(self.entries, off)

    def records(self, off: int, count: int) -> list[tuple[int, ...]]:
        """The `count` records stored from this place of the entries."""
        return list(self.cand.iter_unpack(self.entries[off:off + count * self.cand.size]))

    def dated(self, records: list[tuple[int, ...]]) -> list[tuple[Any, ...]]:
        """(date, year, effective, status, status_basis, no_longer, record) of each record `candidates` gave:
        what a bare name is decided on, without the row id, number and type an answer alone needs."""
        _, vd, vy, ve, vs, vb, vn = self.vocab
        return [(vd[r[5]], vy[r[6]], ve[r[7]], vs[r[8]], vb[r[9]], vn[r[10]], r) for r in records]

    # ----------------------------------------------------------------- making, storing

    @classmethod
    def build(cls, con: sqlite3.Connection, schema: str = "main") -> Lookup:
        """From the file's rows (every instrument and name: the cost a stored index saves)."""
        tails: dict[str | None, int] = {}
        tables: list[dict[Any, int]] = [{} for _ in CODED]
        rows: dict[int, tuple[Any, ...]] = {}  # row id → (number's first part, tail code, *codes)
        for r in con.execute(f"SELECT id, number, {', '.join(CODED)} FROM {schema}.instrument ORDER BY id"):
            number = r[1]
            cut = -1 if number is None else number.find("/")
            if cut < 0:
                cut = len(number or "")
            rows[r[0]] = ((number or "")[:cut].encode(), tails.setdefault(None if number is None else number[cut:],
                                                                            len(tails)),
                          *[t.setdefault(v, len(t)) for t, v in zip(tables, r[2:])])
        by_key: dict[str, list[int]] = {}
        for k, i in con.execute(f"SELECT key, id FROM {schema}.name ORDER BY key, id"):
            by_key.setdefault(k, []).append(i)
        ids = [i for v in by_key.values() for i in v]
        big = bool(ids) and (min(ids) < 0 or max(ids) >= 2**32)
        cand = ("q" if big else "I") + "IH" + _code_for(len(tails)) + "".join(_code_for(len(t)) for t in tables)
        order = "<" if sys.byteorder == "little" else ">"
        hs, cs = struct.Struct(order + "HH"), struct.Struct(order + cand)
        size = 8
        while size < 2 * len(by_key):  # at most half full: a probe finds its key or an empty slot in one or two
            size *= 2
        slots = array("Q", bytes(8 * size))
        entries = bytearray(b"\0")  # no entry at offset 0: a slot of 0 is an empty one
        for k, ids in sorted(by_key.items()):
            kb = k.encode()
            if len(kb) >= 2**16 or len(ids) >= 2**16:
                raise ValueError("too large for the compact name index")  # a key of 64 kB, 64k instruments
            h = crc32(kb)
            i = h & (size - 1)
            while slots[i]:
                i = (i + 1) & (size - 1)
            slots[i] = len(entries) << 32 | h
            entries += hs.pack(len(kb), len(ids)) + kb
            at = len(entries) + cs.size * len(ids)  # the numbers' first parts follow the records: one read
            heads = []
            for i in ids:
                head, tail, *codes = rows[i]
                if len(head) >= 2**16:
                    raise ValueError("too large for the compact name index")  # a number of 64k characters
                entries += cs.pack(i, at, len(head), tail, *codes)
                at += len(head)
                heads.append(head)
            entries += b"".join(heads)
            if len(entries) >= 2**32:
                raise ValueError("too large for the compact name index")  # 4 GB of entries
        meta: dict[str, Any] = {"version": VERSION, "byteorder": sys.byteorder, "vocab": {}, "cand": cand,
                                "tails": list(tails), "instruments": len(rows),
                                "max_id": max(rows) if rows else None}
        for f, t in zip(CODED, tables):
            meta["vocab"][f] = list(t)
        parts = {"slots": slots.tobytes(), "entries": bytes(entries)}
        return cls(meta, parts)

    def save(self, con: sqlite3.Connection) -> None:
        """Store it in the catalogue file (table `lookup`), for the processes that open the file after."""
        con.execute("DROP TABLE IF EXISTS lookup")
        con.execute("CREATE TABLE lookup(part TEXT PRIMARY KEY, data BLOB)")  # rowid: read by incremental blob I/O
        con.executemany("INSERT INTO lookup VALUES (?, ?)",
                        [("meta", json.dumps(self.meta, ensure_ascii=False).encode())]
                        + list(self.parts.items()))

    @classmethod
    def load(cls, con: sqlite3.Connection, schema: str = "main") -> Lookup | None:
        """The stored index, when there is one of this version that still fits the file's instruments."""
        try:
            row = con.execute(f"SELECT data FROM {schema}.lookup WHERE part = 'meta'").fetchone()
        except sqlite3.OperationalError:
            return None  # no such table
        if row is None:
            return None
        meta = json.loads(row[0])
        n, top = con.execute(f"SELECT COUNT(*), MAX(id) FROM {schema}.instrument").fetchone()
        if meta.get("version") != VERSION or meta.get("instruments") != n or meta.get("max_id") != top:
            return None  # written before rows were added or replaced: the rows are the truth
        parts = {}
        for rid, part in con.execute(f"SELECT rowid, part FROM {schema}.lookup WHERE part != 'meta'").fetchall():
            with con.blobopen("lookup", "data", rid, readonly=True, name=schema) as b:
                parts[part] = b.read()  # straight into one bytes object: a SELECT would hold a second copy
        return cls(meta, parts)


def _code_for(n: int) -> str:
    """The smallest array type code for indexes into a table of `n` values."""
    return "B" if n <= 256 else "H" if n <= 65536 else "I"


def lookup_for(con: sqlite3.Connection, schema: str = "main") -> Lookup:
    """The stored index, else one made from the rows."""
    return Lookup.load(con, schema) or Lookup.build(con, schema)
