"""A document's own metadata: number, type, issuer, place, date, title, signer, recipients.

Also says which regions of the text are not the document's body (gazette page headers,
e-signature stamps, a website's metadata footer and page chrome, the own-number line), so the
reference finder ignores them and nothing here mistakes them for metadata.

How it reads a text, and why:
- Matching runs on NFC text (`OffsetText`); `skip` is mapped back to offsets into the text as given.
- Page furniture is found first, by a few linear scans of the whole text for literal anchors
  (``CÔNG BÁO/Số``, ``Ký bởi:``, ``Số hiệu:``), so that the header and the signature block are read
  from lines with the furniture taken out (gazette PDFs put page headers and stamps mid-paragraph).
- The header (issuer block, number, place and date, type word, title) is read from the first
  `HEAD_CHARS` characters only, line by line.
- The signature block is the first signing mode (``TM.``, ``KT.`` ...) or position line (``CHỦ TỊCH
  QUỐC HỘI``) after the header that is followed by a person's name; forms in annexes carry the same
  lines with ``(Ký, ghi rõ họ tên)`` instead of a name and are passed over.
- A consolidated text (văn bản hợp nhất) carries its own number, date and signer in the
  ``XÁC THỰC VĂN BẢN HỢP NHẤT`` block after the body; its top header is the consolidated document's.
- Type and issuer words are looked up in the knowledge tables (`kgraph.knowledge.load()`); only the
  layout of a header (motto, position words, administrative units) is described here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

from kgraph.extract.normalize import DASH_CLASS, OffsetText, one_line, unify_dashes
from kgraph.knowledge import DocType, Knowledge, fold, load
from kgraph.model import Document, Signer
from kgraph.numbers import number_family, parse_number

#: How far into the text the header (issuer, number, date, type, title) is looked for.
HEAD_CHARS = 6000
#: How many lines after a signing-mode or position line the signer's name may come.
_SIG_LINES = 14
#: How many signing-mode (and position) lines are tried before giving up: forms in annexes come after
#: the real signature, so a real document never needs many.
_SIG_TRIES = 60
#: Header lines are short; a longer line is a paragraph of the body.
_LONG_LINE = 400


@dataclass(slots=True)
class Header:
    document: Document
    #: (start, end) character ranges that are page furniture, not the document's own words.
    skip: list[tuple[int, int]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Layout vocabulary (not type or issuer knowledge: that comes from the YAML tables)

_DASHES = DASH_CLASS
_SEP_LINE = re.compile(r"[-_*=.·~\u2010-\u2015\u2212\uff0d\s]{3,}")
_MOTTO = ("cộng hòa xã hội chủ nghĩa việt nam", "độc lập - tự do - hạnh phúc")
#: Section headings the gazette prints above a document (not the document's own words).
_GAZ_SECTION = re.compile(
    r"(?:phần\s+)?(?:văn bản quy phạm pháp luật|văn bản pháp luật khác|văn bản khác|văn bản hợp nhất\s*-.*)"
)
#: Lines that open the preamble or the body: the title stops before them.
_PREAMBLE = re.compile(
    r"(?:Căn cứ|Kính gửi|Điều\s+\d|Chương\s+[IVXLC\d]|CHƯƠNG\s+[IVXLC\d]|Phần thứ|PHẦN THỨ|Mục\s+\d|"
    r"LỜI NÓI ĐẦU|Lời nói đầu|QUYẾT ĐỊNH\s*:|QUYẾT NGHỊ\s*:|Phụ lục|PHỤ LỤC)"
)
#: These open a preamble too, but a title may also begin with them (Thực hiện thí điểm ...).
_PREAMBLE_WEAK = re.compile(r"(?:Thực hiện|Theo đề nghị|Xét đề nghị|Xét |Trên cơ sở|Nhằm |Để |[IVX]+\.\s|\d+\.\s)")
#: Positions a signer holds (the line above the name); PHÓ and Q. prefixes are allowed.
_POSITIONS = (
    "CHỦ TỊCH NƯỚC", "CHỦ TỊCH", "THỦ TƯỚNG", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "CHỦ NHIỆM", "THỐNG ĐỐC",
    "TỔNG KIỂM TOÁN", "CHÁNH ÁN", "VIỆN TRƯỞNG", "TỔNG THANH TRA", "TỔNG GIÁM ĐỐC", "GIÁM ĐỐC",
    "TỔNG CỤC TRƯỞNG", "CỤC TRƯỞNG", "VỤ TRƯỞNG", "TRƯỞNG BAN", "BÍ THƯ", "CHÁNH VĂN PHÒNG",
    "TỔNG THƯ KÝ", "TRƯỞNG ĐOÀN", "CHÁNH THANH TRA", "TỔNG BIÊN TẬP",
)
_POSITION_PARTS = re.compile(r"(?P<pre>Q\.[ \t]*|PHÓ[ \t]+)?(?P<pos>" + "|".join(_POSITIONS) + r")(?:[ \t]+(?P<body>\S.*))?")
_POSITION_RE = r"[ \t]*(?:Q\.[ \t]*|PHÓ[ \t]+)?(?:" + "|".join(_POSITIONS) + r")(?![^\W\d_])[^\n]{0,80}$"
_MODE_RE = r"[ \t]*(?P<mode>T/M|K/T|T\.M|K\.T|TUQ|TM|KT|TL|Q(?=\.))\.?(?:[ \t]+|(?=[^\W\d_]))(?P<rest>[^\n]{2,90})$"
_POSITION_LINE = re.compile("^" + _POSITION_RE, re.M)
_MODE_LINE = re.compile("^" + _MODE_RE, re.M)
# The same, for scanning a whole text: a literal line break first lets the engine skip ahead fast.
_POSITION_SCAN = re.compile(r"\n" + _POSITION_RE, re.M)
_MODE_SCAN = re.compile(r"\n" + _MODE_RE, re.M)
#: The combining marks decomposed Vietnamese uses (tones, circumflex, breve, horn): a cheap NFD test.
_MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
_MODES = {"T/M": "T/M", "K/T": "K/T", "T.M": "TM.", "K.T": "KT.", "TM": "TM.", "KT": "KT.", "TL": "TL.",
          "TUQ": "TUQ.", "Q": "Q."}
#: "(Đã ký)" and what PDFs leave of a signature image; "(Ký, ghi rõ họ tên)" is a form's, not this.
_SIGNED = re.compile(r"\(?\s*(?:đã\s+ký|daky|signed)\s*\)?|\[\s*(?:đã\s+ký|daky)\s*\]", re.I)
_SIG_JUNK = re.compile(r"[a-zđ]?\][ \t]*$|^[ \t]*\[")  # remains of a signature image: "PHÓ THỦ TƯỚNGy]"
_RANKS = re.compile(
    r"^(?:Đại tướng|Thượng tướng|Trung tướng|Thiếu tướng|Đại tá|Thượng tá|Trung tá|Thiếu tá|"
    r"P?GS\.?\s*TS\.?|TS\.?|ThS\.?|BS\.?|KS\.?|LS\.?)\s+"
)
_ADMIN_UNIT = re.compile(r"(tỉnh|thành phố|tp\.|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu)\s+(\S.*)")
_TAIL_UNIT = re.compile(r"(?<!\w)(tỉnh|thành phố|huyện|quận|thị xã)\s+(\S.*)$")
#: First words of a body's name after which the specific name starts with a capital (Sở Tài chính).
_BODY_WORDS = (
    "tổng cục", "chi cục", "ủy ban", "văn phòng", "học viện", "tòa án", "kho bạc", "ngân hàng", "hội đồng",
    "thanh tra", "trung tâm", "liên đoàn", "bộ", "sở", "cục", "vụ", "ban", "phòng", "viện", "trường", "đài",
    "báo", "công an",
)
#: Proper names that are neither a type nor an issuer but keep their capitals in a sentence-cased title.
_PROPER = ("Cộng hòa xã hội chủ nghĩa Việt Nam", "Việt Nam", "Hồ Chí Minh", "Hà Nội")
#: After "Luật"/"Bộ luật"/"Pháp lệnh" these words do not start a name (Luật này, các luật có liên quan).
_NOT_A_NAME = frozenset(
    "này số và các về của năm sửa có đã được trong thì theo tại liên quy khác hiện cũ mới đó nêu trên để "
    "cho hoặc là với nào sẽ đang".split()
)

# Bounded repeats: a number has a few short parts, and no input can make these patterns backtrack far.
_NUM_BODY = r"\d[\w.]{0,12}(?:[ \t]{0,2}(?:/|" + _DASHES + r")[ \t]{0,2}[\w.]{1,24}){0,8}"
_WRAP_TAIL = re.compile(r"[ \t]{0,2}(?:/|" + _DASHES + r")[ \t]*$")
_WRAP_HEAD = re.compile(r"[ \t]{0,4}([\w.]{1,24}(?:[ \t]{0,2}(?:/|" + _DASHES + r")[ \t]{0,2}[\w.]{1,24}){0,8})")
_PLACE_DATE = re.compile(
    r",\s*ngày\s*(?P<d>\d{1,2})\s*(?:tháng|/|-|\.)\s*(?P<m>\d{1,2})\s*(?:năm|/|-|\.)\s*(?P<y>\d{4})", re.I
)
_BARE_DATE = re.compile(r"(?:ngày\s*)?(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.I)
#: A website's title that repeats the document's own number: "SỐ 35-L/CTN NGÀY 22/06/1994".
_OWN_REF = re.compile(
    r"(?:^|(?<=\s))SỐ\s+(?P<num>\d\S*)(?:\s+NGÀY\s+(?:(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})|"
    r"(?P<d2>\d{1,2})\s+THÁNG\s+(?P<m2>\d{1,2})\s+NĂM\s+(?P<y2>\d{4})))?(?=\s|$)",
    re.I,
)
_OF = re.compile(r"CỦA\s+(?P<by>.+?)(?:\s+(?P<about>VỀ)\s+|$)", re.I)
_NATION = re.compile(r"\s+nước\s+(?:cộng hòa xã hội chủ nghĩa việt nam|việt nam dân chủ cộng hòa)$")
_CONSOLIDATION = re.compile(r"được\s+sửa\s+đổi,?\s+bổ\s+sung\s+bởi\s*:")
_VBHN_NUMBER = re.compile(
    r"S[ốỐ][ \t]{0,3}:{1,2}[ \t]{0,3}(?P<num>\d[\d.]{0,8}[ \t]{0,2}/[ \t]{0,2}VBHN[ \t]{0,2}" + _DASHES
    + r"[ \t]{0,2}[\wĐđ]{1,20}(?:" + _DASHES + r"[\wĐđ]{1,20}){0,6})"
)
_XAC_THUC = "XÁC THỰC VĂN BẢN HỢP NHẤT"
_MOTTO_CAPS = re.compile(r"CỘNG[ \t]+H(?:ÒA|OÀ)[ \t]+XÃ[ \t]+HỘI[ \t]+CHỦ[ \t]+NGHĨA")
#: How far a header table printed out of place (after page 1's text) is looked for.
_DISPLACED_CHARS = 20000
_ANNEX = re.compile(r"\n[ \t]*(?:Phụ lục|PHỤ LỤC|Mẫu|MẪU|Biểu)")
_PASSED = re.compile(
    r"thông\s+qua(?:[ \t][^.;\n]{0,60}?)?\s+ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
)
_NOI_NHAN_LINE = re.compile(r"(?:Nơi nhận|NƠI NHẬN|Noi nhan)[ \t]*:")
_NOI_NHAN = re.compile(r"\n[ \t]*(?:Nơi nhận|NƠI NHẬN|Nơi Nhận|Noi nhan)[ \t]*:")
_BULLET = re.compile(r"[-+•*–—‐−·][ \t]*")
_GAZETTE = re.compile(r"CÔNG BÁO[ \t]*/[ \t]*Số")
_STAMPS = (re.compile(r"Ký bởi[ \t]*:"), re.compile(r"Người ký[ \t]*:"))
_STAMP_FIELD = re.compile(r"(?:Email|Cơ quan|Thời gian ký|Ngày ký|Ký bởi|Người ký|Chức vụ|Tổ chức)[ \t]*:", re.I)
_CONTINUED = re.compile(r"\((?:Xem tiếp|Tiếp theo)[^()\n]{0,80}\)", re.I)
_SITE_FOOTER = re.compile(r"Số hiệu[ \t]*:[^\n]*\r?\n(?:[ \t]*\r?\n){0,2}[ \t]*Loại văn bản[ \t]*:")
_FIELD_LINE = re.compile(r"[A-ZĐÀ-Ỹ][^:\n]{1,30}:")
#: The fields of a legal website's metadata footer; a form with two of them is not one.
_FOOTER_KEYS = re.compile(r"(?:Số hiệu|Loại văn bản|Nơi ban hành|Người ký|Ngày ban hành|Ngày hiệu lực|Tình trạng|"
                          r"Lĩnh vực|Ngày công báo|Số công báo)[ \t]*:")
#: A document's body after a footer-like block (the block was then not the page's footer).
_BODY_AFTER = re.compile(r"\n[ \t]*(?:Điều[ \t]+\d|CỘNG[ \t]+H(?:ÒA|OÀ)[ \t]+XÃ[ \t]+HỘI)")
_SITE_CHROME = (
    "nội dung văn bản đang được cập nhật", "văn bản đang xem", "tải văn bản", "bộ lọc tìm kiếm", "lưu trữ",
    "thuộc tính", "lược đồ", "tiếng anh", "hãy đăng nhập", "loading", "văn bản liên quan",
)


# --------------------------------------------------------------------------------------------
# Tables built once from the knowledge


@dataclass(frozen=True)
class _Tables:
    k: Knowledge
    heading: re.Pattern  # a type word at the start of a folded line
    number_line: re.Pattern  # "Số: N" / "Luật số: N" on a line
    running_title: re.Pattern  # "Thông tư số N ngày ..." (a gazette continuation's running title)
    running_number: re.Pattern  # the number in such a line
    cite_start: re.Pattern  # a line opening with a cited document (Nghị định số 15/2019/NĐ-CP ngày ...)
    phrases: re.Pattern  # known proper names in folded text
    phrase_case: dict[str, str]
    issuer_names: tuple[str, ...]  # folded issuer names and aliases, longest first
    letter_type: DocType | None  # Công văn: an official letter, whose number has no type code


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    k = load()
    type_names = [n for t in k.types for n in t.names]
    folded_types = [fold(n) for n in type_names]
    heading = re.compile(r"(?P<word>" + _alt(folded_types) + r")\d{0,2}(?:\s+(?P<rest>\S.*))?")
    words = _alt(type_names)
    number_line = re.compile(
        r"(?:^|(?<=\s))(?:(?:" + words + r")[ \t]+)?S[ốỐ][ \t]*:+[ \t]*(?P<num>" + _NUM_BODY + r")", re.I
    )
    running_title = re.compile(
        r"(?P<word>" + words + r")[ \t]+số[ \t]+(?P<num>" + _NUM_BODY + r")"
        r"(?:[ \t]+ngày[ \t]+(?P<d>\d{1,2})[ \t]+tháng[ \t]+(?P<m>\d{1,2})[ \t]+năm[ \t]+(?P<y>\d{4}))?"
        r"(?P<rest>.*)"
    )
    cite_start = re.compile(r"(?:" + words + r")\b[^\n]{0,80}?\bsố\s+\d")
    running_number = re.compile(r"(?P<word>" + words + r")[ \t]+số[ \t]+(?P<num>" + _NUM_BODY + r")")
    case: dict[str, str] = {}
    for i in k.issuers:
        case.setdefault(fold(i.name), i.name)
    for i in k.issuers:
        for a in i.aliases:
            case.setdefault(fold(a), a)
    for p in _PROPER:
        case.setdefault(fold(p), p)
    phrases = re.compile(r"(?<!\w)(?:" + _alt(list(case)) + r")(?!\w)")
    names = tuple(sorted({fold(i.name) for i in k.issuers} | {fold(a) for i in k.issuers for a in i.aliases},
                         key=len, reverse=True))
    letter = k.untyped_number_type
    return _Tables(k, heading, number_line, running_title, running_number, cite_start, phrases, case, names, letter)


# --------------------------------------------------------------------------------------------
# Small helpers


class _Ranges:
    """Sorted, merged character ranges with a membership test."""

    def __init__(self) -> None:
        self._raw: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self._merged: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        if end > start:
            self._raw.append((start, end))
            self._merged = []

    def merged(self) -> list[tuple[int, int]]:
        if not self._merged and self._raw:
            out: list[list[int]] = []
            for s, e in sorted(self._raw):
                if out and s <= out[-1][1]:
                    out[-1][1] = max(out[-1][1], e)
                else:
                    out.append([s, e])
            self._merged = [(s, e) for s, e in out]
            self._starts = [s for s, _ in self._merged]
        return self._merged

    def __contains__(self, pos: int) -> bool:
        m = self.merged()
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < m[i][1]


@dataclass(slots=True)
class _Line:
    start: int  # offset of the line's first character
    end: int  # offset of its line break (or the end of the text)
    text: str  # stripped


def _lines(t: str, start: int, stop: int, skip: _Ranges | None = None) -> Iterator[_Line]:
    """Lines beginning in [start, stop), without those that are page furniture."""
    n = len(t)
    pos = start
    while pos < stop and pos < n:
        nl = t.find("\n", pos)
        if nl < 0:
            nl = n
        raw = t[pos:nl]
        s = raw.strip()
        if skip is None or not s or (pos not in skip and pos + (len(raw) - len(raw.lstrip())) not in skip):
            yield _Line(pos, nl, s)
        pos = nl + 1


def _opens_line(t: str, pos: int, allowed: str = " \t\xa0") -> int | None:
    """The start of the line if only `allowed` characters (at most 12) precede `pos` on it, else None.

    Constant time, so that many matches on one huge line cost nothing (a whole-line search would be
    quadratic)."""
    k = pos
    while k > 0 and pos - k < 12 and t[k - 1] in allowed:
        k -= 1
    if k == 0 or t[k - 1] == "\n":
        return k
    return None


def _line_at(t: str, pos: int) -> tuple[int, int]:
    s = t.rfind("\n", 0, pos) + 1
    e = t.find("\n", pos)
    return s, (len(t) if e < 0 else e)


def _is_caps(s: str) -> bool:
    """A line written in capitals (it has letters, none of them lower case)."""
    return any(c.isalpha() for c in s) and s == s.upper()


def _fline(s: str) -> str:
    """A line folded for matching: lower case, NFC, one kind of dash, single spaces."""
    return one_line(unify_dashes(fold(s)))


def _is_motto(f: str) -> bool:
    """The national motto beside the issuer block (`f` folded: CỘNG HOÀ and CỘNG HÒA alike)."""
    return f.startswith(_MOTTO)


def _iso(d: str, m: str, y: str) -> str | None:
    di, mi, yi = int(d), int(m), int(y)
    if 1 <= di <= 31 and 1 <= mi <= 12 and 1900 <= yi <= 2100:
        return f"{yi:04d}-{mi:02d}-{di:02d}"
    return None


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _title_words(s: str) -> str:
    return " ".join(_cap(w) for w in s.split())


def _lower(s: str) -> str:
    """Lower case, keeping the document's spelling (``fold`` would move tone marks: toàn → tòan).

    Tokens with digits or a slash keep their case: numbers (18/2000/QH10), HIV/AIDS."""
    return " ".join(w if any(c.isdigit() or c == "/" for c in w) else w.lower() for w in one_line(s).split(" "))


def _key(low: str) -> str:
    """Lower-case text in the knowledge tables' spelling, character for character (uỷ → ủy)."""
    return low.replace("uỷ", "ủy").replace("hoá", "hóa").replace("oà", "òa")


