"""Page furniture and site chrome: gazette page headers, e-signature stamps, continuation notes, a
website's metadata footer. Found by linear scans of the whole text for literal anchors."""

from __future__ import annotations

import re

from kgraph.extract.header.lines import Ranges, iter_lines, opens_line
from kgraph.extract.header.vocab import (
    CONTINUED, FOOTER_KEYS, GAZETTE, SITE_CHROME, SITE_FOOTER, SITE_TAIL, STAMP_FIELD, STAMPS,
)
from kgraph.extract.normalize import unify_dashes
from kgraph.knowledge import fold

_FIELD_LINE = re.compile(r"[A-ZĐÀ-Ỹ][^:\n]{1,30}:")
#: A document's body after a footer-like block (the block was then not the page's footer).
_BODY_AFTER = re.compile(r"\n[ \t]*(?:Điều[ \t]+\d|CỘNG[ \t]+H(?:ÒA|OÀ)[ \t]+XÃ[ \t]+HỘI)")


def skip_gazette_headers(t: str, skip: Ranges) -> None:
    """``CÔNG BÁO/Số 252/Ngày 27-04-2026`` and the page number printed beside it."""
    last_page = -1
    for m in GAZETTE.finditer(t):
        ls = opens_line(t, m.start(), " \t\xa00123456789")
        if ls is None:
            continue  # written inside a sentence
        le = t.find("\n", m.end())
        le = len(t) if le < 0 else le
        start, end = ls, le
        page_after = _adjacent_number_line(t, le, forward=True)
        page_before = _adjacent_number_line(t, ls, forward=False)
        pick = None
        if page_after and page_after[2] == last_page + 1:
            pick = page_after
        elif page_before and page_before[2] == last_page + 1:
            pick = page_before
        else:
            pick = page_after or page_before
        if pick:
            start, end = min(start, pick[0]), max(end, pick[1])
            last_page = pick[2]
            # the same number printed again beside it (some layouts print it two or three times): furniture too
            while (more := _adjacent_number_line(t, end, forward=True)) and more[2] == pick[2]:
                end = more[1]
            while (more := _adjacent_number_line(t, start, forward=False)) and more[2] == pick[2]:
                start = more[0]
        skip.add(start, end)


def _adjacent_number_line(t: str, pos: int, forward: bool) -> tuple[int, int, int] | None:
    """A line holding only a page number next to `pos` (at most two blank lines between)."""
    for _ in range(3):
        if forward:
            if pos >= len(t):
                return None
            s = pos + 1
            e = t.find("\n", s)
            e = len(t) if e < 0 else e
        else:
            if pos <= 0:
                return None
            e = pos - 1
            s = t.rfind("\n", 0, e) + 1
        body = t[s:e].strip()
        if body:
            if body.isdigit() and len(body) <= 4:
                return s, e, int(body)
            return None
        pos = e if forward else s
    return None


def skip_stamps(t: str, skip: Ranges) -> None:
    """E-signature stamps: ``Ký bởi: ... / Email: ... / Cơ quan: ... / Ngày ký: ...``."""
    done = -1
    for m in sorted((m for p in STAMPS for m in p.finditer(t)), key=lambda m: m.start()):
        ls = opens_line(t, m.start())
        if ls is None or ls < done:
            continue  # inside a sentence, or a field of the stamp just read
        le = t.find("\n", m.end())
        le = len(t) if le < 0 else le
        end, fields, loose = le, 0, 0
        pos = le
        for _ in range(6):
            if pos >= len(t):
                break
            s = pos + 1
            e = t.find("\n", s)
            e = len(t) if e < 0 else e
            body = t[s:e].strip()
            if STAMP_FIELD.match(body):
                fields += 1
                end = e
            elif body and fields == 0 and loose == 0 and len(body) < 30 and ":" not in body:
                loose += 1  # the first value wrapped onto a second line
                end = e
            else:
                break
            pos = e
        if fields:
            skip.add(ls, end)
            done = end


def skip_continuations(t: str, skip: Ranges) -> None:
    """``(Xem tiếp Công báo số 331 + 332)`` and ``(Tiếp theo Công báo số ...)``."""
    for m in CONTINUED.finditer(t):
        ls = opens_line(t, m.start())
        le = t.find("\n", m.end())
        le = len(t) if le < 0 else le
        if ls is not None and not t[m.end() : le].strip():
            skip.add(ls, le)


def skip_site_footer(t: str, skip: Ranges, number: str | None, body_start: int) -> None:
    """A website's metadata footer (``Số hiệu:``, ``Loại văn bản:`` ...) and the page chrome around it."""
    done = 0
    for m in SITE_FOOTER.finditer(t):
        ls = opens_line(t, m.start())
        if ls is None or ls < done:
            continue
        end, keys = ls, 0
        for n, line in enumerate(iter_lines(t, ls, len(t))):
            if n > 40 or (line.text and not _FIELD_LINE.match(line.text)):
                break
            keys += bool(FOOTER_KEYS.match(line.text))
            end = line.end
        if keys < 3 or "..." in t[ls:end] or "…" in t[ls:end]:
            continue  # a form's fields
        start = ls
        # back over the chrome just above it: the page's own title with the number, site phrases
        pos, steps = ls, 0
        compact = number.replace(" ", "") if number else None
        while pos > 0 and steps < 8:
            e = pos - 1
            s = t.rfind("\n", 0, e) + 1
            body = t[s:e].strip()
            if body:
                f = fold(body)
                squashed = unify_dashes(body).replace(" ", "")
                if (compact and compact in squashed) or any(f.startswith(c) for c in SITE_CHROME):
                    start = s
                    steps += 1
                else:
                    break
            pos = s
        if start > body_start and not _BODY_AFTER.search(t, end):
            skip.add(start, len(t))  # after the body: the rest of the page is the site's
            return
        skip.add(start, end)
        done = end


def skip_site_tail(t: str, skip: Ranges, number: str | None, body_start: int) -> None:
    """A saved page's chrome after the document ("Văn bản này chưa cập nhật nội dung Tiếng Anh", "## Văn bản
    liên quan", comparison help, the site's address, account notices): from its first line, and the page's own
    title lines just above it, to the end; only when no document text (an article, a motto) follows."""
    if not SITE_TAIL:
        return
    for m in _TAIL_LINE.finditer(t, body_start):
        line = fold(m.group(1).strip(" #*"))
        if line not in SITE_TAIL or _BODY_AFTER.search(t, m.end()):
            continue
        start = m.start() + 1
        compact = number.replace(" ", "") if number else None
        pos, steps = start, 0
        while pos > 0 and steps < 4 and compact:  # the page's title lines repeat the own number
            e = pos - 1
            s = t.rfind("\n", 0, e) + 1
            body = t[s:e].strip()
            if body and compact not in unify_dashes(body).replace(" ", ""):
                break
            if body:
                start, steps = s, steps + 1
            pos = s
        skip.add(start, len(t))
        return


_TAIL_LINE = re.compile(r"\n([ \t#*]*Văn bản[^\n]{0,60})")
