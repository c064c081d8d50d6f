"""What resolving a name needs of the shipped catalogue, held compactly in memory, keyed by the name key.

Deciding which instrument a cited name means reads, of each candidate, its number, type, dates (issued, in
force, ended), year and status; fetching and decoding full rows (title, issuer, provenance) through a SQLite
join cost most of a lookup. This index keeps only those fields, in flat arrays sorted by a stable hash of the
key (crc32), with the keys themselves so that a hit is checked (two keys of one hash are never confused), and
the rest of a row is read only when a caller asks for it (`Instrument.__getattr__`). Low-cardinality fields
(type, dates, status, and a number's part from its first "/": `/2013/QH13`) are codes into per-field tables;
the rest of numbers and of keys (after a first word such as `luật `, coded too) are UTF-8 blobs with offsets:
about 55 bytes an instrument (26 MB at 500k), no Python object per row (the arrays are views of the blobs read).

A large catalogue carries it in table `lookup` (`save`, called by the writer), so a process reads a few blobs
instead of every row; a file without it (the small shipped one, an older build) gets one made at the first lookup.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from array import array
from bisect import bisect_left
from typing import Any
from zlib import crc32

#: Bumped when the layout below changes: a stored index of another version is ignored (and rebuilt in memory).
VERSION = 4

#: The fields kept, in `Instrument` order; the rest (ident, title, issuer, src, prov) are read on demand.
CODED = ("type", "date", "year", "effective", "status", "status_basis", "no_longer")


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
        self.hashes = arr("hash", "I")  # one a distinct key, ascending
        self.key_off = arr("key_off", "I")
        self.keys = parts["keys"]
        self.start = arr("start", "I")  # key i's instruments: inst[start[i]:start[i+1]], by row id as SQLite gives them
        self.inst = arr("inst", "I")
        self.rowid = arr("rowid", meta["rowid"])
        self.num_off = arr("num_off", "I")
        self.nums = parts["nums"]
        self.tails = meta["tails"]  # None: no number
        self.num_tail = arr("num_tail", meta["tail_code"])
        self.vocab = [meta["vocab"][f] for f in CODED]
        self.codes = [arr(f"c_{f}", meta["codes"][f]) for f in CODED]
        self._cols = tuple(x for pair in zip(self.vocab, self.codes) for x in pair)  # (table, codes) a field
        self.heads = [h.encode() for h in meta["heads"]]
        self.key_head = arr("key_head", meta["head_code"])
        self.top = arr("top", "I")  # where each value of a hash's top 16 bits starts: a search among a few keys

    def find(self, key: str) -> list[tuple[Any, ...]] | None:
        """(row id, number, *CODED) of each instrument one of whose names has this key; None when none has."""
        kb = key.encode()
        h = crc32(kb)
        hs = self.hashes
        t = h >> 16
        n = self.top[t + 1]
        i = bisect_left(hs, h, self.top[t], n)
        if i == n or hs[i] != h:
            return None
        cut = kb.find(b" ") + 1
        head, rest = kb[:cut], kb[cut:]
        off, keys, size = self.key_off, self.keys, len(rest)
        while i < n and hs[i] == h:
            a = off[i]
            if off[i + 1] - a == size and keys.startswith(rest, a) and self.heads[self.key_head[i]] == head:
                return [self._row(self.inst[j]) for j in range(self.start[i], self.start[i + 1])]
            i += 1
        return None

    def _row(self, m: int) -> tuple[Any, ...]:
        no = self.num_off
        tail = self.tails[self.num_tail[m]]
        number = None if tail is None else self.nums[no[m]:no[m + 1]].decode() + tail
        vt, ct, vd, cd, vy, cy, ve, ce, vs, cs, vb, cb, vn, cn = self._cols  # unrolled: costs a third less
        return (self.rowid[m], number, vt[ct[m]], vd[cd[m]], vy[cy[m]], ve[ce[m]], vs[cs[m]], vb[cb[m]], vn[cn[m]])

    # ----------------------------------------------------------------- making, storing

    @classmethod
    def build(cls, con: sqlite3.Connection, schema: str = "main") -> Lookup:
        """From the file's rows (every instrument and name: the cost a stored index saves)."""
        rowid = array("q")  # stored as "I" when the ids fit (they do but in a file of 4 billion rows)
        nums = bytearray()
        num_off = array("I", [0])
        tails: dict[str | None, int] = {}
        num_tail: list[int] = []
        tables: list[dict[Any, int]] = [{} for _ in CODED]
        codes: list[list[int]] = [[] for _ in CODED]
        pos: dict[int, int] = {}
        for r in con.execute(f"SELECT id, number, {', '.join(CODED)} FROM {schema}.instrument ORDER BY id"):
            pos[r[0]] = len(rowid)
            rowid.append(r[0])
            number = r[1]
            cut = -1 if number is None else number.find("/")
            if cut < 0:
                cut = len(number or "")
            nums += (number or "")[:cut].encode()
            num_tail.append(tails.setdefault(None if number is None else number[cut:], len(tails)))
            num_off.append(len(nums))
            for t, c, v in zip(tables, codes, r[2:]):
                c.append(t.setdefault(v, len(t)))
        by_key: dict[str, list[int]] = {}
        for k, i in con.execute(f"SELECT key, id FROM {schema}.name ORDER BY key, id"):
            by_key.setdefault(k, []).append(pos[i])
        order = sorted((crc32(kb), kb, ms) for kb, ms in ((k.encode(), ms) for k, ms in by_key.items()))
        hashes, key_off, start, inst = array("I"), array("I", [0]), array("I", [0]), array("I")
        keys = bytearray()
        heads: dict[str, int] = {}
        key_head = []
        for h, kb, ms in order:
            hashes.append(h)
            cut = kb.find(b" ") + 1
            key_head.append(heads.setdefault(kb[:cut].decode(), len(heads)))
            keys += kb[cut:]
            key_off.append(len(keys))
            inst.extend(ms)
            start.append(len(inst))
        top = array("I", [0] * 65537)
        for h in hashes:
            top[(h >> 16) + 1] += 1
        for t in range(65536):
            top[t + 1] += top[t]
        if not rowid or (rowid[0] >= 0 and rowid[-1] < 2**32):
            rowid = array("I", rowid)
        meta: dict[str, Any] = {"version": VERSION, "byteorder": sys.byteorder, "vocab": {}, "codes": {},
                                "rowid": rowid.typecode, "tails": list(tails), "heads": list(heads),
                                "head_code": _code_for(len(heads)), "tail_code": _code_for(len(tails)),
                                "instruments": len(rowid), "max_id": rowid[-1] if rowid else None}
        parts = {"hash": hashes.tobytes(), "top": top.tobytes(), "key_off": key_off.tobytes(), "keys": bytes(keys),
                 "start": start.tobytes(), "inst": inst.tobytes(), "rowid": rowid.tobytes(),
                 "num_off": num_off.tobytes(), "nums": bytes(nums)}
        parts["num_tail"] = array(meta["tail_code"], num_tail).tobytes()
        parts["key_head"] = array(meta["head_code"], key_head).tobytes()
        for f, t, c in zip(CODED, tables, codes):
            meta["vocab"][f] = list(t)
            meta["codes"][f] = code = _code_for(len(t))
            parts[f"c_{f}"] = array(code, c).tobytes()
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