def _proper(low: str, extra: tuple[str, ...] = ()) -> str:
    """Give known proper names in lower-case text their capitals (issuers, places of this document).

    Matches run on `_key(low)`, which has the same length, so the rest keeps the text's spelling."""
    tb = _tables()
    key = _key(low)
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
        return _cap(m.group(1)) + " " + _cap(word)

    return re.sub(r"(?<!\w)(bộ luật|luật|pháp lệnh)\s+(\w+)", rep, low)


def _sentence_case(caps: str, extra: tuple[str, ...] = ()) -> str:
    """A title written in capitals, as a sentence: proper names keep their capitals."""
    return _cap(_name_after_law(_proper(_lower(caps), extra)))


def _position_case(caps: str) -> str:
    """``PHÓ THỦ TƯỚNG`` → ``Phó Thủ tướng``, ``VỤ TRƯỞNG VỤ PHÁP CHẾ`` → ``Vụ trưởng Vụ Pháp chế``."""
    m = _POSITION_PARTS.fullmatch(one_line(caps))
    if not m:
        low = _lower(caps)
        if low.startswith("phó ") and len(low) > 4:
            return "Phó " + _cap(_proper(low[4:]))
        return _cap(_proper(low))
    out = _cap(_lower(m.group("pos")))
    if m.group("pre"):  # Phó Thủ tướng, Q. Bộ trưởng
        out = _cap(_lower(m.group("pre").strip())) + " " + out
    if m.group("body"):
        out += " " + (_issuer_name([m.group("body")]) or _lower(m.group("body")))
    return out


