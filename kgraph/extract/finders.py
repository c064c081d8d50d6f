"""The finders of numbered and named references: type words (anchors), numbers after them, the
resolutions of a Party plenum, and what a bare anchor stands for. `citations.find_references` runs them as passes."""


import re
from bisect import bisect_right
from functools import lru_cache
from string import ascii_letters

from kgraph.extract.found import Anchor, Found, numbered_found, short_found
from kgraph.extract.names import name_rules, name_words
from kgraph.extract.normalize import DASHES, one_line, unify_dashes
from kgraph.extract.patterns import alternation, any_case_alternation, trie_alt
from kgraph.extract.pinpoint import pinpoint_before
from kgraph.knowledge import Knowledge, load
from kgraph.numbers import (
    BLANK_NUMBER_PATTERN,
    LOOSE_AFTER_TYPE,
    NUMBER_PATTERN,
    number_parts,
)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    k = load()
    type_words = [n for t in k.types for n in t.names]
    heads = [h for h in k.named["heads"] if h[0].isupper()]
    anchor_words = {w for t in k.types if t.word_alone for w in t.names if w[0].isupper()} | set(heads)
    return {
        "number": re.compile(NUMBER_PATTERN),
        "blank_number": re.compile(BLANK_NUMBER_PATTERN),
        # capitalised type words and heads: one fast scan gives every place a reference can start
        "anchor": re.compile("(" + trie_alt(anchor_words) + r")(?!\w)"),
        # "Điều này", "Chương này": the article or chapter the phrase stands in (`_self_provisions`)
        "this": re.compile(r"này(?!\w)"),
        "provision_before": re.compile(r"(Điều|Chương)\s{1,3}\Z"),
        # between a type word and its number
        "type_gap": re.compile(r"(?:\s{1,3}liên\s{1,3}tịch)?\s{0,3}:?\s{0,3}(?:(?:số|Số|SỐ)\s{0,3}:?\s{0,3})?", re.IGNORECASE),
        "type_before_any_case": re.compile(
            r"(?P<word>" + any_case_alternation(set(type_words), ahead=True) + r")(?:\s{1,3}liên\s{1,3}tịch)?\s{0,3}:?\s{0,3}(?:số\s{0,3}:?\s{0,3})?$",
            re.IGNORECASE,
        ),
        "list_gap": re.compile(r"[\s,;]{0,4}(?:và|hoặc|,)?\s{0,3}(?:(?:số|Số)\s{0,3})?"),
        "so_before": re.compile(r"(?:số|Số)\s{0,3}:?\s{0,3}$"),
        "form_before": re.compile(any_case_alternation(set(k.named["form_words"]), ahead=True) + r"\s{0,3}(?:số|Số)?\s{0,3}:?\s{0,3}$", re.IGNORECASE),
        "loose_after": re.compile(
            r"(?:\s{1,3}liên\s{1,3}tịch)?\s{1,3}(?:(?:số|Số)\s{0,3}:?\s{0,3})?"
            + LOOSE_AFTER_TYPE
            + r"(?!\s{0,3}(?:năm|tháng|ngày|%|giờ|người|lần)(?!\w))"
        ),
        "described_after": re.compile(
            r"(?:\s{1,3}của\s{1,3}(?:Chính\s+phủ|Thủ\s+tướng(?:\s+Chính\s+phủ)?|Bộ\s+[A-ZĐ][\w ,]{2,40}?))?"
            r"\s{1,3}(?=" + trie_alt(k.named["described_by"]) + r"(?!\w))"
        ),
        "described_by_at": re.compile(trie_alt(k.named["described_by"]) + r"(?!\w)"),
        "draft_after": re.compile(r"\s{0,3}(?:" + alternation(k.named.get("draft_marks", [])) + r")", re.IGNORECASE),
        # ... and a count ("sửa đổi, bổ sung 10 Thông tư hướng dẫn ...", "ba Nghị định"): a plural too, unless the
        # digits end a provision ("khoản 5 Điều 8 Nghị định của Chính phủ về ...": `pinpoint_before` says so)
        "generic_before": re.compile(r"(?<!\w)(?:" + alternation([*k.named["described_not_after"], *k.named["ordinals"]])
                                     + r"|(?P<count>\d{1,3}))\s{1,3}$", re.IGNORECASE),
        "plenum": _plenum_pattern(k),
        "self_after": re.compile(r"\s{1,3}này(?!\w)"),
        # "Nghị định trên" is the decree named above; "thực hiện Chương trình trên địa bàn" is the programme in the area
        "back_after": re.compile(r"\s{1,3}(?:nêu\s{1,3}trên|nói\s{1,3}trên|đã\s{1,3}nêu|dẫn\s{1,3}trên|đã\s{1,3}dẫn"
                                 r"|trên(?!\s{1,3}(?:địa\s{1,3}bàn|phạm\s{1,3}vi|toàn|cả\s|không\s{1,3}gian|môi\s{1,3}trường\s{1,3}mạng|mạng|hệ\s{1,3}thống|cơ\s{1,3}sở)))(?!\w)"),
    }


