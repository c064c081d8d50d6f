"""Unit tests for each family of reference, written from the rules in numbering.md."""

from __future__ import annotations

import signal
import unicodedata

import pytest

from kgraph import extract
from kgraph.extract.citations import find_references
from kgraph.model import Document


def refs(text, kinds=("numbered", "named", "short")):
    return [r for r in find_references(text) if r.kind in kinds]


def one(text, **kw):
    rs = refs(text, **kw)
    assert len(rs) == 1, rs
    return rs[0]


# --- numbered families -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text,number,type_,year",
    [
        ("theo Nghị định số 163/2016/NĐ-CP của Chính phủ", "163/2016/NĐ-CP", "Nghị định", 2016),
        ("Thông tư số 01/2025/TT-BLĐTBXH", "01/2025/TT-BLĐTBXH", "Thông tư", 2025),
        ("Luật số 80/2015/QH13", "80/2015/QH13", "Luật", 2015),
        ("Nghị quyết số 351/2017/UBTVQH14", "351/2017/UBTVQH14", "Nghị quyết", 2017),
        ("Thông tư liên tịch số 13/2014/TTLT-BYT-BNNPTNT-BCT", "13/2014/TTLT-BYT-BNNPTNT-BCT", "Thông tư liên tịch", 2014),
        ("Quyết định số 211/QĐ-TTg", "211/QĐ-TTg", "Quyết định", None),
        ("Văn bản hợp nhất số 01/VBHN-BTC", "01/VBHN-BTC", "Văn bản hợp nhất", None),
        ("Nghị quyết số 11-NQ/TW", "11-NQ/TW", "Nghị quyết", None),
        ("Chương trình hành động số 59-CTr/TU", "59-CTr/TU", "Chương trình hành động", None),
        ("Nghị định số 20-CP", "20-CP", "Nghị định", None),
        ("Công văn số 4028/BKHĐT-TH", "4028/BKHĐT-TH", "Công văn", None),
        ("Nghị quyết số 30a/2008/NQ-CP", "30a/2008/NQ-CP", "Nghị quyết", 2008),
    ],
)
def test_families(text, number, type_, year):
    r = one(text)
    assert (r.number, r.type, r.year, r.kind) == (number, type_, year, "numbered")


@pytest.mark.parametrize(
    "text,number",
    [
        ("Nghị quyết số 05- NQ/TW ngày", "05-NQ/TW"),  # space after the dash
        ("Nghị định số 163/2016/ND-CP", "163/2016/NĐ-CP"),  # D for Đ
        ("Nghị định số 163/2016\u2013NĐ\u2010CP", None),  # dashes where the slash belongs: not a number
        ("Nghị định số 163/2016/NĐ\u2013CP", "163/2016/NĐ-CP"),  # en dash
        ("Nghị định số 163/2016/NĐ\u2212CP", "163/2016/NĐ-CP"),  # minus sign
        ("Nghị định số 118/2026/NĐ-\nCP ngày", "118/2026/NĐ-CP"),  # wrapped inside the number
        ("Nghị định số 118/\n2026/NĐ-CP", "118/2026/NĐ-CP"),
        ("Chỉ thị số 16/CT-Ttg", "16/CT-TTg"),  # mixed case written wrong
        ("Quy định số 08-QyĐ/TW", "08-QyĐ/TW"),
        ("Thông tư liên tịch số 93/2006/TTLT/BTC-KHCN", "93/2006/TTLT-BTC-KHCN"),
        ("Nghị định số30/1998/NĐ-CP", "30/1998/NĐ-CP"),
    ],
)
def test_messy_numbers(text, number):
    rs = refs(text)
    if number is None:
        assert all(r.number != "163/2016/NĐ-CP" for r in rs)
    else:
        assert [r.number for r in rs] == [number]


def test_nfd_text_keeps_offsets_into_the_original():
    nfc = "Căn cứ Nghị định số 163/2016/NĐ-CP ngày 21 tháng 12 năm 2016 của Chính phủ"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    r = one(nfd)
    assert r.number == "163/2016/NĐ-CP" and r.date == "2016-12-21" and r.issuer == "Chính phủ"
    assert unicodedata.normalize("NFC", nfd[r.start : r.end]) == "Nghị định số 163/2016/NĐ-CP"
    assert r.relation == "based_on"


