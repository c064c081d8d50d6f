"""Extraction from several threads at once gives what one thread gives (the per-text caches are shared)."""

from __future__ import annotations

import dataclasses
import importlib
import sys
import threading

from kgraph.extract import extract

sentences = importlib.import_module("kgraph.extract.sentences")
normalize = importlib.import_module("kgraph.extract.normalize")
relation = importlib.import_module("kgraph.extract.relation")

_LINES = [
    "Căn cứ Nghị định số {i}/2016/NĐ-CP ngày 01/01/2016 của Chính phủ; Nghị định {i} quy định.\n",
    "Luật Đất đai số 31/2024/QH15, Quyết định số {i}/QĐ-UBND và Thông tư {i}/2020/TT-BTC nêu trên; ",
    "Bãi bỏ điểm a khoản 2 Điều {i} Nghị định số {i}/2019/NĐ-CP (sau đây gọi là Nghị định {i}). ",
]


def _text(n: int, which: int) -> str:
    head = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ\nSố: 12/KH-UBND\nKẾ HOẠCH\nVề thử nghiệm\n"
    return head + "".join(_LINES[(i + which) % len(_LINES)].format(i=i + 1) for i in range(n))


def _out(text: str) -> list[dict]:
    return [dataclasses.asdict(r) for r in extract(text).references]


def test_the_caches_are_replaced_whole() -> None:
    """Each cache is one tuple naming the text it is about: a reader takes the text and the bounds together."""
    t = _text(50, 0)
    _out(t)
    caches = [sentences._BEHIND, sentences._AHEAD, sentences._LAST, sentences._LAST_END, normalize._SINGLE,
              relation._tables().may_start.state]
    for c in caches:
        assert isinstance(c, tuple)
    assert any(c[0] is t for c in caches)


def test_threads_extract_as_one_does() -> None:
    texts = [_text(400, w) for w in range(4)]
    want = [_out(t) for t in texts]
    got: dict[int, list] = {}
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can: the caches meet half-way
    try:
        def run(i: int) -> None:
            got[i] = [_out(texts[i % 4]) for _ in range(3)]

        threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(old)
    for i in range(8):
        assert all(g == want[i % 4] for g in got[i])
    assert all(len(w) > 400 for w in want)
