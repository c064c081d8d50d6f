"""The shortcuts that keep dense references cheap (issue 14) give what the long way gives, on random text.

`one_line_of` against `one_line`; sentence bounds read while the stretches known free of marks carry over from
reference to reference (as the passes walk a text) against the same bounds read afresh; and the trigger lookup
of the relation rules: where it says no trigger's first word is near, the masked lead holds no trigger."""

from __future__ import annotations

import random
import re
import sys
from bisect import bisect_left

import pytest

from kgraph.extract import relation, sentences
from kgraph.extract.context import _BEFORE_MADE, _BEFORE_OF
from kgraph.extract.normalize import DASH_CLASS, one_line, one_line_of

# The patterns the shortcuts replaced, kept here as the oracles they are checked against.
#: a digit, blanks, a separator, blanks (a line break), a code's capital: `finders._separators_before_code`'s matches
_SEPARATOR_BEFORE_CODE = re.compile(r"\d[ \t]{0,2}(?:/|" + DASH_CLASS + r")[ \t]{0,2}(?:\r?\n[ \t]{0,2})?[A-ZĐ]")
#: the issuer before a designation, both branches in one search: `context._before`'s answer
_BEFORE = re.compile(_BEFORE_OF.pattern + "|" + _BEFORE_MADE.pattern)
#: a base character and its combining marks: the clusters `normalize.OffsetText` composes
_COMBINING = re.compile(r"[^\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f][\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

WORDS = ["Căn cứ", "theo", "Theo đề nghị", "Luật", "Đất", "đai", "sửa đổi", "bổ sung", "hết hiệu lực", "bị bãi bỏ",
         "THEO", "xét", "Nghị định số 1/2020/NĐ-CP", "có hiệu lực thi hành", "quy định tại", "a)", "1.", "Điều 2."]
SEPS = [" ", " ", " ", "  ", ". ", ".\n", ";\n", "; ", ", ", "\n", "\n\n", ":\n", " \n", "\t", "\u00a0", "\u2003", "? ", ""]


def _text(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice(WORDS) + rnd.choice(SEPS) for _ in range(n))


@pytest.mark.parametrize("seed", range(3))
def test_one_line_of_is_one_line_of_the_slice(seed: int) -> None:
    rnd = random.Random(seed)
    text = _text(rnd, 3000)
    for _ in range(2000):
        a = rnd.randrange(len(text))
        b = min(len(text), a + rnd.randrange(1, 200))
        assert one_line_of(text, a, b) == one_line(text[a:b])


@pytest.mark.parametrize("seed", range(3))
def test_one_line_of_reading_ahead_is_one_line_of_the_slice(seed: int) -> None:
    """Windows walked forward as the relation pass walks dense references, the stretch known single-spaced read a
    block past each window (`ahead`): each answer is still the slice's one line."""
    rnd = random.Random(seed)
    text = _text(rnd, 3000).replace("\n", " ") if seed else _text(rnd, 3000)
    a = 0
    while a < len(text) - 1:
        a = min(len(text) - 1, a + rnd.randrange(0, 8))
        b = min(len(text), a + rnd.choice([rnd.randrange(1, 12), rnd.randrange(1, 600)]))
        assert one_line_of(text, a, b, rnd.choice([0, 64, 512])) == one_line(text[a:b]), (a, b)


def _fresh(f, *args):
    sentences._BEHIND = sentences._AHEAD = (None, 0, 0)
    sentences._LAST = sentences._LAST_END = (None, -1, -1, -1)
    return f(*args)


@pytest.mark.parametrize("seed", range(4))
def test_sentence_bounds_read_on_a_walk_are_those_read_afresh(seed: int) -> None:
    """Positions in text order with small steps and some jumps back (other passes), long runs with no mark
    (seed 2 and 3: few marks, so the stretches grow long)."""
    rnd = random.Random(seed)
    seps = SEPS if seed < 2 else [" "] * 60 + SEPS
    text = "".join(rnd.choice(WORDS) + rnd.choice(seps) for _ in range(4000))
    walk, pos = [], 0
    while pos < len(text) - 1:
        pos = max(0, pos - rnd.randrange(600)) if rnd.random() < 0.05 else pos + rnd.randrange(1, 60)
        walk.append(min(pos, len(text) - 1))
    got = []
    for p in walk:
        got.append((sentences.sentence_start(text, p), sentences.sentence_start(text, p, sentences.CLAUSE_LOOKBACK),
                    sentences.sentence_start(text, p, 40), sentences.sentence_end(text, p)))
    want = [(_fresh(sentences.sentence_start, text, p), _fresh(sentences.sentence_start, text, p, sentences.CLAUSE_LOOKBACK),
             _fresh(sentences.sentence_start, text, p, 40), _fresh(sentences.sentence_end, text, p)) for p in walk]
    assert got == want
    # the end asked with the text's marks read first (dense references): the same, the bisect answering most
    marks = sentences.Marks(text)
    assert [sentences.sentence_end(text, p, marks=marks) for p in walk] == [w[3] for w in want]


@pytest.mark.parametrize("seed", range(4))
def test_a_start_asked_again_with_another_lookback_is_the_one_read_afresh(seed: int) -> None:
    """One position asked several times in a row with lookbacks in random order (the last start found answers
    the next when it lies far enough into both windows), some reaching just past a mark or an opener."""
    rnd = random.Random(seed)
    seps = SEPS if seed < 2 else [" "] * 60 + SEPS
    text = "".join(rnd.choice(WORDS) + rnd.choice(seps) for _ in range(3000))
    pos, asked = 0, 0
    while pos < len(text) - 1:
        pos = min(len(text) - 1, pos + rnd.randrange(1, 60))
        for back in rnd.sample([1, 3, 5, 8, 9, 10, 12, 17, 40, 200, sentences.LEAD, sentences.CLAUSE_LOOKBACK], 5):
            assert sentences.sentence_start(text, pos, back) == _fresh(sentences.sentence_start, text, pos, back), (pos, back)
            sentences.sentence_start(text, pos, rnd.choice([4, 30, 500]))  # what the next call finds remembered
            asked += 1
    assert asked > 1000


@pytest.mark.parametrize("seed", range(4))
def test_starts_known_from_the_last_reference_are_those_read_afresh(seed: int) -> None:
    """`starts_since`, asked as the relation pass asks it (each position after the last, the sentence's start there
    known): where it answers, both starts are those read afresh; and it answers often (dense references)."""
    rnd = random.Random(seed)
    seps = SEPS if seed < 2 else [" "] * 60 + SEPS
    text = "".join(rnd.choice(WORDS) + rnd.choice(seps) for _ in range(3000))
    last, answered, asked = 0, 0, 0
    marks = sentences.Marks(text)
    last_start = _fresh(sentences.sentence_start, text, last)
    while last < len(text) - 1:
        pos = min(len(text) - 1, last + rnd.choice([1, 2, 3, 4, 5, 8, 12, 20, 40, 90]))
        back = pos - last + 4
        got = sentences.starts_since(text, pos, last, last_start, back)
        # with the text's marks read first (dense references) the same answer, by a bisect
        assert sentences.starts_since(text, pos, last, last_start, back, marks) == got, (pos, last, back)
        want = (_fresh(sentences.sentence_start, text, pos), _fresh(sentences.sentence_start, text, pos, back))
        if got is not None:
            assert got == want, (pos, last, back)
            answered += 1
        asked += 1
        last, last_start = pos, want[0]
    assert answered > asked // 5


@pytest.mark.parametrize("seed", range(3))
def test_no_trigger_where_the_lookup_says_none_starts(seed: int) -> None:
    rnd = random.Random(seed)
    text = _text(rnd, 3000).replace("Căn cứ", "Căn  cứ") + "".join(rnd.choice(["x", " ", "ab"]) for _ in range(5000))
    tb = relation._tables()
    said_no = 0
    pos = 0
    while pos < len(text) - 1:
        pos = max(0, pos - rnd.randrange(800)) if rnd.random() < 0.05 else pos + rnd.randrange(1, 80)
        pos = min(pos, len(text) - 1)
        lo = max(0, pos - rnd.choice([20, 80, 500]))
        free = tb.may_start.free_until(relation._TRIGGERS, text, lo, pos)
        if free >= pos:
            said_no += 1
            lead = relation._mask(tb, text[lo:pos])
            assert not list(tb.trig.finditer(lead)), (lo, pos, lead)
        # the answer holds for every later window inside it (what the relations pass reuses it for)
        lo2 = rnd.randint(lo, pos)
        hi2 = rnd.randint(lo2, max(lo2, min(free, len(text))))
        assert not list(tb.trig.finditer(relation._mask(tb, text[lo2:hi2]))), (lo, free, lo2, hi2)
        if hi2 <= free and hi2 < len(text):
            assert tb.may_start.free_until(relation._TRIGGERS, text, lo2, hi2) >= hi2
        hi = min(len(text), pos + rnd.choice([10, 100, 400]))
        if tb.may_start.free_until(relation._AFTER, text, pos, hi) >= hi:
            assert tb.after.search(relation._mask(tb, text[pos:hi])) is None
    assert said_no > 10  # the lookup does answer no (the test would prove nothing otherwise)


def _numbers_trying_every_run(t: str) -> list[tuple[int, int, str | None]]:
    """`finders._number_matches` without its skip: the number pattern tried from every digit run before a separator."""
    from kgraph.extract import finders

    number, out, last_end = finders._patterns()["number"], [], 0
    for h in _SEPARATOR_BEFORE_CODE.finditer(t):
        p = h.start()
        if p < last_end:
            continue
        for c in finders._DIGIT_RUN.finditer(t, max(last_end, p - 30), p):
            m = number.match(t, c.start())
            if m and m.end() > p:
                out.append((m.start(), m.end(), m.lastgroup))
                last_end = m.end()
                break
    return out


@pytest.mark.parametrize("seed", range(3))
def test_digit_runs_skipped_start_no_number(seed: int) -> None:
    """The digit runs `_number_matches` does not try (followed by a sign no number goes on with) give the numbers
    trying every run gives: on random strings of digits, separators, codes and spaces, and on the loose-number bait."""
    from kgraph.extract import finders

    rnd = random.Random(seed)
    alphabet = list("0123456789") * 3 + list(" /-–.\n\ta,x") + ["số ", "Số", "/20", "-CP", "NĐ", "QH", "TTg", "  ", "\r\n"]
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 60))) for _ in range(4000)]
    texts.append("Nghị định " + " ".join(str(n) for n in range(20)) + " - ABC - DEF / " * 3 + "\n"
                 + "số 12 15/2016/NĐ-CP, 7 08 a/QĐ-UBND và 3 4-NQ/TW")
    found = 0
    for t in texts:
        want = _numbers_trying_every_run(t)
        assert [(m.start(), m.end(), m.lastgroup) for m in finders._number_matches(t)] == want, t
        found += bool(want)
    assert found > 50  # the strings do hold numbers