def _type_name(k: Knowledge, code: str | None, word: str | None, party: bool = False) -> str | None:
    if code:
        t = k.doc_type(code=code, party=party)
        if t:
            return t.name
    if word:
        t = k.doc_type(name=one_line(word))
        return t.name if t else None
    return None


_WORDS: dict[str, str] = {}
_UNSEEN = object()


def anchors(t: str) -> list[Anchor]:
    words = _WORDS
    out = []
    for m in _patterns()["anchor"].finditer(t):
        s = m.start()
        if s and (t[s - 1].isalnum() or t[s - 1] == "_"):
            continue
        w = m.group(1)
        out.append(Anchor(s, m.end(), words.get(w) or words.setdefault(w, one_line(w))))
    return out


#: A digit, 0-2 blanks, a separator (/ or a dash), 0-2 blanks, perhaps a line break, and a code's capital: one pattern
#: per separator, opening with it, is scanned for at the speed of a string search; one opening with a digit (a set)
#: tried the set at every character (half the time of a bare regex scan of the text). The digit and blanks are
#: looked behind.
_SEPARATOR_AT = {
    sep: re.compile(re.escape(sep) + "(?:" + "|".join(rf"(?<=\d{b}{re.escape(sep)})" for b in ("", "[ \t]", "[ \t]{2}"))
                    + r")[ \t]{0,2}(?:\r?\n[ \t]{0,2})?[A-ZĐ]")
    for sep in "/" + DASHES
}


def _separators_before_code(t: str) -> list[int]:
    """Where each digit-separator-code join starts (`_SEPARATOR_AT`; the tests hold it equal to one pattern for all
    separators): no two of its matches overlap (each holds one digit,
    its first character), so they are the matches for each separator, merged. Where each starts: the digit before
    the separator and its 0-2 blanks."""
    out: list[int] = []
    for sep, pat in _SEPARATOR_AT.items():
        if sep in t:  # a string search: most dashes are in no text
            for m in pat.finditer(t):
                s = m.start()
                out.append(s - 1 if t[s - 1].isdecimal() else s - 2 if t[s - 2].isdecimal() else s - 3)
    out.sort()
    return out
_DIGIT_RUN = re.compile(r"\d+")
_TRAILING_DIGITS = re.compile(r"\d+$")


#: What `NUMBER_PATTERN` can read right after a number's first digits (a letter, a space, a dot, a line break, a
#: slash or a dash), and right after a space there (no digit, no other sign): a digit run followed by anything else
#: starts no number, and is not tried ("Nghị định 0 1 2 ... 19 - ABC": eleven runs before one separator; issue 14)
_AFTER_DIGITS = frozenset(ascii_letters + " \t.\r\n/" + DASHES)
_AFTER_SPACE = frozenset(ascii_letters + " \t\r\n/" + DASHES)


