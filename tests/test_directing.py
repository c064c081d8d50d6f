"""A plan's directing documents written indirectly (issue 15): "thực hiện ... theo X", footnoted lists."""

from __future__ import annotations

from kgraph.extract.citations import find_references
from kgraph.model import Document

PLAN = Document(number="5/KH-UBND", type="Kế hoạch", issuer="Ủy ban nhân dân thành phố Cần Thơ")
CIRCULAR = Document(number="15/2024/TT-BLĐTBXH", type="Thông tư", issuer="Bộ Lao động - Thương binh và Xã hội")


def _rel(text: str, doc: Document) -> dict[str, str | None]:
    return {r.number: r.relation for r in find_references(text, document=doc) if r.number}


def test_carrying_out_theo_x_in_a_plan():
    text = ("b) Tiếp tục rà soát, thực hiện đơn giản hóa thủ tục hành chính theo Nghị quyết số 66/NQ-CP ngày 26/3/2025 "
            "của Chính phủ và Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ.")
    assert _rel(text, PLAN) == {"66/NQ-CP": "implements", "766/QĐ-TTg": "implements"}


def test_where_a_rule_is_stays_a_citation():
    text = "Thực hiện chế độ báo cáo theo quy định tại Thông tư số 01/2021/TT-BYT ngày 25/01/2021 của Bộ Y tế."
    assert _rel(text, PLAN) == {"01/2021/TT-BYT": "cites"}


def test_a_ministry_moving_staff_theo_a_decision_only_cites():
    text = ("Người lao động thực hiện chuyển đơn vị sự nghiệp công lập thành công ty cổ phần theo Quyết định "
            "22/2015/QĐ-TTg ngày 22/6/2015 của Thủ tướng Chính phủ.")
    assert _rel(text, CIRCULAR) == {"22/2015/QĐ-TTg": "cites"}


FOOTNOTED = (
    "Thành ủy, Ủy ban nhân dân thành phố đã ban hành nhiều chương trình, kế hoạch[1] để triển khai. Sở Y tế triển "
    "khai thực hiện có hiệu quả các nhiệm vụ về công tác dân số theo các văn bản chỉ đạo của Chính phủ[2].\n"
    "[1] Chương trình số 30-CTr/TU ngày 29/12/2017 của Thành ủy Cần Thơ thực hiện Nghị quyết số 21-NQ/TW; Kế hoạch "
    "số 53/KH-UBND ngày 21/3/2018 của UBND thành phố Cần Thơ.\n"
    "[2] Chỉ thị số 27/CT-TTg ngày 15/7/2024 của Thủ tướng Chính phủ về tăng cường công tác dân số; Quyết định số "
    "1745/QĐ-TTg ngày 15/8/2025 của Thủ tướng Chính phủ về việc ban hành Kế hoạch thực hiện Kết luận số 149-KL/TW "
    "ngày 10/4/2025 của Bộ Chính trị.\n"
)


def test_footnoted_directing_documents():
    rel = _rel(FOOTNOTED, PLAN)
    # the items of footnote [2], whose marker ends "triển khai thực hiện ... theo các văn bản chỉ đạo"
    assert rel["27/CT-TTg"] == rel["1745/QĐ-TTg"] == "implements"
    # footnote [1]'s marker follows "đã ban hành": programmes already issued, cited
    assert rel["30-CTr/TU"] == rel["53/KH-UBND"] == "cites"


