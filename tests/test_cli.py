"""The `kg extract` contract other tools rely on: formats, keys, offsets, errors, exit status."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kgraph.cli import main

DOC = (
    "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN\n\nSố: 12/KH-UBND\n\nLạng Sơn, ngày 02 tháng 3 năm 2020\n\n"
    "KẾ HOẠCH\nTriển khai Chỉ thị số 16/CT-TTg\n\n"
    "Thực hiện Chỉ thị số 16/CT-TTg ngày 31/3/2020 của Thủ tướng Chính phủ; căn cứ điểm c khoản 6 "
    "Điều 4 Nghị định số 163/2016/NĐ-CP, Ủy ban nhân dân tỉnh ban hành Kế hoạch này.\n"
)
REF_KEYS = {"start", "end", "text", "kind", "type", "type_code", "number", "year", "date", "issuer", "name",
            "relation", "pinpoint", "target"}
DOC_KEYS = {"number", "type", "type_code", "issuer", "place", "date", "title", "signer", "recipients"}


def run(args, **kw):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kw)


def test_json_contract(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_text(DOC, encoding="utf-8")
    r = run(["extract", str(f), "--format", "json"])
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert obj["source"] == str(f)
    assert DOC_KEYS <= set(obj["document"])
    assert set(obj["document"]["signer"]) == {"name", "title", "mode"}
    refs = [x for x in obj["references"] if x["kind"] != "self"]
    assert refs and all(REF_KEYS <= set(x) for x in refs)
    for x in refs:
        assert DOC[x["start"] : x["end"]] == x["text"]  # offsets into the input as given
    ct = [x for x in refs if x["number"] == "16/CT-TTg" and x["date"]]
    assert ct and ct[0]["year"] == 2020 and ct[0]["relation"] == "implements"
    nd = [x for x in refs if x["number"] == "163/2016/NĐ-CP"][0]
    assert nd["pinpoint"] == [{"article": "4", "clause": "6", "point": "c", "chapter": None}]
    assert nd["name"] is None  # absent values are null, not missing


def test_jsonl_keeps_ids(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(
        json.dumps({"id": "a", "text": "Căn cứ Luật Đất đai năm 2013;"}, ensure_ascii=False) + "\n"
        + "not json\n"
        + json.dumps({"id": 7, "text": "Bãi bỏ Thông tư số 10/2020/TT-BLĐTBXH."}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    r = run(["extract", "--jsonl", str(f)])
    assert r.exit_code == 1  # one bad line: the batch goes on, the status says something failed
    objs = [json.loads(x) for x in r.stdout.strip().splitlines()]
    assert [o.get("id") for o in objs] == ["a", None, 7]
    assert objs[0]["references"][0]["name"] == "Luật Đất đai" and objs[0]["references"][0]["year"] == 2013
    assert "not JSON" in objs[1]["error"] and ":2:" in objs[1]["error"]
    assert objs[2]["references"][0]["relation"] == "repeals"


def test_bad_files_are_named_and_the_batch_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(DOC, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "x.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Nghị định".encode("cp1258", errors="replace") + b"\xff\xfe")
    missing = tmp_path / "missing.txt"
    r = run(["extract", "--format", "json", str(empty), str(binary), str(latin), str(missing), str(tmp_path), str(good)])
    assert r.exit_code == 1
    objs = [json.loads(x) for x in r.stdout.strip().splitlines()]
    assert [o["source"] for o in objs] == [str(empty), str(binary), str(latin), str(missing), str(tmp_path), str(good)]
    errors = [o.get("error") for o in objs]
    assert "empty" in errors[0] and "damaged PDF" in errors[1] and "UTF-8" in errors[2]  # format by content
    assert "no such file" in errors[3] and "directory" in errors[4] and errors[5] is None
    assert objs[5]["references"]
    for p in (empty, binary, latin, missing):
        assert str(p) in r.stderr


def test_table_is_readable(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_text(DOC, encoding="utf-8")
    r = run(["extract", str(f)])
    assert r.exit_code == 0
    assert "163/2016/NĐ-CP" in r.output and "implements" in r.output and "điểm c khoản 6 Điều 4" in r.output


def test_html_input_is_reduced_to_text(tmp_path):
    f = tmp_path / "page.html"
    f.write_text(
        "<html><head><style>p{}</style><script>var s='Nghị định số 1/2000/NĐ-CP';</script></head>"
        "<body><div>Căn cứ <b>Nghị định số 163/2016/NĐ-CP</b> của Chính phủ;</div></body></html>",
        encoding="utf-8",
    )
    r = run(["extract", str(f), "--format", "json"])
    refs = json.loads(r.output)["references"]
    assert [x["number"] for x in refs] == ["163/2016/NĐ-CP"]  # nothing from the script
    assert refs[0]["relation"] == "based_on"


def test_no_input_is_a_usage_error():
    r = CliRunner().invoke(main, ["extract"])
    assert r.exit_code == 2


def test_input_error_survives_pickling():
    """Workers send errors back to the build: the error must cross a process boundary intact."""
    import pickle

    from kgraph.reader import InputError

    e = pickle.loads(pickle.dumps(InputError("a.txt", "empty file")))
    assert (e.source, e.problem, str(e)) == ("a.txt", "empty file", "a.txt: empty file")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code` (this interpreter, this kgraph)."""
    import subprocess
    import sys

    probe = f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return set(json.loads(r.stdout.splitlines()[-1]))


