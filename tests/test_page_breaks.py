"""Page furniture printed mid-sentence (a gazette's running header and page number, an e-signature stamp) is cut
out before references are read, so a clause, a name or a pinpoint list runs on across a page's end; offsets still
point into the text as given."""

from __future__ import annotations

import random
import unicodedata

import pytest

from kgraph.extract import extract
from kgraph.extract.header import read_header
from kgraph.extract.normalize import CutText

HEAD = "BỘ KHOA HỌC VÀ CÔNG NGHỆ \nSố: 27/2026/TT-BKHCN \nHà Nội, ngày 31 tháng 5 năm 2026 \nTHÔNG TƯ \nVề thử nghiệm \n"
PAGE = "\n\nCÔNG BÁO/Số 333/Ngày 16-06-2026 \n7\n \n \n"

#: a repeal whose verb is on the next page, and a decree's type word cut from its number by the page's end
GAZETTE = (
    HEAD
    + "Điều 4. Điều khoản thi hành \n1. Thông tư này có hiệu lực thi hành kể từ ngày 16 tháng 7 năm 2026. \n"
    + "2. Thông tư số 37/2020/TT-BTTTT ngày 13 tháng 11 năm 2020 của Bộ trưởng Bộ Thông tin và Truyền thông "
    + "ban hành quy hoạch sử dụng kênh tần số cho" + PAGE
    + "truyền hình số mặt đất hết hiệu lực kể từ ngày Thông tư này có hiệu lực thi hành. \n"
    + "3. Các khoản chi thực hiện theo quy định tại Nghị" + PAGE.replace("7", "8")
    + "định số 245/2025/NĐ-CP ngày 12 tháng 9 năm 2025 của Chính phủ. \n"
)


def test_a_cut_folds_the_white_space_around_it_into_one_line_break() -> None:
    text = "a b \n\nCÔNG BÁO/Số 1/Ngày 1-1-2020\n7\n \nc d"
    a = text.index("CÔNG")
    cut = CutText(text, [(a, text.index("7") + 1)])
    assert cut.text == "a b\nc d"
    assert cut.to_source(cut.text.index("c")) == text.index("c d")
    assert cut.to_source(3) == 3  # the line break stands where the cut (and its white space) starts
    assert cut.to_source(len(cut.text)) == len(text)


def test_cuts_with_only_white_space_between_are_one_line_break() -> None:
    text = "x.\nKý bởi: A\nCơ quan: B\n\n \nCÔNG BÁO/Số 2/Ngày 1-1-2020\n3\n\ny"
    stamp = (text.index("Ký"), text.index("B\n") + 1)
    header = (text.index("CÔNG"), text.index("3\n") + 1)
    cut = CutText(text, [header, stamp])  # any order
    assert cut.text == "x.\ny"
    assert cut.to_source(cut.text.index("y")) == text.rindex("y")


def test_no_cut_is_the_text_itself() -> None:
    cut = CutText("abc", [])
    assert cut.identity and cut.text == "abc" and cut.to_source(2) == 2


def test_every_kept_character_maps_back_to_itself() -> None:
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice("ab \n.") for _ in range(rng.randint(0, 60)))
        cuts = []
        for _ in range(rng.randint(0, 4)):
            s = rng.randint(0, len(text))
            cuts.append((s, min(len(text), s + rng.randint(1, 8))))
        cut = CutText(text, cuts)
        kept = [i for i, c in enumerate(cut.text) if cut.to_source(i) < len(text) and text[cut.to_source(i)] == c]
        breaks = len(cut.text) - len(kept)
        # only the line breaks that stand for cuts may differ from the character they map to
        assert breaks <= len(cuts), (text, cuts, cut.text)
        positions = [cut.to_source(i) for i in range(len(cut.text) + 1)]
        assert positions == sorted(positions) and positions[-1] == len(text)


def test_a_verb_on_the_next_page_gives_the_relation() -> None:
    refs = {r.text: r for r in extract(GAZETTE).references if r.kind != "self"}
    old = refs["Thông tư số 37/2020/TT-BTTTT"]
    assert old.relation == "repeals"
    assert "CÔNG BÁO" not in old.sentence and "hết hiệu lực" in old.sentence


def test_a_reference_cut_by_a_page_end_is_read_whole_with_offsets_into_the_text_as_given() -> None:
    refs = [r for r in extract(GAZETTE).references if r.number == "245/2025/NĐ-CP"]
    assert len(refs) == 1
    r = refs[0]
    assert r.type == "Nghị định" and r.date == "2025-09-12"
    assert GAZETTE[r.start:r.end] == r.text and r.text.startswith("Nghị") and r.text.endswith("245/2025/NĐ-CP")


def test_decomposed_text_maps_through_both_views() -> None:
    nfd = unicodedata.normalize("NFD", GAZETTE)
    got = extract(nfd).references
    want = extract(GAZETTE).references
    assert [(unicodedata.normalize("NFC", nfd[r.start:r.end]), r.relation) for r in got] == \
           [(GAZETTE[r.start:r.end], r.relation) for r in want]


@pytest.mark.parametrize("page", ["\n\nCÔNG BÁO/Số 233/Ngày 02-02-2025 \n73 \n \n \n73 \n",
                                  "\n \n16 \n16\n  \n16 \nCÔNG BÁO/Số 301/Ngày 15-02-2024 \n"])
def test_a_page_number_printed_again_is_furniture(page: str) -> None:
    text = HEAD + "quy định tại Thông tư" + page + "số 04/2024/TT-BLĐTBXH ngày 06/5/2024. \n"
    skip = read_header(text).skip
    for n in ("73", "16"):
        for i in (i for i in range(len(text)) if text.startswith(n + " ", i) or text.startswith(n + "\n", i)):
            assert any(a <= i < b for a, b in skip), (n, i)
    refs = [r for r in extract(text).references if r.kind != "self"]
    assert [(r.type, r.number) for r in refs] == [("Thông tư", "04/2024/TT-BLĐTBXH")]
