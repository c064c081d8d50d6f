"""The shipped catalogue is what scripts/build_catalog.py makes of its inputs today (issue 10).

A rebuild takes about 20-30 s on two cores, so it is done here: a change to the extractor, the knowledge
tables or the script that changes a fact, or a changed input in ../shared, fails until the file is rebuilt
(`python scripts/build_catalog.py`). The file's recorded digests are checked without ../shared.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, catalog_file, shared_path
from kgraph.catalog import shipped_path
from kgraph.catalog.canonical import canonical_lines, content_digest
from kgraph.catalog.write import Entry

SCRIPT = ROOT / "scripts" / "build_catalog.py"
NOTE = shipped_path().parent / "PROVENANCE.md"


def _meta(path: Path) -> dict[str, str]:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return dict(con.execute("SELECT key, value FROM meta"))
    finally:
        con.close()


def _note(what: str) -> str:
    m = re.search(rf"^\| {re.escape(what)}[^|]*\| `([^`]+)`", NOTE.read_text(encoding="utf-8"), re.M)
    assert m, f"{what!r} missing from the build block of {NOTE}"
    return m.group(1).strip()


def _script():
    spec = importlib.util.spec_from_file_location("build_catalog", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_catalog", mod)  # its dataclasses look their module up
    spec.loader.exec_module(sys.modules["build_catalog"])
    return mod


def test_the_digest_is_the_facts_not_the_row_order(tmp_path: Path) -> None:
    a = Entry("1/2020/QH14", "Luật", "Luật Thử nghiệm", date="2020-06-01",
              effects=[dict(kind="amended_by", other="2/2021/QH15", date="2022-01-01", src="text")])
    b = Entry("5/2019/NĐ-CP", "Nghị định", "Nghị định thử", date="2019-01-10")
    one = content_digest(catalog_file(tmp_path / "1.sqlite", [a, b]))
    other_order = content_digest(catalog_file(tmp_path / "2.sqlite", [b, a]))  # other row ids, same facts
    assert one == other_order
    a.effects[0]["date"] = "2022-07-01"
    assert content_digest(catalog_file(tmp_path / "3.sqlite", [b, a])) != one


def test_the_shipped_file_is_the_one_its_note_describes() -> None:
    shipped = shipped_path()
    meta = _meta(shipped)
    assert "built" not in meta  # a build date would make every rebuild differ
    assert content_digest(shipped) == meta["content_digest"] == _note("facts")
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == _note("file sha256")
    assert meta["inputs_digest"] == _note("inputs")
    assert meta["catalog_version"] == _note("catalogue version")


@pytest.mark.shared
def test_the_recorded_inputs_are_those_in_shared() -> None:
    shared = shared_path()
    mod = _script()
    digests = mod.input_digests(shared, texts=True)
    for k, v in digests.items():
        assert _note(f"input {k}") == v, f"{k} changed since the catalogue was built: rerun {SCRIPT.name}"
    assert mod.inputs_digest(digests, _meta(shipped_path())["status_judged_at"]) == _meta(shipped_path())[
        "inputs_digest"]


@pytest.mark.shared
def test_a_rebuild_gives_the_shipped_catalogue(tmp_path: Path) -> None:
    """Rebuilt from the same inputs with today's code: the same facts; with the same SQLite, the same bytes
    (the subprocess has its own hash seed, so set order cannot leak into the file)."""
    shipped, fresh = shipped_path(), tmp_path / "catalog.sqlite"
    subprocess.run([sys.executable, str(SCRIPT), "--shared", str(shared_path()), "--out", str(fresh),
                    "--no-note", "--today", _meta(shipped)["status_judged_at"]],
                   check=True, capture_output=True, text=True, timeout=600)
    if content_digest(fresh) != content_digest(shipped):
        old, new = set(canonical_lines(shipped)), set(canonical_lines(fresh))
        diff = [f"- {x[:200]}" for x in sorted(old - new)[:10]] + [f"+ {x[:200]}" for x in sorted(new - old)[:10]]
        pytest.fail(f"the shipped catalogue is stale ({len(old - new)} rows only in it, {len(new - old)} only in "
                    f"a rebuild): run python scripts/build_catalog.py\n" + "\n".join(diff))
    if sqlite3.sqlite_version in NOTE.read_text(encoding="utf-8"):
        assert fresh.read_bytes() == shipped.read_bytes()
