"""What a local plan carries out when its text says so indirectly (issue 15; CONVENTIONS.md, `implements`).

Runs after the relation of each reference is read from its clause (`relation.classify`), and only turns `cites`
into `implements`:
- in a local body's document, "thực hiện / triển khai / quán triệt ... theo X (và Y)" and "những nhiệm vụ theo X":
  X and the items joined to it (also after X's description) carry out the verb's object; "theo quy định tại X"
  stays a citation of where a rule is. The words are relations.yaml's `directing` table;
- a footnote whose marker ends such a clause ("triển khai thực hiện ... theo ... các văn bản chỉ đạo của Chính
  phủ[2]"): each item of the footnote's ";"-list is a directing document; references inside an item's description
  keep their relation. A marker after another verb ("đã ban hành nhiều chương trình, kế hoạch[1]") is not one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from kgraph.extract.found import Found
from kgraph.extract.patterns import trie_alt
from kgraph.knowledge import load

_THEO = re.compile(r"(?<!\w)theo\s+(?:các\s+|những\s+)?$", re.IGNORECASE)
_JOINED = re.compile(r"^\s*(?:,|và|;)\s*$", re.IGNORECASE)
#: a new item after the previous one's description: "theo X ... phê duyệt Đề án ... và Y"
_JOINED_AFTER = re.compile(r"(?:,|;|\svà)\s*$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.;:!?]\s|\n\s*\n")
#: A footnote's marker "[2]" (found from its "[" and kept when a word character precedes it: a pattern opening
#: with the lookbehind tried it at every position of the text, a tenth of extraction on gazette text).
_MARKER = re.compile(r"\[(\d{1,2})\]")
_WORD_CHAR = re.compile(r"\w")
#: a footnote's body opening its line with its marker: "\n[2] Quyết định số ..."
_NOTE = re.compile(r"\n[ \t*]*\[(\d{1,2})\][ \t*]*")


@dataclass(frozen=True, slots=True)
class _Words:
    carry_out: re.Pattern  # the verbs of carrying out (relations.yaml `implements` has the same words)
    other_verb: re.Pattern  # verbs whose object is something else: after one, a "theo" or a marker is that verb's
    object_theo: re.Pattern | None  # "những nhiệm vụ theo ": the tasks a directing document sets


@lru_cache(maxsize=1)
def _words() -> _Words:
    """The directing vocabulary of relations.yaml (`directing`) as patterns, built once."""
    d = load().directing

    def alt(key: str) -> str:
        return trie_alt({w.lower() for w in d.get(key) or ()}, sep=r"\s{1,3}")

    objects = r"(?<!\w)(?:" + alt("objects") + r")\s{1,3}theo\s+(?:các\s+|những\s+)?$" if d.get("objects") else None
    return _Words(
        carry_out=re.compile(r"(?<!\w)(?:" + alt("carry_out") + r")(?!\w)", re.IGNORECASE),
        other_verb=re.compile(r"(?<!\w)(?:" + alt("other_verbs") + r")(?!\w)", re.IGNORECASE),
        object_theo=re.compile(objects, re.IGNORECASE) if objects else None,
    )


#: How far back the clause of a "theo" or a marker is read.
_REACH = 400


def _clause_start(t: str, pos: int) -> int:
    lo = max(0, pos - _REACH)
    ends = [m.end() for m in _CLAUSE_END.finditer(t, lo, pos)]
    return ends[-1] if ends else lo


def _carried_out(t: str, start: int, pos: int, starts: list[int] | None = None) -> bool:
    """A verb of carrying out governs `pos`: it is in the clause, and no other verb stands between, nor another
    reference (its object: "Thực hiện Kết luận số 15-KL/ĐU ... về việc áp dụng cơ chế đặc thù theo X" describes
    the conclusion, X is in its description)."""
    w = _words()
    verbs = [m.end() for m in w.carry_out.finditer(t, start, pos)]
    if not verbs:
        return False
    if starts and any(verbs[-1] <= s < pos for s in starts):
        return False
    return not w.other_verb.search(t, verbs[-1], pos)


def _joined_after_description(t: str, prev: Found, f: Found) -> bool:
    """`f` is a new item of the "theo" list `prev` heads, after `prev`'s description: "theo Quyết định X ... phê
    duyệt Đề án ... và Thông tư Y" (no clause ends between them, and `f` follows a "," ";" or "và")."""
    gap = t[prev.tail or prev.end : f.start]
    return len(gap) < 400 and not _CLAUSE_END.search(gap) and bool(_JOINED_AFTER.search(gap))


def mark_directing(t: str, found: list[Found], local: bool) -> None:
    """`cites` → `implements` for the references a plan carries out through "theo X" (in a local body's document,
    `local`: a ministry's "chuyển ... theo Quyết định X" only cites) or a footnote's list."""
    refs = [f for f in found if f.kind in ("numbered", "named")]
    prev: Found | None = None
    via_theo: set[int] = set()  # ids of the references turned by a "theo" (the items joined to them follow)
    objects = _words().object_theo
    starts = [f.start for f in refs]
    for f in refs if local else ():
        if f.relation == "cites":
            before = t[max(0, f.start - 40) : f.start]
            joined = prev is not None and id(prev) in via_theo and (
                _JOINED.match(t[prev.tail or prev.end : f.start]) or _joined_after_description(t, prev, f))
            theo = _THEO.search(before) is not None
            if (joined or (theo and _carried_out(t, _clause_start(t, f.start), f.start, starts))
                    or (theo and objects is not None and objects.search(t, max(0, f.start - 80), f.start))):
                f.relation = "implements"
                via_theo.add(id(f))
        prev = f
    if "[" not in t:
        return
    by_start = sorted(refs, key=lambda f: f.start)
    starts = [f.start for f in by_start]
    notes: list[re.Match] | None = None  # every footnote body's opening line "[N]", found once when first needed
    note_starts: list[int] = []
    by_mark: dict[str, tuple[list[int], list[re.Match]]] = {}
    for m in _MARKER.finditer(t):
        if not m.start() or not _WORD_CHAR.match(t, m.start() - 1):
            continue
        if not _carried_out(t, _clause_start(t, m.start()), m.start()):
            continue
        if notes is None:
            notes = list(_NOTE.finditer(t))  # they never overlap: each opens with its own line break
            note_starts = [n.start() for n in notes]
            for n in notes:
                by_mark.setdefault(n.group(1), ([], []))[0].append(n.start())
                by_mark[n.group(1)][1].append(n)
        # the first body of this marker after it, and the next body of any marker after that: looked up, not
        # searched for through the rest of the text once for each marker
        own_starts, own = by_mark.get(m.group(1), ([], []))
        i = bisect_left(own_starts, m.end())
        if i == len(own):
            continue
        body = own[i]
        j = bisect_left(note_starts, body.end())
        end = note_starts[j] if j < len(notes) else len(t)
        # the references in the footnote's body: a slice of those in text order, not all of them for each marker
        for f in by_start[bisect_left(starts, body.end()) : bisect_left(starts, end)]:
            if f.relation == "cites":
                item_start = max(body.end(), t.rfind(";", body.end(), f.start) + 1)
                if not t[item_start : f.start].strip(" \t\n*-+"):
                    f.relation = "implements"  # the head of an item of the footnote's list
