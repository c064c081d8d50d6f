"""The header vocabulary (header.yaml) as typed entries: administrative units, signer positions,
signing modes, preamble openers, page furniture and site chrome.

`kgraph.knowledge.load()` reads the YAML; this module only gives its entries a shape and the word
lists the extractor and resolution build their patterns from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

#: Administrative levels, top down.
LEVELS = ("province", "district", "commune")


@dataclass(frozen=True, slots=True)
class AdminUnit:
    unit: str  # tỉnh, thành phố, xã ...
    level: str  # province | district | commune
    written: tuple[str, ...] = ()  # other spellings (TP. for thành phố)
    example: dict[str, Any] | None = None

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.unit, *self.written)


@dataclass(frozen=True, slots=True)
class Position:
    position: str  # sentence case, as a signer's title is reported (Bộ trưởng)
    heads: str | None = None  # the body's name begins with these last words (Tổng Kiểm toán → Kiểm toán ...)
    office: bool = False  # the position is itself an issuer (Thủ tướng Chính phủ)
    example: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SigningMode:
    mode: str  # as reported (TM.)
    written: tuple[str, ...]  # as a signature block writes it before the dot (TM, T.M)
    needs_dot: bool = False
    for_body: bool = False  # the line names the body signed for
    example: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class PreambleOpener:
    opener: str  # a regular expression matched at a line's start
    strong: bool
    example: str = ""


@dataclass(frozen=True, slots=True)
class HeaderVocabulary:
    admin_units: tuple[AdminUnit, ...]
    positions: tuple[Position, ...]
    signing_modes: tuple[SigningMode, ...]
    preamble: tuple[PreambleOpener, ...]
    page_furniture: dict[str, Any]
    site_chrome: dict[str, Any]
    mottos: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_yaml(cls, d: dict[str, Any]) -> HeaderVocabulary:
        return cls(
            admin_units=tuple(
                AdminUnit(u["unit"], u["level"], tuple(u.get("written") or ()), u.get("example"))
                for u in d["admin_units"]
            ),
            positions=tuple(
                Position(p["position"], p.get("heads"), bool(p.get("office")), p.get("example"))
                for p in d["positions"]
            ),
            signing_modes=tuple(
                SigningMode(m["mode"], tuple(m["written"]), bool(m.get("needs_dot")), bool(m.get("for_body")),
                            m.get("example"))
                for m in d["signing_modes"]
            ),
            preamble=tuple(PreambleOpener(p["opener"], bool(p["strong"]), p.get("example", "")) for p in d["preamble"]),
            page_furniture=d["page_furniture"],
            site_chrome=d["site_chrome"],
            mottos=tuple(d.get("mottos") or ()),
        )

    def unit_words(self, levels: Iterable[str] = LEVELS, written: bool = True) -> tuple[str, ...]:
        """The units of `levels` (with their other spellings when `written`), longest first."""
        levels = tuple(levels)
        out = [s for u in self.admin_units if u.level in levels for s in (u.spellings if written else (u.unit,))]
        return longest_first(out)

    def position_words(self) -> tuple[str, ...]:
        """Every position, lower case, longest first."""
        return longest_first(p.position.lower() for p in self.positions)

    def before_body(self) -> str:
        """A pattern (lower case) for the position words that open "Bộ trưởng Bộ Tài chính": taking them
        away leaves the body's name. Offices are not matched (Thủ tướng Chính phủ is the issuer); a
        position that heads a body named by its own last words keeps them (Tổng Kiểm toán Nhà nước →
        Kiểm toán Nhà nước). Two positions may be joined by a comma (Bộ trưởng, Chủ nhiệm Ủy ban ...)."""
        follows = alternation(p.position.lower() for p in self.positions if not (p.heads or p.office))
        heads = [
            re.escape(p.position.lower()[: -len(p.heads)].rstrip()) + r"\s+(?=" + re.escape(p.heads) + r"\s)"
            for p in self.positions if p.heads
        ]
        return "^(?:(?:" + follows + r")(?:,\s*(?:" + follows + r"))?\s+|" + "|".join(heads) + ")"


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """Distinct words, longest first (so that an alternation tries CHỦ TỊCH NƯỚC before CHỦ TỊCH)."""
    return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))


def alternation(words: Iterable[str]) -> str:
    """A regular-expression alternation of literal `words`, longest first."""
    return "|".join(re.escape(w) for w in longest_first(words))
