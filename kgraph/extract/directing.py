"""What a local plan carries out when its text says so indirectly (issue 15; CONVENTIONS.md, `implements`).

Runs after the relation of each reference is read from its clause (`relation.classify`), and only turns `cites`
into `implements`:
- in a local body's document, "thực hiện / triển khai / quán triệt ... theo X (và Y)": X and the items joined to
  it carry out the verb's object; "theo quy định tại X" stays a citation of where a rule is;
- a footnote whose marker ends such a clause ("triển khai thực hiện ... theo ... các văn bản chỉ đạo của Chính
  phủ[2]"): each item of the footnote's ";"-list is a directing document; references inside an item's description
  keep their relation. A marker after another verb ("đã ban hành nhiều chương trình, kế hoạch[1]") is not one.
"""

from __future__ import annotations

import re

from kgraph.extract.found import Found

#: The verbs of carrying out (relations.yaml `implements` has the same words; here they must govern a "theo").
_CARRY_OUT = re.compile(r"(?<!\w)(?:thực\s+hiện|triển\s+khai|quán\s+triệt)(?!\w)", re.IGNORECASE)
#: Verbs whose object is something else: after one, a "theo" or a marker belongs to it, not to the carrying out.
_OTHER_VERB = re.compile(r"(?<!\w)(?:ban\s+hành|phê\s+duyệt|báo\s+cáo|sửa\s+đổi|hướng\s+dẫn|quy\s+định)(?!\w)",
                         re.IGNORECASE)
_THEO = re.compile(r"(?<!\w)theo\s+(?:các\s+|những\s+)?$", re.IGNORECASE)
_JOINED = re.compile(r"^\s*(?:,|và|;)\s*$")
_CLAUSE_END = re.compile(r"[.;:!?]\s|\n\s*\n")
_MARKER = re.compile(r"(?<=\w)\[(\d{1,2})\]")
#: How far back the clause of a "theo" or a marker is read.
_REACH = 400


def _clause_start(t: str, pos: int) -> int:
    lo = max(0, pos - _REACH)
    ends = [m.end() for m in _CLAUSE_END.finditer(t, lo, pos)]
    return ends[-1] if ends else lo


def _carried_out(t: str, start: int, pos: int) -> bool:
    """A verb of carrying out governs `pos`: it is in the clause, and no other verb stands between."""
    verbs = [m.end() for m in _CARRY_OUT.finditer(t, start, pos)]
    if not verbs:
        return False
    return not _OTHER_VERB.search(t, verbs[-1], pos)


def mark_directing(t: str, found: list[Found], local: bool) -> None:
    """`cites` → `implements` for the references a plan carries out through "theo X" (in a local body's document,
    `local`: a ministry's "chuyển ... theo Quyết định X" only cites) or a footnote's list."""
    refs = [f for f in found if f.kind in ("numbered", "named")]
    prev: Found | None = None
    via_theo: set[int] = set()  # ids of the references turned by a "theo" (the items joined to them follow)
    for f in refs if local else ():
        if f.relation == "cites":
            before = t[max(0, f.start - 40) : f.start]
            joined = prev is not None and id(prev) in via_theo and _JOINED.match(t[prev.tail or prev.end : f.start])
            if joined or (_THEO.search(before) and _carried_out(t, _clause_start(t, f.start), f.start)):
                f.relation = "implements"
                via_theo.add(id(f))
        prev = f
    for m in _MARKER.finditer(t):
        if not _carried_out(t, _clause_start(t, m.start()), m.start()):
            continue
        body = re.compile(r"\n[ \t*]*\[" + m.group(1) + r"\][ \t*]*").search(t, m.end())
        if not body:
            continue
        nxt = re.compile(r"\n[ \t*]*\[\d{1,2}\]").search(t, body.end())
        end = nxt.start() if nxt else len(t)
        for f in refs:
            if body.end() <= f.start < end and f.relation == "cites":
                item_start = max(body.end(), t.rfind(";", body.end(), f.start) + 1)
                if not t[item_start : f.start].strip(" \t\n*-+"):
                    f.relation = "implements"  # the head of an item of the footnote's list
