"""Own metadata of pages saved from a legal website (issue 15): markdown marks, linearised table cells,
the site's panel and news summary above the document. The pages here are written for the tests in the
layout such pages have (../shared/corpus/tvpl holds real ones: bench/tvpl_panel_accuracy.py)."""

from __future__ import annotations

import pytest

from kgraph.extract import extract
from kgraph.extract.header import read_header
from kgraph.extract.header.markup import plain_view

CHROME = """|
|
Bản dịch này thuộc quyền sở hữu của **
THƯ VIỆN PHÁP LUẬT**. Mọi hành vi sao chép, đăng tải lại mà không có sự đồng ý của **
THƯ VIỆN PHÁP LUẬT** là vi phạm pháp luật về Sở hữu trí tuệ.
X
**
CÁC NỘI DUNG ĐƯỢC SỬA ĐỔI, HƯỚNG DẪN
**
Đang tải văn bản...
#
**Số hiệu:**
|
{number}
|
|
**Loại văn bản:**
|
{type}
|
**Nơi ban hành:**
|
{place}
|
|
**Người ký:**
|
{signer}
|
**Ngày ban hành:**
|
{date}
|
|
**Tình trạng:**
|
Đã biết
|
"""

DECISION = """|
**ỦY BAN NHÂN
DÂN **
TỈNH HÀ TĨNH
--------
|
**CỘNG HÒA XÃ
HỘI CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số:
84/2025/QĐ-UBND
|
*Hà Tĩnh, ngày
02 tháng 12 năm 2025*
|
**QUYẾT ĐỊNH**
VỀ VIỆC BAN HÀNH QUY ĐỊNH QUẢN LÝ CHỢ
TRÊN ĐỊA BÀN TỈNH HÀ TĨNH
**ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH**
*Căn cứ Luật Tổ chức chính
quyền địa phương số 72/2025/QH15;*
**QUYẾT ĐỊNH:**
**Điều 1. **Ban hành kèm theo Quyết định này Quy định quản lý chợ.
|
*Nơi nhận:*
- Như Điều 1;
- Lưu: VT.
|
**TM. ỦY BAN
NHÂN DÂN**
**KT. CHỦ TỊCH**
PHÓ CHỦ TỊCH
**Nguyễn
Văn An**
|
"""

TAX_LETTER = """|
BỘ TÀI CHÍNH
**CỤC THUẾ**
-------
|
**CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số: 5348/CT-CS
*V/v hướng dẫn góp vốn điều lệ*
|
*Hà Nội, ngày 20
tháng 11 năm 2025*
|
**Kính gửi:** Thuế tỉnh Quảng Trị.
Cục Thuế nhận được công văn số 324/QTR-KTr2 ngày 22/7/2025 của Thuế tỉnh Quảng Trị.
|
**KT. TRƯỞNG BAN**
**PHÓ TRƯỞNG BAN**
**Phạm Thị Minh Hiền**
"""


def test_plain_view_keeps_every_offset():
    page = CHROME + DECISION
    view = plain_view(page)
    assert len(view) == len(page)
    assert "ỦY BAN NHÂN DÂN" in view and "Số: 84/2025/QĐ-UBND" in view
    assert "Hà Tĩnh, ngày 02 tháng 12 năm 2025" in view


def test_marks_inside_words_close_up():
    view = plain_view("**X**\n*Hà Nội, ngày 21 tháng 11 n**ă**m\n2025*\n")
    assert "ngày 21 tháng 11 năm" in view and len(view) == len("**X**\n*Hà Nội, ngày 21 tháng 11 n**ă**m\n2025*\n")


def test_decision_page_reads_the_document_header_not_the_chrome():
    page = CHROME.format(number="84/2025/QĐ-UBND", type="Quyết định", place="Tỉnh Hà Tĩnh",
                         signer="Nguyễn Văn An", date="02/12/2025") + DECISION
    d = read_header(page).document
    assert d.number == "84/2025/QĐ-UBND"
    assert d.type == "Quyết định"
    assert d.issuer == "Ủy ban nhân dân tỉnh Hà Tĩnh"  # never the motto, never the title
    assert (d.place, d.date) == ("Hà Tĩnh", "2025-12-02")
    assert d.signer.name == "Nguyễn Văn An"  # a name broken over two lines keeps its family name
    assert d.signer.mode == "KT."


