"""The model's JSON contract: `Extraction.to_dict` is `dataclasses.asdict` of its records, key order included."""

from __future__ import annotations

import json
from dataclasses import asdict

from conftest import shared_path

from kgraph import extract
from kgraph.model import Document, Extraction, Pinpoint, Reference, Signer


def _asdict_contract(e: Extraction) -> dict:
    """What `to_dict` gave when it was written with `asdict` (the contract `kg extract --format json` prints)."""
    out: dict = {}
    if e.source is not None:
        out["source"] = e.source
    if e.reader is not None:
        out["reader"] = e.reader
    out["document"] = asdict(e.document)
    out["references"] = [asdict(r) for r in e.references]
    return out


def _same(e: Extraction) -> None:
    got, want = e.to_dict(), _asdict_contract(e)
    assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)  # values and key order


def test_every_field_set_comes_out_as_asdict_gives_it() -> None:
    pins = [Pinpoint(article="4", clause="6", point="c", chapter="II"), Pinpoint(article="5")]
    ref = Reference(3, 30, "Nghị định số 163/2016/NĐ-CP", "numbered", "Nghị định", "NĐ", "163/2016/NĐ-CP", 2016,
                    "2016-12-21", "Chính phủ", "x", "amends", pins, "163/2016/NĐ-CP", "Sửa đổi ...", True, 2)
    doc = Document("1/2020/NĐ-CP", "Nghị định", "NĐ", "Chính phủ", "Hà Nội", "2020-01-01", "Về thử",
                   Signer("Nguyễn Văn An", "Thủ tướng", "TM."), ["Bộ Tài chính", "Lưu: VT"])
    e = Extraction(doc, [ref, Reference(0, 2, "x", "self")], source="a.txt", reader="docx")
    _same(e)
    d = e.to_dict()
    d["references"][0]["pinpoint"][0]["article"] = "9"
    d["references"][0]["pinpoint"].append({})
    assert ref.pinpoint[0].article == "4" and len(ref.pinpoint) == 2  # a copy, as asdict's


def test_corpus_extractions_come_out_as_asdict_gives_them() -> None:
    files = sorted(shared_path("corpus", "congbao").glob("*/*.txt"))[::40]
    assert files
    pinned = 0
    for f in files:
        e = extract(f.read_text("utf-8"), source=f.name)
        pinned += sum(1 for r in e.references if r.pinpoint)
        _same(e)
    assert pinned  # the sample holds pinpoints