#: What a `kg` command loads only when it runs the command that needs it (the extractor with its tables and
#: patterns, the RDF and Neo4j libraries, the store): each cost every `kg` process its import time before.
HEAVY = ("kgraph.extract", "kgraph.knowledge", "kgraph.link.corpus", "kgraph.catalog.store", "kgraph.neo4j.server",
         "rdflib", "neo4j", "pyoxigraph", "yaml")


def test_the_cli_loads_no_command_s_work_until_it_runs():
    loaded = _modules_after("import kgraph.cli")
    assert "kgraph.cli_graph" in loaded and "click" in loaded  # the probe sees the imports it made
    assert not sorted(m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY)), loaded
    helped = _modules_after("import sys; from kgraph.cli import main\ntry:\n main(['--help'])\nexcept SystemExit:\n pass")
    assert not sorted(m for m in helped if m.startswith(HEAVY))
    extracted = _modules_after("from kgraph.cli import main\ntry:\n main(['extract', '--help'])\nexcept SystemExit:\n pass")
    assert "kgraph.extract" not in extracted


def test_the_public_names_are_the_same_objects():
    """`kgraph.extract` is the function (as it was when kgraph/__init__ imported it), though loaded on first use
    and though importing the submodule `kgraph.extract.header` binds that name on the package."""
    import kgraph
    import kgraph.extract.header  # noqa: F401
    from kgraph import Document, Extraction, Pinpoint, Reference, Signer, extract
    from kgraph import model
    from kgraph.extract import extract as the_function

    assert extract is the_function and kgraph.extract is the_function
    assert (Document, Extraction, Pinpoint, Reference, Signer) == (
        model.Document, model.Extraction, model.Pinpoint, model.Reference, model.Signer)
    assert extract(DOC).document.number == "12/KH-UBND"
    assert set(kgraph.__all__) <= set(dir(kgraph))
    import pytest

    with pytest.raises(AttributeError):
        kgraph.no_such_name  # noqa: B018


def test_the_link_package_names_load_on_use():
    from kgraph import link
    from kgraph.link import keys, resolved

    assert link.resolve is resolved.resolve and link.DEFAULT_BASE == keys.DEFAULT_BASE
    assert all(getattr(link, n) is not None for n in link.__all__)


def test_build_s_base_default_is_the_link_layer_s():
    """`kg build --base` writes the default out (importing kgraph.link.keys would load the YAML tables)."""
    from kgraph.cli_graph import build_cmd
    from kgraph.link.keys import DEFAULT_BASE

    (base,) = [p for p in build_cmd.params if p.name == "base"]
    assert base.default == DEFAULT_BASE


def test_the_neo4j_driver_comes_without_numpy_which_stays_importable():
    """`kg load` and the other Neo4j commands import the driver without numpy (which spaCy installs): the driver
    imports it only to accept arrays as values, and it was a third of a `kg load` process's start-up. Whoever
    imports numpy afterwards gets it. The loader reads no YAML table either, so PyYAML is not imported."""
    make = ("from kgraph.neo4j import connection, stream\n"
            "connection.driver(connection.ConnectionSettings('bolt://127.0.0.1:9', 'neo4j', 'x'), verify=False).close()")
    loaded = _modules_after(make)
    assert "neo4j" in loaded and "kgraph.neo4j.stream" in loaded  # the probe saw the driver made
    assert not sorted(m for m in loaded if m.split(".")[0] in ("numpy", "pandas", "pyarrow", "yaml")), loaded
    assert "numpy" in _modules_after(make + "\nimport numpy\nassert numpy.zeros(2).sum() == 0")