@pytest.mark.parametrize("seed", range(3))
def test_separators_found_per_character_are_the_pattern_s(seed: int) -> None:
    """`_separators_before_code` (one literal-led scan per separator, merged) gives the starts of the one pattern
    with a digit first, on random strings of digits (other scripts' too), blanks, separators, codes and line breaks."""
    from kgraph.extract import finders

    rnd = random.Random(seed)
    alphabet = list("0123456789") * 3 + list(" /-–—−\uff0d.\n\ta,xĐA") + ["số ", "/20", "-CP", "NĐ", "  ", "\r\n", "\u0663"]
    found = 0
    for _ in range(5000):
        t = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        want = [m.start() for m in _SEPARATOR_BEFORE_CODE.finditer(t)]
        assert finders._separators_before_code(t) == want, t
        found += len(want)
    assert found > 500


@pytest.mark.parametrize("seed", range(3))
def test_self_provisions_found_from_nay_are_the_pattern_s(seed: int) -> None:
    """"Điều này" / "Chương này" found from each "này" are the matches of the pattern reading them forwards."""
    import re

    from kgraph.extract import finders

    forwards = re.compile(r"(Điều|Chương)\s{1,3}này(?!\w)")
    rnd = random.Random(seed)
    parts = ["Điều", "Chương", "này", "nàyx", " ", "  ", "\n", "\t", "\u00a0", "x", "1", "ĐiềuChương", "Điều\n"]
    found = 0
    for _ in range(5000):
        t = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 14)))
        want = [(m.start(), m.end(), m.group(1)) for m in forwards.finditer(t)]
        assert list(finders._self_provisions(t, finders._patterns())) == want, t
        found += len(want)
    assert found > 100


