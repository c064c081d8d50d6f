"""kgraph.numbers: the one place that reads, normalises and classifies document numbers."""

from __future__ import annotations

import re

import pytest

from kgraph.extract import extract
from kgraph.link.user_input import parse_user_instrument
from kgraph.model import Document
from kgraph.numbers import (
    NUMBER_PATTERN,
    canonical_code,
    is_party_number,
    issuer_of_codes,
    normalize_number,
    number_codes,
    number_family,
    parse_number,
    year_of_number,
)

_NUMBER = re.compile(NUMBER_PATTERN)


@pytest.mark.parametrize(
    ("written", "family"),
    [
        ("120/KH-UBND", "admin"),
        ("163/2016/NĐ-CP", "state"),
        ("01/2016/TTLT-BTC-KHCN", "state"),
        ("11-NQ/TW", "party"),
        ("150-CP", "old"),
    ],
)
def test_the_pattern_and_number_family_agree_on_the_family(written: str, family: str) -> None:
    m = _NUMBER.fullmatch(written)
    assert m is not None and m.lastgroup == family
    assert number_family(written) == family


def test_a_dotted_ordinal_is_a_state_number_outside_running_text() -> None:
    assert number_family("66.16/2026/NQ-CP") == "state"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("163/2016/nd-cp", "163/2016/NĐ-CP"),
        ("163 / 2016 / ND\u2013CP", "163/2016/NĐ-CP"),
        ("01/2016/TTLT/BTC-KHCN", "01/2016/TTLT-BTC-KHCN"),
        ("01/2016/TTLT-BTC-KHCN", "01/2016/TTLT-BTC-KHCN"),
        ("11- nq/tw", "11-NQ/TW"),
        ("120/kh-ubnd", "120/KH-UBND"),
        ("83/2015/qh13", "83/2015/QH13"),
        ("1141/TC/QĐ/CĐKT", "1141/TC/QĐ/CĐKT"),  # not a state number: its slashes stay
    ],
)
def test_one_normal_form_however_the_number_is_written(written: str, normal: str) -> None:
    assert normalize_number(written) == normal


@pytest.mark.parametrize(
    "written",
    ["120/KH-UBND", "163/2016/NĐ-CP", "163/2016/ND-CP", "01/2016/TTLT/BTC-KHCN", "11-NQ/TW", "05- NQ/TW", "13/ct-TTg"],
)
def test_the_extractors_reading_and_the_identity_key_are_the_same_string(written: str) -> None:
    assert parse_number(written).number == normalize_number(written)


def test_codes_that_differ_only_by_đ_stay_apart() -> None:
    assert canonical_code("HD") == "HD"
    assert canonical_code("HĐ") == "HĐ"
    assert canonical_code("nd") == "NĐ"
    assert canonical_code("UBTVQH14") == "UBTVQH14"
    assert canonical_code("XYZ") == "XYZ"  # unknown codes as written


def test_parts_of_a_number() -> None:
    p = parse_number("01/2016/TTLT/BTC-KHCN")
    assert (p.family, p.type_code, p.issuer_codes, p.year) == ("state", "TTLT", ["BTC", "KHCN"], 2016)
    p = parse_number("11-NQ/TW")
    assert (p.family, p.type_code, p.issuer_codes, p.year) == ("party", "NQ", ["TW"], None)
    p = parse_number("120/KH-UBND")
    assert (p.family, p.type_code, p.issuer_codes, p.year) == ("admin", "KH", ["UBND"], None)
    p = parse_number("51/2024/QH15")
    assert (p.type_code, p.issuer_codes) == (None, ["QH15"])  # laws carry no type code


def test_codes_of_a_normalised_number() -> None:
    assert number_codes("163/2016/NĐ-CP") == ("NĐ", ["CP"])
    assert number_codes("11-NQ/TW") == ("NQ", ["TW"])
    assert number_codes("4028/BKHĐT-TH") == (None, ["BKHĐT", "TH"])
    assert is_party_number("11-NQ/TW") and not is_party_number("120/KH-UBND")


def test_year_of_a_number() -> None:
    assert year_of_number("163/2016/NĐ-CP") == 2016
    assert year_of_number("01/2016/TTLT-BTC-KHCN") == 2016
    assert year_of_number("11-NQ/TW") is None
    assert year_of_number("120/KH-UBND") is None
    assert year_of_number("66.16/2026/NQ-CP") == 2026  # the Government's dotted series


def test_a_dotted_number_with_its_year_inside_gets_no_second_year_in_its_iri() -> None:
    from kgraph.link.keys import DEFAULT_BASE, numbered_key

    assert numbered_key("66.16/2026/NQ-CP", 2026).iri() == DEFAULT_BASE + "doc/66.16_2026_NQ-CP"


def test_document_year_comes_from_the_number_before_the_date() -> None:
    assert Document(number="163/2016/NĐ-CP", date="2017-01-05").year == 2016
    assert Document(number="120/KH-UBND", date="2018-06-30").year == 2018


def test_issuer_of_codes() -> None:
    assert issuer_of_codes(["CP"], party=False) == "Chính phủ"
    assert issuer_of_codes(["QH13"], party=False) == "Quốc hội"
    assert issuer_of_codes(["TW"], party=True) is None  # ambiguous: which central body
    assert issuer_of_codes(["XYZ", "CP"], party=False) is None  # only the first code speaks


def test_a_user_typing_the_old_joint_spelling_meets_the_extracted_number() -> None:
    ex = extract("Căn cứ Thông tư liên tịch số 01/2016/TTLT/BTC-KHCN ngày 05 tháng 01 năm 2016.")
    (ref,) = [r for r in ex.references if r.kind == "numbered"]
    u = parse_user_instrument("01/2016/TTLT/BTC-KHCN")
    assert u is not None and u.exact is not None
    assert u.exact.number == ref.number == "01/2016/TTLT-BTC-KHCN"


def test_both_build_fingerprints_follow_the_numbers_module(monkeypatch: pytest.MonkeyPatch) -> None:
    from kgraph import build

    seen: list[list[str]] = []
    monkeypatch.setattr(build, "_code_hash", lambda paths: seen.append(sorted(p.name for p in paths)) or "x")
    build.extractor_fingerprint()
    build.graph_fingerprint()
    assert len(seen) == 2 and all("numbers.py" in names for names in seen)
    assert {"found.py", "patterns.py", "sentences.py"} <= set(seen[0])
