"""Symbols as local bodies write them, and titles in capitals (issue 15)."""

from __future__ import annotations

import pytest

from kgraph.extract.citations import find_references


@pytest.mark.parametrize(
    ("text", "number", "date"),
    [
        ("Thực hiện Kế hoạch số 515/KH-BCA-BNN&MT ngày 12/8/2025 của Bộ Công an.", "515/KH-BCA-BNN&MT", "2025-08-12"),
        ("theo Công văn số 15972/SXD-QLN& TTBĐS ngày 20/10/2025 của Sở Xây dựng.", "15972/SXD-QLN&TTBĐS", "2025-10-20"),
        ("thực hiện Nghị quyết 71/NQ -CP ngày 01/4/2025 của Chính phủ.", "71/NQ-CP", "2025-04-01"),
        ("Căn cứ Thông tư số 92/2009/TT- BTC ngày 08/5/2009 của Bộ Tài chính;", "92/2009/TT-BTC", "2009-05-08"),
        ("Thực hiện Nghị quyết số 27/NQ- TW ngày 09/11/2022 của Ban Chấp hành Trung ương.", "27/NQ-TW", "2022-11-09"),
        ("KẾ HOẠCH TRIỂN KHAI QUYẾT ĐỊNH SỐ 1899/QĐ-TTG NGÀY 04/9/2025 CỦA THỦ TƯỚNG CHÍNH PHỦ", "1899/QĐ-TTg",
         "2025-09-04"),
    ],
)
def test_local_symbols_whole_with_their_date(text, number, date):
    refs = [r for r in find_references(text) if r.kind == "numbered"]
    assert [(r.number, r.date) for r in refs] == [(number, date)]


def test_a_count_after_a_plural_type_word_is_not_a_reference():
    assert find_references("Có đủ các Quyết định 03 cán bộ được cử đi học.") == []
    # a bare ordinal after a type word is still a short form to bind
    assert [r.text for r in find_references("Căn cứ Nghị định 54 của Chính phủ;")] == ["Nghị định 54"]


def test_an_alias_binds_to_the_instrument_of_its_type():
    text = ("Căn cứ Nghị định số 200/2025/NĐ-CP ngày 09/7/2025 của Chính phủ quy định chi tiết một số điều của Luật "
            "Phòng thủ dân sự (sau đây viết tắt là Nghị định); thực hiện Nghị định theo quy định.")
    shorts = [r for r in find_references(text) if r.kind == "short"]
    assert [(r.text, r.target) for r in shorts] == [("Nghị định", "200/2025/NĐ-CP")]
