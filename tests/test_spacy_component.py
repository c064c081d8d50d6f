"""The spaCy interface: a registered component users add to their own Vietnamese pipeline."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

import kgraph.spacy_component  # noqa: E402,F401  (registers the factory)

TEXT = ("Căn cứ Nghị định số 163/2016/NĐ-CP ngày 21 tháng 12 năm 2016 của Chính phủ; "
        "thực hiện theo khoản 2 Điều 9 Luật Ngân sách nhà nước năm 2015.")


def _nlp(**cfg):
    # the blank Vietnamese pipeline, without the pyvi word segmenter: the component does not need it
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.add_pipe("kgraph_references", config=cfg)
    return nlp


def test_spans_and_attributes():
    doc = _nlp()(TEXT)
    spans = list(doc.spans["kgraph_references"])
    assert [s.text for s in spans] == ["Nghị định số 163/2016/NĐ-CP", "Luật Ngân sách nhà nước năm 2015."]
    assert spans[0].label_ == "NĐ"
    assert spans[0]._.kg_ref["relation"] == "based_on" and spans[0]._.kg_ref["date"] == "2016-12-21"
    assert spans[1]._.kg_ref["year"] == 2015
    assert spans[1]._.kg_ref["pinpoint"] == [{"article": "9", "clause": "2", "point": None, "chapter": None}]


def test_config_is_honoured():
    doc = _nlp(spans_key="refs", include_self=False)("Nghị định này quy định chi tiết Luật Đầu tư.")
    assert "refs" in doc.spans
    assert [s.text for s in doc.spans["refs"]] == ["Luật Đầu tư."]


def test_component_is_registered_by_entry_point_name():
    assert "kgraph_references" in spacy.registry.factories.get_all()
