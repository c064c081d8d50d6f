"""Identity: numbers, names, bodies and persons to one key each; the corpus-level merge of names with numbers."""

from __future__ import annotations

import pytest

from kgraph.knowledge import load
from kgraph.link.bodies import bodies_of_number, normalize_body
from kgraph.link.corpus import Resolver, facts_of
from kgraph.link.extraction_keys import document_key, reference_key, reference_keys
from kgraph.link.keys import DEFAULT_BASE, InstrumentKey, name_key, numbered_key
from kgraph.link.persons import person_iri
from kgraph.link.user_input import parse_user_instrument
from kgraph.model import Document, Extraction, Reference
from kgraph.numbers import normalize_number


def ref(text: str, **kw) -> Reference:
    kw.setdefault("kind", "numbered" if kw.get("number") else "named")
    return Reference(start=kw.pop("start", 0), end=kw.pop("end", len(text)), text=text, **kw)


def ext(*refs: Reference, **doc) -> Extraction:
    return Extraction(document=Document(**doc), references=list(refs))


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "written",
    ["163/2016/NĐ-CP", "163/2016/ND-CP", "163 / 2016 / NĐ–CP", "163/2016/nđ-cp", "163/2016/NĐ\u2212CP", "163/2016/N\u0110-CP"],
)
def test_ways_of_writing_a_number_meet(written: str) -> None:
    assert normalize_number(written) == "163/2016/NĐ-CP"


def test_decomposed_diacritics_and_party_spacing() -> None:
    assert normalize_number("05- NQ/TW") == "05-NQ/TW"
    assert normalize_number("13/ct-ttg") == "13/CT-TTg"
    assert normalize_number("83/2015/qh13") == "83/2015/QH13"


def test_codes_that_differ_only_by_đ_stay_apart() -> None:
    # Hướng dẫn (HD) and Hợp đồng (HĐ) are different documents with the same ordinal.
    assert normalize_number("15/HD-UBND") != normalize_number("15/HĐ-UBND")


def test_yearless_number_takes_the_citation_year_and_keeps_unknown_apart() -> None:
    a = numbered_key("16/CT-TTg", 2017)
    b = numbered_key("16/CT-TTg", 2020)
    unknown = numbered_key("16/CT-TTg", None)
    assert len({a.iri(), b.iri(), unknown.iri()}) == 3
    assert unknown.year_unknown and not a.year_unknown
    assert unknown.iri().endswith("/year-unknown")


def test_a_citation_repeated_in_the_same_words_is_keyed_like_each_alone() -> None:
    """`reference_keys` keys each distinct citation of a document once: a repeated one gets the key the
    reference alone gets, and one differing in any field `reference_key` reads gets its own."""
    refs = [ref("Nghị định số 163/2016/NĐ-CP", number="163/2016/NĐ-CP", start=i * 40) for i in range(3)]
    refs += [ref("Kế hoạch số 45/KH-UBND", number="45/KH-UBND", year=2023, issuer="UBND tỉnh An Giang", start=200),
             ref("Kế hoạch số 45/KH-UBND", number="45/KH-UBND", year=2023, issuer="UBND tỉnh Cà Mau", start=240),
             ref("Luật Đất đai năm 2013", name="Luật Đất đai", year=2013, start=300),
             ref("Luật Đất đai năm 2013", name="Luật Đất đai", year=2013, start=340),
             ref("Nghị định này", kind="self", start=400)]
    keys = reference_keys(ext(*refs))
    assert keys == [reference_key(r) for r in refs[:-1]] + [None]
    assert keys[0] == keys[1] == keys[2] and keys[3] != keys[4] and keys[5] == keys[6] is not None


def test_year_inside_the_number_wins_over_the_citation_date() -> None:
    assert numbered_key("163/2016/NĐ-CP", 2017) == numbered_key("163/2016/NĐ-CP", None)
    assert not numbered_key("163/2016/NĐ-CP", None).year_unknown


def test_iri_keeps_vietnamese_letters_and_the_base() -> None:
    base = "http://example.org/vn/"
    assert numbered_key("163/2016/NĐ-CP", None).iri(base) == base + "doc/163_2016_NĐ-CP"
    assert numbered_key("13/CT-TTg", 2018).iri(DEFAULT_BASE) == DEFAULT_BASE + "doc/13_CT-TTg/2018"


