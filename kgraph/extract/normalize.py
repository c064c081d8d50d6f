"""Text normalisation that keeps offsets honest.

Matching runs on NFC text; when the input is not NFC (decomposed diacritics from PDF or Mac
tools), an offset map sends every position in the NFC text back to the text as given.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from typing import Iterable

from kgraph.numbers import DASH_CLASS, DASHES, dj_for_eth, squash, unify_dashes  # re-exported: the extractor's text helpers

#: The combining marks decomposed Vietnamese uses (tones, circumflex, breve, horn); a text with none
#: of them is taken as composed without the full NFC check (`in` on one character is a fast scan).
_VIETNAMESE_MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
#: A run of combining marks; with the character before it (none for a run opening the text), a base letter and its
#: marks. Scanned for from the marks: a pattern opening with "any character but a mark" was tried at every position.
_MARKS = r"[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
#: (one class then its repeat, not `class+`: the engine then scans for the class by its fast path; the repeat opening
#: the pattern was tried at every character, ~11% of a gazette text's extraction instructions)
_MARK_RUN = re.compile(_MARKS + _MARKS + "*")


class OffsetText:
    """NFC text for matching plus a map from its offsets to the original's (``Ð`` read as ``Đ``)."""

    __slots__ = ("text", "_starts_nfc", "_starts_orig", "identity")

    def __init__(self, original: str):
        # no combining mark at all (the usual case) means nothing to compose
        if not any(m in original for m in _VIETNAMESE_MARKS):
            self._as_is(original)
            return
        parts: list[str] = []
        starts_nfc: list[int] = []
        starts_orig: list[int] = []
        pos_orig = 0
        pos_nfc = 0
        # Compose each base letter with its combining marks; every other run is copied as is.
        for r in _MARK_RUN.finditer(original):
            ms, me = r.start() - 1, r.end()  # the base letter and its marks
            if ms < 0:
                continue  # marks opening the text have no base: copied with the next run
            if ms > pos_orig:
                chunk = unicodedata.normalize("NFC", original[pos_orig:ms])
                starts_nfc.append(pos_nfc)
                starts_orig.append(pos_orig)
                parts.append(chunk)
                pos_nfc += len(chunk)
            composed = unicodedata.normalize("NFC", original[ms:me])
            starts_nfc.append(pos_nfc)
            starts_orig.append(ms)
            parts.append(composed)
            pos_nfc += len(composed)
            pos_orig = me
            # a composed cluster is atomic: its end maps to the original cluster's end
            starts_nfc.append(pos_nfc)
            starts_orig.append(pos_orig)
        if pos_orig < len(original):
            chunk = unicodedata.normalize("NFC", original[pos_orig:])
            starts_nfc.append(pos_nfc)
            starts_orig.append(pos_orig)
            parts.append(chunk)
        composed = "".join(parts)
        if composed == original:
            # already NFC: known only now, since unicodedata.is_normalized on a text holding combining marks
            # normalizes all of it (the cost of this loop again) to say so
            self._as_is(original)
            return
        self.identity = False
        self.text = dj_for_eth(composed)
        self._starts_nfc = starts_nfc
        self._starts_orig = starts_orig

    def _as_is(self, original: str) -> None:
        """The text needs no composing: offsets are the same."""
        self.text = dj_for_eth(original)
        self.identity = self.text is original  # offsets are the same either way
        self._starts_nfc = []
        self._starts_orig = []

    def to_original(self, pos: int) -> int:
        """Offset in the original text of offset `pos` in the NFC text."""
        if self.identity:
            return pos
        i = bisect_right(self._starts_nfc, pos) - 1
        if i < 0:
            return pos
        return self._starts_orig[i] + (pos - self._starts_nfc[i])


