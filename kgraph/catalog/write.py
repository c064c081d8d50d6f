"""Writing a catalogue file: the shipped one (scripts/build_catalog.py) and a user's (`kg catalog add`).

One entry = the chosen value of each field, every claim with its source (`fact`), the names it is cited
by, and its effects. Callers decide what wins; this module only writes it down consistently.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgraph.catalog.names import name_key
from kgraph.catalog.store import SCHEMA, SCHEMA_VERSION, ident_of, number_lookup_key

FIELDS = ("number", "type", "title", "issuer", "date", "effective", "status", "status_basis", "no_longer")


@dataclass
class Entry:
    """One instrument to write. `facts` holds (field, value, source, chosen) for provenance."""

    number: str | None
    type: str | None
    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    effective: str | None = None
    status: str | None = None
    status_basis: str | None = None
    no_longer: str | None = None
    src: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # key → name as shown
    effects: list[dict[str, Any]] = field(default_factory=list)
    prov: dict[str, str] = field(default_factory=dict)  # field → source of the chosen value
    facts: list[tuple[str, str | None, str]] = field(default_factory=list)  # (field, value, source) that lost

    @property
    def year(self) -> int | None:
        if self.date:
            return int(self.date[:4])
        if self.number:
            parts = self.number.split("/")
            if len(parts) >= 3 and parts[1].isdigit() and len(parts[1]) == 4:
                return int(parts[1])
        return None

    @property
    def ident(self) -> str:
        return ident_of(self.number, self.type, name_key(self.title) if self.title else None, self.date)

    def add_name(self, shown: str | None) -> None:
        if shown:
            k = name_key(shown)
            if k and k not in self.names:
                self.names[k] = " ".join(shown.split())


def create(path: Path, meta: dict[str, str]) -> sqlite3.Connection:
    """A new, empty catalogue file (or an existing one opened for writing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    con.execute("DROP TABLE IF EXISTS lookup")  # a file opened for writing changes: its name index is remade
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    for k, v in meta.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, v))
    return con



def named_types() -> frozenset[str]:
    """Types cited by name (doc_types.yaml `cited_by_name`): the shipped file indexes only their names."""
    from kgraph.knowledge import load

    return frozenset(n for t in load().types if t.cited_by_name for n in t.names)


def write_entry(con: sqlite3.Connection, e: Entry, replace: bool = False, index_names: bool | None = None) -> int:
    """Insert one entry (or, with `replace`, overwrite the one with the same identity); returns its row id.

    Names are indexed for the types cited by name unless `index_names` says otherwise (a user's own
    instruments are indexed whatever their type)."""
    if index_names is None:
        index_names = e.type in named_types()
    ident = e.ident
    if replace:
        old = con.execute("SELECT id FROM instrument WHERE ident = ?", (ident,)).fetchone()
        if old:
            for t in ("name", "effect", "fact"):
                con.execute(f"DELETE FROM {t} WHERE id = ?", (old[0],))
            con.execute("DELETE FROM instrument WHERE id = ?", (old[0],))
    cur = con.execute(
        "INSERT INTO instrument(ident, number, number_key, type, title, issuer, date, year, effective, status, "
        "status_basis, no_longer, src, prov) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (ident, e.number, number_lookup_key(e.number) if e.number else None, e.type, e.title, e.issuer, e.date,
         e.year, e.effective, e.status, e.status_basis, e.no_longer, e.src,
         ";".join(f"{k}={v}" for k, v in e.prov.items()) or None))
    rid = int(cur.lastrowid)
    if index_names:
        e.add_name(e.title)
        con.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?,?)",
                        [(k, rid, None if shown == e.title else shown, e.src) for k, shown in e.names.items()])
    con.executemany("INSERT INTO effect VALUES (?,?,?,?,?,?,?)",
                    [(rid, x["kind"], x.get("other"), x.get("other_type"), x.get("date"), x.get("src"),
                      x.get("basis")) for x in e.effects])
    con.executemany("INSERT INTO fact VALUES (?,?,?,?)", [(rid, f, v, s) for f, v, s in e.facts])
    return rid


def write_lookup(con: sqlite3.Connection) -> None:
    """Store the compact name index (kgraph/catalog/compact.py) in a finished file, so the processes that open
    it read a few blobs (0.09 s at 500k instruments) instead of making it from every row (8 CPU-s at load 28);
    call it last."""
    from kgraph.catalog.compact import Lookup

    Lookup.build(con).save(con)
