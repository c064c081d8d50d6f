"""Text helpers the header reader shares: lines of a text with page furniture left out, sets of
character ranges, capitals, folding for matching, dates from their parts."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterator

from kgraph.extract.normalize import one_line, unify_dashes
from kgraph.knowledge import fold


class Ranges:
    """Sorted, merged character ranges with a membership test."""

    def __init__(self) -> None:
        self._raw: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self._merged: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        if end > start:
            self._raw.append((start, end))
            self._merged = []

    def merged(self) -> list[tuple[int, int]]:
        if not self._merged and self._raw:
            out: list[list[int]] = []
            for s, e in sorted(self._raw):
                if out and s <= out[-1][1]:
                    out[-1][1] = max(out[-1][1], e)
                else:
                    out.append([s, e])
            self._merged = [(s, e) for s, e in out]
            self._starts = [s for s, _ in self._merged]
        return self._merged

    def __contains__(self, pos: int) -> bool:
        m = self.merged()
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < m[i][1]


@dataclass(slots=True)
class Line:
    start: int  # offset of the line's first character
    end: int  # offset of its line break (or the end of the text)
    text: str  # stripped


def iter_lines(t: str, start: int, stop: int, skip: Ranges | None = None) -> Iterator[Line]:
    """Lines beginning in [start, stop), without those that are page furniture."""
    n = len(t)
    pos = start
    while pos < stop and pos < n:
        nl = t.find("\n", pos)
        if nl < 0:
            nl = n
        raw = t[pos:nl]
        s = raw.strip()
        if skip is None or not s or (pos not in skip and pos + (len(raw) - len(raw.lstrip())) not in skip):
            yield Line(pos, nl, s)
        pos = nl + 1


def opens_line(t: str, pos: int, allowed: str = " \t\xa0") -> int | None:
    """The start of the line if only `allowed` characters (at most 12) precede `pos` on it, else None.

    Constant time, so that many matches on one huge line cost nothing (a whole-line search would be
    quadratic)."""
    k = pos
    while k > 0 and pos - k < 12 and t[k - 1] in allowed:
        k -= 1
    if k == 0 or t[k - 1] == "\n":
        return k
    return None


def line_at(t: str, pos: int) -> tuple[int, int]:
    s = t.rfind("\n", 0, pos) + 1
    e = t.find("\n", pos)
    return s, (len(t) if e < 0 else e)


def is_caps(s: str) -> bool:
    """A line written in capitals (it has letters, none of them lower case)."""
    return any(c.isalpha() for c in s) and s == s.upper()


def fline(s: str) -> str:
    """A line folded for matching: lower case, NFC, one kind of dash, single spaces."""
    return one_line(unify_dashes(fold(s)))


def iso_date(d: str, m: str, y: str) -> str | None:
    di, mi, yi = int(d), int(m), int(y)
    if 1 <= di <= 31 and 1 <= mi <= 12 and 1900 <= yi <= 2100:
        return f"{yi:04d}-{mi:02d}-{di:02d}"
    return None
