"""Place and date: ``Lạng Sơn, ngày 10 tháng 8 năm 2018``, and the date a law was passed."""

from __future__ import annotations

import re

from kgraph.extract.header.lines import iso_date
from kgraph.extract.normalize import one_line


_PLACE_DATE = re.compile(
    r"(?:,\s*|\s+(?=ngày))ngày\s*(?P<d>\d{1,2})\s*(?:tháng|/|-|\.)\s*(?P<m>\d{1,2})\s*(?:năm|/|-|\.)\s*(?P<y>\d{4})", re.I
)
_PASSED = re.compile(
    r"thông\s+qua(?:[ \t][^.;\n]{0,60}?)?\s+ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
)


def place_date(s: str) -> tuple[str | None, str] | None:
    """``Lạng Sơn, ngày 10 tháng 8 năm 2018`` → ("Lạng Sơn", "2018-08-10")."""
    m = _PLACE_DATE.search(s)
    if not m:
        return None
    date = iso_date(m.group("d"), m.group("m"), m.group("y"))
    if not date:
        return None
    pre = re.split(r"\s{2,}|\t", s[: m.start()].strip())[-1].strip(" .,")
    words = pre.split()
    if not words or len(words) > 6 or any(not (w[0].isupper() or w in ("phố", "tp.")) for w in words):
        return None
    if pre.startswith("Số") or ":" in pre:
        return None
    return one_line(pre), date


def passed_date(t: str, start: int, end: int) -> str | None:
    """The last "thông qua ngày ..." in t[start:end]: laws and resolutions of the National Assembly are
    dated by the sitting that passed them."""
    passed = None
    for passed in _PASSED.finditer(t, start, end):
        pass
    return iso_date(passed.group("d"), passed.group("m"), passed.group("y")) if passed else None
