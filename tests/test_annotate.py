"""`kg annotate`: a document's text with its references marked (issue 12: no way to see a document with its
citations marked outside Neo4j). Unit tests on the HTML, then the page in real headless Chromium."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from conftest import KG

from browser_support import shot

TEXT = """BỘ TÀI CHÍNH
Số: 12/2024/TT-BTC
Hà Nội, ngày 05 tháng 3 năm 2024

THÔNG TƯ
Hướng dẫn quản lý <kinh phí> & "dự án"

Căn cứ Nghị định số 163/2016/NĐ-CP ngày 21 tháng 12 năm 2016 của Chính phủ quy định chi tiết thi hành Luật Ngân sách nhà nước;
Bộ trưởng Bộ Tài chính ban hành Thông tư hướng dẫn <script>alert(1)</script>.
Điều 1. Phạm vi
Thông tư này hướng dẫn điểm a khoản 2 Điều 5 Nghị định số 163/2016/NĐ-CP. Thông tư này thay thế Thông tư số 46/2014/TT-BTC.
Điều 2. Mức chi theo Nghị định số .../2024/NĐ-CP của Chính phủ.
"""



@pytest.fixture()
def doc(tmp_path: Path) -> Path:
    p = tmp_path / "tt-12-2024.txt"
    p.write_text(TEXT, encoding="utf-8")
    return p


def _marks(page: str) -> list[tuple[str, str]]:
    """(class, marked text) of each reference mark in the document body."""
    body = page.split('id="text"', 1)[1]
    return [(m.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group(2))))
            for m in re.finditer(r'<mark class="([^"]+)"[^>]*>(.*?)<span class="tip"', body, re.S)]


def test_annotate_marks_every_reference_with_its_status(doc: Path) -> None:
    from kgraph.views.annotate import annotate_file

    page = annotate_file(str(doc))
    marks = _marks(page)
    texts = [t for _, t in marks]
    assert texts.count("Nghị định số 163/2016/NĐ-CP") == 2
    assert "Thông tư số 46/2014/TT-BTC" in texts
    by_text = {t: c for c, t in marks}
    assert by_text["Thông tư số 46/2014/TT-BTC"] == "ref cited rel-replaces"
    assert by_text["Thông tư này"] == "ref self"
    assert by_text["Nghị định số .../2024/NĐ-CP"] == "ref unresolved"  # a blank number (a form or a draft)
    assert [c for c, t in marks if t == "Nghị định số 163/2016/NĐ-CP"] == ["ref cited rel-based_on", "ref cited rel-guides"]


def test_annotate_hover_card_gives_relation_instrument_and_pinpoint(doc: Path) -> None:
    from kgraph.views.annotate import annotate_file

    page = annotate_file(str(doc))
    cards = re.findall(r'<span class="tip" role="tooltip">(.*?)</span></mark>', page, re.S)
    guided = [c for c in cards if "(guides)" in c]
    assert len(guided) == 1
    card = html.unescape(re.sub(r"<[^>]+>", " ", guided[0]))
    assert "hướng dẫn" in card and "163/2016/NĐ-CP" in card and "điểm a khoản 2 Điều 5" in card
    unresolved = [html.unescape(re.sub(r"<[^>]+>", " ", c)) for c in cards if "chưa xác định" in c]
    assert unresolved and "number left blank" in unresolved[0]


def test_annotate_escapes_all_text_and_stands_alone(doc: Path) -> None:
    from kgraph.views.annotate import annotate_file

    page = annotate_file(str(doc))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;kinh phí&gt; &amp; &quot;dự án&quot;" in page
    assert "<script" not in page  # no script at all: a static file
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from elsewhere
    assert "<style>" in page  # styles inline


def test_annotate_text_round_trips(doc: Path) -> None:
    """Removing the marks and hover cards gives back the text exactly: offsets were honoured."""
    from kgraph.views.annotate import annotate_file

    page = annotate_file(str(doc))
    body = page.split('id="text">', 1)[1].rsplit("</div>", 1)[0]
    body = re.sub(r'<span class="tip" role="tooltip">.*?</span></mark>', "", body, flags=re.S)
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == TEXT


def test_annotate_links_to_the_served_instrument_page_when_asked(doc: Path) -> None:
    from kgraph.views.annotate import annotate_file

    page = annotate_file(str(doc), link_base="http://localhost:7878")
    links = re.findall(r'href="(http://localhost:7878/instrument\?iri=[^"]+)"', page)
    assert len(links) == 4  # the four citations; self and unresolved references link nowhere
    assert all("%2F" in link for link in links)  # the IRI is a query value, encoded


def test_kg_annotate_cli_writes_the_file(doc: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    r = subprocess.run([*KG, "annotate", str(doc), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Thông tư số 46/2014/TT-BTC" in out.read_text("utf-8")
    bad = subprocess.run([*KG, "annotate", str(tmp_path / "missing.txt")], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "missing.txt" in bad.stderr


def test_annotated_page_in_chromium(doc: Path, tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from kgraph.views.annotate import annotate_file

    out = tmp_path / "annotated.html"
    out.write_text(annotate_file(str(doc)), encoding="utf-8")
    browser.get(out.as_uri())
    marks = browser.find_elements(By.CSS_SELECTOR, "#text mark.ref")
    assert len(marks) == 7
    cited = browser.find_elements(By.CSS_SELECTOR, "#text mark.ref.cited")
    self_ = browser.find_elements(By.CSS_SELECTOR, "#text mark.ref.self")
    unresolved = browser.find_elements(By.CSS_SELECTOR, "#text mark.ref.unresolved")
    assert (len(cited), len(self_), len(unresolved)) == (4, 2, 1)
    # visibly different: the three kinds are drawn with different backgrounds and underlines
    look = {k: (e.value_of_css_property("background-image") + e.value_of_css_property("background-color")
                + e.value_of_css_property("border-bottom-style"))
            for k, e in (("cited", cited[0]), ("self", self_[0]), ("unresolved", unresolved[0]))}
    assert len(set(look.values())) == 3, look
    tip = cited[3].find_element(By.CSS_SELECTOR, ".tip")
    assert not tip.is_displayed()
    ActionChains(browser).move_to_element(cited[3]).perform()
    assert tip.is_displayed()
    assert "thay thế" in tip.text and "46/2014/TT-BTC" in tip.text
    shot(browser, "annotate-hover")