def test_issuers_from_number_codes() -> None:
    assert [b.name for b in bodies_of_number("01/2016/TTLT-BTP-BTC")] == ["Bộ Tư pháp", "Bộ Tài chính"]
    assert [b.name for b in bodies_of_number("52-NQ/BCT")] == ["Bộ Chính trị"]  # BCT in a Party number
    assert [b.name for b in bodies_of_number("49/VBHN-BCT")] == ["Bộ Công Thương"]
    assert bodies_of_number("120/KH-UBND") == ()  # which province is not in the number


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "written",
    ["Bộ luật Hàng hải Việt Nam", "Bộ Luật hàng hải", "Bộ luật Hàng hải Việt Nam năm 2015", "bộ luật  hàng hải 2015"],
)
def test_ways_of_writing_a_name_meet(written: str) -> None:
    assert name_key(written) == "bộ luật hàng hải"


def test_constitution_name_drops_the_country() -> None:
    assert name_key("Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam") == "hiến pháp"


def test_old_tone_marks_meet_new() -> None:
    assert name_key("Luật Hoá chất") == name_key("Luật Hóa chất")


def test_named_reference_takes_its_year_from_the_date() -> None:
    k = reference_key(ref("Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025", name="Luật Tổ chức Chính phủ", date="2025-02-18"))
    assert k == InstrumentKey(name_key="luật tổ chức chính phủ", year=2025)


def test_a_document_lends_the_year_it_gives_a_name_to_its_later_mentions() -> None:
    e = ext(
        ref("Luật Bảo hiểm y tế ngày 14 tháng 11 năm 2008", name="Luật Bảo hiểm y tế", year=2008),
        ref("Luật Bảo hiểm y tế", name="Luật Bảo hiểm y tế"),
    )
    keys = reference_keys(e)
    assert keys[1] == keys[0] == InstrumentKey(name_key="luật bảo hiểm y tế", year=2008)


def test_two_years_in_one_document_leave_a_yearless_mention_unknown() -> None:
    e = ext(
        ref("Luật Đất đai 2013", name="Luật Đất đai", year=2013),
        ref("Luật Đất đai 2024", name="Luật Đất đai", year=2024),
        ref("Luật Đất đai", name="Luật Đất đai"),
    )
    assert reference_keys(e)[2].year_unknown


def test_self_references_have_no_key() -> None:
    assert reference_keys(ext(ref("Nghị định này", kind="self"))) == [None]


# ----------------------------------------------------------------------------- corpus-level resolution


def test_name_and_number_meet_when_a_citation_gives_both() -> None:
    a = ext(ref("Luật Ngân sách nhà nước năm 2015", name="Luật Ngân sách nhà nước", year=2015))
    b = ext(ref("Luật Ngân sách nhà nước số 83/2015/QH13", name="Luật Ngân sách nhà nước", number="83/2015/QH13"))
    r = Resolver([facts_of(a, "a" * 64), facts_of(b, "b" * 64)])
    by_name = r.resolve(reference_keys(a)[0])
    by_number = r.resolve(reference_keys(b)[0])
    assert by_name == by_number == numbered_key("83/2015/QH13", None)
    inst = r.instrument(by_number)
    assert inst.name == "Luật Ngân sách nhà nước" and "luật ngân sách nhà nước" in inst.name_keys
    assert inst.type is not None and inst.type.name == "Luật"


def test_without_a_citation_giving_both_name_and_number_stay_apart() -> None:
    """From the corpus alone they stay apart; the catalogue (issue 10) knows Luật Ngân sách nhà nước 2015."""
    a = ext(ref("Luật Ngân sách nhà nước năm 2015", name="Luật Ngân sách nhà nước", year=2015))
    b = ext(ref("Luật số 83/2015/QH13", number="83/2015/QH13", type="Luật"))
    r = Resolver([facts_of(a, "a" * 64), facts_of(b, "b" * 64)], catalogue=False)
    assert r.resolve(reference_keys(a)[0]) != r.resolve(reference_keys(b)[0])
    r = Resolver([facts_of(a, "a" * 64), facts_of(b, "b" * 64)])
    assert r.resolve(reference_keys(a)[0]) == r.resolve(reference_keys(b)[0])
    assert r.catalogue_aliases == {("luật ngân sách nhà nước", 2015): "83/2015/QH13"}


