"""The catalogue's facts in the graph, on a record node of their own, and stale-citations reading them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kgraph.catalog import default_catalog
from kgraph.extract import extract
from kgraph.graph.rdf import extraction_graph

BASE = "https://kgraph.example/id/"
ELI = "http://data.europa.eu/eli/ontology#"
KG = "https://w3id.org/kgraph/ontology#"
QUERY = (Path(__file__).resolve().parents[1] / "queries" / "stale-citations.rq").read_text(encoding="utf-8")


def _doc(number: str, day: str, month: str, year: str) -> str:
    return (f"BỘ TÀI CHÍNH\nSố: {number}\nHà Nội, ngày {day} tháng {month} năm {year}\n\nTHÔNG TƯ\n"
            "Hướng dẫn một số nội dung về đất đai\n\n"
            "Căn cứ Luật Đất đai số 45/2013/QH13 ngày 29 tháng 11 năm 2013;\n\nĐiều 1. Phạm vi\nNội dung.\n")


@pytest.fixture(scope="module")
def lines() -> list[str]:
    items = [(extract(_doc("10/2025/TT-BTC", "10", "3", "2025")), "a" * 64, "late.txt"),
             (extract(_doc("10/2020/TT-BTC", "10", "3", "2020")), "b" * 64, "early.txt")]
    return extraction_graph(items, BASE)


def test_the_record_carries_the_catalogues_facts(lines: list[str]) -> None:
    cited = f"<{BASE}doc/45_2013_QH13>"
    rec = f"<{BASE}doc/45_2013_QH13/catalogue>"
    assert f"{cited} <{KG}catalogueRecord> {rec} .\n" in lines
    assert f'{rec} <{ELI}date_no_longer_in_force> "2024-08-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n' in lines
    assert f'{rec} <{ELI}first_date_entry_in_force> "2014-07-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n' in lines
    assert f"{rec} <{ELI}in_force> <{ELI}InForce-notInForce> .\n" in lines
    # provenance: the instrument's own node gets none of the catalogue's dates
    assert not any(ln.startswith(cited + " ") and "date_no_longer_in_force" in ln for ln in lines)
    # 31/2024/QH15 replaced it: the effect is on the record with its date
    assert any(ln.startswith(rec) and f"<{BASE}doc/31_2024_QH15>" in ln for ln in lines)


def test_without_a_catalogue_no_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGRAPH_NO_CATALOG", "1")
    got = extraction_graph([(extract(_doc("10/2025/TT-BTC", "10", "3", "2025")), "a" * 64, "late.txt")], BASE)
    assert not any("catalogueRecord" in ln for ln in got)


def test_stale_citations_by_the_citing_date(lines: list[str]) -> None:
    store = ox.Store()
    store.load("".join(lines).encode("utf-8"), ox.RdfFormat.N_TRIPLES)
    rows = list(store.query(QUERY))
    numbers = {r["number"].value for r in rows if r["number"] is not None}
    assert numbers == {"10/2025/TT-BTC"}  # the 2020 document cited it while it was in force
    assert {r["how"].value for r in rows} == {"catalogue"}
    assert default_catalog().by_number("45/2013/QH13")[0].no_longer == "2024-08-01"
