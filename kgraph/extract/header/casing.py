"""Case for what a header writes in capitals: titles as sentences, keeping proper names' capitals."""

from __future__ import annotations

import re

from kgraph.extract.header.tables import tables
from kgraph.extract.normalize import one_line
from kgraph.knowledge import fold


#: After "Luật"/"Bộ luật"/"Pháp lệnh" these words do not start a name (Luật này, các luật có liên quan).
_NOT_A_NAME = frozenset(
    "này số và các về của năm sửa có đã được trong thì theo tại liên quy khác hiện cũ mới đó nêu trên để "
    "cho hoặc là với nào sẽ đang".split()
)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def title_words(s: str) -> str:
    return " ".join(cap(w) for w in s.split())


def lower(s: str) -> str:
    """Lower case, keeping the document's spelling (``fold`` would move tone marks: toàn → tòan).

    Tokens with digits or a slash keep their case: numbers (18/2000/QH10), HIV/AIDS."""
    return " ".join(w if any(c.isdigit() or c == "/" for c in w) else w.lower() for w in one_line(s).split(" "))


def spelling_key(low: str) -> str:
    """Lower-case text in the knowledge tables' spelling, character for character (uỷ → ủy)."""
    return low.replace("uỷ", "ủy").replace("hoá", "hóa").replace("oà", "òa")


def proper_names(low: str, extra: tuple[str, ...] = ()) -> str:
    """Give known proper names in lower-case text their capitals (issuers, places of this document).

    Matches run on `spelling_key(low)`, which has the same length, so the rest keeps the text's spelling."""
    tb = tables()
    key = spelling_key(low)
    out, pos = [], 0
    spans = [(m.start(), m.end(), tb.phrase_case.get(re.sub(r"\s+", " ", m.group(0)))) for m in tb.phrases.finditer(key)]
    for name in extra:
        if name:
            spans += [(m.start(), m.end(), name) for m in re.finditer(r"(?<!\w)" + re.escape(fold(name)) + r"(?!\w)", key)]
    for s0, e0, name in sorted(spans):
        if name and s0 >= pos:
            out.append(low[pos:s0])
            out.append(name)
            pos = e0
    out.append(low[pos:])
    return "".join(out)


def _name_after_law(low: str) -> str:
    """``của luật bảo hiểm y tế`` → ``của Luật Bảo hiểm y tế``: a law cited by name inside a title."""

    def rep(m: re.Match) -> str:
        if m.start() == 0:
            return m.group(0)  # the title itself (LUẬT SƯ → Luật sư)
        before = low[max(0, m.start() - 6) : m.start()]
        if before.endswith("pháp ") or before.endswith("các ") or before.endswith("những "):
            return m.group(0)
        word = m.group(2)
        if word in _NOT_A_NAME or word[:1].isdigit():
            return m.group(0)
        return cap(m.group(1)) + " " + cap(word)

    return re.sub(r"(?<!\w)(bộ luật|luật|pháp lệnh)\s+(\w+)", rep, low)


def sentence_case(caps: str, extra: tuple[str, ...] = ()) -> str:
    """A title written in capitals, as a sentence: proper names keep their capitals."""
    return cap(_name_after_law(proper_names(lower(caps), extra)))
