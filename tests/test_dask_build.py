"""`kg build --executor dask`: extraction and the per-file triples on a Dask cluster of two worker processes
give graph.nt byte for byte as the local build, and the same summary, failures and incremental rebuilds.

Real documents from ../shared (the extractor runs in the workers); the clusters are Dask `LocalCluster`s.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kgraph.build import GRAPH_NT, build

from conftest import shared_path
from processes import alive, descendants, wait_gone

if os.environ.get("CI"):
    import distributed  # noqa: F401  (CI installs the test extras: without Dask these tests must fail, not skip)
else:
    pytest.importorskip("distributed")
import dask  # noqa: E402  (with distributed)

#: A few documents of several kinds: gazette decrees and circulars of three topics, and a law.
FILES = [
    "congbao/bhxh/nghi-dinh-so-158-2025-nd-cp-45240.txt",
    "congbao/bhxh/luat-so-51-2024-qh15-43559.txt",
    "congbao/cong_doan",
    "laws/bo-luat-hang-hai.txt",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("dask-corpus")
    for rel in FILES:
        src = shared_path("corpus", rel)
        if src.is_dir():
            for f in sorted(src.glob("*.txt"))[:4]:
                shutil.copy(f, d / f.name)
        else:
            shutil.copy(src, d / src.name)
    (d / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    return d


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """One cluster of two worker processes for the tests that reach a running cluster by its address (a rebuild,
    the failure paths): a `LocalCluster` start is seconds of CPU on a loaded machine. The tests of a cluster the
    build starts itself, of a worker that dies and of a killed build keep their own."""
    from distributed import LocalCluster

    # its scheduler's HTTP server (no dashboard) on a free port: on Dask's default one (8787) it would move the
    # other tests' clusters off it, each with a warning
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=40) as cluster:
        yield cluster.scheduler_address


def _same(a: dict, b: dict) -> None:
    keys = ("documents", "references", "citations", "distinct_instruments", "triples", "graph_sha256", "errors")
    assert {k: a[k] for k in keys} == {k: b[k] for k in keys}


@dataclass(frozen=True)
class FirstBuilds:
    """The corpus copied to ``inputs`` and built once by each executor (the Dask one on a cluster the build
    starts itself), with what each build left as it finished."""

    inputs: Path
    local: Path
    dask: Path
    local_summary: dict
    dask_summary: dict
    local_graph: bytes
    dask_graph: bytes


@pytest.fixture(scope="module")
def first_builds(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> FirstBuilds:
    """The first builds of the module's corpus, checked by one test and rebuilt after a change by another (which
    changes ``inputs`` and both folders: the first test reads only the bytes and summaries kept here). Each build
    extracts every file: once for both tests instead of once each."""
    d = tmp_path_factory.mktemp("dask-first")
    work = d / "in"
    shutil.copytree(corpus, work)
    local = build([str(work)], d / "local", workers=2).summary
    dask = build([str(work)], d / "dask", workers=2, executor="dask").summary
    return FirstBuilds(work, d / "local", d / "dask", local, dask, (d / "local" / GRAPH_NT).read_bytes(),
                       (d / "dask" / GRAPH_NT).read_bytes())


def test_a_dask_build_writes_the_local_graph(first_builds: FirstBuilds) -> None:
    local, dask = first_builds.local_summary, first_builds.dask_summary
    assert dask["executor"] == "dask" and dask["files"]["extracted"] == local["files"]["extracted"] == 7
    assert first_builds.dask_graph == first_builds.local_graph
    _same(local, dask)
    assert [e["source"] for e in dask["errors"]] == [str(first_builds.inputs / "binary.txt")]


def test_a_dask_rebuild_after_a_change_matches_the_local_one(first_builds: FirstBuilds, scheduler: str) -> None:
    """The first builds (each executor's own) rebuilt after a change: the Dask one on the module's running cluster."""
    work, at = first_builds.inputs, scheduler
    victim = sorted(work.glob("nghi-dinh-*.txt"))[0]
    victim.write_text(victim.read_text("utf-8").replace("Căn cứ", "Theo", 1), "utf-8")
    (work / "binary.txt").unlink()
    local = build([str(work)], first_builds.local, workers=2).summary
    dask = build([str(work)], first_builds.dask, workers=2, executor="dask", scheduler=at).summary
    assert dask["files"]["extracted"] == 1 and dask["files"]["skipped_unchanged"] == local["files"]["skipped_unchanged"]
    assert (first_builds.dask / GRAPH_NT).read_bytes() == (first_builds.local / GRAPH_NT).read_bytes()
    _same(local, dask)


def killing_extract(text: str, source: str | None = None):
    """Stand-in extractor that takes its worker process down on one file (as an out-of-memory kill would)."""
    import os

    from test_build import json_extract

    if "KILL" in text:
        os._exit(1)
    return json_extract(text, source)


def test_a_file_that_kills_its_worker_is_reported_and_the_build_goes_on(tmp_path: Path) -> None:
    from test_build import doc

    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(doc("1/2020/NĐ-CP", ("163/2016/NĐ-CP", "based_on")), "utf-8")
    (d / "b.txt").write_text(doc("2/2020/NĐ-CP", ("1/2020/NĐ-CP", "amends")), "utf-8")
    (d / "kill.txt").write_text("KILL", "utf-8")
    # Dask retries a task whose worker died on another worker (allowed-failures, 3 by default) before it fails
    # it; each retry kills a worker and waits for its restart. With none the task fails at the first death: the
    # build sees the same failed future (KilledWorker) as after any number of retries, for one worker's restart
    # (one retry took 10.3 s in the suite; alone at load 5, 14.7 s with one retry and 9.1 s with none).
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        res = build([str(d)], tmp_path / "out", workers=2, executor="dask", extractor=killing_extract)
    lost = {p.source for p in res.problems}
    assert str(d / "kill.txt") in lost and all("lost on the Dask cluster" in p.problem for p in res.problems)
    # Dask charges a worker's death to the tasks queued on it too: a bystander may be reported with it
    assert res.summary["documents"] == 3 - len(lost) and (tmp_path / "out" / "graph.nt").exists()


def looping_extract(text: str, source: str | None = None):
    """Stand-in extractor that never ends on one file, in Python code: what the time budget stops in the
    task thread of a Dask worker (a signal cannot reach it there)."""
    from test_build import json_extract

    if text == "LOOP":
        n = 0
        while True:
            n += 1
    return json_extract(text, source)


def test_the_failure_paths_hold_on_dask(tmp_path: Path, scheduler: str) -> None:
    """Issue 14's promises with the Dask executor: the per-file time budget, identical files read once and each
    a source, a mistyped input or a held lock changing nothing, and the same graph as the local build. On the
    module's running cluster (the budget holds in its workers' task threads as in a cluster the build starts)."""
    from click.testing import CliRunner

    import kgraph.build as b
    from kgraph.build import InputsNotFound
    from kgraph.cli_graph import build_cmd
    from test_build import doc

    d = tmp_path / "in"
    d.mkdir()
    a = doc("1/2020/NĐ-CP", ("163/2016/NĐ-CP", "based_on"))
    (d / "a.txt").write_text(a, "utf-8")
    (d / "copy-of-a.txt").write_text(a, "utf-8")
    (d / "b.txt").write_text(doc("2/2020/NĐ-CP", ("1/2020/NĐ-CP", "amends")), "utf-8")
    (d / "loop.txt").write_text("LOOP", "utf-8")
    kw = {"workers": 2, "extractor": looping_extract, "file_timeout": 2.0}
    local = build([str(d)], tmp_path / "local", **kw)
    out = tmp_path / "dask"
    dask = build([str(d)], out, executor="dask", scheduler=scheduler, **kw)
    assert [(p.source, p.problem) for p in dask.problems] == [(str(d / "loop.txt"), "extraction took longer than 2 s (the per-file time budget; see --file-timeout)")]
    assert dask.summary["documents"] == 3 and dask.summary["files"]["same_bytes_as_another"] == 1
    assert dask.summary["files"]["extracted"] == 2  # a (or its copy) and b; the copy is not read again
    assert (out / GRAPH_NT).read_bytes() == (tmp_path / "local" / GRAPH_NT).read_bytes()
    _same(local.summary, dask.summary)
    before = {p.name: p.read_bytes() for p in (out / "cache").iterdir()} | {GRAPH_NT: (out / GRAPH_NT).read_bytes()}
    with pytest.raises(InputsNotFound, match="no such file or folder"):
        build([str(tmp_path / "ni")], out, executor="dask", scheduler=scheduler)
    with open(out / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RuntimeError, match="another build"):
            build([str(d)], out, executor="dask", scheduler=scheduler, **kw)
    assert {p.name: p.read_bytes() for p in (out / "cache").iterdir()} | {GRAPH_NT: (out / GRAPH_NT).read_bytes()} == before
    # the exit status says a file failed, as with the local executor
    real = b.build
    b.build = lambda *args, **k: real(*args, **{**k, "extractor": looping_extract})
    try:
        r = CliRunner().invoke(build_cmd, [str(d), "--out", str(out), "-q", "--executor", "dask", "--scheduler", scheduler,
                                       "--file-timeout", "2"])
    finally:
        b.build = real
    assert r.exit_code == 1 and str(d / "loop.txt") in r.output


def hanging_extract(text: str, source: str | None = None):
    """Stand-in extractor that hangs on a file reading `HANG <pid file>`, after writing its process id there."""
    from test_build import json_extract

    if text.startswith("HANG "):
        Path(text[5:]).write_text(str(os.getpid()), "utf-8")
        time.sleep(300)
    return json_extract(text, source)


def test_a_killed_dask_build_leaves_no_worker_holding_the_folder(tmp_path: Path) -> None:
    from test_build import doc

    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(doc("1/2020/NĐ-CP", ("163/2016/NĐ-CP", "based_on")), "utf-8")
    pids = tmp_path / "worker.pid"
    (d / "hang.txt").write_text(f"HANG {pids}", "utf-8")
    out = tmp_path / "out"
    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
              "from kgraph.build import build\nfrom test_dask_build import hanging_extract\n"
              f"build([{str(d)!r}], {str(out)!r}, workers=2, executor='dask', extractor=hanging_extract, file_timeout=None)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.monotonic() + 90
        while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        worker = int(pids.read_text())
        assert worker != proc.pid  # the file hangs in a Dask worker process, not in the build's
        tree = descendants(proc.pid)  # the local cluster's processes: its workers (the hanging one among them)
        assert worker in tree
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert not wait_gone(tree, 20), "a process of the Dask cluster outlived the build"
        with open(out / ".lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if anything still holds the folder
    finally:
        if proc.poll() is None:
            proc.kill()
        if worker and alive(worker):
            os.kill(worker, signal.SIGKILL)


def slow_task(task: tuple) -> dict:
    time.sleep(0.5)
    return {"source": task[0]}


def test_files_left_when_no_worker_remains_are_reported_lost_not_waited_on_for_ever() -> None:
    """Every worker gone and none coming back (a nanny that could not restart its worker under load): after the
    grace period the files left are reported lost, each with the reason, and `map` returns."""
    from kgraph.build_dask import DaskExecutor

    ex = DaskExecutor(workers=1)
    ex.no_worker_grace, ex.poll = 2.0, 0.2
    try:
        tasks = [(f"f{i}.txt",) for i in range(12)]
        t0 = time.monotonic()
        results = list(ex.map(slow_task, tasks, dict, (), None, meanwhile=lambda: ex.cluster.scale(0)))
        waited = time.monotonic() - t0
    finally:
        ex.close()
    assert sorted(r["source"] for r in results) == sorted(t[0] for t in tasks)  # every file answered for
    lost = [r for r in results if "error" in r]
    assert lost and all("no worker left on the cluster for 2 s" in r["error"] for r in lost)
    assert waited < 60
