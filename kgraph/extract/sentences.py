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
import sys
from bisect import bisect_left
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


#: the first characters of the boundary marks
_MARK_FIRSTS = tuple({b[0] for b in _BOUNDARIES})
#: The longest boundary mark: a mark found in a near window at least this far past its start is the last one.
_LONGEST = max(map(len, _BOUNDARIES))
#: The near window tried first (most sentences end within it); the full lookback only when it holds no mark.
_NEAR = 200


@lru_cache(maxsize=1)
def _any_start() -> tuple[re.Pattern, int]:
    """Where any boundary mark or opener starts (one search), and the longest of them."""
    words = sorted({*_BOUNDARIES, *_openers()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)), len(words[0])


@lru_cache(maxsize=1)
def _any_opener() -> re.Pattern:
    """Any opener: one search says whether a window holds one before each is looked for."""
    return re.compile("|".join(re.escape(o) for o in _openers()))


#: Stretches of one text where no boundary mark or opener starts: (text, a, b), no mark or opener starting in
#: text[a:b]. Dense references in a long sentence (thousands a MB, no mark for thousands of characters) searched the
#: whole lookback, 26 `rfind`s of 3,000 characters, for each one (issue 14). The stretch grows as the passes walk the
#: text. Looking back (`sentence_start`) and ahead (`sentence_end`) keep one each: the two windows of one reference
#: lie ~400 characters apart, and one stretch shared by both was dropped and searched again at each of them.
#: Each is one tuple, replaced whole: a thread reading it while another extracts sees one state or the other,
#: never the text of one with the bounds of another.
_BEHIND: tuple[str | None, int, int] = (None, 0, 0)
_AHEAD: tuple[str | None, int, int] = (None, 0, 0)


#: how far past the position asked a stretch free of marks that is going on is read at once (`_free_until`)
_AHEAD_BLOCK = 512


def _free_until(text: str, x: int, y: int, ahead: bool) -> int:
    """How far from `x` no boundary mark or opener starts, read at least to `y` (>= y: none in text[x:y]);
    `ahead`: the stretch kept for `sentence_end`, else the one for `sentence_start`.

    A window going on from the stretch is read a block ahead (dense references ask every few characters: one
    search per block, and `sentence_start` / `sentence_end` answer the windows inside it at once); a fresh one,
    as sparse references in real text give, only to its end."""
    global _AHEAD, _BEHIND
    ft, fa, fb = _AHEAD if ahead else _BEHIND
    if x >= y:
        return y
    if ft is text and fa <= x and y <= fb:
        return fb
    if ft is text and fa <= x <= fb:
        to = fb + _AHEAD_BLOCK
        if to > len(text):
            to = len(text)
        a, frm, to = fa, fb, (y if y >= to else to)
    else:
        a, frm, to = x, x, y
    pat, longest = _any_start()
    # what starts before `to` ends before to + longest: found by a search that far
    m = pat.search(text, frm, to + longest)
    b = m.start() if m and m.start() < to else to
    if ahead:
        _AHEAD = (text, a, b)
    else:
        _BEHIND = (text, a, b)
    return b


def _no_mark_starts(text: str, x: int, y: int, ahead: bool) -> bool:
    """Whether no boundary mark or opener starts in text[x:y] (`_free_until`)."""
    return _free_until(text, x, y, ahead) >= y


#: The last sentence start found: (text, position, where its lookback began, the start found), one tuple replaced
#: whole (a second thread extracting sees one answer or the other, never half of each).
#:
#: Dense references ask one position twice with other lookbacks (the relation pass asks back to the last
#: reference, then `LEAD` for the sentence it quotes). A start is the end of the last mark (or the last opener)
#: lying wholly in the window: one found at least `_MARGIN` past the start of both windows is the answer for
#: either (a mark starting before a window ends less than `_LONGEST` into it, and an opener's line break is
#: looked for at most 8 characters back), and a window holding none holds none in any window inside it.
_LAST: tuple[str | None, int, int, int] = (None, -1, -1, -1)