def test_list_sharing_one_type_word():
    rs = refs("Bãi bỏ các Nghị định: số 44/1998/NĐ-CP ngày 29/6/1998, số 64/2002/NĐ-CP ngày 19/6/2002.")
    assert [(r.number, r.type, r.date, r.relation) for r in rs] == [
        ("44/1998/NĐ-CP", "Nghị định", "1998-06-29", "repeals"),
        ("64/2002/NĐ-CP", "Nghị định", "2002-06-19", "repeals"),
    ]


def test_year_of_a_yearless_number_comes_from_its_date_or_stays_unknown():
    a = one("theo Chỉ thị số 16/CT-TTg ngày 04/5/2017 của Thủ tướng Chính phủ")
    b = one("theo Chỉ thị số 16/CT-TTg của Thủ tướng Chính phủ")
    assert (a.year, a.date) == (2017, "2017-05-04")
    assert (b.year, b.date) == (None, None)


def test_issuer_written_beside_wins_and_ambiguous_codes_stay_unknown():
    assert one("Nghị quyết số 16-NQ/TW ngày 10/10/2017 của Bộ Chính trị").issuer == "Bộ Chính trị"
    assert one("Nghị quyết số 11-NQ/TW ngày 03/6/2017").issuer is None
    assert one("Nghị quyết số 12-NQ/TW của Banh Chấp hành Trung ương").issuer == "Ban Chấp hành Trung ương"
    r = one("Quyết định số 12/QĐ-UBND ngày 2/1/2020 của Ủy ban nhân dân tỉnh Lạng Sơn")
    assert r.issuer == "Ủy ban nhân dân tỉnh Lạng Sơn"


def test_form_numbers_are_not_documents():
    assert refs("theo mẫu số 09A/PL-TNCN ban hành kèm theo") == []


def test_dates_are_not_numbers():
    assert refs("ngày 24/5/2018, tỷ lệ 1/2, khổ A4/A5") == []


# --- named -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text,name,year,number",
    [
        ("theo Luật Ngân sách nhà nước năm 2015 khoản phí", "Luật Ngân sách nhà nước", 2015, None),
        ("Căn cứ Bộ luật Dân sự 2015;", "Bộ luật Dân sự", 2015, None),
        ("Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;", "Luật Tổ chức Chính phủ", 2025, "63/2025/QH15"),
        ("Căn cứ Pháp lệnh Ngoại hối số 28/2005/PL-UBTVQH11", "Pháp lệnh Ngoại hối", 2005, "28/2005/PL-UBTVQH11"),
        ("Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2005.", "Luật Giáo dục", 2005, None),
        ("vi phạm Luật Các tổ chức tín dụng.", "Luật Các tổ chức tín dụng", None, None),
        ("Căn cứ Luật Khiếu nại, tố cáo;", "Luật Khiếu nại, tố cáo", None, None),
        ("Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;", "Hiến pháp", None, None),
        ("Căn cứ Hiến pháp năm 2013;", "Hiến pháp", 2013, None),
    ],
)
def test_named(text, name, year, number):
    r = one(text)
    assert (r.kind, r.name, r.year, r.number) == ("named", name, year, number)


def test_a_known_name_followed_by_more_of_a_cited_name_runs_to_it():
    """"Luật Thi hành tạm giữ, tạm giam" (94/2015/QH13) is a known name; the law of 2025 adds "và cấm đi khỏi nơi
    cư trú": where the text closes the longer name with its number, date or year, the name is the longer one, and
    a later mention of the same words in that text is that law too (issue 9, point 6)."""
    text = ("Căn cứ Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú số \n128/2025/QH15;\n"
            "Điều 2. Người bị cấm đi khỏi nơi cư trú được quản lý theo Bộ luật Tố tụng hình sự, "
            "Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú.\n"
            "Điều 3. Người bị tạm giữ trước ngày đó theo Luật Thi hành tạm giữ, tạm giam.\n")
    got = [(r.name, r.number) for r in refs(text) if r.name and "tạm giam" in r.name]
    long = "Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú"
    assert got == [(long, "128/2025/QH15"), (long, "128/2025/QH15"), ("Luật Thi hành tạm giữ, tạm giam", None)]
    assert one("Căn cứ Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú ngày 10 tháng 12 năm 2025;"
               ).name == long
    # without a number, date or year closing it, "và ..." after a known name is the sentence, not the name
    assert one("theo Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi cư trú.").name == "Luật Thi hành tạm giữ, tạm giam"
    assert [r.name or r.number for r in refs("theo Luật Đất đai và hướng dẫn tại Thông tư số 12/2020/TT-BTC")] == [
        "Luật Đất đai", "12/2020/TT-BTC"]
    # the sentence going on, closed by a form's number, is not the name (vnlegaltext-ner val-1032)
    assert one("theo quy định tại Điểm d Khoản 1 Điều 58 Luật Viên chức và theo mẫu số 4 ban hành kèm theo"
               ).name == "Luật Viên chức"


