"""The hand-checked development sets (bench/devset) through the user's path, `kg extract --format json`.

The floors are today's measured figures minus a small margin, so a regression fails; the issue targets
(issues 9 and 15) are written in bench/devset/README.md, not asserted here, because today's code does not reach them.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


score_devset = _load("score_devset", ROOT / "bench" / "score_devset.py")
build = _load("devset_build", ROOT / "bench" / "devset" / "build.py")

#: Floors: measured on 2026-12-01 (central: 20 documents, 530 references; local: 17 documents, 233 references);
#: local and the panel raised after the issue-15 header and issuer work, local relation and target after its
#: relation work (bench/devset/README.md).
FLOORS = {
    "central": {
        "recall": 0.995, "precision": 0.98,
        "number": 0.95, "type": 0.97, "date": 0.94, "issuer": 0.93, "name": 0.97, "law name": 0.97, "relation": 0.95,
        "pinpoint": 0.96, "target": 0.97,
        "own number": 0.95, "own type": 0.95, "own issuer": 0.95, "own date": 0.95, "own signer": 0.95,
    },
    "local": {
        "recall": 0.99, "precision": 0.99,
        "number": 0.97, "type": 0.95, "date": 0.97, "issuer": 0.97, "name": 0.95, "relation": 0.97,
        "target": 0.95,
        "own number": 0.97, "own type": 0.97, "own issuer": 0.9, "own signer": 0.97, "own date": 0.97,
    },
    # 8 local documents annotated after the rules above were tuned (held out): measured before any fix at recall
    # 0.892, precision 0.876, relation 0.762, implements 0.533; floors are the after-fix figures minus a margin
    # (those after-fix figures are no longer held-out ones: bench/devset/README.md)
    "local-heldout": {
        "recall": 0.99, "precision": 0.99,
        "number": 0.97, "type": 0.97, "date": 0.97, "issuer": 0.95, "name": 0.95, "relation": 0.95,
        "target": 0.95,
        "own number": 0.97, "own type": 0.97, "own issuer": 0.97, "own signer": 0.97, "own date": 0.97,
    },
    # 6 central documents annotated on 2026-12-03 before kgraph was run on them (99 references): first runs at recall
    # 1.0, precision 1.0, relation 0.92 on four (a repeal read across a page break, a scope article's "guides");
    # after the fixes every field 1.0 (bench/devset/README.md)
    "central-heldout": {
        "recall": 0.99, "precision": 0.99,
        "number": 0.97, "type": 0.97, "date": 0.97, "issuer": 0.97, "name": 0.97, "relation": 0.95,
        "pinpoint": 0.97, "target": 0.97,
        "own number": 0.97, "own type": 0.97, "own issuer": 0.97, "own signer": 0.97, "own date": 0.97,
    },
}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    shared = shared_path()
    return {name: score_devset.score(name, shared=shared) for name in score_devset.SETS}


@pytest.mark.parametrize("name", score_devset.SETS)
def test_devset_figures_do_not_regress(results: dict[str, dict], name: str) -> None:
    res = results[name]
    got = {"recall": res["recall"], "precision": res["precision"],
           **{k: v["accuracy"] for k, v in res["fields"].items()}}
    low = {k: (got.get(k), floor) for k, floor in FLOORS[name].items() if got.get(k) is None or got[k] < floor}
    assert not low, f"{name}: below the floor (measured, floor): {low}"


def test_every_relation_kind_is_scored(results: dict[str, dict]) -> None:
    """The sets exercise the relations the edges issue names (amends, replaces, repeals, implements, ...)."""
    kinds = set(results["central"]["relation_by_kind"]) | set(results["local"]["relation_by_kind"])
    assert {"based_on", "implements", "guides", "amends", "replaces", "repeals", "consolidates", "cites"} <= kinds


def test_jsonl_sets_are_built_from_the_annotation_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The JSONL files are what build.py makes of the .ann sources, and every span is the text at its offsets."""
    shared = shared_path()
    monkeypatch.setattr(build, "SHARED", shared)
    for name in score_devset.SETS:
        rebuilt = build.parse(build.HERE / f"{name}.ann")
        stored = score_devset.load_gold(name)
        assert [d["path"] for d in rebuilt] == [d["path"] for d in stored]
        for new, old in zip(rebuilt, stored):
            assert [(r["start"], r["end"], r["relation"]) for r in new["references"]] == \
                   [(r["start"], r["end"], r["relation"]) for r in old["references"]], old["path"]
            text = (shared / old["path"]).read_text(encoding="utf-8", errors="replace")
            for r in old["references"]:
                assert text[r["start"]:r["end"]] == r["text"]
                prior, i = 0, text.find(r["text"])
                while 0 <= i < r["start"]:
                    prior, i = prior + 1, text.find(r["text"], i + 1)
                assert prior == r["occurrence"], (old["path"], r["text"])


