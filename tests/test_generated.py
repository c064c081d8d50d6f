"""The files generated from the knowledge tables are current, and a relation is one entry in relations.yaml.

The second claim is tested as a user would meet it: a copy of relations.yaml with one more verb, the
whole program pointed at it ($KGRAPH_RELATIONS) in a fresh process, and the new verb must reach the
extractor, RELATIONS, the graph's predicates, the ontology (and so the Neo4j mapping), the shapes, the
SPARQL queries, the Cypher parameters, the Browser style and guide, with no other file edited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kgraph import generate
from kgraph.knowledge import RELATIONS_ENV, read_relations

ROOT = Path(__file__).resolve().parents[1]

NEW_VERB = {
    "relation": "revokes",
    "label": "thu hồi",
    "predicate": "kg:revokes",
    "neo4j": "REVOKES",
    "en": "revokes",
    "comment": "The citing document revokes the cited one.",
    "roles": ["ends"],
    "style": {"colour": "#B9770E", "width": 3},
    "triggers": ["thu hồi hiệu lực", "thu hồi văn bản"],
    "examples": [{"text": "Thu hồi hiệu lực [[Thông tư số 10/2020/TT-BLĐTBXH]] đến hết năm 2025"}],
}

#: Run in a fresh process with $KGRAPH_RELATIONS set: everything the program derives, as JSON.
PROBE = r'''
import hashlib, json, sys
from pathlib import Path
from pyoxigraph import RdfFormat, Store
from kgraph.extract.citations import find_references
from kgraph.generate import ROOT, generated_files
from kgraph.graph.rdf import RELATION_PREDICATE, extraction_graph
from kgraph.graph.validate import validate
from kgraph.knowledge import cypher_parameters, load
from kgraph.model import RELATIONS, Document, Extraction, Reference
from kgraph.neo4j.mapping import load_mapping

tmp = Path(sys.argv[1])
new = load().relations[-1]
files = generated_files()
changed = sorted(str(p.relative_to(ROOT)) for p, t in files.items() if p.read_text("utf-8") != t)
for p, t in files.items():
    (tmp / p.name).write_text(t, "utf-8")

marked = new.examples[0]["text"]
refs = {r.start: r.relation for r in find_references(marked.replace("[[", "").replace("]]", ""))}

def doc(number, cited, relation, date):
    ref = Reference(start=0, end=len(cited), text=cited, kind="numbered", number=cited, relation=relation)
    return (Extraction(Document(number=number, date=date), [ref]), hashlib.sha256(number.encode()).hexdigest(),
            number + ".txt")

# stale-citations compares dates: the revoking decree is issued before the one that still cites
lines = extraction_graph([doc("1/2021/NĐ-CP", "2/2020/NĐ-CP", new.relation, "2021-01-10"),
                          doc("3/2021/NĐ-CP", "2/2020/NĐ-CP", "cites", "2021-06-01")])
(tmp / "g.nt").write_text("".join(lines), "utf-8")
ok, messages, _ = validate(tmp / "g.nt", shapes=tmp / "shapes.ttl")
ok_before = validate(tmp / "g.nt", shapes=ROOT / "ontology" / "shapes.ttl")[0]
store = Store()
store.load(path=str(tmp / "g.nt"), format=RdfFormat.N_TRIPLES)
stale = [{"uri": r["uri"].value, "how": r["how"].value} for r in store.query((tmp / "stale-citations.rq").read_text("utf-8"))]
print(json.dumps({
    "relation": new.relation,
    "RELATIONS": list(RELATIONS),
    "predicate": RELATION_PREDICATE.get(new.relation),
    "extracted": refs.get(marked.index("[[")),
    "cypher": cypher_parameters(),
    "neo4j": load_mapping(tmp / "kgraph.ttl").citation_types,
    "changed": changed,
    "direct_triple": any(f"<{RELATION_PREDICATE[new.relation]}>" in ln for ln in lines),
    "conforms": ok, "messages": messages, "conforms_to_the_old_shapes": ok_before,
    "stale": stale,
}, ensure_ascii=False))
'''


def test_generated_files_are_current() -> None:
    stale = generate.stale_files()
    assert not stale, f"stale: {', '.join(str(p.relative_to(ROOT)) for p in stale)}; run python -m kgraph.generate"


def test_generate_check_exits_nonzero_on_a_stale_file(tmp_path: Path) -> None:
    import shutil

    for d in ("ontology", "queries", "browser"):
        shutil.copytree(ROOT / d, tmp_path / d)
    assert generate.stale_files(root=tmp_path) == {}
    grass = tmp_path / "browser" / "kgraph.grass"
    grass.write_text(grass.read_text("utf-8").replace("relationship.BASED_ON", "relationship.BASED"), "utf-8")
    assert set(generate.stale_files(root=tmp_path)) == {grass}


@pytest.fixture(scope="module")
def with_new_verb(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("newverb")
    table = yaml.safe_load((ROOT / "kgraph" / "knowledge" / "relations.yaml").read_text("utf-8"))
    table["relations"].append(NEW_VERB)
    path = tmp / "relations.yaml"
    path.write_text(yaml.safe_dump(table, allow_unicode=True, sort_keys=False), "utf-8")
    env = {**os.environ, RELATIONS_ENV: str(path)}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(tmp)], env=env, capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_a_new_verb_reaches_the_extractor_model_and_graph(with_new_verb: dict) -> None:
    got = with_new_verb
    assert got["relation"] == "revokes" and got["RELATIONS"][-1] == "revokes"
    assert got["extracted"] == "revokes"
    assert got["predicate"] == "https://w3id.org/kgraph/ontology#revokes" and got["direct_triple"]


def test_a_new_verb_reaches_ontology_shapes_and_queries(with_new_verb: dict) -> None:
    got = with_new_verb
    # what the table gives the Neo4j loader through the regenerated ontology
    assert got["neo4j"]["REVOKES"] == "revokes"
    # the regenerated shapes accept the new relation on a citation
    assert got["conforms"], got["messages"]
    assert not got["conforms_to_the_old_shapes"]
    # the stale reliances the graph derives (kgraph.graph.stale reads the table) count a suspension as ending the
    # cited instrument's force, and stale-citations.rq reads them
    assert {"uri": "https://kgraph.example/id/doc/3_2021_NĐ-CP", "how": "revokes"} in got["stale"]
    # the files that name relations by role change, and only those
    assert got["changed"] == ["browser/kgraph-guide.html", "browser/kgraph.grass", "ontology/kgraph.ttl",
                              "ontology/shapes.ttl", "queries/most-cited.rq"]


def test_a_new_verb_reaches_the_cypher_parameters(with_new_verb: dict) -> None:
    c = with_new_verb["cypher"]
    assert "REVOKES" in c["relTypes"] and c["endsTypes"] == ["REPLACES", "REPEALS", "REVOKES"]
    assert "REVOKES" not in c["basisTypes"] + c["reliesTypes"] and c["relationNames"]["REVOKES"] == "revokes"


def test_a_new_verb_in_every_generated_file(tmp_path: Path) -> None:
    """In memory, without a fresh process: each generated text names the new verb (and the real table's don't)."""
    table = yaml.safe_load((ROOT / "kgraph" / "knowledge" / "relations.yaml").read_text("utf-8"))
    table["relations"].append(NEW_VERB)
    path = tmp_path / "relations.yaml"
    path.write_text(yaml.safe_dump(table, allow_unicode=True, sort_keys=False), "utf-8")
    rels, _ = read_relations(path)
    texts = {p.relative_to(ROOT).as_posix(): t for p, t in generate.generated_files(rels).items()}
    assert 'kg:revokes a owl:ObjectProperty, kg:CitationRelation' in texts["ontology/kgraph.ttl"]
    assert 'kg:propertyGraphType "REVOKES"' in texts["ontology/kgraph.ttl"]
    assert texts["ontology/shapes.ttl"].count("kg:revokes") == 2 and '"revokes" )' in texts["ontology/shapes.ttl"]
    assert " kg:revokes }" in texts["queries/most-cited.rq"]  # stale-citations reads the derived reliances
    assert "relationship.REVOKES {\n  color: #B9770E;\n  shaft-width: 3px;" in texts["browser/kgraph.grass"]
    assert "&#x27;REVOKES&#x27;" in texts["browser/kgraph-guide.html"]
    for name, text in texts.items():
        assert "revokes" not in (ROOT / name).read_text("utf-8").lower(), name


@pytest.mark.parametrize("bad,message", [
    ({"predicate": "schema:suspends"}, "must be eli:... or kg:..."),
    ({"neo4j": "revokes"}, "UPPER_SNAKE"),
    ({"roles": ["stops"]}, "unknown roles"),
    ({"relation": "cites"}, "relation listed twice"),
    ({"style": {"colour": "orange"}}, "style is"),
])
def test_a_bad_entry_is_refused_by_name(tmp_path: Path, bad: dict, message: str) -> None:
    table = yaml.safe_load((ROOT / "kgraph" / "knowledge" / "relations.yaml").read_text("utf-8"))
    table["relations"].append({**NEW_VERB, **bad})
    path = tmp_path / "relations.yaml"
    path.write_text(yaml.safe_dump(table, allow_unicode=True, sort_keys=False), "utf-8")
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        read_relations(path)


def test_a_template_naming_an_unknown_role_fails() -> None:
    with pytest.raises(ValueError, match="unknown placeholder"):
        generate.fill("VALUES ?x { {stops.names} }", read_relations(ROOT / "kgraph" / "knowledge" / "relations.yaml")[0])