def test_conflicting_numbers_for_one_name_and_year_are_not_merged() -> None:
    a = ext(ref("Luật X số 1/2015/QH13", name="Luật X", number="1/2015/QH13"))
    b = ext(ref("Luật X số 2/2015/QH13", name="Luật X", number="2/2015/QH13"))
    c = ext(ref("Luật X năm 2015", name="Luật X", year=2015))
    r = Resolver([facts_of(x, str(i) * 64) for i, x in enumerate((a, b, c))])
    assert r.resolve(reference_keys(c)[0]).name_key == "luật x"
    assert ("luật x", 2015) in r.ambiguous


def test_a_yearless_name_is_not_merged_by_guess() -> None:
    a = ext(ref("Luật Đất đai số 31/2024/QH15", name="Luật Đất đai", number="31/2024/QH15"))
    b = ext(ref("Luật Đất đai", name="Luật Đất đai"))
    r = Resolver([facts_of(a, "a" * 64), facts_of(b, "b" * 64)])
    assert r.resolve(reference_keys(b)[0]).year_unknown


def test_a_cited_instrument_in_the_corpus_is_the_corpus_document() -> None:
    decree = Document(number="163/2016/NĐ-CP", type="Nghị định", type_code="NĐ", date="2016-12-21", title="Quy định chi tiết")
    citing = ext(ref("Nghị định số 163/2016/ND-CP", number="163/2016/ND-CP", type="Nghị định"))
    assert reference_keys(citing)[0] == document_key(decree, "x" * 64)
    r = Resolver([facts_of(Extraction(decree, []), "x" * 64), facts_of(citing, "y" * 64)])
    inst = r.instrument(reference_keys(citing)[0])
    assert inst.in_corpus and inst.date == "2016-12-21"


def test_a_law_in_the_corpus_meets_citations_of_its_name() -> None:
    law = Document(number="103/2016/QH13", type="Luật", title="BÁO CHÍ", date="2016-04-05")
    citing = ext(ref("Luật Báo chí năm 2016", name="Luật Báo chí", year=2016))
    r = Resolver([facts_of(Extraction(law, []), "l" * 64), facts_of(citing, "c" * 64)])
    assert r.resolve(reference_keys(citing)[0]) == document_key(law, "l" * 64)


def test_a_yearless_document_number_takes_the_year_of_its_date() -> None:
    plan = Document(number="120/KH-UBND", date="2018-08-10")
    assert document_key(plan, "h" * 64) == numbered_key("120/KH-UBND", 2018)
    assert document_key(Document(), "ab" * 32).file_hash == ("ab" * 32)[:20]


def test_resolver_lists_every_instrument_once_in_a_stable_order() -> None:
    a = ext(ref("A", number="1/2020/NĐ-CP"), ref("B", number="2/2020/NĐ-CP"), ref("A again", number="1/2020/ND-CP"))
    r1 = Resolver([facts_of(a, "a" * 64)])
    assert [k.number for k in r1.keys() if k.number] == ["1/2020/NĐ-CP", "2/2020/NĐ-CP"]
    assert r1.count_keys() == 3 == len(list(r1.keys()))  # and the citing document itself


def test_the_instrument_index_orders_keys_as_sorted_does() -> None:
    """The keys come from SQLite, which compares UTF-8 bytes: the order must be Python's (code points), also
    for letters beyond Latin-1 (ư, đ, ạ) beside ones below it (é, z)."""
    names = ["Luật Đất đai", "Luật Dân sự", "Luật Zeta", "Luật ưu đãi", "Luật ạ", "Luật é", "Luật Ánh sáng", "Luật a"]
    a = ext(*(ref(n, name=n, year=2000 + i) for i, n in enumerate(names)),
            *(ref(n, number=n) for n in ("5/2020/NĐ-CP", "13/CT-TTg", "5/2020/ND-CP")), date="2020-05-01")
    r = Resolver([facts_of(a, "a" * 64)], catalogue=False)
    keys = list(r.keys())
    assert len(keys) == len(names) + 3  # the two spellings of 5/2020/NĐ-CP are one, and the document itself
    assert keys == sorted(keys, key=lambda k: (k.text(), repr(k.to_list())))


