"""PDF: the text layer in reading order with page furniture taken out, or OCR of scanned pages.

pypdfium2 (Apache-2.0 / BSD-3, Google's PDFium) gives each page's text in content order, which for
Word-made letters and gazette PDFs is the reading order, and renders pages for OCR; it is several
times faster than pdfminer.six and needs no AGPL code (PyMuPDF is AGPL).

Per page: the gazette running header (``CÔNG BÁO/Số 1583 + 1584/Ngày 17-11-2025 2``) and a bare
page number on the page's first or last line are removed, so a sentence, a name or a number that
runs over a page break reads as one; a line ending inside a number (``163/2016/`` or ``NĐ-``) is
joined to the next. Offsets are into the text returned, and `pages` says where each page begins.

A page is scanned when it has images and (almost) no text, or when its text is OCR without any
Vietnamese letter (the signature stamps of digitally signed scans live in annotations and add
nothing to the page text). Scanned pages are read by OCR when Tesseract with Vietnamese data is
installed; otherwise a document of scans only is refused with what to install, and one that mixes
text pages with scanned ones is read from its text pages with a warning naming the others.
"""

from __future__ import annotations

import logging
import re

from kgraph.knowledge import load
from kgraph.reader import ocr
from kgraph.reader.base import InputError
from kgraph.reader.layout import split_tab_columns

#: The gazette's running header (its opening words from knowledge/header.yaml, page furniture) as a
#: whole line, with the printed page number before or after it.
_RUNNING_HEADER = re.compile(
    r"^\s*(?:\d{1,4}\s+)?(?:" + load().header.page_furniture["gazette_header"]["pattern"]
    + r")\b[^\n]{0,60}?/\s*Ngày\s+[\d\s./-]{6,12}(?:\s*\d{1,4})?\s*$"
)
_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,4}(?:\s*-)?\s*$")
#: A line that stops inside a document number: ``.../2016/`` or ``...NĐ-`` (no space before the mark).
_BROKEN_NUMBER = re.compile(r"(?<=[0-9A-Za-zĐđ])[/-][ \t]*\n(?=[0-9A-ZĐ])")
_SPACE_RUN = re.compile(r" +")
_VI_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ" "áàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
                        "ÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ")

_NOT_LETTERS = re.compile(r"[\W\d_]+")
_NOT_VI = {ord(c): None for c in _VI_LETTERS}

_log = logging.getLogger(__name__)

#: A page with fewer letters than this, and an image, is a scan (a stamp's few words do not count).
SCAN_LETTERS = 100


def letters(text: str) -> int:
    """How many letters `text` holds (any script)."""
    return len(_NOT_LETTERS.sub("", text))


def vietnamese_ratio(text: str) -> float:
    """Share of letters that are Vietnamese-only (with diacritics): ~0.25-0.35 in real text, 0 in
    OCR that lost them."""
    n = letters(text)
    return (len(text) - len(text.translate(_NOT_VI))) / n if n else 0.0


def strip_furniture(lines: list[str]) -> list[str]:
    """A page's lines without the running header and page number at its top and bottom."""
    def first(ls: list[str]) -> int | None:
        return next((i for i, ln in enumerate(ls) if ln.strip()), None)

    for _ in range(2):  # header, then a page number on its own line below it (or the reverse)
        i = first(lines)
        if i is not None and (_RUNNING_HEADER.match(lines[i]) or _PAGE_NUMBER.match(lines[i])):
            del lines[: i + 1]
    lines.reverse()
    i = first(lines)
    if i is not None and (_RUNNING_HEADER.match(lines[i]) or _PAGE_NUMBER.match(lines[i])):
        del lines[: i + 1]
    lines.reverse()
    return lines


def page_text(raw_text: str) -> str:
    """One page's text layer cleaned: line ends normalised (PDFium's hyphen marks made hyphens),
    furniture out, side-by-side cells made lines."""
    text = raw_text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-").replace("\ufffe", "-")
    lines = strip_furniture([ln.rstrip() for ln in text.split("\n")])
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return split_tab_columns("\n".join(lines))


