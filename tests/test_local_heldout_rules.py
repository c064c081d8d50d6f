"""Rules found on the held-out local documents (bench/devset/local-heldout.ann, issue 15): each on a sentence
from those pages, with the case that must not change beside it."""

from __future__ import annotations

from kgraph.extract.citations import find_references
from kgraph.model import Document

PLAN = Document(number="1/KH-UBND", type="Kế hoạch", issuer="Ủy ban nhân dân tỉnh Nghệ An")


def test_the_own_type_in_lower_case_with_nay_is_the_document_itself():
    text = "1. Căn cứ kế hoạch này, các sở xây dựng kế hoạch. Các kế hoạch này được tổng hợp. Triển khai Kế hoạch này."
    refs = find_references(text, document=PLAN)
    assert [(r.text, r.kind) for r in refs] == [("kế hoạch này", "self"), ("Kế hoạch này", "self")]
    # another type in lower case is no reference of this plan
    assert find_references("Căn cứ quyết định này, các sở thực hiện.", document=PLAN) == []


def test_a_numbered_project_is_a_part_of_a_programme_not_an_instrument():
    text = ("- Dự án 1: *“Phòng ngừa, đấu tranh tội phạm về ma túy”.*\n"
            "- Tiểu dự án 2 (Dự án 7): *“Nâng cao hiệu quả truyền thông”.*\n"
            "triển khai Tiểu dự án 1 (thuộc Dự án 3: Nâng cao năng lực công tác đấu tranh).")
    assert find_references(text, document=PLAN) == []
    # other ordinals stay short forms to bind, a scheme known by its number too
    assert [r.text for r in find_references("Căn cứ Nghị định 54 của Chính phủ;")] == ["Nghị định 54"]
    assert [r.text for r in find_references("Trách nhiệm Tổ công tác triển khai Đề án 06: a) Chỉ đạo.")] == ["Đề án 06"]


def test_a_licence_is_cited_by_its_number_only():
    text = "Điều 20. Điều kiện cấp Giấy phép\n1. Giấy phép này có giá trị 05 năm. Giấy phép số 12/GP-UBND ngày 1/2/2020."
    assert [(r.number, r.type) for r in find_references(text)] == [("12/GP-UBND", "Giấy phép")]


def test_tren_dia_ban_is_a_place_not_the_instrument_above():
    assert find_references("đảm bảo các điều kiện thực hiện Chương trình trên địa bàn.", document=PLAN) == []
    assert [r.kind for r in find_references("thực hiện theo Nghị định trên.", document=PLAN)] == ["short"]


def test_a_number_restated_in_brackets_after_a_title_naming_another_instrument_is_no_reference():
    text = ("Thực hiện Nghị quyết số 50/NQ-CP ngày 13/3/2025 của Chính phủ về ban hành Kế hoạch triển khai Nghị quyết "
            "số 163/2024/QH15 ngày 27/11/2024 của Quốc hội (Nghị quyết số 50/NQ-CP) và Quyết định số 7619/QĐ-BCA.")
    refs = find_references(text, document=PLAN)
    assert [(r.number, r.relation) for r in refs] == [
        ("50/NQ-CP", "implements"), ("163/2024/QH15", "cites"), ("7619/QĐ-BCA", "implements")]
    # a later citation of the same number after ";" is a reference of its own
    text2 = "Thực hiện Nghị quyết số 50/NQ-CP của Chính phủ; theo Kế hoạch số 2/KH-UBND (Nghị quyết số 50/NQ-CP)."
    assert [r.number for r in find_references(text2, document=PLAN)].count("50/NQ-CP") == 2


def test_a_licence_and_a_thong_bao_ket_luan_take_their_type_from_the_code():
    refs = find_references("Mỏ cát | Giấy phép thăm dò số 710/GP-TNMT- QLTN ngày 12/9/2007 của STNMT |", document=PLAN)
    assert [(r.number, r.type, r.date) for r in refs] == [("710/GP-TNMT-QLTN", "Giấy phép", "2007-09-12")]
    refs = find_references("triển khai Thông báo kết luận số 196-TB/TW ngày 16 tháng 3 năm 2015 của Ban Bí thư")
    assert [(r.number, r.type, r.issuer) for r in refs] == [("196-TB/TW", "Thông báo", "Ban Bí thư")]


def test_relations_of_the_held_out_pages():
    cases = [
        ("tham mưu UBND tỉnh sửa đổi, bổ sung hoặc thay thế Quyết định số 15/2021/QĐ-UBND ngày 08/7/2021 của UBND "
         "tỉnh Nghệ An; Quyết định số 46/2002/QĐ-UBND ngày 12/09/2022 của UBND tỉnh.", ["cites", "cites"]),
        ("Tiếp tục phổ biến các quy định của pháp luật và các văn bản hướng dẫn thi hành công tác bảo vệ bí mật nhà "
         "nước, nhất là: Luật Bảo vệ bí mật nhà nước, Chỉ thị số 32/CT-TTg ngày 21/10/2025.", ["cites", "cites"]),
        ("Tiếp tục quán triệt, triển khai có hiệu quả các quy định của pháp luật và các văn bản hướng dẫn thi hành công tác "
         "bảo vệ bí mật nhà nước, nhất là: Luật Bảo vệ bí mật nhà nước, Chỉ thị số 32/CT-TTg; Kế hoạch số 151/KH-UBND.",
         ["implements", "implements", "implements"]),
        ("Thông tư này hướng dẫn thực hiện Nghị định số 145/2020/NĐ-CP.", ["guides"]),
    ]
    for text, rels in cases:
        assert [r.relation for r in find_references(text, document=PLAN) if r.kind != "self"] == rels, text
