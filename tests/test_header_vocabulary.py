"""The header vocabulary table (kgraph/knowledge/header.yaml): every entry's example runs through
`read_header` (the administrative units also through the reference finder, the positions' `of`
examples through resolution's `normalize_body`)."""

from __future__ import annotations

import re

import pytest

from kgraph.extract.citations import find_references
from kgraph.extract.header import read_header
from kgraph.knowledge import load
from kgraph.knowledge.header_vocabulary import LEVELS

V = load().header

#: A short document: issuer block, number, type word, a one-line title, preamble, one article.
_TITLE = "Hướng dẫn thi hành một số điều"


def _document(issuer: str = "BỘ TƯ PHÁP", after_title: str = "Căn cứ Luật Ban hành văn bản;", end: str = "") -> str:
    return (
        f"{issuer}\nSố: 12/2020/TT-BTP\n\nTHÔNG TƯ\n{_TITLE}\n{after_title}\n\n"
        f"Điều 1. Phạm vi điều chỉnh\nThông tư này hướng dẫn thi hành.\n\n{end}\n"
    )


def _skipped(text: str, part: str, skip: list[tuple[int, int]]) -> bool:
    """Whether every line of `part` (found in `text`) lies in a skipped range."""
    at = text.index(part)
    return all(any(s <= at + i < e for s, e in skip) for i, c in enumerate(part) if not c.isspace())


def test_table_is_well_formed():
    assert V is not None
    for u in V.admin_units:
        assert u.level in LEVELS and u.example, u
    for p in V.positions:
        assert p.example and p.example.get("title"), p
        assert not (p.heads and p.office), p
        if p.heads:
            assert p.position.lower().endswith(" " + p.heads), p
    for m in V.signing_modes:
        assert m.written and m.example, m
    for p in V.preamble:
        assert re.compile(p.opener) and p.example, p
    assert len(V.site_chrome["footer_fields"]) >= 3


@pytest.mark.parametrize("unit", V.admin_units, ids=lambda u: u.unit)
def test_admin_unit_examples(unit):
    doc = read_header(_document(issuer=unit.example["issuer_block"])).document
    assert doc.issuer == unit.example["issuer"]


@pytest.mark.parametrize(
    "unit", [u for u in V.admin_units if u.example["issuer"].startswith("Ủy ban nhân dân")], ids=lambda u: u.unit
)
def test_admin_units_after_a_citation(unit):
    """The same units name a local issuer after a cited number (kgraph.extract.context)."""
    issuer = unit.example["issuer"]
    refs = find_references(f"Căn cứ Quyết định số 12/2020/QĐ-UBND ngày 10 tháng 8 năm 2020 của {issuer} về việc X;")
    assert refs and refs[0].issuer == issuer, refs


@pytest.mark.parametrize("position", V.positions, ids=lambda p: p.position)
def test_position_examples(position):
    doc = read_header(_document(end=position.example["block"])).document
    assert doc.signer is not None and doc.signer.title == position.example["title"], doc.signer


@pytest.mark.parametrize("position", [p for p in V.positions if "of" in p.example], ids=lambda p: p.position)
def test_position_before_a_body(position):
    from kgraph.link.bodies import normalize_body

    body = normalize_body(position.example["of"]["phrase"])
    assert body is not None and body.name == position.example["of"]["body"]


@pytest.mark.parametrize("mode", V.signing_modes, ids=lambda m: m.mode)
def test_signing_mode_examples(mode):
    doc = read_header(_document(end=mode.example["block"])).document
    assert doc.signer is not None and doc.signer.mode == mode.example["mode"], doc.signer


@pytest.mark.parametrize("opener", V.preamble, ids=lambda p: p.example)
def test_preamble_examples(opener):
    assert re.match(opener.opener, opener.example), "the example does not open with its opener"
    doc = read_header(_document(after_title=opener.example)).document
    assert doc.title == _TITLE


@pytest.mark.parametrize("kind", ["gazette_header", "stamp", "continued"])
def test_page_furniture_examples(kind):
    example = V.page_furniture[kind]["example"]
    text = _document(end="Nơi nhận:\n- Như Điều 1;\n\n" + example + "\n\nBỘ TRƯỞNG\n\nLê Thành Long")
    h = read_header(text)
    assert _skipped(text, example, h.skip)
    assert h.document.signer is not None and h.document.signer.name == "Lê Thành Long"


@pytest.mark.parametrize("phrase", V.site_chrome["phrases"], ids=lambda p: p["phrase"])
def test_site_chrome_examples(phrase):
    footer = "\n".join(f"{f}: x" for f in V.site_chrome["footer_fields"][:4])
    text = _document(end="BỘ TRƯỞNG\n\nLê Thành Long\n\n" + phrase["example"] + "\n" + footer)
    h = read_header(text)
    assert _skipped(text, phrase["example"], h.skip)
    assert not _skipped(text, "Lê Thành Long", h.skip)


@pytest.mark.parametrize("motto", V.mottos, ids=lambda m: m["motto"])
def test_motto_examples(motto):
    """A motto beside the issuer block is never taken for the issuer, even wrapped over two lines."""
    ex = motto["example"]
    assert read_header(ex["heading"] + "\n\nTHÔNG BÁO\nVề việc X\n").document.issuer == ex["issuer"]


@pytest.mark.parametrize("tail", V.site_chrome.get("tail") or [], ids=lambda p: p["line"])
def test_site_tail_examples(tail):
    """From a tail line on, a saved page's chrome (here an account notice citing a decree) is skipped."""
    notice = "Nghị định 13/2023/NĐ-CP về Bảo vệ dữ liệu cá nhân yêu cầu xác nhận sự đồng ý của thành viên."
    text = _document(end="BỘ TRƯỞNG\n\nLê Thành Long\n\nThông tư 12/2020/TT-BTP năm 2020 hướng dẫn\n"
                     + tail["example"] + "\nBan hành:\n07/10/2025\n" + notice)
    h = read_header(text)
    assert _skipped(text, tail["example"], h.skip) and _skipped(text, notice, h.skip)
    assert _skipped(text, "Thông tư 12/2020/TT-BTP năm 2020", h.skip)  # the page's title line above it
    assert not _skipped(text, "Lê Thành Long", h.skip)