def test_own_number_on_the_next_line_is_not_a_reference_to_itself():
    page = DECISION.replace("84/2025/QĐ-UBND", "163/2025/QĐ-CTUBND")
    x = extract(page)
    assert x.document.number == "163/2025/QĐ-CTUBND"
    assert not [r for r in x.references if r.number == "163/2025/QĐ-CTUBND" and r.kind == "numbered"]


def test_header_beats_the_panel():
    # the panel says otherwise: the document's own header is what the document says
    page = CHROME.format(number="999/QĐ-UBND", type="Công văn", place="Tỉnh Nghệ An",
                         signer="Lê Văn Khác", date="01/01/2024") + DECISION
    d = read_header(page).document
    assert (d.number, d.type, d.date, d.signer.name) == ("84/2025/QĐ-UBND", "Quyết định", "2025-12-02", "Nguyễn Văn An")
    assert d.issuer == "Ủy ban nhân dân tỉnh Hà Tĩnh"


def test_letter_code_is_a_unit_not_a_directive():
    d = read_header(TAX_LETTER).document
    assert d.number == "5348/CT-CS"
    assert d.type == "Công văn"  # CT is Cục Thuế here, not Chỉ thị
    assert d.issuer == "Cục Thuế"
    assert d.date == "2025-11-20"
    assert d.title == "Hướng dẫn góp vốn điều lệ"


@pytest.mark.parametrize(
    ("block", "issuer"),
    [
        ("CỤC THUẾ\n**THUẾ TỈNH TÂY NINH**", "Thuế tỉnh Tây Ninh"),
        ("UBND THÀNH PHỐ HÀ\nNỘI\n**SỞ GIÁO DỤC VÀ ĐÀO TẠO**", "Sở Giáo dục và Đào tạo thành phố Hà Nội"),
        ("BỘ\nTÀI CHÍNH\n**CỤC HẢI QUAN**", "Cục Hải quan"),
        ("**ỦY\nBAN NHÂN DÂN **\nTỈNH QUẢNG TRỊ", "Ủy ban nhân dân tỉnh Quảng Trị"),
        ("**HỘI ĐỒNG NHÂN\nDÂN **\nTHÀNH PHỐ HÀ NỘI", "Hội đồng nhân dân thành phố Hà Nội"),
        ("**VĂN PHÒNG CHÍNH\nPHỦ**", "Văn phòng Chính phủ"),
    ],
)
def test_issuer_blocks_wrapped_in_cells(block, issuer):
    page = (f"|\n{block}\n-------\n|\n**CỘNG HÒA XÃ\nHỘI CHỦ NGHĨA VIỆT NAM**\nĐộc lập - Tự do - Hạnh phúc\n"
            "---------------\n|\n|\nSố: 12/TB-X\n|\n*Hà Nội, ngày 20\ntháng 11 năm 2025*\n|\n**THÔNG BÁO**\nVỀ VIỆC X\n")
    assert read_header(page).document.issuer == issuer


def test_party_document():
    page = ("|\n**BAN\nCHẤP HÀNH TRUNG ƯƠNG**\n*\n|\n**ĐẢNG\nCỘNG SẢN VIỆT NAM**\n---------------\n|\n|\n"
            "Số 221-KL/TW\n|\n*Hà Nội, ngày 28\ntháng 11 năm 2025*\n|\n**KẾT LUẬN**\nCỦA BỘ CHÍNH TRỊ\n")
    d = read_header(page).document
    assert d.number == "221-KL/TW"
    assert d.issuer == "Ban Chấp hành Trung ương"
    assert d.date == "2025-11-28"


def test_page_without_the_documents_header_takes_the_panels_values():
    page = CHROME.format(number="17809/BTC-CTK", type="Công văn", place="Bộ Tài chính",
                         signer="Nguyễn Thị Bích Ngọc", date="17/11/2025") + (
        "** **\n**Kính gửi:** Ủy ban nhân dân các tỉnh\nThực hiện Nghị định số 94/2022/NĐ-CP ngày 07/11/2022.\n")
    d = read_header(page).document
    assert (d.number, d.type, d.issuer, d.date, d.signer.name) == (
        "17809/BTC-CTK", "Công văn", "Bộ Tài chính", "2025-11-17", "Nguyễn Thị Bích Ngọc")


def test_panel_place_with_the_numbers_local_body():
    page = CHROME.format(number="4001/UBND-ĐT", type="Công văn", place="Thành phố Hồ Chí Minh",
                         signer="Bùi Minh Thạnh", date="24/11/2025") + "**Kính gửi:**\n- Sở Tài chính.\n"
    assert read_header(page).document.issuer == "Ủy ban nhân dân thành phố Hồ Chí Minh"


