"""The records the passes of `find_references` share: `Anchor` (a type word in the text) and `Found`
(a reference while it is built), both at NFC offsets.

Their own module so that citations.py, names.py, shortforms.py and relation.py share them without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
