"""The README's Python examples run as written (issue 12: its `spacy.blank("vi")` line needed pyvi)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = "Căn cứ Nghị định số 163/2016/NĐ-CP ngày 21 tháng 12 năm 2016 của Chính phủ;\nThực hiện Kế hoạch số 45/KH-UBND.\n"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.S)


def test_the_readme_has_python_examples() -> None:
    blocks = _python_blocks()
    assert any("spacy.blank" in b for b in blocks) and any("extract(text" in b for b in blocks)


@pytest.mark.parametrize("i", range(len(_python_blocks())))
def test_each_python_example_runs(i: int, capsys: pytest.CaptureFixture[str]) -> None:
    block = _python_blocks()[i]
    if "spacy" in block:
        pytest.importorskip("spacy")
    exec(compile(block, f"README.md python block {i}", "exec"), {"text": TEXT, "__name__": "readme"})
    out = capsys.readouterr().out
    assert "163/2016/NĐ-CP" in out  # the examples print the reference they found
