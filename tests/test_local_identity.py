"""Local numbers are unique only per issuing body (issue 15, Identity).

The corpus in tests/data/local_identity was written for this test: Quyết định 2828/QĐ-UBND of Hồ Chí Minh City
(hcm.txt) and of Quảng Trị (qt.txt), both of 2025; a Quảng Trị plan citing "2828/QĐ-UBND ... của UBND tỉnh" (its
own province), a Đà Nẵng plan citing it "của Ủy ban nhân dân Thành phố Hồ Chí Minh", and a Hà Nội letter that
names no issuer (stays unresolved: a node of its own). Run the Neo4j part under `flock /tmp/neo4j-tests.lock`.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from kgraph.build import build
from kgraph.knowledge import load
from kgraph.link.keys import UNRESOLVED_ISSUER, is_local_number, numbered_key
from kgraph.numbers import normalize_number
from kgraph.query import load_queries, to_json_lines
from kgraph.sinks.oxigraph_store import open_store
from kgraph.sparql import OxigraphBackend

DATA = Path(__file__).parent / "data" / "local_identity"
BASE = f"https://kgraph.test/localid-{uuid.uuid4().hex[:8]}/"
NUMBER = "2828/QĐ-UBND"
HCM = numbered_key(NUMBER, 2025, "Ủy ban nhân dân thành phố Hồ Chí Minh").iri(BASE)
QT = numbered_key(NUMBER, 2025, "Ủy ban nhân dân tỉnh Quảng Trị").iri(BASE)
UNKNOWN = numbered_key(NUMBER, 2025, None).iri(BASE)
#: which documents cite each node, by hand from the texts
CITED_BY = {HCM: {"77/KH-UBND"}, QT: {"150/KH-UBND"}, UNKNOWN: {"4321/UBND-KGVX"}}
#: the nodes `2828/QĐ-UBND` names, with the issuer and date the graph gives each (by hand from the texts)
CANDIDATES = {(HCM, "Ủy ban nhân dân thành phố Hồ Chí Minh", "2025-06-10"),
              (QT, "Ủy ban nhân dân tỉnh Quảng Trị", "2025-08-20"), (UNKNOWN, None, "2025-08-20")}
#: what a user types after the number to say which province's decision
HINTS = {
    f"{NUMBER} Quảng Trị": QT,
    f"{NUMBER} của UBND tỉnh Quảng Trị năm 2025": QT,
    f"Quyết định {NUMBER} thành phố Hồ Chí Minh": HCM,
    f"{NUMBER} Hồ Chí Minh 2025": HCM,
}


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("localid") / "build"
    res = build([str(DATA)], out, workers=1, base=BASE)
    assert res.summary["errors"] == [] and res.summary["documents"] == 5
    return out


def _rows(backend: Any, typed: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in to_json_lines(backend.run("cited-by", [typed]))]


@pytest.mark.parametrize("example", load().local_numbers["examples"], ids=lambda e: e["number"])
def test_which_numbers_are_local_as_the_table_says(example: dict[str, Any]) -> None:
    assert is_local_number(normalize_number(example["number"])) is example["local"]


def test_the_key_names_the_issuer_only_for_local_numbers() -> None:
    assert HCM != QT and UNKNOWN not in (HCM, QT) and UNKNOWN.endswith(UNRESOLVED_ISSUER)
    # "UBND tỉnh X" and the header's "ỦY BAN NHÂN DÂN TỈNH X" are one body; a bare "UBND" names no province
    assert numbered_key(NUMBER, 2025, "Ủy ban nhân dân tỉnh Quảng Trị").issuer is not None
    # central numbers (with a year, Party numbers, central codes) keep their key as it was
    for n, y in (("163/2016/NĐ-CP", None), ("11-NQ/TW", 2011), ("13/CT-TTg", 2018), ("15/2020/NQ-HĐND", None)):
        assert numbered_key(n, y, "Ủy ban nhân dân tỉnh Quảng Trị").issuer is None


def test_two_provinces_give_two_nodes_and_citations_go_to_the_right_one(local_build: Path) -> None:
    backend = OxigraphBackend(open_store(local_build), load_queries())
    targets = backend.resolve_instrument(NUMBER)
    assert set(targets) == {HCM, QT, UNKNOWN}  # the number alone names all three, never one merged node
    for iri, citers in CITED_BY.items():
        assert {r["number"] for r in _rows(backend, iri)} == citers, iri
    # asked by number, every row says which node it cites
    by_target = {(r["target"], r["number"]) for r in _rows(backend, NUMBER)}
    assert by_target == {(iri, n) for iri, ns in CITED_BY.items() for n in ns}
    # the province after the number picks its node, however the body is written
    for typed, iri in HINTS.items():
        assert backend.resolve_instrument(typed) == [iri], typed
        assert {r["number"] for r in _rows(backend, typed)} == CITED_BY[iri], typed
    assert backend.resolve_instrument(f"{NUMBER} Hà Tĩnh") == []
    # what a user picks one from: each node with its issuer (none for the unresolved one) and date
    assert {(c.iri, c.issuer, c.date) for c in backend.instrument_candidates(NUMBER)} == CANDIDATES
    assert backend.run("cited-by", [NUMBER]).candidates == backend.instrument_candidates(NUMBER)
    assert backend.run("cited-by", [f"{NUMBER} Quảng Trị"]).candidates == []  # one node: no list
    # the two decisions are corpus documents with their own issuer; the unresolved node is not
    nt = (local_build / "graph.nt").read_text("utf-8")
    assert f"<{HCM}>" in nt and f"<{QT}>" in nt


def test_cypher_twin_agrees(local_build: Path, neo4j_server: Any) -> None:
    from kgraph.neo4j import connection as conn
    from kgraph.neo4j import stream, sync
    from kgraph.neo4j.queries import Neo4jBackend

    settings = conn.connection_settings()
    stream.load(local_build, settings)
    drv = conn.open_driver(settings)
    try:
        with drv.session(database=settings.database) as session:
            backend = Neo4jBackend(session, load_queries(), scope=BASE)
            assert set(backend.resolve_instrument(NUMBER)) == {HCM, QT, UNKNOWN}
            for iri, citers in CITED_BY.items():
                assert {r["number"] for r in _rows(backend, iri)} == citers, iri
            by_target = {(r["target"], r["number"]) for r in _rows(backend, NUMBER)}
            assert by_target == {(iri, n) for iri, ns in CITED_BY.items() for n in ns}
            for typed, iri in HINTS.items():
                assert {r["number"] for r in _rows(backend, typed)} == CITED_BY[iri], typed
            assert {(c.iri, c.issuer, c.date) for c in backend.instrument_candidates(NUMBER)} == CANDIDATES
            assert backend.run("cited-by", [NUMBER]).candidates == OxigraphBackend(
                open_store(local_build), load_queries()).run("cited-by", [NUMBER]).candidates
    finally:
        drv.close()
        sync.delete_base(settings, BASE)