@pytest.mark.parametrize(
    "text",
    ["Đoàn Luật sư thành phố", "văn bản quy phạm pháp luật", "Luật này có hiệu lực", "các luật, pháp lệnh"],
)
def test_not_named(text):
    assert refs(text) == []


# --- pinpoints ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text,want",
    [
        ("điểm c khoản 6 Điều 4 Nghị định số 163/2016/NĐ-CP", [("4", "6", "c")]),
        ("Điểm c, Khoản 6, Điều 4 Nghị định số 163/2016/NĐ-CP", [("4", "6", "c")]),
        ("khoản 1, 2 và 3 Điều 5 Nghị định số 163/2016/NĐ-CP", [("5", "1", None), ("5", "2", None), ("5", "3", None)]),
        ("điểm a, b khoản 2 Điều 7 của Luật Đầu tư", [("7", "2", "a"), ("7", "2", "b")]),
        ("từ Điều 10 đến Điều 12 Luật Đầu tư", [("10", None, None), ("11", None, None), ("12", None, None)]),
        ("Điều 69, Điều 71 Nghị định số 102/2009/NĐ-CP", [("69", None, None), ("71", None, None)]),
    ],
)
def test_pinpoints(text, want):
    r = one(text)
    assert [(p.article, p.clause, p.point) for p in r.pinpoint] == want


def test_chapter_pinpoint():
    r = one("quy định tại Chương V Pháp lệnh Xử lý vi phạm hành chính.")
    assert [p.chapter for p in r.pinpoint] == ["V"]


# --- relations ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text,relation",
    [
        ("Căn cứ Nghị định số 163/2016/NĐ-CP;", "based_on"),
        ("Thực hiện Chỉ thị số 13/CT-TTg ngày 24/5/2018", "implements"),
        ("Thông tư này hướng dẫn Nghị định số 145/2020/NĐ-CP.", "guides"),
        ("Sửa đổi, bổ sung một số điều của Nghị định số 204/2004/NĐ-CP như sau", "amends"),
        ("Nghị định này thay thế Nghị định số 44/2013/NĐ-CP.", "replaces"),
        ("Bãi bỏ Thông tư số 10/2020/TT-BLĐTBXH.", "repeals"),
        ("Đính chính Nghị định số 12/2022/NĐ-CP.", "corrects"),
        ("Đề nghị sớm sửa đổi Luật Tổ chức chính quyền địa phương.", "cites"),
        ("thực hiện theo quy định tại Nghị định số 12/2022/NĐ-CP.", "cites"),
        ("theo hướng dẫn tại Thông tư số 60/2007/TT-BTC.", "cites"),
    ],
)
def test_relations(text, relation):
    assert refs(text)[0].relation == relation


def test_passive_verb_describes_the_other_document():
    rs = refs("Căn cứ Luật Điều ước quốc tế số 108/2016/QH13 được sửa đổi, bổ sung bởi Luật số 137/2025/QH15;")
    assert [r.relation for r in rs] == ["based_on", "based_on"]


def test_verb_inside_a_cited_title_only_cites():
    rs = refs("Căn cứ Nghị định số 12/2006/NĐ-CP của Chính phủ quy định chi tiết thi hành Luật Thương mại;")
    assert [r.relation for r in rs] == ["based_on", "cites"]