def _org_case(low: str) -> str:
    """A body's name from lower-case text: ``sở tài chính`` → ``Sở Tài chính``."""
    out = _proper(low)
    for w in _BODY_WORDS:
        if _key(out).startswith(w + " ") and len(out) > len(w) + 1:
            out = out[: len(w) + 1] + _cap(out[len(w) + 1 :])
            break
    m = _TAIL_UNIT.search(out)
    if m:
        out = out[: m.start(2)] + _title_words(m.group(2))
    return _cap(out)


def _locality(rest: str) -> str | None:
    """``tỉnh lạng sơn`` → ``tỉnh Lạng Sơn`` (an administrative unit and its name), else None."""
    m = _ADMIN_UNIT.fullmatch(rest)
    if not m:
        return None
    unit = "thành phố" if m.group(1) == "tp." else m.group(1)
    return f"{unit} {_title_words(m.group(2))}"


def _issuer_name(lines: list[str]) -> str | None:
    """The issuing body from the capitalised block, spelled the way the knowledge tables spell it."""
    tb = _tables()
    k = tb.k
    words = []
    for w in one_line(" ".join(lines)).split():
        i = k.issuer_by_code.get(w) if w.isupper() and len(w) <= 6 else None
        words.append(i.name if i and i.family == "local" else w)  # UBND → Ủy ban nhân dân
    low = re.sub(r"\s*-\s*", " - ", _lower(unify_dashes(" ".join(words)))).strip(" -")
    f = _key(low)  # same length as `low`: lookups on f, output from low
    if not f:
        return None
    hit = k.issuer_by_name.get(f)
    if hit:
        return hit.name
    pieces = f.split(" - ")
    if len(pieces) > 1:  # joint documents: several bodies joined by dashes
        names, i = [], 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                cand = k.issuer_by_name.get(" - ".join(pieces[i:j]))
                if cand:
                    names.append(cand.name)
                    i = j
                    break
            else:
                names = []
                break
        if len(names) > 1:
            return " - ".join(names)
    if len(lines) > 1 and not lines[0].rstrip().endswith("-"):
        # a parent body, then the unit that issues (UBND TỈNH LẠNG SƠN / SỞ TÀI CHÍNH)
        parent = _issuer_name(lines[:1]) or ""
        child = _lower(" ".join(lines[1:]))
        if any(_key(child).startswith(w + " ") for w in _BODY_WORDS):
            pm = _TAIL_UNIT.search(parent)
            return _org_case(child) + (f" {pm.group(0)}" if pm else "")
    for n in tb.issuer_names:
        if f.startswith(n + " "):
            base = k.issuer_by_name[n].name
            rest = low[len(n) + 1 :]
            loc = _locality(rest)
            if loc:
                return f"{base} {loc}"  # Ủy ban nhân dân tỉnh Lạng Sơn
            return _org_case(rest)  # a parent, then the unit that issues (BỘ TÀI CHÍNH / TỔNG CỤC THUẾ)
    if len(f) >= 6:  # a block whose first letter was lost in extraction (UỐC HỘI)
        for n in tb.issuer_names:
            if n.endswith(f) and len(n) - len(f) <= 2:
                return k.issuer_by_name[n].name
    return _org_case(low)


