"""The built store is merged after its bulk load (`Store.optimize`), on both load paths, and holds the same graph.

A store is opened read-only once built, so nothing else would ever merge the files its load slices left, and
every lookup of a query would look in each of them (the ×100 replicated store: 98 files, 4.1 GB; merged, 50
files, 2.5 GB, and the named queries 2-4× cheaper: README). RocksDB merges small stores by itself while
loading, so these tests check that the merge runs and keeps the graph, not the file counts of a large store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, RdfFormat, parse

from kgraph.sinks import oxigraph_store
from kgraph.sinks.oxigraph_store import StoreLoader, load_store, open_store

N = 2000


def _graph(path: Path) -> Path:
    lines = [f"<https://kgraph.example/id/s{i % 97}> <https://kgraph.example/p{i % 5}> \"{i}\" .\n" for i in range(N)]
    path.write_text("".join(lines), "utf-8")
    return path


def _holds(out: Path, graph: Path) -> bool:
    st = open_store(out)
    in_store = {q.triple for q in st.quads_for_pattern(None, None, None, DefaultGraph())}
    return in_store == {q.triple for q in parse(path=str(graph), format=RdfFormat.N_TRIPLES)}


@pytest.fixture
def merges(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Slices of 100 triples (20 for the graph), and a record of each merge with the files it left."""
    monkeypatch.setattr(oxigraph_store, "CHUNK_TRIPLES", 100)
    seen: list[int] = []
    real = oxigraph_store.compact

    def spy(store) -> None:
        real(store)
        seen.append(1)

    monkeypatch.setattr(oxigraph_store, "compact", spy)
    return seen


def test_load_store_merges_after_the_load(tmp_path: Path, merges: list[int]) -> None:
    graph = _graph(tmp_path / "g.nt")
    (tmp_path / "out").mkdir()
    load_store(tmp_path / "out", graph, "a" * 64)
    assert merges == [1]
    assert _holds(tmp_path / "out", graph)


def test_the_store_loaded_beside_the_build_is_merged(tmp_path: Path, merges: list[int]) -> None:
    graph = _graph(tmp_path / "g.nt")
    text = graph.read_text("utf-8").splitlines(keepends=True)
    (tmp_path / "out").mkdir()
    loader = StoreLoader(tmp_path / "out")
    for i in range(0, N, 100):
        p = tmp_path / f"part{i}.nt"
        p.write_text("".join(text[i : i + 100]), "utf-8")
        loader.add(p)
    loader.finish("c" * 64)
    assert merges == [1]
    assert _holds(tmp_path / "out", graph)

