"""The catalogue of national instruments: name keys, the shipped file's rows, resolution, the user's layer, CLI.

Real rows are checked against ../shared/corpus/catalog (the file the shipped catalogue was built from),
so a rebuilt catalogue that drifted from its sources fails here.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.catalog import Ambiguous, Catalog, CatalogError, Match, cited_name, name_key, resolve_name
from kgraph.catalog.write import Entry
from kgraph.cli import main

from conftest import ROOT, catalog_file, shared_path


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return Catalog(user=False)


def _jsonl(name: str) -> list[dict]:
    p = shared_path("corpus", "catalog", name)
    return [json.loads(line) for line in p.open(encoding="utf-8") if line.strip()]


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize("a,b", [
    ("Luật Phòng, chống rửa tiền", "LUẬT PHÒNG CHỐNG RỬA TIỀN"),
    ("Luật Khoa học và Công nghệ", "Luật khoa học, công nghệ"),
    ("Luật Hoá chất", "Luật Hóa chất"),  # old and new tone-mark placement
    ("Luật Thuỷ lợi", "Luật Thủy lợi"),
    ("Luật Sỹ quan Quân đội nhân dân Việt Nam", "Luật Sĩ quan quân đội nhân dân"),
    ("Bộ luật Hàng hải Việt Nam", "Bộ luật hàng hải"),
    ("Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam", "Hiến pháp"),
    ("Luật sửa đổi, bổ sung một số điều của Luật Đất đai năm 2013", "Luật Sửa đổi, bổ sung Luật đất đai"),
])
def test_name_keys_agree_across_writings(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize("a,b", [
    ("Luật Thi đua, khen thưởng", "Luật Thi đua"),
    ("Luật Thuế thu nhập cá nhân", "Luật Thuế thu nhập doanh nghiệp"),
    ("Luật Thương mại", "Luật Thương mại điện tử"),
    ("Luật Đất đai", "Luật sửa đổi, bổ sung một số điều của Luật Đất đai"),  # the amending law is another law
])
def test_name_keys_keep_different_laws_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize("text,year,date,number", [
    ("Luật Phòng, chống rửa tiền ngày 15 tháng 11 năm 2022", 2022, "2022-11-15", None),
    ("Luật Phòng, chống rửa tiền năm 2022", 2022, None, None),
    ("Luật Phòng, chống rửa tiền (2022)", 2022, None, None),
    ("Luật Phòng, chống rửa tiền ngày 15/11/2022 của Quốc hội", 2022, "2022-11-15", None),
    ("Luật Phòng, chống rửa tiền số 14/2022/QH15 ngày 15 tháng 11 năm 2022", 2022, "2022-11-15", "14/2022/QH15"),
    ("Luật Phòng, chống rửa tiền", None, None, None),
])
def test_cited_name_splits_the_tail(text: str, year: int | None, date: str | None, number: str | None) -> None:
    cn = cited_name(text)
    assert (cn.key, cn.year, cn.date, cn.number) == ("luật phòng chống rửa tiền", year, date, number)


# ----------------------------------------------------------------------------- the shipped file, real rows


@pytest.mark.shared
def test_shipped_rows_match_their_source(cat: Catalog) -> None:
    """Instruments only the pháp điển knows keep its number, type, date and entry into force."""
    shipped = {}
    for r in _jsonl("phapdien.jsonl")[:4000:37]:
        if not r["number"] or r["stub"] or r["type"] in ("Luật", "Bộ luật", "Pháp lệnh"):
            continue
        hits = [i for i in cat.by_number(r["number"]) if i.type == r["type"]]
        if hits and "phapdien" in (hits[0].prov or "") and "date=phapdien" in hits[0].prov:
            shipped[r["number"]] = (hits[0], r)
    assert len(shipped) > 50
    for number, (i, r) in shipped.items():
        assert (i.date, i.effective) == (r["date"], r["effective"]), number


@pytest.mark.shared
def test_money_laundering_law_resolves_by_name_and_date(cat: Catalog) -> None:
    rows = [r for r in _jsonl("laws-merged.jsonl") if r["number"] == "14/2022/QH15"]
    assert rows and rows[0]["title"] == "Luật Phòng, chống rửa tiền"  # the data says so before we rely on it
    for text in ("Luật Phòng, chống rửa tiền ngày 15 tháng 11 năm 2022", "Luật phòng, chống rửa tiền năm 2022",
                 "LUẬT PHÒNG, CHỐNG RỬA TIỀN (2022)"):
        m = resolve_name(text, catalog=cat)
        assert isinstance(m, Match), text
        assert m.number == "14/2022/QH15"
    assert resolve_name("Luật Phòng, chống rửa tiền năm 2012", catalog=cat) is None  # that was another law


@pytest.mark.shared
def test_amending_law_and_code_resolve(cat: Catalog) -> None:
    m = resolve_name("Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền "
                     "địa phương ngày 22 tháng 11 năm 2019", catalog=cat)
    assert isinstance(m, Match) and m.number == "47/2019/QH14"
    m = resolve_name("Bộ luật Lao động ngày 20 tháng 11 năm 2019", catalog=cat)
    assert isinstance(m, Match) and m.number == "45/2019/QH14"


@pytest.mark.shared
def test_bare_names_resolve_only_when_the_dates_leave_no_doubt(cat: Catalog) -> None:
    bare = resolve_name("Luật Đất đai", catalog=cat)  # no citing date: two or more laws of that name
    assert isinstance(bare, Ambiguous) and {"45/2013/QH13", "31/2024/QH15"} <= set(bare.numbers)
    m = resolve_name("Luật Đất đai", at="2020-05-01", catalog=cat)
    assert isinstance(m, Match) and m.number == "45/2013/QH13"
    # the 2019 Labour Code was passed, not yet in force: a document of March 2020 may mean either
    amb = resolve_name("Bộ luật Lao động", at="2020-03-01", catalog=cat)
    assert isinstance(amb, Ambiguous) and "not yet in force" in amb.reason
    m = resolve_name("Bộ luật Lao động", at="2022-01-01", catalog=cat)
    assert isinstance(m, Match) and m.number == "45/2019/QH14"


@pytest.mark.shared
def test_a_law_and_a_resolution_share_a_number(cat: Catalog) -> None:
    types = sorted(i.type for i in cat.by_number("55/2010/QH12"))
    assert types == ["Luật", "Nghị quyết"]


@pytest.mark.shared
def test_provenance_and_disagreements_are_kept(cat: Catalog) -> None:
    """Luật Bình đẳng giới: the website's header says 29/6/2006; its closing line says passed 29/11/2006."""
    (i,) = cat.by_number("73/2006/QH11")
    assert i.date == "2006-11-29"
    d = cat.details(i)
    chosen = {f["field"]: f["src"] for f in d.facts if f["chosen"]}
    assert chosen["date"] == "text"
    assert {"field": "date", "value": "2006-06-29", "src": "text-header", "chosen": False} in d.facts


