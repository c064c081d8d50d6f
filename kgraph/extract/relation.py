"""The relation a sentence gives a reference: the clause that governs it (căn cứ, thực hiện, sửa đổi, ...).

Rules, in order (the verbs themselves are data in knowledge/relations.yaml):
1. Look at the clause before the reference; the last trigger verb decides. Phrases that contain a
   trigger without being one ("có hiệu lực thi hành") are masked first (`not_triggers`).
2. A passive marker before a trigger ("được sửa đổi bởi") means the verb describes another
   document: look further back. A blocker ("đề nghị sửa đổi") makes it a plain citation.
3. In a "Căn cứ ..." clause the weak "theo / quy định tại" triggers do not override the basis; after
   an effect verb ("Bãi bỏ các quy định tại X", "Thay thế Mẫu số 01 ban hành kèm theo X") neither.
4. If another reference stands between the trigger and this one, this one is either a list item
   sharing the trigger (the trigger is before that reference) or part of that reference's title
   (the trigger is after it, "Nghị định X quy định chi tiết Luật Y"): a title mention only cites.
   After ";" (or a "," / "và" ending another reference's description) a new item of the clause's
   list begins: it takes the relation of the clause's first reference.
5. A reference that opens its clause with no verb before it takes a verb written after it,
   "X ... hết hiệu lực kể từ ngày ..." (`after_triggers`), and an item of a list ("a) X ...")
   takes the effect its heading names ("Các Nghị định sau hết hiệu lực ...:", "Bãi bỏ các quy định sau:").
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, field
import functools  # functools.partial: this module's own `partial` is another thing
from functools import lru_cache
from typing import Callable, Sequence

from kgraph.extract.patterns import LINE_MARKUP_RUN, trie_alt
from kgraph.extract.sentences import LEAD, sentence_start
from kgraph.knowledge import load

_COORD_GAP = re.compile(r"\s*(?:[,;]\s*(?:và|đồng\s+thời)?|và|đồng\s+thời)\s*", re.IGNORECASE)
#: a "Căn cứ" preamble item names an instrument next ("Căn cứ Luật ...", "căn cứ vào Nghị định ..."); "Căn cứ quy
#: định trên, ..." in a letter's reasoning is not one
_BASIS_START = re.compile(r"[\s\-–•*+]*(?i:căn\s+cứ)(?:\s+vào)?\s+[A-ZĐ]")
#: what `_BASIS_START` may open with besides blanks: its list marks and the "c" of "căn" (either case)
_BASIS_FIRSTS = frozenset("-–•*+cC")


def basis_item(text: str, start: int) -> bool:
    """Whether the clause starting at `start` is a "Căn cứ" item. Its first character answers most clauses without a
    match (dense references ask it of every clause, issue 14)."""
    ch = text[start : start + 1]
    return ((ch == "" or ch in _BASIS_FIRSTS or ch.isspace())
            and _BASIS_START.match(text, start, start + 40) is not None)
#: the lead (lower case) ends in a passive amending verb set off by a comma or a parenthesis, naming its agent:
#: ", được sửa đổi, bổ sung (một số điều) bởi/theo/tại", "(được điều chỉnh bổ sung bởi" (the item as amended;
#: without the comma it describes a title's law)
_AMENDED_BY = re.compile(r"[,(]\s{0,3}(?:được|đã\s+được)\s{1,3}(?:sửa\s{1,3}đổi|điều\s{1,3}chỉnh)(?:\s{0,3},?\s{0,3}bổ\s{1,3}sung)?(?:\s{1,3}một\s{1,3}số\s{1,3}điều)?"
                         r"\s{1,3}(?:bởi|theo|tại)\s{0,3}$")
#: an amending verb before a "theo" ("đã được sửa đổi, bổ sung một số điều theo Luật Y và theo Luật Z"): the
#: "theo" names the amending agents, not a title's subject
#: the words `_AMENDED_BY` ends with
_AMENDED_BY_LAST = ("bởi", "theo", "tại")
_AMENDING = re.compile(r"sửa\s{1,3}đổi|bổ\s{1,3}sung|điều\s{1,3}chỉnh")
#: a new item after another reference's description: "..., X", "... và X", "...; X"
_ITEM_SEP_BEFORE = re.compile(r"(?:[,;]|\svà)\s*$", re.IGNORECASE)

#: the gap after another reference ends with an item closed by its alias ("... (Nghị quyết số 50/NQ-CP) và X",
#: "... (sau đây gọi tắt là Chương trình) và X") or opens with a body's guidance named by where it is written
#: ("... và hướng dẫn của Bộ Nội vụ tại X"): X is a new item of the clause's list, not in the other's title
_NEW_ITEM_GAP = re.compile(
    r"(?:\((?:sau\s+đây[^()]{0,160}|[^()]{0,40}\d[^()]{0,40})\)\s*(?:,|;|và)\s*"
    r"|(?:,|;|\svà)\s+(?:các\s+)?(?:hướng\s+dẫn|chỉ\s+đạo|ý\s+kiến\s+chỉ\s+đạo)\s+của\s+[^,;()]{3,80}?\s+tại\s*)$",
    re.IGNORECASE)

#: a colon introducing examples of the object of the clause's verb ("..., nhất là: X")
_EXAMPLES_COLON = re.compile(r"(?:nhất\s+là|đặc\s+biệt\s+là|cụ\s+thể\s+là)\s*:\s*$")

#: weak triggers that say where the provisions an effect verb acts on are ("Bãi bỏ các quy định tại X", "Thay thế
#: Mẫu số 01 ban hành kèm theo X"); "theo quy định của X" (according to X) names no such place
_WHERE = frozenset({"quy định tại", "ban hành kèm theo", "nêu tại"})

#: what may stand before a clause's verb: blanks, an item's marker, a heading ("Điều 3.")
_CLAUSE_OPENING = re.compile(r"[\s\-–•*+]*(?:(?:[a-zđ]\)|\d{1,3}[.)])\s*)?")

#: a connective between an effect verb and a weak "quy định tại X": X is not the verb's object
_CLAUSE_BREAK = re.compile(r"\s(?:thì|mà|nhưng|để|nên)\s")

#: How far the weak "quy định tại X" may stand from the effect verb opening its clause and still name where that
#: verb's object is; further when the object is provisions described at length ("Bãi bỏ quy định về phụ cấp đặc thù
#: đối với ... quy định tại Điều 4, ... Nghị định số 113/2015/NĐ-CP": the description is ~200 characters)
_WHERE_REACH, _WHERE_REACH_PROVISIONS = 120, 320
_PROVISIONS_OBJECT = re.compile(r"\s{1,3}(?:các\s{1,3})?quy\s{1,3}định\s{1,3}về\s", re.IGNORECASE)

#: Relations that say what this document does to another one: a list heading passes them to its items.
EFFECTS = frozenset({"amends", "replaces", "repeals", "suspends", "corrects", "consolidates"})


#: the verbs whose object is checked (`_acts_on_document`)
_OBJECT_VERBS = frozenset({"bãi bỏ", "hủy bỏ", "huỷ bỏ", "thay thế", "thay thế cho"})


@lru_cache(maxsize=1)
def _document_object() -> re.Pattern:
    k = load()
    words = {w.lower() for w in k.effect_objects} | {w.lower() for w in (k.partial.get("words") or ())}
    for t in k.types:
        words.update(n.lower() for n in t.names)
    return re.compile(r"(?:" + trie_alt(words, sep=r"\s{1,3}") + r")(?!\w)")


#: a list item's marker after the verb ("bãi bỏ: a) Khoản 1 ..."): the object is what follows it
_ITEM_START = re.compile(r"^(?:[a-zđ]\)|\d{1,3}[.)])\s*")


def _acts_on_document(after_verb: str) -> bool:
    """Whether what follows an effect verb can be a document or a part of one: not a lower-case other object
    ("hủy bỏ bằng tốt nghiệp ...")."""
    rest = _ITEM_START.sub("", after_verb.lstrip(" \t\r\n:,"), count=1)
    if not rest or not rest[0].isalpha() or not rest[0].islower():
        return True
    return _document_object().match(rest) is not None


@dataclass(frozen=True, slots=True)
class _Trigger:
    relation: str
    weak: bool  # the default "cites" triggers (theo, quy định tại)
    blockers: tuple[str, ...]
    max_gap: int | None


@dataclass(frozen=True, slots=True)
class _Tables:
    trig: re.Pattern
    table: dict[str, _Trigger]
    passive: re.Pattern
    masked: re.Pattern | None
    masked_keys: re.Pattern  # the last word of any masked phrase (one search): no mask needed without one
    after: re.Pattern | None
    after_table: dict[str, str]
    after_blockers: tuple[str, ...]
    #: where a trigger's first word (`_TRIGGERS`) or an after-verb's (`_AFTER`) stands: no lead is lower-cased and
    #: searched without one
    may_start: "_MayStart"
    #: a trigger as matched -> its entry of `table` (`_trigger`)
    matched: dict[str, _Trigger] = field(default_factory=dict)


def _trigger(tb: _Tables, raw: str) -> _Trigger:
    """The entry of `tb.table` for a trigger as matched (blanks made one space): dense references in one clause
    match the same few spellings thousands of times."""
    t = tb.matched.get(raw)
    if t is None:
        t = tb.matched[raw] = tb.table[_SPACES.sub(" ", raw.lower())]
    return t


#: how far `_MayStart` reads ahead at a time
_BLOCK = 512


class _MayStart:
    """Where some phrase of each of a few tables may start in one text: the positions of the phrases' first words
    (any case), found by one scan of the stretch the passes are walking, extended as they walk on.

    Dense references (thousands a MB in one long sentence) each lower-cased, masked and searched a 500-character
    lead for triggers that are not there (issue 14); a bisect here says so first. A trigger in a lead starts with
    its first word, letters the mask never changes: no first word in the lead, no trigger. The tables (triggers,
    verbs after a reference) are read by one lower-casing and one pattern of all their first words, each match
    kept for the tables whose words may start where it does, and a word of another table that may start inside it
    looked for there. An occurrence hidden by an overlapping one found first
    has that one less than `reach` characters before it, so `free_until` looks that far before its window (it may
    answer yes in vain, never no in vain)."""

    __slots__ = ("pat", "any_case", "reach", "tables_of", "inside", "starts", "every", "state", "lock")

    def __init__(self, tables: tuple[set[str], ...]) -> None:
        firsts = [{p.split()[0].lower() for p in phrases if p.split()} for phrases in tables]
        words = set().union(*firsts)
        # searched in lower-cased text (grouped by first letter, the engine skips to those letters); any case
        # where lower-casing changed the length (offsets no longer line up)
        self.pat = re.compile(trie_alt(words))
        self.any_case = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
        self.reach = max(map(len, words), default=0)
        #: a word as matched -> the tables a first word of which may start where it stands (the same word, one it
        #: begins or that begins it); a word not here (matched in another case by `any_case`) counts for all of them
        self.every = tuple(range(len(tables)))
        self.tables_of = {w: tuple(k for k, fs in enumerate(firsts) if any(w.startswith(x) or x.startswith(w) for x in fs))
                          for w in words}
        #: a word as matched -> (offset, table) where a first word of another table may start inside it, hidden by
        #: the match: looked for there by `starts` ("thựchấm": "chấm" at its "c"); a hidden word of a table the match
        #: is kept for is less than `reach` after it
        inside = {w: tuple((j, k) for j in range(1, len(w)) for k, fs in enumerate(firsts)
                           if k not in self.tables_of[w] and any(w[j:].startswith(x) or x.startswith(w[j:]) for x in fs))
                  for w in words}
        self.inside = {w: v for w, v in inside.items() if v}
        #: each table's first words alone, to look for one where a match may hide it
        self.starts = tuple(re.compile(trie_alt(fs)) for fs in firsts)
        #: (text, a, b, hits, n): the first words of table k starting in text[a:b] are hits[k][:n[k]]. One tuple
        #: replaced whole: a second thread extracting sees one state or the other, never half of each. A list of
        #: `hits` is only ever appended to past its `n` (under `lock`, by one writer at a time), so what a reader's
        #: tuple says stays true.
        self.state: tuple[str | None, int, int, tuple[list[int], ...], tuple[int, ...]] = (
            None, 0, 0, tuple([] for _ in tables), (0,) * len(tables))
        self.lock = threading.Lock()

    def free_until(self, table: int, text: str, lo: int, hi: int) -> int:
        """How far from `lo` no first word of table `table` starts: some first word may start in text[lo:x] exactly
        when x is past the answer (it is at least `hi` when none may start in text[lo:hi]). The answer holds for any
        window text[lo2:x] with lo2 >= lo, so a caller walking references in order asks again only past it."""
        lo = lo - self.reach if lo > self.reach else 0
        st, a, b, hits, ns = self.state
        if hi > b or st is not text or not a <= lo:
            st, a, b, hits, ns = self._extend(text, lo, hi)
        hits, n = hits[table], ns[table]
        i = bisect_left(hits, lo, 0, n)
        return hits[i] if i < n else b

    def _extend(self, text: str, lo: int, hi: int) -> tuple[str | None, int, int, tuple[list[int], ...], tuple[int, ...]]:
        """The state read on to cover text[lo:hi], made the current one."""
        with self.lock:
            st, a, b, hits, ns = self.state
            # a window starting a little past the last (short sentences, a reference or two each) goes on from it
            # too: the gap is read with the block, not each window lower-cased and searched afresh
            fresh = st is not text or not a <= lo <= b + _BLOCK
            if fresh:
                a, b, hits = lo, lo, tuple([] for _ in self.every)
            elif any(len(h) != n for h, n in zip(hits, ns)):
                # another thread's text was read on past this state: not this one's lists
                hits = tuple(h[:n] for h, n in zip(hits, ns))
            if hi > b:
                # going on from the last window, a block ahead at a time (dense references ask every few
                # characters; a fresh window, as sparse references in real text give, only to its end), and past
                # the end by the longest word: every word starting before it is seen whole
                e = hi if fresh else max(hi, min(len(text), b + _BLOCK))
                chunk = text[b : e + self.reach]
                low = chunk.lower()
                found = self.pat.finditer(low) if len(low) == len(chunk) else self.any_case.finditer(chunk)
                tables_of, inside, every, stop = self.tables_of, self.inside, self.every, e - b
                for m in found:
                    p = m.start()
                    if p >= stop:
                        break
                    w = m.group()
                    for k in tables_of.get(w, every):
                        hits[k].append(b + p)
                    if w in inside:
                        for j, k in inside[w]:
                            if p + j < stop and self.starts[k].match(low, p + j) is not None:
                                hits[k].append(b + p + j)
                b = e
            ns = tuple(map(len, hits))
            self.state = state = (text, a, b, hits, ns)
            return state


#: `_MayStart`'s tables in `_Tables.may_start`
_TRIGGERS, _AFTER = 0, 1


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    k = load()
    table: dict[str, _Trigger] = {}
    after_table: dict[str, str] = {}
    for r in k.relations:
        for t in r.triggers:
            table.setdefault(t.lower(), _Trigger(r.relation, r.relation == "cites", r.blockers, r.max_gap))
        for t in r.firm_triggers:
            table.setdefault(t.lower(), _Trigger(r.relation, False, r.blockers, r.max_gap))
        for t in r.after_triggers:
            after_table.setdefault(t.lower(), r.relation)
    # matched against lower-cased text (same length for Vietnamese): one variant per trigger, fast
    trig = re.compile(r"(" + trie_alt(set(table), sep=r"\s{1,3}") + r")(?!\w)")
    passive = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(k.passive, key=len, reverse=True)) + r")\s+$",
        re.IGNORECASE,
    )
    # "hết hiệu lực thi hành" keeps its trigger: the mask does not start right after "hết " (nor after a word
    # character; both checked by `_unmasked_at`, as `after`'s word start by `_after_search`: a pattern opening with
    # a lookbehind is tried at every position, one starting with the words' letters skips to them)
    masked = re.compile(trie_alt({w.lower() for w in k.not_triggers}) + r"(?!\w)") if k.not_triggers else None
    after = re.compile(r"(" + trie_alt(set(after_table)) + r")(?!\w)") if after_table else None
    keys = re.compile("|".join(re.escape(w) for w in sorted({w.lower().split()[-1] for w in k.not_triggers}, key=len, reverse=True))
                      or r"(?!)")
    return _Tables(trig, table, passive, masked, keys, after, after_table, k.after_blockers,
                   _MayStart((set(table), set(after_table))))


def _mask(tb: _Tables, s: str) -> str:
    """`s` lower-cased, with the phrases that only look like triggers blanked out (same length, offsets kept)."""
    low = s.lower()
    if len(low) != len(s):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in s)
    if tb.masked is None or tb.masked_keys.search(low) is None:
        return low
    out: list[str] = []
    pos = last = 0
    while (m := tb.masked.search(low, pos)) is not None:
        if not _unmasked_at(low, m.start()):
            pos = m.start() + 1
            continue
        out.append(low[last : m.start()])
        out.append(" " * (m.end() - m.start()))
        pos = last = m.end()
    if not out:
        return low
    out.append(low[last:])
    return "".join(out)


@lru_cache(maxsize=1024)
def _lead_triggers(lead: str) -> tuple[str, tuple[re.Match, ...]]:
    """`lead` masked (`_mask`), and the triggers in it that open a word (or the lead), in order: what `decide` reads of
    a lead. A function of the lead's text alone, so a lead met again is not masked and searched again: the items of
    a list written alike ("theo Luật ...; Luật ...") repeat theirs (named laws bait, issue 14: 60% of its leads)."""
    tb = _tables()
    low = _mask(tb, lead)
    return low, tuple(m for m in tb.trig.finditer(low) if not (m.start() and low[m.start() - 1].isalnum()))


_WORD_CHAR = re.compile(r"\w")
_SPACES = re.compile(r"\s+")  # compiled once: `re.sub` looked its pattern up in re's cache for every trigger
_HET = "hết "


def _unmasked_at(s: str, i: int) -> bool:
    """A masked phrase may start at `i`: not right after a word character, nor right after "hết "."""
    return not (i and _WORD_CHAR.match(s, i - 1)) and not (i >= len(_HET) and s.startswith(_HET, i - len(_HET)))


def _after_search(pat: re.Pattern, s: str) -> re.Match | None:
    """The first match of `pat` in `s` that does not start right after a word character."""
    pos = 0
    while (m := pat.search(s, pos)) is not None and m.start() and _WORD_CHAR.match(s, m.start() - 1):
        pos = m.start() + 1
    return m


def classify(
    text: str,
    start: int,
    sent_start: int,
    prev: tuple[int, int, str] | None,
    top: str | None = None,
) -> str:
    """The relation for a reference at `start`; `prev` is the previous reference in the sentence,
    `top` the relation of the sentence's first reference (what a new item of its list takes)."""
    rel, _ = decide(text, start, sent_start, prev, top)
    return rel