def test_list_shares_the_verb():
    rs = refs("Thực hiện Chỉ thị số 13/CT-TTg ngày 24/5/2018 của Thủ tướng Chính phủ về kế hoạch, "
              "Công văn số 4028/BKHĐT-TH ngày 14/6/2018 của Bộ Kế hoạch và Đầu tư")
    assert [r.relation for r in rs] == ["implements", "implements"]


# --- short forms and self references -------------------------------------------------------------

def test_alias_binds_later_uses():
    text = ("Căn cứ Nghị định số 65/2014/NĐ-CP ngày 01/7/2014 (sau đây gọi là Nghị định 65). "
            "Theo Điều 3 Nghị định 65 thì được.")
    rs = refs(text)
    short = [r for r in rs if r.kind == "short"]
    assert len(short) == 1
    assert (short[0].number, short[0].target, short[0].text) == ("65/2014/NĐ-CP", "65/2014/NĐ-CP", "Nghị định 65")
    assert [p.article for p in short[0].pinpoint] == ["3"]


def test_back_reference_binds_only_when_unambiguous():
    one_ = refs("Căn cứ Nghị định số 54/2009/NĐ-CP. Nghị định nêu trên có hiệu lực.")
    two = refs("Theo Nghị định số 54/2009/NĐ-CP và Nghị định số 55/2009/NĐ-CP. Nghị định nêu trên có hiệu lực.")
    assert one_[-1].kind == "short" and one_[-1].target == "54/2009/NĐ-CP"
    assert two[-1].kind == "short" and two[-1].target is None


def test_self_references():
    doc = Document(number="12/2024/NĐ-CP", type="Nghị định", type_code="NĐ")
    text = "Điều 5. Hiệu lực\n1. Nghị định này có hiệu lực.\n2. Trường hợp quy định tại khoản 1 Điều này."
    rs = [r for r in find_references(text, document=doc) if r.kind == "self"]
    assert [(r.text, r.target, r.number) for r in rs] == [
        ("Nghị định này", "self", "12/2024/NĐ-CP"),
        ("Điều này", "self", "12/2024/NĐ-CP"),
    ]
    assert [(p.article, p.clause) for p in rs[1].pinpoint] == [("5", "1")]


@pytest.mark.parametrize("phrase, want", [
    ("khoản 2 và khoản 4 Điều này", [("4", "2", None), ("4", "4", None)]),
    ("khoản 2, 3 Điều này", [("4", "2", None), ("4", "3", None)]),
    ("điểm a, điểm b khoản 2 Điều này", [("4", "2", "a"), ("4", "2", "b")]),
    ("khoản 1, khoản 3 hoặc khoản 5 Điều này", [("4", "1", None), ("4", "3", None), ("4", "5", None)]),
])
def test_self_reference_provisions_listed_with_their_word_repeated(phrase: str, want: list) -> None:
    """"khoản 2 và khoản 4 Điều này": each item of the list, whether or not "khoản"/"điểm" is written again."""
    text = f"Điều 4. Nhà giáo\n5. Nhà giáo hưởng phụ cấp theo quy định tại {phrase} đồng thời được hưởng."
    (r,) = [r for r in find_references(text) if r.text == "Điều này"]
    assert [(p.article, p.clause, p.point) for p in r.pinpoint] == want


def test_a_saved_pages_emphasised_article_heading_is_the_article_of_its_self_references() -> None:
    """"**Điều 3.\nKhung giá**" on a saved web page: "khoản 1 Điều này" below it is in article 3."""
    text = ("**Điều 2.\nĐối tượng áp dụng**\n1. Người thuê.\n**Điều 3.\nKhung giá**\n"
            "4. Giá tạm tính theo khung giá được quy định tại khoản 1 Điều này.")
    (r,) = [r for r in find_references(text) if r.text == "Điều này"]
    assert [(p.article, p.clause) for p in r.pinpoint] == [("3", "1")]