def test_no_chain_holds_what_the_pinpoint_cut_stops_at() -> None:
    """The characters `_chain_before` starts after (the last of them in its window) are read by none of `_CHAIN`'s
    parts, in any case: a chain ending the window cannot hold one, so no start before it can match."""
    import re

    from kgraph.extract import pinpoint

    parts = re.compile(r"[a-zđ]|\d|\s|[,;\-]|[IVXLC]|[" + re.escape(pinpoint._CHAIN_LETTERS) + "]", re.IGNORECASE)
    both = [c for c in map(chr, range(0x30000)) if pinpoint._NOT_IN_CHAIN.match(c) and parts.match(c)]
    assert both == []
    words = "các điểm khoản điều từ đến tới chương của tại thuộc trong và hoặc"
    assert all(not pinpoint._NOT_IN_CHAIN.search(w) for w in (words, words.upper(), "IVXLC 12a, b; 3 - 4"))
    assert pinpoint._NOT_IN_CHAIN.search("định") and pinpoint._NOT_IN_CHAIN.search("số.")


@pytest.mark.parametrize("seed", range(3))
def test_body_before_from_the_branches_is_the_whole_pattern_s(seed: int) -> None:
    """`context._before` (each branch of `_BEFORE` searched apart, only where its ending is, from after the last
    character it cannot hold) gives the body span of the leftmost match of the whole pattern, on random phrases."""
    from kgraph.extract import context

    rnd = random.Random(seed)
    parts = ["của ", "với ", "Sở Y tế ", "tại ", "theo ", "Công văn ", "đã ", "ban hành ", "phê duyệt ", "ban  hành",
             ", ", ". ", "; ", "(", ")", ":", "\n", " ", "x", "Ủy ban nhân dân tỉnh ", "số 12 "]
    found = 0
    for _ in range(20000):
        t = "".join(rnd.choice(parts) for _ in range(rnd.randint(1, 25)))
        start = len(t) - rnd.randint(0, 3)
        lo = max(0, start - 140)
        m = _BEFORE.search(t, lo, start)
        want = None if m is None else m.span("body") if m.group("body") is not None else m.span("body2")
        assert context._before(t, lo, start) == want, t
        found += want is not None
    assert found > 300


