"""The relation a sentence gives a reference: the verb before it (căn cứ, thực hiện, sửa đổi, ...).

Rules, in order (the verbs themselves are data in knowledge/relations.yaml):
1. Look at the sentence before the reference; the last trigger verb decides.
2. A passive marker before a trigger ("được sửa đổi bởi") means the verb describes another
   document: look further back. A blocker ("đề nghị sửa đổi") makes it a plain citation.
3. In a "Căn cứ ..." clause the weak "theo / quy định tại" triggers do not override the basis.
4. If another reference stands between the trigger and this one, this one is either a list item
   sharing the trigger (the trigger is before that reference) or part of that reference's title
   (the trigger is after it, "Nghị định X quy định chi tiết Luật Y"): a title mention only cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kgraph.extract.patterns import trie_alt
from kgraph.extract.sentences import LEAD
from kgraph.knowledge import load

_COORD_GAP = re.compile(r"\s*(?:[,;]\s*(?:và|đồng\s+thời)?|và|đồng\s+thời)\s*", re.IGNORECASE)
_BASIS_START = re.compile(r"[\s\-–•*+]*căn\s+cứ", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Trigger:
    relation: str
    weak: bool  # the default "cites" triggers (theo, quy định tại)
    blockers: tuple[str, ...]
    max_gap: int | None


@lru_cache(maxsize=1)
def _tables() -> tuple[re.Pattern, dict[str, _Trigger], re.Pattern]:
    k = load()
    table: dict[str, _Trigger] = {}
    for r in k.relations:
        for t in r.triggers:
            table.setdefault(t.lower(), _Trigger(r.relation, r.relation == "cites", r.blockers, r.max_gap))
    variants = {v for a in table for v in (a, a[0].upper() + a[1:], a.upper())}
    trig = re.compile(r"(" + trie_alt(variants, sep=r"\s{1,3}") + r")(?!\w)")
    passive = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(k.passive, key=len, reverse=True)) + r")\s+$",
        re.IGNORECASE,
    )
    return trig, table, passive


def classify(
    text: str,
    start: int,
    sent_start: int,
    prev: tuple[int, int, str] | None,
) -> str:
    """The relation for a reference at `start`; `prev` is the previous reference in the sentence."""
    trig, table, passive = _tables()
    lo = max(sent_start, start - LEAD)
    lead = text[lo:start]
    found = [m for m in trig.finditer(lead) if not (m.start() and lead[m.start() - 1].isalnum())]
    basis_clause = bool(_BASIS_START.match(lead)) if lo == sent_start else False
    chosen = None
    for m in reversed(found):
        t = table[re.sub(r"\s+", " ", m.group(1).lower())]
        before = lead[max(0, m.start() - 24) : m.start()]
        if passive.search(before):
            continue
        if t.weak and basis_clause:
            continue
        if t.blockers and any(b in before.lower() for b in t.blockers):
            chosen = ("cites", lo + m.start())
            break
        if t.max_gap is not None and len(lead) - m.end() > t.max_gap and prev is None:
            chosen = ("cites", lo + m.start())  # the verb's object is something else ("thực hiện dự toán ...")
            break
        chosen = (t.relation, lo + m.start())
        break
    if prev is not None:
        p_start, p_end, p_rel = prev
        if chosen is None or chosen[1] < p_start:
            return p_rel  # a list sharing one verb
        if chosen[1] >= p_end:
            gap = text[p_end : chosen[1]]
            if ";" not in gap and not _COORD_GAP.fullmatch(gap):
                return "cites"  # the verb is in the previous reference's title
    return chosen[0] if chosen else "cites"
