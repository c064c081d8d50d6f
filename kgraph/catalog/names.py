"""Name keys for instruments cited by name, as lawyers write them.

"Luật Phòng, chống rửa tiền ngày 15 tháng 11 năm 2022", "Luật phòng chống rửa tiền năm 2022" and
"LUẬT PHÒNG, CHỐNG RỬA TIỀN (2022)" are one law: the key folds case and tone-mark style (diacritics are
kept: Thưởng and Thương are different words), treats "và" and commas alike, drops quotes, a trailing
"Việt Nam" and the date or year, which `cited_name` returns apart. Amending laws
("Luật sửa đổi, bổ sung một số điều của Luật X năm 2013") key on the laws they amend, without the inner
years or numbers. The same function keys the catalogue's titles and the citations, so both sides agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

_WS = re.compile(r"\s+")

# Old-style tone placement (hoá, khoẻ, thuý) → new style (hóa, khỏe, thúy): the open diphthongs oa, oe, uy
# at the end of a syllable carry the mark on their first vowel. `qu` + y is a consonant + vowel: left alone.
_TONES = {"a": "áàảãạ", "e": "éèẻẽẹ", "y": "ýỳỷỹỵ", "o": "óòỏõọ", "u": "úùủũụ"}
_OLD_TONE = re.compile(r"(?<!q)([ou])([áàảãạéèẻẽẹýỳỷỹỵ])(?![^\W\d_])")


def _move_tone(m: re.Match[str]) -> str:
    first, marked = m.group(1), m.group(2)
    for base, marks in _TONES.items():
        i = marks.find(marked)
        if i >= 0:
            if (first, base) not in (("o", "a"), ("o", "e"), ("u", "y")):
                return m.group(0)
            return _TONES[first][i] + base
    return m.group(0)


# A consonant + y syllable is spelled with i as well (lý/lí, kỹ/kĩ, sỹ/sĩ): keyed with i.
_Y_TO_I = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")
_YS = frozenset("yýỳỷỹỵ")
_OLD_MARKS = frozenset("áàảãạéèẻẽẹýỳỷỹỵ")  # an old-style mark sits on the second vowel of oa, oe, uy
_MARKED_OR_Y = re.compile("[áàảãạéèẻẽẹyýỳỷỹỵ]")
_CONS_Y = re.compile(r"(?<![^\W\d_])([bcdđghklmnprstvx]+)([yýỳỷỹỵ])(?![^\W\d_])")

# What is written after a name: its number, who passed it, its date or year, in any order, to the end.
_PIECE = (
    r"[,\s]*(?:"
    r"\(?\s*số(?:\s+hiệu)?\s*:?\s*(?P<number>\d+[\w/\-]*)\s*\)?"
    r"|(?:của|do)\s+(?:quốc\s+hội|[ủu][ỷy]\s+ban\s+thường\s+vụ\s+quốc\s+hội)(?:\s+khó?á\s+[\wIVXLC]+)?"
    r"(?:\s+(?:ban\s+hành|thông\s+qua))?"
    r"|(?:được\s+thông\s+qua\s+|ban\s+hành\s+)?ngày\s+(?P<d>\d{1,2})\s*(?:tháng|/|-|\.)\s*(?P<m>\d{1,2})"
    r"\s*(?:năm|/|-|\.)\s*(?P<y>(?:19|20)\d\d)\s*\)?"
    r"|(?:năm(?:\s+ban\s+hành)?\s*)?\(?\s*(?P<year>(?:19|20)\d\d)\s*\)?"
    r")"
)
_PIECE_RE = re.compile(_PIECE, re.I)
# The tail starts at the first place where pieces run to the end; a tail needs a digit or của/do.
_TAIL_RE = re.compile(r"(?:" + _PIECE.replace("?P<", "?P<_") + r")+[\s.;:]*$", re.I)
_TRIGGER = re.compile(r"[\s,(](?:ngày|năm|số|của|do)\b|\d", re.I)
_INNER_NOISE = re.compile(r"\s(?:năm\s+(?:19|20)\d\d|\((?:19|20)\d\d\)|(?:19|20)\d\d|số\s+\d+[\w/\-]*)(?=\s|$)")
_AMEND_HEAD = re.compile(r"^(luật|pháp lệnh|nghị quyết)\s+sửa đổi\s+bổ sung\s+(?:một số điều\s+)?(?:của\s+)?")
_QUOTES = "\"'“”‘’«»"
_PUNCT = str.maketrans({c: " " for c in _QUOTES + ",;()[]"})
_WORD = re.compile(r"[^\W_]+")
_STATE = ["cộng", "hòa", "xã", "hội", "chủ", "nghĩa", "việt", "nam"]


class CitedName(NamedTuple):
    """A name as cited, split into the key and what was written after it (a tuple: made for every new name
    a corpus cites, and a frozen dataclass costs twice as much to build)."""

    key: str
    year: int | None = None
    date: str | None = None  # ISO
    number: str | None = None


def fold_words(s: str) -> str:
    """NFC, case-folded, one tone-mark style, consonant + y as i: the spelling differences that never matter."""
    s = unicodedata.normalize("NFC", s).casefold()
    if _MARKED_OR_Y.search(s) is None:  # most names: one scan, and nothing to change
        return s
    if not _OLD_MARKS.isdisjoint(s):  # the substitutions cost more than the test for what they act on
        s = _OLD_TONE.sub(_move_tone, s)
    if _YS.isdisjoint(s):
        return s
    return _CONS_Y.sub(_y_to_i, s)


def _y_to_i(m: re.Match[str]) -> str:
    return m.group(1) + m.group(2).translate(_Y_TO_I)


def _iso(d: str, m: str, y: str) -> str | None:
    di, mi = int(d), int(m)
    if 1 <= di <= 31 and 1 <= mi <= 12:
        return f"{y}-{mi:02d}-{di:02d}"
    return None


# The shape most citations have, decided without the general parser: a name of letters, spaces and commas, then
# nothing, "năm Y" or "ngày D tháng M năm Y". `split_cited` (and `cited_name`, its cached twin) takes it
# only when the general parser would split the same text the same way (NFC, single spaces, a comma only before a
# space, no digit nor `_TRIGGER` word in the name) and falls back otherwise. The name is everything before the
# first digit, less the tail's words: one regex without a test at every word (a trigger word in the name is
# refused by `_fold_word` instead).
_FAST = re.compile(r"(?P<name>[^\d]+)"
                   r"(?: ngày (?P<d>\d{1,2}) tháng (?P<m>\d{1,2}) năm (?P<y>(?:19|20)\d\d)| năm (?P<year>(?:19|20)\d\d))?",
                   re.I)
_is_nfc = unicodedata.is_normalized
_TRIGGER_WORDS = frozenset(("ngày", "năm", "số", "của", "do"))

#: A word as cited → `fold_words` of it, or "" when the fast path must leave its name to the general parser.
#: Names are made of a few thousand syllables: folding each once, not each name, is most of the fast path's gain.
_FOLDED: dict[str, str] = {}
_FOLDED_SIZE = 50_000
#: A word as cited, and the word with the comma that may follow it → its folded UTF-8 (not "và", dropped
#: from keys, nor a word `_fold_word` refuses): `kgraph.catalog.resolve` keys a name of such words (split at
#: spaces, not ending with a comma) by joining these, no `str` made, unless its key starts with `BO_` or ends
#: with `_NAM` (a rule of `_finish` may apply).
FOLDED_BYTES: dict[str, bytes] = {}
BO_, _NAM = "bộ ".encode(), b" nam"


def _fold_word(word: str) -> str:
    """`fold_words` of one word of letters ("" for a word that is not, a trigger word, or an amending law's
    "sửa"), remembered. Folding a name word by word is folding it whole: no rule of `fold_words` looks past a
    space, and a space is not a letter, as the start and end of a string are not."""
    f = fold_words(word)
    if not word.isalpha() or not f.isalpha() or "sửa" in f or f in _TRIGGER_WORDS:
        f = ""
    if len(_FOLDED) >= _FOLDED_SIZE:
        _FOLDED.clear()
        FOLDED_BYTES.clear()
    _FOLDED[word] = f
    if f and f != "và":
        FOLDED_BYTES[word] = FOLDED_BYTES[word + ","] = f.encode()
    return f


_new_tuple = tuple.__new__


def split_cited(text: str) -> CitedName:
    """Split `Luật Phòng, chống rửa tiền ngày 15 tháng 11 năm 2022` into its key, date and year (uncached:
    `cited_name` is the cached one; a caller that caches its own answers calls this)."""
    return _fast_split(text) or _cited_name(text)


cited_name = lru_cache(maxsize=16_384)(split_cited)


#: The day, month and year a `_fast_split` tail may give, as written → as an ISO date has them (a year as an int).
_DAY = {**{str(i): f"{i:02d}" for i in range(1, 32)}, **{f"{i:02d}": f"{i:02d}" for i in range(1, 10)}}
_MONTH = {**{str(i): f"{i:02d}" for i in range(1, 13)}, **{f"{i:02d}": f"{i:02d}" for i in range(1, 10)}}
_YEAR = {str(y): y for y in range(1900, 2100)}


def cut_tail(text: str) -> tuple[str, int | None, str | None] | None:
    """(name, year, ISO date) of a text ending in nothing, " năm Y" or " ngày D tháng M năm Y" as most citations
    do (lower case, ASCII digits), cut with string methods; None for any other tail. `_fast_split` and the
    catalogue's probe (`kgraph.catalog.namekey`) read tails with it."""
    p = text.find(" năm ")
    if p < 0:
        return text, None, None
    y = text[p + 5:]
    year = _YEAR.get(y)
    if year is None:
        return None
    name = text[:p]
    head, cut, m = name.rpartition(" tháng ")
    if not cut:
        return name, year, None
    name, cut, d = head.rpartition(" ngày ")  # "... ngày D tháng M": the name is what is before " ngày "
    mm, dd = _MONTH.get(m), _DAY.get(d)
    if not cut or mm is None or dd is None:
        return None
    return name, year, f"{y}-{mm}-{dd}"


