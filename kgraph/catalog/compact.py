"""What resolving a name needs of the shipped catalogue, held compactly in memory, keyed by the name key.

Deciding which instrument a cited name means reads, of each candidate, its number, type, dates (issued, in
force, ended), year and status; fetching and decoding full rows (title, issuer, provenance) through a SQLite
join cost most of a lookup. This index keeps only those fields, and the rest of a row is read only when a
caller asks for it (`Instrument.__getattr__`). Keys are found by a stable hash (crc32) in a sorted array, and
checked against the key itself (two keys of one hash are never confused).

Laid out for few memory reads a lookup, as a name a corpus cites once finds none of it in a cache: a key's
record (where its text and its candidates are, one struct) sits at its hash's rank, and its candidates' records
(row id, number, the `CODED` fields as codes into per-field tables: one struct each) follow each other, with
their numbers' first parts (before the first "/"; the rest, `/2013/QH13`, is coded) in the same order. An
instrument of several names has a record under each. About 40 bytes an instrument at 500k (20 MB); no Python
object per row (the arrays are views of the blobs read).

A large catalogue carries it in table `lookup` (`save`, called by the writer), so a process reads a few blobs
instead of every row; a file without it (the small shipped one, an older build) gets one made at the first lookup.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import sys
from array import array
from bisect import bisect_left
from typing import Any
from zlib import crc32

#: Bumped when the layout below changes: a stored index of another version is ignored (and rebuilt in memory).
VERSION = 5

#: The fields kept, in `Instrument` order; the rest (ident, title, issuer, src, prov) are read on demand.
CODED = ("type", "date", "year", "effective", "status", "status_basis", "no_longer")

#: Where a record of `Lookup.candidates` holds the codes of an instrument's date and year.
DATE, YEAR = 5, 6

#: The fields of each item `Lookup.dated` gives, by position (what a bare name is decided on, then the record).
D_DATE, D_YEAR, D_EFFECTIVE, D_STATUS, D_STATUS_BASIS, D_NO_LONGER, D_RECORD = range(7)


class Lookup:
    """Candidates of a name key: (row id, number, and the `CODED` fields) for each instrument it names."""

    def __init__(self, meta: dict[str, Any], parts: dict[str, bytes]):
        def arr(name: str, code: str) -> memoryview | array:
            if meta["byteorder"] == sys.byteorder:
                return memoryview(parts[name]).cast(code)  # the blob itself, not a copy
            a = array(code)
            a.frombytes(parts[name])
            a.byteswap()
            return a

        self.meta, self.parts = meta, parts  # as stored: `save` writes them back unchanged
        order = "<" if meta["byteorder"] == "little" else ">"
        self.hashes = arr("hash", "I")  # one a distinct key, ascending
        self.top = arr("top", "I")  # where each value of a hash's top 16 bits starts: a search among a few keys
        self.key_rec = struct.Struct(order + meta["key_rec"])  # key text's offset and size, first candidate, count
        self.key_recs = parts["key_recs"]
        self.keys = parts["keys"]  # each key less its first word (coded in its record)
        self.heads = {h.encode(): i for i, h in enumerate(meta["heads"])}
        self.cand = struct.Struct(order + meta["cand"])  # row id, number's first part (offset, size), codes
        self.cands = parts["cands"]
        self.nums = parts["nums"]
        self.tails = meta["tails"]  # None: no number
        self.vocab = [meta["vocab"][f] for f in CODED]
        #: value → code of the fields a resolution picks on (-1 for a value no instrument has)
        self.date_code = {v: c for c, v in enumerate(meta["vocab"]["date"])}
        self.year_code = {v: c for c, v in enumerate(meta["vocab"]["year"])}

    def candidates(self, key: str) -> list[tuple[int, ...]] | None:
        """The records of this key's instruments as stored (numbers: `decode` makes a row of one), None when
        no instrument has this key. Their fields at `DATE` and `YEAR` are codes (`date_code`, `year_code`): a
        caller picks among them without decoding the rest."""
        kb = key.encode()
        h = crc32(kb)
        hs, top = self.hashes, self.top
        t = h >> 16
        n = top[t + 1]
        i = bisect_left(hs, h, top[t], n)
        if i == n or hs[i] != h:
            return None
        cut = kb.find(b" ") + 1
        head = self.heads.get(kb[:cut])
        if head is None:
            return None
        rest = kb[cut:]
        size, keys, recs, key_rec = len(rest), self.keys, self.key_recs, self.key_rec
        unpack, step = key_rec.unpack_from, key_rec.size
        while i < n and hs[i] == h:
            off, ksize, hd, first, count = unpack(recs, i * step)
            if ksize == size and hd == head and keys.startswith(rest, off):
                cand = self.cand
                step = cand.size
                if count == 1:  # most keys: one record read in place, no slice copied
                    return [cand.unpack_from(self.cands, first * step)]
                return list(cand.iter_unpack(self.cands[first * step:(first + count) * step]))
            i += 1
        return None

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
        order = sorted((crc32(kb), kb, ids) for kb, ids in ((k.encode(), ids) for k, ids in by_key.items()))
        heads: dict[str, int] = {}
        ids = [i for *_, ids in order for i in ids]
        big = bool(ids) and (min(ids) < 0 or max(ids) >= 2**32)
        cand = ("q" if big else "I") + "IH" + _code_for(len(tails)) + "".join(_code_for(len(t)) for t in tables)
        hashes, keys, nums = array("I"), bytearray(), bytearray()
        key_fields: list[tuple[int, int, int, int, int]] = []
        cands: list[tuple[Any, ...]] = []
        for h, kb, ids in order:
            hashes.append(h)
            cut = kb.find(b" ") + 1
            rest = kb[cut:]
            key_fields.append((len(keys), len(rest), heads.setdefault(kb[:cut].decode(), len(heads)), len(cands),
                               len(ids)))
            keys += rest
            for i in ids:
                head, tail, *codes = rows[i]
                cands.append((i, len(nums), len(head), tail, *codes))
                nums += head
        key_rec = "II" + _code_for(len(heads)) + "II"  # key text's offset, size, first word's code; candidates
        if len(keys) >= 2**32 or len(nums) >= 2**32 or max((len(r[0]) for r in rows.values()), default=0) >= 2**16:
            raise ValueError("too large for the compact name index")  # 4 GB of keys, a number of 64k characters
        top = array("I", [0] * 65537)
        for h in hashes:
            top[(h >> 16) + 1] += 1
        for t in range(65536):
            top[t + 1] += top[t]
        ks, cs = struct.Struct("=" + key_rec), struct.Struct("=" + cand)
        key_recs, cand_recs = bytearray(ks.size * len(key_fields)), bytearray(cs.size * len(cands))
        for n, f in enumerate(key_fields):
            ks.pack_into(key_recs, n * ks.size, *f)
        for n, f in enumerate(cands):
            cs.pack_into(cand_recs, n * cs.size, *f)
        meta: dict[str, Any] = {"version": VERSION, "byteorder": sys.byteorder, "vocab": {}, "key_rec": key_rec,
                                "cand": cand, "tails": list(tails), "heads": list(heads),
                                "instruments": len(rows), "max_id": max(rows) if rows else None}
        for f, t in zip(CODED, tables):
            meta["vocab"][f] = list(t)
        parts = {"hash": hashes.tobytes(), "top": top.tobytes(), "key_recs": bytes(key_recs), "keys": bytes(keys),
                 "cands": bytes(cand_recs), "nums": bytes(nums)}
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
