"""Names of instruments cited by name: where "Luật Ngân sách nhà nước", "Bộ luật Dân sự" or "Hiến pháp" ends.

The words that may and may not continue a name are data (knowledge/named.yaml); here is how a name is
read word by word, how an amending law's name runs through the amended one's, how a number written
after a name joins it, and how a name that ran on is cut back to one the same text ends cleanly.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from kgraph.extract import context
from kgraph.extract.found import Anchor, Found, named_found
from kgraph.extract.normalize import one_line
from kgraph.extract.patterns import alternation, any_case_alternation
from kgraph.knowledge import Knowledge, load
from kgraph.numbers import NUMBER_PATTERN


@lru_cache(maxsize=1)
def _name_patterns() -> dict[str, re.Pattern]:
    k = load()
    return {
        # a digit run glued to a word is its own token: "Luật Nhà ở11" is "Luật Nhà ở" and footnote 11
        "token": re.compile(r"[ \t\r\n\xa0]{0,4}(,|\(|\)|[-–]|[^\W\d_]+|\d+)"),
        "self_after": re.compile(r"\s{1,3}này(?!\w)"),
        "amending": _amending_pattern(k),
        "next_amended": re.compile(
            r"(?:\s{1,3}số\s{0,3}(?P<num>" + NUMBER_PATTERN + r"))?\s{0,3}(?:,|;)?\s{0,3}(?:và\s{1,3})?(?=(?:"
            + alternation(k.named["amended_types"]) + r")\s)"
        ),
        "constitution_tail": _constitution_tail(k),
        "draft": re.compile(r"\s{0,3}(?:" + alternation(k.named.get("draft_marks", [])) + r")", re.IGNORECASE),
    }


@dataclass(frozen=True)
class _NameRules:
    """named.yaml as the name scanner uses it: sets and numbers built once, not per reference."""

    not_names: frozenset[str]
    not_exact: frozenset[str]
    stops: frozenset[str]
    pairs: frozenset[str]
    pair_firsts: frozenset[str]  # the first word of each pair: a word that opens none needs no pair built
    commas: tuple[str, ...]
    allowed_starts: tuple[str, ...]
    breakers: frozenset[str]
    max_words: int
    heads: frozenset[str]
    described: frozenset[str]
    ordinals: dict[str, int]
    not_openings: frozenset[str]  # words a law's name never opens with (a date's or a number's)


@lru_cache(maxsize=1)
def name_rules() -> _NameRules:
    nk = load().named
    return _NameRules(
        not_names=frozenset(nk["not_names"]),
        not_exact=frozenset(nk["not_names_exact"]),
        stops=frozenset(nk["stop_words"]),
        pairs=frozenset(nk["stop_pairs"]),
        pair_firsts=frozenset(p.split(" ", 1)[0] for p in nk["stop_pairs"]),
        commas=tuple(nk["comma_continues"]),
        allowed_starts=tuple(a.lower() for a in nk["allowed_starts"]),
        breakers=frozenset(nk["name_breakers"]),
        max_words=int(nk["max_words"]),
        heads=frozenset(nk["heads"]),
        described=frozenset(nk["described_types"]),
        ordinals={str(key): int(v) for key, v in nk["ordinals"].items()},
        not_openings=frozenset(nk["not_name_openings"]),
    )


#: old and new places of a tone mark at a word's end ("hoá" / "hóa"): a known name matches either spelling
_TONE_PAIRS = (("óa", "oá"), ("òa", "oà"), ("ỏa", "oả"), ("õa", "oã"), ("ọa", "oạ"), ("ủy", "uỷ"), ("úy", "uý"),
               ("ùy", "uỳ"), ("ụy", "uỵ"), ("óe", "oé"), ("ũy", "uỹ"))


def _name_regex(rest: str) -> str:
    out = re.escape(rest).replace(",", r"\s{0,2},").replace(r"\ ", r"\s{1,3}")
    for new, old in _TONE_PAIRS:
        out = re.sub(re.escape(new) + r"(?!\w)", f"(?:{new}|{old})", out)
    return out


@lru_cache(maxsize=1)
def _known_names() -> dict[str, re.Pattern]:
    """Per head ("Luật", "Bộ luật", "Pháp lệnh"): the names law_names.yaml knows, longest first, after the head."""
    by_head: dict[str, list[str]] = {}
    for n in load().law_names.get("names", []):
        for head in ("Bộ luật", "Pháp lệnh", "Luật"):
            if n.lower().startswith(head.lower() + " "):
                by_head.setdefault(head.lower(), []).append(n[len(head) + 1 :])
                break
    return {h: re.compile(r"\s{1,3}" + any_case_alternation(rests, _name_regex) + r"(?![\w])", re.IGNORECASE)
            for h, rests in by_head.items()}


#: a head as `_known_names` keys it: one look-up a name, not a split and join (a few heads, each read thousands of times)
_HEAD_KEYS: dict[str, str] = {}


def known_end(t: str, pos: int, head: str) -> int | None:
    """Where the longest known name after `head` (ending at `pos`) ends in the text, if one starts there."""
    key = _HEAD_KEYS.get(head)
    if key is None:
        key = one_line(head).lower()
        if len(_HEAD_KEYS) < 256:  # heads are a few words from the tables; anything else is not kept
            _HEAD_KEYS[head] = key
    pat = _known_names().get(key)
    m = pat.match(t, pos) if pat else None
    return m.end() if m else None


@lru_cache(maxsize=1)
def _run_ons() -> frozenset[str]:
    return frozenset(load().named.get("known_name_run_ons", []))


#: what follows a name a citation writes in full: its number, its date or its year ("... số 128/2025/QH15")
_CITED_AFTER = re.compile(r"[ \t\r\n]{1,3}(?:số[ \t\r\n]{0,3}:?[ \t\r\n]{0,3}(?:" + NUMBER_PATTERN
                          + r")|ngày[ \t\r\n]{1,3}\d|năm[ \t\r\n]{1,3}\d{4}(?!\d))")
_AND = re.compile(r"[ \t\r\n]{1,3}và(?=[ \t\r\n])")
#: a ";", "." or bracket before any digit, near: no word of a name reads past one (`name_words`)
_STOP_BEFORE_DIGIT = re.compile(r"[^\d;.()]{0,400}[;.()]")


def _cited_longer(t: str, kn: int) -> int | None:
    """Where "và <words in lower case>" after a known name ends, when the law's number, date or year closes it:
    "Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú số 128/2025/QH15" is a longer law the list
    lacks, not "Luật Thi hành tạm giữ, tạm giam" (94/2015/QH13) and words run on."""
    m = _AND.match(t, kn)
    if not m:
        return None
    if _STOP_BEFORE_DIGIT.match(t, m.end()) and not _may_amend(t, m.end()):
        # the words end at that sign at the latest, and what `_CITED_AFTER` reads holds a digit before any sign: no
        # number, date or year can close them (an amending name runs through ";", read as before). Dense distinct
        # names each read their words twice for nothing (issue 14)
        return None
    words, e = name_words(t, m.end(), load(), first_free=True)
    r = name_rules()
    if not words or any(w[:1].isupper() or w.isdigit() or w in (",", "-", "và") or w in r.stops
                        or w in _run_ons() for w in words):
        return None  # another name, or the sentence going on ("Luật Viên chức và theo mẫu số 4")
    return e if _CITED_AFTER.match(t, e) else None


def _fit_known(t: str, pos: int, head: str, end: int) -> int:
    """The name's end when the catalogue knows it: through a comma or stop word inside it, not past its end."""
    kn = known_end(t, pos, head)
    if kn is None:
        return end
    longer = _cited_longer(t, kn)
    if longer is not None:
        return longer
    if kn >= end:
        return kn
    # the word rules read further: cut only a run-on opening with a connective (named.yaml known_name_run_ons:
    # "Luật Quản lý thuế và ..."); other words name a law the list lacks ("Luật Khiếu nại, tố cáo" of 1998)
    ext = t[kn:end].split()
    return kn if ext and ext[0].lower() in _run_ons() else end


