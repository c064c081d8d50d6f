"""Graph files: sorted parts merged into one graph file, the same bytes by `sort` and by the Python merge."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from kgraph.sinks import files
from kgraph.sinks.files import merge_parts, write_part

LAST = "<https://x.example/citation/"


def _parts(tmp_path: Path, n: int) -> list[Path]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        lines = set()
        for _ in range(rng.randint(0, 30)):
            kind = rng.choice(["doc", "citation", "body"])
            lines.add(f"<https://x.example/{kind}/{rng.randint(0, 60)}> <p> \"Điều {rng.randint(0, 9)}\" .\n")
        p = tmp_path / "parts" / f"{i:04d}.nt"
        write_part(lines, p)
        out.append(p)
    return out


def _expected(parts: list[Path]) -> bytes:
    lines = sorted({ln for p in parts for ln in p.read_bytes().splitlines(keepends=True)})
    first = [ln for ln in lines if not ln.startswith(LAST.encode())]
    return b"".join(first + [ln for ln in lines if ln.startswith(LAST.encode())])


@pytest.mark.parametrize("with_sort", [True, False])
def test_many_parts_merge_sorted_unique_with_the_citations_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               with_sort: bool) -> None:
    parts = _parts(tmp_path, 450)  # more parts than one Python round keeps open (rounds, then a final round)
    monkeypatch.setattr(files, "MAX_OPEN", 40)
    if not with_sort:
        monkeypatch.setattr(files.shutil, "which", lambda name: None)
    out = tmp_path / "graph.nt"
    n, sha = merge_parts(parts, out, last=LAST)
    want = _expected(parts)
    assert out.read_bytes() == want
    assert n == want.count(b"\n") and sha == hashlib.sha256(want).hexdigest()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("graph.nt.")]  # no temporary left


def test_stale_lines_are_the_first_versions_lines_that_no_part_of_the_graph_has(tmp_path: Path) -> None:
    """A part loaded into the store, then written again: the store must drop exactly the lines of its first
    version that neither its new version nor any other part (the merged graph) has."""
    parts = _parts(tmp_path, 40)
    rng = random.Random(11)
    first = tmp_path / "first.nt"
    kept = [ln.decode() for p in rng.sample(parts, 3) for ln in p.read_bytes().splitlines(keepends=True)]
    gone = [f"<https://x.example/{k}/{i}> <p> \"cũ\" .\n" for k in ("doc", "citation", "zz", "a") for i in range(5)]
    new_only = ["<https://x.example/doc/new> <p> \"mới\" .\n", '<https://x.example/citation/9> <p> "cũ" .\n']
    write_part(kept + gone + new_only[1:], first)
    new = tmp_path / "parts" / "new.nt"
    write_part(new_only, new)
    graph = tmp_path / "graph.nt"
    merge_parts(parts + [new], graph, last=LAST)
    want = sorted(ln.encode() for ln in set(gone))
    assert files.stale_lines(first, new, graph, last=LAST) == want
    assert files.stale_lines(first, None, graph, last=LAST) == want  # the file is gone from the graph
    every = graph.read_bytes().splitlines(keepends=True)
    assert files.stale_lines(graph, None, graph, last=LAST) == []  # each line of the graph is found in it
    assert set(every) >= set(ln.encode() for ln in kept)


@pytest.mark.parametrize("probe", [files._PROBE, 64, 7])
def test_stale_lines_agree_with_set_differences_on_random_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, probe: int) -> None:
    """The streamed comparison and the graph read in small blocks give the set definition's answer, also for
    lines longer than a block (a small `_PROBE` makes most lines so) and for a graph of one line or none."""
    monkeypatch.setattr(files, "_PROBE", probe)
    rng = random.Random(probe)

    def line(k: int) -> str:
        kind = rng.choice(["doc", "citation", "body"])
        return f"<https://x.example/{kind}/{k}> <p> \"{'Điều ' * rng.choice([0, 1, 3, 40])}{rng.randint(0, 9)}\" .\n"

    for round_ in range(12):
        pool = [line(k) for k in range(rng.choice([1, 5, 300]))]
        graph_lines = set(rng.sample(pool, rng.randint(0, len(pool))))
        old_lines = set(rng.sample(pool, rng.randint(0, len(pool))))
        new_lines = set(rng.sample(pool, rng.randint(0, len(pool))))
        graph_part, old, new = (tmp_path / f"{round_}.{x}.nt" for x in ("g", "old", "new"))
        write_part(graph_lines, graph_part)
        write_part(old_lines, old)
        write_part(new_lines, new)
        graph = tmp_path / f"{round_}.graph.nt"
        merge_parts([graph_part], graph, last=LAST)
        want = sorted(ln.encode() for ln in old_lines - new_lines - graph_lines)
        assert files.stale_lines(old, new, graph, last=LAST) == want
        want_gone = sorted(ln.encode() for ln in old_lines - graph_lines)
        assert files.stale_lines(old, tmp_path / "absent.nt", graph, last=LAST) == want_gone


def test_a_part_bigger_than_memory_holds_is_merged_from_runs_to_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    lines = [f"<https://x.example/{rng.randint(0, 900)}> <p> \"Điều {rng.randint(0, 40)} ế\" .\n"
             for _ in range(5000)]
    whole = tmp_path / "whole.nt"
    assert write_part(lines, whole) == len(set(lines))
    monkeypatch.setattr(files, "SPILL_LINES", 700)  # several runs, duplicates across them
    spilled = tmp_path / "spilled.nt"
    assert write_part(iter(lines), spilled) == len(set(lines))
    assert spilled.read_bytes() == whole.read_bytes() == "".join(sorted(set(lines))).encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spilled.nt", "whole.nt"]  # the runs are gone


@pytest.mark.parametrize("with_sort", [True, False])
@pytest.mark.parametrize("insert_up_to", [files.EXTRA_INSERT, 3])
def test_a_part_added_when_the_merge_ends_gives_the_bytes_of_merging_it_with_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_sort: bool, insert_up_to: int) -> None:
    """The build starts merging the parts before its derived part exists and adds that part at the end: the
    file must be the one all the parts merged at once give, whether its lines are new, already in another
    part, among the citations moved last, before or after all the others, and whether they are placed one by
    one or (more than `EXTRA_INSERT`) merged by a second pass."""
    if not with_sort:
        monkeypatch.setattr(files.shutil, "which", lambda name: None)
    monkeypatch.setattr(files, "EXTRA_INSERT", insert_up_to)
    parts = _parts(tmp_path, 30)
    some = sorted({ln for p in parts[:5] for ln in p.read_bytes().decode().splitlines(keepends=True)})[::7]
    late = tmp_path / "late.nt"
    write_part(some + ["<https://x.example/a> <p> \"đầu\" .\n", "<https://x.example/zz> <p> \"cuối\" .\n",
                       "<https://x.example/citation/new> <p> \"mới\" .\n", "<!> <p> <q> .\n"], late)
    for given, extra in ((parts, [late]), ([], [late]), (parts, []), (parts[:1], [late, parts[3]])):
        want_path = tmp_path / "want.nt"
        n_want, sha_want = merge_parts([*given, *extra], want_path, last=LAST)
        got = tmp_path / "got.nt"
        n, sha = files.start_merge(given, got, last=LAST).finish(extra)
        assert got.read_bytes() == want_path.read_bytes() == _expected([*given, *extra])
        assert (n, sha) == (n_want, sha_want)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(("got.nt.", "want.nt."))]


def test_a_merge_given_up_leaves_no_file(tmp_path: Path) -> None:
    parts = _parts(tmp_path, 10)
    merging = files.start_merge(parts, tmp_path / "graph.nt", last=LAST)
    merging.abort()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("graph.nt")]