def test_news_summary_above_the_document_is_chrome():
    summary = ("## Cho phép người Việt vào chơi casino\n**Ngày 26/11/2025, Chính phủ ban hành Nghị quyết 08/2025/NQ-CP "
               "về việc cho phép người Việt Nam đủ điều kiện vào chơi casino tại một số dự án kinh doanh casino và "
               "quy định địa điểm, thời gian thực hiện thí điểm.**\n" + "Nội dung tóm tắt dài. " * 20 + "\n"
               "Xem thêm chi tiết tại Nghị quyết 08/2025/NQ-CP có hiệu lực từ ngày 26/11/2025.\n")
    doc = ("|\n**CHÍNH\nPHỦ**\n-------\n|\n**CỘNG\nHÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\nĐộc lập - Tự do - Hạnh phúc\n"
           "---------------\n|\n|\nSố: 08/2025/NQ-CP\n|\n*Hà Nội, ngày 26\ntháng 11 năm 2025*\n|\n**NGHỊ QUYẾT**\nVỀ\n"
           "VIỆC CHO PHÉP NGƯỜI VIỆT NAM VÀO CHƠI CASINO\n*Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;*\n")
    page = CHROME.format(number="08/2025/NQ-CP", type="Nghị quyết", place="Chính phủ", signer="Hồ Đức Phớc",
                         date="26/11/2025") + summary + doc
    x = extract(page)
    assert (x.document.number, x.document.issuer, x.document.date) == ("08/2025/NQ-CP", "Chính phủ", "2025-11-26")
    assert all(r.number != "08/2025/NQ-CP" for r in x.references)  # the summary's mentions are chrome


def test_number_and_date_joined_by_a_tab():
    d = read_header("NGÂN HÀNG NHÀ NƯỚC\nVIỆT NAM\nSố: 41/2025/TT-NHNN\tHà Nội, ngày 05 tháng 11 năm 2025\n\n"
                    "THÔNG TƯ\nQuy định về X\n\nCăn cứ Luật Ngân hàng Nhà nước Việt Nam;\n").document
    assert d.number == "41/2025/TT-NHNN"
    assert (d.place, d.date) == ("Hà Nội", "2025-11-05")


def test_national_database_properties_page():
    """A page that is only the national database's properties table (vbpl 'Thuộc tính') takes its metadata from
    it (header.yaml site_chrome.properties_example), not from the site's name in capitals at its foot."""
    from kgraph.knowledge import load

    ex = load().header.site_chrome["properties_example"]
    d = read_header(ex["page"]).document
    got = {"number": d.number, "type": d.type, "date": d.date, "issuer": d.issuer, "signer": d.signer.name}
    assert got == ex["document"]


def test_consolidated_text_properties_name_their_consolidating_body():
    page = ("Luật 31/VBHN-VPQH\nThuộc tính\nhợp nhất Luật Xử lý vi phạm hành chính\nSố ký hiệu\n31/VBHN-VPQH\n"
            "Loại VB được sửa đổi bổ sung\nLuật\nNgày xác thực\n07/12/2020\nCơ quan hợp nhất/ Người ký/ Chức danh\n"
            "Văn phòng Quốc hội\nNguyễn Hạnh Phúc\nChủ nhiệm\n")
    d = read_header(page).document
    assert (d.number, d.type, d.date, d.issuer, d.signer.name, d.signer.title) == (
        "31/VBHN-VPQH", "Văn bản hợp nhất", "2020-12-07", "Văn phòng Quốc hội", "Nguyễn Hạnh Phúc", "Chủ nhiệm")


def test_signer_broken_after_the_family_name_without_marks():
    text = ("ỦY BAN NHÂN DÂN\nTỈNH HÀ TĨNH\nSố: 84/2025/QĐ-UBND\nHà Tĩnh, ngày 02 tháng 12 năm 2025\nQUYẾT ĐỊNH\n"
            "Về việc X\nCăn cứ Luật Tổ chức chính quyền địa phương;\nĐiều 1. Ban hành.\nNơi nhận:\n- Như Điều 1;\n"
            "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn\nVăn An\n")
    s = read_header(text).document.signer
    assert (s.name, s.title, s.mode) == ("Nguyễn Văn An", "Phó Chủ tịch", "KT.")
