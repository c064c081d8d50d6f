"""Sentence bounds: where the sentence (or preamble item) around a reference starts and ends.

Shared by the relation classifier, the short-form binder and `find_references`.
"""

from __future__ import annotations

#: How far back in a sentence a trigger is looked for.
LEAD = 500
#: How far back the start of a clause is looked for when grouping references into one clause: a "Căn cứ"
#: paragraph naming an instrument, its amending ones and their titles runs past 1,500 characters.
CLAUSE_LOOKBACK = 3000

_BOUNDARIES = (". ", ".\n", "? ", "! ", "\n\n", ";\n", ":\n", ". \n", "; \n", ": \n", "\n \n", ";  \n", ":  \n", ".  \n")
import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _openers() -> tuple[str, ...]:
    """A preamble item opens a clause even when the line before it has no closing mark (a title run into
    "Căn cứ ..." in a gazette's text layer, "...;* *Theo đề nghị" on a web page): the sentence starts at its
    first letter. The words are header.yaml's preamble openers that are plain words ("Căn cứ", "Theo đề nghị")."""
    from kgraph.knowledge import load

    out = []
    for p in load().header.preamble:
        w = p.opener.strip()
        if re.fullmatch(r"[A-ZĐ][^\W\d_]*(?: [^\W\d_]+)*", w) and not w.isupper():
            out.append(w + " ")
    return tuple(out)


def sentence_start(text: str, pos: int, lookback: int = LEAD) -> int:
    """Where the sentence (or preamble item) holding `pos` starts, looking back at most `lookback` chars.

    Plain `rfind` per boundary mark: far cheaper than a regex over the whole text.
    """
    lo = max(0, pos - lookback)
    best = lo
    for b in _BOUNDARIES:
        i = text.rfind(b, lo, pos)
        if i >= 0 and i + len(b) > best:
            best = i + len(b)
    for o in _openers():
        i = text.rfind(o, lo, pos)
        if i > best:
            line_start = text.rfind("\n", max(lo, i - 8), i) + 1
            if line_start and not text[line_start:i].strip(" \t*-•+>#"):  # "Căn cứ", "*Căn cứ", "- Căn cứ" opening a line
                best = i
    return best


def sentence_end(text: str, pos: int, limit: int = 400) -> int:
    """Where the sentence holding `pos` ends (its closing mark included), looking ahead at most `limit`."""
    hi = min(len(text), pos + limit)
    best = hi
    for b in _BOUNDARIES:
        i = text.find(b, pos, hi)
        if 0 <= i < best:
            best = i + 1
    return best