def sentence_start(text: str, pos: int, lookback: int = LEAD) -> int:
    """Where the sentence (or preamble item) holding `pos` starts, looking back at most `lookback` chars."""
    global _LAST
    # bounds by a conditional, not max()/min(): on Python 3.11 a call of either costs ~1,300 instructions (its
    # argument tuple, an iterator, two compares), ~30 times the test; dense references made 10-20 a reference (issue 14)
    lo = pos - lookback if pos > lookback else 0
    ft, fa, fb = _BEHIND
    if ft is text and fa <= lo and pos <= fb:
        return lo  # inside the stretch known free of marks (`_sentence_start`'s first answer, without its calls)
    if text.endswith(_BOUNDARIES, lo, pos):
        return pos  # a mark ends right there (a reference opening a line): no later end, and no opener after it
    last_text, last_pos, last_lo, r = _LAST
    if last_pos == pos and last_text is text:
        if lo >= r:
            # the last start in a wider window is at or before this one's: none in this one (a start wholly in it
            # is in the wider one too, after r). The relation pass asks the sentence's window first, then the
            # stretch since the last reference: one search for both
            return lo
        if r != last_lo and (r >= last_lo + _MARGIN and r >= lo + _MARGIN or lo == last_lo):
            return r
        if last_lo <= lo < r and text.endswith(_BOUNDARIES, lo, r):
            return r  # the wider window's start is a mark lying wholly in this one: the last here too
    r = _sentence_start(text, pos, lo)
    _LAST = (text, pos, lo, r)
    return r


@lru_cache(maxsize=1)
def _hiding() -> re.Pattern | None:
    """Where a boundary mark or opener starts whose first character others hold after their first ("\\n\\n" in
    ".\\n\\n"), matching that character alone (its rest looked ahead for): a scan for all of them, one character at
    a time, finds those starting inside another's match, which the scan for every mark steps over."""
    words = {*_BOUNDARIES, *_openers()}
    firsts = {w[0] for w in words}
    inner = sorted({c for w in words for c in w[1:] if c in firsts})
    alts = []
    for c in inner:
        rests = sorted({w[1:] for w in words if w[0] == c}, key=len, reverse=True)
        alts.append(re.escape(c) + "(?=" + "|".join(re.escape(r) for r in rests) + ")")
    return re.compile("|".join(alts)) if alts else None


def mark_starts(text: str) -> list[int]:
    """Every position where a boundary mark or opener starts, in order, those starting inside another's match too.

    One scan of the whole text, for a caller asking of thousands of positions a MB (dense references, issue 14):
    whether one starts in a stretch is then the first one from a position (`Marks`), the next in the list.
    A start the first scan steps over lies inside a match and opens with a character some mark holds after its
    first: the second scan finds every start of those, overlapping or not."""
    out = [m.start() for m in _any_start()[0].finditer(text)]
    hide = _hiding()
    if hide is not None:
        more = [m.start() for m in hide.finditer(text)]
        if more:
            out = sorted({*out, *more})
    return out


class Marks:
    """`mark_starts(text)` for one caller walking the text: the first mark or opener from a position, found from where
    its last look-up ended. Dense references ask two positions a reference, a few characters on each time: a step or
    two, where a bisect of the list cost ~1.8k instructions on 3.11 (each item compared by the generic protocol;
    issue 14). Not shared between threads: each walk makes its own."""

    __slots__ = ("at", "i")

    def __init__(self, text: str) -> None:
        self.at = mark_starts(text)
        self.at.append(sys.maxsize)  # past every position: the look-ups need no bounds check
        self.i = 0

    def first(self, x: int) -> int:
        """Where the first mark or opener from `x` starts (`sys.maxsize` when none does)."""
        at, i = self.at, self.i
        if at[i] < x:  # on: the next one, else a bisect of what lies past it
            i += 1
            if at[i] < x:
                i = bisect_left(at, x, i + 1)
            self.i = i
        elif i and at[i - 1] >= x:  # back: the one before, else a bisect of what lies before it
            i -= 1
            if i and at[i - 1] >= x:
                i = bisect_left(at, x, 0, i)
            self.i = i
        return at[i]


#: how far past a window's start a sentence start must lie to be the start for another window (`_LAST`)
_MARGIN = max(_LONGEST, 8) + 1


