"""The pages of `kg serve` in real headless Chromium, on a real build of data/ (issue 12's acceptance: the
analysts' page runs a named query and shows the expected rows; a document page shows its highlighted
citations; the instrument page draws its neighbourhood). Screenshots: test-artifacts/screenshots/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from browser_support import Served, console_errors, shot

#: The four example documents that cite Nghị định 163/2016 (each names it: `grep -l 163/2016 data/*`).
CITING_163 = {"Quyết định 210/QĐ-UBND (2024)", "Kế hoạch 45/KH-UBND (2024)", "Công văn 318/UBND-TCKH (2024)",
              "Báo cáo 77/BC-UBND (2024)"}


@pytest.fixture(scope="module")
def served(data_build: Path) -> Iterator[Served]:
    s = Served(data_build)
    try:
        yield s
    finally:
        s.stop()


def wait_for(driver, script: str, timeout: float = 20) -> object:
    deadline = time.monotonic() + timeout
    while True:
        v = driver.execute_script(script)
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.1)


def test_analysts_page_runs_a_named_query_typed_as_users_type_it(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(served.base + "/")
    console_errors(browser)
    Select(browser.find_element(By.ID, "named-name")).select_by_value("cited-by")
    field = browser.find_element(By.ID, "named-arg")
    assert field.get_attribute("placeholder") == "Nghị định 163/2016"
    field.send_keys("Nghị định 163/2016")
    field.submit()
    wait_for(browser, "return document.querySelector('table.results tbody tr') !== null")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    assert {r.find_element(By.CSS_SELECTOR, "td a").text for r in rows} == CITING_163
    qd210 = next(r for r in rows if "210/QĐ-UBND" in r.text)
    assert qd210.find_element(By.CSS_SELECTOR, "td.num").text == "2"
    assert "^^" not in browser.page_source
    assert console_errors(browser) == []
    shot(browser, "analysts-named-query")


def test_analysts_page_sparql_editor_shows_readable_results(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.base + "/")
    editor = browser.find_element(By.ID, "sparql").get_attribute("value")
    assert editor.startswith("PREFIX kg: <https://w3id.org/kgraph/ontology#>")
    example = next(b for b in browser.find_elements(By.CSS_SELECTOR, ".examples button") if "quan hệ" in b.text)
    example.click()
    browser.find_element(By.ID, "run").click()
    assert wait_for(browser, "return document.getElementById('results').getAttribute('data-rows')")
    cells = browser.find_elements(By.CSS_SELECTOR, "#results td.num")
    assert cells and all(c.text.isdigit() for c in cells)  # counts as numbers, not "1"^^<...integer>
    relations = {td.text for td in browser.find_elements(By.CSS_SELECTOR, "#results tbody td:first-child")}
    assert {"based_on", "cites"} <= relations
    # the most-cited example: IRIs shown by their labels, linking to the instrument pages
    browser.find_element(By.CSS_SELECTOR, ".examples button").click()
    browser.find_element(By.ID, "run").click()
    assert wait_for(browser, "return document.getElementById('results').getAttribute('data-rows')")
    first = browser.find_element(By.CSS_SELECTOR, "#results tbody tr td a")
    assert first.text == "Nghị định 163/2016/NĐ-CP"
    assert first.get_attribute("href").endswith("/instrument?iri=" + quote("https://kgraph.example/id/doc/163_2016_NĐ-CP", safe=""))
    # the :play command for the Neo4j Browser guide, with the instrument as typed
    play = browser.find_element(By.ID, "play-x")
    play.clear()
    play.send_keys("Luật Ngân sách nhà nước 2015")
    command = browser.find_element(By.ID, "play-command").text
    assert command == f":play http://localhost:{served.port}/neo4j/kgraph-guide.html?x=Luật Ngân sách nhà nước 2015"
    assert console_errors(browser) == []
    shot(browser, "analysts-sparql-editor")


def test_instrument_page_draws_its_neighbourhood(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.base + "/instrument?q=" + quote("Nghị định 163/2016"))
    assert wait_for(browser, "return document.getElementById('graph').getAttribute('data-ready') === '1'")
    box = browser.find_element(By.ID, "graph")
    assert box.get_attribute("data-nodes") == "5" and box.get_attribute("data-edges") == "5"
    labels = set(browser.execute_script("return window.kgCy.nodes().map(n => n.data('label'))"))
    assert labels == CITING_163 | {"Nghị định 163/2016/NĐ-CP"}
    # every node is drawn inside the box, and not all in one place
    size = box.size
    pos = browser.execute_script("return window.kgCy.nodes().map(n => [n.renderedPosition('x'), n.renderedPosition('y')])")
    assert all(0 <= x <= size["width"] and 0 <= y <= size["height"] for x, y in pos)
    assert len({(round(x), round(y)) for x, y in pos}) == 5
    # and the canvas has ink: a drawing, not an empty frame
    painted = browser.execute_script("""
        const c = document.querySelectorAll('#graph canvas'); let n = 0;
        for (const cv of c) { const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; }
        return n;""")
    assert painted > 2000
    groups = [h.get_attribute("data-relation") for h in browser.find_elements(By.CSS_SELECTOR, "#cited-by ~ h3")]
    assert len(groups) == len(set(groups)) >= 2 and "based_on" in groups  # one heading per relation
    assert console_errors(browser) == []
    shot(browser, "instrument-neighbourhood")


def test_document_page_shows_its_highlighted_citations(served: Served, browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(served.base + "/instrument?q=" + quote("45/KH-UBND"))
    browser.find_element(By.ID, "document-link").click()
    marks = browser.find_elements(By.CSS_SELECTOR, "#text mark.ref")
    assert len(marks) == 6
    assert [m.text for m in marks][:2] == ["Quyết định số 210/QĐ-UBND", "Nghị quyết số 11-NQ/TW"]
    nd = next(m for m in marks if "163/2016" in m.text)
    ActionChains(browser).move_to_element(nd).perform()
    tip = nd.find_element(By.CSS_SELECTOR, ".tip")
    assert tip.is_displayed() and "163/2016/NĐ-CP" in tip.text and "điểm a khoản 1 Điều 9" in tip.text
    shot(browser, "document-highlighted")
    nd.find_element(By.TAG_NAME, "a").click()  # to the cited instrument's page
    assert wait_for(browser, "return document.getElementById('title') && document.getElementById('title').textContent")
    assert browser.find_element(By.ID, "title").text == "Nghị định 163/2016/NĐ-CP"
    assert console_errors(browser) == []


@pytest.fixture(scope="module")
def served_two(two_provinces_build: Path) -> Iterator[Served]:
    """data/ plus tests/data/two_provinces: Kế hoạch 45/KH-UBND of tỉnh Sông Lam beside An Hòa's."""
    s = Served(two_provinces_build)
    try:
        yield s
    finally:
        s.stop()


