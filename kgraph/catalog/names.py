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
from dataclasses import dataclass
from functools import lru_cache

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
_CONS_Y = re.compile(r"(?<![^\W\d_])([bcdđghklmnprstvx]+)([yýỳỷỹỵ])(?![^\W\d_])")

_DATE_DMY = r"(\d{1,2})\s*(?:tháng|/|-|\.)\s*(\d{1,2})\s*(?:năm|/|-|\.)\s*((?:19|20)\d\d)"
_TAIL = [
    # "số 14/2022/QH15" after the name
    ("number", re.compile(r"[,\s]*\(?\s*(?:số|số hiệu)\s*:?\s*(\d+[\w/\-]*)\s*\)?\s*$", re.I)),
    ("issuer", re.compile(r"[,\s]*(?:của|do)\s+(?:quốc hội|ủy ban thường vụ quốc hội|uỷ ban thường vụ quốc hội)"
                          r"(?:\s+(?:khóa|khoá)\s+[\wIVXLC]+)?(?:\s+(?:ban hành|thông qua))?\s*$", re.I)),
    ("date", re.compile(r"[,\s]*(?:được\s+thông\s+qua\s+|ban\s+hành\s+)?(?:ngày|ngay)\s+" + _DATE_DMY + r"\s*\)?\s*$", re.I)),
    ("year", re.compile(r"[,\s]*(?:năm|năm\s+ban\s+hành)?\s*\(?\s*((?:19|20)\d\d)\s*\)?\s*$", re.I)),
]
_INNER_NOISE = re.compile(r"\s(?:năm\s+(?:19|20)\d\d|\((?:19|20)\d\d\)|(?:19|20)\d\d|số\s+\d+[\w/\-]*)(?=\s|$)")
_STATE_NAME = re.compile(r"\s+(?:của\s+)?(?:nước\s+)?cộng\s+hòa\s+xã\s+hội\s+chủ\s+nghĩa\s+việt\s+nam$")
_AMEND_HEAD = re.compile(r"^(luật|pháp lệnh|nghị quyết)\s+sửa đổi\s+bổ sung\s+(?:một số điều\s+)?(?:của\s+)?")
_QUOTES = "\"'“”‘’«»"


@dataclass(frozen=True, slots=True)
class CitedName:
    """A name as cited, split into the key and what was written after it."""

    key: str
    year: int | None = None
    date: str | None = None  # ISO
    number: str | None = None


def fold_words(s: str) -> str:
    """NFC, case-folded, one tone-mark style, consonant + y as i: the spelling differences that never matter."""
    s = unicodedata.normalize("NFC", s).casefold()
    s = _OLD_TONE.sub(_move_tone, s)
    return _CONS_Y.sub(lambda m: m.group(1) + m.group(2).translate(_Y_TO_I), s)


def _iso(d: str, m: str, y: str) -> str | None:
    di, mi = int(d), int(m)
    if 1 <= di <= 31 and 1 <= mi <= 12:
        return f"{y}-{mi:02d}-{di:02d}"
    return None


@lru_cache(maxsize=200_000)
def cited_name(text: str) -> CitedName:
    """Split `Luật Phòng, chống rửa tiền ngày 15 tháng 11 năm 2022` into its key, date and year."""
    s = _WS.sub(" ", unicodedata.normalize("NFC", text)).strip(" .;:" + _QUOTES)
    year = date = number = None
    changed = True
    while changed and s:
        changed = False
        for what, rx in _TAIL:
            m = rx.search(s)
            if not m or m.start() == 0:
                continue
            if what == "number" and number is None:
                number = m.group(1).strip("/-")
            elif what == "date" and date is None:
                date = _iso(m.group(1), m.group(2), m.group(3))
                year = year or int(m.group(3))
            elif what == "year" and year is None:
                year = int(m.group(1))
            elif what != "issuer":
                continue
            s = s[: m.start()].strip(" ,;" + _QUOTES)
            changed = True
    return CitedName(key=name_key(s), year=year, date=date, number=number)


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """The key of a name with no date after it: `Luật Phòng, chống rửa tiền` → `luật phòng chống rửa tiền`."""
    s = fold_words(_WS.sub(" ", name).strip())
    for q in _QUOTES:
        s = s.replace(q, " ")
    s = re.sub(r"[,;]", " ", s)
    s = re.sub(r"\s+và\s+", " ", " " + s + " ")
    s = _WS.sub(" ", s).strip(" .-")
    s = re.sub(r"^bộ luật\b", "luật", s)  # "Luật Lao động" for the code is a common slip, and no law shares a code's name
    s = _STATE_NAME.sub("", s)
    m = _AMEND_HEAD.match(s)
    if m:  # an amending law: the head in one form, the amended laws without their years or numbers
        rest = _INNER_NOISE.sub("", " " + s[m.end():]).strip()
        rest = re.sub(r"^các\s+", "", rest)
        rest = re.sub(r"\bbộ luật\b", "luật", rest)
        s = f"{m.group(1)} sửa đổi bổ sung {rest}".strip()
    s = re.sub(r"\s+việt nam$", "", s)
    s = re.sub(r"(?<=[^\W\d_])\d+$", "", s)  # a footnote mark glued to the last word
    return " ".join(re.findall(r"[^\W_]+", s))