def starts_since(text: str, pos: int, last_pos: int, last_start: int, back: int,
                 marks: Marks | None = None) -> tuple[int, int] | None:
    """`sentence_start(text, pos)` and `sentence_start(text, pos, back)` from `last_start`, the first's answer at
    `last_pos` (pos - back < last_pos <= pos), when no boundary mark or opener starts from `last_pos` on nor runs
    across it: what starts a sentence in either window then lies before `last_pos`, in the window there too. None
    when that is not known (a mark or opener there, or a start too near a window's edge to be sure it lies wholly
    in it). The relation pass asks this of references following each other in one sentence (issue 14: a search of
    the sentence for each of them); `marks`: `Marks(text)`, when the caller has read them (dense references)."""
    lo = pos - LEAD if pos > LEAD else 0
    if last_start == (last_pos - LEAD if last_pos > LEAD else 0):
        wide = lo  # none in the window at `last_pos`: none in this one
    elif last_start >= lo + _MARGIN:
        wide = last_start  # lies wholly in this window, judged as it was there
    else:
        return None
    near = pos - back if pos > back else 0
    if last_start <= near:
        narrow = near  # a start in the narrow window would be one in the wide window at `last_pos`, after `last_start`
    elif text.endswith(_BOUNDARIES, near, last_start):
        narrow = last_start  # a mark lying wholly in the narrow window: no later start in it
    else:
        return None
    # what starts before `last_pos` and ends past it holds text[last_pos] after its first character: when no mark
    # nor opener holds that character so (a reference's capital, most often), only what starts from `last_pos` on
    # is looked for; else from as far back as the longest of them
    c = text[last_pos : last_pos + 1]
    a = last_pos if c and c not in _inner_chars() else max(0, last_pos - _any_start()[1])
    if marks is None:
        if not _no_mark_starts(text, a, pos, False):
            return None
    elif a < pos and marks.first(a) < pos:  # the first mark or opener from `a`, as the caller read them
        return None
    return wide, narrow


@lru_cache(maxsize=1)
def _inner_chars() -> frozenset[str]:
    """The characters boundary marks and openers hold after their first (`starts_since`)."""
    return frozenset(c for w in (*_BOUNDARIES, *_openers()) for c in w[1:])


def _sentence_start(text: str, pos: int, lo: int) -> int:
    """Where the sentence (or preamble item) holding `pos` starts, looking back to `lo` at most.

    Plain `rfind` per boundary mark: far cheaper than a regex over the whole text. The last `_NEAR` characters
    are searched first: a mark ending `_LONGEST` or more past their start is the last of the whole lookback
    (one that starts before them ends before it), so the rest is searched only when they hold none, and not
    even then where no mark or opener starts in it (`_no_mark_starts`).
    """
    ft, fa, fb = _BEHIND
    if ft is text and fa <= lo <= fb and _no_mark_starts(text, lo, pos, False):
        return lo  # the stretch known free of marks, grown to `pos`: none in the whole lookback (dense references)
    near = pos - _NEAR if pos - _NEAR > lo else lo
    best = _last_mark(text, near, pos)
    if near > lo and best < near + _LONGEST:
        if _no_mark_starts(text, lo, near, False):
            best = lo if best == near else best  # every mark of the lookback is in the near window
        else:
            near, best = lo, _last_mark(text, lo, pos)
    # only an opener starting after `best` can move it: most windows hold none there
    for o in _openers() if _any_opener().search(text, best + 1 if best >= near else near, pos) else ():
        # an opener starting before `near` is before `best` (>= near), or (nothing starting there) there is none
        i = text.rfind(o, near, pos)
        if i > best:
            line_start = text.rfind("\n", max(lo, i - 8), i) + 1
            if line_start and not text[line_start:i].strip(" \t*-•+>#"):  # "Căn cứ", "*Căn cứ", "- Căn cứ" opening a line
                best = i
    return best


#: The marks that end a line, and those that end with a space.
_LINE_MARKS = tuple(b for b in _BOUNDARIES if b.endswith("\n"))
_SPACE_MARKS = tuple(b for b in _BOUNDARIES if not b.endswith("\n"))


def _last_mark(text: str, lo: int, pos: int) -> int:
    """The end of the last boundary mark within text[lo:pos], or `lo`.

    The marks ending a line are found from the line breaks, last first: one `endswith` tells whether any of them
    ends at a break (and starts at or after `lo`); the others are `rfind` each."""
    best = lo
    for b in _SPACE_MARKS:
        i = text.rfind(b, lo, pos)
        if i >= 0 and i + len(b) > best:
            best = i + len(b)
    q = text.rfind("\n", lo, pos)
    while q >= best:  # a mark ending at this break ends at q + 1 > best
        if text.endswith(_LINE_MARKS, lo, q + 1):
            return q + 1
        q = text.rfind("\n", lo, q)
    return best


