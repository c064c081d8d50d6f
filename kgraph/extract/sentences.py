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
#: A preamble item opens a clause even when the line before it has no closing mark (a title run into
#: "Căn cứ ..." in a gazette's text layer): the sentence starts at its first letter.
_OPENERS = ("\nCăn cứ ",)


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
    for o in _OPENERS:
        i = text.rfind(o, lo, pos)
        if i >= 0 and i + 1 > best:
            best = i + 1
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