@pytest.mark.parametrize("seed", range(3))
def test_nothing_beside_where_the_precheck_says_so(seed: int) -> None:
    """Where `MAY_BESIDE` does not match right after a reference, `beside` finds no date and no issuer there (and
    ends where it began): on random phrases of dates, bodies and what else follows references, in any case, after
    runs of blanks and brackets of every length around the precheck's limit."""
    from kgraph.extract import context

    rnd = random.Random(seed)
    parts = ["ngày 24 tháng 5 năm 2018", "NGÀY 04/9/2025", "ngày 1/1/2020", "được ", "ĐƯỢC  ", "đã ", "Đã ", "ban hành ",
             "BAN HÀNH ", "ký ", "Ký ", "của ", "Của ", "CỦA ", "Bộ Tài chính", "Chính phủ", "Ủy ban nhân dân tỉnh Hà Tĩnh",
             "và ", ", ", "(", " ", "  ", "\t", "\n", "Nghị định ", "ngà", "bản ", "kỳ ", "cua ", "Thủ tướng Chính phủ",
             "2018", "; ", "x"]
    kept = found = 0
    for _ in range(6000):
        t = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 12)))
        for pos in range(len(t) + 1):
            got = context.beside(t, pos, "tỉnh Hà Tĩnh", joint=bool(pos % 2))
            if context.MAY_BESIDE.match(t, pos, pos + 10) is None:
                assert (got.date, got.issuer, got.end) == (None, None, pos), (t, pos)
                kept += 1
            else:
                found += got.date is not None or got.issuer is not None
    assert kept > 10000 and found > 1000


@pytest.mark.parametrize("seed", range(3))
def test_mark_runs_with_their_base_are_the_combining_matches(seed: int) -> None:
    """`OffsetText` composes each run of combining marks with the character before it: the spans `_COMBINING` (a
    base, then marks) finds, on random decomposed text (marks opening it, marks after marks, after line breaks)."""
    from kgraph.extract import normalize

    rnd = random.Random(seed)
    parts = ["a", "e", "\u0300", "\u0301", "\u0323", "\u0302\u0301", "\u1dc0", "\ufe20", " ", "\n", "Đ", "\u20d0"]
    found = 0
    for _ in range(5000):
        t = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 20)))
        want = [m.span() for m in _COMBINING.finditer(t)]
        assert [(r.start() - 1, r.end()) for r in normalize._MARK_RUN.finditer(t) if r.start()] == want, t
        found += len(want)
    assert found > 1000


