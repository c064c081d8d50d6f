"""Shared test fixtures: where ../shared is, and skipping only when it is absent (a user's clone)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kgraph.neo4j import connection as conn
    from kgraph.neo4j import server as srv

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KGRAPH_SHARED") or ROOT.parent / "shared")  # a worktree may point elsewhere
# `kg` as the tests run it: this interpreter's kgraph, whatever `kg` is on PATH
KG = [sys.executable, "-c", "import sys; from kgraph.cli import main; sys.exit(main())"]


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when ../shared is absent (CI fails earlier if it is)."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail("../shared is missing in CI")
        pytest.skip("../shared is absent")
    return SHARED.joinpath(*parts)

def catalog_file(path: Path, entries: list, *, index_names: bool | None = None, lookup: bool = False) -> Path:
    """A small catalogue file of these `kgraph.catalog.write.Entry`s (with the stored name index if `lookup`)."""
    from kgraph.catalog.write import create, write_entry, write_lookup

    con = create(path, {"catalog_version": "test"})
    for e in entries:
        write_entry(con, e, index_names=index_names)
    con.commit()
    if lookup:
        write_lookup(con)
        con.commit()
    con.close()
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return shared_path()


# --- the suite on several processes (pytest-xdist: `pytest -n auto`, KGRAPH_TEST_PROCESSES=auto scripts/test.sh) ---

#: Fixtures whose tests all run in one process: the Neo4j servers (each test there deletes, loads, stops
#: what it finds, so two processes at once would break each other, as two helpers would; and the private
#: server is one JVM per process). Other session builds (data/, the corpus quarter) are made once per run by
#: the first process that needs them and read by both (``once_per_run``).
ONE_PROCESS_FIXTURES = frozenset({"neo4j_server", "private_neo4j", "private_neo4j_server"})
#: The modules holding such tests (marked ``neo4j`` or using those fixtures): one unit of work for xdist, run
#: first (the longest unit: started last, it would be the run's tail). A module missing here fails the run.
ONE_PROCESS_MODULES = frozenset({
    "test_local_identity.py", "test_local_plans.py", "test_neo4j_failures.py", "test_neo4j_guide_browser.py",
    "test_neo4j_load.py", "test_neo4j_safe_load.py", "test_neo4j_server.py", "test_neo4j_stream.py",
    "test_neo4j_unchanged.py",
    "test_parity.py"})
ONE_PROCESS_GROUP = "neo4j"
#: The longest other modules (a minute or more of wall each on a loaded machine), sent out right after that unit,
#: longest first, so the run ends on short modules: one of these landing last kept the other process idle.
#: Modules not named here follow in their usual order; a name that goes stale costs only balance.
LONG_MODULES = ("test_dask_build.py", "test_fault_injection.py", "test_query.py", "test_readers.py",
                "test_serve.py", "test_wheel.py", "test_linear_binding.py", "test_devset.py", "test_build.py",
                "test_catalog_rebuild.py", "test_header.py")


def _one_process_module(nodeid: str) -> bool:
    return Path(nodeid.split("::", 1)[0]).name in ONE_PROCESS_MODULES


_STRAY = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker (which collects for the scheduler): the one-process modules first, in their usual
    order, then LONG_MODULES; a Neo4j test outside them fails before it starts (``pytest_runtest_setup``), not a race. Without
    xdist nothing changes."""
    if not hasattr(config, "workerinput"):
        return
    for it in items:
        uses_neo4j = it.get_closest_marker("neo4j") is not None or bool(
            ONE_PROCESS_FIXTURES & set(getattr(it, "fixturenames", ())))
        if uses_neo4j and not _one_process_module(it.nodeid):
            it.stash[_STRAY] = True
    items.sort(key=_send_order)  # stable: each module keeps its order