@pytest.mark.shared
def test_effects_from_own_texts_date_the_end_of_force(cat: Catalog) -> None:
    """Bộ luật Lao động 2019 says the 2012 code ends when it takes effect (1 January 2021)."""
    (old,) = cat.by_number("10/2012/QH13")
    assert old.status == "no_longer_in_force" and old.no_longer == "2021-01-01"
    effects = cat.details(old).effects
    assert any(e["kind"] == "repealed_by" and e["other"] == "45/2019/QH14" and e["src"] == "text" for e in effects)
    assert old.in_force_at("2021-06-30") is False
    assert old.in_force_at("2020-06-30") is None  # its entry into force is not in the catalogue: not guessed
    (new,) = cat.by_number("45/2019/QH14")
    assert new.in_force_at("2020-06-30") is False and new.in_force_at("2021-06-30") is True


def test_shipped_file_is_small_and_versioned(cat: Catalog) -> None:
    meta = cat.meta()
    assert meta["schema_version"] == "1" and meta["catalog_version"]
    assert cat.shipped.stat().st_size < 6_000_000
    assert {s[0] for s in cat.sources()} >= {"text", "phapdien", "luatvietnam", "ansvar"}


# ----------------------------------------------------------------------------- ambiguity, synthetic


def _tiny(tmp_path: Path, entries: list[Entry]) -> Path:
    return catalog_file(tmp_path / "tiny.sqlite", entries)