def name_words(t: str, pos: int, k: Knowledge, first_free: bool = False,
               amends: bool | None = None) -> tuple[list[str], int]:
    """The words of a name starting at `pos`, and where the last kept word ends.

    The first word is only refused when it makes the phrase something else (Luật sư, Luật này);
    later words stop the name by the lists in named.yaml. `amends`: `_may_amend(t, pos)` when the caller has it.
    """
    r = name_rules()
    tok = _name_patterns()["token"]
    not_names, not_exact, stops, pairs, pair_firsts = r.not_names, r.not_exact, r.stops, r.pairs, r.pair_firsts
    commas, heads = r.commas, r.breakers
    words: list[str] = []
    ends: list[int] = []
    if amends is None:
        amends = _may_amend(t, pos)
    am = _name_patterns()["amending"].match(t, pos) if amends else None
    if am:
        # "Luật sửa đổi, bổ sung một số điều của Luật X": the amending law's name runs through X's
        return _amending_name(t, am, k)
    if amends and _AMENDING_OPEN.match(t, pos):
        # an amending law with a long title of its own ("... có liên quan đến quy hoạch"): run to a hard end
        return _amending_title(t, pos)
    nx = _UNSEEN  # the token at `pos` when the last one looked ahead at it: matched once, not twice
    max_words, n = r.max_words, 0
    while n < max_words:
        tm = tok.match(t, pos) if nx is _UNSEEN else nx
        nx = _UNSEEN
        if tm is None:
            break
        w = tm.group(1)
        lw = w.lower()
        we = tm.end()
        if not n:
            if w in not_exact or (not first_free and lw in not_names and w[:1].islower()):
                ws = tm.start(1)
                if not any(t[ws:ws + len(a)].lower() == a for a in r.allowed_starts):
                    break
        if w in ("(", ")") or w.isdigit():
            break  # a year or a number follows the name: read by the caller
        if w in ("-", "–"):
            nx = tok.match(t, we)
            ws = tm.start(1)
            hyphen = ws > 0 and not t[ws - 1].isspace() and nx and nx.start(1) == we
            if n and nx and (hyphen or nx.group(1)[:1].isupper()) and nx.group(1) not in heads:
                words.append("-")
                ends.append(we)
                pos = we
                n += 1
                continue
            break
        if w == ",":
            rest = t[we : we + 24].lstrip().lower()
            if n and rest.startswith(commas):
                words.append(",")
                ends.append(we)
                pos = we
                n += 1
                continue
            break
        if n:
            if lw in stops or (lw == "và" and "và" in words):  # one "và" at most inside a name
                break
            if lw == "số" and _NUMBER_NEXT.match(t, we):
                break
            nx = tok.match(t, we)
            if nx and lw in pair_firsts and f"{lw} {nx.group(1).lower()}" in pairs:
                break
            if w in heads:
                break
        words.append(w)
        ends.append(we)
        pos = we
        n += 1
    while words and words[-1] in (",", "-", "và", "hoặc"):
        words.pop()
        ends.pop()
    return words, (ends[-1] if ends else pos)


