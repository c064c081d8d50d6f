"""A document's own metadata: number, type, issuer, place, date, title, signer, recipients.

Also says which regions of the text are not the document's body (gazette page headers,
e-signature stamps, a website's metadata footer and page chrome, the own-number line), so the
reference finder ignores them and nothing here mistakes them for metadata.

How it reads a text, and why:
- Matching runs on NFC text (`OffsetText`); `skip` is mapped back to offsets into the text as given.
- Page furniture is found first (`furniture`), by a few linear scans of the whole text for literal
  anchors (``CÔNG BÁO/Số``, ``Ký bởi:``, ``Số hiệu:``), so that the header and the signature block are
  read from lines with the furniture taken out (gazette PDFs put page headers and stamps mid-paragraph).
- The header (issuer block, number, place and date, type word, title) is read from the first
  `HEAD_CHARS` characters only, line by line (`heading_block`, `title`); gazette PDFs may print it
  after page 1's text (`displaced`).
- The signature block (`signer`) is the first signing mode (``TM.``, ``KT.`` ...) or position line
  (``CHỦ TỊCH QUỐC HỘI``) after the header that is followed by a person's name; forms in annexes carry
  the same lines with ``(Ký, ghi rõ họ tên)`` instead of a name and are passed over.
- A consolidated text (văn bản hợp nhất) carries its own number, date and signer in the
  ``XÁC THỰC VĂN BẢN HỢP NHẤT`` block after the body (`consolidated`); its top header is the
  consolidated document's.
- Type and issuer words are looked up in the knowledge tables (`kgraph.knowledge.load()`); only the
  layout of a header (motto, position words, administrative units) is described here (`vocab`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kgraph.extract.header.consolidated import (
    drop_consolidated_top, find_consolidation_number, is_own_authentication, read_authentication,
)
from kgraph.extract.header.displaced import read_displaced_header
from kgraph.extract.header.doc_type import decide_type
from kgraph.extract.header.furniture import (
    skip_continuations, skip_gazette_headers, skip_site_footer, skip_site_tail, skip_stamps,
)
from kgraph.extract.header.heading_block import HEAD_CHARS, read_head
from kgraph.extract.header.issuer import issuer_from_codes, issuer_name
from kgraph.extract.header.lines import Ranges
from kgraph.extract.header.markup import plain_view
from kgraph.extract.header.place_date import passed_date
from kgraph.extract.header.recipients import recipients_near
from kgraph.extract.header.site_panel import fill_from_panel, fill_from_properties, read_properties, site_top
from kgraph.extract.header.signer import Signature, find_signature, tail_signer
from kgraph.extract.normalize import OffsetText, dj_for_eth
from kgraph.model import Document

#: The combining marks decomposed Vietnamese uses (tones, circumflex, breve, horn): a cheap NFD test.
_MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"


@dataclass(slots=True)
class Header:
    document: Document
    #: (start, end) character ranges that are page furniture, not the document's own words.
    skip: list[tuple[int, int]] = field(default_factory=list)
    #: The furniture printed inside the body (gazette page headers with their page numbers, e-signature stamps,
    #: continuation notes), in offsets of the NFC view: the reference reader reads the body with them cut out.
    breaks: list[tuple[int, int]] = field(default_factory=list)


def read_header(text: str, ot: OffsetText | None = None, site_panel: bool = True) -> Header:
    """Own metadata of the document in `text`, and the character ranges that are page furniture.

    `ot` is the NFC view of `text` when the caller has made it already (extract() shares one). With
    `site_panel` false, a saved page's panel does not fill what the document leaves unsaid (to measure the
    header reader alone).
    """
    if ot is None:
        # Text without combining marks is already composed: skip the (costly) full NFC check.
        ot = OffsetText(text) if any(c in text for c in _MARKS) else None
    if ot is not None and ot.identity:
        ot = None
    t = ot.text if ot else text
    if "\r" in t:  # CRLF and lone CR line breaks, keeping every offset
        t = t.replace("\r\n", " \n").replace("\r", "\n")
    t = dj_for_eth(t)
    raw = t
    t = plain_view(t)  # a saved web page's marks and table cells; wrapped number and date lines
    skip = Ranges()
    skip_gazette_headers(t, skip)
    skip_stamps(t, skip)
    skip_continuations(t, skip)
    breaks = list(skip.merged())  # before the header's own ranges are added: only what interrupts the body

    top, panel = site_top(t, raw)  # a saved page's chrome and the site's panel above the document
    if top:
        skip.add(0, top)
    h = read_head(t, skip, top)
    doc = Document()
    num = h.number
    sig: Signature | None = None

    # A consolidated text's own number, date and signer are in its authentication block.
    vb = find_consolidation_number(t)
    if vb and is_own_authentication(t, vb, h, num):
        vnum, sig = read_authentication(t, skip, h, vb)
        num = vnum or num
    elif num is None and not h.consolidated:
        read_displaced_header(t, skip, h)
        num = h.number
    elif h.consolidated:
        num = drop_consolidated_top(h, num)

    cut = h.consolidated and vb is None  # a consolidated text whose authentication block is not here
    if num:
        doc.number = num.number
        skip.add(num.start, num.end)
    dtype, code = decide_type(h, num)
    if dtype:
        doc.type = dtype.name
    doc.type_code = code
    doc.place = h.place
    doc.date = h.date
    doc.title = h.title

    if sig is None and not cut:
        sig = find_signature(t, h.end, skip)
        if sig is None:
            sig = tail_signer(t, skip, len(t))
    if sig:
        doc.signer = sig.signer

    issuer = h.consolidator if cut else h.issuer
    if not issuer and sig and sig.body:
        issuer = issuer_name([sig.body])
    if not issuer and num:
        issuer = issuer_from_codes(num.issuer_codes)
    doc.issuer = issuer

    if panel is not None and top and site_panel:
        fill_from_panel(doc, panel)  # a page saved without its header: the site's own description
    elif site_panel and h.number is None and doc.number is None and (props := read_properties(t)):
        fill_from_properties(doc, props)  # the national database's properties page: nothing but that table

    recips = recipients_near(t, skip, h.end, (sig.start, sig.end) if sig else None)
    if recips:
        doc.recipients = recips

    # Laws and resolutions of the National Assembly are dated by the sitting that passed them.
    if doc.date is None and not h.consolidated:
        end = sig.start if sig else len(t)
        doc.date = passed_date(t, max(h.end, end - 3000), end)

    # Page chrome before the header (a website's menus, the gazette's section headings).
    if h.doc_start > 0 and t[: h.doc_start].strip():
        skip.add(0, h.doc_start)
    skip_site_footer(t, skip, doc.number, h.end)
    skip_site_tail(t, skip, doc.number, sig.end if sig else h.end)

    ranges = [(ot.to_original(s), ot.to_original(e)) for s, e in skip.merged()] if ot else skip.merged()
    return Header(document=doc, skip=ranges, breaks=breaks)


__all__ = ["Header", "read_header", "HEAD_CHARS"]
