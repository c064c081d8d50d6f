"""Bare law names ("Luật Hôn nhân và gia đình" with no year) in real documents of ../shared: the document's own
evidence first, then the catalogue's instrument in force at the citing document's date, else unresolved and
reported (issue 10)."""

from __future__ import annotations

import hashlib

import pytest

from kgraph.catalog import Match, default_catalog, resolve_name
from kgraph.extract import extract
from kgraph.link.corpus import Resolver, facts_of
from kgraph.link.keys import InstrumentKey
from kgraph.link.resolved import resolve

from conftest import shared_path

FILES = {
    "bld": ("corpus", "laws", "bo-luat-dan-su.txt"),  # Bộ luật Dân sự, 2015-11-24
    "blhs": ("corpus", "laws", "bo-luat-hinh-su.txt"),  # Bộ luật Hình sự, 2015-11-27
    "tt": ("corpus", "congbao", "bhxh", "thong-tu-so-02-2025-tt-bldtbxh-43964.txt"),  # 2025-01-10
    "nd": ("corpus", "congbao", "chinh_sach_dn", "nghi-dinh-so-207-2026-nd-cp-469769.txt"),  # 2026-06-15
    "vbhn": ("corpus", "congbao", "cong_doan", "van-ban-hop-nhat-so-6660-vbhn-bldtbxh-43755.txt"),
}

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def built() -> tuple[Resolver, dict]:
    items = {}
    for k, parts in FILES.items():
        p = shared_path(*parts)
        if not p.exists():  # the gazette file may sit in another topic folder
            hits = list(shared_path("corpus", "congbao").rglob(parts[-1]))
            assert hits, parts[-1]
            p = hits[0]
        data = p.read_bytes()
        items[k] = (extract(data.decode("utf-8"), source=str(p)), hashlib.sha256(data).hexdigest())
    resolver = Resolver(facts_of(ex, h) for ex, h in items.values())
    docs = {k: resolve(ex, resolver, content_hash=h, source=k) for k, (ex, h) in items.items()}
    return resolver, docs


def _targets(doc, word: str) -> set[InstrumentKey]:
    """The keys the bare citations (no year, no date) whose text is `word` (case, line breaks folded) resolved to."""
    w = word.casefold()
    return {c.key for c in doc.citations if " ".join(c.reference.text.split()).casefold() == w
            and c.reference.year is None and c.reference.date is None}


def test_bare_names_take_the_law_in_force_at_the_citing_date(built) -> None:
    _, docs = built
    # Bộ luật Dân sự 2015 (24/11/2015) cites "Luật hôn nhân và gia đình" and "Luật di sản văn hóa" with no year
    assert _targets(docs["bld"], "Luật hôn nhân và gia đình") == {InstrumentKey(number="52/2014/QH13")}
    assert _targets(docs["bld"], "Luật di sản văn hóa") == {InstrumentKey(number="28/2001/QH10")}


def test_a_name_two_laws_fit_stays_unresolved_and_is_reported(built) -> None:
    resolver, docs = built
    # Bộ luật Hình sự was passed on 27/11/2015, three days after the new Civil Code, not yet in force: which
    # "Bộ luật dân sự" it means the dates cannot say
    assert _targets(docs["blhs"], "Bộ luật dân sự") == {InstrumentKey(name_key="bộ luật dân sự")}
    numbers, reason = resolver.bare_ambiguous[("bộ luật dân sự", "2015-11-27")]
    assert {"33/2005/QH11", "91/2015/QH13"} <= set(numbers) and "not yet in force" in reason


def test_the_documents_own_evidence_comes_before_the_catalogue(built) -> None:
    resolver, docs = built
    # Thông tư 02/2025 cites "Luật Thống kê ngày 23/11/2015" and "... Luật Thống kê ngày 12/11/2021", then
    # "Luật Thống kê" bare: the catalogue alone would say 89/2015/QH13 on 10/01/2025, but the document itself
    # names two, so its bare mention is not bound by the catalogue
    assert isinstance(m := resolve_name("Luật Thống kê", at="2025-01-10", catalog=default_catalog()), Match)
    assert m.number == "89/2015/QH13"
    assert _targets(docs["tt"], "Luật Thống kê") == {InstrumentKey(name_key="luật thống kê")}
    assert resolver.bare_held["luật thống kê"] >= 1
    # Nghị định 207/2026 gives "Luật Chất lượng sản phẩm, hàng hóa" its number itself: the bare mention takes it
    assert _targets(docs["nd"], "Luật Chất lượng sản phẩm hàng hóa") == {InstrumentKey(number="05/2007/QH12")}


