"""A consolidated text (văn bản hợp nhất): its own number, issuer, date and signer are in the
``XÁC THỰC VĂN BẢN HỢP NHẤT`` block after the body, not in the header at the top."""

from __future__ import annotations

import re

from kgraph.extract.header.head import Head
from kgraph.extract.header.issuer import issuer_name
from kgraph.extract.header.lines import Ranges, is_caps, iter_lines, line_at
from kgraph.extract.header.number import Number, read_number
from kgraph.extract.header.place_date import place_date
from kgraph.extract.header.signer import Signature, find_signature
from kgraph.extract.header.tables import tables
from kgraph.extract.normalize import DASH_CLASS

_VBHN_NUMBER = re.compile(
    r"S[ốỐ][ \t]{0,3}:{1,2}[ \t]{0,3}(?P<num>\d[\d.]{0,8}[ \t]{0,2}/[ \t]{0,2}VBHN[ \t]{0,2}" + DASH_CLASS
    + r"[ \t]{0,2}[\wĐđ]{1,20}(?:" + DASH_CLASS + r"[\wĐđ]{1,20}){0,6})"
)
_XAC_THUC = "XÁC THỰC VĂN BẢN HỢP NHẤT"


def find_consolidation_number(t: str) -> re.Match | None:
    """The first ``Số: N/VBHN-...`` in the text."""
    return _VBHN_NUMBER.search(t)


def is_own_authentication(t: str, vb: re.Match, h: Head, num: Number | None) -> bool:
    """Whether the VBHN number is this text's own: the top said it consolidates, or gave no number,
    or the number stands in an authentication block."""
    return h.consolidated or num is None or t.find(_XAC_THUC, max(0, vb.start() - 400), vb.end() + 400) >= 0


def read_authentication(t: str, skip: Ranges, h: Head, vb: re.Match) -> tuple[Number | None, Signature | None]:
    """Number, issuer, place and date (into `h`) and signer from the authentication block at `vb`."""
    h.consolidated = True
    ls, le = line_at(t, vb.start())
    vnum = read_number(vb.group("num"), ls, le)
    block = [ln for ln in iter_lines(t, max(0, ls - 300), ls, skip)]
    caps: list[str] = []
    for ln in reversed(block):
        if not ln.text:
            if caps:
                break
            continue
        if is_caps(ln.text) and ln.text != _XAC_THUC:
            caps.insert(0, ln.text)
        else:
            break
    h.issuer = issuer_name(caps) if caps else None
    h.place = h.date = None
    for n, ln in enumerate(iter_lines(t, le + 1, len(t), skip)):
        if n > 10:
            break
        pd = place_date(ln.text) if ln.text else None
        if pd:
            h.place, h.date = pd
            break
    return vnum, find_signature(t, le + 1, skip, min(len(t), le + 1500))


def drop_consolidated_top(h: Head, num: Number | None) -> Number | None:
    """A consolidated text without its authentication block here (that part of the gazette holds
    only the body): nothing of the top header is the consolidated text's but its consolidator."""
    h.place = h.date = None
    h.issuer = h.consolidator
    t = tables().consolidated_type
    return None if (num and (t is None or num.type_code != t.code)) else num