def lead_tests() -> tuple[Callable[[str, int], bool], Callable[[str, int, int], int],
                          Callable[[str, int, int], int]]:
    """The tests `decide` and `after` open with, for a caller deciding many references to call once each (dense
    references, issue 14): whether a clause starting at a position is a "Căn cứ" item (`basis_item`), and how far from `lo` no trigger's first word starts (`_MayStart.free_until(_TRIGGERS, text, lo, hi)`): when a lead
    text[lo:start] ends before that, and the clause is no "Căn cứ" item, `decide` answers ("cites", False) without a
    previous reference in the clause, and its relation when the clause's first reference has the same one or none;
    and how far from a reference's end no first word of a verb written after it starts: when its clause ends before
    that, `after` answers None. One answer serves the following references until one reaches past it."""
    tb = _tables()
    return (basis_item, functools.partial(tb.may_start.free_until, _TRIGGERS),
            functools.partial(tb.may_start.free_until, _AFTER))


def decide(
    text: str, start: int, sent_start: int, prev: tuple[int, int, str] | None, top: str | None,
    basis: bool | None = None, near: bool | None = None,
) -> tuple[str, bool]:
    """The relation, and whether a verb (or the list the reference is in) decided it (False: nothing did,
    or only a weak "quy định tại", so a list heading or a verb after the reference may still). `basis`:
    `basis_item(text, sent_start)`, and `near`: whether a trigger's first word may start in the lead (`lead_tests`),
    when the caller has asked them (the references of one clause share the first; dense references ask the second
    to know whether to call)."""
    tb = _tables()
    lo = start - LEAD if start - LEAD > sent_start else sent_start
    basis_clause = basis_item(text, sent_start) if basis is None else basis
    if not basis_clause and not (tb.may_start.free_until(_TRIGGERS, text, lo, start) < start if near is None else near):
        # no trigger in the lead (most dense references): the lead below is empty whatever a ";" or a new item's
        # gap moves its start to, and the item's gap is read only when the answer depends on it
        if prev is None:
            return "cites", False
        if top is None or top == prev[2]:
            return prev[2], True
    new_item = False
    if prev is not None:
        semi = text.rfind(";", prev[1], start)
        if semi >= 0:
            lo, new_item = (semi + 1 if semi + 1 > lo else lo), True
        else:
            g = _NEW_ITEM_GAP.search(text, prev[1], start)
            if g is not None:
                gap_end = g.end()
                lo, new_item = (gap_end if gap_end > lo else lo), True
    lead, found = (_lead_triggers(text[lo:start]) if basis_clause or tb.may_start.free_until(_TRIGGERS, text, lo, start) < start
                   else ("", ()))
    if not lead:  # no trigger before it (most dense references): what the rules below give an empty lead
        if new_item:
            return top or prev[2], True
        return (prev[2], True) if prev is not None else ("cites", False)
    # both patterns below end the lead (a word or a ":", then blanks): its last word is tested first
    closing = lead.rstrip()
    if basis_clause and closing.endswith(_AMENDED_BY_LAST) and _AMENDED_BY.search(lead):
        # "Căn cứ Luật X, được sửa đổi, bổ sung một số điều tại Nghị định Y": the basis is X as amended by Y
        return "based_on", True
    ex = _EXAMPLES_COLON.search(lead) if closing.endswith(":") else None
    if ex is not None and prev is None:
        # "phổ biến, quán triệt, triển khai các quy định ... và văn bản ..., nhất là: X, Y; Z": the items are examples
        # of the verb's object, so the verb governs them however long the object (its "quy định của" is a noun)
        for m in reversed([m for m in found if m.end() <= ex.start()]):
            t = tb.table[re.sub(r"\s+", " ", m.group(1).lower())]
            before = lead[max(0, m.start() - 24) : m.start()]
            if t.weak or tb.passive.search(before) or (t.blockers and any(b in before.lower() for b in t.blockers)):
                continue
            return t.relation, True
    chosen = None
    weak_only = False  # only a weak "theo / quy định tại" decided: a verb after the reference may still
    strong_before = None  # the last non-weak trigger, when it says what this document does (an effect)
    for m in reversed(found):  # the last one decides: read from the end (a lead of amending phrases holds dozens)
        t = _trigger(tb, m.group(1))
        if not t.weak:
            before = lead[max(0, m.start() - 24) : m.start()]
            ok = not tb.passive.search(before) and not (t.blockers and any(b in before.lower() for b in t.blockers))
            # only an effect verb opening its clause ("2. Bãi bỏ các quy định tại X") acts on the provisions named
            # after it; "Tòa án ra quyết định hủy bỏ biện pháp ... quy định tại X" does not
            opens = _CLAUSE_OPENING.fullmatch(lead, 0, m.start()) is not None
            reach = _WHERE_REACH_PROVISIONS if _PROVISIONS_OBJECT.match(lead, m.end()) else _WHERE_REACH
            strong_before = (t.relation, lo + m.start(), reach) if (ok and opens and t.relation in EFFECTS) else None
            break
    for m in reversed(found):
        t = _trigger(tb, m.group(1))
        before = lead[max(0, m.start() - 24) : m.start()]
        if tb.passive.search(before):
            continue
        if t.weak and basis_clause:
            if (prev is not None and not new_item and lo + m.start() >= prev[1] and m.group(1).strip() == "theo"
                    and not _AMENDING.search(lead, 0, m.start())):
                # "Căn cứ Nghị định X ... quy định chính sách ... theo Nghị quyết Y": Y is in X's title (but
                # "Luật X đã được sửa đổi, bổ sung một số điều theo Luật Y": the basis is X as amended by Y)
                chosen = ("cites", lo + m.start())
                break
            continue
        if (t.weak and strong_before is not None and not lead[m.end() :].strip()
                and _SPACES.sub(" ", m.group(1)) in _WHERE and m.start() - (strong_before[1] - lo) <= strong_before[2]
                and not _CLAUSE_BREAK.search(lead, strong_before[1] - lo, m.start())
                and (prev is None or strong_before[1] >= prev[1])):
            chosen = strong_before[:2]  # "Bãi bỏ các quy định tại X": the effect, not the weak "tại"
            break
        if t.blockers and any(b in before.lower() for b in t.blockers):
            chosen = ("cites", lo + m.start())
            break
        if (t.relation in ("repeals", "replaces") and re.sub(r"\s+", " ", m.group(1)) in _OBJECT_VERBS
                and not _acts_on_document(lead[m.end() :])):
            chosen = ("cites", lo + m.start())  # the verb acts on something else ("hủy bỏ bằng tốt nghiệp")
            break
        if t.max_gap is not None and len(lead) - m.end() > t.max_gap and prev is None:
            chosen = ("cites", lo + m.start())  # the verb's object is something else ("thực hiện dự toán ...")
            break
        chosen = (t.relation, lo + m.start())
        weak_only = t.weak and prev is None
        break
    if new_item:
        return (chosen[0], True) if chosen else (top or prev[2], True)
    if prev is not None and chosen is not None and chosen[1] >= prev[1] and _opens_line(text, chosen[1]):
        return chosen[0], True  # "...của Luật X\nCăn cứ Y": the verb opens a clause of its own
    if prev is not None:
        p_start, p_end, p_rel = prev
        if chosen is None or chosen[1] < p_start:
            return p_rel, True  # a list sharing one verb
        if chosen[1] >= p_end:
            gap = text[p_end : chosen[1]]
            if ";" not in gap and not _COORD_GAP.fullmatch(gap):
                # the verb is in the previous reference's title; a "," or "và" after that title starts a new item
                after_verb = text[chosen[1] : start]
                if top is not None and _ITEM_SEP_BEFORE.search(after_verb) and not _COORD_GAP.fullmatch(after_verb):
                    m_end = next((m.end() for m in found if lo + m.start() == chosen[1]), None)
                    if m_end is not None and text[lo + m_end : start].strip(" \t\r\n,;"):
                        return top, True
                return "cites", True
    if chosen is None:
        return "cites", False
    return chosen[0], not weak_only