def _issuer_from_codes(codes: list[str]) -> str | None:
    """The issuer a number's codes name (BLĐTBXH, QH13), when the text shows no issuer block."""
    k = _tables().k
    names = []
    for c in codes:
        m = re.fullmatch(r"(\D+?)\d*", c)
        name = k.issuer(code=m.group(1) if m else c)
        if name and name not in names:
            names.append(name)
    return " - ".join(names) if names else None


def _person_name(s: str) -> str | None:
    """A signer's name (Phạm Ngọc Thưởng), or None when the line is not one."""
    s = s.strip(" \t.,;:")
    s = _RANKS.sub("", s)
    words = s.split()
    if not 2 <= len(words) <= 6 or len(s) > 60:
        return None
    for w in words:
        if not w.isalpha() or not w[0].isupper():
            return None
    if s == s.upper():
        return None  # a heading in capitals, not a name
    if fold(words[0]) in ("nơi", "phụ", "mẫu", "điều", "chương", "kính", "người", "ghi", "ký"):
        return None
    return s


@dataclass(slots=True)
class _Number:
    number: str
    type_code: str | None
    issuer_codes: list[str]
    start: int  # the line(s) it was read from
    end: int


def _read_number(raw: str, start: int, end: int) -> _Number | None:
    """A number as written → its normal form (the shared `parse_number`) with its codes."""
    raw = raw.strip().rstrip(".-/")
    if not raw or len(raw) > 120 or not any(c.isalpha() for c in raw):
        return None
    parts = parse_number(raw, number_family(raw), _tables().k)
    return _Number(parts.number, parts.type_code, list(parts.issuer_codes), start, end)