_AMENDED_TYPE_AT_END = re.compile(r"(\w+(?:\s{1,3}\w+)?)$")


def _amending_name(t: str, am: re.Match, k: Knowledge, max_parts: int = 8) -> tuple[list[str], int]:
    """An amending law's name through every law it amends: "Luật sửa đổi, bổ sung một số điều của Luật Tiếp
    công dân, Luật Khiếu nại, Luật Tố cáo" is one instrument (issue 9, point 5).

    The amended laws' own numbers are part of the name when each of them carries one ("... của Luật Đất đai
    số 31/2024/QH15, Luật Nhà ở số 27/2023/QH15 ..."); a number after the last one alone is the amending
    law's own (read by the caller).
    """
    pats = _name_patterns()
    types = k.named["amended_types"]
    words = [am.group().strip()]
    head = next((w for w in sorted(types, key=len, reverse=True) if one_line(am.group()).endswith(" " + w)), types[0])
    pos = end = am.end()
    numbered_parts = 0
    for part in range(max_parts):
        ws, e = name_words(t, pos, k)
        if not ws:
            break
        e = _fit_known(t, pos, head, e)
        words += ws
        end = e
        nx = pats["next_amended"].match(t, end)
        if not nx or part + 1 == max_parts:
            break
        if nx.group("num"):
            numbered_parts += 1
        tw = next((w for w in sorted(types, key=len, reverse=True) if t.startswith(w, nx.end())), None)
        if tw is None:
            break
        head, pos = tw, nx.end() + len(tw)
    if numbered_parts:
        # every amended law carried its number: the last one's is part of the name too
        ns = context.number_follows(t, end)
        nm = re.compile(NUMBER_PATTERN).match(t, ns) if ns is not None else None
        if nm:
            end = nm.end()
    return words, end


#: The word both amending patterns open with, after 1 to 3 spaces (`_amending_pattern`, `_AMENDING_OPEN`): what
#: `_may_amend` looks for before either is tried, so the three cannot drift apart. Some titles capitalise it
#: ("Luật Sửa đổi, bổ sung một số điều Luật Ban hành văn bản quy phạm pháp luật").
_AMENDS_FIRST, _AMENDS_TAIL = "sS", "ửa"
_AMENDS = "[" + _AMENDS_FIRST + "]" + _AMENDS_TAIL


def _amending_pattern(k: Knowledge) -> re.Pattern:
    """After a head, "sửa đổi, bổ sung một số điều của <amended type>" (named.yaml `amended_types`)."""
    return re.compile(
        r"\s{1,3}" + _AMENDS + r"\s{1,3}đổi(?:\s{0,3},?\s{0,3}(?:và\s{1,3})?bổ\s{1,3}sung)?(?:\s{1,3}(?:một\s{1,3}số\s{1,3})?(?:điều|Điều)"
        r"(?:\s{1,3}\d{1,3}[a-z]?(?:\s{0,3}(?:,|và)\s{1,3}\d{1,3}[a-z]?){0,10})?)?(?:\s{1,3}của)?(?:\s{1,3}các)?"
        r"\s{1,3}(?:" + alternation(k.named["amended_types"]) + r")(?!\w)",
    )


