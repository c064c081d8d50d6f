"""Safe loads (issue 12: `kg load` of a second build deleted the first build's 5,217 nodes without a word, because
prune was on by default and every build shares one base IRI). On the session's private Neo4j server (conftest
``private_neo4j``: an empty database for this module), through the `kg load` command as users run it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import KG, PrivateNeo4j

pytestmark = pytest.mark.neo4j
ROOT = Path(__file__).resolve().parents[1]

OTHER = """BỘ TÀI CHÍNH
Số: 12/2024/TT-BTC
Hà Nội, ngày 05 tháng 3 năm 2024

THÔNG TƯ
Hướng dẫn quản lý kinh phí

Căn cứ Nghị định số 87/2017/NĐ-CP ngày 26 tháng 7 năm 2017 của Chính phủ;
Thông tư này thay thế Thông tư số 46/2014/TT-BTC.
"""


def kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KG, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def server(private_neo4j: PrivateNeo4j) -> None:
    """The session's private server, empty, with `kg` pointed at it (KGRAPH_NEO4J_*) while this module runs."""


def count_nodes() -> int:
    import neo4j

    from kgraph.neo4j.connection import connection_settings

    s = connection_settings()
    with neo4j.GraphDatabase.driver(s.uri, auth=(s.user, s.password)) as d:
        return d.execute_query("MATCH (n:Resource) RETURN count(n) AS n").records[0]["n"]


def test_a_load_never_deletes_another_builds_nodes_unless_asked(server, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(ROOT / "data", a / "docs")
    (b / "docs").mkdir(parents=True)
    (b / "docs" / "tt-12.txt").write_text(OTHER, encoding="utf-8")
    for d in (a, b):
        assert kg("build", "docs", "--out", "out", "-q", cwd=d).returncode == 0

    first = kg("load", "out", cwd=a)
    assert first.returncode == 0, first.stderr
    assert "did not finish" not in first.stderr and "Deleting" not in first.stderr
    n_a = count_nodes()

    # the same build, one document fewer: its own nodes go, and it says so before
    (a / "docs" / "bc-77-bc-ubnd-2024-an-hoa.txt").unlink()
    assert kg("build", "docs", "--out", "out", "-q", cwd=a).returncode == 0
    again = kg("load", "out", cwd=a)
    assert again.returncode == 0, again.stderr
    assert "Deleting " in again.stderr and "77_BC-UBND" in again.stderr
    n_a2 = count_nodes()
    assert n_a2 < n_a

    # another build: refused, nothing deleted, the message says how many and whose
    other = kg("load", "out", cwd=b)
    assert other.returncode != 0
    assert str((a / "out").resolve()) in other.stderr and "--prune" in other.stderr and "--no-prune" in other.stderr
    assert "nothing was changed" in other.stderr
    assert count_nodes() == n_a2

    # beside it, when asked
    beside = kg("load", "out", "--no-prune", cwd=b)
    assert beside.returncode == 0, beside.stderr
    n_both = count_nodes()
    assert n_both > n_a2

    # instead of it, when asked: announced, then done
    instead = kg("load", "out", "--prune", cwd=b)
    assert instead.returncode == 0, instead.stderr
    assert "Deleting " in instead.stderr
    n_b = count_nodes()
    assert n_b < n_both
    assert kg("load", "out", cwd=b).stdout.startswith("Nothing to do")  # its own graph again: nothing deleted
    assert count_nodes() == n_b
