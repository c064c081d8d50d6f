"""The served pages, rendered from a real build of data/ (issue 12: `kg serve` showed Oxigraph's stock page,
no prefixes, no examples, no named queries, `"1"^^<...integer>` and truncated IRIs; no instrument pages)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
ND163 = "https://kgraph.example/id/doc/163_2016_NĐ-CP"
#: The four example documents that cite Nghị định 163/2016 (each names it in its text: `grep 163/2016 data/*`).
CITING_163 = {"Quyết định 210/QĐ-UBND (2024)", "Kế hoạch 45/KH-UBND (2024)", "Công văn 318/UBND-TCKH (2024)",
              "Báo cáo 77/BC-UBND (2024)"}


@pytest.fixture(scope="module")
def build(data_build: Path) -> Path:
    """The session's build of a copy of data/ (conftest.py), so the document pages find their files."""
    return data_build


@pytest.fixture(scope="module")
def store(build: Path):
    from kgraph.sinks.oxigraph_store import open_store

    return open_store(build)


def get(store, build: Path, path: str, **params: str):
    from kgraph.views.pages import handle

    return handle(path, params, store, build)


def relations_citing(store, iri: str) -> set[str]:
    """The relation names the graph gives the citations of `iri` (what the page must group by)."""
    from kgraph.views.ask import bound_rows

    q = ("SELECT DISTINCT ?r WHERE { ?c <https://w3id.org/kgraph/ontology#citedDocument> ?t ; "
         "<https://w3id.org/kgraph/ontology#relationName> ?r }")
    return {row["r"] for row in bound_rows(store, q, "t", [iri])}


def text_of(body: bytes) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body.decode())).split())