@pytest.mark.parametrize("text", [
    # the definition ~290 characters after its reference
    "theo quy định tại Mục 2 Thông tư số 26/2016/TT-\nBLĐTBXH ngày 01 tháng 9 năm 2016 của Bộ Lao động - Thương binh"
    " và Xã hội hướng dẫn thực hiện quản lý lao động, tiền lương và tiền thưởng đối với người lao động làm việc trong"
    " công ty trách nhiệm hữu hạn một thành viên do Nhà nước nắm giữ 100% vốn điều lệ (sau đây gọi là Thông tư số"
    " 26/2016/TT-BLĐTBXH).",
    # other references in its title stand between them, 700 characters on (consolidated text 468/VBHN-BLĐTBXH)
    "theo quy định tại Điều 9a Thông tư số 26/2016/TT-BLĐTBXH đã được bổ \nsung tại khoản 3 Điều 1 Thông tư số "
    "06/2024/TT-BLĐTBXH ngày 30 tháng 7 \nnăm 2024 của Bộ trưởng Bộ Lao động - Thương binh và Xã hội sửa đổi, bổ \nsung"
    " một số điều của Thông tư số 26/2016/TT-BLĐTBXH ngày 01 tháng 9 năm \n2016 của Bộ trưởng Bộ Lao động - Thương binh"
    " và Xã hội hướng dẫn thực hiện \nquản lý lao động, tiền lương và tiền thưởng đối với người lao động làm việc \ntrong"
    " công ty trách nhiệm hữu hạn một thành viên do Nhà nước nắm giữ 100% \nvốn điều lệ và Thông tư số 27/2016/TT-BLĐTBXH"
    " ngày 01 tháng 9 năm 2016 \ncủa Bộ trưởng Bộ Lao động - Thương binh và Xã hội hướng dẫn thực hiện chế \nđộ tiền lương,"
    " thù lao, tiền thưởng đối với người quản lý công ty trách nhiệm \nhữu hạn một thành viên do Nhà nước nắm giữ 100% vốn"
    " điều lệ (sau đây gọi tắt \nlà Thông tư số 06/2024/TT-BLĐTBXH).",
])
def test_a_number_defined_as_its_own_alias_is_no_reference_of_its_own(text: str) -> None:
    """"(sau đây gọi là Thông tư số N)" restating an earlier reference's number, however far its title runs."""
    refs = find_references(text)
    assert refs and all(r.start < text.rindex("(sau đây") for r in refs), [(r.text, r.start) for r in refs]


def test_own_number_is_never_a_reference():
    text = "CHÍNH PHỦ\nSố: 118/2026/NĐ-CP\n\nNGHỊ ĐỊNH\nVề cho vay\nCăn cứ Luật Ngân sách nhà nước số 89/2025/QH15;\n"
    ex = extract(text)
    if ex.document.number:  # the header reader knows the number
        assert all(r.number != ex.document.number or r.kind == "self" for r in ex.references)


# --- hostile input -----------------------------------------------------------------------------

def _cpu_alarm(seconds: float) -> None:
    """Raise in this process after `seconds` of its own CPU time: a busy machine's wall clock is no measure."""
    def handler(signum, frame):
        raise TimeoutError("a pattern ran away")

    signal.signal(signal.SIGPROF, handler)
    signal.setitimer(signal.ITIMER_PROF, seconds)


@pytest.mark.parametrize(
    "text",
    [
        "Nghị định số " * 50_000,
        "1/" * 200_000,
        "Luật " * 100_000,
        "điều 1, " * 60_000 + "Nghị định số 1/2020/NĐ-CP",
        ("a" * 10_000 + "-") * 50,
        "-" * 500_000,
        "Căn cứ " + "Nghị định số 1/2020/NĐ-CP, " * 5_000,
        "\u0301" * 200_000,
        "(sau đây gọi là " * 20_000,
    ],
    ids=["type-words", "slashes", "law-heads", "long-pinpoint", "dash-runs", "dashes", "long-list", "marks", "alias"],
)
def test_hostile_input_finishes(text):
    """A guard, not a benchmark: each of these is ~1 MB and must not make a pattern backtrack away."""
    _cpu_alarm(60)
    try:
        extract(text)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def test_self_reference_keeps_its_pinpoint():
    """"khoản 1 Điều 2 của Nghị định này" points at the citing document's provisions (issue 9, point 9)."""
    doc = Document(number="12/2024/NĐ-CP", type="Nghị định", type_code="NĐ")
    text = "Điều 3. Mức hưởng\nĐối tượng quy định tại các điểm a, b khoản 1 Điều 2 của Nghị định này được hưởng."
    rs = [r for r in find_references(text, document=doc) if r.kind == "self"]
    assert [(p.article, p.clause, p.point) for p in rs[0].pinpoint] == [("2", "1", "a"), ("2", "1", "b")]