def _may_amend(t: str, pos: int) -> bool:
    """Whether `_AMENDS` starts 1 to 3 characters after `pos`, as both amending patterns open: one `find` where
    most names (none amending) tried two patterns, twice."""
    # both forms end in the same two letters: one `find` of them, then the first letter (names are read thousands of
    # times a MB in dense text, issue 14: a call per form cost ~6% of the named pass there)
    i = t.find(_AMENDS_TAIL, pos + 2, pos + 4 + len(_AMENDS_TAIL))
    return i >= 0 and t[i - 1] in _AMENDS_FIRST


_NUMBER_NEXT = re.compile(r"\s{0,3}:?\s{0,3}[\d.…_/]")
_AMENDING_OPEN = re.compile(r"\s{1,3}" + _AMENDS + r"\s{1,3}đổi(?!\w)")
# "số" ends the title only before a number: "một số điều" is part of it
_HARD_END = re.compile(r"[ \t\r\n]{0,3}(?:[;.()“”\"]|(?:số|ngày|năm)[ \t\r\n]{0,3}:?[ \t\r\n]{0,3}\d|\d)")


def _amending_title(t: str, pos: int, max_words: int = 30) -> tuple[list[str], int]:
    """The words of an amending law's own title, up to its number, date, year or punctuation."""
    tok = _name_patterns()["token"]
    words: list[str] = []
    end = pos
    while len(words) < max_words and not _HARD_END.match(t, pos):
        tm = tok.match(t, pos)
        if not tm:
            break
        words.append(tm.group(1))
        pos = end = tm.end()
    while words and words[-1] in (",", "-", "và", "của"):
        words.pop()
        end = t.rfind(words[-1], 0, end) + len(words[-1]) if words else pos
    return words, end


def _constitution_tail(k: Knowledge) -> re.Pattern:
    """The state's name after "Hiến pháp" (named.yaml `constitution`), part of the constitution's span."""
    c = k.named["constitution"]

    def words(w: str) -> str:
        return re.escape(w).replace(r"\ ", r"\s+")

    openers = "|".join(words(w) for w in c["state_openers"])
    return re.compile(
        r"\s{1,3}(?:" + words(c["state_article"]) + r"\s+)?(?:" + openers + r")[\w\s]{0,40}?" + words(c["state_end"])
    )


@dataclass(frozen=True)
class _TreatyRules:
    """named.yaml `treaties` as the treaty reader uses it."""

    heads: frozenset[str]
    openers: re.Pattern
    not_first: frozenset[str]
    stops: frozenset[str]
    pairs: frozenset[str]
    exceptions: frozenset[str]
    and_continues: re.Pattern
    and_breaks: frozenset[str]
    max_words: int
    known: dict[str, re.Pattern]


@lru_cache(maxsize=1)
def treaty_rules() -> _TreatyRules:
    tr = load().named["treaties"]
    heads = sorted(tr["heads"], key=len, reverse=True)
    by_head: dict[str, list[str]] = {}
    for n in tr.get("known", []):
        h = next(h for h in heads if n.startswith(h + " "))
        by_head.setdefault(h, []).append(n[len(h) + 1 :])
    return _TreatyRules(
        heads=frozenset(heads),
        openers=re.compile(r"\s{1,3}(?:" + "|".join(_name_regex(o) for o in sorted(tr["openers"], key=len, reverse=True))
                           + r")(?!\w)"),
        not_first=frozenset(tr["not_first"]),
        stops=frozenset(tr["stops"]),
        pairs=frozenset(tr["stop_pairs"]),
        exceptions=frozenset(tr.get("stop_exceptions") or ()),
        and_continues=re.compile(r"(?:" + "|".join(_name_regex(o) for o in tr["and_continues"]) + r")(?!\w)"),
        and_breaks=frozenset(tr["and_breaks"]),
        max_words=int(tr["max_words"]),
        known={h: re.compile(r"\s{1,80}(?:" + "|".join(_name_regex(r).replace(r"\s{1,3}", r"\s{1,80}")
                                                       for r in sorted(rs, key=len, reverse=True))
                             + r")(?!\w)") for h, rs in by_head.items()},
    )


_TREATY_TOKEN = re.compile(r"[ \t\r\n\xa0]{0,80}(,|\(|\)|[-–]|[^\W\d_]+|\d+)")
#: an acronym in brackets inside a treaty's name, followed by "và" and a capitalised word
_ACRONYM_AND = re.compile(r"\(\s{0,2}[A-ZĐ]{2,10}\s{0,2}\)(?=\s{1,3}và\s{1,3}[A-ZĐ])")


