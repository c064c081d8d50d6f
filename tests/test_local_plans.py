"""Which plans cite instrument X (issue 15), on a build of ../shared/corpus/tvpl, in SPARQL and in its Cypher twin.

The answers were listed by hand: the corpus pages whose heading is KẾ HOẠCH (a plan, not a decision issuing
one) and whose text names the instrument, read in context —
- Nghị quyết 57-NQ/TW: 597/KH-UBND ("Căn cứ Nghị quyết số 57-NQ/TW ...") and 617/KH-UBND (inside the description of
  the Ban Thường vụ Tỉnh ủy's Chương trình hành động 10-CTr/TU "về thực hiện Nghị quyết số 57-NQ/TW");
- Nghị quyết 71/NQ-CP: 597/KH-UBND ("Căn cứ Nghị quyết số 71/NQ-CP") and 617/KH-UBND (in Kế hoạch 283/KH-UBND's
  description "về thực hiện Nghị quyết số 71/NQ-CP");
- Quyết định 2437/QĐ-TTg: 0124/KH-UBND and 982/KH-UBND (both "Thực hiện ... Quyết định số 2437/QĐ-TTg").
Run the Neo4j part under `flock /tmp/neo4j-tests.lock` (the server is shared).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path

from kgraph.build import build
from kgraph.query import load_queries, to_json_lines
from kgraph.sinks.oxigraph_store import open_store
from kgraph.sparql import OxigraphBackend

BASE = f"https://kgraph.test/plans-{uuid.uuid4().hex[:8]}/"
PLAN = "Kế hoạch"
BY_HAND = {
    "Nghị quyết 57-NQ/TW": {"597/KH-UBND", "617/KH-UBND"},
    "Nghị quyết 71/NQ-CP": {"597/KH-UBND", "617/KH-UBND"},
    "Quyết định 2437/QĐ-TTg": {"0124/KH-UBND", "982/KH-UBND"},
}


@pytest.fixture(scope="module")
def tvpl_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plans") / "build"
    res = build([str(shared_path("corpus", "tvpl"))], out, workers=os.cpu_count() or 1, base=BASE)
    assert res.summary["documents"] >= 300
    return out


def _plans(rows: list[dict[str, Any]]) -> set[str]:
    return {r["number"] for r in rows if r.get("type") == PLAN}


@pytest.mark.parametrize("instrument", sorted(BY_HAND))
def test_plans_citing_sparql(tvpl_build: Path, instrument: str) -> None:
    backend = OxigraphBackend(open_store(tvpl_build), load_queries())
    rows = [json.loads(x) for x in to_json_lines(backend.run("cited-by", [instrument]))]
    assert _plans(rows) == BY_HAND[instrument]


def test_plans_citing_cypher_twin(tvpl_build: Path, neo4j_server: Any) -> None:
    from kgraph.neo4j import connection as conn
    from kgraph.neo4j import stream, sync
    from kgraph.neo4j.queries import Neo4jBackend

    settings = conn.connection_settings()
    stream.load(tvpl_build, settings)
    drv = conn.open_driver(settings)
    try:
        with drv.session(database=settings.database) as session:
            backend = Neo4jBackend(session, load_queries(), scope=BASE)
            for instrument, plans in BY_HAND.items():
                rows = [json.loads(x) for x in to_json_lines(backend.run("cited-by", [instrument]))]
                assert _plans(rows) == plans, instrument
    finally:
        drv.close()
        sync.delete_base(settings, BASE)