#: The last sentence end found from a mark: (text, position asked, limit, end). References of one sentence (two to
#: four a line in dense bait) ask for the same end: it is the first mark wholly in the window, so from a later
#: position before that mark it is the answer again, when the mark lies at least `_LONGEST` before the first
#: window's end (no mark cut off by that end can start before it). One tuple, replaced whole: a thread reading it
#: while another extracts sees one answer or the other, never half of each.
_LAST_END: tuple[str | None, int, int, int] = (None, -1, -1, -1)


#: How far `sentence_end` looks by default; and how far a verb written after a reference may stand when the sentence
#: runs on past that ("Thông tư A ... ; Thông tư B ... hết hiệu lực": two titles of 200-300 characters each).
SENTENCE_REACH = 400
AFTER_REACH = 1200


def sentence_end(text: str, pos: int, limit: int = SENTENCE_REACH, marks: Marks | None = None) -> int:
    """Where the sentence holding `pos` ends (its closing mark included), looking ahead at most `limit`.

    The first `_NEAR` characters are searched first: a mark starting `_LONGEST` or more before their end is the
    first of the whole limit; the rest is searched only when they hold none and some mark starts in it. With
    `marks` (`Marks(text)`, read by a caller asking thousands of positions a MB) the first mark or opener from
    `pos` is looked up there: it answers when it lies past the limit or is a whole mark."""
    global _LAST_END
    hi = pos + limit
    if hi > len(text):
        hi = len(text)
    if marks is not None:
        m = marks.first(pos)
        if m >= hi:
            return hi
        if text.startswith(_BOUNDARIES, m, hi):
            return m + 1
    ft, fa, fb = _AHEAD
    if ft is text and fa <= pos and hi <= fb:
        return hi  # inside the stretch known free of marks (`_sentence_end`'s first answer, without its calls)
    if text.startswith(_BOUNDARIES, pos, hi):
        return pos + 1  # a mark starts right there (a reference closing its sentence): the first one
    last_text, last_pos, last_hi, last_end = _LAST_END
    if last_text is text and last_pos <= pos < last_end and last_hi <= hi:
        return last_end
    end = _sentence_end(text, pos, hi)
    if end - 1 + _LONGEST <= hi:  # a mark, far enough inside the window to be the answer for later positions
        _LAST_END = (text, pos, hi, end)
    return end


def _sentence_end(text: str, pos: int, hi: int) -> int:
    """`sentence_end` for the window text[pos:hi]."""
    m = _free_until(text, pos, hi, True)
    if m >= hi:
        return hi  # none starts within the limit (dense references: the stretch known free grows, no search again)
    # m: where the first mark or opener from `pos` starts: when a mark, the first mark
    if text.startswith(_MARK_FIRSTS, m) and text.startswith(_BOUNDARIES, m, hi):
        return m + 1
    near = pos + _NEAR if pos + _NEAR < hi else hi
    best = _first_mark(text, pos, near)
    if near < hi and best > near - _LONGEST:
        if _no_mark_starts(text, near - _LONGEST if near - _LONGEST > pos else pos, hi, True):
            best = hi if best == near else best  # every mark within the limit is in the near window
        else:
            best = _first_mark(text, pos, hi)
    return best


#: The line-ending marks, longest first: the earliest start among those ending at one line break.
_LINE_MARKS_LONGEST_FIRST = tuple(sorted(_LINE_MARKS, key=len, reverse=True))


def _first_mark(text: str, pos: int, hi: int) -> int:
    """One past the start of the first boundary mark within text[pos:hi], or `hi`.

    As `_last_mark`: the marks ending a line are found from the line breaks, first first; a mark ending at a
    later break starts at most `_LONGEST` - 1 before it, so the breaks are followed only that far."""
    first = hi  # the least start found
    for b in _SPACE_MARKS:
        i = text.find(b, pos, hi)
        if 0 <= i < first:
            first = i
    q = text.find("\n", pos, hi)
    while 0 <= q and q - _LONGEST + 1 < first:  # a mark ending here starts at q - len + 1
        if text.endswith(_LINE_MARKS, pos, q + 1):
            b = next(b for b in _LINE_MARKS_LONGEST_FIRST if text.endswith(b, pos, q + 1))
            first = min(first, q + 1 - len(b))
        q = text.find("\n", q + 1, hi)
    return first + 1 if first < hi else hi