def test_the_most_given_date_wins_and_a_tie_goes_to_the_earliest() -> None:
    """An instrument outside the corpus takes the date its citations give most often; on a tie, the
    smallest (as `sorted` of (count, value) gives): the index must break ties as the in-memory counts did."""
    def cites(type_: str | None, code: str | None, date: str | None) -> Extraction:
        return ext(ref("Quyết định số 7/QĐ-X", number="7/QĐ-X", type=type_, type_code=code, date=date, year=2019))
    one = [cites("Quyết định", "QĐ", "2019-03-02"), cites("Quyết định", "QĐ", "2019-03-01")]
    r = Resolver([facts_of(x, str(i) * 64) for i, x in enumerate(one)], catalogue=False)
    key = r.resolve(reference_keys(one[0])[0])
    assert r.instrument(key).date == "2019-03-01"  # one each: the earlier
    two = [*one, cites(None, None, "2019-03-02")]
    r = Resolver([facts_of(x, str(i) * 64) for i, x in enumerate(two)], catalogue=False)
    assert r.instrument(key).date == "2019-03-02"  # given twice


def test_two_files_of_one_number_the_last_gives_the_instruments_header() -> None:
    first = Document(number="9/2018/NĐ-CP", type="Nghị định", type_code="NĐ", date="2018-01-02", title="Bản cũ")
    last = Document(number="9/2018/NĐ-CP", type="Nghị định", type_code="NĐ", date="2018-01-09", title="Bản mới")
    r = Resolver([facts_of(Extraction(first, []), "a" * 64), facts_of(Extraction(last, []), "b" * 64)], catalogue=False)
    inst = r.instrument(document_key(first, "a" * 64))
    assert inst.in_corpus and inst.date == "2018-01-09"
    assert r.count_keys() == 1


def test_a_pickled_resolver_resolves_alike_without_its_index() -> None:
    """A Dask worker gets the resolver pickled: the instruments' database stays behind, the names travel."""
    import pickle

    a = ext(ref("Luật Ngân sách nhà nước năm 2015", name="Luật Ngân sách nhà nước", year=2015))
    b = ext(ref("Luật Ngân sách nhà nước số 83/2015/QH13", name="Luật Ngân sách nhà nước", number="83/2015/QH13"))
    r = Resolver([facts_of(a, "a" * 64), facts_of(b, "b" * 64)])
    copy = pickle.loads(pickle.dumps(r))
    assert copy.resolve(reference_keys(a)[0]) == r.resolve(reference_keys(a)[0]) == numbered_key("83/2015/QH13", None)
    assert r.count_keys() == 3
    with pytest.raises(RuntimeError, match="stays with the process"):
        copy.count_keys()


def test_evidence_spilled_file_by_file_gives_the_same_instruments(monkeypatch: pytest.MonkeyPatch) -> None:
    """The evidence goes to SQLite every `BATCH` files: with a batch of one file, every vote, header and bare
    name is summed in the database, and the instruments must come out as when all of it was in one batch."""
    from kgraph.link.corpus import Evidence

    law = Document(number="103/2016/QH13", type="Luật", title="BÁO CHÍ", date="2016-04-05")
    docs = [Extraction(law, []),
            ext(ref("Luật Báo chí năm 2016", name="Luật Báo chí", year=2016), date="2017-01-01"),
            ext(ref("Luật Báo chí", name="Luật Báo chí"), ref("Nghị định 5/2020/NĐ-CP", number="5/2020/NĐ-CP",
                type="Nghị định", type_code="NĐ", date="2020-01-02"), date="2021-01-01"),
            ext(ref("Nghị định 5/2020/ND-CP", number="5/2020/ND-CP", type="Nghị định", type_code="NĐ",
                    date="2020-01-03"), ref("Luật Đất đai", name="Luật Đất đai"), date="2022-02-02")]
    facts = [facts_of(x, str(i) * 64) for i, x in enumerate(docs)]

    def instruments() -> tuple[list, int]:
        r = Resolver(facts)
        return [r.instrument(k) for k in r.keys()], r.bare_resolved

    whole = instruments()
    monkeypatch.setattr(Evidence, "BATCH", 1)
    assert instruments() == whole
    assert len(whole[0]) == 6  # the law, the decree, Luật Đất đai, and the three citing documents


