"""Extraction → RDF: deterministic IRIs, one node per instrument, the reified citation, the ontology and shapes."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store, parse

from kgraph.graph.ontology import ELI, KG, ONTOLOGY_FILE, legal_resource_classes, ontology_triples
from kgraph.graph.rdf import RELATION_PREDICATE, _under, extraction_graph, file_triples
from kgraph.graph.scheme import ontology_with_scheme
from kgraph.graph.validate import validate
from kgraph.knowledge import load
from kgraph.link.corpus import Resolver, facts_of
from kgraph.link.keys import InstrumentKey
from kgraph.link.resolved import ResolvedBody, ResolvedDocument, ResolvedPerson, ResolvedReference, resolve
from kgraph.model import RELATIONS, Document, Extraction, Pinpoint, Reference, Signer

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
BASE = "https://kgraph.example/id/"


def ref(text: str, start: int, **kw) -> Reference:
    kw.setdefault("kind", "numbered" if kw.get("number") else "named")
    return Reference(start=start, end=start + len(text), text=text, **kw)


def corpus() -> list[tuple[Extraction, str, str]]:
    """Three documents: a decree, a law it is based on (in the corpus), and a plan citing both."""
    decree = Extraction(
        Document(
            number="10/2020/NĐ-CP", type="Nghị định", type_code="NĐ", issuer="Chính phủ", date="2020-01-05",
            title="Quy định chi tiết Luật Ngân sách nhà nước", signer=Signer(name="NGUYỄN XUÂN PHÚC", title="Thủ tướng", mode="TM."),
        ),
        [
            ref("Luật Ngân sách nhà nước năm 2015", 10, name="Luật Ngân sách nhà nước", year=2015, relation="based_on",
                sentence="Căn cứ Luật Ngân sách nhà nước năm 2015;"),
            ref("Nghị định số 163/2016/NĐ-CP", 100, number="163/2016/NĐ-CP", type="Nghị định", type_code="NĐ", relation="cites",
                issuer="Chính phủ", date="2016-12-21",
                pinpoint=[Pinpoint(article="4", clause="6", point="c"), Pinpoint(article="4", clause="6", point="đ")],
                sentence="theo điểm c, điểm đ khoản 6 Điều 4 Nghị định số 163/2016/NĐ-CP"),
            ref("Nghị định số 44/2013/NĐ-CP", 200, number="44/2013/NĐ-CP", type="Nghị định", relation="replaces"),
            ref("Nghị định này", 300, kind="self"),
        ],
    )
    law = Extraction(
        Document(number="83/2015/QH13", type="Luật", title="NGÂN SÁCH NHÀ NƯỚC", issuer="Quốc hội", date="2015-06-25"),
        [ref("Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2013", 5, name="Hiến pháp", year=2013, relation="based_on")],
    )
    plan = Extraction(
        Document(number="120/KH-UBND", type="Kế hoạch", type_code="KH", issuer="UBND tỉnh Lạng Sơn", date="2018-08-10",
                 recipients=["Bộ Tài chính"]),
        [
            ref("Nghị định 163/2016/ND-CP", 50, number="163/2016/ND-CP", relation="implements", pinpoint=[Pinpoint(article="13", clause="1")]),
            ref("Luật Ngân sách nhà nước số 83/2015/QH13", 90, name="Luật Ngân sách nhà nước", number="83/2015/QH13"),
            ref("Chỉ thị số 13/CT-TTg", 150, number="13/CT-TTg", type="Chỉ thị", date="2018-05-24", relation="implements"),
            ref("Kết luận 64-KL/TW", 190, number="64-KL/TW", type="Kết luận"),
        ],
    )
    return [(decree, "d" * 64, "corpus/decree.txt"), (law, "e" * 64, "corpus/law.txt"), (plan, "f" * 64, "corpus/plan.txt")]


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return extraction_graph(corpus(), BASE)


@pytest.fixture(scope="module")
def store(lines: list[str]) -> Store:
    s = Store()
    s.load("".join(lines), format=RdfFormat.N_TRIPLES)
    return s


def objects(store: Store, s: str, p: str) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(NamedNode(s), NamedNode(p), None)}


def ask(store: Store, q: str) -> list:
    return list(store.query(f"PREFIX kg: <{KG}> PREFIX eli: <{ELI}> PREFIX rdfs: <{RDFS}> " + q))


DECREE = BASE + "doc/10_2020_NĐ-CP"
LAW = BASE + "doc/83_2015_QH13"
PLAN = BASE + "doc/120_KH-UBND/2018/ủy-ban-nhân-dân-tỉnh-lạng-sơn"  # a local number: its issuer is part of it
ND163 = BASE + "doc/163_2016_NĐ-CP"


def test_graph_is_valid_ntriples_without_blank_nodes(lines: list[str]) -> None:
    triples = list(parse("".join(lines), format=RdfFormat.N_TRIPLES))
    assert len(triples) == len(lines) > 50
    assert not any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples)


def test_same_input_same_triples_in_any_order(lines: list[str]) -> None:
    items = corpus()
    random.Random(7).shuffle(items)
    assert extraction_graph(items, BASE) == lines
    assert lines == sorted(lines)


def test_one_node_per_instrument(store: Store) -> None:
    cited = {r[0].value for r in ask(store, "SELECT DISTINCT ?t WHERE { ?c kg:citedDocument ?t }")}
    # 163/2016 cited by two documents under two spellings is one node.
    assert ND163 in cited
    citers = {r[0].value for r in ask(store, f"SELECT DISTINCT ?d WHERE {{ ?c kg:citedDocument <{ND163}> ; kg:citingDocument ?d }}")}
    assert citers == {DECREE, PLAN}


def test_named_law_meets_its_number_and_its_corpus_document(store: Store) -> None:
    # The decree cites "Luật Ngân sách nhà nước năm 2015"; the plan gives name and number; the law is in the corpus.
    assert LAW in objects(store, DECREE, ELI + "based_on")
    assert LAW in objects(store, PLAN, ELI + "cites")
    assert KG + "CorpusDocument" in objects(store, LAW, RDF_TYPE)
    assert objects(store, LAW, KG + "source") == {"corpus/law.txt"}
    assert objects(store, LAW, RDFS + "label") == {"Luật Ngân sách nhà nước (83/2015/QH13)"}
    assert {KG + "Law", ELI + "LegalResource", ELI + "Work"} <= objects(store, LAW, RDF_TYPE)


def test_citation_node_keeps_its_detail(store: Store) -> None:
    c = BASE + "citation/" + hashlib.sha256(b"corpus/decree.txt").hexdigest()[:16] + "/100-127"
    assert objects(store, c, KG + "citingDocument") == {DECREE}
    assert objects(store, c, KG + "citedDocument") == {ND163}
    assert objects(store, c, KG + "relation") == {ELI + "cites"}
    assert objects(store, c, KG + "relationName") == {"cites"}
    assert objects(store, c, KG + "startOffset") == {"100"} and objects(store, c, KG + "endOffset") == {"127"}
    assert objects(store, c, KG + "source") == {"corpus/decree.txt"}
    assert objects(store, c, KG + "sentence") == {"theo điểm c, điểm đ khoản 6 Điều 4 Nghị định số 163/2016/NĐ-CP"}
    assert objects(store, c, KG + "citedDate") == {"2016-12-21"}
    assert objects(store, c, KG + "pinpoint") == {ND163 + "/art_4__cl_6__pt_c", ND163 + "/art_4__cl_6__pt_đ"}


def test_provisions_are_subdivisions_of_their_instrument(store: Store) -> None:
    pt = ND163 + "/art_4__cl_6__pt_c"
    assert objects(store, pt, ELI + "is_part_of") == {ND163 + "/art_4__cl_6"}
    assert objects(store, ND163 + "/art_4__cl_6", ELI + "is_part_of") == {ND163 + "/art_4"}
    assert objects(store, ND163 + "/art_4", ELI + "is_part_of") == {ND163}
    assert objects(store, pt, RDFS + "label") == {"điểm c khoản 6 Điều 4"}
    assert KG + "Point" in objects(store, pt, RDF_TYPE)
    assert objects(store, pt, KG + "article") == {"4"}


@pytest.mark.parametrize("relation", RELATIONS)
def test_each_relation_gives_its_direct_triple(relation: str) -> None:
    e = Extraction(Document(number="1/2021/NĐ-CP"), [ref("Nghị định số 2/2020/NĐ-CP", 0, number="2/2020/NĐ-CP", relation=relation)])
    got = extraction_graph([(e, "a" * 64, "x.txt")], BASE)
    direct = f"<{BASE}doc/1_2021_NĐ-CP> <{RELATION_PREDICATE[relation]}> <{BASE}doc/2_2020_NĐ-CP> .\n"
    assert direct in got
    others = [p for r, p in RELATION_PREDICATE.items() if r != relation]
    assert not any(f"<{p}> <{BASE}doc/2_2020_NĐ-CP>" in ln for ln in got for p in others)


def test_self_references_make_no_citation(store: Store) -> None:
    assert DECREE not in objects(store, DECREE, ELI + "cites")
    n = ask(store, f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c kg:citingDocument <{DECREE}> }}")[0][0].value
    assert n == "3"


def test_year_unknown_node_has_no_year_and_a_flag(store: Store) -> None:
    node = BASE + "doc/64-KL_TW/year-unknown"
    assert objects(store, node, KG + "yearUnknown") == {"true"}
    assert objects(store, node, KG + "year") == set()
    assert objects(store, BASE + "doc/13_CT-TTg/2018", KG + "year") == {"2018"}


def test_header_metadata_bodies_and_signers(store: Store) -> None:
    org = BASE + "org/ủy-ban-nhân-dân-tỉnh-lạng-sơn"
    assert objects(store, PLAN, ELI + "passed_by") == {org}
    assert objects(store, org, KG + "province") == {"Lạng Sơn"}
    person = next(iter(objects(store, DECREE, KG + "signedBy")))
    assert objects(store, person, RDFS + "label") == {"Nguyễn Xuân Phúc"}
    assert objects(store, DECREE, KG + "signingMode") == {"TM."}
    # issuer from the number code, for an instrument known only by citation
    assert objects(store, ND163, ELI + "passed_by") == {BASE + "org/chính-phủ"}
    assert objects(store, PLAN, KG + "recipient") == {"Bộ Tài chính"}


def test_resolve_settles_every_identity_before_writing() -> None:
    items = corpus()
    resolver = Resolver(facts_of(e, h) for e, h, _ in items)
    decree, h, src = items[0]
    rd = resolve(decree, resolver, content_hash=h, source=src, base=BASE)
    assert rd.iri == DECREE and rd.key.number == "10/2020/NĐ-CP"
    assert rd.issuer is not None and rd.issuer.iri == BASE + "org/chính-phủ"
    assert rd.signer is not None and rd.signer.name == "Nguyễn Xuân Phúc" and rd.signer.mode == "TM."
    # the named law is bound to its number (a citation in the plan gives both), then to the corpus law
    assert [c.iri for c in rd.citations] == [LAW, ND163, BASE + "doc/44_2013_NĐ-CP"]
    nd163 = rd.citations[1]
    assert [[p.eid for p in chain] for chain in nd163.provisions] == [
        ["art_4", "art_4__cl_6", "art_4__cl_6__pt_c"], ["art_4", "art_4__cl_6", "art_4__cl_6__pt_đ"]]
    assert nd163.provisions[0][-1].label == "điểm c khoản 6 Điều 4"
    assert rd.counts == {"references": 4, "citations": 3, "self": 1, "unresolved": 0, "year_unknown": 0}


def test_the_writer_takes_every_identity_from_the_resolved_model() -> None:
    """IRIs no resolution would give come out as given: the writer resolves nothing itself."""
    doc = Document(number="1/2020/NĐ-CP", issuer="Chính phủ", signer=Signer(name="X"), title="T")
    r = ref("Luật Đất đai 2013", 0, name="Luật Đất đai", year=2013, relation="amends", issuer="Quốc hội")
    body = ResolvedBody(iri="http://example.org/org/made-up", name="Made-up body")
    rd = ResolvedDocument(
        document=doc, source="s.txt", content_hash="h", base="http://example.org/", key=InstrumentKey(file_hash="h"),
        iri="http://example.org/doc/me", issuer=body, signer=ResolvedPerson(iri="http://example.org/p/1", name="Someone"),
        citations=[ResolvedReference(reference=r, key=InstrumentKey(number="9/2099/XX"), iri="http://example.org/doc/it",
                                     issuer=body)],
        counts={"references": 1, "citations": 1},
    )
    out, counts = file_triples(rd)
    assert f"<http://example.org/doc/me> <{ELI}amends> <http://example.org/doc/it> .\n" in out
    assert f"<http://example.org/doc/me> <{ELI}passed_by> <http://example.org/org/made-up> .\n" in out
    assert f'<http://example.org/p/1> <{RDFS}label> "Someone" .\n' in out
    assert not any("chính-phủ" in ln or "quốc-hội" in ln or "1_2020" in ln or BASE in ln for ln in out)
    assert counts == rd.counts


def test_base_iri_is_the_users(lines: list[str]) -> None:
    other = extraction_graph(corpus(), "http://example.org/vn/")
    assert len(other) == len(lines)
    assert not any(BASE in ln for ln in other)


def test_citation_terms_written_unchecked_are_the_checked_terms() -> None:
    """The citations' and their summaries' IRIs are written from a prefix checked once (`rdf._under`): each
    is the term pyoxigraph makes of it, and a prefix that makes invalid IRIs fails as a check of each did."""
    items = corpus()
    resolver = Resolver(facts_of(e, h) for e, h, _ in items)
    decree, h, src = items[0]
    out, _ = file_triples(resolve(decree, resolver, content_hash=h, source=src, base=BASE))
    terms = {t for ln in out for t in ln.split(" ")[:3] if t.startswith(f"<{BASE}citation/")}
    assert len(terms) > 5 and any("/to/" in t for t in terms)
    assert all(str(NamedNode(t[1:-1])) == t for t in terms)
    with pytest.raises(ValueError):
        _under("https://kgraph.example/id with a space/citation/")


# ----------------------------------------------------------------------------- shapes


def test_built_graph_conforms_to_the_shapes(lines: list[str], tmp_path: Path) -> None:
    nt = tmp_path / "g.nt"
    nt.write_text("".join(lines), "utf-8")
    ok, messages, counts = validate(nt)
    assert ok, messages
    assert counts["sparql_checks"] >= 2


def test_shapes_catch_a_missing_direct_triple_and_a_second_label(lines: list[str], tmp_path: Path) -> None:
    broken = [ln for ln in lines if not ln.startswith(f"<{DECREE}> <{ELI}cites> <{ND163}>")]
    broken.append(f'<{ND163}> <{RDFS}label> "another label" .\n')
    nt = tmp_path / "bad.nt"
    nt.write_text("".join(broken), "utf-8")
    ok, messages, counts = validate(nt)
    assert not ok
    assert counts["sparql_violations"] >= 1 and counts["core_violations"] >= 1
    assert any("direct relation triple" in m for m in messages)


# ----------------------------------------------------------------------------- ontology


@pytest.fixture(scope="module")
def ontology() -> Store:
    s = Store()
    s.load(path=str(ONTOLOGY_FILE), format=RdfFormat.TURTLE)
    return s


def test_every_term_used_is_declared_with_a_label(ontology: Store, lines: list[str]) -> None:
    used = set()
    for t in parse("".join(lines), format=RdfFormat.N_TRIPLES):
        used.add(t.predicate.value)
        if t.predicate.value == RDF_TYPE:
            used.add(t.object.value)
    used.discard(RDF_TYPE)
    used.discard(RDFS + "label")
    missing = sorted(u for u in used if not objects(ontology, u, RDFS + "label"))
    assert not missing


def test_every_class_and_property_has_a_label(ontology: Store) -> None:
    q = f"""SELECT ?x WHERE {{ VALUES ?k {{ <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2002/07/owl#ObjectProperty>
        <http://www.w3.org/2002/07/owl#DatatypeProperty> }} ?x a ?k . FILTER NOT EXISTS {{ ?x <{RDFS}label> ?l }} }}"""
    assert [r[0].value for r in ontology.query(q)] == []


def test_citation_relations_are_grouped_for_property_graphs(ontology: Store) -> None:
    q = f"SELECT ?p ?n WHERE {{ ?p a <{KG}CitationRelation> ; <{KG}relationName> ?n }}"
    got = {r[1].value: r[0].value for r in ontology.query(q)}
    assert got == RELATION_PREDICATE


def test_every_document_type_has_its_class_and_concept(ontology: Store) -> None:
    for t in load().types:
        cls = ELI + "Work" if t.rdf_class == "Work" else KG + t.rdf_class
        assert "http://www.w3.org/2002/07/owl#Class" in objects(ontology, cls, RDF_TYPE), t.rdf_class
    concepts = {r[0].value for r in ontology.query(f"SELECT ?c WHERE {{ ?c a <{KG}DocumentType> }}")}
    assert len(concepts) == len(load().types)


def test_generated_document_types_are_current() -> None:
    text = ONTOLOGY_FILE.read_text("utf-8")
    assert ontology_with_scheme(text) == text, "run: python -m kgraph.generate"


def test_the_class_closure_is_the_ontologys_and_parsed_once(ontology: Store) -> None:
    q = f"SELECT ?c WHERE {{ ?c <{RDFS}subClassOf>+ <{ELI}LegalResource> . FILTER(STRSTARTS(STR(?c), STR(<{KG}>))) }}"
    expected = {r[0].value[len(KG):] for r in ontology.query(q)}
    assert {"Law", "Decree", "Circular"} <= expected and "Plan" not in expected
    assert legal_resource_classes() == expected
    assert ontology_triples() is ontology_triples()