def treaty_end(t: str, pos: int, head: str) -> int | None:
    """Where a treaty's name that starts with `head` (ending at `pos`) ends, or None when no name follows.

    A known treaty (named.yaml `treaties.known`) is taken whole; otherwise the name opens with a capitalised
    word, an opener ("về", "quốc tế về", "khung") or a protocol's number, and runs until punctuation, a number,
    a stop word, or a "và" / comma before what cannot continue it."""
    r = treaty_rules()
    kp = r.known.get(head)
    km = kp.match(t, pos) if kp else None
    if km:
        return km.end()
    tok = _TREATY_TOKEN  # a gazette line may pad a name with many blanks before it wraps
    first = tok.match(t, pos)
    if not first or first.start(1) - pos < 1:
        return None
    w0 = first.group(1)
    protocol = w0.isdigit() and len(w0) <= 2 and re.match(r"\s{1,3}về(?!\w)", t[first.end() :]) is not None
    if not (protocol or r.openers.match(t, pos) or (w0[:1].isupper() and w0 not in r.not_first)):
        return None
    end, n, prev = pos, 0, ""
    while n < r.max_words:
        tm = tok.match(t, pos)
        if not tm:
            break
        w = tm.group(1)
        lw = w.lower()
        if n == 0 and protocol:
            pass
        elif w == "(" and n and (am := _ACRONYM_AND.match(t, tm.start(1))):
            pos = am.end()  # "Hiệp hội các quốc gia Đông Nam Á (ASEAN) và Đại Hàn Dân Quốc": the name goes on
            continue
        elif w in ("(", ")", ",") or w.isdigit():
            break
        elif w in ("-", "–"):
            nx = tok.match(t, tm.end())
            if not (nx and nx.group(1)[:1].isupper()) and not (nx and nx.start(1) == tm.end()):
                break
        elif n and ((lw in r.stops and f"{prev} {lw}" not in r.exceptions)
                    or (lw == "của" and not t[tm.end() :].lstrip()[:1].isupper())):
            break
        elif n and lw == "và":
            nx = tok.match(t, tm.end())
            if not nx or nx.group(1) in r.and_breaks or (
                    not nx.group(1)[:1].isupper() and not r.and_continues.match(t, nx.start(1))):
                break
        else:
            nx = tok.match(t, tm.end())
            if n and nx and f"{lw} {nx.group(1).lower()}" in r.pairs:
                break
        n += 1
        pos, prev = tm.end(), lw
        if w not in ("-", "–", "và", "của", "về", "giữa"):
            end = pos
    return end if end > 0 and n else None


def find_named(t: str, k: Knowledge, anchors: list[Anchor]) -> list[Found]:
    pats = _name_patterns()
    tok = pats["token"]
    heads = name_rules().heads
    constitution = k.named["constitution"]["head"]
    out: list[Found] = []
    # opening -> the names read after it, each with the stretch of text that decided it (`_memo_window`): a name met
    # again is the one read where the same stretch follows, compared in place (the stretch, ~450 characters, is not
    # copied and hashed for each look-up: that was most of a memo hit's cost, issue 14)
    memo: dict[str, list[tuple[str, int, str, tuple | None]]] = {}
    kept = 0
    treaties, self_after = treaty_rules().heads, pats["self_after"]
    types: dict[str, str] = {}  # head -> the type it names (`_law_name`): a few heads, each met thousands of times
    # the memo's window is found only for a name whose first characters were met before: a text citing each name
    # once pays for no window it never reuses
    met: set[str] = set()
    for m in anchors:
        head = m.word
        if head not in heads:
            continue
        if head == constitution:
            tm = pats["constitution_tail"].match(t, m.end)
            end = tm.end() if tm else m.end
            nxt = tok.match(t, end)
            if nxt and nxt.group(1).lower() == "này":
                continue
            out.append(Found(start=m.start, end=end, kind="named", name=constitution, type=constitution))
            continue
        if self_after.match(t, m.end):
            continue
        if head in treaties:
            # a treaty: its name holds words a law's cannot ("về", "của Liên hợp quốc", "giữa ... và ...");
            # any law it names ("về Luật biển") is part of it
            end = treaty_end(t, m.end, head)
            if end is None:
                continue
            tt = k.doc_type(name=head)
            out.append(Found(start=m.start, end=end, kind="named", name=one_line(t[m.start : end]),
                             type=tt.name if tt else head, encloses=True))
            continue
        opening = t[m.start : m.end + _MEMO_OPENING]
        got, window = _UNSEEN, 0
        if opening in met:
            # a name read at the same head with the same stretch of text after it: that stretch decides where its
            # window ends here too (`_memo_window` reads only inside it), so it is not looked for again
            for h, n, written, read in memo.get(opening, ()):
                if h == head and n == m.end - m.start and t.startswith(written, m.start):
                    got = None if read is None else (read[0] + m.start, *read[1:])
                    break
            else:
                window = _memo_window(t, m)
        else:
            if len(met) >= _MEMO_SIZE:
                met.clear()
            met.add(opening)
        if got is _UNSEEN:
            got = _law_name(t, m, k, types)
            if window and (got is None or got[0] <= window - _MEMO_MARGIN):
                if kept >= _MEMO_SIZE:
                    memo.clear()
                    kept = 0
                same = memo.setdefault(opening, [])
                if len(same) >= _MEMO_PER_OPENING:
                    del same[0]
                    kept -= 1
                same.append((head, m.end - m.start, t[m.start : window],
                             None if got is None else (got[0] - m.start, *got[1:])))
                kept += 1
        if got is not None:
            end, name, typ, amending = got
            out.append(named_found(m.start, end, name, typ, amending))
    return out