#: Relations whose object may be a part of the cited instrument rather than all of it (`partial`).
PARTIAL_EFFECTS = frozenset({"repeals", "replaces", "suspends"})
#: an article's heading line before a clause ("Điều 2. Hiệu lực thi hành"): its "Điều" names no part of the object
_HEADING_LINE = re.compile(r"\s*Điều\s+\d{1,3}[a-zđ]?\.[^\n]*\n")


@lru_cache(maxsize=1)
def _partial_words() -> tuple[re.Pattern | None, re.Pattern | None]:
    p = load().partial
    words, whole = p.get("words") or (), p.get("whole") or ()
    part = re.compile(r"(?<!\w)(?:" + trie_alt({w.lower() for w in words}, sep=r"\s{1,3}") + r")(?!\w)") if words else None
    all_ = re.compile(r"(?<!\w)(?:" + trie_alt({w.lower() for w in whole}, sep=r"\s{1,3}") + r")(?!\w)") if whole else None
    return part, all_


def partial(text: str, lo: int, pos: int, pinned: bool) -> bool:
    """Whether an effect acts on only part of the instrument cited at `pos`: a pinpoint, or words naming a part
    ("một phần", "một số điều", "Mẫu số 01 ... ban hành kèm theo", "Phụ lục") between the clause's effect verb
    (else the clause's start `lo`) and the reference; "toàn bộ" says the whole."""
    part, whole = _partial_words()
    seg = _mask(_tables(), text[lo:pos])
    h = _HEADING_LINE.match(seg)
    if h:
        seg = seg[h.end():]
    tb = _tables()
    verbs = [m for m in tb.trig.finditer(seg)
             if tb.table[re.sub(r"\s+", " ", m.group(1))].relation in EFFECTS]
    if verbs:
        seg = seg[verbs[-1].start():]
    else:
        seg = seg[_CLAUSE_OPENING.match(seg).end():]
    if whole is not None and whole.search(seg):
        return False
    return pinned or (part is not None and part.search(seg) is not None)


