"""A catalogue file's facts as sorted text lines and one digest, so two builds can be compared whatever their pages.

SQLite writes the same rows in the same order to the same bytes only with the same library version; the
digest here does not depend on it (nor on row ids): every row becomes one JSON line, instruments named by
their identity, lines sorted. The meta keys that record where a file came from (not what it says) are left
out, so the digest is the facts alone and can be stored in the file itself.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Iterator

#: meta keys about the build, not about the instruments: not part of the facts' digest.
PROVENANCE_KEYS = frozenset({"content_digest", "inputs_digest", "built"})


def canonical_lines(path: Path) -> Iterator[str]:
    """Every row of the catalogue as `table<TAB>json`, sorted: what two builds must share to be the same facts."""
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        ident = dict(con.execute("SELECT id, ident FROM instrument"))
        queries = {
            "meta": "SELECT key, value FROM meta",
            "source": "SELECT code, rank, title, origin, note FROM source",
            "instrument": "SELECT ident, number, number_key, type, title, issuer, date, year, effective, status, "
                          "status_basis, no_longer, src, prov FROM instrument",
            "name": "SELECT key, id, shown, src FROM name",
            "effect": "SELECT id, kind, other, other_type, date, src, basis FROM effect",
            "fact": "SELECT id, field, value, src FROM fact",
        }
        lines: list[str] = []
        for table, sql in queries.items():
            for row in con.execute(sql):
                row = list(row)
                if table == "meta" and row[0] in PROVENANCE_KEYS:
                    continue
                if table == "name":
                    row[1] = ident[row[1]]
                elif table in ("effect", "fact"):
                    row[0] = ident[row[0]]
                lines.append(f"{table}\t{json.dumps(row, ensure_ascii=False)}")
    finally:
        con.close()
    yield from sorted(lines)


def content_digest(path: Path) -> str:
    """sha256 of the canonical lines: equal digests, equal facts."""
    h = hashlib.sha256()
    for line in canonical_lines(path):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()
