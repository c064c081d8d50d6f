"""Hostile text against the extractor's regular expressions (issue 14): bounded in time by a subprocess timeout."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: The 142-byte line of issue 14: with the old list separator each extra "   1" multiplied the time by ~2.6.
BAIT = "Căn cứ Điều 1" + "   1" * 16 + "a1 Nghị định số 163/2016/NĐ-CP của Chính phủ."


def _extract_in_child(text: str, timeout: float) -> dict:
    code = "import json,sys; from kgraph.extract import extract; print(json.dumps(extract(sys.stdin.read()).to_dict()))"
    try:
        p = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"extraction of {len(text.encode())} bytes took longer than {timeout} s")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_the_issue_line_is_fast_and_still_read() -> None:
    assert len((BAIT + "\n").encode()) == 142  # with its line end
    d = _extract_in_child(BAIT + "\n", timeout=30)
    refs = [r for r in d["references"] if r["number"] == "163/2016/NĐ-CP"]
    assert len(refs) == 1  # the reference itself is found; the broken list in front is no pinpoint
    assert refs[0]["pinpoint"] == []


@pytest.mark.parametrize("n", [30, 200])
def test_long_space_separated_pinpoint_lists_stay_linear(n: int) -> None:
    text = "Căn cứ khoản" + "   1" * n + " Điều 5   2" * 3 + "x Nghị định số 163/2016/NĐ-CP.\n"
    _extract_in_child(text * 50, timeout=30)


def test_a_space_separated_list_still_expands() -> None:
    from kgraph.extract.pinpoint import pinpoint_before

    t = "theo khoản 1   2  và 3 Điều 5 Nghị định"
    pts, _ = pinpoint_before(t, t.index("Nghị"))
    assert [(p.article, p.clause) for p in pts] == [("5", "1"), ("5", "2"), ("5", "3")]
