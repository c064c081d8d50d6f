"""What is written beside a reference: its date ("ngày 24/5/2018") and issuer ("của Thủ tướng Chính phủ")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from functools import lru_cache

from kgraph.extract.patterns import any_case_alternation
from kgraph.knowledge import Knowledge, fold, load
from kgraph.knowledge.header_vocabulary import alternation

_DATE_AFTER = re.compile(  # any case: titles in capitals write "SỐ 1899/QĐ-TTG NGÀY 04/9/2025"
    r"[ \t\r\n,(]{0,6}(?:được\s+|đã\s+)?(?:ban\s+hành\s+|ký\s+)?ngày\s{1,3}(\d{1,2})\s{0,3}"
    r"(?:tháng\s{1,3}(\d{1,2})\s{1,3}năm\s{1,3}(\d{4})|[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4}))",
    re.IGNORECASE,
)
_DATE_ANY = re.compile(
    r"(\d{1,2})\s{0,3}(?:tháng\s{1,3}(\d{1,2})\s{1,3}năm\s{1,3}(\d{4})|[/.\-](\d{1,2})[/.\-](\d{4}))"
)
_YEAR_AFTER = re.compile(r"[ \t\r\n,(]{0,3}(?:năm\s{1,3})?((?:19|20)\d\d)(?![\d/])", re.IGNORECASE)
#: Clause openers (Thực hiện, Căn cứ ...): a place's name never runs into one on the next line.
_OPENERS = "|".join(p.opener for p in load().header.preamble if not p.opener.startswith(("\\d", "[")))
_NUMBER_AFTER = re.compile(r"[ \t\r\n,]{0,3}(?:số|Số)\s{0,3}:?\s{0,2}(?=\d)")
#: What a year (`_YEAR_AFTER`) or a number (`_NUMBER_AFTER`) written after a name opens with: at most 3 of their
#: leading characters, then "năm", "số" (any case: wider than `_NUMBER_AFTER`'s two spellings) or a year's first two
#: digits. `MAY_FOLLOW.match(text, pos, pos + 12)` is None: `year_after` and `number_follows` find nothing at `pos`.
#: Dense names (20-40k a MB, issue 14), most with none after them, are answered by this one match instead of two
#: and the calls around them.
MAY_FOLLOW = re.compile(r"[ \t\r\n,(]{0,3}" + any_case_alternation(("năm", "số", "19", "20"), ahead=True), re.IGNORECASE)

_UNITS = alternation(load().header.unit_words()).replace(r"\ ", r"\s{1,2}")  # Thành⏎phố too
#: A proper name's words (Hà Tĩnh, Hồ Chí Minh), not running into the next sentence ("... Cần Thơ⏎Thực hiện").
_NOT_A_PLACE = alternation(load().in_text.get("not_a_place") or ["Về"])
_NAME = (r"[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ][\wÀ-ỹ]*(?:\s{1,2}(?!" + _OPENERS + "|(?:" + _NOT_A_PLACE + r")(?![\wÀ-ỹ]))"
         r"[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ][\wÀ-ỹ]*){0,3}")
#: Whitespace that is no blank line: a unit's name is never in the next paragraph.
_ONE_BREAK = r"(?![ \t]*\r?\n[ \t]*\r?\n)"
#: Never across a blank line: "của UBND tỉnh⏎⏎Bình Sơn, ngày ..." is a unit without its name, then the place line.
_PLACE = re.compile(r"\s{1,3}((?:" + _UNITS + r")" + _ONE_BREAK + r"\s{1,3}" + _NAME + ")")
#: A unit without its name ("của UBND tỉnh", "UBND Thành phố"): the citing document's own province or city.
_BARE_UNIT = re.compile(r"\s{1,3}(" + _UNITS + r")(?![\wÀ-ỹ])(?!" + _ONE_BREAK + r"\s{1,3}(?-i:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ]))",
                        re.IGNORECASE)
#: A place's name right after a Party committee's (Tỉnh ủy Hậu Giang, Thành ủy Cần Thơ).
_NAME_AFTER = re.compile(r"[ \t]{1,2}(" + _NAME + ")")


@lru_cache(maxsize=1)
def _local_issuers() -> frozenset[str]:
    return frozenset(i.name for i in load().issuers if i.family == "local")


@lru_cache(maxsize=1)
def _placed_party() -> frozenset[str]:
    """Party bodies of a province or city, whose place's name follows theirs without a unit word."""
    return frozenset(i.name for i in load().issuers if i.family == "party" and (
        i.name.endswith(("ủy", "Đảng bộ tỉnh", "Đảng bộ thành phố")) and i.code in ("TU", "HU")))