def _opens_line(text: str, pos: int) -> bool:
    """A capitalised trigger with only blanks between it and the line's start."""
    if not text[pos : pos + 1].isupper():
        return False
    line_start = text.rfind("\n", pos - 40 if pos > 40 else 0, pos)
    return line_start >= 0 and not text[line_start + 1 : pos].strip()


def after(text: str, clause_start: int, end: int, clause_end: int, starts: Sequence[int] = ()) -> str | None:
    """The effect a verb written after a reference gives it: "X ... hết hiệu lực kể từ ngày ...".

    A ";" between them gives the verb another subject ("X ...; các quy định trái với ... hết hiệu lực"), unless each
    ";" opens the next reference of a list ("X ...; Y ... hết hiệu lực": both); `starts` (sorted) are where the
    references begin (their leads too)."""
    tb = _tables()
    if tb.after is None or tb.may_start.free_until(_AFTER, text, end, clause_end) >= clause_end:
        return None  # no verb after it (whatever the lead's blockers say)
    lead = text[end - LEAD if end - LEAD > clause_start else clause_start : end].lower()
    if any(b in lead for b in tb.after_blockers):
        return None
    window = _mask(tb, text[end:clause_end])
    m = _after_search(tb.after, window)
    if not m:
        return None
    low = window[: m.start()].lower()
    if any(b in low for b in tb.after_blockers) or (";" in low and not _semicolons_open_references(low, end, starts)):
        return None
    return tb.after_table[_SPACES.sub(" ", m.group(1).lower())]