def test_found_makers_are_the_keyword_records() -> None:
    from kgraph.extract.found import Found, named_found, numbered_found, short_found

    assert numbered_found(3, 9, "NĐ", "1/2020/NĐ-CP", 2020, "state", ["CP"]) == Found(
        start=3, end=9, kind="numbered", type_code="NĐ", number="1/2020/NĐ-CP", year=2020, family="state", issuer_codes=["CP"])
    assert named_found(1, 5, "Luật Đất đai", "Luật", True) == Found(start=1, end=5, kind="named", name="Luật Đất đai",
                                                                    type="Luật", encloses=True)
    assert short_found(2, 4, "Nghị định") == Found(start=2, end=4, kind="short", type="Nghị định")


@pytest.mark.parametrize("seed", range(4))
def test_mark_starts_are_every_position_a_mark_or_opener_starts(seed: int) -> None:
    """`mark_starts`, one scan of the text, holds every position where a mark or opener matches, those starting inside
    another's match (".\\n\\n") too: the relation pass bisects it for whether a sentence began since the last reference."""
    rnd = random.Random(seed)
    text = _text(rnd, 3000)
    pat = sentences._any_start()[0]
    want = [i for i in range(len(text)) if pat.match(text, i)]
    got = sentences.mark_starts(text)
    assert got == want
    assert any(text.startswith("\n", i) and text.startswith((".\n", ";\n", ":\n"), i - 1) for i in got)  # hidden ones met



@pytest.mark.parametrize("seed", range(4))
def test_marks_walked_give_the_first_mark_a_bisect_gives(seed: int) -> None:
    """`Marks.first`, asked as the relation pass asks it (on a few characters at a time, now and then back to an earlier
    reference, or far on past many marks): the first mark or opener from each position, as a bisect of `mark_starts`
    finds it, and `sys.maxsize` past the last one."""
    rnd = random.Random(seed)
    text = _text(rnd, 3000)
    starts = sentences.mark_starts(text)
    marks = sentences.Marks(text)
    x, moves = 0, set()
    for _ in range(20000):
        r = rnd.random()
        step = (-rnd.randrange(1, 40) if r < 0.2 else rnd.randrange(200, 3000) if r < 0.25
                else -rnd.randrange(200, 3000) if r < 0.3 else rnd.randrange(0, 12))
        x = min(len(text) + 5, max(0, x + step))
        i = bisect_left(starts, x)
        want = starts[i] if i < len(starts) else sys.maxsize
        before = marks.i
        assert marks.first(x) == want, x
        moves.add(max(-2, min(2, marks.i - before)))
    assert moves == {-2, -1, 0, 1, 2}  # stayed, one back, one on, and bisects both ways were all tried



@pytest.mark.parametrize("seed", range(3))
def test_a_lead_read_again_is_the_lead_read_afresh(seed: int) -> None:
    """`relation._lead_triggers` keeps what `decide` reads of a lead (masked, and the triggers opening a word or the
    lead) by the lead's text: on random leads, many met again and some gluing a trigger to the word before it, its
    answer is the masked lead and the word-opening matches of the trigger pattern."""
    rnd = random.Random(seed)
    text = _text(rnd, 3000)
    tb = relation._tables()
    relation._lead_triggers.cache_clear()
    glued = 0
    for _ in range(3000):
        a = rnd.randrange(len(text))
        lead = text[a : a + rnd.choice([0, 5, 40, 120, 300])] if rnd.random() < 0.7 else text[a - a % 50 : a - a % 50 + 80]
        low = relation._mask(tb, lead)
        every = [(m.start(), m.group(1)) for m in tb.trig.finditer(low)]
        want = [(i, g) for i, g in every if not (i and low[i - 1].isalnum())]
        glued += len(every) - len(want)
        got_low, got = relation._lead_triggers(lead)
        assert got_low == low and [(m.start(), m.group(1)) for m in got] == want, lead
    assert glued and relation._lead_triggers.cache_info().hits > 500