def _law_name(t: str, m: Anchor, k: Knowledge, types: dict[str, str] | None = None) -> tuple[int, str, str, bool] | None:
    """(end, name, type, encloses) of the law, code or ordinance named at anchor `m`, or None when none is.
    `types`: head -> the type it names, filled as heads are met (`find_named`'s, one per text)."""
    head = m.word
    amends = _may_amend(t, m.end)
    words, end = name_words(t, m.end, k, amends=amends)
    if not words or words[0].lower() in name_rules().not_openings:
        return None  # "Luật \nNăm 2026 – 2030", "Luật \nSố 74/2014/QH13" in a table's cells: a date or a number follows
    if _name_patterns()["draft"].match(t, end):
        return None  # "Luật An toàn thực phẩm (sửa đổi)": a law being drafted, not an instrument
    amending = amends and bool(_name_patterns()["amending"].match(t, m.end))
    if not amending:
        end = _fit_known(t, m.end, head, end)
    typ = types.get(head) if types is not None else None
    if typ is None:
        tt = k.doc_type(name=head)
        typ = tt.name if tt else head
        if types is not None:
            types[head] = typ
    return end, one_line(t[m.start : end]), typ, amending


@lru_cache(maxsize=1)
def _known_heads_bounded() -> frozenset[str]:
    """The heads read by `_law_name` whose known names (`_known_names`) look less than `_MEMO_MARGIN` ahead: at
    most 3 characters for each space or comma of the longest (which may hold a ";"), one for any other."""
    treaties, constitution = treaty_rules().heads, load().named["constitution"]["head"]
    heads = [h for h in name_rules().heads if h not in treaties and h != constitution]
    by_length = sorted({one_line(h).lower() for h in heads}, key=len, reverse=True)  # "bộ luật" before "luật"
    longest: dict[str, int] = {}
    for n in load().law_names.get("names", []):
        head = next((h for h in by_length if n.lower().startswith(h + " ")), None)
        if head is not None:
            longest[head] = max(longest.get(head, 0), 3 * len(n) + 4)
    return frozenset(h for h in heads if longest.get(one_line(h).lower(), 0) < _MEMO_MARGIN)


_UNSEEN = object()
#: how far past the first ";" or "." after a head reading a law's name can look (`_memo_window`)
_MEMO_MARGIN = 400
#: names read per text at most before the memo starts again (text citing many distinct names)
_MEMO_SIZE = 4096
#: names kept per opening at most (the oldest let go): each look-up compares the stretches of one opening in turn
_MEMO_PER_OPENING = 8
#: how many characters after a head must have been met before for a name to be memoised: fewer than the memo's
#: key holds (at least `_MEMO_MARGIN` after the head), so every memo hit lost is a second reading of a name at most
_MEMO_OPENING = 80
#: a sentence longer than this after a head: not worth a key
_MEMO_REACH = 600


def _memo_window(t: str, m: Anchor) -> int:
    """End of the stretch of text that decides the name read at `m`, or 0 when it is not known to be short.

    A text that repeats a name ("Luật Đất đai, Bộ luật Dân sự và Luật Ngân sách nhà nước; " 20,000 times a MB)
    reads it once: the result is a function of the text from the anchor to this end. Reading a name's words
    stops at the first ";" or "." (no token holds one); what looks beyond it is bounded: the 24 characters after
    a comma, a number after "số" in `_CITED_AFTER` (under 350), a known name (`_known_reach`). An amending law's
    name runs through ";" (`next_amended`), so a stretch holding "sửa" has no window; a known name running past
    the ";" is not kept (the caller keeps only names ending `_MEMO_MARGIN` before the window's end)."""
    lo = m.end
    q = t.find(";", lo, lo + _MEMO_REACH)
    b = t.find(".", lo, q if q >= 0 else lo + _MEMO_REACH)
    q = b if b >= 0 else q
    if q < 0 or q + _MEMO_MARGIN > len(t) or m.word not in _known_heads_bounded() or t.find("sửa", lo, q) >= 0:
        return 0
    return q + _MEMO_MARGIN


