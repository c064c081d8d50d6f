"""`kg build`: discovery, parallel extraction, incrementality, bad files, atomic store swap, determinism.

Most tests use a stand-in extractor that reads each file as the JSON of an Extraction, so they say
exactly what each document cites; the shared-corpus tests run the real extractor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, parse

from kgraph.build import DEFAULT_BASE, GRAPH_NT, SUMMARY, build, discover, extraction_from_dict
from kgraph.cli_graph import build_cmd, validate_cmd
from kgraph.graph.ontology import ELI, KG
from kgraph.graph.rdf import citation_prefix
from kgraph.graph.validate import validate
from kgraph.model import Extraction
from kgraph.sinks.oxigraph_store import StoreLoader, StoreLoaderProcess, current_store, load_store, open_store

from conftest import shared_path

BASE = "https://kgraph.example/id/"


def json_extract(text: str, source: str | None = None) -> Extraction:
    """Stand-in extractor: the file holds the extraction as JSON."""
    return extraction_from_dict(json.loads(text))


def boom_extract(text: str, source: str | None = None) -> Extraction:
    if "BOOM" in text:
        raise ValueError("the extractor tripped")
    return json_extract(text, source)


def doc(number: str, *cited: tuple[str, str], title: str = "T", date: str = "2020-01-01") -> str:
    refs = [
        {"start": 10 * i, "end": 10 * i + 5, "text": n, "kind": "numbered", "number": n, "relation": rel}
        for i, (n, rel) in enumerate(cited)
    ]
    return json.dumps({"document": {"number": number, "title": title, "date": date}, "references": refs}, ensure_ascii=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text(doc("1/2020/NĐ-CP", ("163/2016/NĐ-CP", "based_on")), "utf-8")
    (d / "b.txt").write_text(doc("2/2020/NĐ-CP", ("163/2016/NĐ-CP", "cites"), ("1/2020/NĐ-CP", "amends")), "utf-8")
    (d / "sub" / "c.txt").write_text(doc("3/2020/TT-BTC", ("2/2020/NĐ-CP", "guides")), "utf-8")
    (d / "notes.json").write_text("{}", "utf-8")  # not a document suffix: not taken from a folder
    return d


def run(inputs, out: Path, **kw):
    kw.setdefault("extractor", json_extract)
    return build([str(i) for i in inputs], out, **kw)


def triples(out: Path) -> list[str]:
    return (out / GRAPH_NT).read_text("utf-8").splitlines()


def cited_by(out: Path, iri: str) -> set[str]:
    st = open_store(out)
    q = f"SELECT ?s WHERE {{ ?c <{KG}citedDocument> <{iri}> ; <{KG}source> ?s }}"
    return {r[0].value for r in st.query(q)}


def test_discover_folders_files_and_globs(corpus: Path) -> None:
    found, problems = discover([str(corpus), str(corpus / "a.txt"), str(corpus / "*.txt"), str(corpus / "missing.txt")])
    assert found == sorted({str(corpus / "a.txt"), str(corpus / "b.txt"), str(corpus / "sub" / "c.txt")})
    assert [(p.source, p.problem) for p in problems] == [(str(corpus / "missing.txt"), "no such file or folder")]
    _, problems = discover([str(corpus / "*.pdf")])
    assert problems[0].problem == "pattern matched no files"


def test_build_writes_graph_store_and_summary(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run([corpus], out)
    s = res.summary
    assert s["documents"] == 3 and s["references"] == 4 and s["citations"] == 4
    assert s["distinct_instruments"] == 4  # three documents and 163/2016
    assert s["errors"] == [] and s["unresolved_references"] == 0
    assert json.loads((out / SUMMARY).read_text("utf-8"))["triples"] == s["triples"] == len(triples(out))
    # sorted and duplicate-free, the reified citations last (after the resources they connect)
    lines = triples(out)
    cites = [ln for ln in lines if ln.startswith(f"<{citation_prefix(DEFAULT_BASE)}")]
    assert len(cites) > 10 and lines == sorted(set(lines) - set(cites)) + sorted(set(cites))
    assert cited_by(out, BASE + "doc/163_2016_NĐ-CP") == {str(corpus / "a.txt"), str(corpus / "b.txt")}


def test_rebuild_without_changes_is_a_no_op(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([corpus], out)
    before = (out / GRAPH_NT).read_bytes()
    store_before = current_store(out)
    s = run([corpus], out).summary
    assert s["files"]["extracted"] == 0 and s["files"]["skipped_unchanged"] == 3
    assert (out / GRAPH_NT).read_bytes() == before
    assert not s["store_reloaded"] and current_store(out) == store_before


def test_a_changed_file_replaces_its_triples(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([corpus], out)
    (corpus / "a.txt").write_text(doc("1/2020/NĐ-CP", ("99/2019/NĐ-CP", "cites"), title="New title"), "utf-8")
    s = run([corpus], out).summary
    assert s["files"]["extracted"] == 1 and s["files"]["skipped_unchanged"] == 2
    g = "\n".join(triples(out))
    assert '"New title"' in g and '"T"' in g  # b and c keep theirs
    assert f"<{BASE}doc/1_2020_NĐ-CP> <{ELI}based_on>" not in g
    assert cited_by(out, BASE + "doc/163_2016_NĐ-CP") == {str(corpus / "b.txt")}
    assert cited_by(out, BASE + "doc/99_2019_NĐ-CP") == {str(corpus / "a.txt")}


def _named(number: str, name: str, year: int, cited_number: str | None = None) -> str:
    ref = {"start": 0, "end": 5, "text": name, "kind": "numbered" if cited_number else "named", "name": name,
           "year": year, "type": "Luật", "number": cited_number, "relation": "based_on"}
    return json.dumps({"document": {"number": number, "title": "T", "date": "2020-01-01"}, "references": [ref]},
                      ensure_ascii=False)


def test_a_name_the_corpus_merges_redoes_only_the_parts_that_mention_it(corpus: Path, tmp_path: Path) -> None:
    """A part depends on the corpus only through the names it mentions that the corpus merges with a number:
    a new merge redoes those files' parts and no other, and dropping it gives the first graph back. (A law
    the catalogue does not know: the merge comes from the corpus alone.)"""
    (corpus / "a.txt").write_text(_named("1/2020/NĐ-CP", "Luật Khảo cổ học dưới nước", 2015), "utf-8")
    out = tmp_path / "out"
    first = run([corpus], out).summary
    assert first["files"]["parts_rewritten"] == 0  # every part was written beside its extraction
    graph_before = (out / GRAPH_NT).read_bytes()
    assert cited_by(out, BASE + "law/luật-khảo-cổ-học-dưới-nước/2015") == {str(corpus / "a.txt")}
    part = {p.name: p.stat().st_ino for p in (out / "parts").glob("*.nt")}

    (corpus / "d.txt").write_text(_named("4/2020/NĐ-CP", "Luật Khảo cổ học dưới nước", 2015, "98/2015/QH13"), "utf-8")
    s = run([corpus], out).summary
    assert s["files"]["extracted"] == 1 and s["files"]["parts_rewritten"] == 1  # a's, not b's or c's
    assert cited_by(out, BASE + "doc/98_2015_QH13") == {str(corpus / "a.txt"), str(corpus / "d.txt")}
    after = {p.name: p.stat().st_ino for p in (out / "parts").glob("*.nt")}
    redone = {n for n in part if n in after and after[n] != part[n] and n not in ("_instruments.nt", "_stale.nt")}
    assert len(redone) == 1

    (corpus / "d.txt").unlink()
    s = run([corpus], out).summary
    assert s["files"]["parts_rewritten"] == 1 and s["files"]["removed"] == 1
    assert (out / GRAPH_NT).read_bytes() == graph_before
    assert cited_by(out, BASE + "law/luật-khảo-cổ-học-dưới-nước/2015") == {str(corpus / "a.txt")}


def test_a_removed_file_takes_its_triples_with_it(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([corpus], out)
    (corpus / "sub" / "c.txt").unlink()
    s = run([corpus], out).summary
    assert s["files"]["removed"] == 1 and s["documents"] == 2
    g = "\n".join(triples(out))
    assert "3_2020_TT-BTC" not in g and "sub/c.txt" not in g
    assert len(list((out / "parts").glob("*.nt"))) == 4  # two files, the instruments, the stale reliances


def test_bad_files_are_reported_and_the_build_goes_on(corpus: Path, tmp_path: Path) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (corpus / "latin1.txt").write_bytes("Quyết định".encode("cp1258", errors="replace") + b"\xff\xfe")
    (corpus / "trips.txt").write_text("BOOM", "utf-8")
    out = tmp_path / "out"
    res = run([corpus], out, extractor=boom_extract)
    problems = {Path(p.source).name: p.problem for p in res.problems}
    assert problems["empty.txt"] == "empty file"
    assert "binary" in problems["binary.txt"]
    assert "UTF-8" in problems["latin1.txt"]
    assert "the extractor tripped" in problems["trips.txt"]
    assert res.summary["documents"] == 3 and len(res.summary["errors"]) == 4
    assert cited_by(out, BASE + "doc/163_2016_NĐ-CP")  # the good files made it


def test_two_copies_of_a_document_are_one_node_with_two_sources(corpus: Path, tmp_path: Path) -> None:
    (corpus / "copy-of-a.txt").write_bytes((corpus / "a.txt").read_bytes())
    out = tmp_path / "out"
    run([corpus], out)
    assert cited_by(out, BASE + "doc/163_2016_NĐ-CP") == {str(corpus / n) for n in ("a.txt", "copy-of-a.txt", "b.txt")}
    st = open_store(out)
    q = f"SELECT ?s WHERE {{ <{BASE}doc/1_2020_NĐ-CP> <{KG}source> ?s }}"
    assert len(list(st.query(q))) == 2
    ok, messages, _ = validate(out / GRAPH_NT)
    assert ok, messages


def test_parallel_build_gives_the_same_graph(corpus: Path, tmp_path: Path) -> None:
    run([corpus], tmp_path / "one", workers=1)
    run([corpus], tmp_path / "two", workers=2)
    assert (tmp_path / "one" / GRAPH_NT).read_bytes() == (tmp_path / "two" / GRAPH_NT).read_bytes()


def test_turtle_holds_the_same_triples(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    s = run([corpus], out, fmt="turtle").summary
    ttl = list(parse(path=str(out / "graph.ttl"), format=RdfFormat.TURTLE))
    assert s["graph"] == "graph.ttl" and len(ttl) == s["triples"]
    assert "@prefix eli:" in (out / "graph.ttl").read_text("utf-8")


def test_a_failed_store_load_leaves_the_old_store(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([corpus], out)
    old = current_store(out)
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> this is not N-Triples .\n", "utf-8")
    with pytest.raises(SyntaxError):
        load_store(out, bad, "f" * 64)
    assert current_store(out) == old
    assert not list(out.glob(".store-*"))
    assert cited_by(out, BASE + "doc/163_2016_NĐ-CP")


@pytest.mark.parametrize("loader_class", [StoreLoader, StoreLoaderProcess])
def test_a_failed_load_beside_the_build_leaves_the_old_store(loader_class: type, corpus: Path, tmp_path: Path) -> None:
    """In a thread or in a process of its own (the build's): the load's error comes back where the thread's
    would, the half-loaded store goes, the old one stays."""
    out = tmp_path / "out"
    s = run([corpus], out).summary
    assert s["peak_rss_mb"]["store_loader"] > 0  # the build loaded its store in the loader's process
    old = current_store(out)
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> this is not N-Triples .\n", "utf-8")
    loader = loader_class(out)
    for part in sorted((out / "parts").glob("*.nt")):
        loader.add(part)
    loader.add(bad)
    with pytest.raises(SyntaxError):
        loader.finish("f" * 64)
    loader.abort()  # nothing left to stop
    assert current_store(out) == old
    assert not list(out.glob(".store-*"))
    assert cited_by(out, BASE + "doc/163_2016_NĐ-CP")


def test_the_store_loaded_from_the_parts_holds_graph_nt(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([corpus], out)  # the store was loaded from the parts while they were written
    st = open_store(out)
    in_store = {q.triple for q in st.quads_for_pattern(None, None, None, DefaultGraph())}
    in_file = {q.triple for q in parse(path=str(out / GRAPH_NT), format=RdfFormat.N_TRIPLES)}
    assert in_store == in_file and len(in_file) > 10


def test_a_file_larger_than_a_slice_is_loaded_in_slices(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    """A part of more lines than a slice (the instruments' part grows with the corpus) reaches the bulk loader
    in slices of at most CHUNK_TRIPLES lines, cut at lines' ends, and the store holds the same triples."""
    from kgraph.sinks import oxigraph_store

    out = tmp_path / "out"
    run([corpus], out, store=False)
    in_file = {q.triple for q in parse(path=str(out / GRAPH_NT), format=RdfFormat.N_TRIPLES)}
    n_lines = len((out / GRAPH_NT).read_bytes().splitlines())
    monkeypatch.setattr(oxigraph_store, "CHUNK_TRIPLES", 7)
    (tmp_path / "loaded").mkdir()
    loader = StoreLoader(tmp_path / "loaded")
    sizes: list[int] = []
    put = loader._slices.put

    def spy(pieces: list[bytes] | None) -> None:
        if pieces is not None:
            assert all(p.endswith(b"\n") for p in pieces)
            sizes.append(sum(p.count(b"\n") for p in pieces))
        put(pieces)

    monkeypatch.setattr(loader._slices, "put", spy)
    small = tmp_path / "small.nt"
    small.write_bytes(b"".join((out / GRAPH_NT).read_bytes().splitlines(keepends=True)[:3]))
    loader.add(small)  # 3 lines pending, then a file of many more: sent before it, then its slices
    loader.add(out / GRAPH_NT)
    st = Store.read_only(str(loader.finish("e" * 64)))
    assert n_lines > 3 * 7 and max(sizes) <= 7 and sum(sizes) == n_lines + 3
    assert {q.triple for q in st.quads_for_pattern(None, None, None, DefaultGraph())} == in_file


def test_a_slice_reaches_the_bulk_loader_as_its_files_in_turn_whatever_its_reads() -> None:
    """The loader reads a slice's files through `Pieces` (never joined into one copy): every read size gives
    back exactly their bytes in order, across the files' ends, and each file is let go once read."""
    from kgraph.sinks.oxigraph_store import Pieces

    files = [b"<a> <b> <c> .\n", b"", b"<d> <e> \"f\" .\n<g> <h> <i> .\n", b"x"]
    for size in (1, 2, 5, 13, 64, 1 << 16):
        pieces = list(files)
        reader = Pieces(pieces)
        got = b""
        while chunk := reader.read(size):
            assert len(chunk) <= size
            got += chunk
        assert got == b"".join(files)
        assert pieces == [b""] * len(files)


def test_a_part_loaded_then_rewritten_leaves_nothing_of_its_first_version_in_the_store(corpus: Path,
                                                                                     tmp_path: Path) -> None:
    """The store loads each part as the extraction writes it; the corpus pass then merges a name a.txt cites
    with the number d.txt gives it, so a's part is written again: the store holds the graph, not the name."""
    (corpus / "a.txt").write_text(_named("1/2020/NĐ-CP", "Luật Khảo cổ học dưới nước", 2015), "utf-8")
    (corpus / "d.txt").write_text(_named("4/2020/NĐ-CP", "Luật Khảo cổ học dưới nước", 2015, "98/2015/QH13"), "utf-8")
    out = tmp_path / "out"
    s = run([corpus], out, workers=2).summary
    assert s["files"]["parts_rewritten"] == 1
    st = open_store(out)
    in_store = {q.triple for q in st.quads_for_pattern(None, None, None, DefaultGraph())}
    in_file = {q.triple for q in parse(path=str(out / GRAPH_NT), format=RdfFormat.N_TRIPLES)}
    assert in_store == in_file
    named = BASE + "law/luật-khảo-cổ-học-dưới-nước/2015"
    assert named not in (out / GRAPH_NT).read_text("utf-8")
    assert not [q for q in st.quads_for_pattern(None, None, NamedNode(named), None)]
    assert cited_by(out, BASE + "doc/98_2015_QH13") == {str(corpus / "a.txt"), str(corpus / "d.txt")}
    assert not [p.name for p in (out / "parts").iterdir() if "first" in p.name]


def test_store_is_swapped_when_the_graph_changes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([corpus], out)
    first = current_store(out)
    (corpus / "b.txt").write_text(doc("2/2020/NĐ-CP"), "utf-8")
    s = run([corpus], out).summary
    assert s["store_reloaded"] and current_store(out) != first and not first.exists()
    assert (out / "store").is_symlink()


def test_a_second_build_in_the_same_folder_is_refused(corpus: Path, tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        with pytest.raises(RuntimeError, match="another build"):
            run([corpus], out)


def test_cli_build_prints_the_summary_and_validate_passes(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kgraph.build as b

    real = b.build
    monkeypatch.setattr(b, "build", lambda *a, **kw: real(*a, **{**kw, "extractor": json_extract}))
    out = tmp_path / "out"
    r = CliRunner().invoke(build_cmd, [str(corpus), "--out", str(out), "-q", "--workers", "2"])
    assert r.exit_code == 0, r.output
    assert "3 documents" in r.output and "4 distinct instruments" in r.output and "0 errors" in r.output
    r = CliRunner().invoke(validate_cmd, ["--store", str(out)])
    assert r.exit_code == 0, r.output
    assert "conforms" in r.output


# ----------------------------------------------------------------------------- real documents


@pytest.mark.shared
def test_real_documents_rebuild_identically_and_validate(tmp_path: Path) -> None:
    seed = shared_path("corpus", "seed", "120-KH-UBND-2018-lang-son.txt")
    congbao = sorted(shared_path("corpus", "congbao").rglob("*.txt"))[:12]
    inputs = [str(seed), *map(str, congbao)]
    a, b = tmp_path / "a", tmp_path / "b"
    sa = build(inputs, a, workers=2).summary
    sb = build(inputs, b, workers=1).summary
    assert sa["errors"] == [] and sa["citations"] > 100 and sb["triples"] == sa["triples"]
    assert (a / GRAPH_NT).read_bytes() == (b / GRAPH_NT).read_bytes()
    again = build(inputs, a, workers=2).summary
    assert again["graph_sha256"] == sa["graph_sha256"] and again["files"]["extracted"] == 0
    ok, messages, _ = validate(a / GRAPH_NT, store=open_store(a))
    assert ok, messages[:10]
    # the seed plan implements Chỉ thị 13/CT-TTg of 2018 (the date beside it gives the year)
    st = open_store(a)
    q = f"ASK {{ ?d <{KG}implements> <{BASE}doc/13_CT-TTg/2018> ; <{KG}source> \"{seed}\" }}"
    assert st.query(q)


def test_graph_fingerprint_follows_resolution_the_writer_and_the_ontology(monkeypatch) -> None:
    """Every module the triple phase runs (link/, graph/) and the ontology file are in the graph fingerprint."""
    import sys

    import kgraph.build as b

    seen: list[Path] = []
    monkeypatch.setattr(b, "_code_hash", lambda paths: seen.extend(paths) or "x")
    b.graph_fingerprint()
    covered = {p.resolve() for p in seen}
    used = [m for name, m in sys.modules.items() if name.startswith(("kgraph.link.", "kgraph.graph."))]
    assert len(used) >= 8
    assert all(Path(m.__file__).resolve() in covered for m in used)
    assert b.ONTOLOGY_FILE.resolve() in covered


def _stale(out: Path) -> set[tuple[str, str, str]]:
    st = open_store(out)
    q = (f"SELECT ?d ?c ?by WHERE {{ ?s a <{KG}StaleReliance> ; <{KG}relyingDocument> ?d ; <{KG}reliedOn> ?c ; "
         f"<{KG}endedBy> ?by }}")
    return {(r[0].value, r[1].value, r[2].value) for r in st.query(q)}


def test_the_stale_reliances_follow_any_part_and_equal_a_clean_builds(corpus: Path, tmp_path: Path) -> None:
    """The stale reliances are derived from the whole graph: a file that repeals what another (unchanged, its
    part not rewritten) relies on adds one, removing it takes it back, and each incremental graph is the clean
    build's, with or without a store."""
    out = tmp_path / "out"
    run([corpus], out)
    graph_before = (out / GRAPH_NT).read_bytes()
    assert _stale(out) == set()
    # 9/2019 repeals 163/2016 as a whole, before a (2020-01-01) and b rely on it
    (corpus / "r.txt").write_text(doc("9/2019/NĐ-CP", ("163/2016/NĐ-CP", "repeals"), date="2019-03-01"), "utf-8")
    s = run([corpus], out).summary
    assert s["files"]["extracted"] == 1 and s["files"]["parts_rewritten"] == 0 and s["stale_reliance_triples"] > 0
    want = {(BASE + f"doc/{n}_2020_NĐ-CP", BASE + "doc/163_2016_NĐ-CP", BASE + "doc/9_2019_NĐ-CP") for n in (1, 2)}
    assert _stale(out) == want
    clean = tmp_path / "clean"
    run([corpus], clean, store=False)
    assert (clean / GRAPH_NT).read_bytes() == (out / GRAPH_NT).read_bytes()
    # dated after them, the same repeal makes nothing stale
    (corpus / "r.txt").write_text(doc("9/2019/NĐ-CP", ("163/2016/NĐ-CP", "repeals"), date="2020-06-01"), "utf-8")
    run([corpus], out)
    assert _stale(out) == set()
    (corpus / "r.txt").unlink()
    s = run([corpus], out).summary
    assert s["files"]["removed"] == 1 and (out / GRAPH_NT).read_bytes() == graph_before
    assert run([corpus], out).summary["stale_reliance_triples"] is None  # nothing changed: not derived again


def test_the_stale_reliances_asked_a_group_of_instruments_at_a_time_are_the_same(corpus: Path, tmp_path: Path,
                                                                                  monkeypatch) -> None:
    """Asked one ended instrument at a time (the store holding its lines and its citing and relying documents'
    dates only), the derivation gives the same nodes as asked about all at once, and as one store of every line
    the query reads: each answer reads only its own instrument's lines."""
    from kgraph.graph import stale

    (corpus / "r.txt").write_text(doc("9/2019/NĐ-CP", ("163/2016/NĐ-CP", "repeals"), date="2019-03-01"), "utf-8")
    (corpus / "s.txt").write_text(doc("10/2019/NĐ-CP", ("2/2020/NĐ-CP", "repeals"), date="2019-06-01"), "utf-8")
    out = tmp_path / "out"
    run([corpus], out, store=False)
    lines = (out / GRAPH_NT).read_bytes().splitlines(keepends=True)
    assert len(stale.ended_instruments(iter(lines))) >= 2
    whole = stale.stale_triples(iter(lines), BASE)
    relied_on = {ln.split(" ")[2] for ln in whole if f"<{KG}reliedOn>" in ln}
    assert relied_on == {f"<{BASE}doc/163_2016_NĐ-CP>", f"<{BASE}doc/2_2020_NĐ-CP>"}  # two groups of one
    monkeypatch.setattr(stale, "GROUP_LINES", 1)  # each ended instrument asked alone
    assert stale.stale_triples(iter(lines), BASE) == whole
    monkeypatch.setattr(stale, "OPEN_GROUPS", 1)  # one group's file open at a time: a pass over the lines each
    assert stale.stale_triples(iter(lines), BASE) == whole
    # and the same as one store of every line the query reads (every document's date, no group)
    assert sorted(stale._derive(stale.wanted(iter(lines)), BASE)) == whole


def test_the_workers_fork_from_a_process_holding_the_catalogues_index() -> None:
    """`warm_extractor` (run before the extraction's workers fork) loads the catalogue's name index, so no
    worker reads it again for its files' own resolvers; a fresh process, so no other test has loaded it."""
    import subprocess
    import sys

    code = ("import kgraph.catalog.store as s; from kgraph.build_tasks import warm_extractor; "
            "assert s._DEFAULT is None; warm_extractor(); print(s._DEFAULT is not None and s._DEFAULT._lookup is not None)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert r.stdout.strip() == "True"