_LINES = ["Căn cứ Luật Đất đai số 31/2024/QH15, được sửa đổi, bổ sung bởi Luật số 43/2024/QH15;\n",
          "Nghị định số {i}/2016/NĐ-CP; Nghị định {i} quy định.\n", "Luật Đất đai, Bộ luật Dân sự và Luật Ngân sách nhà nước; ",
          "Bãi bỏ các văn bản sau:\na) Thông tư số {i}/2019/TT-BTC;\n", "Nghị định số {i}/2018/NĐ-CP hết hiệu lực kể từ ngày ký. ",
          "Luật số {i}/2013/QH13 (sau đây gọi là Luật Thuế); Luật Thuế áp dụng.\n", "theo quy định tại Điều 5 Nghị định số {i}/2015/NĐ-CP, ",
          "Thực hiện Kế hoạch số {i}/KH-UBND; ", "sửa đổi Thông tư số {i}/2020/TT-BCA và thay thế Quyết định số {i}/QĐ-TTg. "]


@pytest.mark.parametrize("seed", range(6))
def test_relations_of_dense_references_are_those_of_sparse_ones(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The relation pass reads a text of dense references whole first (`citations._DENSE`) and answers most look-ups
    by a bisect: every reference's relation, sentence and partial flag are those the look-ups give one by one."""
    from dataclasses import asdict

    from kgraph.extract import citations, extract

    rnd = random.Random(seed)
    head = "CHÍNH PHỦ\nSố: 1/2020/NĐ-CP\nHà Nội, ngày 01 tháng 01 năm 2020\nNGHỊ ĐỊNH\nVề thử nghiệm\n"
    text = head + "".join(rnd.choice(_LINES).format(i=i + 1) + rnd.choice(["", "", " ", "\n", rnd.choice(WORDS) + " "])
                          for i in range(600))
    out = {}
    for dense in (False, True):
        monkeypatch.setattr(citations, "_DENSE", 10**9 if dense else 0)
        out[dense] = [asdict(r) for r in extract(text).references]
    assert len(out[True]) > 600
    assert out[True] == out[False]
    assert len({r["relation"] for r in out[True]}) >= 4  # the verbs were met, not only plain citations


def test_first_words_hidden_inside_another_tables_word_are_seen() -> None:
    """The look-up reads both tables' first words with one pattern: a word of one table that opens inside a match of
    the other's ("thựchấm": "chấm", a verb after a reference, at the "c" of the trigger word "thực") still counts."""
    tb = relation._tables()
    ms = tb.may_start
    tables = (tb.table, tb.after_table)
    firsts = [{p.split()[0].lower() for p in t} for t in tables]
    texts = []
    for w in set().union(*firsts):
        for j in range(1, len(w)):
            for fs in firsts:
                for x in fs:
                    if x.startswith(w[j:]) or w[j:].startswith(x):
                        texts.append("ab " + w[:j] + x + " ab")
    assert any("thựchấm" in t for t in texts)
    for text in texts:
        ms.free_until(0, text, 0, len(text))  # the whole text read in one piece (a later read could begin inside w)
        for k, fs in enumerate(firsts):
            for q in range(len(text)):
                if any(text.startswith(x, q) for x in fs):
                    assert ms.free_until(k, text, q, q + 1) <= q, (text, k, q)


def _extended_by_walk(named: list, t: str) -> list[tuple[int, str]]:
    """`names.extend_to_cited` as it was before its look-up by the whole name: every name's words walked (the oracle)."""
    from kgraph.extract import context
    from kgraph.extract.names import _WORD

    cited = {f.name.casefold() for f in named if f.name and (f.number or f.year or context.date_after(t, f.end)[0])}
    out = [(f.end, f.name) for f in named]
    if not cited:
        return out
    most = max(k.count(" ") for k in cited) + 1
    for j, f in enumerate(named):
        if not f.name or f.number or f.year or f.name.casefold() in cited:
            continue
        key, best, pos = "", None, f.start
        for _ in range(most + 2):
            m = _WORD.match(t, pos)
            if not m:
                break
            w = m.group(1).casefold()
            key = key + w if w == "," or not key else f"{key} {w}"
            pos = m.end()
            if key in cited and len(key) > len(f.name):
                best = pos
            if not any(c.startswith(key) for c in cited):
                break
        if best is not None:
            out[j] = (best, one_line(t[f.start : best]))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_extend_to_cited_by_the_whole_name_is_the_walk(seed: int) -> None:
    """A name no cited name begins with is passed over by one look-up of the whole name (when the text writes it as
    the walk keys it); names written otherwise (two spaces, a glued dash, a comma before a space) are walked."""
    from kgraph.extract.found import Found
    from kgraph.extract.names import extend_to_cited

    rnd = random.Random(seed)
    words = ["Luật", "Thi", "hành", "tạm", "giữ", "giam", "và", "Đất", "đai", "ở11", "ẞẞẞ", "x"]
    seps = [" ", " ", " ", " ", ", ", " , ", " - ", "-", " – ", "  ", "\n", ",", "\xa0"]
    for _ in range(400):
        # a few phrases written again and again, each time with its own spaces and signs: names cut at any word of
        # one (or inside a word), the whole phrase cited with its number now and then
        phrases = [[rnd.choice(words) for _ in range(rnd.randrange(1, 7))] for _ in range(3)]
        t, named = "", []
        for _ in range(12):
            ph = rnd.choice(phrases)
            starts, ends = [], []
            for w in ph:
                starts.append(len(t))
                t += w
                ends.append(len(t))
                t += rnd.choice(seps)
            t += rnd.choice(["; ", ". ", " số 1 "])
            b = rnd.randrange(len(ph))
            end = max(starts[0] + 1, ends[b] - rnd.choice([0, 0, 0, 0, 1]))  # a name may end inside a token ("ở" of "ở11")
            span = t[starts[0] : end]
            name = rnd.choice([one_line(span), one_line(span), one_line(span), span.lower(), one_line(span).upper()])
            f = Found(start=starts[0], end=end, kind="named", name=name)
            if b == len(ph) - 1 and rnd.random() < 0.4:
                f.number = "1/2020/QH14"
            named.append(f)
        named.sort(key=lambda f: f.start)
        want = _extended_by_walk([Found(start=f.start, end=f.end, kind="named", name=f.name, number=f.number)
                                  for f in named], t)
        extend_to_cited(named, t)
        assert [(f.end, f.name) for f in named] == want, t


@pytest.mark.parametrize("seed", range(3))
def test_cited_longer_stopped_by_a_sign_is_the_long_way(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ";", "." or bracket before any digit after "và" ends the search for a longer cited name: the answer at every
    "và" of random text is the one the words read in full give (the shortcut turned off)."""
    from kgraph.extract import names

    words = ["và", "và", "cấm", "đi", "khỏi", "nơi", "cư", "trú", "Ngân", "số", "số 128/2025/QH15", "ngày 1", "năm 2019",
             "năm 20", ";", ".", "(", ")", ":", "12", "sửa đổi, bổ sung một số điều của Luật", "Đất", "đai", ","]
    seps = [" ", " ", " ", "  ", "\n", "", "\u00a0"]
    rnd = random.Random(seed)
    t = "".join(rnd.choice(words) + rnd.choice(seps) for _ in range(6000))
    spots = [m.start() for m in re.finditer(r"(?=[ \t\r\n]{1,3}và[ \t\r\n])", t)]
    short = [names._cited_longer(t, p) for p in spots]
    # an amending law's name after "và" runs through the ";" to the number that closes it: not cut by the sign
    amending = "Luật Đất đai và sửa đổi, bổ sung một số điều của Luật cư trú; Luật nơi ở số 128/2025/QH15"
    kn = amending.index(" và")
    long = names._cited_longer(amending, kn)
    monkeypatch.setattr(names, "_STOP_BEFORE_DIGIT", re.compile(r"(?!)"))
    assert short == [names._cited_longer(t, p) for p in spots]
    assert any(s is not None for s in short)
    assert long == names._cited_longer(amending, kn) == amending.index(" số 128")


def test_basis_item_first_character_check_refuses_nothing_the_pattern_matches() -> None:
    """`relation.basis_item` answers from a clause's first character before matching: for every character of the
    first 0x3000 code points opening a clause, its answer is the pattern's."""
    from kgraph.extract.relation import _BASIS_START, basis_item

    tails = ["căn cứ Luật", "ăn cứ Luật", "Căn cứ vào Nghị định", " - căn cứ Đ", "\tCĂN CỨ Luật", ""]
    for code in range(0x3000):
        c = chr(code)
        for tail in tails:
            text = "x" + c + tail
            assert basis_item(text, 1) == (_BASIS_START.match(text, 1, 41) is not None), (hex(code), tail)


@pytest.mark.parametrize("seed", range(3))
def test_no_year_or_number_after_a_name_where_the_precheck_fails(seed: int) -> None:
    """Where `MAY_FOLLOW` does not match after a name, `year_after` and `number_follows` find nothing there: on random
    phrases of years, numbers and what else follows names, in any case, after runs of blanks, commas and brackets
    of every length around the precheck's limit."""
    from kgraph.extract import context

    rnd = random.Random(seed)
    parts = ["năm 2015", "NĂM  2019", "Năm\t2020", "2015", "1998", "số 61/2020/QH14", "Số: 5", "SỐ 12", "số ", "năm ",
             "(", ",", " ", "  ", "\t", "\n", "và ", "nă", "sô ", "19", "20", "2", "21", "; ", "x", "Luật Đất đai", "ngày 1"]
    kept = found = 0
    for _ in range(6000):
        t = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 10)))
        for pos in range(len(t) + 1):
            year, number = context.year_after(t, pos), context.number_follows(t, pos)
            if context.MAY_FOLLOW.match(t, pos, pos + 12) is None:
                assert year == (None, pos) and number is None, (t, pos)
                kept += 1
            else:
                found += year[0] is not None or number is not None
    assert kept > 10000 and found > 1000