def _send_order(item: pytest.Item) -> tuple[int, int]:
    """The one-process unit, then LONG_MODULES in that order, then the rest."""
    if _one_process_module(item.nodeid):
        return (0, 0)
    name = Path(item.nodeid.split("::", 1)[0]).name
    return (1, LONG_MODULES.index(name)) if name in LONG_MODULES else (2, 0)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.stash.get(_STRAY, False):
        pytest.fail(f"{Path(item.nodeid.split('::', 1)[0]).name} uses Neo4j: add it to conftest.ONE_PROCESS_MODULES "
                    "(under xdist those modules share one process)", pytrace=False)


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # optional: the suite also runs without xdist installed
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """xdist's scheduler by module (each module's fixtures made once), with ONE_PROCESS_MODULES one unit, sent
    out in the workers' collection order (that unit first). xdist's own ``--dist loadgroup`` cannot do it here:
    it marks a group by rewriting ``item._nodeid``, which pytest 9 no longer reads."""
    from xdist.scheduler import LoadScopeScheduling

    class OneProcessForNeo4j(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return ONE_PROCESS_GROUP if _one_process_module(nodeid) else nodeid.split("::", 1)[0]

    config.option.loadscopereorder = False
    return OneProcessForNeo4j(config, log)  # type: ignore[arg-type]


# --- one headless Chromium for every page test ---------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session (`shot` sets each test's window size). Defined here, not
    imported into each test module: an imported fixture is a separate definition per module, and each
    started its own browser."""
    from browser_support import new_browser

    drv = new_browser()
    try:
        yield drv
    finally:
        drv.quit()  # type: ignore[attr-defined]


# --- the Neo4j server for the integration tests --------------------------------------------------

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
ENV_VARS = ("NEO4J_URI", "NEO4J_USER", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"Neo4j server unavailable in CI: {reason}", pytrace=False)
    pytest.skip(f"Neo4j server unavailable: {reason}")


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator["srv.ServerStatus"]:
    """The running local server; started here (and stopped afterwards) only if nobody else started it."""
    from kgraph.neo4j import server as srv
    from kgraph.neo4j.connection import Neo4jServerError

    started_here = False
    try:
        st = srv.status()
        if not st.running:
            if os.environ.get("KGRAPH_NEO4J_AUTOSTART", "1") == "0":
                _unavailable(f"not running (home {st.home}) and KGRAPH_NEO4J_AUTOSTART=0")
            saved = os.environ.get("KGRAPH_NEO4J_JVM_OPTS")
            os.environ["KGRAPH_NEO4J_JVM_OPTS"] = SUITE_JVM_OPTS if saved is None else saved
            try:
                srv.start(wait=True, timeout=float(os.environ.get("KGRAPH_NEO4J_START_TIMEOUT", "300")))
            finally:
                _set_env({"KGRAPH_NEO4J_JVM_OPTS": saved})
            started_here = True
            st = srv.status()
    except Neo4jServerError as e:
        _unavailable(str(e))
    if st.version is None:
        _unavailable(f"running (pid {st.pid}) but not answering Bolt: {st.error}")
    yield st
    if started_here and os.environ.get("KGRAPH_NEO4J_KEEP") != "1":
        srv.stop()


# --- one private Neo4j server for the tests that need an empty database -------------------------


#: The suite's servers run their JVM with C1 alone (HotSpot's tiered compilation stopped at level 1: no C2
#: compiler threads): the private one, and the shared one when the suite starts it (here or in scripts/test.sh,
#: which reads this value). Measured alternated at load 13-19: a start 9.1-10.4 JVM CPU s instead of 15.8-16.5,
#: and even a load of the whole corpus's 328k triples 7.7-8.7 instead of 16.8-19.7 (C2's compiling is not paid
#: back in a server this short-lived). A server someone else started, and the benchmarks' servers, keep theirs.
SUITE_JVM_OPTS = "-XX:TieredStopAtLevel=1"


@dataclass(frozen=True)
class PrivateNeo4j:
    """The session's private server: its home, Bolt settings, ports, and the ``KGRAPH_NEO4J_*`` values that
    point kgraph (and the `kg` command) at it."""

    home: Path
    settings: "conn.ConnectionSettings"
    bolt: int
    http: int
    env: dict[str, str]


def _set_env(values: dict[str, str | None]) -> None:
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def private_neo4j_server() -> Iterator[PrivateNeo4j]:
    """A throwaway Neo4j (``srv.private_server``: own home under /tmp sharing the installed jars, own ports and
    credentials), launched the first time a module asks for it (``_launch_private_neo4j_early``: the first
    Neo4j module of a run that has tests using it) and stopped at the end of the session: one JVM start (tens
    of seconds) instead of one per module. It is launched without waiting for it: its JVM starts while the
    modules before the first that uses it run, and ``private_neo4j`` waits for it. The ``KGRAPH_NEO4J_*``
    variables point at it only while a module holding ``private_neo4j`` runs; use that fixture, not this one."""
    from browser_support import free_port

    from kgraph.neo4j import connection as conn
    from kgraph.neo4j import install
    from kgraph.neo4j import server as srv

    if not install.is_installed(install.neo4j_home()):
        if IN_CI:
            pytest.fail("Neo4j is not installed in CI (scripts/test.sh starts it)", pytrace=False)
        pytest.skip("Neo4j is not installed (kg neo4j start)")
    names = (*srv._PRIVATE_VARS, "KGRAPH_NEO4J_JVM_OPTS")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["KGRAPH_NEO4J_JVM_OPTS"] = SUITE_JVM_OPTS  # for each start of it (tests stop and restart it)
    try:
        with ExitStack() as stack:
            try:
                bolt, http = free_port(), free_port()
                home, settings = stack.enter_context(srv.private_server(bolt, http, wait=False,
                                                                        echo=lambda _m: None))
            except conn.Neo4jServerError as e:
                _unavailable(f"private server: {e}")
            env = {k: os.environ[k] for k in names}
            _set_env(saved)  # private_server set them for as long as it runs: only the modules using it see them
            try:
                yield PrivateNeo4j(home, settings, bolt, http, env)
            finally:
                _set_env(env)  # its stop() finds the server by them, then restores `saved` itself
    finally:
        _set_env({"KGRAPH_NEO4J_JVM_OPTS": saved["KGRAPH_NEO4J_JVM_OPTS"]})


def neo4j_delete_data(settings: "conn.ConnectionSettings") -> None:
    """Every node and relationship deleted; constraints and indexes kept."""
    from kgraph.neo4j import connection as conn

    with conn.driver(settings) as d, d.session(database=settings.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def neo4j_drop_schema(settings: "conn.ConnectionSettings") -> None:
    """Every constraint and index dropped but the built-in lookup indexes."""
    from kgraph.neo4j import connection as conn

    with conn.driver(settings) as d, d.session(database=settings.database) as session:
        for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name").data():
            session.run(f"DROP CONSTRAINT `{r['name']}`").consume()
        for r in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name").data():
            session.run(f"DROP INDEX `{r['name']}`").consume()


def wipe_neo4j(settings: "conn.ConnectionSettings") -> None:
    """Data and schema deleted: the state of a fresh server's database, which Community cannot make anew
    (no CREATE DATABASE)."""
    from kgraph.neo4j import connection as conn

    neo4j_delete_data(settings)
    neo4j_drop_schema(settings)
    with conn.driver(settings) as d:
        left = d.execute_query("MATCH (n) RETURN count(n) AS n", database_=settings.database)[0][0]["n"]
    assert left == 0


@pytest.fixture(scope="module")
def private_neo4j(private_neo4j_server: PrivateNeo4j) -> Iterator[PrivateNeo4j]:
    """The session's private server with an empty database for this module, and the ``KGRAPH_NEO4J_*``
    variables pointing at it while the module runs (restored after, so other modules reach the shared server).
    A module that stopped it (tests/test_neo4j_failures.py) leaves it running again; if not, it is started."""
    from kgraph.neo4j import connection as conn
    from kgraph.neo4j import server as srv

    p = private_neo4j_server
    saved = {k: os.environ.get(k) for k in p.env}
    _set_env(dict(p.env))
    try:
        try:
            if srv.running_pid(p.home) is None:
                srv.start(wait=True, timeout=300, home=p.home, echo=lambda _m: None)
            else:  # launched without waiting (or up already: one query)
                srv.wait_ready(p.home, p.settings, timeout=300)
        except conn.Neo4jServerError as e:
            _unavailable(f"private server: {e}")
        wipe_neo4j(p.settings)
        yield p
    finally:
        _set_env(saved)


_PRIVATE_USERS = pytest.StashKey[bool]()


@pytest.fixture(scope="module", autouse=True)
def _launch_private_neo4j_early(request: pytest.FixtureRequest) -> None:
    """At the first of the Neo4j modules (ONE_PROCESS_MODULES, one process under xdist), launch the private
    server if any test of the run uses it, without waiting: its JVM start (15 CPU s and more) then overlaps the
    modules on the shared server that come first (test_local_identity, test_local_plans), instead of holding
    up the first module that uses it. Only this process's modules count, so a run with no such test starts no
    JVM."""
    if not _one_process_module(request.node.nodeid):
        return
    config = request.config
    if _PRIVATE_USERS not in config.stash:
        config.stash[_PRIVATE_USERS] = any(
            {"private_neo4j", "private_neo4j_server"} & set(getattr(it, "fixturenames", ()))
            and _one_process_module(it.nodeid) for it in request.session.items)
    if config.stash[_PRIVATE_USERS]:
        try:
            request.getfixturevalue("private_neo4j_server")
        except (Exception, pytest.skip.Exception, pytest.fail.Exception):
            pass  # kept by pytest and raised again for the tests that use it, not charged to this module


# --- one build of data/ for the page and guide tests -----------------------------------------------


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: "Callable[[Path], None]") -> Path:
    """The folder `name` that `make` fills, made once per run and only read after: under xdist the first process
    to ask makes it in the run's temporary folder (shared by the processes) while the others wait on its lock,
    so a build both processes read costs its CPU once, not once per process. Without xdist, once per session."""
    import fcntl
    import shutil

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # pytest-N/, above each process's popen-gwN/
    folder, done = base / name, base / f"{name}.done"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():  # a process whose make failed left no mark: the next one makes it again
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def _build_copy_of_data(tmp_path_factory: pytest.TempPathFactory, name: str, *extra: Path) -> Path:
    """`kg build data --out out -q` on a copy of data/ plus the .txt files of `extra` folders (the document
    pages find their files where the build read them), once per run. Returns the build folder."""
    import shutil
    import subprocess

    def make(base: Path) -> None:
        shutil.copytree(ROOT / "data", base / "data")
        for folder in extra:
            for f in folder.glob("*.txt"):
                shutil.copy(f, base / "data" / f.name)
        r = subprocess.run([*KG, "build", "data", "--out", "out", "-q"], cwd=base, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr

    return once_per_run(tmp_path_factory, name, make) / "out"


@pytest.fixture(scope="session")
def data_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ built once per run (``once_per_run``); its readers (pages, served pages, the guide's
    load) change nothing in it."""
    return _build_copy_of_data(tmp_path_factory, "data-build")


@pytest.fixture(scope="session")
def two_provinces_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ plus tests/data/two_provinces (Kế hoạch 45/KH-UBND of tỉnh Sông Lam beside An Hòa's), built once."""
    return _build_copy_of_data(tmp_path_factory, "two-provinces", ROOT / "tests" / "data" / "two_provinces")


# --- one build of the shared corpus for every test that reads it --------------------------------

#: The IRI base of that build: test-only and unique per run, so a test loading it into the shared
#: Neo4j server can delete exactly what it loaded (tests/test_parity.py). The same in every xdist process of a
#: run (its test-run id), as the build is made once for all of them (``once_per_run``).
_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
CORPUS_BASE = f"https://kgraph.test/corpus-{_RUN_ID[:8]}/"
#: The corpus-wide checks (parity, streamed vs batch load, SHACL) run in the suite on every SUBSET_STEP-th
#: file of the corpus, and on all of it with KGRAPH_CORPUS=full (bench/corpus_full.py, which CI runs).
FULL_CORPUS = os.environ.get("KGRAPH_CORPUS", "").strip().lower() == "full"
SUBSET_STEP = 4
#: Added to the quarter: files whose graph holds what the quarter lacks and a check looks at (here the corpus's
#: only `kg:suspends`, a property the SHACL shapes constrain; every other shape and path has focus nodes in it).
SUBSET_EXTRA = ("congbao/chinh_sach_dn/nghi-quyet-so-15-2026-nq-cp-469344.txt",)
#: The subset build's own test-only base (what a test loaded under it is deleted by that base).
SUBSET_BASE = CORPUS_BASE.replace("/corpus-", "/subset-")


@pytest.fixture(scope="session")
def corpus_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kg build ../shared/corpus/congbao ../shared/corpus/laws` (graph files and Oxigraph store), made once
    per session for the corpus-wide checks under KGRAPH_CORPUS=full (bench/corpus_full.py); none changes it
    (12–30 s a build). The suite's own checks read ``corpus_checks_build``'s quarter instead."""
    from kgraph.build import build

    corpus = shared_path("corpus")
    out = tmp_path_factory.mktemp("corpus") / "build"
    res = build([str(corpus / "congbao"), str(corpus / "laws")], out, workers=os.cpu_count() or 1, base=CORPUS_BASE)
    assert res.summary["documents"] > 250
    return out


def corpus_checks_files() -> list[Path]:
    """The .txt files ``corpus_checks_build`` reads, in name order: all of congbao + laws under
    KGRAPH_CORPUS=full, else every SUBSET_STEP-th of them and SUBSET_EXTRA."""
    corpus = shared_path("corpus")
    files = sorted([*(corpus / "congbao").rglob("*.txt"), *(corpus / "laws").rglob("*.txt")])
    if FULL_CORPUS:
        return files
    extra = [corpus / f for f in SUBSET_EXTRA]
    assert all(f.is_file() for f in extra), extra
    return sorted(set(files[::SUBSET_STEP]) | set(extra))


@pytest.fixture(scope="session")
def corpus_checks_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build the corpus-wide checks read: the whole corpus (``corpus_build_dir``, base CORPUS_BASE) under
    KGRAPH_CORPUS=full, else every SUBSET_STEP-th file of congbao + laws in name order and SUBSET_EXTRA (whole
    documents, their own citations kept; base SUBSET_BASE), built once per run (``once_per_run``). Nobody
    changes it."""
    if FULL_CORPUS:
        return request.getfixturevalue("corpus_build_dir")
    from kgraph.build import build

    def make(folder: Path) -> None:
        res = build([str(f) for f in corpus_checks_files()], folder / "build", workers=os.cpu_count() or 1,
                    base=SUBSET_BASE)
        assert res.summary["documents"] > 60

    return once_per_run(tmp_path_factory, "corpus-subset", make) / "build"