_UPPER_HEAD = re.compile(r"(?<![\w])(BỘ\s{1,3}LUẬT|PHÁP\s{1,3}LỆNH|LUẬT)(?=\s)")
#: what makes an upper-case "LUẬT X" no instrument: a bill ("DỰ ÁN LUẬT"), the law in general ("PHÁP LUẬT ...")
_UPPER_NOT_AFTER = re.compile(r"(?:DỰ\s{1,3}ÁN|PHÁP|KỶ)\s{1,3}$")
_NEXT_WORDS = re.compile(r"[ \t]{1,3}(\w+)(?:[ \t]{1,3}(\w+))?")


@lru_cache(maxsize=1)
def _known_by_key() -> dict[str, str]:
    """law_names.yaml's names keyed by their folded words: an upper-case title's "LUẬT PHÒNG THỦ DÂN SỰ" → its name."""
    return {" ".join(n.casefold().split()): n for n in load().law_names.get("names", [])}


def find_upper_named(t: str, k: Knowledge) -> list[Found]:
    """Laws named in an upper-case title ("KẾ HOẠCH TRIỂN KHAI THI HÀNH LUẬT PHÒNG THỦ DÂN SỰ"): only names the
    catalogue knows (law_names.yaml), written in capitals throughout, read as the same law in its usual spelling.
    The name must end there: at the line's end, a sign, or a word that ends names (named.yaml stop_words,
    stop_pairs), else it is the start of a longer name the list lacks ("LUẬT ĐẦU TƯ NƯỚC NGOÀI TẠI VIỆT NAM")."""
    if "LUẬT" not in t and "PHÁP LỆNH" not in t:
        return []
    out: list[Found] = []
    known = _known_by_key()
    draft = _name_patterns()["draft"]
    for m in _UPPER_HEAD.finditer(t):
        if _UPPER_NOT_AFTER.search(t, max(0, m.start() - 12), m.start()):
            continue
        head = one_line(m.group(1))
        end = known_end(t, m.end(), head)
        if end is None or any(c.islower() for c in t[m.end() : end]) or draft.match(t, end):
            continue
        rules = name_rules()
        first = t[m.end() : end].split()[0].lower()
        if first in rules.not_names:
            continue  # "LUẬT SƯ": a lawyer
        nxt = _NEXT_WORDS.match(t, end)
        if nxt and not (nxt.group(1).lower() in rules.stops or nxt.group(1).lower() in ("và", "số")
                        or f"{nxt.group(1)} {nxt.group(2) or ''}".lower().strip() in rules.pairs):
            continue
        ls, le = t.rfind("\n", 0, m.start()) + 1, t.find("\n", end)
        if not t[ls : m.start()].strip(" \t*#_") and not t[end : len(t) if le < 0 else le].strip(" \t*#_"):
            continue  # a line of its own: the heading of the law itself ("LUẬT THUẾ TIÊU THỤ ĐẶC BIỆT"), not a citation
        written = one_line(t[m.start() : end])
        name = known.get(" ".join(written.casefold().split()))
        if name is None:  # a spelling variant of the known name (hoà / hòa): the words as written, in lower case
            rest = written[len(head) + 1 :].lower()
            name = f"{head.capitalize()} {rest[:1].upper()}{rest[1:]}"
        tt = k.doc_type(name=head.capitalize())
        out.append(Found(start=m.start(), end=end, kind="named", name=name, type=tt.name if tt else head.capitalize()))
    return out


_NON_SPACE = re.compile(r"\S+")
_CLEAN_END = re.compile(r"[ \t]{0,3}(?:[;,.()\r\n:]|$)")


def trim_to_known(named: list[Found], t: str) -> None:
    """Cut names that ran on into the sentence back to a name the same text ends cleanly elsewhere.

    "Luật Chứng khoán Ngân hàng thanh toán" becomes "Luật Chứng khoán" when the document also writes
    "Luật Chứng khoán;" or "Luật Chứng khoán số 70/2006/QH11".
    """
    strong = {f.name.casefold() for f in named if f.name and (f.year or f.number or _CLEAN_END.match(t, f.end))}
    if not strong:
        return
    kept: dict[str, str | None] = {}  # name as read -> the strong name it is cut to: once per name, not per mention
    cuts: dict[tuple[str, str], tuple[int, str]] = {}  # (span as written, name kept) -> (length kept, name)
    for f in named:
        if not f.name or f.year or f.number:
            continue
        best = kept.get(f.name, _UNSEEN)
        if best is _UNSEEN:
            folded = f.name.casefold()
            if folded in strong:
                best = None
            else:
                # the longest run of the name's first words that is a strong name: one look-up per run, not a scan
                # of every strong name per name (which grew with the square of the names on text citing many)
                words = folded.split(" ")
                best = next((p for p in (" ".join(words[:i]) for i in range(len(words) - 1, 0, -1)) if p in strong), None)
            kept[f.name] = best
        if best is None:
            continue
        # walk the text until the kept words are consumed (the text may wrap lines): once per span as written
        span = t[f.start : f.end]
        cut = cuts.get((span, best))
        if cut is None:
            want = best.count(" ") + 1
            n, seen = 0, 0
            for m in _NON_SPACE.finditer(span):
                seen += 1
                if seen == want:
                    n = m.end()
                    break
            cut = cuts[span, best] = (n, one_line(span[:n]))
        f.end = f.start + cut[0]
        f.name = cut[1]