@pytest.mark.parametrize("seed", range(3))
def test_any_case_alternation_is_the_flat_alternation(seed: int) -> None:
    """The type words before a number, the form words, the known law names and the first words `MAY_FOLLOW` and
    `MAY_BESIDE` look for, grouped by first letter or digit (with and without the look-ahead for those): every
    search and match gives what the flat alternation gives."""
    from kgraph.extract import context
    from kgraph.extract.finders import _patterns
    from kgraph.extract.names import _name_regex
    from kgraph.extract.patterns import alternation, any_case_alternation, spaced
    from kgraph.knowledge import load

    k = load()
    laws = sorted({n.split(" ", 1)[1] for n in k.law_names.get("names", []) if n.startswith("Luật ")})[:300]
    lists = [([n for t in k.types for n in t.names], None), (k.named["form_words"], None), (laws, _name_regex),
             (["năm", "số", "19", "20"], None), (["ngày", "được", "đã", "ban", "ký", "của"], None)]
    rnd = random.Random(seed)
    for words, regex in lists:
        flat = alternation(words) if regex is None else "|".join(map(regex, sorted(words, key=len, reverse=True)))
        for ahead in (False, True):
            grouped = any_case_alternation(set(words) if regex is None else words, regex or spaced, ahead)
            assert grouped.startswith("(?=[") == ahead and "(?:" + flat + ")" not in grouped
            _same_matches(flat, grouped, words, rnd)
    # the finders' and the prechecks' patterns are built with it
    assert _patterns()["type_before_any_case"].pattern.startswith("(?P<word>(?=[")
    assert "(?=[" in context.MAY_FOLLOW.pattern and "(?=[" in context.MAY_BESIDE.pattern