def _semicolons_open_references(gap: str, at: int, starts: Sequence[int]) -> bool:
    """Whether every ";" in `gap` (the text from `at` on) is followed, past white space, by where a reference begins."""
    i = gap.find(";")
    while i >= 0:
        j = i + 1
        while j < len(gap) and gap[j].isspace():
            j += 1
        k = bisect_left(starts, at + j)
        if k == len(starts) or starts[k] != at + j:
            return False
        i = gap.find(";", j)
    return True


_ITEM_MARK = re.compile(r"[ \t\xa0]*(?:(?P<alpha>[a-zđ]\))|(?P<num>\d{1,2}[.)])|(?P<dash>[-–•+*]))[ \t\xa0]*")
_ARTICLE_LINE = re.compile(LINE_MARKUP_RUN + r"Điều[ \t]+\d")


def _marker(line: str) -> str | None:
    m = _ITEM_MARK.match(line)
    return m.lastgroup if m else None


def _heading_effect(text: str, lo: int, hi: int) -> str | None:
    """The first effect verb of a heading ("Tạm ngưng hiệu lực ... đối với các văn bản sau đây:")."""
    tb = _tables()
    h = _mask(tb, text[lo:hi])
    for m in tb.trig.finditer(h):
        if m.start() and h[m.start() - 1].isalnum():
            continue
        t = tb.table[_SPACES.sub(" ", m.group(1).lower())]
        before = h[max(0, m.start() - 24) : m.start()]
        if t.relation in EFFECTS and not tb.passive.search(before) and not any(b in before.lower() for b in t.blockers):
            return t.relation
    return None