TAX_OFFICE = Document(number="3257/TNI-QLDN1", type="Công văn", issuer="Thuế tỉnh Tây Ninh")
QUOTING = (
    "- Căn cứ Nghị định số 72/2024/NĐ-CP ngày 30/6/2024 của Chính phủ quy định chính sách giảm thuế giá trị gia tăng.\n"
    "+ Tại Điều 1 quy định về giảm thuế giá trị gia tăng:\n"
    "*“Điều 1. Giảm thuế giá trị gia tăng*\n"
    "*a) Viễn thông. Chi tiết tại Phụ lục I ban hành kèm theo Nghị định này.*\n"
    "*d) Việc giảm thuế cho từng loại hàng hóa quy định tại khoản 1 Điều này được áp dụng thống nhất.*\n"
    "*…”*\n"
    "Căn cứ quy định trên, hàng hóa của Công ty thuộc đối tượng được giảm thuế GTGT theo quy định tại Nghị định này.\n"
)


def test_a_letter_quoting_a_decree():
    """In a letter, "Nghị định này" is the decree it quotes, and the quotation's "Điều này" that decree's article."""
    refs = [r for r in find_references(QUOTING, document=TAX_OFFICE) if r.text.endswith("này")]
    assert [(r.kind, r.target, r.type, r.relation) for r in refs] == [("short", "72/2024/NĐ-CP", "Nghị định", "cites")] * 3
    assert [(p.article, p.clause) for p in refs[1].pinpoint] == [("1", "1")]


def test_this_decree_in_a_decree_stays_itself():
    decree = Document(number="5/2025/NĐ-CP", type="Nghị định", issuer="Chính phủ")
    text = "Căn cứ Nghị định số 72/2024/NĐ-CP ngày 30/6/2024 của Chính phủ;\nNghị định này có hiệu lực từ ngày ký."
    refs = [r for r in find_references(text, document=decree) if r.text == "Nghị định này"]
    assert [(r.kind, r.target) for r in refs] == [("self", "self")]


def test_upper_case_titles_read_like_other_text():
    text = ("KẾ HOẠCH\nTRIỂN KHAI THI HÀNH LUẬT PHÒNG THỦ DÂN SỰ VÀ QUYẾT ĐỊNH SỐ 1899/QĐ-TTG NGÀY 04/9/2025 CỦA THỦ "
            "TƯỚNG CHÍNH PHỦ TRÊN ĐỊA BÀN TỈNH\n\nThực hiện Luật Phòng thủ dân sự năm 2023.\n")
    refs = find_references(text, document=PLAN)
    got = [(r.text, r.name, r.number, r.date, r.relation) for r in refs]
    assert got[:2] == [("LUẬT PHÒNG THỦ DÂN SỰ", "Luật Phòng thủ dân sự", None, None, "implements"),
                       ("QUYẾT ĐỊNH SỐ 1899/QĐ-TTG", None, "1899/QĐ-TTg", "2025-09-04", "implements")]
    # a law's own heading on a line of its own is not a citation; "DỰ ÁN LUẬT" is a bill
    assert find_references("LUẬT THUẾ TIÊU THỤ ĐẶC BIỆT\nCăn cứ Hiến pháp;\n") [0].text == "Hiến pháp"
    assert find_references("VỀ VIỆC TIẾP THU DỰ ÁN LUẬT PHÒNG THỦ DÂN SỰ TRÊN ĐỊA BÀN\n") == []


def test_a_number_restated_after_a_title_is_no_reference():
    """"(Nghị quyết 214/NQ-CP)" after the resolution's title restates its number (CONVENTIONS.md: not a reference)."""
    text = ("Thành phố triển khai thực hiện Nghị quyết số 214/NQ-CP ngày 23/7/2025 của\nChính phủ ban hành Kế hoạch "
            "hành động về thúc đẩy tạo lập dữ liệu phục vụ chuyển đổi số toàn diện (Nghị quyết 214/NQ-CP); đảm bảo "
            "hiệu quả. Triển khai Nghị quyết 214/NQ-CP trong năm 2026.")
    refs = find_references(text, document=PLAN)
    assert [(r.text, r.relation) for r in refs] == [("Nghị quyết số 214/NQ-CP", "implements"),
                                                   ("Nghị quyết 214/NQ-CP", "implements")]
    assert refs[1].start > text.index("trong năm") - 30