def _number_matches(t: str):
    """Every well-formed number, found from the separator before its first code.

    Every shape has a digit, then "/" or a dash, then an upper-case code, which is rare in prose; the
    full pattern then runs only from the digit runs just before it (5x faster than scanning every digit).
    """
    number = _patterns()["number"]
    last_end = 0
    for p in _separators_before_code(t):
        if p < last_end:
            continue
        for c in _DIGIT_RUN.finditer(t, p - 30 if p - 30 > last_end else last_end, p):
            e = c.end()  # the run's end, unless cut at `p` (a digit of it: tried)
            x = t[e : e + 1]
            if e < p and (x not in _AFTER_DIGITS or (x == " " and t[e + 1 : e + 2] not in _AFTER_SPACE)):
                continue
            m = number.match(t, c.start())
            if m and m.end() > p:
                yield m
                last_end = m.end()
                break


def numbered(t: str, k: Knowledge, anchors: list[Anchor]) -> list[Found]:
    pats = _patterns()
    anchor_ends = [a.end for a in anchors]
    out: list[Found] = []
    prev: Found | None = None
    untyped = k.untyped_number_type  # a search of the types: once, not per number
    type_names: dict[str | None, str | None] = {}
    matches = list(_number_matches(t))
    if "/" in t:
        matches += [m for m in pats["blank_number"].finditer(t)]
        matches.sort(key=lambda m: m.start())
    for m in matches:
        family = m.lastgroup or "admin"
        s = m.start("num") if family == "blank" else m.start()
        raw = t[s : m.end()]
        parts = number_parts(raw, "state" if family == "blank" else family)  # shared: read, never changed
        # the type word written before it: the nearest anchor, if only "số" and spaces lie between
        i = bisect_right(anchor_ends, s) - 1
        word, start = None, s
        if i >= 0 and s - anchor_ends[i] < 30:
            if pats["type_gap"].fullmatch(t, anchor_ends[i], s):
                word, start = anchors[i].word, anchors[i].start
        window = t[s - 40 if s > 40 else 0 : s]
        if family == "old" and not (word or pats["so_before"].search(window)):
            continue
        party_coded = None
        if family in ("old", "admin") and not word and not any(
            k.doc_type(code=c) or k.issuer(code=_TRAILING_DIGITS.sub("", c))
            for c in parts.issuer_codes + ([parts.type_code] if parts.type_code else [])
        ):
            if family == "admin" and parts.issuer_codes and pats["so_before"].search(window):
                # "Kết luận liên ngành Tư pháp Trung ương số 23/KL-LNTPTW": "số" and a first code that names a type
                party_coded = k.doc_type(code=parts.issuer_codes[0], party=True)
                if party_coded is not None and party_coded.code != parts.issuer_codes[0]:
                    party_coded = None  # exact case only: "QTR" (Quảng Trị) is no "QTr" (Quy trình)
            if party_coded is None:
                continue  # no type word and no code the tables know
        if not word and pats["form_before"].search(window):
            continue  # a form's number (`mẫu số 09B/PL-TNCN`), not a document's
        number = parts.number if family != "blank" else None  # a form's blank: `số …/2016/NĐ-CP`
        f = numbered_found(start, m.end(), parts.type_code, number, parts.year, family, list(parts.issuer_codes))
        if word is None:
            lower = pats["type_before_any_case"].search(window)  # "nghị định số 138/HĐBT": rare, so searched late
            word = lower.group("word") if lower else None
            coded = _type_name(k, parts.type_code, None, party=family == "party")
            if lower and coded and word.islower() and window[: lower.start()].rstrip().endswith(coded):
                word = coded  # "Thông báo kết luận số 196-TB/TW": a Thông báo (TB) conveying a conclusion
            gap = window[lower.end("word") :] if lower else ""
            if (lower and word.isupper() and (lower.start() == 0 or not window[lower.start() - 1].isalnum())
                    and ":" not in gap and not re.search(r"\n\s*\n", gap)):
                # "QUYẾT ĐỊNH SỐ 1899/QĐ-TTG" in an upper-case title: the type word is part of the span, as in any
                # text (not a heading's own "VĂN BẢN HỢP NHẤT\nSố: 462/VBHN-..." nor "LUẬT\n\nSỐ 103-SL/L")
                f.start = start = s - len(window) + lower.start()
        # the type word written beside the number wins over its code (`Thông tư số 33-TC/CN` is a circular)
        by_word = type_names.get(word, _UNSEEN)
        if by_word is _UNSEEN:  # one look-up per type word as written in this text, not per number
            by_word = type_names[word] = _type_name(k, None, word)
        f.type = (by_word or _type_name(k, parts.type_code, None, party=family == "party")
                  or (party_coded.name if party_coded else None))
        if f.type is None and prev is not None and not word:
            gap = t[prev.end : s]
            if len(gap) < 40 and pats["list_gap"].fullmatch(gap):
                f.type = prev.type
        if f.type is None and untyped and family == "admin" and parts.issuer_codes and k.issuer(code=parts.issuer_codes[0]):
            f.type = untyped.name
        out.append(f)
        prev = f
    return out