# ----------------------------------------------------------------------------- bodies, persons


@pytest.mark.parametrize(
    "phrase",
    ["UBND tỉnh Lạng Sơn", "Uỷ ban nhân dân tỉnh Lạng Sơn", "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", "của Ủy ban nhân dân tỉnh Lạng Sơn"],
)
def test_a_local_body_is_one_organisation_with_its_province(phrase: str) -> None:
    b = normalize_body(phrase)
    assert b is not None
    assert b.name == "Ủy ban nhân dân tỉnh Lạng Sơn" and b.province == "Lạng Sơn" and b.family == "local"


def test_a_position_before_a_body_is_dropped() -> None:
    assert normalize_body("của Bộ trưởng Bộ Tài chính").name == "Bộ Tài chính"
    assert normalize_body("Thủ tướng").name == "Thủ tướng Chính phủ"
    assert normalize_body("Bộ Tài chính").iri() == normalize_body("Bộ trưởng Bộ Tài chính").iri()


@pytest.mark.parametrize("abbr", load().abbreviations, ids=lambda a: a.short)
def test_abbreviations_inside_a_body_name_expand_from_issuers_yaml(abbr) -> None:
    # an issuer's alias in capitals (UBND, HĐND) or an entry of `abbreviations:`; the latter with examples
    assert normalize_body(f"{abbr.short} tỉnh Lạng Sơn").name == f"{abbr.name} tỉnh Lạng Sơn"
    is_alias = any(abbr.short in i.aliases for i in load().issuers)
    assert is_alias or abbr.examples, f"{abbr.short}: add an example"
    for e in abbr.examples:
        assert normalize_body(e["written"]).name == e["body"]


def test_only_capitalised_aliases_are_abbreviations() -> None:
    shorts = {a.short: a.name for a in load().abbreviations}
    assert shorts["UBND"] == "Ủy ban nhân dân" and shorts["HĐND"] == "Hội đồng nhân dân"
    assert "BTC" not in shorts and "Uỷ ban nhân dân" not in shorts  # a code, a mixed-case alias


def test_a_person_is_one_node_however_the_name_is_cased() -> None:
    assert person_iri("PHẠM NGỌC THƯỞNG") == person_iri("Phạm  Ngọc Thưởng")
    assert person_iri("Phạm Ngọc Thưởng") != person_iri("Phạm Ngọc Thương")


# ----------------------------------------------------------------------------- what users type


@pytest.mark.parametrize("typed", ["163/2016/NĐ-CP", "nd 163/2016/ND-CP", "Nghị định số 163/2016/NĐ-CP"])
def test_users_typing_a_full_number(typed: str) -> None:
    assert parse_user_instrument(typed).exact == numbered_key("163/2016/NĐ-CP", None)


def test_users_typing_a_partial_number_get_a_prefix_for_the_type() -> None:
    u = parse_user_instrument("Nghị định 163/2016")
    assert u.exact is None and u.number_prefix == "163/2016/nd-"
    assert parse_user_instrument("tt 01/2025").number_prefix == "01/2025/tt-"


def test_users_typing_a_yearless_number_with_and_without_year() -> None:
    assert parse_user_instrument("13/CT-TTg năm 2018").exact == numbered_key("13/CT-TTg", 2018)
    u = parse_user_instrument("13/CT-TTg")
    assert u.exact is None and u.number_loose == "13/ct-ttg"


def test_users_typing_a_name() -> None:
    assert parse_user_instrument("Luật Ngân sách nhà nước 2015").exact == InstrumentKey(name_key="luật ngân sách nhà nước", year=2015)
    u = parse_user_instrument("Luật Đất đai")
    assert u.exact is None and u.name_key == "luật đất đai"
    assert parse_user_instrument("   ") is None