def _join(pages: list[str]) -> tuple[str, list[int]]:
    """The pages as one text (a number broken over a line or page end joined), and where each begins."""
    out: list[str] = []
    starts: list[int] = []
    at = 0
    for p in pages:
        if out:
            out.append("\n")
            at += 1
        starts.append(at)
        out.append(p)
        at += len(p)
    text = "".join(out)
    if not _BROKEN_NUMBER.search(text):
        return text, starts
    # joining removes characters: move the page starts that follow each removed line end
    pieces, removed, pos = [], [], 0
    for m in _BROKEN_NUMBER.finditer(text):
        cut = m.start() + 1  # keep the / or -
        pieces.append(text[pos:cut])
        removed.append((cut, m.end() - cut))
        pos = m.end()
    pieces.append(text[pos:])
    shifted = []
    for s in starts:
        shifted.append(s - sum(n for cut, n in removed if cut < s))
    return "".join(pieces), shifted


def _box(tp, i: int) -> tuple[float, float, float, float]:
    return tp.get_charbox(i)  # (left, bottom, right, top)


def _split_columns(text: str, tp, edits: dict[int, str]) -> None:
    """Turn a wide gap between two words on one line into a line end: a letter's header block sets
    its two cells side by side (``BỘ NỘI VỤ      CỘNG HÒA XÃ HỘI...``), and the header reader, like
    the HTML reader's table cells, wants each cell on a line of its own."""
    import pypdfium2.raw as pdfium_c

    for m in _SPACE_RUN.finditer(text):
        a, b = m.start() - 1, m.end()
        if a < 0 or b >= len(text) or text[a] in "\r\n" or text[b] in "\r\n":
            continue
        # PDFium writes a space of its own where words stand apart; a gap between cells is one of those
        if not any(pdfium_c.FPDFText_IsGenerated(tp, k) == 1 for k in range(m.start(), b)):
            continue
        if any(k in edits for k in range(a, b)):  # a blank the e-signature filled in
            continue
        _, ba, ra, ta = _box(tp, a)
        lb, bb, _, tb = _box(tp, b)
        h = max(ta - ba, tb - bb, 1.0)
        if min(ta, tb) > max(ba, bb) and lb - ra > 3 * h:  # same line, a gap of three letter heights
            edits[m.start()] = "\t"  # a column boundary, see layout.split_tab_columns
            for k in range(m.start() + 1, m.end()):
                edits[k] = ""


def _flatten(page) -> bool:
    """Merge the page's annotations (e-signature stamps) into its content; the page must then be
    loaded again. False when it has none."""
    import pypdfium2.raw as pdfium_c

    if pdfium_c.FPDFPage_GetAnnotCount(page) <= 0:
        return False
    return pdfium_c.FPDFPage_Flatten(page, pdfium_c.FLAT_NORMALDISPLAY) == pdfium_c.FLATTEN_SUCCESS


def _place_stamped_digits(text: str, flat_tp, edits: dict[int, str]) -> None:
    """Put back the number and date that the e-signature service stamps into a signed letter's
    blanks (``Số:    /BNV-CCHC``, ``ngày    tháng    năm``), where they are printed. They live in
    annotations (`flat_tp` is the page with them flattened: its first characters are `text`, the
    stamps' follow).
    Only runs of digits are placed; a stamp's other words (signer, time) stay out of the text."""
    n0 = len(text)
    extra = flat_tp.get_text_range()[n0:] if flat_tp.count_chars() > n0 else ""
    boxes = None
    for m in re.finditer(r"\d{1,6}", extra):
        if boxes is None:
            boxes = [None if ch in "\r\n" else _box(flat_tp, k) for k, ch in enumerate(text)]
        left, bottom, _, top = flat_tp.get_charbox(n0 + m.start())
        mid = (bottom + top) / 2
        best, best_right = None, 0.0
        for k, bx in enumerate(boxes):  # the last character printed left of the digits on their line
            if bx and bx[1] - 1 <= mid <= bx[3] + 1 and bx[2] <= left + 1 and (best is None or bx[2] >= best_right):
                best, best_right = k, bx[2]
        if best is None:
            continue
        j = best + 1
        while j < n0 and text[j] == " ":
            j += 1
        joint = j < n0 and text[j] in "/-"  # "Số: 8151/BNV-CCHC": the number runs on into its code
        if joint:
            for k in range(best + 1, j):
                edits[k] = ""
        after = text[best + 1] if best + 1 < n0 else "\n"
        piece = ("" if text[best] in " /-" else " ") + m.group() + ("" if joint or after in " \r\n" else " ")
        edits[best] = edits.get(best, text[best]) + piece