def test_amending_law_is_one_instrument_with_its_number():
    """Issue 9, point 5: the laws named in an amending law's title are not references of their own, and the
    number after the last one is the amending law's."""
    rs = refs("Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tiếp công dân, Luật Khiếu nại, Luật Tố cáo "
              "số 136/2025/QH15;")
    assert [(r.number, r.relation) for r in rs] == [("136/2025/QH15", "based_on")]


def test_footnote_digits_are_not_part_of_a_name():
    assert [r.name for r in refs("quy định tại khoản 7 Điều 76 của Luật Nhà ở11 thì")] == ["Luật Nhà ở"]


def test_named_law_with_its_number_takes_the_issuer_of_its_code():
    rs = refs("Căn cứ Luật Tổ chức Quốc hội số 57/2014/QH13;")
    assert [(r.name, r.number, r.issuer) for r in rs] == [("Luật Tổ chức Quốc hội", "57/2014/QH13", "Quốc hội")]


def test_a_passage_opening_with_a_citation_has_no_header():
    """Issue 9, point 11: a one-line row beginning "Nghị định số ... ngày ... quy định ..." cites that decree;
    the header reader does not take it for the row's own number (and the references after it stay)."""
    ex = extract("Nghị định số 179/2004/NĐ-CP ngày 21 tháng 10 năm 2004 của Chính phủ quy định quản lý nhà nước "
                 "về chất lượng sản phẩm, hàng hóa và Thông tư số 01/2005/TT-BKHCN.")
    assert ex.document.number is None
    assert [r.number for r in ex.references] == ["179/2004/NĐ-CP", "01/2005/TT-BKHCN"]
    doc = extract("CHÍNH PHỦ\nSố: 118/2026/NĐ-CP\n\nNGHỊ ĐỊNH\nVề cho vay\nCăn cứ Luật Ngân sách nhà nước;\n")
    assert doc.document.number == "118/2026/NĐ-CP"


def test_bare_name_binds_to_the_law_the_document_identifies():
    """Issue 9, point 8: "Luật Nhà ở" after "Luật Nhà ở số 27/2023/QH15" is that law; a different year is not."""
    rs = refs("Căn cứ Luật Nhà ở số 27/2023/QH15; theo khoản 7 Điều 76 của Luật Nhà ở thì; Luật Nhà ở năm 2014 đã hết.")
    assert [(r.name, r.number) for r in rs] == [("Luật Nhà ở", "27/2023/QH15"), ("Luật Nhà ở", "27/2023/QH15"),
                                                ("Luật Nhà ở", None)]


def test_alias_of_a_defined_term_is_no_reference():
    """Issue 9, point 7: "(sau đây gọi là Quỹ)" defines a term; later "Quỹ" does not cite the decision."""
    rs = refs("Theo Quyết định số 12/2020/QĐ-TTg ngày 1/1/2020 của Thủ tướng Chính phủ (sau đây gọi là Quỹ). "
              "Quỹ có tư cách pháp nhân.")
    assert [r.text for r in rs] == ["Quyết định số 12/2020/QĐ-TTg"]


def test_alias_restating_the_number_is_no_second_reference():
    rs = refs("Căn cứ Nghị định số 115/2015/NĐ-CP ngày 11/11/2015 của Chính phủ (sau đây gọi tắt là "
              "Nghị định số 115/2015/NĐ-CP); Căn cứ Nghị định số 134/2015/NĐ-CP;")
    assert [r.number for r in rs] == ["115/2015/NĐ-CP", "134/2015/NĐ-CP"]