@lru_cache(maxsize=1)
def department_names() -> dict[str, str]:
    """What follows "Bộ" in the ministries' names, folded → as written: a province's department (Sở) is named
    like its ministry ("Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Môi trường")."""
    out: dict[str, str] = {}
    for i in load().issuers:
        for n in (i.name, *i.aliases):
            if n.startswith("Bộ ") and not n.startswith("Bộ trưởng"):
                out.setdefault(fold(n[3:]), n[3:])
    return out


_HOME = re.compile(r"(?<!\w)(" + _UNITS + r")\s+(\S.*)$")


def home_of(issuer: str | None) -> str | None:
    """The province or city of a citing document's issuer ("Ủy ban nhân dân tỉnh Hà Tĩnh" → "tỉnh Hà Tĩnh")."""
    m = _HOME.search(issuer or "")
    if not m:
        return None
    unit = "thành phố" if m.group(1).lower() in ("tp.", "thành phố") else m.group(1).lower()
    return f"{unit} {m.group(2)}"


def iso_date(day: str, month: str, year: str) -> str | None:
    """ISO date from parts, or None when the parts are not a calendar date."""
    try:
        return _date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


@dataclass(slots=True)
class Beside:
    date: str | None = None
    issuer: str | None = None
    end: int = 0  # where the date/issuer phrase ends (for spans of named references and aliases)


def date_after(text: str, pos: int) -> tuple[str | None, int]:
    """A date written right after `pos` ("ngày 24 tháng 5 năm 2018", "ngày 24/5/2018")."""
    m = _DATE_AFTER.match(text, pos, pos + 60)
    if not m:
        return None, pos
    if m.group(3):
        return iso_date(m.group(1), m.group(2), m.group(3)), m.end()
    return iso_date(m.group(1), m.group(4), m.group(5)), m.end()


def year_after(text: str, pos: int) -> tuple[int | None, int]:
    """A bare year after a name: "năm 2015", "2015"."""
    m = _YEAR_AFTER.match(text, pos, pos + 12)
    if not m:
        return None, pos
    return int(m.group(1)), m.end()


def number_follows(text: str, pos: int) -> int | None:
    """Where a number starts if "số ..." follows `pos` ("Luật Đầu tư số 61/2020/QH14")."""
    m = _NUMBER_AFTER.match(text, pos, pos + 12)
    return m.end() if m else None


