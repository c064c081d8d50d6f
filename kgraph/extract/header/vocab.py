"""The layout vocabulary of a header and a signature block, as the patterns the reader matches.

The words come from the knowledge table `kgraph/knowledge/header.yaml` (administrative units, signer
positions, signing modes, preamble openers, page furniture, site chrome); what stays here is layout
that is not Vietnamese vocabulary (separator lines, bullets) and the national motto.
"""

from __future__ import annotations

import re

from kgraph.knowledge import fold, load
from kgraph.knowledge.header_vocabulary import alternation

_V = load().header
assert _V is not None

SEP_LINE = re.compile(r"[-_*=.·~\u2010-\u2015\u2212\uff0d\s]{3,}")
MOTTO = ("cộng hòa xã hội chủ nghĩa việt nam", "độc lập - tự do - hạnh phúc")
BULLET = re.compile(r"[-+•*–—‐−·][ \t]*")


#: Every motto of the table (the national one, the Party's), folded.
MOTTOS = tuple(dict.fromkeys((*MOTTO, *(fold(m["motto"]).replace("–", "-") for m in _V.mottos))))


def _one_letter_off(a: str, b: str) -> bool:
    """`a` and `b` (same length) differ in at most one character: a misspelt motto ("CÔNG HÒA")."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 1


def is_motto(f: str) -> bool:
    """A motto beside the issuer block (`f` folded: CỘNG HOÀ and CỘNG HÒA alike; one letter may be misspelt)."""
    return f.startswith(MOTTOS) or any(len(m) >= 20 and _one_letter_off(f[: len(m)], m) for m in MOTTOS)


# -- preamble openers

#: Lines that open the preamble or the body: the title stops before them.
PREAMBLE = re.compile("(?:" + "|".join(p.opener for p in _V.preamble if p.strong) + ")")
#: These open a preamble too, but a title may also begin with them (Thực hiện thí điểm ...).
PREAMBLE_WEAK = re.compile("(?:" + "|".join(p.opener for p in _V.preamble if not p.strong) + ")")

# -- signer positions and signing modes

#: Positions a signer holds (the line above the name), in capitals; PHÓ and Q. prefixes are allowed.
POSITIONS = alternation(p.position.upper() for p in _V.positions)
POSITION_PARTS = re.compile(r"(?P<pre>Q\.[ \t]*|PHÓ[ \t]+)?(?P<pos>" + POSITIONS + r")(?:[ \t]+(?P<body>\S.*))?")
_POSITION_RE = r"[ \t]*(?:Q\.[ \t]*|PHÓ[ \t]+)?(?:" + POSITIONS + r")(?![^\W\d_])[^\n]{0,80}$"
_WRITTEN_MODES = "|".join(
    re.escape(w) + (r"(?=\.)" if m.needs_dot else "")
    for m, w in sorted(((m, w) for m in _V.signing_modes for w in m.written), key=lambda mw: -len(mw[1]))
)
_MODE_RE = r"[ \t]*(?P<mode>" + _WRITTEN_MODES + r")\.?(?:[ \t]+|(?=[^\W\d_]))(?P<rest>[^\n]{2,90})$"
POSITION_LINE = re.compile("^" + _POSITION_RE, re.M)
MODE_LINE = re.compile("^" + _MODE_RE, re.M)
# The same, for scanning a whole text: a literal line break first lets the engine skip ahead fast.
POSITION_SCAN = re.compile(r"\n" + _POSITION_RE, re.M)
MODE_SCAN = re.compile(r"\n" + _MODE_RE, re.M)
#: A signing mode as written (T.M) → as reported (TM.).
MODES = {w: m.mode for m in _V.signing_modes for w in m.written}
#: Modes whose line names the body signed for (TM. ỦY BAN NHÂN DÂN).
FOR_BODY_MODES = frozenset(m.mode for m in _V.signing_modes if m.for_body)

# -- administrative units

#: A unit and its name, in lower-case text (tỉnh lạng sơn, tp. hồ chí minh).
ADMIN_UNIT = re.compile("(" + alternation(w.lower() for w in _V.unit_words()) + r")\s+(\S.*)")
#: A province- or district-level unit and its name ending a body's name (Sở Tài chính tỉnh Lạng Sơn).
TAIL_UNIT = re.compile(
    r"(?<!\w)(" + alternation(_V.unit_words(("province", "district"), written=False)) + r")\s+(\S.*)$"
)
#: First words of a body's name after which the specific name starts with a capital (Sở Tài chính).
BODY_WORDS = (
    "tổng cục", "chi cục", "ủy ban", "văn phòng", "học viện", "tòa án", "kho bạc", "ngân hàng", "hội đồng",
    "thanh tra", "trung tâm", "liên đoàn", "bộ", "sở", "cục", "vụ", "ban", "phòng", "viện", "trường", "đài",
    "báo", "công an", "thuế",
)

# -- page furniture and site chrome

_F = _V.page_furniture
#: The gazette's running page header: ``CÔNG BÁO/Số 252/Ngày 27-04-2026``.
GAZETTE = re.compile(_F["gazette_header"]["pattern"])
#: The first field of an e-signature stamp (``Ký bởi:``), one pattern each.
STAMPS = tuple(re.compile(re.escape(w) + r"[ \t]*:") for w in _F["stamp"]["opens"])
STAMP_FIELD = re.compile("(?:" + alternation(_F["stamp"]["fields"]) + r")[ \t]*:", re.I)
#: ``(Xem tiếp Công báo số 331 + 332)``.
CONTINUED = re.compile(r"\((?:" + alternation(_F["continued"]["notes"]) + r")[^()\n]{0,80}\)", re.I)
_C = _V.site_chrome
#: A website's metadata footer opens with its first two fields on consecutive lines.
SITE_FOOTER = re.compile(
    re.escape(_C["footer_fields"][0]) + r"[ \t]*:[^\n]*\r?\n(?:[ \t]*\r?\n){0,2}[ \t]*"
    + re.escape(_C["footer_fields"][1]) + r"[ \t]*:"
)
#: The fields of a legal website's metadata footer; a form with two of them is not one.
FOOTER_KEYS = re.compile("(?:" + alternation(_C["footer_fields"]) + r")[ \t]*:")
#: Page chrome just above the footer (folded, at a line's start).
SITE_CHROME = tuple(p["phrase"] for p in _C["phrases"])
#: Lines (folded, whole) that open a saved page's chrome after the document.
SITE_TAIL = tuple(p["line"] for p in _C.get("tail") or ())
