"""A package that installs (issue 12: `pip install` of the project, not editable, could not build or query:
ontology/ and queries/ were not package data; `kg query --list` printed nothing and exited 0).

Builds the wheel, installs it without its dependencies into a fresh virtual environment that sees the
dependencies of this one (never this checkout), and runs `kg build`, `kg query`, `kg validate` and `kg serve`
from another folder. Building the wheel needs setuptools from PyPI (or pip's cache) for the build backend.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dependency_dirs() -> list[str]:
    """The folders this environment's dependencies are imported from (none of them holds a kgraph package)."""
    dirs = []
    for mod in ("rdflib", "pyoxigraph", "click", "yaml", "spacy", "neo4j", "pyshacl", "networkx", "pypdfium2"):
        spec = importlib.util.find_spec(mod)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        d = origin.parent.parent if origin.name == "__init__.py" else origin.parent
        if str(d) not in dirs:
            assert not (d / "kgraph").exists(), f"{d} holds a kgraph package: the test would not test the wheel"
            dirs.append(str(d))
    return dirs


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"  # a clean copy of the project (symbolic links kept), so no build/ or egg-info leaks in
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", "test-artifacts", ".pytest_cache", "out", "*.so"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(src)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    wheel = next((base / "dist").glob("kgraph-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("kgraph/ontology/kgraph.ttl", "kgraph/ontology/shapes.ttl", "kgraph/queries/cited-by.rq",
                   "kgraph/queries/cited-by.cypher", "kgraph/browser/kgraph-guide.html", "kgraph/knowledge/relations.yaml",
                   "kgraph/views/static/cytoscape.min.js", "kgraph/views/static/kgraph.js"):
        assert needed in names, needed
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q", str(wheel)],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 and "no such option: --python" in r.stderr:  # pip < 22.3
        r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", site, str(wheel)],
                           capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    Path(site, "kgraph-test-deps.pth").write_text("\n".join(_dependency_dirs()) + "\n", encoding="utf-8")
    return env_dir


def run(env_dir: Path, *args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(env_dir / "bin" / "kg"), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def test_the_installed_package_is_the_wheel(installed: Path, tmp_path: Path) -> None:
    r = subprocess.run([str(installed / "bin" / "python"), "-c", "import kgraph, kgraph.paths as p; print(kgraph.__file__); "
                        "print(p.QUERIES_DIR.is_symlink()); from kgraph.catalog import namekey; "
                        "print(namekey.compiled())"], cwd=tmp_path, capture_output=True, text=True, check=True)
    where, linked, compiled = r.stdout.split()
    assert where.startswith(str(installed)) and linked == "False"
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    assert compiled == str(shutil.which(cc) is not None)  # the catalogue's C probe, built by the wheel's build


@pytest.fixture(scope="module")
def built(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ built by the installed `kg` from another folder, once for the tests that read the build (each
    `kg build` is an interpreter start and a build)."""
    base = tmp_path_factory.mktemp("wheel-build")
    shutil.copytree(ROOT / "data", base / "docs")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    r = run(installed, "build", str(base / "docs"), "--out", str(base / "b"), "-q", cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    return base / "b"


def test_build_query_validate_from_another_folder(installed: Path, built: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = run(installed, "query", "--list", cwd=elsewhere)
    assert listed.returncode == 0 and "cited-by X" in listed.stdout and "most-cited" in listed.stdout
    q = run(installed, "query", "cited-by", "Nghị định 163/2016", "--store", str(built), "--format", "json", cwd=elsewhere)
    assert q.returncode == 0, q.stderr
    assert len(q.stdout.splitlines()) == 4
    v = run(installed, "validate", "--store", str(built), cwd=elsewhere)
    assert v.returncode == 0 and "conforms" in v.stdout, v.stdout + v.stderr


def test_serve_from_another_folder(installed: Path, built: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    p = subprocess.Popen([str(installed / "bin" / "python"), "-c", "import sys; from kgraph.cli import main; sys.exit(main())",
                          "serve", "--store", str(built), "--bind", "127.0.0.1:0", "-q"],
                         cwd=tmp_path, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = p.stderr.readline()
        assert "http://127.0.0.1:" in line, line
        base = "http://127.0.0.1:" + line.split("http://127.0.0.1:")[1].split("/")[0]
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/instrument?q=" + urllib.parse.quote("Nghị định 163/2016"), timeout=30) as resp:
                    page = resp.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.3)
        assert "Nghị định 163/2016/NĐ-CP" in page and "Kế hoạch 45/KH-UBND" in page
        with urllib.request.urlopen(base + "/static/cytoscape.min.js", timeout=30) as resp:
            assert len(resp.read()) > 100_000
        with urllib.request.urlopen(base + "/neo4j/kgraph-guide.html", timeout=30) as resp:
            assert "<article class=\"guide\"" in resp.read().decode()
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(30)
