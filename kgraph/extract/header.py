"""A document's own metadata: number, type, issuer, place, date, title, signer, recipients.

Also says which regions of the text are not the document's body (gazette page headers,
e-signature stamps, a website's metadata footer), so the reference finder ignores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kgraph.model import Document


@dataclass(slots=True)
class Header:
    document: Document
    #: (start, end) character ranges that are page furniture, not the document's own words.
    skip: list[tuple[int, int]] = field(default_factory=list)


def read_header(text: str) -> Header:
    """Own metadata of the document in `text` (placeholder until the header reader lands)."""
    return Header(document=Document())
