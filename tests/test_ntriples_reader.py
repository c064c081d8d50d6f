"""The compiled N-Triples reader `kg load` maps a build's graph.nt from (kgraph/neo4j/_ntriples.c): the same
triples as pyoxigraph's lenient parse, errors where pyoxigraph has them, and the mapping unchanged without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import RdfFormat, parse

from kgraph.neo4j import rows as pgrows
from kgraph.neo4j.connection import LoadError

_ntriples = pytest.importorskip("kgraph.neo4j._ntriples", reason="built only where a C compiler is")

#: Every form of the grammar: comments, blank lines, tabs, blank nodes, escapes in IRIs and literals (all ECHARs,
#: \u and \U), datatypes, language tags in capitals, CRLF and a last line without its end of line.
EDGES = (
    "# a comment\n"
    "\n"
    '<http://a/s> <http://a/p> "x"@EN-us .\n'
    '<http://a/s>\t<http://a/p>\t"tab\\tsep"  .   # after the dot\n'
    "_:b1 <http://a/p> _:b.2 .\n"
    "<http://a/\\u00E9> <http://a/p> \"caf\\u00E9 \\U0001F600 \\\"q\\\" \\\\ \\n \\r \\b \\f \\'\" .\n"
    '<http://a/s> <http://a/p> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    '<http://a/s> <http://a/p> "Tiếng Việt: văn bản"@vi .\n'
    '<http://a/s><http://a/p><http://a/o>.\n'
    '<http://a/s> <http://a/p> "" .\r\n'
    '<http://a/t> <http://a/p> "last" .'
)


def _pyoxigraph(data: bytes, tmp_path: Path) -> list[pgrows.RawTriple]:
    f = tmp_path / "g.nt"
    f.write_bytes(data)
    return list(pgrows.raw_triples(parse(path=str(f), format=RdfFormat.N_TRIPLES, lenient=True)))


def test_the_same_triples_as_pyoxigraph(tmp_path: Path) -> None:
    data = EDGES.encode()
    got = list(_ntriples.triples(data))
    assert got == _pyoxigraph(data, tmp_path)
    assert len(got) == 9 and got[0][2] == ("x", pgrows.RDF_LANG_STRING, "en-us") and got[2] == ("_:b1", "http://a/p", "_:b.2")
    assert list(_ntriples.triples(b"")) == [] and list(_ntriples.triples(b"# only a comment\n\n")) == []


@pytest.mark.parametrize("bad", [
    '<http://a/s <http://a/p> "x" .',  # an IRI not closed
    '<http://a/s> <http://a/p> "x .',  # a literal not closed on its line
    '<http://a/s> <http://a/p> "x"',  # no dot
    '<http://a/s> <http://a/p> "x" . <http://a/s> <http://a/p> "y" .',  # two triples on a line
    '<http://a/s> "p" "x" .',  # a literal as predicate
    '<http://a/s> <http://a/p> "\\q" .',  # an unknown escape
    '<http://a/s> <http://a/p> "\\u00G9" .',  # a bad \\u escape
    '<http://a/s> <http://a/p> "\\uD800" .',  # a surrogate
])
def test_what_pyoxigraph_refuses_it_refuses(bad: str, tmp_path: Path) -> None:
    data = ('<http://a/s> <http://a/p> "ok" .\n' + bad + "\n").encode()
    with pytest.raises(SyntaxError):
        _pyoxigraph(data, tmp_path)
    with pytest.raises(SyntaxError, match="line 2"):
        list(_ntriples.triples(data))
    with pytest.raises(SyntaxError):
        list(_ntriples.triples(b"<http://a/s> <http://a/p> \"\xff\" .\n"))  # not UTF-8


def test_a_build_folder_is_read_by_it_and_maps_as_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build folder's graph.nt goes through the compiled reader; with it absent (no C compiler) pyoxigraph reads
    it and the mapped graph is the same. A file that is not valid N-Triples is refused by name either way."""
    from test_neo4j_load import DOCS, _build, _mapped

    out = _build(tmp_path, "https://kgraph.test/ntriples/", DOCS)
    used: list[object] = []
    real = _ntriples.triples
    monkeypatch.setattr(pgrows._ntriples, "triples", lambda data: used.append(data) or real(data))
    compiled = pgrows.read_property_graph(out)
    assert len(used) == 1
    pgrows.read_property_graph(out / "graph.nt")  # a file, not a build folder: pyoxigraph, validating
    assert len(used) == 1
    monkeypatch.setattr(pgrows, "_ntriples", None)
    assert _mapped(compiled) == _mapped(pgrows.read_property_graph(out))
    monkeypatch.undo()
    with (out / "graph.nt").open("a", encoding="utf-8") as f:
        f.write("<http://a/s> <http://a/p> \n")
    with pytest.raises(LoadError, match="not valid RDF.*line"):
        pgrows.read_property_graph(out)


def _filed(data: bytes, source: str, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """``_Collected.add_raw`` over ``data`` (the reader itself, or its triples as a list), with its compiled twin or
    its Python loop: the tables, the count, and the subjects ``on_group`` saw (one of which files a triple more)."""
    if not compiled:
        monkeypatch.setattr(pgrows, "_ntriples", None)
    got = pgrows._Collected()
    groups: list[str] = []

    def on_group(s: str) -> None:
        groups.append(s)
        if s == "http://a/t":  # as rows._Live files the ontology's individuals in the middle of the file
            got.add_raw([("http://a/i", "http://a/p", ("v", pgrows.XSD_STRING, ""))], {})

    triples = _ntriples.triples(data) if source == "reader" else list(_ntriples.triples(data))
    got.add_raw(triples, {"http://a/term": "term"}, on_group)
    monkeypatch.undo()
    return (dict(got.types), {s: dict(by_p) for s, by_p in got.lits.items()}, dict(got.links), got.objects, got.n,
            groups)


@pytest.mark.parametrize("source", ["reader", "tuples"])
def test_the_triples_are_filed_in_c_as_the_python_loop_files_them(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the reader is built, ``_Collected.add_raw``'s loop runs in C (``_ntriples.file_triples``): every role
    (types, literals, ontology terms as values, links and their objects) filed as the Python loop files it, the same
    count (a triple filed by ``on_group`` meanwhile included) and ``on_group`` called for the same subjects."""
    data = (EDGES + "\n<http://a/t> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://a/C> .\n"
            "<http://a/t> <http://a/q> <http://a/term> .\n<http://a/u> <http://a/q> <http://a/o> .\n").encode()
    compiled = _filed(data, source, True, monkeypatch)
    assert compiled == _filed(data, source, False, monkeypatch)
    types, lits, links, objects, n, groups = compiled
    assert n == 13 and types == {"http://a/t": ["http://a/C"]} and lits["http://a/t"]["http://a/q"] == [
        ("term", pgrows.XSD_STRING, "")] and links["http://a/u"] == [("http://a/q", "http://a/o")]
    assert "http://a/i" in lits and groups == ["http://a/s", "_:b1", "http://a/é", "http://a/s", "http://a/t", "http://a/u"]


@pytest.mark.shared
def test_the_corpus_build_reads_as_pyoxigraph_reads_it(corpus_checks_build: Path) -> None:
    data = (corpus_checks_build / "graph.nt").read_bytes()
    got = list(_ntriples.triples(data))
    assert len(got) > 10000
    assert got == list(pgrows.raw_triples(parse(path=str(corpus_checks_build / "graph.nt"),
                                                 format=RdfFormat.N_TRIPLES, lenient=True)))