def _plenum_pattern(k: Knowledge) -> re.Pattern:
    n = r"(?:\d{1,2}|" + alternation(k.named["ordinals"]) + r")"
    return re.compile(
        r"\s{1,3}(?:của\s{1,3})?(?:Hội\s{1,3}nghị\s{1,3})?(?:lần\s{1,3}thứ\s{1,3})?(?P<n1>" + n + r")?\s{0,3}"
        r"(?:(?:của\s{1,3})?Ban\s{1,3}[Cc]hấp\s{1,3}hành\s{1,3})?Trung\s{1,3}ương(?:\s{1,3}Đảng)?"
        r"(?:\s{1,3}(?:lần\s{1,3}thứ\s{1,3})?(?P<n2>" + n + r")(?:\s{1,3}và\s{1,3}(?P<n3>" + n + r"))?)?"
        r"\s{0,3},?\s{0,3}[Kk]h[óo]á?a?\s{1,3}(?P<term>[IVXL]{1,6})(?!\w)"
    )


def _plenum_resolutions(t: str, a: Anchor, k: Knowledge) -> list[Found]:
    """"Nghị quyết Trung ương 6 khóa XII": one named reference per plenum, only when plenum and term are both written."""
    m = _patterns()["plenum"].match(t, a.end)
    if not m:
        return []
    ordinals = name_rules().ordinals
    nums = []
    for g in ("n1", "n2", "n3"):
        v = m.group(g)
        if v:
            nums.append(int(v) if v.isdigit() else ordinals.get(one_line(v).lower()))
    nums = [x for x in nums if x]
    plenum = k.named["plenum"]
    return [
        Found(start=a.start, end=m.end(), kind="named", type=plenum["type"], issuer=plenum["issuer"],
              name=plenum["name"].format(plenum=x, term=m.group("term")))
        for x in dict.fromkeys(nums)
    ]


def _self_provisions(t: str, pats: dict[str, re.Pattern]):
    """(start, end, word) of each "Điều này" / "Chương này" (1-3 blanks between, no word character after), found
    from its "này": a pattern opening with a literal word is scanned for at the speed of a string search, one
    opening with either of two capitals tried them at every character (a third of a bare scan's time on gazette text)."""
    before = pats["provision_before"]
    for m in pats["this"].finditer(t):
        p = m.start()
        b = before.search(t, max(0, p - 9), p)  # "Chương" and three blanks at most
        if b is not None:
            yield b.start(), m.end(), b.group(1)


#: "các Quyết định 03 cán bộ": a count before the type word, not an instrument
_COUNT_BEFORE = re.compile(r"(?:các|những|mỗi)\s+$", re.I)