def test_a_consolidated_texts_date_is_not_its_words_date(built) -> None:
    resolver, docs = built
    # Văn bản hợp nhất 6660 (2024) consolidates Thông tư 26/2016, written under the 2012 Labour Code: its bare
    # "Bộ luật Lao động" is not given the code in force in 2024
    assert _targets(docs["vbhn"], "Bộ luật Lao động") == {InstrumentKey(name_key="bộ luật lao động")}
    assert ("bộ luật lao động", None) in resolver.bare_ambiguous


def test_bare_resolutions_change_the_alias_fingerprint(built) -> None:
    resolver, _ = built
    assert resolver.bare_aliases and resolver.bare_resolved >= 2
    without = Resolver([], catalogue=False)
    without.bare_aliases = dict(resolver.bare_aliases)
    assert without.alias_fingerprint() != Resolver([], catalogue=False).alias_fingerprint()


def test_a_number_with_an_impossible_term_is_read_as_the_known_one() -> None:
    """Luật Đầu tư 2020 writes "Luật Đầu tư số 67/2014/QH14" twice (and 67/2014/QH13 elsewhere): the 14th
    National Assembly sat from 2016, so QH14 cannot carry 2014; the catalogue knows 67/2014/QH13."""
    from kgraph.numbers import term_mismatch

    assert term_mismatch("67/2014/QH14") == "67/2014/QH13"
    assert term_mismatch("67/2014/QH13") is None and term_mismatch("16/2016/QH13") is None  # 2016: two terms
    p = shared_path("corpus", "laws", "luat-dau-tu.txt")
    data = p.read_bytes()
    ex = extract(data.decode("utf-8"), source=str(p))
    h = hashlib.sha256(data).hexdigest()
    resolver = Resolver([facts_of(ex, h)])
    assert resolver.number_fixes == {"67/2014/QH14": "67/2014/QH13"}
    doc = resolve(ex, resolver, content_hash=h, source="luat-dau-tu.txt")
    typo = [c for c in doc.citations if "67/2014/QH14" in c.reference.text]
    assert len(typo) == 2 and {c.key.number for c in typo} == {"67/2014/QH13"}
    assert not any(c.key.number == "67/2014/QH14" for c in doc.citations)


def test_the_build_reports_bare_names_left_without_a_number(tmp_path) -> None:
    """summary.json lists the ambiguous ones (count + list); `kg query unresolved` gives each mention's reason."""
    import json

    from kgraph.build import build
    from kgraph.unresolved import unresolved_references

    src = [str(shared_path(*FILES["blhs"])), str(shared_path(*FILES["tt"]))]
    out = tmp_path / "out"
    build(src, out, workers=1, store=False)
    s = json.loads((out / "summary.json").read_text("utf-8"))
    bare = s["catalogue"]["bare_names"]
    assert bare["ambiguous_count"] == len(bare["ambiguous"]) >= 1
    row = next(r for r in bare["ambiguous"] if r["name"] == "bộ luật dân sự" and r["citing_date"] == "2015-11-27")
    assert {"33/2005/QH11", "91/2015/QH13"} <= set(row["candidates"]) and "not yet in force" in row["reason"]
    assert bare["references_resolved"] > 0 and bare["named_several_ways_in_the_citing_document"]["luật thống kê"] >= 1
    plain = list(unresolved_references(out))
    assert len(plain) == s["unresolved_references"]
    rows = list(unresolved_references(out, bare=True))
    whys = {(" ".join(r.text.split()), r.why) for r in rows if r.why.startswith("bare name")}
    assert any(t == "Bộ luật dân sự" and "not yet in force" in w and "91/2015/QH13" in w for t, w in whys)
    assert any(t == "Luật Thống kê" and "several years or numbers" in w for t, w in whys)


def test_a_term_typo_is_not_read_as_another_law() -> None:
    """Nghị quyết 66.16/2026/NQ-CP writes "Luật Xuất bản số 10/2022/QH14": 10/2022/QH15 is the law on grassroots
    democracy, not the Publishing Law, so the number stays as written."""
    text = ("CHÍNH PHỦ\nSố: 01/2026/NQ-CP\nHà Nội, ngày 07 tháng 4 năm 2026\n\nNGHỊ QUYẾT\nVề thủ tục\n\n"
            "Căn cứ Luật Xuất bản số 10/2022/QH14;\n")
    ex = extract(text)
    resolver = Resolver([facts_of(ex, "c" * 64)])
    assert resolver.number_fixes == {}
    doc = resolve(ex, resolver, content_hash="c" * 64, source="x.txt")
    assert {c.key.number for c in doc.citations} == {"10/2022/QH14"}