def test_analysts_page_has_prefixes_examples_and_the_named_queries(store, build) -> None:
    r = get(store, build, "/")
    assert r.status == 200 and r.content_type.startswith("text/html")
    page = r.body.decode()
    editor = html.unescape(re.search(r'<textarea class="sparql" id="sparql"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    assert "PREFIX kg: <https://w3id.org/kgraph/ontology#>" in editor and "PREFIX eli:" in editor
    assert "SELECT * WHERE {?sub ?pred ?obj}" not in page
    assert "kg:citedDocument" in editor  # an example, not the stock triple pattern
    examples = re.findall(r'<button type="button" data-query="([^"]+)"', page)
    assert len(examples) >= 3
    from pyoxigraph import QuerySolutions

    for q in examples:  # every example runs on a real build and answers something
        res = store.query(html.unescape(q))
        assert isinstance(res, QuerySolutions) and list(res), q
    menu = re.findall(r'<option value="([^"]+)"', page)
    assert {"cited-by", "cites", "most-cited", "basis-chain", "provisions-cited", "stale-citations"} <= set(menu)


def test_named_query_as_typed_gives_a_readable_table(store, build) -> None:
    r = get(store, build, "/named", name="cited-by", arg="Nghị định 163/2016")
    assert r.status == 200
    page = r.body.decode()
    assert "^^" not in page and "XMLSchema#integer" not in page
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>", 1)[1], re.S)
    firsts = {html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<td>(.*?)</td>", row, re.S).group(1))) for row in rows}
    assert firsts == CITING_163
    # each row's instrument links to its page by IRI as a bound parameter; counts are numbers
    assert all('href="/instrument?iri=https%3A%2F%2F' in row for row in rows)
    qd210 = next(row for row in rows if "210/QĐ-UBND" in row)
    assert '<td class="num">2</td>' in qd210  # two citations of 163/2016 in QĐ 210
    assert 'class="date">2024-03-15<' in qd210
    assert "căn cứ" in qd210  # relations in words


def test_named_query_errors_are_pages_not_tracebacks(store, build) -> None:
    r = get(store, build, "/named", name="cited-by", arg="Nghị định 999/2099")
    assert r.status == 400 and "no instrument" in text_of(r.body)
    r = get(store, build, "/named", name="no-such-query", arg="")
    assert r.status == 404


def test_hostile_argument_is_bound_not_pasted(store, build) -> None:
    evil = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o <script>alert(1)</script>'
    r = get(store, build, "/named", name="cited-by", arg=evil)
    page = r.body.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    r = get(store, build, "/instrument", iri="http://x/> } ?s ?p ?o . <http://y")
    assert r.status in (400, 404)


def test_instrument_page_groups_citations_by_relation_with_pinpoints_and_sentences(store, build) -> None:
    r = get(store, build, "/instrument", q="Nghị định 163/2016")
    assert r.status == 200
    page = r.body.decode()
    cited_by = page.split('id="cited-by"', 1)[1]
    groups = re.findall(r'<h3 data-relation="([^"]+)">', cited_by)
    assert len(groups) == len(set(groups)) >= 2  # one heading per relation
    assert set(groups) == relations_citing(store, ND163) and "based_on" in groups
    txt = text_of(cited_by.encode())
    for label in CITING_163:
        assert label in txt
    assert "điểm a khoản 1 Điều 9" in txt  # KH 45's pinpoint
    assert "Phân bổ kinh phí theo điểm a khoản 1 Điều 9 Nghị định số 163/2016/NĐ-CP" in txt  # its citing sentence
    meta = text_of(page.split("<h2", 1)[0].encode())
    assert "163/2016/NĐ-CP" in meta and "Nghị định" in meta


def test_instrument_page_embeds_its_neighbourhood(store, build) -> None:
    r = get(store, build, "/instrument", iri=ND163)
    page = r.body.decode()
    data = json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S).group(1))
    nodes = [e["data"] for e in data["elements"] if "source" not in e["data"]]
    edges = [e["data"] for e in data["elements"] if "source" in e["data"]]
    assert [n["id"] for n in nodes if n["centre"]] == [ND163]
    assert {n["label"] for n in nodes if not n["centre"]} == CITING_163
    assert all(e["target"] == ND163 for e in edges)
    assert {e["relation"] for e in edges} == relations_citing(store, ND163)
    assert '<script src="/static/cytoscape.min.js">' in page


def test_document_page_marks_the_built_documents_references(store, build) -> None:
    r = get(store, build, "/instrument", q="45/KH-UBND")
    iri = re.search(r'href="/document\?iri=([^"]+)"', r.body.decode()).group(1)
    from urllib.parse import unquote

    d = get(store, build, "/document", iri=unquote(iri))
    assert d.status == 200
    body = d.body.decode().split('id="text"', 1)[1]
    marks = re.findall(r'<mark class="ref ([^"]+)"', body)
    assert len(marks) == 6 and all(m.startswith("cited") for m in marks)
    assert f'href="/instrument?iri={quote(ND163, safe="")}"' in body


def test_document_page_without_its_file_lists_the_citations(store, build, tmp_path, monkeypatch) -> None:
    from kgraph.views.documents import built_document

    r = get(store, build, "/instrument", q="45/KH-UBND")
    from urllib.parse import unquote

    iri = unquote(re.search(r'href="/document\?iri=([^"]+)"', r.body.decode()).group(1))
    monkeypatch.chdir(tmp_path)  # neither here nor beside this "build" folder is data/kh-45...
    page = built_document(store, iri, tmp_path)
    assert "Tệp gốc không còn" in page and "163/2016/NĐ-CP" in page


def test_static_assets_are_package_data(store, build) -> None:
    for name in ("kgraph.css", "kgraph.js", "cytoscape.min.js"):
        r = get(store, build, f"/static/{name}")
        assert r.status == 200 and len(r.body) > 500
    assert get(store, build, "/static/../../pyproject.toml").status == 404
    assert get(store, build, "/static/secret.txt").status == 404


def test_nothing_below_the_views_imports_them() -> None:
    import ast

    pkg = ROOT / "kgraph"
    allowed = {"views", "cli_views.py", "serve", "cli_graph.py"}
    for p in pkg.rglob("*.py"):
        rel = p.relative_to(pkg).parts
        if rel[0] in allowed:
            continue
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kgraph.views"):
                raise AssertionError(f"{p} imports {node.module}")


# --------------------------------------------------------------------------- one local number, two provinces

#: data/ plus tests/data/two_provinces: Kế hoạch 45/KH-UBND of tỉnh Sông Lam (2024-03-05) beside An Hòa's
#: (2024-04-02), and a Sông Lam letter citing it "của UBND tỉnh" (its own province).
BASE_ID = "https://kgraph.example/id/doc/"
KH45_AN_HOA = BASE_ID + "45_KH-UBND/2024/ủy-ban-nhân-dân-tỉnh-an-hòa"
KH45_SONG_LAM = BASE_ID + "45_KH-UBND/2024/ủy-ban-nhân-dân-tỉnh-sông-lam"


@pytest.fixture(scope="module")
def two_build(two_provinces_build: Path) -> Path:
    return two_provinces_build  # the session's build of data/ + tests/data/two_provinces (conftest.py)


@pytest.fixture(scope="module")
def two_store(two_build: Path):
    from kgraph.sinks.oxigraph_store import open_store

    return open_store(two_build)


def candidates_of(body: bytes) -> list[tuple[str, str, str]]:
    """(linked IRI, issuer, date) of each candidate a page lists."""
    from urllib.parse import unquote

    out = []
    for li in re.findall(r'<li class="candidate">(.*?)</li>', body.decode(), re.S):
        iri = unquote(re.search(r'href="/(?:instrument|document)\?iri=([^"&]+)"', li).group(1))
        issuer = text_of(re.search(r'<span class="issuer">(.*?)</span>', li, re.S).group(1).encode())
        date = re.search(r'<span class="date">([^<]*)</span>', li).group(1)
        out.append((iri, issuer, date))
    return out


def test_a_number_of_two_provinces_lists_both_with_issuer_date_and_link(two_store, two_build) -> None:
    for typed in ("45/KH-UBND", "Kế hoạch 45/KH-UBND", "kh 45/KH-UBND"):
        r = get(two_store, two_build, "/instrument", q=typed)
        assert r.status == 200 and "document-link" not in r.body.decode(), typed  # a list, not one page
        assert sorted(candidates_of(r.body)) == [
            (KH45_AN_HOA, "Ủy ban nhân dân tỉnh An Hòa", "2024-04-02"),
            (KH45_SONG_LAM, "Ủy ban nhân dân tỉnh Sông Lam", "2024-03-05"),
        ], typed
    d = get(two_store, two_build, "/document", q="45/KH-UBND")  # the document page lists them too
    assert d.status == 200 and {c[0] for c in candidates_of(d.body)} == {KH45_AN_HOA, KH45_SONG_LAM}


def test_place_words_pick_one_province_and_go_straight_to_it(two_store, two_build) -> None:
    for typed, iri, source in (
        ("45/KH-UBND An Hòa", KH45_AN_HOA, "kh-45-kh-ubnd-2024-an-hoa.txt"),
        ("Kế hoạch 45/KH-UBND của UBND tỉnh An Hòa", KH45_AN_HOA, "kh-45-kh-ubnd-2024-an-hoa.txt"),
        ("45/KH-UBND Sông Lam", KH45_SONG_LAM, "kh-45-kh-ubnd-2024-song-lam.txt"),
        ("45/KH-UBND của Ủy ban nhân dân tỉnh Sông Lam năm 2024", KH45_SONG_LAM, "kh-45-kh-ubnd-2024-song-lam.txt"),
    ):
        r = get(two_store, two_build, "/instrument", q=typed)
        page = r.body.decode()
        assert r.status == 200 and f"<code>{html.escape(iri)}</code>" in page, typed
        assert 'id="document-link"' in page
        d = get(two_store, two_build, "/document", q=typed)
        assert d.status == 200 and source in d.body.decode(), typed
    assert get(two_store, two_build, "/instrument", q="45/KH-UBND Hà Tĩnh").status == 404


def test_each_citation_of_the_number_goes_to_its_province(two_store, two_build) -> None:
    """CV 318 (a district of An Hòa) and BC 77 cite An Hòa's plan; Sông Lam's letter cites "của UBND tỉnh"."""
    from kgraph.views import ask

    assert {r["number"] for r in ask.run(two_store, "cited-by", ["45/KH-UBND An Hòa"]).rows} == {"318/UBND-TCKH", "77/BC-UBND"}
    assert {r["number"] for r in ask.run(two_store, "cited-by", ["45/KH-UBND Sông Lam"]).rows} == {"96/UBND-KT"}
    r = get(two_store, two_build, "/named", name="cited-by", arg="45/KH-UBND")
    assert r.status == 200
    assert sorted(candidates_of(r.body)) == [
        (KH45_AN_HOA, "Ủy ban nhân dân tỉnh An Hòa", "2024-04-02"),
        (KH45_SONG_LAM, "Ủy ban nhân dân tỉnh Sông Lam", "2024-03-05"),
    ]
    narrow = re.findall(r'href="(/named\?[^"]+)"[^>]*>chỉ văn bản này', r.body.decode())
    assert len(narrow) == 2  # each candidate links to the same query on that node alone
    from urllib.parse import parse_qsl, urlsplit

    one = dict(parse_qsl(urlsplit(html.unescape(narrow[0])).query))
    rows = ask.run(two_store, one["name"], [one["arg"]]).rows
    assert rows and {row["target"] for row in rows} == {one["arg"]}