def _apply(text: str, edits: dict[int, str]) -> str:
    """`text` with the character at each index in `edits` replaced by the string given."""
    if not edits:
        return text
    out, pos = [], 0
    for i in sorted(edits):
        out.append(text[pos:i])
        out.append(edits[i])
        pos = i + 1
    out.append(text[pos:])
    return "".join(out)


def _is_scan(page, text: str) -> bool:
    import pypdfium2.raw as pdfium_c

    if letters(text) >= SCAN_LETTERS and vietnamese_ratio(text) >= 0.03:
        return False
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _ocr_page(page) -> str:
    bitmap = page.render(scale=ocr.DPI / 72, grayscale=True)
    try:
        image = ocr.pgm(bitmap.width, bitmap.height, bitmap.stride, bitmap.buffer)
    finally:
        bitmap.close()
    return ocr.recognise(image)


def read_pdf(raw: bytes, source: str) -> tuple[str, list[int], str]:
    """(text, page starts, reader name) of a PDF; `InputError` if encrypted, damaged or unreadable."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise InputError(source, "encrypted PDF (password required); save an unprotected copy") from None
        raise InputError(source, f"damaged PDF ({msg})") from None
    try:
        texts: list[str] = []
        scanned: list[int] = []
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                tp = page.get_textpage()
                raw_text = tp.get_text_range()
                if _is_scan(page, raw_text):
                    scanned.append(i)
                elif len(raw_text) == tp.count_chars():  # characters and boxes line up
                    edits: dict[int, str] = {}
                    if _flatten(page):
                        tp.close()
                        page.close()
                        page = pdf[i]  # loaded again: the stamps' characters now follow the page's own
                        tp = page.get_textpage()
                        _place_stamped_digits(raw_text, tp, edits)
                    _split_columns(raw_text, tp, edits)
                    raw_text = _apply(raw_text, edits)
                tp.close()
                texts.append(raw_text)
            finally:
                page.close()
        if scanned:
            exe, why = ocr.tesseract()
            if exe is None:
                if len(scanned) == len(pdf):
                    raise InputError(source, f"scanned PDF ({len(scanned)} of {len(pdf)} pages are images without a "
                                             f"usable text layer) and {why}")
                _log.warning("%s: scanned pages left out (no OCR: %s): %s", source, why,
                             ", ".join(str(i + 1) for i in scanned))
                for i in scanned:
                    texts[i] = ""
                scanned = []
            for i in scanned:
                page = pdf[i]
                try:
                    texts[i] = _ocr_page(page)
                except RuntimeError as e:
                    raise InputError(source, f"OCR failed on page {i + 1} ({e})") from None
                finally:
                    page.close()
    finally:
        pdf.close()
    pages = [page_text(t) for t in texts]
    if not any(p.strip() for p in pages):
        raise InputError(source, "PDF without any text (no text layer and nothing recognised)")
    text, starts = _join(pages)
    reader = "pdf-ocr" if len(scanned) == len(pages) else ("pdf-text+ocr" if scanned else "pdf-text")
    return text + "\n", starts, reader
