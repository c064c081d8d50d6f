"""The document's type and type code, from its number's code and its heading's type word."""

from __future__ import annotations

import re

from kgraph.extract.header.head import Head
from kgraph.extract.header.number import Number
from kgraph.extract.header.tables import tables
from kgraph.knowledge import DocType


def decide_type(h: Head, num: Number | None) -> tuple[DocType | None, str | None]:
    """Type and code: a consolidated text is one whatever it consolidates; else the number's code,
    unless the type word names another type (35-L/CTN under LUẬT is a law); else the type word. A text
    without a type word that reads as a letter (a "V/v" subject, "Kính gửi") is an official letter."""
    k = tables().k
    num_type = k.doc_type(code=num.type_code) if num and num.type_code else None
    if (num_type and num_type.family == "consolidated") or h.consolidated:
        t = tables().consolidated_type
        return t, t.code if t else None
    head = h.heading
    if h.letter and not head:
        # a letter's number may begin with a unit's code that is also a type code (5348/CT-CS: Cục Thuế)
        return tables().letter_type, None
    if num_type and head and num_type.name != head.name:
        return head, head.code
    if num_type:
        return num_type, num_type.code
    if head:
        return head, head.code
    if num and not num.type_code and num.issuer_codes and "/" in num.number:
        # N/ISSUER-UNIT: an official letter (công văn), whose number has no type code
        first = num.issuer_codes[0]
        if not re.fullmatch(r"\D+\d+", first) and k.issuer(code=first) and len(num.issuer_codes) > 1:
            return tables().letter_type, None
    return None, None