def _fast_split(text: str) -> CitedName | None:
    """`_cited_name` of the common shape (`_FAST`), without its regexes; None for any other text.

    The tail most citations have (" năm 2015", " ngày 25 tháng 6 năm 2015", lower case, ASCII digits) is cut
    with string methods, a third of the cost of `_FAST`; any other text goes to `_regex_split`, and so does
    one this reading refuses (the regex may split it elsewhere, as "LUẬT X NĂM 2015")."""
    if not _is_nfc("NFC", text):
        return None
    cut = cut_tail(text)
    if cut is None:
        return _regex_split(text)
    name, year, date = cut
    words = name.replace(", ", " ").split(" ")  # "" for two spaces or a comma before one: refused
    folded = list(map(_FOLDED.get, words))
    if None in folded:
        folded = [_fold_word(w) if f is None else f for w, f in zip(words, folded)]
    if "" in folded:
        return _regex_split(text)
    return _new_tuple(CitedName, (_joined(folded), year, date, None))


def _joined(folded: list[str]) -> str:
    """The key of a name's folded words: "và" dropped, and `_finish` only where a code's "Bộ" or "Việt Nam"
    can be in it (the common case is a plain join)."""
    if "và" in folded:
        folded = [w for w in folded if w != "và"]
    if folded and folded[0] != "bộ" and folded[-1] != "nam":
        return " ".join(folded)
    return _finish(folded)


