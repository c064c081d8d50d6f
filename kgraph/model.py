"""The one model of a document and its references.

Every other view (JSON lines, spaCy spans, RDF triples, Neo4j nodes) is derived from these
classes; nothing downstream keeps a parallel description of a citation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from typing import Any

from kgraph.knowledge import relations
from kgraph.numbers import year_of_number

#: Kinds of reference, as the JSON contract names them.
KINDS = ("numbered", "named", "short", "self")

#: Relations a citing sentence can give a reference, in the order of knowledge/relations.yaml (their one definition).
RELATIONS = tuple(r.relation for r in relations())


@dataclass(slots=True)
class Pinpoint:
    """One cited provision, from small to large: point c, clause 6, Article 4 (Chapter II)."""

    article: str | None = None
    clause: str | None = None
    point: str | None = None
    chapter: str | None = None

    def eid(self) -> str:
        """Akoma Ntoso-style identifier of the provision (``art_4__cl_6__pt_c``)."""
        parts = []
        if self.chapter:
            parts.append(f"chp_{self.chapter}")
        if self.article:
            parts.append(f"art_{self.article}")
        if self.clause:
            parts.append(f"cl_{self.clause}")
        if self.point:
            parts.append(f"pt_{self.point}")
        return "__".join(parts)


@dataclass(slots=True)
class Signer:
    name: str | None = None
    title: str | None = None
    mode: str | None = None  # TM. / KT. / TL. / TUQ. / Q. / T/M / K/T


@dataclass(slots=True)
class Document:
    """What a document says about itself: header, title, signature block, recipients."""

    number: str | None = None
    type: str | None = None
    type_code: str | None = None
    issuer: str | None = None
    place: str | None = None
    date: str | None = None  # ISO 8601
    title: str | None = None
    signer: Signer = field(default_factory=Signer)
    recipients: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The year the number belongs to: from the number itself, else from the date."""
        y = year_of_number(self.number) if self.number else None
        if y is None and self.date:
            y = int(self.date[:4])
        return y


@dataclass(slots=True)
class Reference:
    """One mention of another (or the same) document, with offsets into the text as given."""

    start: int
    end: int
    text: str
    kind: str  # one of KINDS
    type: str | None = None
    type_code: str | None = None
    number: str | None = None
    year: int | None = None
    date: str | None = None
    issuer: str | None = None
    name: str | None = None
    relation: str = "cites"
    pinpoint: list[Pinpoint] = field(default_factory=list)
    target: str | None = None
    sentence: str | None = None
    #: the relation (repeals, replaces, suspends) acts on only part of the instrument: a pinpoint, or words naming
    #: a part ("Bãi bỏ một phần X", "Bãi bỏ Mẫu số 01 ban hành kèm theo X"); such an instrument stays in force
    partial: bool = False
    page: int | None = None  # 1-based page of a PDF the reference starts on; None for formats without pages

    def to_dict(self) -> dict[str, Any]:
        """`dataclasses.asdict(self)`: its fields in order, each pinpoint a dict of its own. `asdict` deep-copies
        every value, strings and numbers too, which cost more than `extract()` itself on dense references (`kg
        extract --format json`); the values are immutable but the pinpoints."""
        d = dict(zip(REFERENCE_FIELDS, reference_row(self)))
        d["pinpoint"] = [dict(zip(PINPOINT_FIELDS, pinpoint_row(p))) for p in self.pinpoint]
        return d

    def key(self) -> str | None:
        """A readable identity of the instrument referred to (what `target` points at)."""
        if self.number:
            if self.year and str(self.year) not in self.number:
                return f"{self.number} ({self.year})"
            return self.number
        if self.name:
            return f"{self.name} {self.year}" if self.year else self.name
        return None


@dataclass(slots=True)
class Extraction:
    """The result of reading one text."""

    document: Document
    references: list[Reference]
    source: str | None = None
    reader: str | None = None  # which reader made the text from the file (kgraph.reader): pdf-text, docx, ...

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `kg extract --format json` (absent values are null, never missing)."""
        out: dict[str, Any] = {}
        if self.source is not None:
            out["source"] = self.source
        if self.reader is not None:
            out["reader"] = self.reader
        out["document"] = asdict(self.document)
        out["references"] = [r.to_dict() for r in self.references]
        return out


#: A reference's and a pinpoint's fields in order, and each record's values as a tuple in that order, read in one C
#: call (`Reference.to_dict`, the build cache's rows)
REFERENCE_FIELDS = tuple(f.name for f in fields(Reference))
PINPOINT_FIELDS = tuple(f.name for f in fields(Pinpoint))
reference_row = attrgetter(*REFERENCE_FIELDS)
pinpoint_row = attrgetter(*PINPOINT_FIELDS)