def _levenshtein_at_most_1(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = 0
    edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


@lru_cache(maxsize=1)
def _issuer_index() -> tuple[re.Pattern, dict[str, str], list[tuple[str, str, int]]]:
    k: Knowledge = load()
    names: dict[str, str] = {}
    for i in k.issuers:
        for n in (i.name, *i.aliases):
            names.setdefault(fold(n), i.name)
    # the tables' spellings and the folded ones (Uỷ ban and Ủy ban alike)
    alts = sorted(set(names) | {n for i in k.issuers for n in (i.name, *i.aliases)}, key=len, reverse=True)
    pat = re.compile(  # a body's name where it stands ("của" and positions are read by the callers)
        "(" + "|".join(re.escape(a).replace(r"\ ", r"\s{1,3}") for a in alts) + r")(?!\w)", re.IGNORECASE
    )
    # for misspelt names ("Banh Chấp hành Trung ương"): multi-word names with their word counts
    fuzzy = [(a, names[a], a.count(" ") + 1) for a in sorted(names, key=len, reverse=True) if a.count(" ") >= 2]
    return pat, names, fuzzy


_WORDS_AFTER_CUA = re.compile(r"[ \t\r\n,]{0,3}của\s{1,3}((?:[\wÀ-ỹ]+\s{1,3}){0,7}[\wÀ-ỹ]+)")


#: "của Sở Xây dựng", "Sở Nông nghiệp và Môi trường": a department named like its ministry.
@lru_cache(maxsize=1)
def _department_pattern() -> re.Pattern:
    alts = sorted(department_names(), key=len, reverse=True)
    return re.compile(r"(?:Sở|SỞ)\s{1,3}(" + "|".join(re.escape(a).replace(r"\ ", r"\s{1,3}") for a in alts) + r")(?!\w)",
                      re.IGNORECASE)


def is_local_body(issuer: str | None) -> bool:
    """A province's, city's or district's body, or a provincial Party committee (what issue 15 calls local)."""
    return bool(issuer) and (home_of(issuer) is not None or needs_place(issuer) or is_placed(issuer))


def needs_place(issuer: str) -> bool:
    """A local or provincial Party body named without its place ("Ủy ban nhân dân", "Ban Thường vụ Tỉnh ủy")."""
    return issuer in _local_issuers() or issuer in _placed_party()


def is_placed(issuer: str) -> bool:
    """Such a body with its place ("Ban Chấp hành Đảng bộ tỉnh Sóc Trăng")."""
    return issuer.startswith(_placed_prefixes())


@lru_cache(maxsize=1)
def _placed_prefixes() -> tuple[str, ...]:
    """The names of bodies that need a place, each with the space before it: one `startswith` per issuer."""
    return tuple(n + " " for n in (*_local_issuers(), *_placed_party()))


def _home_name(home: str) -> str:
    """"thành phố Cần Thơ" → "Cần Thơ"."""
    m = re.match("(?:" + _UNITS + r")\s+(.*)", home)
    return m.group(1) if m else home


def _unit_agrees(name: str, home: str) -> bool:
    """A provincial Party body (Tỉnh ủy, Đảng bộ tỉnh) belongs to a tỉnh; a city's (Thành ủy) to a thành phố."""
    f = fold(name)
    if "thành" in f:
        return home.startswith("thành phố")
    return home.startswith("tỉnh") if "tỉnh" in f else True


@lru_cache(maxsize=1)
def _committee_pattern() -> re.Pattern:
    heads = alternation(load().in_text.get("committees") or ["Ban Chỉ đạo"])
    # on its line, up to the clause's end (a comma, "ngày", "tại" ...): "Ban Chỉ đạo Trung ương về phát triển khoa học"
    return re.compile(r"(?:" + heads + r")(?:[ \t]+(?!ngày\s|tại\s|do\s|đã\s|theo\s|và\s|số\s)[^\s,;.:()]+){1,12}")


def _with_place(name: str, text: str, end: int, home: str | None) -> tuple[str, int]:
    """A local or provincial Party body with its place: written after it (tỉnh Quảng Trị; Hậu Giang after a
    Party committee), or the citing document's own when the text says only "tỉnh"/"Thành phố" or nothing."""
    p = _PLACE.match(text, end)
    if p:
        return name + " " + " ".join(p.group(1).split()), p.end()
    b = _BARE_UNIT.match(text, end)
    if name in _placed_party():
        if b:  # "Thành ủy Thành phố": the unit as written, the name from the citing document's own place
            unit = " ".join(b.group(1).split())
            agrees = home and fold(home).startswith(fold(unit))
            return (name + " " + unit + " " + _home_name(home), b.end()) if agrees else (name, end)
        n = _NAME_AFTER.match(text, end)
        if n:
            return name + " " + " ".join(n.group(1).split()), n.end()
        # the citing document's province for a committee (Ban Thường vụ Tỉnh ủy); a name that ends with its unit
        # word ("Ban Chấp hành Đảng bộ tỉnh") is left as written unless the text named its place before
        if home and _unit_agrees(name, home) and not name.endswith(("tỉnh", "thành phố")):
            return name + " " + _home_name(home), end
        return name, end
    if b and home:  # "UBND tỉnh" in a district's letter names its province, which the letter does not say
        agrees = fold(home).startswith(fold(" ".join(b.group(1).split())))
        return (name + " " + home if agrees else name), b.end()
    if name in _local_issuers() or name.startswith("Sở "):
        return (name + " " + home, end) if home and name.startswith("Sở ") else (name, end)
    return name, end


def _one_issuer(text: str, pos: int, home: str | None) -> tuple[str | None, int]:
    """A body named at `pos` (no "của" before it): a table's name, or a department, with its place."""
    pat, names, _ = _issuer_index()
    seg = fold(text[pos : pos + 120])  # Tỉnh uỷ and Tỉnh ủy alike (same length: offsets carry over)
    m = pat.match(seg) if len(seg) == len(text[pos : pos + 120]) else pat.match(text, pos, pos + 120)
    if m:
        end = pos + m.end() if m.string is seg else m.end()
        name = names[fold(re.sub(r"\s+", " ", m.group(1)))]
        if name in _local_issuers() or name in _placed_party():
            return _with_place(name, text, end, home)
        return name, end
    c = _committee_pattern().match(text, pos, pos + 160)
    if c:  # Ban Chỉ đạo Trung ương về ..., Tổ giúp việc Ban Chỉ đạo tỉnh: the name runs to the clause's end
        return " ".join(c.group(0).split()), c.end()
    d = _department_pattern().match(text, pos, pos + 80)
    if d:
        return _with_place("Sở " + department_names()[fold(re.sub(r"\s+", " ", d.group(1)))], text, d.end(), home)
    a = _DEPARTMENT_SHORT.match(text, pos, pos + 12)
    if a and a.group(1) in department_initials():
        return _with_place("Sở " + department_initials()[a.group(1)], text, a.end(), home)
    return None, pos


_DEPARTMENT_SHORT = re.compile(r"S([A-ZĐ]{2,8})(?![\wĐ])")


@lru_cache(maxsize=1)
def department_initials() -> dict[str, str]:
    """A department written as its code ("của STNMT", "SGDĐT"): "S" and the initials of its ministry's name
    without "và" → that name (the first in the table's order where two share initials)."""
    out: dict[str, str] = {}
    for n in department_names().values():
        key = "".join(w[0].upper() for w in re.split(r"[\s,\-–]+", n) if w and w.lower() != "và")
        out.setdefault(key, n)
    return out


#: Between the bodies of a joint instrument's issuer ("Bộ Lao động - Thương binh và Xã hội; Bộ Nội vụ"): a dash is
#: inside some bodies' names, a semicolon never.
JOINT = "; "
#: "của" before a body; a plenum's words before the Central Committee ("của Hội nghị lần thứ sáu Ban Chấp hành ...").
_CUA = re.compile(r"[ \t\r\n,]{0,3}của\s{1,3}(?:hội\s+nghị[^,;()]{0,40}?\s(?=ban\s))?", re.IGNORECASE)
_AND = re.compile(r"\s{0,2}(?:,|và)\s{1,3}(?:của\s{1,3})?")


def issuer_after(text: str, pos: int, home: str | None = None, joint: bool = False) -> tuple[str | None, int]:
    """The issuer in a "của ..." phrase right after `pos`, as the knowledge tables name it; a local body with its
    place (`home`: the citing document's own province or city, for "của UBND tỉnh"); for a joint instrument
    (`joint`: its number names several bodies) every body of "của Bộ Tài chính và Bộ Y tế"."""
    c = _CUA.match(text, pos, pos + 80)
    if c:
        name, end = _one_issuer(text, c.end(), home)
        if name:
            names = [name]
            while joint and (a := _AND.match(text, end, end + 12)) and (more := _one_issuer(text, a.end(), home))[0]:
                if more[0] not in names:
                    names.append(more[0])
                end = more[1]
            return JOINT.join(names), end
    _, _, fuzzy = _issuer_index()
    w = _WORDS_AFTER_CUA.match(text, pos, pos + 120)
    if not w:
        return None, pos
    words = fold(w.group(1)).split()
    for alias, name, n in fuzzy:
        if len(words) >= n and _levenshtein_at_most_1(" ".join(words[:n]), alias):
            # find where the n-th word ends
            end = w.start(1)
            seen = 0
            for mm in re.finditer(r"\S+", text[w.start(1) : w.end(1)]):
                seen += 1
                if seen == n:
                    end = w.start(1) + mm.end()
                    break
            return name, end
    return None, pos


#: "của (Giám đốc) Sở Xây dựng tại Công văn số ...", "Chủ tịch Ủy ban nhân dân Thành phố đã ban hành Công văn số ...":
#: the body written before the designation.
_BEFORE_OF = re.compile(r"(?:của|với)\s{1,3}(?P<body>[^;:()]{3,90}?)\s{1,3}(?:tại|theo)\s{1,3}(?:[^\s;:()]{1,10}\s{1,3}){0,3}$")
_BEFORE_MADE = re.compile(r"(?P<body2>[^;:().,]{3,80}?)\s{1,3}(?:đã\s{1,3})?(?:ban\s{1,3}hành|phê\s{1,3}duyệt)"
                          r"(?:\s{1,3}tại)?\s{1,3}$")
#: `_BEFORE`: the two as one alternation, which `_before` answers for (the tests hold them equal). Its branches are
#: searched apart, only those whose ending is there, each from after the last character it cannot hold (the second,
#: which may start anywhere, tried ~80 lengths at each of 140 starts: a search of the whole cost ~0.2 ms a reference)


@lru_cache(maxsize=1)
def _position_prefix() -> re.Pattern:
    return re.compile(r"(?:(?:" + alternation(load().header.position_words()) + r")(?:,\s*)?\s{1,3})+",
                      re.IGNORECASE)


#: What each branch of `_BEFORE` ends with, within the last 50 characters: tried first, because `_BEFORE` fails
#: at each of its 140 starts for nine references in ten (a sixth of extraction's time on gazette text).
_BEFORE_TAIL_OF = re.compile(r"(?:tại|theo)\s{1,3}(?:[^\s;:()]{1,10}\s{1,3}){0,3}$")
_BEFORE_TAIL_MADE = re.compile(r"(?:ban\s{1,3}hành|phê\s{1,3}duyệt)(?:\s{1,3}tại)?\s{1,3}$")


def _may_end_before(text: str, lo: int, start: int) -> tuple[bool, bool]:
    """Whether each branch of `_BEFORE` may match in text[lo:start] (False: it cannot): its ending is there (the
    first branch also needs its "của" or "với")."""
    near = start - 60 if start - 60 > lo else lo
    # each ending holds one of these words as written: looked for first (a search tries the regex at each start)
    made = ((text.find("hành", near, start) >= 0 or text.find("duyệt", near, start) >= 0)
            and _BEFORE_TAIL_MADE.search(text, near, start) is not None)
    if (text.find("tại", near, start) < 0 and text.find("theo", near, start) < 0) or not _BEFORE_TAIL_OF.search(text, near, start):
        return False, made
    window = text[lo:start]
    return "của" in window or "với" in window, made


def _after_last(text: str, lo: int, start: int, chars: str) -> int:
    """Where text[lo:start] goes on after the last of `chars` (`lo` when none is there)."""
    for c in chars:
        i = text.rfind(c, lo, start)
        if i >= lo:
            lo = i + 1
    return lo


def _before(text: str, lo: int, start: int) -> tuple[int, int] | None:
    """The span of the body `_BEFORE.search(text, lo, start)` gives (the leftmost match; at one start, the first
    branch), from its branches' own searches: each only where its ending is there, from after the last character
    it cannot hold (no match of it starts before that)."""
    of, made = _may_end_before(text, lo, start)
    m1 = _BEFORE_OF.search(text, _after_last(text, lo, start, ";:()"), start) if of else None
    m2 = _BEFORE_MADE.search(text, _after_last(text, lo, start, ";:().,"), start) if made else None
    if m2 is not None and (m1 is None or m2.start() < m1.start()):
        return m2.span("body2")
    return m1.span("body") if m1 is not None else None


def issuer_before(text: str, start: int, home: str | None = None) -> str | None:
    """The body written just before a reference that has none after it ("của Sở Xây dựng tại Công văn số")."""
    span = _before(text, start - 140 if start > 140 else 0, start)
    if span is None:
        return None
    s, e = span
    # the body's name starts after a position ("Giám đốc Sở Y tế") and must end where the phrase ends
    for k in range(s, e):
        if k == s or text[k - 1] in " \t\n*":
            p = _position_prefix().match(text, k, e)
            for at in (k, p.end()) if p else (k,):  # an office is a body (Thủ tướng Chính phủ); else after it
                name, end = _one_issuer(text, at, home)
                if name and not text[end:e].strip():
                    return name
    return None


#: What every date or issuer written right after a reference opens with: at most 6 of `_DATE_AFTER`'s leading
#: characters (`_CUA`'s are fewer and among them), then the first word of one of its branches or "của" (any case, as
#: those patterns read them). `MAY_BESIDE.match(text, pos, pos + 10)` is None: `beside(text, pos)` finds neither date
#: nor issuer. Dense references (20-40k a MB, issue 14), most with only ", " or " và " after them, are answered by this
#: one match instead of three and the calls around them.
MAY_BESIDE = re.compile(r"[ \t\r\n,(]{0,6}" + any_case_alternation(("ngày", "được", "đã", "ban", "ký", "của"), ahead=True),
                        re.IGNORECASE)


def beside(text: str, pos: int, home: str | None = None, joint: bool = False) -> Beside:
    """Date then issuer (or issuer then date) written right after a reference ending at `pos`; `home` is the citing
    document's province or city (for "của UBND tỉnh")."""
    d, p = date_after(text, pos)
    i, p2 = issuer_after(text, p, home, joint)
    if i and not d:
        d, p3 = date_after(text, p2)
        if d:
            p2 = p3
    return Beside(d, i, p if p >= p2 else p2)