def _regex_split(text: str) -> CitedName | None:
    """`_fast_split` by `_FAST` (any case, any digits); `text` is NFC."""
    f = _FAST.fullmatch(text)
    if f is not None:
        name, d, m, y, year = f.groups()
        folded = _FOLDED.get
        words = []
        for w in name.replace(", ", " ").split(" "):  # "" for two spaces or a comma before one: refused
            fw = folded(w)
            if fw is None:
                fw = _fold_word(w)
            if not fw:
                return None
            words.append(fw)
        key = _joined(words)
        if y:
            return _new_tuple(CitedName, (key, int(y), _iso(d, m, y), None))
        if year:
            return _new_tuple(CitedName, (key, int(year), None, None))
        return _new_tuple(CitedName, (key, None, None, None))
    return None


def _cited_name(text: str) -> CitedName:
    """The general parser: the tail (number, issuer, date or year, in any order) found and read apart."""
    s = " ".join(unicodedata.normalize("NFC", text).split()).strip(" .;:" + _QUOTES)  # str.split: re's \s, faster
    year = date = number = None
    t = _TRIGGER.search(s, 1)  # the tail cannot start before its first digit or trigger word
    m = _TAIL_RE.search(s, t.start()) if t else None
    while m is not None and m.start() > 0:
        head = s[: m.start()]
        for p in _PIECE_RE.finditer(s, m.start()):
            if p.group("number") and number is None:
                number = p.group("number").strip("/-")
            elif p.group("y") and date is None:
                date = _iso(p.group("d"), p.group("m"), p.group("y"))
                year = year or int(p.group("y"))
            elif p.group("year") and year is None:
                year = int(p.group("year"))
        s = head.strip(" ,;" + _QUOTES)
        m = None
    return CitedName(key=name_key(s), year=year, date=date, number=number)


@lru_cache(maxsize=16_384)
def name_key(name: str) -> str:
    """The key of a name with no date after it: `Luật Phòng, chống rửa tiền` → `luật phòng chống rửa tiền`."""
    s = fold_words(name).translate(_PUNCT)
    if "sửa đổi" in s:  # an amending law: the head in one form, the amended laws without years or numbers
        s = _WS.sub(" ", s).strip()
        m = _AMEND_HEAD.match(s)
        if m:
            rest = _INNER_NOISE.sub("", " " + s[m.end():]).strip()
            rest = re.sub(r"^các\s+", "", rest)
            s = f"{m.group(1)} sửa đổi bổ sung {rest}"
    return _finish([w for w in _WORD.findall(s) if w != "và"])


def _finish(words: list[str]) -> str:
    """The word rules after folding: a code's "Bộ", the state's name, a footnote mark."""
    if len(words) > 1 and words[0] == "bộ" and words[1] == "luật":
        del words[0]  # "Luật Lao động" for the code is a common slip, and no law shares a code's name
    if "sửa" in words:
        words = [w for i, w in enumerate(words) if not (w == "bộ" and i + 1 < len(words) and words[i + 1] == "luật")]
    if words[-8:] == _STATE:  # "... của nước Cộng hòa xã hội chủ nghĩa Việt Nam"
        del words[-8:]
        while words and words[-1] in ("nước", "của"):
            del words[-1]
    elif words[-2:] == ["việt", "nam"] and len(words) > 3:
        del words[-2:]
    if words and words[-1][-1].isdigit() and not words[-1].isdigit():
        words[-1] = words[-1].rstrip("0123456789")  # a footnote mark glued to the last word
    return " ".join(words)
