"""`kg query` for people at a terminal (issue 12: tables 389 characters wide with the IRI first; the
unresolved references of a build could not be listed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import KG

from kgraph.tables import fit_table, order

ROOT = Path(__file__).resolve().parents[1]

UNRESOLVED_DOC = """BỘ TÀI CHÍNH
Số: 12/2024/TT-BTC
Hà Nội, ngày 05 tháng 3 năm 2024

THÔNG TƯ
Hướng dẫn quản lý kinh phí

Căn cứ Nghị định số 163/2016/NĐ-CP ngày 21 tháng 12 năm 2016 của Chính phủ;
Điều 1. Thực hiện theo Nghị định số .../2024/NĐ-CP của Chính phủ.
Điều 2. Các đơn vị thực hiện theo Thông tư số .../2024/TT-BTC (sau đây gọi là Thông tư 99) và Thông tư 99.
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("qout")
    shutil.copytree(ROOT / "data", base / "in")
    (base / "in" / "tt-12-2024.txt").write_text(UNRESOLVED_DOC, encoding="utf-8")
    r = subprocess.run([*KG, "build", "in", "--out", "out", "-q"], cwd=base, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return base / "out"


def kg(*args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([*KG, *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize("columns", [80, 120])
def test_query_table_fits_the_terminal_label_first_iri_last(build: Path, columns: int) -> None:
    r = kg("query", "cited-by", "Nghị định 163/2016", "--store", str(build), columns=columns)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.rstrip("\n").split("\n")
    assert max(len(ln) for ln in lines) <= columns
    header = lines[0].split()
    assert header[0] == "label"
    assert "uri" not in header[:-2]  # the IRI is last (or left out and named)
    assert any("Kế hoạch 45/KH-UBND" in ln for ln in lines[2:])
    assert not any(ln.startswith("http") for ln in lines)


def test_fit_table_orders_and_cuts() -> None:
    rows = [{"uri": "https://kgraph.example/id/doc/163_2016_NĐ-CP", "number": "163/2016/NĐ-CP", "label": "Nghị định 163/2016/NĐ-CP",
             "title": "Quy định chi tiết thi hành Luật Ngân sách nhà nước " * 3, "citations": 5, "type": "Nghị định"}]
    cols = ["uri", "number", "type", "title", "label", "citations"]
    assert order(cols, rows) == ["label", "type", "citations", "title", "uri"]  # the number is in the label
    text, dropped = fit_table(cols, rows, width=60)
    assert all(len(ln) <= 60 for ln in text.split("\n"))
    assert text.split("\n")[2].startswith("Nghị định 163/2016/NĐ-CP")
    assert dropped and dropped[0] == "uri"
    wide, none = fit_table(cols, rows, width=400)
    assert none == [] and "https://kgraph.example/id/doc/163_2016_NĐ-CP" in wide


def test_query_unresolved_lists_each_with_a_reason(build: Path) -> None:
    summary = json.loads((build / "summary.json").read_text("utf-8"))
    r = kg("query", "unresolved", "--store", str(build), "--format", "json")
    assert r.returncode == 0, r.stderr
    listed_rows = [json.loads(ln) for ln in r.stdout.splitlines()]
    # bare names (no year) the catalogue could not settle are listed too, counted in the summary's catalogue part
    bare = [x for x in listed_rows if x["why"].startswith("bare name")]
    rows = [x for x in listed_rows if x not in bare]
    assert len(rows) == summary["unresolved_references"] == 3
    assert len(bare) == summary["catalogue"]["bare_names"]["undetermined_count"] == 1
    assert bare[0]["text"] == "Luật Tổ chức chính quyền địa phương" and "77/2015/QH13" in bare[0]["why"]
    by_text = {x["text"]: x for x in rows}
    assert by_text["Thông tư 99"]["why"] == "short form not bound to any instrument named earlier"
    blank = [x for x in rows if ".../2024" in x["text"]]
    assert len(blank) == 2 and all(x["why"].startswith("number left blank") for x in blank)
    assert all(x["source"].endswith("tt-12-2024.txt") for x in rows)
    table = kg("query", "unresolved", "--store", str(build), columns=90)
    assert table.returncode == 0 and "number left blank" in table.stdout
    assert max(len(ln) for ln in table.stdout.splitlines()) <= 90
    listed = kg("query", "--list")
    assert "unresolved" in listed.stdout