def _number_on_line(t: str, line: _Line, pattern: re.Pattern) -> tuple[re.Match, _Number] | None:
    """The number on a "Số:" line, following a wrap after a trailing dash or slash."""
    m = pattern.search(t, line.start, line.end)
    if not m:
        return None
    before = t[line.start : m.start()]
    if before.strip() and not before.endswith(("  ", "\t")):
        return None  # "Mã số: ..." or a number inside a sentence
    raw = m.group("num")
    end = line.end  # the whole line is the own-number line (skipped)
    after = t[m.end("num") : line.end]
    if _WRAP_TAIL.fullmatch(after):  # 01/2022/TTLT-VKSNDTC-⏎TANDTC-BCA-...
        nxt = t.find("\n", line.end + 1)
        nxt = len(t) if nxt < 0 else nxt
        w = _WRAP_HEAD.match(t, line.end + 1, nxt)
        if w and w.group(1):
            raw = raw + after.strip() + w.group(1)
            end = nxt
    else:
        q = re.match(r"[ \t]+(\d{1,2})[ \t]*$", after)  # QH 11
        if q and raw[-1:].isalpha():
            raw += q.group(1)
    n = _read_number(raw, line.start, end)
    return (m, n) if n else None


# --------------------------------------------------------------------------------------------
# Page furniture (linear scans of the whole text)


def _gazette_headers(t: str, skip: _Ranges) -> None:
    """``CÔNG BÁO/Số 252/Ngày 27-04-2026`` and the page number printed beside it."""
    last_page = -1
    for m in _GAZETTE.finditer(t):
        ls = _opens_line(t, m.start(), " \t\xa00123456789")
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


def _stamps(t: str, skip: _Ranges) -> None:
    """E-signature stamps: ``Ký bởi: ... / Email: ... / Cơ quan: ... / Ngày ký: ...``."""
    done = -1
    for m in sorted((m for p in _STAMPS for m in p.finditer(t)), key=lambda m: m.start()):
        ls = _opens_line(t, m.start())
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
            if _STAMP_FIELD.match(body):
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


def _continuations(t: str, skip: _Ranges) -> None:
    """``(Xem tiếp Công báo số 331 + 332)`` and ``(Tiếp theo Công báo số ...)``."""
    for m in _CONTINUED.finditer(t):
        ls = _opens_line(t, m.start())
        le = t.find("\n", m.end())
        le = len(t) if le < 0 else le
        if ls is not None and not t[m.end() : le].strip():
            skip.add(ls, le)


def _site_footer(t: str, skip: _Ranges, number: str | None, body_start: int) -> None:
    """A website's metadata footer (``Số hiệu:``, ``Loại văn bản:`` ...) and the page chrome around it."""
    done = 0
    for m in _SITE_FOOTER.finditer(t):
        ls = _opens_line(t, m.start())
        if ls is None or ls < done:
            continue
        end, keys = ls, 0
        for n, line in enumerate(_lines(t, ls, len(t))):
            if n > 40 or (line.text and not _FIELD_LINE.match(line.text)):
                break
            keys += bool(_FOOTER_KEYS.match(line.text))
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
                if (compact and compact in squashed) or any(f.startswith(c) for c in _SITE_CHROME):
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


# --------------------------------------------------------------------------------------------
# The header


@dataclass(slots=True)
class _Head:
    number: _Number | None = None
    number_line: int | None = None  # index into lines
    place: str | None = None
    date: str | None = None
    heading: DocType | None = None
    title: str | None = None
    issuer: str | None = None
    issuer_lines: list[str] = field(default_factory=list)
    consolidated: bool = False
    consolidator: str | None = None  # the body named in the gazette's "VĂN BẢN HỢP NHẤT - ..." heading
    doc_start: int = 0
    end: int = 0  # offset where the header ends (the preamble or body begins)


def _read_head(t: str, skip: _Ranges) -> _Head:
    """Issuer block, number, place and date, type word and title from the top of the text."""
    tb = _tables()
    k = tb.k
    h = _Head()
    stop = min(len(t), HEAD_CHARS)
    lines = list(_lines(t, 0, stop, skip))
    # A consolidated text says, before any "Căn cứ", what amended the document it consolidates.
    cm = _CONSOLIDATION.search(t, 0, stop)
    if cm and not re.search(r"\n[ \t]*Căn cứ", t[: cm.start()]):
        h.consolidated = True
    kinds: list[str] = []
    folded: list[str] = []
    date_line = heading_line = None
    running = None
    prev = "blank"  # the kind of the last non-blank line
    for i, ln in enumerate(lines):
        s = ln.text
        if len(s) > _LONG_LINE:  # a paragraph: the header is over
            folded.append("")
            kinds.append("body")
            break
        f = _fline(s) if s else ""
        folded.append(f)
        kind = "text"
        if not s:
            kind = "blank"
        elif _SEP_LINE.fullmatch(s):
            kind = "sep"
        elif _is_motto(f) and (_is_caps(s) or f.startswith(_MOTTO[1])):
            kind = "motto"  # (a title may wrap at "Cộng hòa xã hội chủ nghĩa Việt Nam và ...")
        elif _is_caps(s) and _GAZ_SECTION.fullmatch(f):
            kind = "gazsec"
            if f.startswith("văn bản hợp nhất"):
                h.consolidated = True
                body = f.split("-", 1)[1].strip()
                if body:
                    h.consolidator = _issuer_name([body])
                elif i + 1 < len(lines) and _is_caps(lines[i + 1].text):
                    h.consolidator = _issuer_name([lines[i + 1].text])
                    kind = "gazsec+"  # the body's name is on the next line
        elif prev == "gazsec+":
            kind = "gazsec"
        elif _is_caps(s) and (mm := _MODE_LINE.match(s)) and _is_caps(mm.group("rest")):
            kind = "sig"  # a signature block (short texts whose pages are images)
        elif prev == "sig" and _is_caps(s):
            kind = "sig"
        elif h.number is None and heading_line is None and (got := _number_on_line(t, ln, tb.number_line)):
            h.number, h.number_line, kind = got[1], i, "number"
        elif date_line is None and heading_line is None and (pd := _place_date(s)):
            h.place, h.date = pd
            date_line, kind = i, "date"
        elif heading_line is None and running is None and _is_caps(s) and not s.endswith(":") and (
            hm := tb.heading.fullmatch(f)
        ):
            h.heading = k.doc_type(name=hm.group("word"))
            heading_line, kind = i, "heading"
        elif _is_caps(s):
            kind = "caps"
        elif heading_line is None and h.number is None and running is None and (
            rm := tb.running_title.match(s)
        ) and rm.group("word")[:1].isupper():
            running, kind = (i, rm), "running"
        elif (
            _PREAMBLE.match(s)
            or (prev != "heading" and _PREAMBLE_WEAK.match(s))
            or (h.consolidated and heading_line is not None and prev != "heading" and tb.cite_start.match(s))
            or (len(s) > 160 and prev != "heading")  # a paragraph (a website's title may be one long line)
        ):
            kinds.append("body")
            break
        kinds.append(kind)
        if kind != "blank":
            prev = kind
    lines = lines[: len(kinds)]
    body_at = len(kinds) - 1 if kinds and kinds[-1] == "body" else len(kinds)

    # The issuer block: the last group of capitalised lines before the number (else before the type word).
    limit = heading_line if heading_line is not None else body_at
    groups: list[list[int]] = []
    for i in range(min(limit, len(kinds))):
        if kinds[i] == "caps":
            if i > 0 and kinds[i - 1] == "caps":
                groups[-1].append(i)
            else:
                groups.append([i])
    chosen = None
    if groups:
        before = [g for g in groups if h.number_line is not None and g[-1] < h.number_line]
        chosen = before[-1] if before else groups[-1]
        h.issuer_lines = [lines[i].text for i in chosen]
        h.issuer = _issuer_name(h.issuer_lines)

    anchors = [i for i in (chosen[0] if chosen else None, h.number_line, date_line, heading_line) if i is not None]
    anchors += [i for i, kd in enumerate(kinds) if kd == "motto"][:1]
    if running:
        anchors.append(running[0])
    h.doc_start = lines[min(anchors)].start if anchors else 0

    # Where the header ends: after the title, else where the body begins, else after the last header line.
    if body_at < len(lines):
        h.end = lines[body_at].start
    else:
        marks = [i for i, kd in enumerate(kinds) if kd in ("number", "date", "heading", "running", "motto")]
        h.end = lines[marks[-1]].end if marks else 0

    if heading_line is not None:
        _read_title(h, lines, kinds, folded, heading_line)
    elif running and h.number is None and not h.consolidated:
        # a gazette continuation: "Thông tư số 102/2018/TT-BTC ngày 14 tháng 11 năm 2018 / hướng dẫn ..."
        i, rm = running
        got = _number_on_line(t, lines[i], tb.running_number)
        if got:
            h.number = got[1]
            h.number_line = i
            h.heading = k.doc_type(name=rm.group("word"))
            if rm.group("d"):
                h.date = _iso(rm.group("d"), rm.group("m"), rm.group("y"))
            parts = [rm.group("rest").strip()] if rm.group("rest").strip() else []
            for j in range(i + 1, len(kinds)):
                if kinds[j] != "text":
                    break
                parts.append(lines[j].text)
            if parts:
                h.title = _cap(one_line(" ".join(parts)))

    if h.title is None and h.number_line is not None:
        # an official letter has no type heading: its subject is the "V/v ..." line under the number
        for j in range(h.number_line + 1, min(len(lines), h.number_line + 4)):
            vm = _SUBJECT.match(lines[j].text)
            if vm:
                parts = [vm.group(1)]
                for n in range(j + 1, min(len(lines), j + 3)):
                    if kinds[n] != "text" or not lines[n].text or lines[n].text[:1].isupper():
                        break
                    parts.append(lines[n].text)
                h.title = _cap(one_line(" ".join(parts)))
                break

    if h.date is None:  # a date line without a place (some gazette layouts)
        for i, kd in enumerate(kinds[: heading_line if heading_line is not None else len(kinds)]):
            if kd == "text" and (bm := _BARE_DATE.fullmatch(lines[i].text)):
                h.date = _iso(bm.group("d"), bm.group("m"), bm.group("y"))
                break
    return h