def _same_matches(flat: str, grouped: str, words: list[str], rnd: random.Random) -> None:
    """Every match and search of `grouped` (before a number's tail) is the flat alternation's, on random text of
    `words` in random case and of characters that fold to first letters (the Kelvin sign, a long s, İ)."""
    tail = r"(?:\s{1,3}liên\s{1,3}tịch)?\s{0,3}:?\s{0,3}(?:số\s{0,3})?"
    a = re.compile(r"(?P<w>" + flat + ")" + tail, re.IGNORECASE)
    b = re.compile(r"(?P<w>" + grouped + ")" + tail, re.IGNORECASE)
    pieces = list(words) + ["1", "2", "9", "0", "\u212a", "\u017f", "\u0130", "ı", "k", "s", "i", "liên tịch", "số", "và", " ", "  ", ":", "\n"]
    for _ in range(400):
        s = "".join(rnd.choice([str.lower, str.upper, str.title, str])(rnd.choice(pieces)) + rnd.choice(["", " ", "  "])
                    for _ in range(rnd.randrange(1, 8)))
        for p in range(len(s)):
            x, y = a.match(s, p), b.match(s, p)
            assert (x and (x.span(), x.group("w"))) == (y and (y.span(), y.group("w"))), (s, p)
        x, y = a.search(s), b.search(s)
        assert (x and x.span()) == (y and y.span()), s

