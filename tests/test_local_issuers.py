"""Local and Party issuers in references (issue 15): the examples of issuers.yaml `in_text`, run through the
extractor with the citing document's own issuer."""

from __future__ import annotations

import pytest

from kgraph.extract.citations import find_references
from kgraph.knowledge import load
from kgraph.model import Document

EXAMPLES = load().in_text["examples"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["text"][:50])
def test_in_text_examples(example):
    raw = example["text"]
    start = raw.index("[[")
    end = raw.index("]]") - 2
    text = raw.replace("[[", "").replace("]]", "")
    doc = Document(number="999/KH-UBND", type="Kế hoạch", issuer=example["home"])
    refs = [r for r in find_references(text, document=doc) if r.start < end and r.end > start]
    assert refs, f"no reference at {text[start:end]!r}"
    assert refs[0].issuer == example["issuer"]


def test_committee_heads_are_listed():
    assert "Ban Chỉ đạo" in load().in_text["committees"]


def test_a_bare_body_takes_the_place_the_text_gave_it_before():
    text = ("Thực hiện Chương trình số 27-CTr/TU ngày 12/3/2018 của Ban Chấp hành Đảng bộ tỉnh Sóc Trăng; "
            "Kế hoạch này thực hiện Chương trình số 28-CTr/TU ngày 13/3/2018 của Ban Chấp hành Đảng bộ tỉnh về X.")
    doc = Document(number="1/KH-UBND", type="Kế hoạch", issuer="Ủy ban nhân dân thành phố Cần Thơ")
    issuers = [r.issuer for r in find_references(text, document=doc) if r.kind == "numbered"]
    assert issuers == ["Ban Chấp hành Đảng bộ tỉnh Sóc Trăng"] * 2


def test_a_city_party_committee_is_not_given_a_provinces_name():
    text = "Thực hiện Chương trình số 27-CTr/TU ngày 12/3/2018 của Ban Chấp hành Đảng bộ tỉnh về X."
    doc = Document(number="1/KH-UBND", type="Kế hoạch", issuer="Ủy ban nhân dân thành phố Cần Thơ")
    assert [r.issuer for r in find_references(text, document=doc) if r.kind == "numbered"] == [
        "Ban Chấp hành Đảng bộ tỉnh"]


def test_joint_instruments_bodies_are_each_a_node_in_the_graph():
    from kgraph.extract import extract
    from kgraph.graph.rdf import file_triples
    from kgraph.link.corpus import Resolver, facts_of
    from kgraph.link.resolved import resolve

    text = ("BỘ TÀI CHÍNH\nSố: 12/2020/TT-BTC\n\nTHÔNG TƯ\nHướng dẫn\n\nCăn cứ Thông tư liên tịch số 28/2010/TTLT-BLĐTBXH-BNV"
            " ngày 22/9/2010 của Bộ Lao động - Thương binh và Xã hội và Bộ Nội vụ hướng dẫn;\n")
    x = extract(text)
    ref = next(r for r in x.references if r.number == "28/2010/TTLT-BLĐTBXH-BNV")
    assert ref.issuer == "Bộ Lao động - Thương binh và Xã hội; Bộ Nội vụ"
    lines, _ = file_triples(resolve(x, Resolver([facts_of(x, "a" * 64)]), content_hash="a" * 64, source="x.txt"))
    cited = [ln for ln in lines if "citedIssuer" in ln]
    assert len(cited) == 2 and any("bộ-nội-vụ" in ln for ln in cited)
