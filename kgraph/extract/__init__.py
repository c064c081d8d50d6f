"""Extraction: text → the document's own metadata and every reference it makes.

`extract()` is the one entry point; the pieces run in this order:
header (own metadata, page furniture) → references (numbered and named) → pinpoints and
relations → short forms and self references bound to what they stand for.
"""

from __future__ import annotations

import gc
import re

from kgraph.extract.citations import find_references
from kgraph.extract.header import read_header
from kgraph.extract.normalize import OffsetText
from kgraph.model import Document, Extraction

#: What only a document's header has: a "Số:" label opening a line, the state's motto, the gazette's name,
#: an upper-case line (CHÍNH PHỦ, NGHỊ ĐỊNH).
_HEADER_EVIDENCE = re.compile(
    r"(?m)^[ \t*#>|]*(?i:số)[ \t]*:|CỘNG\s+H[OÒ]A\s+XÃ\s+H[ỘO]I|Độc\s+lập\s*[-–]\s*Tự\s+do|CÔNG\s+BÁO"
    r"|^[ \t*#>|]*(?:[A-ZĐÀ-Ỹ]{2,}[ \t]+)+[A-ZĐÀ-Ỹ]{2,}[ \t]*$"
)


def is_passage(text: str) -> bool:
    """A sentence or paragraph (one line) with nothing of a header: "Nghị định số 179/2004/NĐ-CP ngày ... quy
    định ..." opening such a row is a citation, not the row's own number (issue 9, point 11)."""
    return "\n" not in text.strip() and not _HEADER_EVIDENCE.search(text)


def extract(text: str, source: str | None = None) -> Extraction:
    """Read one document's text; offsets in the result are into `text` exactly as given.

    A text is read as a document with a header only on evidence of one; a passage has no own metadata.

    The cyclic garbage collector is paused while one text is read: the references and pinpoints it builds
    (acyclic records, freed by reference counting) made each collection walk more objects, so a long text's
    time per MB grew with its size (self references: 2.2 s with it paused against 5.0 s at 4 MB).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        ot = OffsetText(text)  # one NFC view shared by both readers
        if is_passage(ot.text):
            document, skip, breaks = Document(), [], []
        else:
            header = read_header(text, ot)
            document, skip, breaks = header.document, header.skip, header.breaks
        refs = find_references(text, document=document, skip=skip, ot=ot, breaks=breaks)
        return Extraction(document=document, references=refs, source=source)
    finally:
        if paused:
            gc.enable()


__all__ = ["extract"]
