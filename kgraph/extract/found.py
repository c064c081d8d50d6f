"""`Found`: a reference while the passes of `find_references` build it (NFC offsets).

Its own module so that the passes in citations.py, shortforms.py and relation.py share it without
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