def test_a_number_of_two_provinces_lists_both_and_each_leads_to_its_document(served_two: Served, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(served_two.base + "/instrument?q=" + quote("45/KH-UBND"))
    items = browser.find_elements(By.CSS_SELECTOR, "ul.candidates li.candidate")
    assert sorted(i.find_element(By.CSS_SELECTOR, ".issuer").text for i in items) == [
        "Ủy ban nhân dân tỉnh An Hòa", "Ủy ban nhân dân tỉnh Sông Lam"]
    shot(browser, "instrument-two-provinces")
    song_lam = next(i for i in items if "Sông Lam" in i.text)
    assert "2024-03-05" in song_lam.text
    song_lam.find_element(By.TAG_NAME, "a").click()
    assert wait_for(browser, "return document.getElementById('document-link')")
    browser.find_element(By.ID, "document-link").click()
    marks = browser.find_elements(By.CSS_SELECTOR, "#text mark.ref")
    assert "Chuyển đổi số trong quản lý ngân sách" in browser.find_element(By.ID, "text").text  # Sông Lam's plan
    assert marks[0].text == "Nghị định số 163/2016/NĐ-CP" and len(marks) != 6  # not An Hòa's (6 marks)
    # the place typed after the number goes straight to that province's plan
    browser.get(served_two.base + "/instrument?q=" + quote("Kế hoạch 45/KH-UBND của UBND tỉnh An Hòa"))
    browser.find_element(By.ID, "document-link").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#text mark.ref")) == 6
    assert console_errors(browser) == []


def test_guide_is_served_with_cors_for_the_browser_and_x_as_typed(served: Served) -> None:
    """What the Neo4j Browser's :play does before it shows the guide: a preflight, then a cross-origin GET."""
    import urllib.error
    import urllib.request

    url = served.base + "/neo4j/kgraph-guide.html?x=" + quote("Nghị định 163/2016")
    pre = urllib.request.Request(url, method="OPTIONS", headers={
        "Origin": "http://localhost:7474", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "content-type, x-ajax-browser-auth"})
    with urllib.request.urlopen(pre, timeout=30) as r:
        assert r.status == 204  # python -m http.server answered 501 here
        assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:7474"
        assert "GET" in r.headers["Access-Control-Allow-Methods"]
        assert r.headers["Access-Control-Allow-Headers"] == "content-type, x-ajax-browser-auth"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Origin": "http://127.0.0.1:7474"}), timeout=30) as r:
        assert r.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:7474"
        guide = r.read().decode()
    assert '<article class="guide"' in guide
    assert ":param targets =&gt; [&#x27;https://kgraph.example/id/doc/163_2016_NĐ-CP&#x27;]" in guide
    assert "62_2022" not in guide.split("<h3>cited-by</h3>", 1)[1].split("</slide>", 1)[0]
    # a page elsewhere on the web gets no CORS grant, and no preflight
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Origin": "https://evil.example"}), timeout=30) as r:
        assert r.headers.get("Access-Control-Allow-Origin") is None
    bad = urllib.request.Request(url, method="OPTIONS", headers={"Origin": "https://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(bad, timeout=30)
    assert e.value.code == 403
    # other routes are not cross-origin resources
    with urllib.request.urlopen(urllib.request.Request(served.base + "/", headers={"Origin": "http://localhost:7474"}),
                                timeout=30) as r:
        assert r.headers.get("Access-Control-Allow-Origin") is None
    unknown = urllib.request.Request(served.base + "/neo4j/kgraph-guide.html?x=" + quote("Nghị định 999/2099"))
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(unknown, timeout=30)
    assert e.value.code == 404 and "no instrument" in e.value.read().decode()
