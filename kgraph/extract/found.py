"""The records the passes of `find_references` share: `Anchor` (a type word in the text) and `Found`
(a reference while it is built), both at NFC offsets.

Their own module so that citations.py, names.py, shortforms.py and relation.py share them without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter

from kgraph.model import Pinpoint


@dataclass(slots=True)
class Found:
    """A reference while it is being built (NFC offsets)."""

    start: int
    end: int
    kind: str
    type: str | None = None
    type_code: str | None = None
    number: str | None = None
    year: int | None = None
    date: str | None = None
    issuer: str | None = None
    name: str | None = None
    relation: str | None = "cites"
    pinpoint: list[Pinpoint] = field(default_factory=list)
    target: str | None = None
    family: str | None = None
    issuer_codes: list[str] = field(default_factory=list)
    tail: int = 0  # end of the date/issuer phrase written after it
    lead: int = 0  # start of its pinpoint phrase (or start)
    sentence: str | None = None
    partial: bool = False  # the effect acts on part of the instrument (relation.partial)
    encloses: bool = False  # an amending law's name: the laws named inside it are part of it, not references


@dataclass(slots=True)
class Anchor:
    """A capitalised type word or name head where a reference can start."""

    start: int
    end: int
    word: str


# The finders make one `Found` per reference: with every field passed in order, not a few by keyword and the rest
# from defaults (~1 µs less each; dense bait holds 20-40k references a MB, issue 14).
_ORDER = ("start", "end", "kind", "type", "type_code", "number", "year", "date", "issuer", "name", "relation", "pinpoint",
          "target", "family", "issuer_codes", "tail", "lead", "sentence", "partial", "encloses")
assert tuple(f.name for f in fields(Found)) == _ORDER, "Found's fields moved: update the makers below"


def numbered_found(start: int, end: int, type_code: str | None, number: str | None, year: int | None, family: str,
                   issuer_codes: list[str]) -> Found:
    """`Found(kind="numbered", ...)` with the other fields at their defaults."""
    return Found(start, end, "numbered", None, type_code, number, year, None, None, None, "cites", [], None, family,
                 issuer_codes, 0, 0, None, False, False)


def named_found(start: int, end: int, name: str, type: str | None, encloses: bool = False) -> Found:
    """`Found(kind="named", ...)` with the other fields at their defaults."""
    return Found(start, end, "named", type, None, None, None, None, None, name, "cites", [], None, None, [], 0, 0, None,
                 False, encloses)


def short_found(start: int, end: int, type: str | None) -> Found:
    """`Found(kind="short", ...)` with the other fields at their defaults."""
    return Found(start, end, "short", type, None, None, None, None, None, None, "cites", [], None, None, [], 0, 0, None,
                 False, False)


_START, _END = attrgetter("start"), attrgetter("end")


def in_text_order(found: list[Found]) -> list[Found]:
    """`sorted(found, key=lambda f: (f.start, -f.end))`: text order, the longest first at one start, ties kept as
    given. Two stable sorts by one attribute each: no Python call and no tuple made per reference (20-40k a MB
    in dense bait, sorted three times, issue 14)."""
    out = sorted(found, key=_END, reverse=True)  # `reverse` keeps ties in their order
    out.sort(key=_START)
    return out
