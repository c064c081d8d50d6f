"""Text in: read a file as the extractor's input, or say clearly why it cannot be read.

The format is chosen by the file's content (its first bytes), never by its name: a .doc may be a
Word 97 binary, an RTF file or a web page saved by Word. One module per format:

- plain UTF-8 text is taken as is; HTML (`html`) is reduced to its visible text, one block a line;
- PDF (`pdf`): the text layer without page furniture, or OCR of scanned pages (`ocr`);
- DOCX (`docx`), Word 97-2003 (`doc`), RTF (`rtf`).

Offsets in an extraction are into `SourceText.text`, which `kg extract --text-out` writes out.
Files are opened by `files.open_regular`: never a FIFO or a device, and never more than the cap.
"""

from __future__ import annotations

from pathlib import Path

from kgraph.model import Extraction
from kgraph.reader.base import InputError, SourceText
from kgraph.reader.files import MAX_BYTES, open_regular, read_capped
from kgraph.reader.html import declared_charset, html_to_text, looks_like_html
from kgraph.reader.layout import split_tab_columns

#: File names a folder search picks up (a file named on the command line is read whatever its name).
DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx", ".doc", ".rtf")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
           (b"GIF8", "GIF"))


def sniff(raw: bytes) -> str:
    """The format of a file from its first bytes: pdf, zip, ole, rtf, image:KIND, utf16 or text."""
    head = raw[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return "rtf"
    for magic, kind in _IMAGES:
        if head.startswith(magic):
            return f"image:{kind}"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    return "text"


def decode(raw: bytes, source: str) -> str:
    """Bytes of a text or HTML file to text, refusing what is empty, binary or not UTF-8."""
    text, _ = _decode_text(raw, source)
    return text


def _decode_text(raw: bytes, source: str) -> tuple[str, str]:
    if not raw.strip():
        raise InputError(source, "empty file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise InputError(source, f"not valid UTF-16 (byte {e.start}: {e.reason})") from None
    elif b"\x00" in raw[:8192]:
        raise InputError(source, "binary file of an unknown format (not text, HTML, PDF, DOCX, DOC or RTF)")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            charset = declared_charset(raw) if looks_like_html(raw[:4096].decode("latin-1")) else None
            try:
                text = raw.decode(charset) if charset and charset not in ("utf-8", "utf8") else None
            except (LookupError, UnicodeDecodeError):
                text = None
            if text is None:
                raise InputError(source, f"not valid UTF-8 (byte {e.start}: {e.reason})") from None
    if looks_like_html(text) or source.lower().endswith((".html", ".htm")):
        text = html_to_text(text)
        if not text.strip():
            raise InputError(source, "HTML page with no visible text")
        return text, "html"
    return text, "text"


def read_bytes(raw: bytes, source: str) -> SourceText:
    """The text of a file's bytes, read by the reader its content calls for."""
    kind = sniff(raw)
    pages = None
    if kind == "pdf":
        from kgraph.reader.pdf import read_pdf

        text, pages, reader = read_pdf(raw, source)
    elif kind == "zip":
        from kgraph.reader.docx import read_docx

        text, reader = read_docx(raw, source), "docx"
    elif kind == "ole":
        from kgraph.reader.doc import read_doc

        text, reader = read_doc(raw, source), "doc"
    elif kind == "rtf":
        from kgraph.reader.rtf import read_rtf

        text, reader = read_rtf(raw, source), "rtf"
    elif kind.startswith("image:"):
        raise InputError(source, f"a {kind[6:]} image, not a document (scans are read as PDF)")
    else:
        text, reader = _decode_text(raw, source)
    if reader in ("doc", "docx", "rtf"):
        text = split_tab_columns(text)
    if not text.strip():
        raise InputError(source, f"no text in this {reader.upper()} document")
    return SourceText(source=source, text=text, raw=raw, reader=reader, pages=pages)


def read_source(path: str | Path) -> SourceText:
    """Read one input file, raising `InputError` with a clear reason."""
    source = str(path)
    return read_bytes(read_capped(path), source)


def annotate(ex: Extraction, src: SourceText) -> Extraction:
    """Record on an extraction of `src.text` which reader made the text and each reference's page."""
    ex.reader = src.reader
    if src.pages:
        for r in ex.references:
            r.page = src.page_at(r.start)
    return ex


__all__ = [
    "DOCUMENT_SUFFIXES",
    "MAX_BYTES",
    "InputError",
    "SourceText",
    "annotate",
    "decode",
    "html_to_text",
    "looks_like_html",
    "open_regular",
    "read_bytes",
    "read_capped",
    "read_source",
    "sniff",
    "split_tab_columns",
]
