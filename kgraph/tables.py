"""Tables for a terminal: what a reader looks for first, cut to the terminal's width.

`kg query` rows carry an IRI, a label, a number, a title, a source path and the query's own fields. Printed
in that order they ran to 389 characters with the IRI first. Here the label (or number) leads, the query's
own fields follow, long free text (titles, paths) shrinks first, and the IRI comes last: columns that still
do not fit are left out and named on one line under the table (`--format json` has them all).
"""

from __future__ import annotations

import shutil
import unicodedata
from typing import Any

#: Columns that lead, in this order, when present; then the query's own; then these, last first to go.
LEADING = ("label", "type", "date")
TRAILING = ("title", "number", "source", "uri", "target")
#: Columns that may be cut short (free text and identifiers), and how narrow they may get.
SHRINKABLE = {"label": 24, "title": 20, "source": 16, "uri": 20, "target": 20, "basis_of": 20, "text": 20,
              "why": 24, "sentence": 20, "pinpoints": 16, "relations": 12, "name": 16}
MAX_CELL = 70


def terminal_width(default: int = 100) -> int:
    """The terminal's width (COLUMNS when set; `default` when the output is not a terminal)."""
    return max(40, shutil.get_terminal_size((default, 24)).columns)


def _width(s: str) -> int:
    """Columns a string takes (combining marks take none: Vietnamese in NFD stays aligned)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _cut(s: str, w: int) -> str:
    if _width(s) <= w:
        return s
    out, n = [], 0
    for c in s:
        cw = _width(c)
        if n + cw > w - 1:
            break
        out.append(c)
        n += cw
    return "".join(out) + "…"


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def order(columns: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """Readable order: label first; the number only when no label already shows it; the IRI last."""
    present = [c for c in columns if any(r.get(c) not in (None, "") for r in rows)] or list(columns)
    labelled = "label" in present and all(
        not r.get("number") or str(r.get("number")) in str(r.get("label") or "") for r in rows)
    lead = [c for c in LEADING if c in present]
    trail = [c for c in TRAILING if c in present and not (c == "number" and labelled)]
    own = [c for c in present if c not in LEADING and c not in TRAILING]
    return lead + own + trail


def fit_table(columns: list[str], rows: list[dict[str, Any]], width: int | None = None, reorder: bool = True) -> tuple[str, list[str]]:
    """The table as text no wider than `width`, and the columns left out to make it fit."""
    width = width or terminal_width()
    cols = order(columns, rows) if reorder else list(columns)
    cells = {c: [" ".join(("" if r.get(c) is None else str(r.get(c))).split()) for r in rows] for c in cols}
    want = {c: min(MAX_CELL, max([_width(c)] + [_width(v) for v in cells[c]])) for c in cols}
    dropped: list[str] = []

    def total() -> int:
        return sum(want[c] for c in cols) + 2 * (len(cols) - 1)

    def floor(c: str) -> int:
        return max(SHRINKABLE.get(c, 12 if not reorder else want[c]), min(_width(c), 12))

    def shrink(which: list[str]) -> None:
        """Take a column at a time from the widest of `which` until the table fits or none may shrink more."""
        while total() > width:
            can = [c for c in which if c in cols and want[c] > floor(c)]
            if not can:
                return
            want[max(can, key=lambda x: want[x])] -= 1

    # first the free text at the end shrinks, then it goes (IRI first), then the leading columns shrink
    if reorder:
        shrink([c for c in cols if c in TRAILING])
    while reorder and total() > width and any(c in TRAILING for c in cols) and len(cols) > 1:
        victim = next(c for c in reversed(TRAILING) if c in cols)
        cols.remove(victim)
        dropped.append(victim)
    shrink([c for c in cols if c in SHRINKABLE or not reorder])
    while total() > width and len(cols) > 1:
        dropped.append(cols.pop())
    head = "  ".join(_pad(_cut(c, want[c]), want[c]) for c in cols).rstrip()
    rule = "  ".join("-" * want[c] for c in cols)
    body = ["  ".join(_pad(_cut(cells[c][i], want[c]), want[c]) for c in cols).rstrip() for i in range(len(rows))]
    return "\n".join([head, rule, *body]), dropped
