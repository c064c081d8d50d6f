"""What is read once and reused per text (issue 14) gives what reading it each time gives."""

from __future__ import annotations

import random

from kgraph.extract.finders import anchors
from kgraph.extract.names import _law_name, find_named
from kgraph.extract.normalize import one_line, one_line_of
from kgraph.extract.sentences import _BOUNDARIES, sentence_end, sentence_start
from kgraph.knowledge import load

#: the same heads and words before a ";" or "." with different text after it (numbers, years, amending names,
#: a known name running on, "và" joining a longer name the text cites with its number)
_PIECES = [
    "Luật Đất đai", "Luật Đất đai số 31/2024/QH15", "Luật Đất đai năm 2013", "Bộ luật Dân sự",
    "Luật Thi hành tạm giữ, tạm giam", "Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú số 128/2025/QH15",
    "Luật sửa đổi, bổ sung một số điều của Luật Đất đai; Luật Nhà ở", "Luật An toàn thực phẩm (sửa đổi)",
    "Luật Ngân sách nhà nước", "Luật này", "Pháp lệnh Chi phí giám định, định giá; chi phí cho người làm chứng",
]
_SEPS = ["; ", ". ", ", ", " và ", ";\n", " quy định. "]


def test_named_memo_matches_reading_each_name() -> None:
    rnd = random.Random(7)
    k = load()
    for _ in range(20):
        t = "".join(rnd.choice(_PIECES) + rnd.choice(_SEPS) for _ in range(400))
        got = [(f.start, f.end, f.name, f.type, f.encloses) for f in find_named(t, k, anchors(t))]
        direct = []
        for a in anchors(t):
            if a.word in ("Luật", "Bộ luật", "luật", "Bộ Luật") and not t.startswith(" này", a.end):
                r = _law_name(t, a, k)
                if r is not None:
                    direct.append((a.start, *r[:2], r[2], r[3]))
        laws = [g for g in got if g[2].split()[0] in ("Luật", "Bộ", "luật")]
        assert laws == direct
        assert len(laws) > 300  # the memo was used: the same names repeat


def test_named_memo_hits_are_the_names_read_again(monkeypatch) -> None:
    """A block of names written again and again, now and then with one piece changed: the names found where the
    memo answers (the same head and stretch of text, compared in place; many stretches after one opening) are
    those read afresh."""
    from kgraph.extract import names

    rnd = random.Random(11)
    k = load()
    reads = {"n": 0}
    read = names._law_name

    def counted(t, a, kk, *rest):
        reads["n"] += 1
        return read(t, a, kk, *rest)

    for _ in range(6):
        block = [rnd.choice(_PIECES) + rnd.choice(_SEPS) for _ in range(12)]
        parts = []
        for _ in range(60):
            parts += [p if rnd.random() > 0.01 else rnd.choice(_PIECES) + rnd.choice(_SEPS) for p in block]
        t = "".join(parts)
        monkeypatch.setattr(names, "_law_name", counted)
        reads["n"] = 0
        got = [(f.start, f.end, f.name, f.type, f.encloses) for f in find_named(t, k, anchors(t))]
        monkeypatch.setattr(names, "_law_name", read)
        heads = [a for a in anchors(t) if a.word in ("Luật", "Bộ luật", "luật", "Bộ Luật")
                 and not t.startswith(" này", a.end)]
        direct = [(a.start, *r[:2], r[2], r[3]) for a in heads if (r := read(t, a, k)) is not None]
        assert [g for g in got if g[2].split()[0] in ("Luật", "Bộ", "luật")] == direct
        assert reads["n"] < 0.8 * len(heads)  # the memo answered a good part of them


def test_one_line_of_and_sentence_end_keep_their_answers_along_a_text() -> None:
    rnd = random.Random(3)
    for _ in range(300):
        t = "".join(rnd.choice(["a", "b", " ", " ", "\n", "\t", ".", ";", "\xad"]) for _ in range(rnd.randint(0, 80)))
        for _ in range(30):
            a = rnd.randint(0, len(t))
            b = rnd.randint(a, len(t))
            assert one_line_of(t, a, b) == one_line(t[a:b])
            end = sentence_end(t, a, 40)
            marks = [i for i in range(a, min(len(t), a + 40)) if any(t.startswith(m, i, min(len(t), a + 40))
                     for m in _BOUNDARIES)]
            assert end == (marks[0] + 1 if marks else min(len(t), a + 40))


def test_sentence_start_is_the_last_mark_ending_in_its_window() -> None:
    """Without openers, where a sentence starts is the end of the last mark lying wholly in the lookback, or the
    lookback's start; asked along a text as the passes ask (references opening a line right after a mark too)."""
    rnd = random.Random(5)
    for _ in range(300):
        t = "".join(rnd.choice(["a", "b", " ", " ", "\n", ".", ";", ":", "?"]) for _ in range(rnd.randint(0, 80)))
        for _ in range(30):
            pos = rnd.randint(0, len(t))
            back = rnd.choice([1, 3, 4, 9, 30, 500])
            lo = max(0, pos - back)
            ends = [i + len(m) for i in range(lo, pos) for m in _BOUNDARIES if t.startswith(m, i, pos)]
            assert sentence_start(t, pos, back) == max(ends, default=lo), (t, pos, back)


def test_named_memo_keys_only_names_met_before(monkeypatch) -> None:
    """A name cited once costs no memo key (distinct names paid for keys never reused); a name repeated is read
    once, not at each citation."""
    from kgraph.extract import names

    k = load()
    calls = {"window": 0, "read": 0}
    window, read = names._memo_window, names._law_name

    def counted_window(t, m):
        calls["window"] += 1
        return window(t, m)

    def counted_read(t, m, kk, *rest):
        calls["read"] += 1
        return read(t, m, kk, *rest)

    monkeypatch.setattr(names, "_memo_window", counted_window)
    monkeypatch.setattr(names, "_law_name", counted_read)
    syll = ["An", "Bình", "Cao", "Dương", "Giang", "Hà", "Khánh", "Lâm"]
    distinct = "".join(f"Luật {a} {b} {c} áp dụng; " for a in syll for b in syll for c in syll)
    found = find_named(distinct, k, anchors(distinct))
    assert len(found) == 512 and calls == {"window": 0, "read": 512}
    calls.update(window=0, read=0)
    repeated = "Luật Đất đai, Bộ luật Dân sự và Luật Ngân sách nhà nước; " * 300
    found = find_named(repeated, k, anchors(repeated))
    assert len(found) == 900 and calls["read"] < 30


def test_named_memo_tells_apart_stretches_alike_at_their_opening(monkeypatch) -> None:
    """Names whose first 80 characters after the head are the same, told apart by what their window holds further
    on (a reading that looks 200 characters ahead, as a long name or a number after "và" may): each answer is its
    own, however many share the opening."""
    from kgraph.extract import names

    rnd = random.Random(5)
    k = load()

    def reads_ahead(t, a, kk, *rest):  # a name's end that depends on the text 200 characters after the head
        return a.end + 1 + "xyz".index(t[a.end + 200]), "Luật A", "Luật", False

    monkeypatch.setattr(names, "_law_name", reads_ahead)
    opening = " A" + "b" * 100
    t = "".join("Luật" + opening + "c" * 98 + rnd.choice("xyz") + "d" * 10 + ". " + "e" * 20 + "\n" for _ in range(400))
    got = [(f.start, f.end) for f in find_named(t, k, anchors(t))]
    assert got == [(a.start, a.end + 1 + "xyz".index(t[a.end + 200])) for a in anchors(t) if a.word == "Luật"]