def extend_to_cited(named: list[Found], t: str) -> None:
    """Extend a name cut at a known law's end to the longer name the same text cites with its number or date.

    After "Căn cứ Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú số 128/2025/QH15", a later
    "Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú." is that law, not "Luật Thi hành tạm giữ, tạm
    giam" (94/2015/QH13) followed by words: the text writes the same words, and its citation says where they end.
    """
    cited = {f.name.casefold() for f in named if f.name and (f.number or f.year or context.date_after(t, f.end)[0])}
    if not cited:
        return
    most = max(k.count(" ") for k in cited) + 1
    # the cited names in order: a run of words that begins none of them is begun by none of their runs either, so
    # the walk below stops there (dense distinct names each read the longest name's words, issue 14)
    ordered = sorted(cited)
    n_cited = len(ordered)
    for f in named:
        if not f.name or f.number or f.year:
            continue
        folded = f.name.casefold()
        if folded in cited:
            continue
        if len(folded) == len(f.name) and t.startswith(f.name, f.start) and _KEYED_AS_WRITTEN.fullmatch(f.name):
            # the walk below keys the text as the name is written: its keys are shorter prefixes of `folded` until
            # they hold all of it, then begin with it; when no cited name begins with `folded`, the walk finds
            # nothing. One look-up, not a word-by-word walk (dense distinct names, issue 14)
            i = bisect_left(ordered, folded)
            if i == n_cited or not ordered[i].startswith(folded):
                continue
        # the text's words from the name's start, read once, each run of them looked up: no scan of the names
        key, best, pos = "", None, f.start
        for _ in range(most + 2):
            m = _WORD.match(t, pos)
            if not m:
                break
            w = m.group(1).casefold()
            key = key + w if w == "," or not key else f"{key} {w}"
            pos = m.end()
            if key in cited and len(key) > len(f.name):
                best = pos
            i = bisect_left(ordered, key)
            if i == n_cited or not ordered[i].startswith(key):
                break
        if best is not None:
            f.end = best
            f.name = one_line(t[f.start : best])


#: a word of a name, or the comma or dash inside one ("tạm giữ, tạm giam"); other signs end the name
_WORD = re.compile(r"[ \t\r\n\xa0]{0,3}(,|[-–]|[^\W_]+)")
#: a name written as `extend_to_cited` keys the words `_WORD` reads in it: words one space apart, a comma right after
#: a word, a dash between spaces ("tạm giữ, tạm giam", "Bà Rịa - Vũng Tàu")
_KEYED_AS_WRITTEN = re.compile(r"[^\W_]+(?:(?:,? | [-–] )[^\W_]+)*")


def merge_named_numbers(named: list[Found], numbered: list[Found], t: str) -> list[Found]:
    """"Luật Đầu tư số 61/2020/QH14" is one named reference that carries a number."""
    by_start = {f.start: f for f in numbered}
    num_starts = sorted(by_start)
    dropped: set[int] = set()
    may_follow = context.MAY_FOLLOW.match
    for f in named:
        if may_follow(t, f.end, f.end + 12) is None:
            continue  # no year and no number after it (`MAY_FOLLOW`)
        y, p = context.year_after(t, f.end)
        if y:
            f.year = y
            f.end = p
        ns = context.number_follows(t, f.end)
        cand_pos = ns if ns is not None else None
        if cand_pos is None:
            continue
        i = bisect_right(num_starts, cand_pos + 1) - 1
        # the numbered finder may have taken "số" or the type word into its span
        for j in (i, i + 1):
            if 0 <= j < len(num_starts):
                n = by_start[num_starts[j]]
                if f.end <= n.start <= cand_pos and n.end > cand_pos or n.start == cand_pos:
                    f.number = n.number
                    f.year = f.year or n.year
                    f.issuer_codes, f.family = n.issuer_codes, n.family
                    f.end = n.end
                    dropped.add(id(n))
                    break
    return [n for n in numbered if id(n) not in dropped]