def test_two_instruments_of_one_name_and_year_stay_unresolved(tmp_path: Path) -> None:
    p = _tiny(tmp_path, [
        Entry("1/2020/QH14", "Luật", "Luật Thử nghiệm", date="2020-06-01", effective="2021-01-01"),
        Entry("9/2020/QH14", "Luật", "Luật Thử nghiệm", date="2020-11-20", effective="2021-07-01"),
        Entry("5/2010/QH12", "Luật", "Luật Thử nghiệm", date="2010-06-01", effective="2011-01-01"),
    ])
    c = Catalog(shipped=p, user=False)
    r = resolve_name("Luật Thử nghiệm năm 2020", catalog=c)
    assert isinstance(r, Ambiguous) and sorted(r.numbers) == ["1/2020/QH14", "9/2020/QH14"]
    r = resolve_name("Luật Thử nghiệm ngày 20 tháng 11 năm 2020", catalog=c)
    assert isinstance(r, Match) and r.number == "9/2020/QH14"
    assert isinstance(resolve_name("Luật Thử nghiệm", at="2022-01-01", catalog=c), Ambiguous)  # same year twice
    r = resolve_name("Luật Thử nghiệm", at="2015-01-01", catalog=c)
    assert isinstance(r, Match) and r.number == "5/2010/QH12"
    assert resolve_name("Luật Thử nghiệm", at="2009-01-01", catalog=c) is None


def test_key_cache_is_bounded(tmp_path: Path) -> None:
    p = _tiny(tmp_path, [Entry(f"{n}/2020/QH14", "Luật", f"Luật Số {n} thử", date="2020-06-01") for n in range(1, 60)])
    c = Catalog(shipped=p, user=False, cache_size=10)
    for n in range(1, 60):
        assert len(c.by_name(f"Luật Số {n} thử")) == 1
    assert len(c._cache) <= 10


def test_a_cached_answer_is_kept_untracked_and_answers_as_a_match_made_whole(tmp_path: Path) -> None:
    """The answer cache keeps a match on one record as plain values the garbage collector does not walk; the
    Match given back (its instrument made at the first read) shows, compares and pickles as one made whole."""
    import gc
    import pickle
    from dataclasses import FrozenInstanceError

    p = _tiny(tmp_path, [Entry("5/2020/QH14", "Luật", "Luật Thử nghiệm", date="2020-06-01", effective="2021-01-01",
                               status="in_force")])
    c = Catalog(shipped=p, user=False)
    name = "Luật Thử nghiệm năm 2020"
    assert resolve_name(name, catalog=c).number == "5/2020/QH14"
    gc.collect()
    gc.collect()  # the record is untracked at the first pass, the pair holding it at the next
    assert not gc.is_tracked(c.resolved[name])
    lazy = resolve_name(name, catalog=c)  # from the cache, its instrument not made yet
    whole = Match("5/2020/QH14", c.by_name("Luật Thử nghiệm")[0], "name and year")
    assert lazy == whole and repr(lazy) == repr(whole) and lazy.note is None
    assert lazy.instrument.title == "Luật Thử nghiệm" and lazy.instrument is lazy.instrument
    assert resolve_name(name, catalog=c) is lazy  # asked again: the Match is kept
    assert pickle.loads(pickle.dumps(lazy)) == whole
    with pytest.raises(FrozenInstanceError):
        lazy.number = "6/2020/QH14"  # type: ignore[misc]
    bare = resolve_name("Luật Thử nghiệm", at="2022-01-01", catalog=c)
    assert bare == Match("5/2020/QH14", whole.instrument, "the only instrument of this name issued before the citing date")


def test_another_schema_version_is_refused(tmp_path: Path) -> None:
    p = _tiny(tmp_path, [])
    con = sqlite3.connect(p)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(CatalogError, match="schema 99"):
        Catalog(shipped=p, user=False)


# ----------------------------------------------------------------------------- CLI and the user's layer