def test_matching_and_field_rules_on_a_constructed_case() -> None:
    """The scorer's own rules, on values chosen so that each comparison could go either way."""
    gold = [{"kind": "numbered", "start": 10, "end": 30, "type": "Nghị định"},
            {"kind": "optional", "start": 50, "end": 60}]
    pred = [{"start": 12, "end": 28}, {"start": 52, "end": 58}, {"start": 80, "end": 90}]
    pairs, absorbed = score_devset.match(gold, pred)
    assert pairs == [(0, 0)] and absorbed == {1}
    g = {"kind": "numbered", "issuer": "Bộ Lao động - Thương binh và Xã hội; Bộ Y tế", "date": "2015",
         "number": "05-NQ/TW", "pinpoint": [{"article": "6", "clause": None, "point": None, "chapter": None}]}
    assert score_devset.field_ok("issuer", g, {"issuer": "Bộ trưởng Bộ Lao động – Thương binh và Xã hội và Bộ Y tế"})
    assert not score_devset.field_ok("issuer", {**g, "issuer": "Ủy ban nhân dân tỉnh Hà Tĩnh"}, {"issuer": "Ủy ban nhân dân"})
    assert score_devset.field_ok("date", g, {"date": None, "year": 2015})
    assert not score_devset.field_ok("date", g, {"date": "2016-01-01"})
    assert score_devset.field_ok("number", g, {"number": "05- NQ/TW"})
    assert not score_devset.field_ok("pinpoint", g, {"pinpoint": [{"article": "6", "clause": "1"}]})
    assert score_devset.pin_set([{"chapter": "VI"}]) == score_devset.pin_set([{"chapter": "6"}])


def test_scorer_command_line_prints_json(tmp_path: Path) -> None:
    """The bench script as a user runs it (through `kg extract`), JSON output."""
    import os
    import subprocess

    shared = shared_path()
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "score_devset.py"), "--set", "central", "--json"],
                         capture_output=True, text=True, check=True, env={**os.environ, "KGRAPH_SHARED": str(shared)})
    res = json.loads(out.stdout)[0]
    assert res["set"] == "central" and res["documents"] == 20 and res["gold"] > 500


panel = _load("tvpl_panel_accuracy", ROOT / "bench" / "tvpl_panel_accuracy.py")


def test_panel_issuer_rule() -> None:
    """A panel place is matched by a body of that place, never by the bare place or a bare body type."""
    assert panel.issuer_matches("Tỉnh Hà Tĩnh", "Ủy ban nhân dân tỉnh Hà Tĩnh")
    assert panel.issuer_matches("Thành phố Hà Nội", "Sở Giáo dục và Đào tạo Thành phố Hà Nội")
    assert not panel.issuer_matches("Tỉnh Hà Tĩnh", "Tỉnh Hà Tĩnh")
    assert not panel.issuer_matches("Tỉnh Hà Tĩnh", "Ủy ban nhân dân")
    assert not panel.issuer_matches("Tỉnh Hà Tĩnh", "Ủy ban nhân dân tỉnh Hà Nam")
    assert panel.issuer_matches("Bộ Công thương", "Bộ Công Thương")
    assert not panel.issuer_matches("Chính phủ", "Thủ tướng Chính phủ")
    assert panel.issuer_matches("Ban Chỉ đạo sắp xếp ĐVHC các cấp", "Ban Chỉ đạo sắp xếp đơn vị hành chính các cấp")


def test_panel_figures_do_not_regress() -> None:
    """Own metadata of the 191 panel pages vs the site's panel: floors at today's figures minus a margin."""
    res = panel.measure(shared_path())
    floors = {"number": 0.98, "type": 0.98, "issuer": 0.98, "signer": 0.98, "date": 0.98}
    got = {f: res["fields"][f]["accuracy"] for f in floors}
    assert res["pages"] == 191
    assert all(got[f] >= floors[f] for f in floors), got
    # the header reader alone (the site's panel filling nothing): the 9 pages saved without a header are its limit
    alone = {"number": 0.93, "type": 0.97, "issuer": 0.93, "signer": 0.97, "date": 0.93}
    assert all(res["header_alone"][f] >= alone[f] for f in alone), res["header_alone"]
    assert all(res["seed"]["120-KH-UBND-2018-lang-son.gold.json"].values())


def test_effect_relations_reach_the_issue_target(results: dict[str, dict]) -> None:
    """Issue 9: `amends`, `replaces` and `repeals` each ≥ 0.95 on the central set (the edges a lawyer acts on)."""
    by_kind = results["central"]["relation_by_kind"]
    low = {k: by_kind[k]["accuracy"] for k in ("amends", "replaces", "repeals") if by_kind[k]["accuracy"] < 0.95}
    assert not low, low


@pytest.mark.parametrize("combined", sorted(score_devset.COMBINED))
def test_a_combined_set_is_its_parts_and_no_held_out_document_is_a_tuned_one(combined: str) -> None:
    """`--set local-all` / `central-all` score the tuned-on documents and the held-out ones together, each with its
    own gold; a held-out document is never one the rules were tuned on."""
    tuned, held = (score_devset.load_gold(n) for n in score_devset.COMBINED[combined])
    parts = [d["path"] for d in tuned + held]
    assert [d["path"] for d in score_devset.load_gold(combined)] == parts
    assert len(held) >= 6 and len(parts) == len(set(parts))


def test_local_relations_reach_the_issue_target(results: dict[str, dict]) -> None:
    """Issue 15: on the local set relation ≥ 0.95 and `implements` (the "Thực hiện A; B; C" lists) ≥ 0.97."""
    res = results["local"]
    assert res["fields"]["relation"]["accuracy"] >= 0.95, res["fields"]["relation"]
    assert res["relation_by_kind"]["implements"]["accuracy"] >= 0.97, res["relation_by_kind"]["implements"]


ner_cli = _load("ner_through_cli", ROOT / "bench" / "ner_through_cli.py")


def test_ner_sentences_through_the_cli_keep_their_references() -> None:
    """Issue 9, point 11: `kg extract --jsonl` on the annotated sentences reaches find_references' recall (≥ 0.99)."""
    res = ner_cli.measure(shared_path())
    assert res["cli"] >= 0.99 and res["cli"] >= res["find_references"] - 0.001, (res["cli"], res["lost"][:10])
