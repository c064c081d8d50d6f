"""Shared test fixtures: where ../shared is, and skipping only when it is absent (a user's clone)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kgraph.neo4j import server as srv

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KGRAPH_SHARED") or ROOT.parent / "shared")  # a worktree may point elsewhere


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when ../shared is absent (CI fails earlier if it is)."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail("../shared is missing in CI")
        pytest.skip("../shared is absent")
    return SHARED.joinpath(*parts)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return shared_path()


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
            srv.start(wait=True, timeout=float(os.environ.get("KGRAPH_NEO4J_START_TIMEOUT", "300")))
            started_here = True
            st = srv.status()
    except Neo4jServerError as e:
        _unavailable(str(e))
    if st.version is None:
        _unavailable(f"running (pid {st.pid}) but not answering Bolt: {st.error}")
    yield st
    if started_here and os.environ.get("KGRAPH_NEO4J_KEEP") != "1":
        srv.stop()


# --- one build of data/ for the page and guide tests -----------------------------------------------


def _build_copy_of_data(tmp_path_factory: pytest.TempPathFactory, name: str, *extra: Path) -> Path:
    """`kg build data --out out -q` on a copy of data/ plus the .txt files of `extra` folders (the document
    pages find their files where the build read them). Returns the build folder."""
    import shutil
    import subprocess
    import sys

    base = tmp_path_factory.mktemp(name)
    shutil.copytree(ROOT / "data", base / "data")
    for folder in extra:
        for f in folder.glob("*.txt"):
            shutil.copy(f, base / "data" / f.name)
    kg = [sys.executable, "-c", "import sys; from kgraph.cli import main; sys.exit(main())"]
    r = subprocess.run([*kg, "build", "data", "--out", "out", "-q"], cwd=base, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return base / "out"


@pytest.fixture(scope="session")
def data_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ built once per session; its readers (pages, served pages, the guide's load) change nothing in it."""
    return _build_copy_of_data(tmp_path_factory, "data-build")


@pytest.fixture(scope="session")
def two_provinces_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ plus tests/data/two_provinces (Kế hoạch 45/KH-UBND of tỉnh Sông Lam beside An Hòa's), built once."""
    return _build_copy_of_data(tmp_path_factory, "two-provinces", ROOT / "tests" / "data" / "two_provinces")


# --- one build of the shared corpus for every test that reads it --------------------------------

#: The IRI base of that build: test-only and unique per run, so a test loading it into the shared
#: Neo4j server can delete exactly what it loaded (tests/test_parity.py).
CORPUS_BASE = f"https://kgraph.test/corpus-{uuid.uuid4().hex[:8]}/"


@pytest.fixture(scope="session")
def corpus_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kg build ../shared/corpus/congbao ../shared/corpus/laws` (graph files and Oxigraph store), made once
    per session: the query and streaming tests read it, and the parity tests under KGRAPH_PARITY=full
    (bench/parity_full.py); none changes it (12–30 s a build)."""
    from kgraph.build import build

    corpus = shared_path("corpus")
    out = tmp_path_factory.mktemp("corpus") / "build"
    res = build([str(corpus / "congbao"), str(corpus / "laws")], out, workers=os.cpu_count() or 1, base=CORPUS_BASE)
    assert res.summary["documents"] > 250
    return out
