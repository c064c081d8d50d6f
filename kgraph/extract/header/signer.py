"""The signature block: signing mode and position lines, then the signer's name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kgraph.extract.header.casing import cap, lower, proper_names
from kgraph.extract.header.issuer import issuer_name
from kgraph.extract.header.lines import Ranges, is_caps, iter_lines
from kgraph.extract.header.vocab import (
    BULLET, FOR_BODY_MODES, MODE_LINE, MODE_SCAN, MODES, POSITION_PARTS, POSITION_SCAN, PREAMBLE,
)
from kgraph.extract.normalize import one_line
from kgraph.knowledge import fold
from kgraph.model import Signer


#: How many lines after a signing-mode or position line the signer's name may come.
_SIG_LINES = 14
#: How many signing-mode (and position) lines are tried before giving up: forms in annexes come after
#: the real signature, so a real document never needs many.
_SIG_TRIES = 60
#: "(Đã ký)" and what PDFs leave of a signature image; "(Ký, ghi rõ họ tên)" is a form's, not this.
_SIGNED = re.compile(r"\(?\s*(?:đã\s+ký|daky|signed)\s*\)?|\[\s*(?:đã\s+ký|daky)\s*\]", re.I)
_SIG_JUNK = re.compile(r"[a-zđ]?\][ \t]*$|^[ \t]*\[")  # remains of a signature image: "PHÓ THỦ TƯỚNGy]"
_RANKS = re.compile(
    r"^(?:Đại tướng|Thượng tướng|Trung tướng|Thiếu tướng|Đại tá|Thượng tá|Trung tá|Thiếu tá|"
    r"P?GS\.?\s*TS\.?|TS\.?|ThS\.?|BS\.?|KS\.?|LS\.?)\s+"
)
#: One capitalised word alone on a line: a family name whose given names wrapped to the next line.
_FAMILY = re.compile(r"[A-ZĐÀ-Ỹ][a-zđà-ỹ]{1,7}")
_NOI_NHAN_LINE = re.compile(r"(?:Nơi nhận|NƠI NHẬN|Noi nhan)[ \t]*:")


def position_case(caps: str) -> str:
    """``PHÓ THỦ TƯỚNG`` → ``Phó Thủ tướng``, ``VỤ TRƯỞNG VỤ PHÁP CHẾ`` → ``Vụ trưởng Vụ Pháp chế``."""
    m = POSITION_PARTS.fullmatch(one_line(caps))
    if not m:
        low = lower(caps)
        if low.startswith("phó ") and len(low) > 4:
            return "Phó " + cap(proper_names(low[4:]))
        return cap(proper_names(low))
    out = cap(lower(m.group("pos")))
    if m.group("pre"):  # Phó Thủ tướng, Q. Bộ trưởng
        out = cap(lower(m.group("pre").strip())) + " " + out
    if m.group("body"):
        out += " " + (issuer_name([m.group("body")]) or lower(m.group("body")))
    return out


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
class Signature:
    signer: Signer
    start: int
    end: int
    body: str | None  # the body in a "TM. <body>" line (who the signer signs for)


def _read_signature(t: str, start: int, skip: Ranges) -> Signature | None:
    """Mode and position lines from `start`, then the name: or None when no name follows."""
    block: list[str] = []
    modes: list[tuple[str, str]] = []
    end = start
    for n, ln in enumerate(iter_lines(t, start, len(t), skip)):
        if n > _SIG_LINES:
            return None
        if ln.text and _SIGNED.fullmatch(ln.text):
            continue  # (Đã ký), [daky]
        s = _SIG_JUNK.sub("", ln.text).strip()
        if not s or not any(c.isalpha() for c in s):
            continue  # blank, or what is left of a signature image ("[")
        if is_caps(s) and len(s) <= 90 and not PREAMBLE.match(s):
            mm = MODE_LINE.match(s)
            if mm and is_caps(mm.group("rest")):
                modes.append((MODES[mm.group("mode")], mm.group("rest").strip()))
            else:
                block.append(s)
            if len(block) + len(modes) > 6:
                return None
            continue
        if not block and not modes:
            return None
        if BULLET.match(s) or _NOI_NHAN_LINE.match(s) or s.startswith("Lưu"):
            continue  # the recipients column, extracted between the position and the name
        name = _person_name(s)
        end = ln.end
        if not name and _FAMILY.fullmatch(s):  # a name broken after the family name (Nguyễn⏎Văn An)
            nxt = next((x for x in iter_lines(t, ln.end + 1, min(len(t), ln.end + 200), skip) if x.text), None)
            if nxt is not None and (name := _person_name(s + " " + nxt.text)):
                end = nxt.end
        if not name:
            return None
        title_line = block[-1] if block else modes[-1][1]
        body = next((r for md, r in modes if md in FOR_BODY_MODES), None)
        return Signature(
            Signer(name=name, title=position_case(title_line), mode=modes[-1][0] if modes else None),
            start, end, body,
        )
    return None


def find_signature(t: str, start: int, skip: Ranges, stop: int | None = None) -> Signature | None:
    """The first signature block after `start` (a mode line or a position line followed by a name)."""
    stop = len(t) if stop is None else stop
    found: Signature | None = None
    for n, m in enumerate(MODE_SCAN.finditer(t, max(0, start - 1), stop)):
        if n >= _SIG_TRIES:
            break
        if m.start() + 1 in skip or not is_caps(m.group("rest")):
            continue
        sig = _read_signature(t, m.start() + 1, skip)
        if sig:
            found = sig
            break
    limit = found.start if found else stop
    for n, m in enumerate(POSITION_SCAN.finditer(t, max(0, start - 1), limit)):
        if n >= _SIG_TRIES:
            break
        s = m.group(0).strip()
        if m.start() + 1 in skip or not is_caps(s):
            continue
        sig = _read_signature(t, m.start() + 1, skip)
        if sig:
            return sig
    return found


def tail_signer(t: str, skip: Ranges, stop: int) -> Signature | None:
    """Old laws end with only a name and ``(Đã ký)``: the last name-like line at the very end."""
    tail = [ln for ln in iter_lines(t, max(0, stop - 600), stop, skip) if ln.text]
    if tail and tail[0].start < max(0, stop - 600):
        tail = tail[1:]
    for ln in reversed(tail[-4:]):
        if _SIGNED.fullmatch(ln.text):
            continue
        name = _person_name(ln.text)
        if name:
            return Signature(Signer(name=name), ln.start, ln.end, None)
        return None
    return None