_SUBJECT = re.compile(r"\s*(?:V/v|v/v|V/V|Về\s+việc)[.:]?\s+(\S.*)")


def _read_title(h: _Head, lines: list[_Line], kinds: list[str], folded: list[str], at: int) -> None:
    """The trích yếu: the lines after the type word up to the preamble, as one sentence."""
    tb = _tables()
    rest = tb.heading.fullmatch(folded[at]).group("rest")
    first = lines[at].text
    parts = [first[len(first) - len(rest) :]] if rest else []  # LUẬT BẢO VỆ MÔI TRƯỜNG on one line
    caps_title = _is_caps(parts[0]) if parts else None
    last = at
    for j in range(at + 1, len(kinds)):
        kd = kinds[j]
        if kd in ("blank", "sep"):
            if parts:
                break
            continue
        if kd not in ("text", "caps"):
            break  # the body, or a header line printed after the type word
        s = lines[j].text
        caps = _is_caps(s)
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
    if _is_caps(raw) and not h.consolidated:
        raw = _strip_own_reference(h, raw, lines[at + 1].start if at + 1 < len(lines) else 0, lines[last].end)
    h.title = _sentence_case(raw, _extra_names(h)) if _is_caps(raw) else _cap(raw)


def _displaced_header(t: str, skip: _Ranges, h: _Head) -> None:
    """Gazette PDFs may print the header table (issuer, number, motto, date) after page 1's text:
    find it by its motto and take the number, issuer and date the top of the text did not give."""
    tb = _tables()
    for m in _MOTTO_CAPS.finditer(t, h.end, min(len(t), _DISPLACED_CHARS)):
        ls, le = _line_at(t, m.start())
        if m.start() in skip:
            continue
        lo = t.rfind("\n", 0, max(0, ls - 600)) + 1
        before = [ln for ln in _lines(t, lo, ls, skip)][-8:]
        after = [ln for ln in _lines(t, le + 1, min(len(t), le + 600), skip)][:8]
        around = before + after
        got = None
        for i, ln in enumerate(around):
            if ln.text and (got := _number_on_line(t, ln, tb.number_line)):
                break
        if not got:
            continue
        h.number = got[1]
        if h.date is None:
            for ln in around:
                if ln.text and (pd := _place_date(ln.text)):
                    h.place, h.date = pd
                    break
        if h.issuer is None:
            caps: list[str] = []
            for ln in reversed(around[:i]):
                if not ln.text or _SEP_LINE.fullmatch(ln.text):
                    continue
                if _is_caps(ln.text) and not _is_motto(_fline(ln.text)):
                    caps.insert(0, ln.text)
                else:
                    break
            if caps:
                h.issuer_lines = caps
                h.issuer = _issuer_name(caps)
        return


def _known_issuer(s: str) -> bool:
    """Whether `s` names a body in the issuer table (QUỐC HỘI NƯỚC CỘNG HÒA ... VIỆT NAM included)."""
    key = _NATION.sub("", _key(_lower(s)))
    return key in _tables().k.issuer_by_name


