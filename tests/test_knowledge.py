"""The knowledge tables: well-formed, and every example in them runs through the extractor."""

from __future__ import annotations

import re

import pytest

from kgraph.extract.citations import find_references
from kgraph.knowledge import load
from kgraph.model import RELATIONS, Document

K = load()


def test_types_are_well_formed():
    names = set()
    for t in K.types:
        assert t.name and t.en and t.family and t.rdf_class, t
        assert t.examples, f"type {t.name} has no example"
        names.add((t.code, t.name))
    assert len(names) == len(K.types), "a (code, name) pair is listed twice"


def test_issuers_are_well_formed():
    for i in K.issuers:
        assert i.code and i.name and i.family, i
        if i.valid_from and i.valid_to:
            assert i.valid_from <= i.valid_to, f"{i.code} ends before it starts"


def test_relations_cover_the_model():
    assert {r.relation for r in K.relations} == set(RELATIONS)
    for r in K.relations:
        assert r.examples, f"relation {r.relation} has no example"


@pytest.mark.parametrize(
    "t,example",
    [(t, e) for t in K.types for e in t.examples],
    ids=lambda v: v["text"][:40] if isinstance(v, dict) else v.name,
)
def test_type_examples(t, example):
    refs = [r for r in find_references(example["text"]) if r.kind in ("numbered", "named")]
    assert refs, f"nothing found in {example['text']!r}"
    r = refs[0]
    assert r.type == t.name
    for key in ("number", "name", "year", "date"):
        if key in example:
            assert getattr(r, key) == example[key], (key, r)


@pytest.mark.parametrize(
    "example", [e for i in K.issuers for e in i.examples], ids=lambda e: e["number"]
)
def test_issuer_examples(example):
    refs = find_references(f"Văn bản số {example['number']} đã nêu.")
    assert refs and refs[0].number == example["number"], refs
    assert refs[0].issuer == example["issuer"]


@pytest.mark.parametrize(
    "relation,example",
    [(r.relation, e) for r in K.relations for e in r.examples],
    ids=lambda v: v["text"][:40] if isinstance(v, dict) else v,
)
def test_relation_examples(relation, example):
    marked = example["text"]
    start = marked.index("[[")
    text = marked.replace("[[", "").replace("]]", "")
    doc = Document(title=example["title"]) if "title" in example else None
    refs = {r.start: r for r in find_references(text, document=doc)}
    assert start in refs, (start, refs)
    assert refs[start].relation == relation


@pytest.mark.parametrize("example", K.directing["examples"], ids=lambda e: e["text"][:40])
def test_directing_examples(example):
    """A local plan's "theo X" (relations.yaml `directing`): each example, in a plan of its issuer."""
    marked = example["text"]
    start = marked.index("[[")
    text = marked.replace("[[", "").replace("]]", "")
    doc = Document(number="1/KH-UBND", type="Kế hoạch", issuer=example["issuer"])
    refs = {r.start: r for r in find_references(text, document=doc)}
    assert start in refs, (start, refs)
    assert refs[start].relation == example["relation"]


@pytest.mark.parametrize("example", K.partial["examples"], ids=lambda e: e["text"][:40])
def test_partial_examples(example):
    """An effect on part of an instrument (relations.yaml `partial`) is marked so; a whole repeal is not."""
    marked = example["text"]
    start = marked.index("[[")
    text = marked.replace("[[", "").replace("]]", "")
    refs = {r.start: r for r in find_references(text)}
    assert start in refs, (start, refs)
    assert refs[start].relation in ("repeals", "replaces", "suspends"), refs[start]
    assert refs[start].partial is example["partial"]


@pytest.mark.parametrize("example", K.named["treaties"]["examples"], ids=lambda e: e["text"][:40])
def test_treaty_examples(example):
    """A treaty's name ends where the treaty's name ends; a generic "Hiệp định" is no reference."""
    refs = [r for r in find_references(example["text"]) if r.kind == "named"]
    if example.get("none"):
        assert refs == [], refs
        return
    assert [r.name for r in refs] == example["names"]
    assert all(K.doc_type(name=r.type).family == "treaty" for r in refs)
    if "year" in example:
        assert refs[0].year == example["year"]


