"""A saved web page's markdown marks and linearised table cells, seen as the plain lines a header is made of.

Legal websites' pages arrive as markdown: the two-column header is linearised cell by cell, with ``|`` lines
between cells, ``**bold**`` and ``*italic*`` runs that the page wraps at its own width, and marks even inside
words ("n**ă**m")::

    **ỦY BAN NHÂN
    DÂN **
    TỈNH HÀ TĨNH
    |
    *Hà Tĩnh, ngày
    02 tháng 12 năm 2025*

`plain_view` returns a text of the same length in which those are what a printed header would be: marks
and cell bars are blanks, a run wrapped inside its marks is one line ("ỦY BAN NHÂN DÂN"), and the wraps
a header's fields suffer anywhere ("Số:⏎84/2025/QĐ-UBND", "ngày 02⏎tháng 12 năm 2025") are joined.
Every offset stays the offset of the same place in the text as given, so what the header reader finds
(ranges to skip, the number's line) needs no mapping back. A letter kept only by moving it left by the
width of the marks removed inside its word stays on its own line.
"""

from __future__ import annotations

import re

#: Evidence of a markdown page: bold marks, or a table cell bar alone on a line.
_MARKDOWN = re.compile(r"\*\*|\n[ \t]*\|[ \t]*\n")
#: A line that is only a table cell bar (or bars).
_BAR_LINE = re.compile(r"\n[ \t]*\|[ \t|]*(?=\n)")
#: Markdown headings at the start of a line (# / ## ...).
_HASHES = re.compile(r"\n#{1,6}(?=[ \t\n])")
#: Marks inside a word ("n**ă**m", "ng**ày"): the marks go, the letters close up.
#: (and a letter before: checked by the caller). Written to open with a literal "*": the engine then skips to each
#: "*" by a fast search; opened by the repeat `\*+` it tried the pattern at every character (~9% of a gazette text's
#: extraction instructions)
_INWORD_MARK = re.compile(r"\*\**(?=\w)")
#: A bold run and an italic run, wrapped over at most three line breaks, without a cell bar inside.
_BOLD_RUN = re.compile(r"\*\*([^*|]{0,300}?)\*\*")
_ITALIC_RUN = re.compile(r"\*(?=[^\s*])([^*|]{0,300}?)\*(?!\*)")  # (not after a letter or mark: checked)
#: The wraps a header's fields suffer anywhere: "Số:" alone before its number; a date cut anywhere
#: ("ngày 02⏎tháng 12 năm 2025", "tháng 11⏎năm 2025"); a place cut before the rest of its name
#: ("Quảng⏎Trị, ngày ...", "Đồng Tháp,⏎ngày ..."). Looked for at the top of the text only.
_NUMBER_WRAP = re.compile(r"\n[ \t]*(?:Số|SỐ)[ \t]*:?[ \t]*\n(?=[ \t]*\d)")
_DATE_WRAP = re.compile(
    r"ngày[ \t\n]{1,8}\d{1,2}[ \t\n]{1,8}tháng[ \t\n]{1,8}\d{1,2}[ \t\n]{1,8}năm[ \t\n]{1,8}\d{4}"
)
_PLACE_COMMA = re.compile(r",[ \t]*(\n?)[ \t]*ngày[ \t]+\d")
_PLACE_START = re.compile(r"[ \t]*(?:[A-ZĐÀ-Ỹ][^\s,]*[ \t]+){0,2}[^\s,]+")
_PLACE_WORDS = re.compile(r"[ \t]*(?:(?:[A-ZĐÀ-Ỹ][^\s,]*|phố)[ \t]+){0,3}[A-ZĐÀ-Ỹ][^\s,]*[ \t]*")
#: How far from the start the wrapped fields are looked for (a site's panel and summary come first).
_HEAD_REACH = 20000
#: The longest run of lines joined as one (a wrapped title in marks is longer; it needs no joining).
_MAX_BREAKS = 3


def _breaks(t: str, start: int, end: int) -> list[int]:
    """The line breaks in t[start:end], when there are few of them (else none: not one wrapped line)."""
    out = []
    pos = t.find("\n", start, end)
    while pos >= 0:
        out.append(pos)
        if len(out) > _MAX_BREAKS:
            return []
        pos = t.find("\n", pos + 1, end)
    return out


def _splice(t: str, reps: dict[int, str]) -> str:
    """`t` with t[at:at+len(rep)] replaced by each rep (same lengths; overlapping ones after the first skipped)."""
    if not reps:
        return t
    out: list[str] = []
    pos = 0
    for at in sorted(reps):
        if at < pos:
            continue
        out.append(t[pos:at])
        out.append(reps[at])
        pos = at + len(reps[at])
    out.append(t[pos:])
    return "".join(out)


def _closed_up(t: str) -> dict[int, str]:
    """Words with marks inside ("n**ă**m"): the letters close up, the marks' width goes after them."""
    edits: dict[int, str] = {}
    for m in _INWORD_MARK.finditer(t):
        s = m.start()
        if s == 0 or not t[s - 1].isalnum():
            continue
        while s > 0 and (t[s - 1].isalnum() or t[s - 1] == "_"):
            s -= 1
        e = m.end()
        while e < len(t) and (t[e].isalnum() or t[e] in "_*"):
            e += 1
        word = t[s:e]
        bare = word.replace("*", "")
        edits.setdefault(s, bare + " " * (len(word) - len(bare)))
    return edits


def plain_view(t: str) -> str:
    """`t` with markdown marks, cell bars and wrapped header fields undone, at the same length."""
    if ("**" in t or "|" in t) and _MARKDOWN.search(t):  # `in` first: the search tried every line break
        joins: dict[int, str] = {}
        for pat in (_BOLD_RUN, _ITALIC_RUN):  # runs, on the marks as written
            for m in pat.finditer(t):
                if pat is _ITALIC_RUN and m.start() and (t[m.start() - 1] == "*" or t[m.start() - 1].isalnum()):
                    continue
                joins.update((b, " ") for b in _breaks(t, m.start(1), m.end(1)))
        t = _BAR_LINE.sub(lambda m: "\n" + " " * (len(m.group(0)) - 1), t)
        t = _HASHES.sub(lambda m: "\n" + " " * (len(m.group(0)) - 1), t)
        t = _splice(t, _closed_up(t)).replace("*", " ")
        t = _splice(t, joins)
    reach = min(len(t), _HEAD_REACH)
    wraps: dict[int, str] = {}
    for m in _NUMBER_WRAP.finditer(t, 0, reach):
        wraps[m.end() - 1] = " "
    for m in _DATE_WRAP.finditer(t, 0, reach):
        wraps.update((b, " ") for b in _breaks(t, m.start(), m.end()))
    for m in _PLACE_COMMA.finditer(t, 0, reach):
        if m.group(1):  # Đồng Tháp,⏎ngày 25 ...
            wraps[m.start(1)] = " "
            continue
        ls = t.rfind("\n", 0, m.start()) + 1  # Quảng⏎Trị, ngày 27 ...
        if ls > 1 and _PLACE_START.fullmatch(t, ls, m.start()):
            ps = t.rfind("\n", 0, ls - 1) + 1
            if _PLACE_WORDS.fullmatch(t, ps, ls - 1):
                wraps[ls - 1] = " "
    return _splice(t, wraps)