def _strip_own_reference(h: _Head, raw: str, start: int, end: int) -> str:
    """Websites title old laws "CỦA QUỐC HỘI ... SỐ 28/2001/QH10 VỀ DI SẢN VĂN HOÁ" or "DẦU KHÍ SỐ
    18-L/CTN NGÀY 06/07/1993 CỦA QUỐC HỘI": keep the subject; the number and date, when they are the
    document's own (or the header has none), fill the header."""
    m = _OWN_REF.search(raw)
    if not m:
        return raw
    own = _read_number(m.group("num"), start, end)
    if own is None or (h.number is not None and own.number != h.number.number):
        return raw  # a number cited in the title, not the document's own
    pre, post = raw[: m.start()].strip(), raw[m.end() :].strip()
    i = pre.upper().rfind("CỦA ")
    if i >= 0 and (i == 0 or pre[i - 1] == " ") and _known_issuer(pre[i + 4 :]):
        pre = pre[:i].strip()
    om = _OF.match(post)
    if om and _known_issuer(om.group("by")):
        post = post[om.end() :].strip() if om.group("about") else ""
    if post[:3].upper() == "VỀ ":
        post = post[3:].strip()
    if h.number is None:
        h.number = own
    if h.date is None:
        d, mo, y = (m.group("d"), m.group("m"), m.group("y")) if m.group("d") else (m.group("d2"), m.group("m2"), m.group("y2"))
        if d:
            h.date = _iso(d, mo, y)
    return " ".join(x for x in (pre, post) if x) or raw


def _extra_names(h: _Head) -> tuple[str, ...]:
    """Proper names this document's header spells in mixed case: its place, its issuer's locality."""
    out = []
    if h.place:
        out.append(h.place)
    if h.issuer:
        m = _TAIL_UNIT.search(h.issuer)
        if m:
            out.append(m.group(2))
    return tuple(out)


def _is_authority(s: str, issuer_lines: list[str]) -> bool:
    """A capitalised line naming the enacting authority (THỦ TƯỚNG CHÍNH PHỦ) after the title."""
    f = _fline(s)
    if issuer_lines and f == _fline(" ".join(issuer_lines)):
        return True
    if _tables().k.issuer_by_name.get(f):
        return True
    return bool(_POSITION_LINE.match(s)) or f.startswith("ủy ban nhân dân") or f.startswith("hội đồng nhân dân")


def _place_date(s: str) -> tuple[str | None, str] | None:
    """``Lạng Sơn, ngày 10 tháng 8 năm 2018`` → ("Lạng Sơn", "2018-08-10")."""
    m = _PLACE_DATE.search(s)
    if not m:
        return None
    date = _iso(m.group("d"), m.group("m"), m.group("y"))
    if not date:
        return None
    pre = re.split(r"\s{2,}|\t", s[: m.start()].strip())[-1].strip(" .,")
    words = pre.split()
    if not words or len(words) > 6 or any(not (w[0].isupper() or w in ("phố", "tp.")) for w in words):
        return None
    if pre.startswith("Số") or ":" in pre:
        return None
    return one_line(pre), date


# --------------------------------------------------------------------------------------------
# The signature block and the recipients


@dataclass(slots=True)
class _Sig:
    signer: Signer
    start: int
    end: int
    body: str | None  # the body in a "TM. <body>" line (who the signer signs for)


def _read_signature(t: str, start: int, skip: _Ranges) -> _Sig | None:
    """Mode and position lines from `start`, then the name: or None when no name follows."""
    block: list[str] = []
    modes: list[tuple[str, str]] = []
    end = start
    for n, ln in enumerate(_lines(t, start, len(t), skip)):
        if n > _SIG_LINES:
            return None
        if ln.text and _SIGNED.fullmatch(ln.text):
            continue  # (Đã ký), [daky]
        s = _SIG_JUNK.sub("", ln.text).strip()
        if not s or not any(c.isalpha() for c in s):
            continue  # blank, or what is left of a signature image ("[")
        if _is_caps(s) and len(s) <= 90 and not _PREAMBLE.match(s):
            mm = _MODE_LINE.match(s)
            if mm and _is_caps(mm.group("rest")):
                modes.append((_MODES[mm.group("mode")], mm.group("rest").strip()))
            else:
                block.append(s)
            if len(block) + len(modes) > 6:
                return None
            continue
        if not block and not modes:
            return None
        if _BULLET.match(s) or _NOI_NHAN_LINE.match(s) or s.startswith("Lưu"):
            continue  # the recipients column, extracted between the position and the name
        name = _person_name(s)
        if not name:
            return None
        end = ln.end
        title_line = block[-1] if block else modes[-1][1]
        body = next((r for md, r in modes if md in ("TM.", "T/M")), None)
        return _Sig(
            Signer(name=name, title=_position_case(title_line), mode=modes[-1][0] if modes else None),
            start, end, body,
        )
    return None


def _find_signature(t: str, start: int, skip: _Ranges, stop: int | None = None) -> _Sig | None:
    """The first signature block after `start` (a mode line or a position line followed by a name)."""
    stop = len(t) if stop is None else stop
    found: _Sig | None = None
    for n, m in enumerate(_MODE_SCAN.finditer(t, max(0, start - 1), stop)):
        if n >= _SIG_TRIES:
            break
        if m.start() + 1 in skip or not _is_caps(m.group("rest")):
            continue
        sig = _read_signature(t, m.start() + 1, skip)
        if sig:
            found = sig
            break
    limit = found.start if found else stop
    for n, m in enumerate(_POSITION_SCAN.finditer(t, max(0, start - 1), limit)):
        if n >= _SIG_TRIES:
            break
        s = m.group(0).strip()
        if m.start() + 1 in skip or not _is_caps(s):
            continue
        sig = _read_signature(t, m.start() + 1, skip)
        if sig:
            return sig
    return found


def _tail_signer(t: str, skip: _Ranges, stop: int) -> _Sig | None:
    """Old laws end with only a name and ``(Đã ký)``: the last name-like line at the very end."""
    tail = [ln for ln in _lines(t, max(0, stop - 600), stop, skip) if ln.text]
    if tail and tail[0].start < max(0, stop - 600):
        tail = tail[1:]
    for ln in reversed(tail[-4:]):
        if _SIGNED.fullmatch(ln.text):
            continue
        name = _person_name(ln.text)
        if name:
            return _Sig(Signer(name=name), ln.start, ln.end, None)
        return None
    return None


_NOTE = re.compile(r"\s*\((?:[^()]*)\)\s*$")


def _clean_recipient(s: str) -> str | None:
    """``Bộ Tài chính (để b/c);`` → ``Bộ Tài chính``; None for the archive line (Lưu: VT) and form dots."""
    s = s.strip().rstrip(";,.: ").strip()
    while True:
        m = _NOTE.search(s)
        if not m:
            break
        inner = m.group(0).strip()[1:-1].strip()
        if inner and (inner[0].islower() or inner[0].isdigit() or "b/c" in inner or "/" in inner):
            s = s[: m.start()].rstrip(";,.: ").strip()
        else:
            break
    if not s or fold(s).startswith("lưu") or "..." in s or "…" in s:
        return None
    return s


