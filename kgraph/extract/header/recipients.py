"""The recipients: the ``Nơi nhận:`` list beside the signature block."""

from __future__ import annotations

import re

from kgraph.extract.header.lines import Ranges, is_caps, iter_lines, line_at
from kgraph.extract.header.vocab import BULLET, MODE_LINE, POSITION_LINE
from kgraph.knowledge import fold


_ANNEX = re.compile(r"\n[ \t]*(?:Phụ lục|PHỤ LỤC|Mẫu|MẪU|Biểu)")
_NOI_NHAN = re.compile(r"\n[ \t]*(?:Nơi nhận|NƠI NHẬN|Nơi Nhận|Noi nhan)[ \t]*:")
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


def _read_recipients(t: str, at: int, skip: Ranges) -> list[str]:
    """The ``Nơi nhận:`` list starting at `at`: items cleaned of bullets, ``;`` and ``(để b/c)`` notes."""
    ls, le = line_at(t, at)
    first = t[ls:le].split(":", 1)[1].strip() if ":" in t[ls:le] else ""
    items: list[str] = []
    if first and not MODE_LINE.match(first):
        items.append(BULLET.sub("", first, count=1) if BULLET.match(first) else first)
    for n, ln in enumerate(iter_lines(t, le + 1, len(t), skip)):
        if n > 80:
            break
        s = ln.text
        if not s:
            if items:
                break
            continue
        if BULLET.match(s):
            items.append(BULLET.sub("", s, count=1))
        elif is_caps(s) and (MODE_LINE.match(s) or POSITION_LINE.match(s)):
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


def recipients_near(t: str, skip: Ranges, head_end: int, sig: tuple[int, int] | None) -> list[str]:
    """The "Nơi nhận:" list beside the signature block `sig` (before it, or right after it when the two
    columns were extracted one after the other); never a form's in an annex. [] when there is none."""
    if sig:
        lo, hi = max(head_end, sig[0] - 4000), min(len(t), sig[1] + 600)
    else:
        lo, hi = max(head_end, len(t) - 6000), len(t)
    after = sig[1] if sig else head_end
    for m in _NOI_NHAN.finditer(t, max(0, lo - 1), hi):
        at = m.start() + 1
        if at in skip or (at > after and _ANNEX.search(t, after, at)):
            continue
        recips = _read_recipients(t, at, skip)
        if recips:
            return recips
    return []
