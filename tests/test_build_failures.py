"""`kg build` on the failure paths of issue 14: missing inputs, failed files, identical files, slow files,
a killed build, unreadable files and folders. Anything that could hang runs in a subprocess with a timeout.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.build import GRAPH_NT, MANIFEST, InputsNotFound, build
from kgraph.build_cache import write_atomically
from kgraph.cli_graph import build_cmd
from kgraph.sinks.oxigraph_store import current_store

from processes import alive, descendants, wait_gone
from test_build import BASE, cited_by, corpus, doc, json_extract, run  # noqa: F401  (corpus is a fixture)

ROOT = Path(__file__).resolve().parents[1]
KG = str(Path(sys.executable).with_name("kg"))


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """`kg build` through click with the JSON stand-in extractor."""
    import kgraph.build as b

    real = b.build
    monkeypatch.setattr(b, "build", lambda *a, **kw: real(*a, **{**kw, "extractor": json_extract}))


def _state(out: Path) -> dict[str, object]:
    return {
        "graph": (out / GRAPH_NT).read_bytes(),
        "manifest": (out / MANIFEST).read_bytes(),
        "cache": sorted(p.name for p in (out / "cache").iterdir()),
        "parts": sorted(p.name for p in (out / "parts").iterdir()),
        "store": current_store(out),
    }


def test_a_mistyped_input_changes_nothing(corpus: Path, tmp_path: Path, stand_in: None) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(build_cmd, [str(corpus), "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    before = _state(out)
    typo = str(tmp_path / "corpsu")
    r = CliRunner().invoke(build_cmd, [typo, "--out", str(out), "-q"])
    assert r.exit_code != 0
    assert f"{typo}: no such file or folder" in r.output and "nothing" in r.output
    assert _state(out) == before
    assert len(cited_by(out, BASE + "doc/163_2016_NĐ-CP")) == 2  # the served graph still has its documents
    # a typo beside good inputs, a pattern matching nothing, a folder without documents: the same refusal
    (tmp_path / "empty").mkdir()
    for bad in ([str(corpus), typo], [str(corpus / "*.pdf")], [str(tmp_path / "empty")]):
        r = CliRunner().invoke(build_cmd, [*bad, "--out", str(out), "-q"])
        assert r.exit_code != 0 and "nothing" in r.output, (bad, r.output)
        assert _state(out) == before


def test_nothing_here_is_an_error_and_creates_no_folder(tmp_path: Path) -> None:
    p = subprocess.run([KG, "build", "nothing-here", "--out", "out", "-q"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode != 0
    assert "nothing-here: no such file or folder" in p.stderr
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputsNotFound):
        build(["nothing-here"], tmp_path / "out2")
    assert not (tmp_path / "out2").exists()


def test_the_exit_status_says_a_file_failed(corpus: Path, tmp_path: Path, stand_in: None) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    r = CliRunner().invoke(build_cmd, [str(corpus), "--out", str(out), "-q"])
    assert r.exit_code == 1, r.output
    assert "3 documents" in r.output
    assert f"1 files failed and are not in the graph: {corpus / 'empty.txt'}" in r.output


# ----------------------------------------------------------------------------- identical files




def test_identical_files_are_read_once_and_each_is_a_source(corpus: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"

    def counting(text: str, source: str | None = None):
        with open(log, "a") as f:
            f.write(f"{source}\n")
        return json_extract(text, source)

    for i in range(9):
        shutil.copy(corpus / "a.txt", corpus / f"a-copy-{i}.txt")
    out = tmp_path / "out"
    res = build([str(corpus)], out, workers=4, extractor=counting)
    assert res.problems == []
    f = res.summary["files"]
    assert res.summary["documents"] == 12 and f["extracted"] == 3 and f["same_bytes_as_another"] == 9
    assert len(log.read_text().splitlines()) == 3
    assert len(cited_by(out, BASE + "doc/163_2016_NĐ-CP")) == 11  # a, its nine copies, b
    assert not list((out / "cache").glob("*.tmp"))
    again = build([str(corpus)], out, workers=4, extractor=counting).summary
    assert again["files"]["extracted"] == 0 and again["documents"] == 12
    assert len(log.read_text().splitlines()) == 3


def test_cache_writes_never_share_a_temporary_file(tmp_path: Path) -> None:
    target = str(tmp_path / "entry.json")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for _ in range(200):
                write_atomically(target, json.dumps({"n": n, "pad": "x" * 5000}))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert json.loads(Path(target).read_text())["pad"] == "x" * 5000
    assert [p.name for p in tmp_path.iterdir()] == ["entry.json"]


# ----------------------------------------------------------------------------- slow files, killed builds

_SCRIPT_HEAD = """
import json, os, re, sys, time
sys.path.insert(0, {tests!r})
from kgraph.build import build
from test_build import json_extract
"""


def _script(body: str, **kw: object) -> str:
    return textwrap.dedent(_SCRIPT_HEAD.format(tests=str(ROOT / "tests"))) + textwrap.dedent(body).format(**kw)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_over_the_time_budget_is_reported_and_the_build_goes_on(corpus: Path, tmp_path: Path, workers: int) -> None:
    (corpus / "hang.txt").write_text("HANG", "utf-8")
    body = """
        def slow(text, source=None):
            if text == "HANG":
                re.match(r"(a|a)*b", "a" * 60)  # exponential, in the C regex engine
            return json_extract(text, source)
        res = build([{corpus!r}], {out!r}, workers={workers}, extractor=slow, file_timeout=1.5)
        print(json.dumps({{"problems": [[p.source, p.problem] for p in res.problems], "docs": res.summary["documents"]}}))
    """
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-c", _script(body, corpus=str(corpus), out=str(tmp_path / "out"), workers=workers)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    assert got["docs"] == 3
    assert got["problems"] == [[str(corpus / "hang.txt"),
                                "extraction took longer than 1.5 s (the per-file time budget; see --file-timeout)"]]
    assert time.monotonic() - t < 60


def test_a_killed_build_leaves_no_worker_holding_the_folder(corpus: Path, tmp_path: Path) -> None:
    (corpus / "hang.txt").write_text("HANG", "utf-8")
    pids = tmp_path / "worker.pid"
    out = tmp_path / "out"
    body = """
        def hang(text, source=None):
            if text == "HANG":
                with open({pids!r}, "w") as f:
                    f.write(str(os.getpid()))
                time.sleep(300)
            return json_extract(text, source)
        build([{corpus!r}], {out!r}, workers=2, extractor=hang, file_timeout=None)
    """
    proc = subprocess.Popen([sys.executable, "-c", _script(body, corpus=str(corpus), out=str(out), pids=str(pids))])
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        worker = int(pids.read_text())
        tree = descendants(proc.pid)  # both workers (and the store's loader, if it started)
        assert worker in tree
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        # every process of the build, not only the hanging worker: the other one let go of the folder too
        assert not wait_gone(tree, 10), "a worker outlived the build"
        with open(out / ".lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if anything still holds the folder
        res = run([corpus], out, extractor=json_extract)  # and a rerun finishes the build
        assert res.summary["documents"] == 3 and [Path(p.source).name for p in res.problems] == ["hang.txt"]
    finally:
        if proc.poll() is None:
            proc.kill()
        if worker and alive(worker):
            os.kill(worker, signal.SIGKILL)


# ----------------------------------------------------------------------------- unreadable inputs (as nobody)


def _as_nobody(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run as another user")
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def open_dir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="kg-failsafe-"))
    d.chmod(0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


SMALL = "Căn cứ Nghị định số 163/2016/NĐ-CP ngày 21 tháng 12 năm 2016 của Chính phủ;\n"


def test_unreadable_files_and_unsearchable_folders_are_reported_and_the_rest_is_built(open_dir: Path) -> None:
    good = open_dir / "good"
    (good / "locked").mkdir(parents=True)
    (good / "a.txt").write_text(SMALL, "utf-8")
    (good / "secret.txt").write_text(SMALL, "utf-8")
    (good / "secret.txt").chmod(0o600)  # root's: nobody cannot read it
    (good / "locked" / "b.txt").write_text(SMALL, "utf-8")
    (good / "locked").chmod(0o700)  # nobody cannot search it
    (open_dir / "out").mkdir()
    (open_dir / "out").chmod(0o777)
    p = _as_nobody([KG, "build", "good", "good/locked/b.txt", "--out", "out", "-q"], cwd=open_dir)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert "good/secret.txt: permission denied" in p.stderr
    assert "good/locked/b.txt: permission denied" in p.stderr
    assert "good/locked: folder cannot be searched (permission denied)" in p.stderr
    assert "1 documents" in p.stdout
