"""The heading block at the top of a document: the two cells (issuer and number | motto, place and
date), then the type word and the title, up to the preamble.

Each line gets one `Kind`, from the first of `_HeadingBlock.RULES` that claims it; a rule may record
what the line says (the number, the date, the type word) in the `Head`. Then a few passes read what the
kinds add up to: the issuer block, where the document starts and where its header ends, the title.
"""

from __future__ import annotations

import re
from typing import Callable

from kgraph.extract.header.head import Head, Kind
from kgraph.extract.header.issuer import issuer_name
from kgraph.extract.header.lines import Line, Ranges, fline, is_caps, iso_date, iter_lines
from kgraph.extract.header.number import number_on_line
from kgraph.extract.header.place_date import place_date
from kgraph.extract.header.tables import tables
from kgraph.extract.header.title import read_letter_subject, read_running_title, read_title
from kgraph.extract.header.vocab import MODE_LINE, MOTTO, MOTTOS, PREAMBLE, PREAMBLE_WEAK, SEP_LINE, is_motto

#: How far into the text the header (issuer, number, date, type, title) is looked for.
HEAD_CHARS = 6000
#: Header lines are short; a longer line is a paragraph of the body.
_LONG_LINE = 400
#: Section headings the gazette prints above a document (not the document's own words).
_GAZ_SECTION = re.compile(
    r"(?:phần\s+)?(?:văn bản quy phạm pháp luật|văn bản pháp luật khác|văn bản khác|văn bản hợp nhất\s*-.*)"
)
#: A date line without a place (some gazette layouts).
_BARE_DATE = re.compile(r"(?:ngày\s*)?(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.I)
_CONSOLIDATION = re.compile(r"được\s+sửa\s+đổi,?\s+bổ\s+sung\s+bởi\s*:")
#: Kinds after which the header may end (when no body line is met within HEAD_CHARS).
_HEADER_MARKS = (Kind.NUMBER, Kind.PLACE_DATE, Kind.HEADING, Kind.RUNNING, Kind.MOTTO)


class _HeadingBlock:
    """Reads the lines at the top of one text into a `Head`."""

    def __init__(self, t: str, skip: Ranges, start: int = 0) -> None:
        self.t = t
        self.tb = tables()
        self.h = Head()
        stop = min(len(t), start + HEAD_CHARS)
        # read as far as the rules look (`_has`): the body starts after a sixth of the lines in HEAD_CHARS, mostly
        self._more = iter_lines(t, start, stop, skip)
        self.lines: list[Line] = []
        self.kinds: list[Kind] = []
        self.folded: list[str] = []
        self.prev = Kind.BLANK  # the kind of the last non-blank line
        self.date_line: int | None = None
        self.heading_line: int | None = None
        self.running: tuple[int, re.Match] | None = None
        # A consolidated text says, before any "Căn cứ", what amended the document it consolidates.
        cm = _CONSOLIDATION.search(t, start, stop)
        if cm and not re.search(r"\n[ \t]*Căn cứ", t[start : cm.start()]):
            self.h.consolidated = True

    # -- one rule per kind, tried in this order; each returns the kind it claims the line for, or None

    def _blank(self, i: int, s: str, f: str) -> Kind | None:
        return Kind.BLANK if not s else None

    def _separator(self, i: int, s: str, f: str) -> Kind | None:
        return Kind.SEPARATOR if SEP_LINE.fullmatch(s) else None

    def _motto(self, i: int, s: str, f: str) -> Kind | None:
        # (a title may wrap at "Cộng hòa xã hội chủ nghĩa Việt Nam và ...": mixed case is no motto)
        if is_motto(f) and (is_caps(s) or f.startswith(MOTTO[1])):
            return Kind.MOTTO
        # a motto wrapped over two lines (CỘNG HÒA XÃ / HỘI CHỦ NGHĨA VIỆT NAM)
        if not is_caps(s) or not any(m.startswith(f + " ") for m in MOTTOS):
            before = self.folded[i - 1] if i > 0 else ""
            if (self.prev is Kind.MOTTO and is_caps(s) and any(m.startswith(before + " ") for m in MOTTOS)
                    and is_motto(before + " " + f)):
                return Kind.MOTTO
            return None
        nxt = self.lines[i + 1].text if self._has(i + 1) else ""
        return Kind.MOTTO if is_caps(nxt) and is_motto(f + " " + fline(nxt)) else None

    def _section(self, i: int, s: str, f: str) -> Kind | None:
        if not (is_caps(s) and _GAZ_SECTION.fullmatch(f)):
            return Kind.SECTION if self.prev is Kind.SECTION_NAME_NEXT else None  # the consolidator's name
        if f.startswith("văn bản hợp nhất"):
            self.h.consolidated = True
            body = f.split("-", 1)[1].strip()
            if body:
                self.h.consolidator = issuer_name([body])
            elif self._has(i + 1) and is_caps(self.lines[i + 1].text):
                self.h.consolidator = issuer_name([self.lines[i + 1].text])
                return Kind.SECTION_NAME_NEXT
        return Kind.SECTION

    def _signature(self, i: int, s: str, f: str) -> Kind | None:
        # a signature block at the top: short texts whose pages are images
        if is_caps(s) and (mm := MODE_LINE.match(s)) and is_caps(mm.group("rest")):
            return Kind.SIGNATURE
        return Kind.SIGNATURE if self.prev is Kind.SIGNATURE and is_caps(s) else None

    def _number(self, i: int, s: str, f: str) -> Kind | None:
        if self.h.number is not None or self.heading_line is not None:
            return None
        got = number_on_line(self.t, self.lines[i], self.tb.number_line)
        if not got:
            return None
        self.h.number, self.h.number_line = got[1], i
        if self.date_line is None and (pd := place_date(s)):  # Số: 41/2025/TT-NHNN<tab>Hà Nội, ngày ...
            self.h.place, self.h.date = pd
            self.date_line = i
        return Kind.NUMBER

    def _place_date(self, i: int, s: str, f: str) -> Kind | None:
        if self.date_line is not None or self.heading_line is not None or not (pd := place_date(s)):
            return None
        self.h.place, self.h.date = pd
        self.date_line = i
        return Kind.PLACE_DATE

    def _heading(self, i: int, s: str, f: str) -> Kind | None:
        if self.heading_line is not None or self.running is not None or not is_caps(s) or s.endswith(":"):
            return None
        hm = self.tb.heading.fullmatch(f)
        if not hm:
            return None
        self.h.heading = self.tb.k.doc_type(name=hm.group("word"))
        self.heading_line = i
        return Kind.HEADING

    def _caps(self, i: int, s: str, f: str) -> Kind | None:
        return Kind.CAPS if is_caps(s) else None

    def _running(self, i: int, s: str, f: str) -> Kind | None:
        if self.heading_line is not None or self.h.number is not None or self.running is not None:
            return None
        rm = self.tb.running_title.match(s)
        if not (rm and rm.group("word")[:1].isupper()):
            return None
        self.running = (i, rm)
        return Kind.RUNNING

    def _body(self, i: int, s: str, f: str) -> Kind | None:
        after_heading = self.prev is Kind.HEADING  # "Thực hiện thí điểm ..." may open a title
        if (
            PREAMBLE.match(s)
            or (not after_heading and PREAMBLE_WEAK.match(s))
            or (self.h.consolidated and self.heading_line is not None and not after_heading
                and self.tb.cite_start.match(s))
            or (len(s) > 160 and not after_heading)  # a paragraph (a website's title may be one long line)
        ):
            return Kind.BODY
        return None

    RULES: tuple[Callable[[_HeadingBlock, int, str, str], Kind | None], ...] = (
        _blank, _separator, _motto, _section, _signature, _number, _place_date, _heading, _caps, _running, _body,
    )

    def _has(self, i: int) -> bool:
        """Whether the head has an i-th line (read on from the text up to it)."""
        lines = self.lines
        while len(lines) <= i:
            ln = next(self._more, None)
            if ln is None:
                return False
            lines.append(ln)
        return True

    def classify(self) -> None:
        """Give each line its kind, up to the first line of the body."""
        i = -1
        while self._has(i := i + 1):
            s = self.lines[i].text
            if len(s) > _LONG_LINE:  # a paragraph: the header is over
                self.folded.append("")
                self.kinds.append(Kind.BODY)
                break
            f = fline(s) if s else ""
            self.folded.append(f)
            kind = next((k for rule in self.RULES if (k := rule(self, i, s, f)) is not None), Kind.TEXT)
            self.kinds.append(kind)
            if kind is Kind.BODY:
                if s.startswith("Kính gửi"):
                    self.h.letter = True
                break
            if kind is not Kind.BLANK:
                self.prev = kind
        self.lines = self.lines[: len(self.kinds)]

    # -- passes over the classified lines

    def body_at(self) -> int:
        """The index of the first body line (len(lines) when the body was not met)."""
        return len(self.kinds) - 1 if self.kinds and self.kinds[-1] is Kind.BODY else len(self.kinds)

    def issuer_block(self) -> list[int] | None:
        """The last group of capitalised lines before the number (else before the type word)."""
        h, kinds = self.h, self.kinds
        limit = self.heading_line if self.heading_line is not None else self.body_at()
        groups: list[list[int]] = []
        for i in range(min(limit, len(kinds))):
            if kinds[i] is Kind.CAPS:
                if i > 0 and kinds[i - 1] is Kind.CAPS:
                    groups[-1].append(i)
                else:
                    groups.append([i])
        if not groups:
            return None
        before = [g for g in groups if h.number_line is not None and g[-1] < h.number_line]
        chosen = before[-1] if before else groups[-1]
        h.issuer_lines = [self.lines[i].text for i in chosen]
        h.issuer = issuer_name(h.issuer_lines)
        return chosen

    def document_start(self, issuer_block: list[int] | None) -> int:
        """Where the document's own words begin: its first header line (what is above is page chrome)."""
        firsts = (issuer_block[0] if issuer_block else None, self.h.number_line, self.date_line, self.heading_line)
        anchors = [i for i in firsts if i is not None]
        anchors += [i for i, kd in enumerate(self.kinds) if kd is Kind.MOTTO][:1]
        if self.running:
            anchors.append(self.running[0])
        return self.lines[min(anchors)].start if anchors else 0

    def header_end(self) -> int:
        """Where the body begins, else after the last header line (the title moves it further)."""
        body_at = self.body_at()
        if body_at < len(self.lines):
            return self.lines[body_at].start
        marks = [i for i, kd in enumerate(self.kinds) if kd in _HEADER_MARKS]
        return self.lines[marks[-1]].end if marks else 0

    def title(self) -> None:
        """The title under the type word; else a gazette continuation's running title."""
        h = self.h
        if self.heading_line is not None:
            read_title(h, self.lines, self.kinds, self.folded, self.heading_line)
        elif self.running and h.number is None and not h.consolidated:
            read_running_title(h, self.t, self.lines, self.kinds, *self.running)
        if h.title is None and h.number_line is not None:
            read_letter_subject(h, self.lines, self.kinds)

    def date_without_place(self) -> None:
        """A date line without a place (some gazette layouts), before the type word."""
        if self.h.date is not None:
            return
        upto = self.heading_line if self.heading_line is not None else len(self.kinds)
        for i, kd in enumerate(self.kinds[:upto]):
            if kd is Kind.TEXT and (bm := _BARE_DATE.fullmatch(self.lines[i].text)):
                self.h.date = iso_date(bm.group("d"), bm.group("m"), bm.group("y"))
                break


def read_head(t: str, skip: Ranges, start: int = 0) -> Head:
    """Issuer block, number, place and date, type word and title from the top of the text (from `start`,
    where a saved page's chrome ends)."""
    block = _HeadingBlock(t, skip, start)
    block.classify()
    block.h.doc_start = block.document_start(block.issuer_block())
    block.h.end = block.header_end()
    block.title()
    block.date_without_place()
    return block.h
