"""`kg extract` when an input is bad (issue 14, item 7): one line naming the file or the JSON line, the rest
goes on, exit status 1. Real processes with a timeout (stdout encoding and exit codes as a user gets them)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

KG = str(Path(sys.executable).with_name("kg"))
DOC = "Căn cứ Nghị định số 163/2016/NĐ-CP ngày 21 tháng 12 năm 2016 của Chính phủ;\n"


def kg(*args: str, stdin: bytes | None = None, cwd: Path | None = None, user: str | None = None) -> subprocess.CompletedProcess:
    cmd = [KG, *args]
    if user:
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            pytest.skip("needs root and setpriv to run as another user")
        cmd = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *cmd]
    p = subprocess.run(cmd, input=stdin, capture_output=True, cwd=cwd, timeout=120)
    p.stdout_text = p.stdout.decode("utf-8")  # type: ignore[attr-defined]
    p.stderr_text = p.stderr.decode("utf-8")  # type: ignore[attr-defined]
    return p


@pytest.fixture
def open_dir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="kg-failsafe-"))
    d.chmod(0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_unreadable_and_unsearchable_files_do_not_stop_the_batch(open_dir: Path) -> None:
    (open_dir / "a.txt").write_text(DOC, "utf-8")
    (open_dir / "secret.txt").write_text(DOC, "utf-8")
    (open_dir / "secret.txt").chmod(0o600)
    (open_dir / "locked").mkdir()
    (open_dir / "locked" / "b.txt").write_text(DOC, "utf-8")
    (open_dir / "locked").chmod(0o700)
    (open_dir / "z.txt").write_text(DOC, "utf-8")
    p = kg("extract", "--format", "json", "a.txt", "secret.txt", "locked/b.txt", "z.txt", cwd=open_dir, user="nobody")
    assert p.returncode == 1, p.stderr_text
    assert "Traceback" not in p.stderr_text
    objs = [json.loads(x) for x in p.stdout_text.splitlines()]
    assert [o["source"] for o in objs] == ["a.txt", "secret.txt", "locked/b.txt", "z.txt"]
    assert objs[1]["error"] == "permission denied" and objs[2]["error"] == "permission denied"
    assert objs[0]["references"] and objs[3]["references"]
    assert p.stderr_text.splitlines() == ["kg extract: secret.txt: permission denied",
                                          "kg extract: locked/b.txt: permission denied"]


def test_a_dangling_link_and_a_folder_are_named(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(DOC, "utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    p = kg("extract", "gone.txt", ".", "a.txt", cwd=tmp_path)
    assert p.returncode == 1
    assert "kg extract: gone.txt: broken symbolic link" in p.stderr_text
    assert "kg extract: .: is a directory" in p.stderr_text
    assert "163/2016/NĐ-CP" in p.stdout_text


def test_bad_jsonl_lines_are_named_and_good_lines_answered(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "good-1", "text": DOC}).encode(),
        b'{"id": "surrogate", "text": "Ngh\\ud800 \\u0111\\u1ecbnh"}',
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"id": "bad-byte", "text": "x"}).encode()[:-2] + b"\xff\"}",
        b'{"id": "\\udfff", "text": "ok"}',
        json.dumps({"id": "good-2", "text": DOC}).encode(),
    ]
    f = tmp_path / "in.jsonl"
    f.write_bytes(b"\n".join(lines) + b"\n")
    for args, stdin, name in ((["--jsonl", str(f)], None, str(f)), (["--jsonl", "-"], f.read_bytes(), "-")):
        p = kg("extract", *args, stdin=stdin)
        assert p.returncode == 1, p.stderr_text
        assert "Traceback" not in p.stderr_text
        objs = [json.loads(x) for x in p.stdout_text.splitlines()]
        assert len(objs) == 6
        assert objs[0]["id"] == "good-1" and objs[0]["references"]
        assert objs[5]["id"] == "good-2" and objs[5]["references"]
        assert objs[1]["id"] == "surrogate" and f"{name}:2: \"text\" holds a lone surrogate" in objs[1]["error"]
        assert f"{name}:3: JSON nested too deeply" == objs[2]["error"]
        assert f"{name}:4: not valid UTF-8" in objs[3]["error"]
        assert f"{name}:5: \"id\" holds a lone surrogate" in objs[4]["error"]
        assert len(p.stderr_text.splitlines()) == 4


def test_dash_reads_standard_input() -> None:
    p = kg("extract", "--format", "json", "-", stdin=DOC.encode())
    assert p.returncode == 0, p.stderr_text
    d = json.loads(p.stdout_text)
    assert d["source"] == "-" and d["references"][0]["number"] == "163/2016/NĐ-CP"
    p = kg("extract", "-", stdin=b"Ngh\xc3\x28 not utf-8")
    assert p.returncode == 1 and "kg extract: -: not valid UTF-8" in p.stderr_text
