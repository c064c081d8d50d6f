"""Rich Text Format (often saved under a .doc name): its text, one paragraph a line.

`striprtf` (BSD) handles groups, destinations that hold no text, ``\\'hh`` bytes in the document's
code page and ``\\uN`` characters with their ``\\ucN`` fallbacks (the Crystal Reports export in the
shared corpus writes each Vietnamese letter as ``\\u7897?``, which naive readers double).
"""

from __future__ import annotations

import codecs
import re

from kgraph.reader.base import InputError

_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")


def read_rtf(raw: bytes, source: str) -> str:
    """The text of an RTF document."""
    from striprtf.striprtf import rtf_to_text

    m = _CODEPAGE.search(raw[:4096])
    encoding = f"cp{m.group(1).decode()}" if m else "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        # RTF is 7-bit: anything above is written as \'hh; latin-1 keeps stray bytes one-to-one
        text = rtf_to_text(raw.decode("latin-1"), encoding=encoding, errors="replace")
    except Exception as e:  # striprtf raises plain errors on malformed groups
        raise InputError(source, f"damaged RTF file ({type(e).__name__}: {e})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
