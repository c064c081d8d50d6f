"""Finding references: numbered, named, short forms and self references, with their context.

`find_references` runs the passes listed in `PASSES` over the NFC text: finders for numbered and
named references (names.py reads where a name ends), what is written beside each (date, issuer,
pinpoint), self and back references, short forms bound (shortforms.py), relations (relation.py).
Offsets are mapped back to the text as given at the end.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import islice, takewhile
from typing import Iterable

from kgraph.extract import context, relation, sentences, shortforms
from kgraph.extract.directing import mark_directing
from kgraph.extract.finders import anchors, from_anchors, numbered
from kgraph.extract.found import Anchor, Found, in_text_order
from kgraph.extract.names import extend_to_cited, find_named, find_upper_named, merge_named_numbers, trim_to_known
from kgraph.extract.normalize import CutText, OffsetText, one_line, one_line_of
from kgraph.extract.patterns import LINE_MARKUP_RUN, alternation, spaced
from kgraph.extract.pinpoint import pinpoint_before
from kgraph.extract.sentences import (
    AFTER_REACH, CLAUSE_LOOKBACK, LEAD, SENTENCE_REACH, sentence_end, sentence_start, starts_since,
)
from kgraph.knowledge import Knowledge, load
from kgraph.model import Document, Pinpoint, Reference
from kgraph.numbers import issuer_of_codes

#: "Điều N." opening a line (after `LINE_MARKUP`): one match a heading, not one a mention of an article filtered
#: after. Opened by the line break, a literal the engine skips ahead to (`(?m)^` was tried at every character: 4x
#: slower); a heading opening the text is matched apart (`_ARTICLE_HEADING_FIRST`)
_HEADING = LINE_MARKUP_RUN + r"(Điều[ \t]{1,3}(\d{1,3}[a-z]?)[ \t]{0,2}[.:])"
_ARTICLE_HEADING = re.compile("\n" + _HEADING)
_ARTICLE_HEADING_FIRST = re.compile(_HEADING)


@lru_cache(maxsize=1)
def _article_headings(t: str) -> list[tuple[int, str]]:
    """(offset, number) of each "Điều N." that starts a line (after a saved page's markup, "**Điều 3."): the article
    a "Điều này" stands in. Kept for the last text: the self references and the scope articles both ask."""
    first = _ARTICLE_HEADING_FIRST.match(t)
    return [(m.start(1), m.group(2)) for m in (*((first,) if first else ()), *_ARTICLE_HEADING.finditer(t))]


def _scope_articles(t: str, titles: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each article whose title says what the document regulates ("Điều 1. Phạm vi điều chỉnh",
    relations.yaml `scope_titles`), up to the next article's heading."""
    heads = [a for a, _ in _article_headings(t)]
    return [(a, heads[i + 1] if i + 1 < len(heads) else len(t)) for i, a in enumerate(heads)
            if any(w in one_line(t[a : a + 120]).lower() for w in titles)]


@lru_cache(maxsize=1)
def _scope_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(the document saying what it regulates, "Quyết định này quy định ..."; the words a reference it details
    follows, "theo", "quy định tại"): relations.yaml `scope_says`, `scope_before` (`_classify_relations`)."""
    k = load()
    return (re.compile(r"\s" + spaced(k.scope_says) + r"\s"),
            re.compile(r"(?<!\w)(?:" + alternation(k.scope_before) + r")\s{1,3}$"))

_FOOTNOTE_MARK = re.compile(r"[ \t]{0,3}(\d{1,3})[ \t]{1,3}$")


_ARTICLE_NUMBER = re.compile(r"Điều[ \t]{1,3}(\d{1,3}[a-z]?)\.")
_DIGITS = re.compile(r"\d+")


def _marked_headings(t: str) -> dict[str, tuple[int, str]]:
    """Footnote mark -> (end, article) of the first article heading carrying it ("Điều 5.3 (được bãi bỏ)"):
    one pass over the text. A heading "Điều N." carries each run of 1 to 3 digits that follows the dot at
    once or after a character that is not a digit, space or dot, within 161 characters of it and at most
    40 before the line's end (the rule of the one regex per mark this replaces, which searched the text
    from its start for every footnote: quadratic, 10 of 16 s on 3 MB of gazette text)."""
    out: dict[str, tuple[int, str]] = {}
    for m in _ARTICLE_NUMBER.finditer(t):
        ls = t.rfind("\n", 0, m.start()) + 1
        if len(t[ls : m.start()]) > 3 or t[ls : m.start()].strip(" \t"):
            continue  # not at a line's start (after at most 3 spaces or tabs)
        le = t.find("\n", m.end())
        le = len(t) if le < 0 else le
        d = m.end()
        for r in _DIGITS.finditer(t, d, min(le, d + 170)):
            j = r.start() - d
            if j > 161 or len(r.group()) > 3 or le - r.end() > 40:
                continue
            if j and (t[r.start() - 1].isspace() or t[r.start() - 1] == "."):
                continue
            out.setdefault(r.group(), (le, m.group(1)))
    return out


def _footnoted_article(t: str, pos: int, headings: dict[str, tuple[int, str]]) -> str | None:
    """"3 Điều này được bãi bỏ ..." in a footnote: the article whose heading carries mark 3 (`_marked_headings`).
    A heading is one line and the footnote's line opens with its mark: the first heading carrying it comes
    before the footnote, or none does."""
    line_start = t.rfind("\n", max(0, pos - 12), pos) + 1
    m = _FOOTNOTE_MARK.match(t, line_start, pos) if line_start or pos < 12 else None
    if not m:
        return None
    h = headings.get(m.group(1))
    return h[1] if h is not None and h[0] <= pos else None


def find_references(
    text: str,
    document: Document | None = None,
    skip: Iterable[tuple[int, int]] = (),
    ot: OffsetText | None = None,
    breaks: Iterable[tuple[int, int]] = (),
) -> list[Reference]:
    """Every reference in `text`, in text order, with offsets into `text` as given.

    References starting inside a `skip` range (page furniture) are left out; `ot` is the NFC view
    of `text` when the caller has made it already. `breaks`: furniture printed inside the body (the header
    reader's `breaks`, offsets of the NFC view), cut out before the passes read it (`CutText`). The work is the
    passes in `PASSES`, in order.
    """
    ot = ot or OffsetText(text)
    k = load()
    body = CutText(ot.text, breaks)
    scan = _Scan(t=body.text, k=k, document=document, anchors=anchors(body.text))
    for step in PASSES:
        step(scan)
    return _references(scan.found, text, ot, skip, body)


@dataclass(slots=True)
class _Scan:
    """What the passes share: the NFC text, the tables, the citing document and the references so far."""

    t: str
    k: Knowledge
    document: Document | None
    anchors: list[Anchor]
    numbered: list[Found] = field(default_factory=list)
    named: list[Found] = field(default_factory=list)
    #: instruments (numbered and named) in text order, once the finders have run; then every reference
    found: list[Found] = field(default_factory=list)
    #: self and back references, bound to what they stand for by `_bind_short_forms`
    mentions: list[Found] = field(default_factory=list)


def _find_numbered(scan: _Scan) -> None:
    """Adds every well-formed number, with the type word written before it, as a numbered reference."""
    scan.numbered = numbered(scan.t, scan.k, scan.anchors)


def _find_named(scan: _Scan) -> None:
    """Adds instruments cited by name (Luật ..., Hiến pháp); a number written after a name joins it."""
    scan.named = find_named(scan.t, scan.k, scan.anchors)
    own = scan.k.doc_type(name=scan.document.type) if scan.document is not None and scan.document.type else None
    # a law's upper-case headings are its own title and its chapters', not citations
    upper = find_upper_named(scan.t, scan.k) if own is None or own.family != "named" else []
    if upper:
        scan.named = sorted(scan.named + upper, key=lambda f: f.start)
    scan.numbered = merge_named_numbers(scan.named, scan.numbered, scan.t)


def _trim_names(scan: _Scan) -> None:
    """Cuts names that ran on into the sentence back to a name the same text ends cleanly elsewhere, and
    extends names cut at a known law's end to the longer name the same text cites with its number or date."""
    trim_to_known(scan.named, scan.t)
    extend_to_cited(scan.named, scan.t)


def _find_from_anchors(scan: _Scan) -> None:
    """Adds what type words start without a well-formed number: loose numbers, ordinals, plenums,
    described instruments, and the self and back references (kept apart as mentions)."""
    extra = from_anchors(scan.t, scan.k, scan.anchors, scan.numbered)
    scan.found = in_text_order(scan.numbered + scan.named + [f for f in extra if f.kind in ("numbered", "named")])
    scan.mentions = [f for f in extra if f.kind not in ("numbered", "named")]
    own = scan.document.type if scan.document is not None else None
    if own:
        scan.mentions = in_text_order(scan.mentions + _own_type_lower(scan.t, own))


def _own_type_lower(t: str, own: str) -> list[Found]:
    """"Căn cứ kế hoạch này" in a Kế hoạch: the document's own type word in lower case with "này" is the document
    itself (the type words found as anchors are capitalised); not "các kế hoạch này" (several)."""
    word = own[0].lower() + own[1:]
    # "(?<!\w)" checked after the first word, not before it: a pattern opening with a lookbehind is tried at every
    # place of the text, one opening with the word's letters skips to them (the same matches; issue 14)
    head = word.split(" ")[0]
    if re.fullmatch(r"\w+", head):
        rx = re.compile(re.escape(head) + r"(?<!\w" + "." * len(head) + ")"
                        + re.escape(word[len(head) :]).replace(r"\ ", r"\s{1,3}") + r"\s{1,3}này(?!\w)")
    else:
        rx = re.compile(r"(?<!\w)" + re.escape(word).replace(r"\ ", r"\s{1,3}") + r"\s{1,3}này(?!\w)")
    return [Found(start=m.start(), end=m.end(), kind="self", target="self", relation=None, type=own)
            for m in rx.finditer(t) if not _SEVERAL_BEFORE.search(t, max(0, m.start() - 8), m.start())]


_SEVERAL_BEFORE = re.compile(r"(?:các|những|mỗi|từng)\s{1,3}$", re.IGNORECASE)


def _drop_duplicates(scan: _Scan) -> None:
    """Removes exact duplicates (the same kind and name found twice at one start, within the first span) and the
    laws named inside an amending law's name, which are part of that one instrument (issue 9, point 5)."""
    uniq: list[Found] = []
    enclosing: Found | None = None
    for f in scan.found:
        if uniq and uniq[-1].start == f.start and uniq[-1].end >= f.end and uniq[-1].kind == f.kind and uniq[-1].name == f.name:
            continue
        if enclosing is not None and enclosing.start <= f.start and f.end <= enclosing.end:
            continue
        if f.encloses:
            enclosing = f
        uniq.append(f)
    scan.found = uniq


def _read_beside(scan: _Scan) -> None:
    """Adds each instrument's date, issuer and pinpoint; the citing document's own number or name becomes a self reference."""
    t, k, document = scan.t, scan.k, scan.document
    own = document.number if document else None
    own_name = own_year = None
    by_name = k.doc_type(name=document.type) if document is not None and document.type else None
    if by_name is not None and by_name.cited_by_name:
        constitution = k.named["constitution"]["head"]
        own_name = constitution.casefold() if document.type == constitution else f"{document.type} {document.title or ''}".casefold().strip()
        own_year = document.year
    home = context.home_of(document.issuer) if document is not None else None  # "của UBND tỉnh": this province
    beside = context.beside  # looked up once: dense references call it 20-40k times a MB
    may_beside = context.MAY_BESIDE.match
    for f in scan.found:
        if may_beside(t, f.end, f.end + 10) is not None:
            b = beside(t, f.end, home, len(f.issuer_codes or ()) > 1)
            date, issuer = b.date, b.issuer
            f.tail = b.end if (date or issuer) else f.end
        else:
            date = issuer = None  # what `beside` finds there (`MAY_BESIDE`), without its three matches
            f.tail = f.end
        f.date = date
        if f.kind == "named" and f.year is None and date:
            f.year = int(date[:4])
        if f.kind == "numbered":
            party = f.family == "party"
            f.issuer = issuer or _before_or_codes(context.issuer_before(t, f.start, home),
                                                  issuer_of_codes(f.issuer_codes, party, k))
            if f.year is None and date:
                f.year = int(date[:4])
            if own and f.number == own:
                f.kind, f.target = "self", "self"
        else:
            # a law cited by name with its number: the number's code names the body ("số 84/2015/QH13" → Quốc hội)
            f.issuer = issuer or f.issuer or (issuer_of_codes(f.issuer_codes, f.family == "party", k) if f.number else None)
            if own_name and f.name and f.name.casefold() == own_name and f.year in (None, own_year) and not f.number:
                f.kind, f.target = "self", "self"  # "Hiến pháp" inside the Constitution, "Luật Đất đai" inside it
        f.pinpoint, f.lead = pinpoint_before(t, f.start)
    _same_body_placed(scan.found)


def _before_or_codes(before: str | None, codes: str | None) -> str | None:
    """The body written before a designation ("của Sở Xây dựng tại Tờ trình số ...") unless the number's codes name
    another: "ý kiến của Thủ tướng Chính phủ tại Công văn số 123/VPCP-KGVX" is the Government Office's letter."""
    if before and (codes is None or before.startswith(codes)):
        return before
    return codes


def _same_body_placed(found: list[Found]) -> None:
    """A body named without its place after the text named it with one ("Ban Chấp hành Đảng bộ tỉnh Sóc Trăng",
    then "của Ban Chấp hành Đảng bộ tỉnh"): the same body."""
    # each body judged once, the placed ones once each in text order: dense references name a few bodies
    # thousands of times, and every body without its place looked through all of them
    judged: dict[str, bool] = {}
    placed: dict[str, None] = {}
    for f in found:
        if f.issuer:
            p = judged.get(f.issuer)
            if p is None:
                p = judged[f.issuer] = context.is_placed(f.issuer)
            if p:
                placed.setdefault(f.issuer)
    fulls: dict[str, str | None] = {}
    for f in found:
        if f.issuer and context.needs_place(f.issuer):
            if f.issuer not in fulls:
                fulls[f.issuer] = next((p for p in placed if p.startswith(f.issuer + " ")), None)
            full = fulls[f.issuer]
            if full:
                f.issuer = full


def _bind_bare_names(scan: _Scan) -> None:
    """A law cited by name alone is the one the same document identifies by that name with its number
    ("Luật Nhà ở" after "Luật Nhà ở số 27/2023/QH15"), when the document names exactly one (issue 9, point 8)."""
    numbers: dict[str, set[tuple[str, int | None, str | None]]] = {}
    years: dict[str, set[int]] = {}
    for f in scan.found:
        if f.kind == "named" and f.name and f.number:
            numbers.setdefault(f.name.casefold(), set()).add((f.number, f.year, f.issuer))
        elif f.kind == "named" and f.name and f.year:
            years.setdefault(f.name.casefold(), set()).add(f.year)
    if not numbers and not years:
        return
    for f in scan.found:
        if f.kind != "named" or f.number or not f.name:
            continue
        cands = numbers.get(f.name.casefold())
        if not cands and f.year is None and len(years.get(f.name.casefold(), ())) == 1:
            # "Căn cứ Hiến pháp ... năm 2013; ... theo Hiến pháp": the year the document gives that name
            f.year = next(iter(years[f.name.casefold()]))
            continue
        if not cands or len({c[0] for c in cands}) != 1:
            continue
        number, year, issuer = next(iter(cands))
        if f.year is not None and year is not None and f.year != year:
            continue  # "Luật Đất đai năm 2013" is not the 2024 law the document also cites
        f.number, f.year, f.issuer = number, year, f.issuer or issuer


def _place_mentions(scan: _Scan) -> None:
    """Adds the pinpoints of self and back references ("khoản 2 Điều này" → the article it stands in)
    and the citing document's number and type to its self references."""
    t, document = scan.t, scan.document
    articles: list[tuple[int, str]] | None = None
    article_starts: list[int] = []
    headings: dict[str, tuple[int, str]] | None = None  # footnote mark -> the first heading carrying it
    for f in scan.mentions:
        if f.kind == "self":
            if f.type in ("Điều", "Chương"):
                word, f.type = f.type, None
                pts, lead = shortforms.clause_before(t, f.start)
                if word == "Điều":
                    if articles is None:
                        articles = _article_headings(t)
                        article_starts = [a for a, _ in articles]
                    i = bisect_right(article_starts, f.start) - 1
                    if headings is None:
                        headings = _marked_headings(t)
                    art = _footnoted_article(t, f.start, headings) or (articles[i][1] if i >= 0 else None)
                    f.pinpoint = [Pinpoint(article=art, clause=p.clause, point=p.point) for p in pts] or [Pinpoint(article=art)]
                    f.lead = lead
            else:
                # "khoản 1 Điều 2 của Nghị định này": the provisions of the citing document
                f.pinpoint, f.lead = pinpoint_before(t, f.start)
            if document is not None:
                f.number = document.number
                if f.type is None:
                    f.type, f.type_code = document.type, document.type_code
        elif f.kind == "short":
            f.pinpoint, f.lead = pinpoint_before(t, f.start)


def _bind_short_forms(scan: _Scan) -> None:
    """Merges the mentions into the references in text order and binds aliases, ordinals and back
    references to the instruments they stand for (shortforms.py)."""
    foreign = _foreign_this(scan)
    # the instruments are in this order since `_find_from_anchors` (no pass since moves one): sorted again only
    # with mentions to merge in
    found = in_text_order(scan.found + scan.mentions) if scan.mentions else list(scan.found)
    scan.mentions = []
    scan.found = shortforms.bind(scan.t, found, scan.k)
    for f in foreign:
        if f.target is None:  # no earlier instrument of that type: read as before, the document itself
            f.kind, f.target = "self", "self"
            if scan.document is not None:
                f.number = scan.document.number


def _foreign_this(scan: _Scan) -> list[Found]:
    """"Nghị định này" in a letter, plan or report (a tax office's letter quoting Nghị định 72/2024): not the
    document itself but, like "Nghị định trên", the last decree named before it. Only for the types of legal
    instruments (normative), which such documents never are, and only in them: a legal instrument's annexed
    forms ("Quyết định này có hiệu lực ...") and a consolidated text's reproduced wording are its own (issue 15)."""
    doc, k = scan.document, scan.k
    if doc is None or not doc.type:
        return []
    own = k.doc_type(code=doc.type_code, name=doc.type)
    if own is None or own.family in ("consolidated", "normative", "named"):
        return []  # an instrument's annexed forms say "Quyết định này" of the decision the form is for
    out = []
    for f in scan.mentions:
        if f.kind != "self" or not f.type or f.type in ("Điều", "Chương") or f.type == doc.type:
            continue
        tt = k.doc_type(name=f.type)
        if tt is None or tt.family != "normative" or (own is not None and own.name == tt.name):
            continue
        f.kind, f.target, f.number, f.family = "short", None, None, "this"
        out.append(f)
    return out


def _classify_relations(scan: _Scan) -> None:
    """Sets each reference's relation from the clause that governs it (self references get none): the verb
    before it, the list it is an item of, or a verb after it when nothing before it decides.

    Dense references (20-40k a MB against ~1.5k in gazette text, issue 14) each asked the sentence's starts and
    end of calls that opened by checking the stretch of the text they had read. In such a text the text is read
    once instead for where every boundary mark or opener starts (`sentences.Marks`), which `starts_since`
    and `sentence_end` then walk. The first words of triggers and after-verbs are asked of `relation.lead_tests`' functions, which
    bisect their own scan and say how far none starts: the references up to there are answered by that, one call
    for a run of them (a line's, or a block's, in the bait), not one each. Sparse references keep the look-ups,
    which read only the windows asked (reading the whole text for a reference every ~700 characters costs more
    than it saves)."""
    t = scan.t
    prev: Found | None = None
    prev_sent = -1
    top: str | None = None
    own_title = (scan.document.title or "").lower() if scan.document is not None else ""
    lists_only = bool(own_title) and any(p in own_title for p in scan.k.no_effect_titles)
    # a list of expired instruments (or a review's results): what it names is listed, not relied on
    listing = bool(own_title) and any(p in own_title for p in scan.k.list_titles)
    last_pos, last_s0 = -1, 0
    last_wide = -1  # the sentence's start at `last_pos` (LEAD back)
    last_bounds: tuple[int, int] = (-1, -1)
    last_sentence: str | None = None
    # looked up once: dense references (20-40k a MB) call each of these once or twice apiece
    decide, heading, after, effects, partial_effects = (relation.decide, relation.heading, relation.after,
                                                        relation.EFFECTS, relation.PARTIAL_EFFECTS)
    basis_item, free_of_triggers, free_of_after = relation.lead_tests()
    # the last answers of those two: no trigger's first word starts in text[trig_lo:trig_free], no after-verb's in
    # text[after_lo:after_free] (any window inside one has none either)
    trig_lo = trig_free = after_lo = after_free = -1
    ext_lo = ext_free = -1  # the same for a verb past a long sentence's window
    dense = len(scan.found) * _DENSE > len(t)
    marks = sentences.Marks(t) if dense else None
    basis_s0, basis = -1, False  # the clause start last asked whether it is a "Căn cứ" item, and the answer
    trig = False
    starts: list[int] | None = None  # where every reference begins (`relation.after`: a list before its verb)
    scope_titles = scan.k.scope_titles
    scope: list[tuple[int, int]] | None = None  # the scope articles still ahead (`_scope_articles`), read when first asked
    for f in scan.found:
        if f.kind == "self":
            f.relation = None  # the citing document itself: the subject of the verb, not its object
            continue
        pos = f.lead or f.start
        if 0 <= last_pos <= pos and pos - last_pos < CLAUSE_LOOKBACK:
            # only the text since the last reference can hold a new boundary (keeps long runs linear)
            back = pos - last_pos + 4
            # the sentence's own start (asked below) first when its window is the wider: the start in the
            # stretch since the last reference is then known from it, mostly (`sentence_start`'s last answer);
            # with nothing starting a sentence since the last reference, both are known from the last one's (`starts_since`)
            wide = -1
            since = starts_since(t, pos, last_pos, last_wide, back, marks) if back < LEAD and last_wide >= 0 else None
            if since is not None:
                wide, s0 = since
            else:
                if back < LEAD:
                    wide = sentence_start(t, pos)
                s0 = sentence_start(t, pos, back)
            if s0 == (pos - back if pos > back else 0):
                s0 = pos - CLAUSE_LOOKBACK if pos - CLAUSE_LOOKBACK > last_s0 else last_s0
        else:
            wide = -1
            s0 = sentence_start(t, pos, CLAUSE_LOOKBACK)
        last_pos, last_s0 = pos, s0
        same = prev is not None and s0 == prev_sent
        p = (prev.start, prev.tail or prev.end, prev.relation or "cites") if same else None
        listed = same and top is not None and top != p[2]  # a new item may take the list's first relation
        if not listed:
            if s0 != basis_s0:
                basis = basis_item(t, s0)
                basis_s0 = s0
            if not basis:
                lo = pos - LEAD if pos - LEAD > s0 else s0
                if not trig_lo <= lo or pos > trig_free:
                    trig_lo, trig_free = lo, free_of_triggers(t, lo, pos)
                trig = pos > trig_free
        if not listed and not basis and not trig:
            # no verb before it (most dense references): what `decide` gives without one, without its call
            rel, decided = (p[2], True) if same else ("cites", False)
        else:
            rel, decided = decide(t, pos, s0, p, top if same else None, basis if basis_s0 == s0 else None,
                                  None if listed or basis else trig)
        s_end = sentence_end(t, f.end, marks=marks)
        if (not decided and not same and top in ("based_on", "implements") and not t[s0:pos].strip()
                and t[max(0, s0 - 4) : s0].rstrip().endswith(";") and sentence_start(t, max(0, s0 - 3), CLAUSE_LOOKBACK) == prev_sent):
            # "Căn cứ A ... ;\nB ...;", "Thực hiện A ...;\nB ...": B is the next item of the same list
            rel, decided = top, True
        if not decided:
            # nothing before it decides: a list heading ("Bãi bỏ các văn bản sau:") or a verb after it
            end = f.tail or f.end
            h = heading(t, pos)
            if h is None:
                v_end = s_end
                if s_end - f.end >= SENTENCE_REACH:
                    # the sentence runs on past the window: when a verb's first word stands further on, it may be the
                    # verb of a list of long titles ("X ... ; Y ... hết hiệu lực"). Only then is the sentence read
                    # further (a dense text's long sentences, bait of issue 14, would read 1,200 characters for every
                    # reference), and the look-up's last answer covers the next references up to where it reached
                    reach = f.end + AFTER_REACH
                    if not (ext_lo <= s_end and reach <= ext_free):
                        ext_lo, ext_free = s_end, free_of_after(t, s_end, reach)
                    if reach > ext_free:
                        v_end = sentence_end(t, f.end, AFTER_REACH, marks)
                if not after_lo <= end or v_end > after_free:
                    after_lo, after_free = end, free_of_after(t, end, v_end)
                if v_end > after_free:
                    if starts is None:  # asked of a few references a text: made at the first
                        starts = sorted({g.start for g in scan.found} | {g.lead for g in scan.found if g.lead})
                    h = after(t, s0, end, v_end, starts)
            rel = h or rel
        if not decided and rel == "cites" and scope_titles:
            # "Điều 1. Phạm vi điều chỉnh / Quyết định này quy định ... theo quy định tại khoản 3 Điều 87 Luật X":
            # the document is the regulation X's provisions call for
            if scope is None:
                scope = _scope_articles(t, scope_titles)
            while scope and scope[0][1] <= pos:
                scope.pop(0)
            says, before = _scope_patterns()
            if (scope and scope[0][0] <= pos and before.search(t, pos - 40 if pos > 40 else 0, pos)
                    and says.search(t, s0, pos)):
                rel = "guides"
        if lists_only and rel in effects:
            rel = "cites"  # "Quyết định công bố danh mục văn bản ... hết hiệu lực" repeals nothing itself
        if listing and rel != "based_on":
            rel = "lists"
        f.relation = rel
        if rel in partial_effects:
            lo = max(s0, (prev.tail or prev.end) if same else 0, t.rfind(";", s0, pos) + 1)
            f.partial = relation.partial(t, min(lo, pos), pos, bool(f.pinpoint))
        if not same:
            top = rel
        last_wide = wide if wide >= 0 else sentence_start(t, pos)
        if last_wide != last_bounds[0] or s_end != last_bounds[1]:  # references of one sentence share its text
            last_bounds = (last_wide, s_end)
            last_sentence = one_line_of(t, last_wide, s_end, _BLOCK if dense else 0)
        f.sentence = last_sentence
        prev, prev_sent = f, s0
    doc = scan.document  # a plan's "thực hiện ... theo X" and its footnoted directing documents
    mark_directing(t, scan.found, local=doc is not None and context.is_local_body(doc.issuer))


#: references are dense (`_classify_relations` reads the text whole first) past one every this many characters: the
#: bait families of issue 14 hold one every 19-48, the corpus's texts one every 155 or more (there the scan of the
#: whole text cost about what the look-ups it answers saved: +0.4% instructions over every 5th file with 256)
_DENSE = 100
#: how far past a dense reference's sentence `one_line_of` reads on at once
_BLOCK = 512


_QUOTE = re.compile(r"“[^“”]{1,20000}”")
_QUOTED_ARTICLE = re.compile(r"Điều\s{1,3}(\d{1,3}[a-z]?)\s{0,2}\.")
_BODY_START = re.compile(r"\n[ \t]*(?:Căn\s+cứ|Điều\s+1\s*\.)")


def _quoted_and_consolidated(scan: _Scan) -> None:
    """Who "Nghị định này" / "Điều này" stands for where it is not the citing document (issue 9, point 9):
    inside text an amending document quotes ("Sửa đổi khoản 1 Điều 30 như sau: “... Nghị định này ...”") it is
    the amended instrument; in a consolidated text (VBHN) the consolidated one, named in its heading (whose
    instruments it `consolidates`), and inside a footnote's quotation the instrument quoted."""
    t, k, document = scan.t, scan.k, scan.document
    dtype = k.doc_type(code=document.type_code, name=document.type) if document is not None else None
    consolidated = dtype is not None and dtype.family == "consolidated"
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(t)] if "“" in t else []
    if not quotes and not consolidated:
        return
    principal: Found | None = None
    if consolidated:
        body = _BODY_START.search(t)
        head_end = body.start() if body else 0
        for f in scan.found:
            if f.start >= head_end:
                break
            before = t[max(0, f.start - 200) : f.start].rstrip()
            opens = not t[t.rfind("\n", 0, f.start) + 1 : f.start].strip()
            if f.kind == "numbered" and opens and (principal is None or before.endswith((":", ";", "."))):
                # the consolidated instrument (first in the heading) and those listed after "được sửa đổi, bổ sung bởi:"
                f.relation = "consolidates"
                principal = principal or f
    qstarts = [a for a, _ in quotes]
    fstarts = [g.start for g in scan.found]  # in text order: where to begin looking for the quoted instrument
    last: Found | None = None
    for f in scan.found:
        i = bisect_right(qstarts, f.start) - 1
        inside = i >= 0 and f.start < quotes[i][1]
        if (inside and not consolidated and f.kind != "self" and f.relation in relation.EFFECTS
                and (f.lead or f.start) - quotes[i][0] > 20):
            f.relation = "cites"  # a verb in the quoted wording of the amended instrument is not this document's
        if f.kind != "self":
            if f.kind in ("numbered", "named") and (f.relation == "amends" or consolidated):
                last = f
            continue
        provision = t.startswith(("Điều", "Chương"), f.start)  # "Điều này", "Chương này"
        if not provision and consolidated and f.type == dtype.name:
            continue  # "Văn bản hợp nhất này": the consolidated text itself
        src = None
        if inside:
            # the quoting instrument: the last one before the quotation that it amends (any one in a VBHN's notes)
            q0 = quotes[i][0]
            if consolidated:  # a footnote: "Thông tư số 09/2021 ... quy định như sau: “...”" quotes that circular
                s0 = sentence_start(t, max(0, q0 - 4), CLAUSE_LOOKBACK)  # before the ":" that opens the quotation
                between = takewhile(lambda g: g.start < q0, islice(scan.found, bisect_left(fstarts, s0), None))
                src = next((g for g in between if g.kind == "numbered" and g.number), None)
            else:
                before = (scan.found[j] for j in range(bisect_left(fstarts, q0) - 1, -1, -1))
                src = next((g for g in before if g.kind in ("numbered", "named")
                            and g.relation == "amends" and g.number), None) if last else None
                if src is None and provision:
                    # a letter quoting a decree: the quotation's "Nghị định này" says whose article "Điều này" is
                    inner = takewhile(lambda g: g.start < quotes[i][1], islice(scan.found, bisect_left(fstarts, q0), None))
                    src = next((g for g in inner if g.kind == "short" and g.family == "this" and g.target), None)
        elif consolidated and principal is not None:
            src = principal
        if src is None:
            continue
        pins = f.pinpoint
        if inside and pins and provision:
            m = None
            for m in _QUOTED_ARTICLE.finditer(t, quotes[i][0], f.start):
                pass
            pins = [Pinpoint(article=m.group(1) if m else None, clause=p.clause, point=p.point) for p in pins]
        shortforms.copy_target(f, src)
        f.kind, f.relation, f.pinpoint = "short", "cites", pins


