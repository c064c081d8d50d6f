"""The title (trích yếu): the lines after the type word, as one sentence; a website's own-number title."""

from __future__ import annotations

import re

from kgraph.extract.header.casing import cap, lower, sentence_case, spelling_key
from kgraph.extract.header.head import Head, Kind
from kgraph.extract.header.lines import Line, fline, is_caps, iso_date
from kgraph.extract.header.number import number_on_line, read_number
from kgraph.extract.header.tables import tables
from kgraph.extract.header.vocab import POSITION_LINE, TAIL_UNIT
from kgraph.extract.normalize import one_line


#: A website's title that repeats the document's own number: "SỐ 35-L/CTN NGÀY 22/06/1994".
_OWN_REF = re.compile(
    r"(?:^|(?<=\s))SỐ\s+(?P<num>\d\S*)(?:\s+NGÀY\s+(?:(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})|"
    r"(?P<d2>\d{1,2})\s+THÁNG\s+(?P<m2>\d{1,2})\s+NĂM\s+(?P<y2>\d{4})))?(?=\s|$)",
    re.I,
)
_OF = re.compile(r"CỦA\s+(?P<by>.+?)(?:\s+(?P<about>VỀ)\s+|$)", re.I)
_NATION = re.compile(r"\s+nước\s+(?:cộng hòa xã hội chủ nghĩa việt nam|việt nam dân chủ cộng hòa)$")
#: An official letter's subject line: "V/v ..." under the number.
_SUBJECT = re.compile(r"\s*(?:V/v|v/v|V/V|Về\s+việc)[.:]?\s+(\S.*)")


def read_title(h: Head, lines: list[Line], kinds: list[Kind], folded: list[str], at: int) -> None:
    """The trích yếu: the lines after the type word up to the preamble, as one sentence."""
    tb = tables()
    rest = tb.heading.fullmatch(folded[at]).group("rest")
    first = lines[at].text
    parts = [first[len(first) - len(rest) :]] if rest else []  # LUẬT BẢO VỆ MÔI TRƯỜNG on one line
    caps_title = is_caps(parts[0]) if parts else None
    last = at
    for j in range(at + 1, len(kinds)):
        kd = kinds[j]
        if kd in (Kind.BLANK, Kind.SEPARATOR):
            if parts:
                break
            continue
        if kd not in (Kind.TEXT, Kind.CAPS):
            break  # the body, or a header line printed after the type word
        s = lines[j].text
        caps = is_caps(s)
        if parts and caps != caps_title:
            break  # a mixed-case title, then THỦ TƯỚNG CHÍNH PHỦ (or the reverse)
        if parts and caps and _is_authority(s, h.issuer_lines):
            break
        if caps_title is None:
            caps_title = caps
        parts.append(s)
        last = j
        if len(parts) >= 12:
            break
    h.end = max(h.end, lines[last].end)
    if not parts:
        return
    raw = one_line(" ".join(parts))
    raw = re.sub(r"(?<=[^\W\d_])\d{1,2}$", "", raw)  # a footnote marker glued to the last word
    if is_caps(raw) and not h.consolidated:
        raw = _strip_own_reference(h, raw, lines[at + 1].start if at + 1 < len(lines) else 0, lines[last].end)
    h.title = sentence_case(raw, _extra_names(h)) if is_caps(raw) else cap(raw)


def read_running_title(h: Head, t: str, lines: list[Line], kinds: list[Kind], i: int, rm: re.Match) -> None:
    """A gazette continuation: "Thông tư số 102/2018/TT-BTC ngày 14 tháng 11 năm 2018 / hướng dẫn ..."
    gives the number, type, date and title at once."""
    tb = tables()
    got = number_on_line(t, lines[i], tb.running_number)
    if not got:
        return
    h.number = got[1]
    h.number_line = i
    h.heading = tb.k.doc_type(name=rm.group("word"))
    if rm.group("d"):
        h.date = iso_date(rm.group("d"), rm.group("m"), rm.group("y"))
    parts = [rm.group("rest").strip()] if rm.group("rest").strip() else []
    for j in range(i + 1, len(kinds)):
        if kinds[j] is not Kind.TEXT:
            break
        parts.append(lines[j].text)
    if parts:
        h.title = cap(one_line(" ".join(parts)))


def read_letter_subject(h: Head, lines: list[Line], kinds: list[Kind]) -> None:
    """An official letter has no type heading: its subject is the "V/v ..." line under the number."""
    assert h.number_line is not None
    for j in range(h.number_line + 1, min(len(lines), h.number_line + 4)):
        vm = _SUBJECT.match(lines[j].text)
        if vm:
            parts = [vm.group(1)]
            for n in range(j + 1, min(len(lines), j + 3)):
                if kinds[n] is not Kind.TEXT or not lines[n].text or lines[n].text[:1].isupper():
                    break
                parts.append(lines[n].text)
            h.title = cap(one_line(" ".join(parts)))
            h.letter = True
            break


def known_issuer(s: str) -> bool:
    """Whether `s` names a body in the issuer table (QUỐC HỘI NƯỚC CỘNG HÒA ... VIỆT NAM included)."""
    key = _NATION.sub("", spelling_key(lower(s)))
    return key in tables().k.issuer_by_name


def _strip_own_reference(h: Head, raw: str, start: int, end: int) -> str:
    """Websites title old laws "CỦA QUỐC HỘI ... SỐ 28/2001/QH10 VỀ DI SẢN VĂN HOÁ" or "DẦU KHÍ SỐ
    18-L/CTN NGÀY 06/07/1993 CỦA QUỐC HỘI": keep the subject; the number and date, when they are the
    document's own (or the header has none), fill the header."""
    m = _OWN_REF.search(raw)
    if not m:
        return raw
    own = read_number(m.group("num"), start, end)
    if own is None or (h.number is not None and own.number != h.number.number):
        return raw  # a number cited in the title, not the document's own
    pre, post = raw[: m.start()].strip(), raw[m.end() :].strip()
    i = pre.upper().rfind("CỦA ")
    if i >= 0 and (i == 0 or pre[i - 1] == " ") and known_issuer(pre[i + 4 :]):
        pre = pre[:i].strip()
    om = _OF.match(post)
    if om and known_issuer(om.group("by")):
        post = post[om.end() :].strip() if om.group("about") else ""
    if post[:3].upper() == "VỀ ":
        post = post[3:].strip()
    if h.number is None:
        h.number = own
    if h.date is None:
        d, mo, y = (m.group("d"), m.group("m"), m.group("y")) if m.group("d") else (m.group("d2"), m.group("m2"), m.group("y2"))
        if d:
            h.date = iso_date(d, mo, y)
    return " ".join(x for x in (pre, post) if x) or raw


def _extra_names(h: Head) -> tuple[str, ...]:
    """Proper names this document's header spells in mixed case: its place, its issuer's locality."""
    out = []
    if h.place:
        out.append(h.place)
    if h.issuer:
        m = TAIL_UNIT.search(h.issuer)
        if m:
            out.append(m.group(2))
    return tuple(out)


def _is_authority(s: str, issuer_lines: list[str]) -> bool:
    """A capitalised line naming the enacting authority (THỦ TƯỚNG CHÍNH PHỦ) after the title."""
    f = fline(s)
    if issuer_lines and f == fline(" ".join(issuer_lines)):
        return True
    if tables().k.issuer_by_name.get(f):
        return True
    return bool(POSITION_LINE.match(s)) or f.startswith("ủy ban nhân dân") or f.startswith("hội đồng nhân dân")
