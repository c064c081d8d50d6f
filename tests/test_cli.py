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