_ARTICLE_TITLE = re.compile(LINE_MARKUP_RUN + r"Điều[ \t]+\d{1,3}[a-z]?[ \t]*[.:][ \t*_]*")
#: the effects an article's title gives the instruments listed under it (not "Làm Hiến pháp và sửa đổi Hiến pháp")
_LISTING_EFFECTS = frozenset({"repeals", "replaces", "suspends"})


def _article_effect(text: str, lo: int, hi: int) -> str | None:
    """The effect of an article whose title opens with its verb ("Điều 1. Bãi bỏ toàn bộ các quyết định")."""
    m = _ARTICLE_TITLE.match(text, lo, hi)
    if not m:
        return None
    tb = _tables()
    h = _mask(tb, text[m.end() : hi])
    t = tb.trig.match(h)
    if not t:
        return None
    rel = tb.table[re.sub(r"\s+", " ", t.group(1).lower())].relation
    return rel if rel in _LISTING_EFFECTS else None


def heading(text: str, pos: int, max_lines: int = 200) -> str | None:
    """The effect a list heading gives the item starting at `pos` ("a) Nghị định số ..."), if any.

    The item must open its line (after the marker, only its pinpoint may come first); the heading is the
    nearest line before it ending with ":", reached over sibling items and continuation lines only, or the
    article's heading line ("Điều 1. Bãi bỏ toàn bộ các quyết định") with what follows it up to the first item.
    """
    nl = text.rfind("\n", pos - 16 if pos > 16 else 0, pos)  # an item's marker is short: its line starts just before
    line_start = nl + 1
    if nl < 0 and pos > 16:
        return None
    m = _ITEM_MARK.match(text, line_start, pos)
    if not m or text[m.end() : pos].strip():
        return None
    style = m.lastgroup
    end = line_start - 1
    first_item = line_start  # the heading is what stands between the article's line and the list's first item
    for _ in range(max_lines):
        if end <= 0 or line_start - end > 12000:
            return None
        s = text.rfind("\n", 0, end) + 1
        line = text[s:end]
        stripped = line.rstrip()
        if stripped.endswith(":"):
            if _marker(line) == style:
                return None
            colon = s + len(stripped) - 1
            return _heading_effect(text, sentence_start(text, colon), colon)
        if _ARTICLE_LINE.match(line):
            # "Điều 1. Bãi bỏ toàn bộ các quyết định\n1. Quyết định số ...": the article's title opens with the effect
            return _article_effect(text, s, first_item)
        mk = _marker(line)
        if mk is not None and mk != style:
            return None
        if mk == style:
            first_item = s
        end = s - 1
    return None