def from_anchors(t: str, k: Knowledge, anchors: list[Anchor], numbered: list[Found]) -> list[Found]:
    """What each type word starts: a loose number, an ordinal, a self or back reference, a description.

    Old shapes after a type word (`Thông tư 105 TC/ĐT`) and bare ordinals (`Nghị định 54`, a short
    form bound later) are taken only where no well-formed number was found.
    """
    pats = _patterns()
    spans = [(f.start, f.end) for f in numbered]
    starts = [a for a, _ in spans]
    described, heads = name_rules().described, name_rules().heads
    out: list[Found] = []
    for s, e, word in _self_provisions(t, pats):
        if s and t[s - 1].isalnum():
            continue
        out.append(Found(start=s, end=e, kind="self", target="self", relation=None, type=word))
    taken = {f.start for f in numbered}
    types: dict = {}
    for a in anchors:
        if a.start in taken:
            continue  # the type word of a number already found
        word = a.word
        peek = t[a.end : a.end + 16]
        m = pats["self_after"].match(t, a.end) if "này" in peek else None
        if m:
            tt = k.doc_type(name=word)
            out.append(Found(start=a.start, end=m.end(), kind="self", target="self", relation=None,
                             type=tt.name if tt else word))
            continue
        if word in heads and word not in described:
            continue  # named instruments: _named
        tt = types.get(word, _UNSEEN)
        if tt is _UNSEEN:  # one look-up per type word as written in this text
            tt = types[word] = k.doc_type(name=word)
        type_name = tt.name if tt else word
        m = pats["back_after"].match(t, a.end) if ("trên" in peek or "nêu" in peek or "dẫn" in peek) else None
        if m:
            out.append(Found(start=a.start, end=m.end(), kind="short", type=type_name))
            continue
        m = pats["loose_after"].match(t, a.end) if any(map(str.isdigit, peek)) else None
        if m:
            i = bisect_right(starts, m.end("num")) - 1
            if i >= 0 and spans[i][1] > a.start:
                continue  # already found as a well-formed number
            raw = m.group("num")
            if raw.isdigit() and _COUNT_BEFORE.search(t, a.start - 8 if a.start > 8 else 0, a.start):
                continue  # a count, not an instrument: "Có đủ các Quyết định 03 cán bộ"
            if raw.isdigit() and tt is not None and tt.parts_by_ordinal:
                continue  # "Dự án 3: ...": a part of a programme, not an instrument
            if raw.isdigit():
                f = short_found(a.start, m.end(), type_name)
                f.family = "ordinal:" + raw
            else:
                number = unify_dashes(re.sub(r"\s+", " ", raw)).strip()
                codes = re.findall(r"[A-ZĐ][A-ZĐa-zđ0-9]*", number)
                f = Found(start=a.start, end=m.end(), kind="numbered", type=type_name, number=number,
                          family="old", issuer_codes=codes)
            out.append(f)
            continue
        if word == k.named["plenum"]["type"]:
            plenums = _plenum_resolutions(t, a, k)
            if plenums:
                out.extend(plenums)
                continue
        if word in described:
            m = pats["described_after"].match(t, a.end)
            if not m or not a.start or t[a.start - 1] != " " or not (t[a.start - 2 : a.start - 1].isalnum() or t[a.start - 2 : a.start - 1] in ",;("):
                continue
            g = pats["generic_before"].search(t, a.start - 12 if a.start > 12 else 0, a.start)
            if g and not (g.group("count") and pinpoint_before(t, a.start)[0]):
                continue
            words, end = name_words(t, m.end(), k, first_free=True)
            if len(words) < 2:
                continue
            by = pats["described_by_at"].match(t, m.end())
            nxt = t[by.end() : by.end() + 16].split()[:1] if by is not None else []
            if nxt and nxt[0] in name_rules().breakers:
                continue  # "Nghị định hướng dẫn Luật X": which one is not said (a future or generic instrument)
            if pats["draft_after"].match(t, end):
                continue
            out.append(Found(start=a.start, end=end, kind="named", name=one_line(t[a.start:end]), type=type_name))
    return out