def test_protocol_is_not_a_decree():
    """"Nghị định thư" (a protocol) is a treaty; "Nghị định" beside it stays a decree."""
    text = ("Căn cứ Nghị định thư về quy chế người tị nạn năm 1967 và Nghị định số 15/2020/NĐ-CP; "
            "Nghị định thư 7 về Hệ thống quá cảnh Hải quan. Nghị định thư này")
    refs = find_references(text)
    assert [(r.type, r.name, r.number) for r in refs if r.kind != "self"] == [
        ("Nghị định thư", "Nghị định thư về quy chế người tị nạn", None),
        ("Nghị định", None, "15/2020/NĐ-CP"),
        ("Nghị định thư", "Nghị định thư 7 về Hệ thống quá cảnh Hải quan", None),
    ]


@pytest.mark.parametrize("example", K.named["examples"], ids=lambda e: e["text"][:40])
def test_named_examples(example):
    refs = [r for r in find_references(example["text"]) if r.kind == "named"]
    assert refs, example
    assert refs[0].name == example["name"]
    assert refs[0].year == example.get("year")


def test_codes_are_case_and_diacritic_tolerant():
    assert K.doc_type(code="ND").name == "Nghị định"
    assert K.doc_type(code="DA").name == "Dự án"  # exact match wins over the loose key
    assert K.doc_type(code="ĐA").name == "Đề án"
    assert K.issuer(code="BCT") == "Bộ Công Thương"
    assert K.issuer(code="BCT", party=True) == "Bộ Chính trị"
    assert re.fullmatch(r"\w+", K.issuer(code="TTg").split()[0])


@pytest.mark.parametrize("example", K.named["plenum_examples"], ids=lambda e: e["text"][:40])
def test_plenum_examples(example):
    refs = [r for r in find_references(example["text"]) if r.kind == "named"]
    assert [r.name for r in refs] == example["names"]
    assert all(r.issuer == "Ban Chấp hành Trung ương" for r in refs)


@pytest.mark.parametrize("example", K.named["constitution"]["examples"], ids=lambda e: e["text"][:40])
def test_constitution_examples(example):
    refs = [r for r in find_references(example["text"]) if r.kind == "named"]
    assert [(r.text, r.name, r.type, r.year) for r in refs] == [
        (example["span"], example["name"], K.named["constitution"]["head"], example.get("year"))
    ]


@pytest.mark.parametrize("example", K.named["amending_examples"], ids=lambda e: e["text"][:40])
def test_amending_examples(example):
    refs = [r for r in find_references(example["text"]) if r.kind == "named"]
    assert refs and refs[0].name == example["name"], refs
    assert refs[0].year == example.get("year")


def test_every_amended_type_has_an_example():
    firsts = {e["name"].split(" của ", 1)[1] for e in K.named["amending_examples"] + K.named["examples"] if " của " in e["name"]}
    for word in K.named["amended_types"]:
        assert any(f.startswith(word + " ") for f in firsts), word


@pytest.mark.parametrize("example", K.named["bare_alias_examples"], ids=lambda e: e["text"][:40])
def test_bare_alias_examples(example):
    shorts = [r for r in find_references(example["text"]) if r.kind == "short"]
    assert [(r.text, r.number) for r in shorts] == [(example["short"], example["number"])]


def test_every_bare_alias_type_has_an_example():
    for word in K.named["bare_alias_types"]:
        assert any(e["short"].startswith(word + " ") for e in K.named["bare_alias_examples"]), word


def test_plenum_resolutions_take_type_issuer_and_name_from_the_table():
    plenum = K.named["plenum"]
    (r,) = [r for r in find_references("thực hiện Nghị quyết Trung ương 4 khóa XIII về") if r.kind == "named"]
    assert (r.type, r.issuer) == (plenum["type"], plenum["issuer"])
    assert r.name == plenum["name"].format(plenum=4, term="XIII")


@pytest.mark.parametrize("example", K.law_names["examples"], ids=lambda e: e["text"][:40])
def test_law_name_examples(example):
    """law_names.yaml: a known law's name ends where the catalogue's name ends (issue 9, point 6)."""
    refs = [r for r in find_references(example["text"]) if r.kind == "named"]
    assert refs and refs[0].name == example["name"], refs


def test_law_names_are_clean():
    names = K.law_names["names"]
    assert len(names) > 200 and len(set(n.casefold() for n in names)) == len(names)
    assert all(n.split()[0] in ("Luật", "Bộ", "Pháp") and "sửa đổi" not in n.lower() for n in names)


@pytest.mark.parametrize("example", K.named["draft_examples"], ids=lambda e: e["text"][:40])
def test_draft_examples(example):
    """Drafts, future and generic instruments and the enacting formula's own type word are no references."""
    refs = [r for r in find_references(example["text"]) if r.kind in ("named", "numbered")]
    assert [r.name for r in refs] == ([] if example.get("none") else example["names"]), refs