def _recipients(t: str, at: int, skip: _Ranges) -> list[str]:
    """The ``Nơi nhận:`` list starting at `at`: items cleaned of bullets, ``;`` and ``(để b/c)`` notes."""
    ls, le = _line_at(t, at)
    first = t[ls:le].split(":", 1)[1].strip() if ":" in t[ls:le] else ""
    items: list[str] = []
    if first and not _MODE_LINE.match(first):
        items.append(_BULLET.sub("", first, count=1) if _BULLET.match(first) else first)
    for n, ln in enumerate(_lines(t, le + 1, len(t), skip)):
        if n > 80:
            break
        s = ln.text
        if not s:
            if items:
                break
            continue
        if _BULLET.match(s):
            items.append(_BULLET.sub("", s, count=1))
        elif _is_caps(s) and (_MODE_LINE.match(s) or _POSITION_LINE.match(s)):
            continue  # the signature column, extracted between the recipients
        elif items and not items[-1].rstrip().endswith((";", ".")) and s[:1].islower():
            items[-1] = items[-1].rstrip() + " " + s
        else:
            break
    out: list[str] = []
    for it in items:
        c = _clean_recipient(it)
        if c and c not in out:
            out.append(c)
    return out


# --------------------------------------------------------------------------------------------
# Type


def _decide_type(h: _Head, num: _Number | None) -> tuple[DocType | None, str | None]:
    """Type and code: a consolidated text is one whatever it consolidates; else the number's code,
    unless the type word names another type (35-L/CTN under LUẬT is a law); else the type word."""
    k = _tables().k
    num_type = k.doc_type(code=num.type_code) if num and num.type_code else None
    if (num_type and num_type.code == "VBHN") or h.consolidated:
        t = k.doc_type(code="VBHN")
        return t, t.code if t else "VBHN"
    head = h.heading
    if num_type and head and num_type.name != head.name:
        return head, head.code
    if num_type:
        return num_type, num_type.code
    if head:
        return head, head.code
    if num and not num.type_code and num.issuer_codes and "/" in num.number:
        # N/ISSUER-UNIT: an official letter (công văn), whose number has no type code
        first = num.issuer_codes[0]
        if not re.fullmatch(r"\D+\d+", first) and k.issuer(code=first) and len(num.issuer_codes) > 1:
            return _tables().letter_type, None
    return None, None


# --------------------------------------------------------------------------------------------
# Entry point


def read_header(text: str, ot: OffsetText | None = None) -> Header:
    """Own metadata of the document in `text`, and the character ranges that are page furniture.

    `ot` is the NFC view of `text` when the caller has made it already (extract() shares one).
    """
    if ot is None:
        # Text without combining marks is already composed: skip the (costly) full NFC check.
        ot = OffsetText(text) if any(c in text for c in _MARKS) else None
    if ot is not None and ot.identity:
        ot = None
    t = ot.text if ot else text
    if "\r" in t:  # CRLF and lone CR line breaks, keeping every offset
        t = t.replace("\r\n", " \n").replace("\r", "\n")
    skip = _Ranges()
    _gazette_headers(t, skip)
    _stamps(t, skip)
    _continuations(t, skip)

    h = _read_head(t, skip)
    doc = Document()
    num = h.number
    sig: _Sig | None = None

    # A consolidated text's own number, date and signer are in its authentication block.
    vb = _VBHN_NUMBER.search(t)
    if vb and (h.consolidated or num is None or t.find(_XAC_THUC, max(0, vb.start() - 400), vb.end() + 400) >= 0):
        h.consolidated = True
        ls, le = _line_at(t, vb.start())
        vnum = _read_number(vb.group("num"), ls, le)
        if vnum:
            num = vnum
        block = [ln for ln in _lines(t, max(0, ls - 300), ls, skip)]
        caps = []
        for ln in reversed(block):
            if not ln.text:
                if caps:
                    break
                continue
            if _is_caps(ln.text) and ln.text != _XAC_THUC:
                caps.insert(0, ln.text)
            else:
                break
        h.issuer = _issuer_name(caps) if caps else None
        h.place = h.date = None
        for n, ln in enumerate(_lines(t, le + 1, len(t), skip)):
            if n > 10:
                break
            pd = _place_date(ln.text) if ln.text else None
            if pd:
                h.place, h.date = pd
                break
        sig = _find_signature(t, le + 1, skip, min(len(t), le + 1500))
    elif num is None and not h.consolidated:
        _displaced_header(t, skip, h)
        num = h.number
    elif h.consolidated:
        # the number is not in this part of the gazette: nothing of the header is the consolidated text's
        h.place = h.date = None
        h.issuer = h.consolidator
        num = None if (num and num.type_code != "VBHN") else num

    cut = h.consolidated and vb is None  # a consolidated text whose authentication block is not here
    if num:
        doc.number = num.number
        skip.add(num.start, num.end)
    dtype, code = _decide_type(h, num)
    if dtype:
        doc.type = dtype.name
    doc.type_code = code
    doc.place = h.place
    doc.date = h.date
    doc.title = h.title

    if sig is None and not cut:
        sig = _find_signature(t, h.end, skip)
        if sig is None:
            sig = _tail_signer(t, skip, len(t))
    if sig:
        doc.signer = sig.signer

    issuer = h.consolidator if cut else h.issuer
    if not issuer and sig and sig.body:
        issuer = _issuer_name([sig.body])
    if not issuer and num:
        issuer = _issuer_from_codes(num.issuer_codes)
    doc.issuer = issuer

    # Recipients: the "Nơi nhận:" list beside the signature block (before it, or right after it when
    # the two columns were extracted one after the other); never a form's in an annex.
    if sig:
        lo, hi = max(h.end, sig.start - 4000), min(len(t), sig.end + 600)
    else:
        lo, hi = max(h.end, len(t) - 6000), len(t)
    after = sig.end if sig else h.end
    for m in _NOI_NHAN.finditer(t, max(0, lo - 1), hi):
        at = m.start() + 1
        if at in skip or (at > after and _ANNEX.search(t, after, at)):
            continue
        recips = _recipients(t, at, skip)
        if recips:
            doc.recipients = recips
            break

    # Laws and resolutions of the National Assembly are dated by the sitting that passed them.
    if doc.date is None and not h.consolidated:
        end = sig.start if sig else len(t)
        passed = None
        for passed in _PASSED.finditer(t, max(h.end, end - 3000), end):
            pass
        if passed:
            doc.date = _iso(passed.group("d"), passed.group("m"), passed.group("y"))

    # Page chrome before the header (a website's menus, the gazette's section headings).
    if h.doc_start > 0 and t[: h.doc_start].strip():
        skip.add(0, h.doc_start)
    _site_footer(t, skip, doc.number, h.end)

    ranges = [(ot.to_original(s), ot.to_original(e)) for s, e in skip.merged()] if ot else skip.merged()
    return Header(document=doc, skip=ranges)


__all__ = ["Header", "read_header", "HEAD_CHARS"]
