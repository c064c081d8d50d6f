"""Word 2007+ documents (.docx): paragraphs and table cells in document order, then the footnotes.

OOXML is read directly (zip + streaming XML parse of ``word/document.xml``), without python-docx:
that library lists body paragraphs and tables separately and drops text boxes, while a decree's
header is a two-cell table and its annex tables hold citations too. Each paragraph, and each
paragraph of a table cell, is one line, as the HTML reader does with blocks. Deleted revisions
and field instructions are left out; the decompressed size is capped against zip bombs.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import ParseError, iterparse

from kgraph.reader.base import InputError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

#: Largest decompressed XML part read; a real Civil Code is ~6 MB of XML.
MAX_PART_BYTES = 256 * 1024 * 1024

_SKIPPED = {W + "del", W + "instrText", W + "delInstrText", MC + "Fallback"}
_BREAKS = {W + "br", W + "cr"}


class _Capped(io.RawIOBase):
    """A zip member that refuses to give more than `limit` bytes (a zip bomb stops here)."""

    def __init__(self, f, limit: int, source: str, name: str):
        self._f, self._left, self._source, self._name = f, limit, source, name

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._f.read(min(len(b), self._left + 1))
        if len(data) > self._left:
            raise InputError(self._source, f"{self._name} decompresses to more than {MAX_PART_BYTES} bytes")
        self._left -= len(data)
        b[: len(data)] = data
        return len(data)


def _paragraphs(f, source: str, name: str) -> list[str]:
    lines: list[str] = []
    stack: list[list[str]] = []  # open paragraphs (text boxes nest them)
    skip = 0
    try:
        for event, el in iterparse(_Capped(f, MAX_PART_BYTES, source, name), events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag in _SKIPPED:
                    skip += 1
                elif tag == W + "p":
                    stack.append([])
                continue
            if tag in _SKIPPED:
                skip -= 1
            elif skip:
                pass
            elif tag == W + "t" and stack:
                stack[-1].append(el.text or "")
            elif tag == W + "tab" and stack:
                stack[-1].append("\t")
            elif tag in _BREAKS and stack:
                stack[-1].append("\n")
            elif tag == W + "noBreakHyphen" and stack:
                stack[-1].append("-")
            elif tag == W + "p" and stack:
                lines.append("".join(stack.pop()))
            if tag in (W + "p", W + "tbl", W + "footnote", W + "endnote"):
                el.clear()  # keep memory flat on long documents
    except ParseError as e:
        raise InputError(source, f"damaged DOCX ({name}: {e})") from None
    return lines


def _notes(z: zipfile.ZipFile, name: str, source: str) -> list[str]:
    """Footnote or endnote paragraphs, without Word's separator notes."""
    if name not in z.namelist():
        return []
    with z.open(name) as f:
        return [ln for ln in _paragraphs(f, source, name) if ln.strip()]


def read_docx(raw: bytes, source: str) -> str:
    """The text of a DOCX document: body paragraphs and table cells in order, then footnotes."""
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as e:
        raise InputError(source, f"damaged DOCX ({e})") from None
    with z:
        if "word/document.xml" not in z.namelist():
            raise InputError(source, "ZIP archive that is not a Word document (no word/document.xml)")
        try:
            with z.open("word/document.xml") as f:
                lines = _paragraphs(f, source, "word/document.xml")
            notes = _notes(z, "word/footnotes.xml", source) + _notes(z, "word/endnotes.xml", source)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as e:
            raise InputError(source, f"damaged DOCX ({e})") from None
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"
