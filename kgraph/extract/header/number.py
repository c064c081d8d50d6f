"""The document's own number: the "Số:" line (wrapped or not), read into its normal form and codes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kgraph.extract.header.lines import Line
from kgraph.extract.header.tables import tables
from kgraph.extract.normalize import DASH_CLASS
from kgraph.numbers import number_family, parse_number


_WRAP_TAIL = re.compile(r"[ \t]{0,2}(?:/|" + DASH_CLASS + r")[ \t]*$")
_WRAP_HEAD = re.compile(r"[ \t]{0,4}([\w.]{1,24}(?:[ \t]{0,2}(?:/|" + DASH_CLASS + r")[ \t]{0,2}[\w.]{1,24}){0,8})")



@dataclass(slots=True)
class Number:
    number: str
    type_code: str | None
    issuer_codes: list[str]
    start: int  # the line(s) it was read from
    end: int


def read_number(raw: str, start: int, end: int) -> Number | None:
    """A number as written → its normal form (the shared `parse_number`) with its codes."""
    raw = raw.strip().rstrip(".-/")
    if not raw or len(raw) > 120 or not any(c.isalpha() for c in raw):
        return None
    parts = parse_number(raw, number_family(raw), tables().k)
    return Number(parts.number, parts.type_code, list(parts.issuer_codes), start, end)


def number_on_line(t: str, line: Line, pattern: re.Pattern) -> tuple[re.Match, Number] | None:
    """The number on a "Số:" line, following a wrap after a trailing dash or slash."""
    m = pattern.search(t, line.start, line.end)
    if not m:
        return None
    before = t[line.start : m.start()]
    if before.strip() and not before.endswith(("  ", "\t")):
        return None  # "Mã số: ..." or a number inside a sentence
    raw = m.group("num")
    end = line.end  # the whole line is the own-number line (skipped)
    after = t[m.end("num") : line.end]
    if _WRAP_TAIL.fullmatch(after):  # 01/2022/TTLT-VKSNDTC-⏎TANDTC-BCA-...
        nxt = t.find("\n", line.end + 1)
        nxt = len(t) if nxt < 0 else nxt
        w = _WRAP_HEAD.match(t, line.end + 1, nxt)
        if w and w.group(1):
            raw = raw + after.strip() + w.group(1)
            end = nxt
    else:
        q = re.match(r"[ \t]+(\d{1,2})[ \t]*$", after)  # QH 11
        if q and raw[-1:].isalpha():
            raw += q.group(1)
    n = read_number(raw, line.start, end)
    return (m, n) if n else None