#: The passes of `find_references`, in the order they run; each reads and updates one `_Scan`.
PASSES = (
    _find_numbered,
    _find_named,
    _trim_names,
    _find_from_anchors,
    _drop_duplicates,
    _read_beside,
    _bind_bare_names,
    _place_mentions,
    _bind_short_forms,
    _classify_relations,
    _quoted_and_consolidated,
)


#: `Reference`'s fields in the order `_references` passes them (positionally: a call naming 16 keywords took longer
#: than the rest of the record's making, ~1.7 µs a reference; dense bait holds 20-40k a MB, issue 14)
_REFERENCE_FIELDS = ("start", "end", "text", "kind", "type", "type_code", "number", "year", "date", "issuer", "name",
                     "relation", "pinpoint", "target", "sentence", "partial")
assert tuple(f.name for f in fields(Reference))[: len(_REFERENCE_FIELDS)] == _REFERENCE_FIELDS, "Reference's fields moved"


def _references(found: list[Found], text: str, ot: OffsetText, skip: Iterable[tuple[int, int]],
                body: CutText) -> list[Reference]:
    """The public references, with offsets into `text` as given (from the cut `body`, through the NFC view),
    leaving out those that start in a `skip` range."""
    skips = sorted(skip)
    skip_starts = [a for a, _ in skips]
    out: list[Reference] = []
    append = out.append
    to_original = None if ot.identity else ot.to_original
    to_nfc = None if body.identity else body.to_source
    partial_effects = relation.PARTIAL_EFFECTS
    for f in found:
        start, end = (f.start, f.end) if to_nfc is None else (to_nfc(f.start), to_nfc(f.end))
        if to_original is not None:
            start, end = to_original(start), to_original(end)
        if skips:
            i = bisect_right(skip_starts, start) - 1
            if i >= 0 and start < skips[i][1]:
                continue
        rel = f.relation
        append(Reference(start, end, text[start:end], f.kind, f.type, f.type_code, f.number, f.year, f.date, f.issuer,
                         f.name, rel, f.pinpoint, f.target, f.sentence, f.partial if rel in partial_effects else False))
    return out