MINE = """number,type,title,issuer,date,effective,status
120/KH-UBND,Kế hoạch,Kế hoạch thực hiện Chỉ thị số 13/CT-TTg,Ủy ban nhân dân tỉnh Lạng Sơn,10/07/2018,,
14/2022/QH15,Luật,Luật Phòng chống rửa tiền,Quốc hội,2022-11-16,,
99/2022/QH15,Luật,Luật Phòng chống rửa tiền,Quốc hội,2022-11-15,,
abc,Luật,X,,2020-01-01,,
15/2020/QĐ-UBND,,Quyết định ban hành quy chế,UBND tỉnh Hà Tĩnh,2020-02-30,,
"""


@pytest.mark.shared
def test_cli_add_search_show_with_conflicts(tmp_path: Path) -> None:
    user = tmp_path / "user.sqlite"
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text(MINE, encoding="utf-8")
    run = CliRunner().invoke
    env = {"KGRAPH_CATALOG": str(user)}
    r = run(main, ["catalog", "add", str(csv_file)], env=env)
    assert r.exit_code == 1, r.output  # conflicts and invalid rows are not silent
    assert "14/2022/QH15: conflict: date 2022-11-16 (yours) vs 2022-11-15 (shipped catalogue" in r.output
    assert "99/2022/QH15: conflict: the name 'Luật Phòng chống rửa tiền' (2022) is 14/2022/QH15" in r.output
    assert "abc: invalid: number 'abc'" in r.output and "'2020-02-30' is not a real day" in r.output
    assert "1 added, 0 overriding the catalogue, 0 already known, 2 conflicts, 2 invalid" in r.output
    r = run(main, ["catalog", "search", "120/KH-UBND"], env=env)
    assert "Kế hoạch thực hiện Chỉ thị số 13/CT-TTg" in r.output and "[user]" in r.output
    r = run(main, ["catalog", "show", "120/KH-UBND"], env=env)
    assert r.exit_code == 0 and "2018-07-10   [user:mine.csv]" in r.output
    r = run(main, ["catalog", "show", "14/2022/QH15"], env=env)  # the shipped row is untouched
    assert "2022-11-15" in r.output and "[user]" not in r.output
    r = run(main, ["catalog", "add", str(csv_file)], env=env)
    assert "0 added, 0 overriding the catalogue, 1 already known, 2 conflicts" in r.output
    r = run(main, ["catalog", "add", str(csv_file), "--override"], env=env)
    assert "2 overriding the catalogue" in r.output
    r = run(main, ["catalog", "show", "14/2022/QH15", "--format", "json"], env=env)
    row = json.loads(r.output.splitlines()[0])
    assert (row["date"], row["layer"]) == ("2022-11-16", "user")
    # now two numbers carry that name and year: a citation of it is ambiguous, not guessed
    r = run(main, ["catalog", "resolve", "Luật Phòng, chống rửa tiền năm 2022"], env=env)
    assert r.exit_code == 1 and "ambiguous" in r.output and "99/2022/QH15" in r.output


@pytest.mark.shared
def test_cli_add_from_build(tmp_path: Path) -> None:
    src = shared_path("corpus", "congbao")
    files = sorted(src.rglob("*.txt"))[:2]
    kg = [sys.executable, "-c", "import sys; from kgraph.cli import main; sys.exit(main())"]
    out = tmp_path / "out"
    subprocess.run([*kg, "build", *map(str, files), "--out", str(out), "-q"], check=True, cwd=ROOT,
                   capture_output=True)
    user = tmp_path / "user.sqlite"
    r = CliRunner().invoke(main, ["catalog", "add", "--from-build", str(out)], env={"KGRAPH_CATALOG": str(user)})
    assert r.exit_code == 0, r.output
    added = int(r.output.split(" added")[0].split()[-1])
    known = int(r.output.split(" already known")[0].split()[-1])
    assert added + known == 2
    c = Catalog(user=user)
    for f in files:
        number = json.loads(subprocess.run([*kg, "extract", str(f), "--format", "json"], capture_output=True,
                                           text=True, cwd=ROOT).stdout)["document"]["number"]
        assert c.by_number(number), number
