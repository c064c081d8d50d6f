"""Extraction: text → the document's own metadata and every reference it makes.

`extract()` is the one entry point; the pieces run in this order:
header (own metadata, page furniture) → references (numbered and named) → pinpoints and
relations → short forms and self references bound to what they stand for.
"""

from __future__ import annotations

from kgraph.extract.citations import find_references
from kgraph.extract.header import read_header
from kgraph.extract.normalize import OffsetText
from kgraph.model import Extraction


def extract(text: str, source: str | None = None) -> Extraction:
    """Read one document's text; offsets in the result are into `text` exactly as given."""
    ot = OffsetText(text)  # one NFC view shared by both readers
    header = read_header(text, ot)
    refs = find_references(text, document=header.document, skip=header.skip, ot=ot)
    return Extraction(document=header.document, references=refs, source=source)


__all__ = ["extract"]
