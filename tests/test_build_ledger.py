"""`kg build`'s per-file state on disk (`build_cache.Ledger`): the orders the build relied on with dicts and
lists, and a build process whose Python heap no longer grows with its files."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import kgraph.build as build_module
from kgraph.build import build, extraction_from_dict
from kgraph.build_cache import Ledger, part_name
from kgraph.model import Extraction

#: paths that sort differently as UTF-8 bytes in the wrong codec, as text with a collation, or by length first
NAMES = ["b.txt", "a.txt", "A.txt", "á.txt", "ä/z.txt", "a b.txt", "ab.txt", "a/b.txt", "a.b.txt", "Đ.txt",
         "\U0001d400.txt", "\ufffd.txt", "é.txt", "e\u0301.txt"]


def test_paths_and_tasks_come_back_in_the_order_the_build_sorted_them_in(tmp_path: Path) -> None:
    rng = random.Random(7)
    srcs = [f"/in/{n}" for n in NAMES] + [f"/in/{rng.randrange(10**6)}.txt" for _ in range(1200)]
    sizes = {s: rng.choice([0, 1, 5, 5, 5, 70, 1000]) for s in srcs}  # ties, broken by path
    led = Ledger({})
    led.BATCH = 7  # batches end inside runs of equal sizes
    sha = {s: f"{i:064x}" for i, s in enumerate(srcs)}
    for s in srcs:
        assert led.hashed(s, sha[s], sizes[s], None) is None
        led.put(s, {"sha256": sha[s], "bytes": sizes[s]})
    assert [s for s, _ in led.entries()] == sorted(srcs)
    todo = list(led.tasks(1, tmp_path / "cache", tmp_path / "parts"))
    assert [t[0] for t in todo] == sorted(srcs, key=lambda s: (-sizes[s], s))
    assert len(led.tasks(1, tmp_path, tmp_path)) == len(srcs)
    first = todo[0][0]
    assert todo[0][1:] == (sha[first], str(tmp_path / "cache" / f"{sha[first]}.json"),
                           str(tmp_path / "parts" / part_name(first)))
    assert [p.name for p in led.parts(tmp_path, tmp_path / "last.nt")] == [part_name(s) for s in sorted(srcs)] + ["last.nt"]


def test_a_path_with_the_bytes_of_an_earlier_one_is_read_under_the_first() -> None:
    led = Ledger({"/in/kept.txt": {"sha256": "k", "bytes": 1}})
    assert led.hashed("/in/kept.txt", "k", 1, led.old("/in/kept.txt")) is None
    assert led.hashed("/in/new.txt", "n", 1, None) is None
    assert led.hashed("/in/copy-of-kept.txt", "k", 1, None) == "/in/kept.txt"
    assert led.hashed("/in/copy-of-new.txt", "n", 1, None) == "/in/new.txt"
    assert [t[0] for t in led.tasks(1, Path("c"), Path("p"))] == ["/in/new.txt"]
    assert list(led.same_bytes()) == [("/in/copy-of-kept.txt", "/in/kept.txt"), ("/in/copy-of-new.txt", "/in/new.txt")]
    # a path to extract hashed before a kept path with its bytes stays the first (as the dicts had it)
    led = Ledger({"/in/a.txt": {"sha256": "k", "bytes": 1}})
    assert led.hashed("/in/z.txt", "k", 1, None) is None
    assert led.hashed("/in/a.txt", "k", 1, led.old("/in/a.txt")) is None
    assert led.hashed("/in/m.txt", "k", 1, None) == "/in/z.txt"


def _extract(text: str, source: str | None = None) -> Extraction:
    return extraction_from_dict(json.loads(text))


def _heap_after_triples(folder: Path, n: int, out: Path) -> int:
    """The build process's live Python heap at the end of the triples phase, for `n` files that are one instrument
    (one number, each file its own title): what grows is per file, not per instrument (the number caches)."""
    folder.mkdir()
    refs = [{"start": 0, "end": 5, "text": "163/2016/NĐ-CP", "kind": "numbered", "number": "163/2016/NĐ-CP",
             "relation": "cites"}]
    for i in range(n):
        (folder / f"document-with-a-long-name-{i:05d}.txt").write_text(json.dumps(
            {"document": {"number": "1/2020/NĐ-CP", "title": f"T {i}", "date": "2020-01-01"}, "references": refs},
            ensure_ascii=False), "utf-8")
    seen: list[int] = []
    probe = build_module.own_peak_mb

    def at_phase_end() -> float:
        seen.append(tracemalloc.get_traced_memory()[0])
        return probe()

    build_module.own_peak_mb = at_phase_end
    tracemalloc.start()
    try:
        build([str(folder)], out, extractor=_extract, workers=2, store=False)
    finally:
        tracemalloc.stop()
        build_module.own_peak_mb = probe
    return seen[3]  # discover, extract, resolve, triples


def _per_file(tmp: Path) -> tuple[int, int]:
    """The heap after the triples phase with 50 and with 650 files, after a first build that warms the process."""
    os.environ["KGRAPH_NO_CATALOG"] = "1"
    _heap_after_triples(tmp / "warm", 50, tmp / "out-warm")  # imports, patterns, caches: once
    return (_heap_after_triples(tmp / "small", 50, tmp / "out-small"),
            _heap_after_triples(tmp / "large", 650, tmp / "out-large"))


def test_the_build_process_holds_no_state_per_file(tmp_path: Path) -> None:
    """The dicts and lists of every file (manifest entries, tasks, sizes, marks) held ~2 KB a file here until the
    manifest was written; what is left (the inputs' paths, ~0.3 KB a file) is well under a third of that. Measured
    in a process of its own: tracemalloc counts every thread's allocations, and other tests leave threads behind."""
    run = subprocess.run([sys.executable, __file__, str(tmp_path)], capture_output=True, text=True, check=True)
    small, large = json.loads(run.stdout.splitlines()[-1])
    per_file = (large - small) / 600
    print(f"heap after the triples phase: {small} / {large} bytes, {per_file:.0f} a file")
    assert per_file < 700, (small, large)


if __name__ == "__main__":
    print(json.dumps(_per_file(Path(sys.argv[1]))))
