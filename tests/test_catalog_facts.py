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
             (extract(_doc("10/2020/TT-BTC", "10", "3", "2020")), "b" * 64, "early.txt"),
             # a consolidated text of 2025 reproducing the căn cứ of the circular it consolidates
             (extract(_doc("05/VBHN-BTC", "10", "3", "2025")), "c" * 64, "vbhn.txt")]
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
    # the 2020 document cited it while it was in force; the 2025 consolidated text cites it too, but its
    # citation is the consolidated instrument's, made on that instrument's date: not a citing document
    assert numbers == {"10/2025/TT-BTC"}
    vbhn = f"<{BASE}doc/05_VBHN-BTC/2025>"
    assert f"{vbhn} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KG}ConsolidatedText> .\n" in lines
    assert any(ln.startswith(vbhn + f" <{ELI}based_on> <{BASE}doc/45_2013_QH13>") for ln in lines)
    assert {r["how"].value for r in rows} == {"catalogue"}
    assert default_catalog().by_number("45/2013/QH13")[0].no_longer == "2024-08-01"


# ----------------------------------------------------------------------------- ELI terms, SHACL

#: The ELI ontology's own terms the catalogue's facts may use (http://data.europa.eu/eli/ontology, 1.5):
#: properties of a legal resource and the InForce concepts of eli:InForceTable.
ELI_TERMS = ("number", "title", "date_document", "first_date_entry_in_force", "date_no_longer_in_force", "in_force",
             "amended_by", "repealed_by", "changed_by", "InForce-inForce", "InForce-partiallyInForce",
             "InForce-notInForce")


def test_a_replacement_is_written_as_elis_repeal_too(lines: list[str]) -> None:
    """ELI's eli:repealed_by is "completely canceled, abrogated or replaced": a replacement carries it beside
    kgraph's refinement kg:replacedBy (and the ontology says kg:replacedBy ⊂ eli:repealed_by)."""
    rec = f"<{BASE}doc/45_2013_QH13/catalogue>"
    new = f"<{BASE}doc/31_2024_QH15>"
    assert f"{rec} <{KG}replacedBy> {new} .\n" in lines
    assert f"{rec} <{ELI}repealed_by> {new} .\n" in lines
    onto = ox.Store()
    onto.load(path=str(Path(__file__).resolve().parents[1] / "ontology" / "kgraph.ttl"), format=ox.RdfFormat.TURTLE)
    assert onto.query(f"ASK {{ <{KG}replacedBy> <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> <{ELI}repealed_by> }}")
    # every ELI term the catalogue's records use is one the ELI ontology (1.5) defines, and kgraph's ontology
    # declares it; `is_amended_by` (issue 10's wording) is not an ELI term: ELI's is eli:amended_by
    used = {t.strip("<>") for ln in lines if "/catalogue" in ln.split()[0] for t in ln.split()[1:3]}
    used = {t for t in used if t.startswith(ELI)}
    assert used <= {ELI + t for t in ELI_TERMS}, used - {ELI + t for t in ELI_TERMS}
    assert {f"{ELI}in_force", f"{ELI}date_no_longer_in_force", f"{ELI}repealed_by"} <= used
    for term in sorted(used):
        assert onto.query(f"ASK {{ <{term}> ?p ?o }}"), term


def test_shapes_list_the_catalogues_values() -> None:
    import rdflib
    from rdflib.collection import Collection
    from rdflib.namespace import SH

    from kgraph.catalog.store import EFFECT_KINDS, STATUSES

    g = rdflib.Graph().parse(str(Path(__file__).resolve().parents[1] / "ontology" / "shapes.ttl"))
    lists = {}
    for prop in g.objects(None, SH.property):
        path, values = g.value(prop, SH.path), g.value(prop, SH["in"])
        if values is not None:
            lists[str(path)] = [str(v) for v in Collection(g, values)]
    assert sorted(lists[f"{KG}status"]) == sorted(STATUSES)
    assert sorted(lists[f"{KG}effectKind"]) == sorted(EFFECT_KINDS)
    assert sorted(lists[f"{ELI}in_force"]) == sorted(f"{ELI}{c}" for c in
                                                     ("InForce-inForce", "InForce-partiallyInForce", "InForce-notInForce"))


def test_validate_accepts_the_records_and_refuses_a_bad_one(lines: list[str], tmp_path: Path) -> None:
    from kgraph.graph.validate import validate

    good = tmp_path / "good.nt"
    good.write_text("".join(lines), encoding="utf-8")
    ok, messages, _ = validate(good)
    assert ok, messages
    rec = f"<{BASE}doc/45_2013_QH13/catalogue>"
    bad_lines = [ln for ln in lines if not (ln.startswith(rec) and f"<{ELI}repealed_by>" in ln)]
    bad_lines.append(f'{rec} <{ELI}in_force> "no longer in force" .\n')
    bad = tmp_path / "bad.nt"
    bad.write_text("".join(bad_lines), encoding="utf-8")
    ok, messages, _ = validate(bad)
    assert not ok
    text = "\n".join(messages)
    assert "in_force" in text and "also an ELI repeal" in text
