"""A header table printed out of place: gazette PDFs may put it after page 1's text."""

from __future__ import annotations

import re

from kgraph.extract.header.head import Head
from kgraph.extract.header.issuer import issuer_name
from kgraph.extract.header.lines import Ranges, fline, is_caps, iter_lines, line_at
from kgraph.extract.header.number import number_on_line
from kgraph.extract.header.place_date import place_date
from kgraph.extract.header.tables import tables
from kgraph.extract.header.vocab import SEP_LINE, is_motto


_MOTTO_CAPS = re.compile(r"CỘNG[ \t]+H(?:ÒA|OÀ)[ \t]+XÃ[ \t]+HỘI[ \t]+CHỦ[ \t]+NGHĨA")
#: How far a header table printed out of place (after page 1's text) is looked for.
_DISPLACED_CHARS = 20000


def read_displaced_header(t: str, skip: Ranges, h: Head) -> None:
    """Gazette PDFs may print the header table (issuer, number, motto, date) after page 1's text:
    find it by its motto and take the number, issuer and date the top of the text did not give."""
    tb = tables()
    for m in _MOTTO_CAPS.finditer(t, h.end, min(len(t), _DISPLACED_CHARS)):
        ls, le = line_at(t, m.start())
        if m.start() in skip:
            continue
        lo = t.rfind("\n", 0, max(0, ls - 600)) + 1
        before = [ln for ln in iter_lines(t, lo, ls, skip)][-8:]
        after = [ln for ln in iter_lines(t, le + 1, min(len(t), le + 600), skip)][:8]
        around = before + after
        got = None
        for i, ln in enumerate(around):
            if ln.text and (got := number_on_line(t, ln, tb.number_line)):
                break
        if not got:
            continue
        h.number = got[1]
        if h.date is None:
            for ln in around:
                if ln.text and (pd := place_date(ln.text)):
                    h.place, h.date = pd
                    break
        if h.issuer is None:
            caps: list[str] = []
            for ln in reversed(around[:i]):
                if not ln.text or SEP_LINE.fullmatch(ln.text):
                    continue
                if is_caps(ln.text) and not is_motto(fline(ln.text)):
                    caps.insert(0, ln.text)
                else:
                    break
            if caps:
                h.issuer_lines = caps
                h.issuer = issuer_name(caps)
        return