class CutText:
    """A text with stretches cut out, each with the white space on both sides replaced by one line break, and a
    map from the cut text's offsets back to the text's.

    Why: a gazette prints its running header and page number ("CÔNG BÁO/Số 333/Ngày 16-06-2026", "7") between blank
    lines wherever a page ends, mid-sentence as often as not; read in place they are a paragraph break, so the clause
    governing a reference stopped at the page's end ("Thông tư số 37/2020/TT-BTTTT ... [page] ... hết hiệu lực"
    read as a citation, not a repeal). Cut out, the page's last line and the next page's first are one text again,
    as the PDF reader gives them."""

    __slots__ = ("text", "identity", "_at", "_to")

    def __init__(self, text: str, cuts: Iterable[tuple[int, int]] = ()) -> None:
        n = len(text)
        parts: list[str] = []
        at: list[int] = [0]  # where each piece starts in the cut text ...
        to: list[int] = [0]  # ... and in `text`
        pos = out = 0
        for a, b in sorted(cuts):
            while a > pos and text[a - 1].isspace():
                a -= 1
            while b < n and text[b].isspace():
                b += 1
            if b <= pos:
                continue  # inside the last cut and the white space after it
            if a <= pos and parts:
                to[-1] = b  # runs on from the last cut: one line break for both
                pos = b
                continue
            a = max(a, pos)
            parts.append(text[pos:a])
            out += a - pos
            parts.append("\n")
            at.append(out)
            to.append(a)
            out += 1
            at.append(out)
            to.append(b)
            pos = b
        self.identity = not parts
        if self.identity:
            self.text = text
            return
        parts.append(text[pos:])
        self.text = "".join(parts)
        self._at = at
        self._to = to

    def to_source(self, pos: int) -> int:
        """Offset in the text given of offset `pos` in the cut text (a cut's line break: where the cut starts)."""
        if self.identity:
            return pos
        i = bisect_right(self._at, pos) - 1
        return self._to[i] + (pos - self._at[i])


def one_line(s: str) -> str:
    """Collapse runs of white space to one space (titles and names wrapped across lines)."""
    return " ".join(s.split())


#: A stretch of one text known to be single-spaced and printable (`one_line_of`), (text, a, b): a sentence of dense
#: references (~900 characters) was checked whole for each of them; the next one's window mostly overlaps it. One
#: tuple, replaced whole: a second thread extracting sees one stretch or the other, never half of each.
_SINGLE: tuple[str | None, int, int] = (None, 0, 0)


def one_line_of(text: str, start: int, end: int, ahead: int = 0) -> str:
    """`one_line(text[start:end])`, without splitting the stretch into words when its spaces are already single
    (a sentence of dense references is ~900 characters, read once for each of them: issue 14).

    Whether they are is answered from `_SINGLE` (what is known so far; only the part past it is read, one character
    back for a double space across the join). Every white-space character but the space is a control or a
    separator, which `isprintable` refuses. `ahead`: how far past `end` to read when the stretch goes on (a caller
    walking dense references, whose next windows end a few characters further: one check a block, not one each)."""
    global _SINGLE
    ft, fa, fb = _SINGLE
    single = False
    if ft is text and fa <= start <= fb:
        if end <= fb:
            single = True
        else:
            frm = fb - 1 if fb > fa else fb
            to = end + ahead if end + ahead < len(text) else len(text)
            nl = text.find("\n", end, to) if to > end else -1
            if nl >= 0:
                to = nl  # a line break is not single-spaced: the stretch ends before it
            if to > end:
                s = text[frm:to]
                if "  " not in s and s.isprintable():
                    _SINGLE = (text, fa, to)
                    single = True
            if not single:
                s = text[frm:end]
                if "  " not in s and s.isprintable():
                    _SINGLE = (text, fa, end)
                    single = True
    else:
        s = text[start:end]
        if "  " not in s and s.isprintable():
            _SINGLE = (text, start, end)
            single = True
    if not single:
        return one_line(text[start:end])
    s = text[start:end]
    return s.strip(" ") if s[:1] == " " or s[-1:] == " " else s