def test_self_words_inside_quoted_amending_text_stand_for_the_amended_instrument():
    """Issue 9, point 9: "Nghị định này" / "Điều này" quoted by an amending decree are the amended decree's."""
    doc = Document(number="136/2026/NĐ-CP", type="Nghị định", type_code="NĐ")
    text = ("Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 100/2024/NĐ-CP ngày 26 tháng 7 năm 2024\n"
            "1. Sửa đổi khoản 1 Điều 30 như sau:\n“Điều 30. Điều kiện\n1. Mức lương quy định tại khoản 2 Điều 30 "
            "của Nghị định này; theo khoản 3 Điều này.”\nĐiều 2. Nghị định này có hiệu lực.")
    rs = find_references(text, document=doc)
    got = [(r.text, r.kind, r.target, [(p.article, p.clause) for p in r.pinpoint]) for r in rs if r.kind in ("short", "self")]
    assert got == [("Nghị định này", "short", "100/2024/NĐ-CP", [("30", "2")]),
                   ("Điều này", "short", "100/2024/NĐ-CP", [("30", "3")]),
                   ("Nghị định này", "self", "self", [])]


def test_consolidated_text_names_what_it_consolidates():
    """A VBHN's heading lists the instruments it consolidates; its "Thông tư này" is the consolidated circular."""
    doc = Document(number="4246/VBHN-BLĐTBXH", type="Văn bản hợp nhất", type_code="VBHN")
    text = ("THÔNG TƯ\nHướng dẫn về bảo vệ việc làm\n\nThông tư số 08/2020/TT-BLĐTBXH ngày 15 tháng 10 năm 2020 của Bộ "
            "trưởng, có hiệu lực thi hành kể từ ngày 01 tháng 12 năm 2020 được sửa đổi, bổ sung bởi:\n"
            "Thông tư số 09/2021/TT-BLĐTBXH ngày 07 tháng 9 năm 2021 của Bộ trưởng sửa đổi một số điều của\n"
            "Thông tư số 08/2020/TT-BLĐTBXH.\nCăn cứ Luật Tố cáo ngày 12 tháng 6 năm 2018;\n"
            "Điều 1. Phạm vi điều chỉnh\nThông tư này quy định về trình tự.")
    rs = find_references(text, document=doc)
    assert [r.relation for r in rs[:3]] == ["consolidates", "consolidates", "cites"]
    assert (rs[-1].text, rs[-1].kind, rs[-1].target) == ("Thông tư này", "short", "08/2020/TT-BLĐTBXH")


@pytest.mark.parametrize(
    "text,want",
    [
        ("Các quy định tại khoản 1, khoản 2 Điều 1, Điều 2, Điều 4 và khoản 2 Điều 5 Thông tư số 37/2021/TT-BLĐTBXH.",
         [("1", "1", None), ("1", "2", None), ("2", None, None), ("4", None, None), ("5", "2", None)]),
        ("Bãi bỏ khoản 5 Điều 5, Điều 6, khoản 1 Điều 13 và Phụ lục I của Thông tư số 26/2018/TT-BLĐTBXH.",
         [("5", "5", None), ("6", None, None), ("13", "1", None)]),
    ],
)
def test_pinpoint_lists_keep_every_chain(text, want):
    """Issue 9, point 9: every provision of a list of chains, an annex named among them skipped."""
    r = one(text)
    assert [(p.article, p.clause, p.point) for p in r.pinpoint] == want


def test_footnote_dieu_nay_is_the_article_carrying_the_mark():
    """"3 Điều này được bãi bỏ ..." in a consolidated text's footnote: the article whose heading carries mark 3."""
    doc = Document(number="4246/VBHN-BLĐTBXH", type="Văn bản hợp nhất", type_code="VBHN")
    text = "Điều 4. Trình tự2\nNội dung.\nĐiều 5.3 (được bãi bỏ)\nĐiều 6. Trách nhiệm\nNội dung.\n3 Điều này được bãi bỏ."
    rs = [r for r in find_references(text, document=doc) if r.text == "Điều này"]
    assert [p.article for p in rs[0].pinpoint] == ["5"]


def test_provisions_then_other_contents_of_the_law():
    rs = [r for r in find_references("hướng dẫn thi hành các điều 4, 7, 8 và các nội dung cần thiết khác của Luật này.",
                                     document=Document(number="14/2008/QH12", type="Luật")) if r.kind == "self"]
    assert [p.article for p in rs[0].pinpoint] == ["4", "7", "8"]


def test_dotted_resolution_number_is_one_number():
    rs = refs("Tạm ngưng hiệu lực Nghị định số 46/2026/NĐ-CP và Nghị quyết số 66.13/2026/NQ-CP ngày 27 tháng 01 năm 2026.")
    assert [(r.number, r.relation) for r in rs] == [("46/2026/NĐ-CP", "suspends"), ("66.13/2026/NQ-CP", "suspends")]


def test_basis_items_across_lines_and_amending_agents():
    rs = refs("Căn cứ Nghị định số 127/2007/NĐ-CP ngày 01 tháng 8 năm 2007 của Chính phủ quy định chi tiết thi hành "
              "Luật Tiêu chuẩn và Quy chuẩn kỹ thuật; \nNghị định số 78/2018/NĐ-CP ngày 16 tháng 5 năm 2018 của Chính phủ;\n"
              "Căn cứ Nghị định số 59/2019/NĐ-CP quy định chi tiết Luật Phòng, chống tham nhũng, được sửa đổi, bổ sung một "
              "số điều tại Nghị định số 134/2021/NĐ-CP ngày 30 tháng 12 năm 2021 của Chính phủ;")
    assert [(r.number or r.name, r.relation) for r in rs] == [
        ("127/2007/NĐ-CP", "based_on"), ("Luật Tiêu chuẩn và Quy chuẩn kỹ thuật", "cites"), ("78/2018/NĐ-CP", "based_on"),
        ("59/2019/NĐ-CP", "based_on"), ("Luật Phòng, chống tham nhũng", "cites"), ("134/2021/NĐ-CP", "based_on")]


def test_preamble_openers_start_a_clause():
    """"*Căn cứ ...;* *Theo đề nghị ... tại Tờ trình ...*" (a web page's emphasis hides the line end): the submission
    cites; "Căn cứ quy định trên, ... theo X" in a letter's reasoning is no preamble item."""
    rs = refs("*Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;*\n*Theo đề nghị của Sở Y tế tại "
              "Tờ trình số 2930/TTr-SYT ngày 27/11/2025*.\nCăn cứ quy định trên, hàng hóa (theo Quyết định số "
              "43/2018/QĐ-TTg ngày 01/11/2018) thì được giảm.")
    assert [r.relation for r in rs] == ["based_on", "cites", "cites"]


def test_effect_verbs_inside_quoted_amending_text_are_not_this_documents():
    rs = refs("Điều 1. Sửa đổi, bổ sung một số điều của Thông tư số 07/2023/TT-BLĐTBXH\n4. Sửa đổi khoản 3 như sau:\n"
              "“3. Mức lương mới đối với cán bộ, công chức, viên chức và lực lượng vũ trang thay thế cho Nghị định số "
              "204/2004/NĐ-CP.”.")
    assert [(r.number, r.relation) for r in rs] == [("07/2023/TT-BLĐTBXH", "amends"), ("204/2004/NĐ-CP", "cites")]


def test_bare_name_takes_the_year_the_document_gives_it():
    rs = refs("Căn cứ Bộ luật Lao động ngày 20 tháng 11 năm 2019; theo Điều 3 Bộ luật Lao động thì được.")
    assert [(r.name, r.year) for r in rs] == [("Bộ luật Lao động", 2019), ("Bộ luật Lao động", 2019)]


def test_joint_symbol_wrapped_after_its_dash():
    rs = refs("14. Nghị quyết liên tịch số 01/2008/NQLT-BLĐTBXH-BCA-BVHTTDL- \nUBTƯMTTQVN ngày 28/8/2008 của Bộ Lao động.")
    assert [r.number for r in rs] == ["01/2008/NQLT-BLĐTBXH-BCA-BVHTTDL-UBTƯMTTQVN"]


def test_latin_eth_is_dj_in_text_and_queries():
    """Ð (U+00D0), which some fonts and converters put for Đ, is Đ in text and in queries (issue 9, 12)."""
    from kgraph.extract import extract
    from kgraph.link.user_input import parse_user_instrument

    x = extract("BỘ TÀI CHÍNH\nSố: 12/2020/TT-BTC\n\nTHÔNG TƯ\nHướng dẫn\n\n"
                "Căn cứ Nghị định số 163/2016/NÐ-CP ngày 21/12/2016 của Chính phủ;\n")
    assert [(r.number, r.type) for r in x.references] == [("163/2016/NĐ-CP", "Nghị định")]
    assert parse_user_instrument("163/2016/NÐ-CP").exact.number == "163/2016/NĐ-CP"
