"""The compact name index (kgraph/catalog/compact.py) answers as the rows do: a key's instruments with the
fields resolution decides on, the rest read on demand; a hash shared by two keys never confuses them; a stored
index that no longer fits the file's rows is not used."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

from kgraph.catalog import Catalog, resolve_name
from kgraph.catalog.compact import Lookup
from kgraph.catalog.write import Entry, create, write_entry

from conftest import catalog_file

# crc32("plumless") == crc32("buckeroo"), and a shared prefix keeps the equality
assert __import__("zlib").crc32("luật plumless".encode()) == __import__("zlib").crc32("luật buckeroo".encode())


def _law(n: int, title: str, date: str, **kw: str) -> Entry:
    return Entry(number=f"{n}/{date[:4]}/QH13", type="Luật", title=title, issuer="Quốc hội", date=date,
                 effective=kw.get("effective", f"{int(date[:4]) + 1}-01-01"), status=kw.get("status", "in_force"),
                 status_basis=kw.get("basis"), no_longer=kw.get("no_longer"), src="test")


ENTRIES = [
    _law(1, "Luật Plumless", "2010-05-01", no_longer="2016-01-01", status="no_longer_in_force"),
    _law(2, "Luật Plumless", "2015-06-20"),
    _law(3, "Luật Đất đai", "2013-11-29", basis="a later law (same-name heuristic; pháp điển 2025: in_force)"),
]


def test_a_key_sharing_a_hash_with_a_stored_key_is_not_found(tmp_path: Path) -> None:
    cat = Catalog(shipped=catalog_file(tmp_path / "c.sqlite", ENTRIES, index_names=True, lookup=True), user=False)
    assert [i.number for i in cat.by_name("Luật Plumless")] == ["1/2010/QH13", "2/2015/QH13"]
    assert cat.by_name("Luật Buckeroo") == []
    assert resolve_name("Luật Buckeroo năm 2015", catalog=cat) is None


def test_stored_and_made_indexes_answer_as_the_rows(tmp_path: Path) -> None:
    stored = Catalog(shipped=catalog_file(tmp_path / "s.sqlite", ENTRIES, index_names=True, lookup=True), user=False)
    made = Catalog(shipped=catalog_file(tmp_path / "m.sqlite", ENTRIES, index_names=True), user=False)
    rows = {i.ident: i for i in made.iter_all()}  # full rows, read by SQL
    for name in ("Luật Plumless", "Luật Đất đai", "Luật đất đai"):
        a, b = stored.by_name(name), made.by_name(name)
        assert a == b == [rows[i.ident] for i in a]  # the fields left out are read on first use
        assert a[0].title == rows[a[0].ident].title and a[0].prov == rows[a[0].ident].prov
    assert repr(resolve_name("Luật Plumless", at="2017-01-01", catalog=stored)) == \
        repr(resolve_name("Luật Plumless", at="2017-01-01", catalog=made))
    assert resolve_name("Luật Plumless", at="2017-01-01", catalog=stored).number == "2/2015/QH13"


def test_a_stored_index_the_rows_outgrew_is_not_used(tmp_path: Path) -> None:
    path = catalog_file(tmp_path / "c.sqlite", ENTRIES, index_names=True, lookup=True)
    con = sqlite3.connect(path)
    assert Lookup.load(con) is not None
    write_entry(con, _law(4, "Luật Mới", "2020-01-01"), index_names=True)  # written without create(): index stale
    con.commit()
    assert Lookup.load(con) is None
    con.close()
    cat = Catalog(shipped=path, user=False)
    assert [i.number for i in cat.by_name("Luật Mới")] == ["4/2020/QH13"]


def test_an_instrument_from_the_index_pickles_whole(tmp_path: Path) -> None:
    import pickle

    cat = Catalog(shipped=catalog_file(tmp_path / "c.sqlite", ENTRIES, index_names=True, lookup=True), user=False)
    i = cat.by_name("Luật Đất đai")[0]
    j = pickle.loads(pickle.dumps(i))
    assert j == i and j.title == "Luật Đất đai" and j._fill is None


def test_the_users_file_hides_shipped_rows_and_is_read_as_it_changes(tmp_path: Path) -> None:
    shipped = catalog_file(tmp_path / "s.sqlite", ENTRIES, index_names=True, lookup=True)
    mine = _law(2, "Luật Plumless", "2015-06-20", effective="2015-07-01")  # the same instrument, another date
    user = catalog_file(tmp_path / "u.sqlite", [mine], index_names=True)
    cat = Catalog(shipped=shipped, user=user)
    got = cat.by_name("Luật Plumless")
    assert [(i.number, i.layer, i.effective) for i in got] == [("2/2015/QH13", "user", "2015-07-01"),
                                                               ("1/2010/QH13", "shipped", "2011-01-01")]
    con = create(user, {})  # the user adds a law while the process runs
    write_entry(con, _law(9, "Luật Buckeroo", "2019-01-01"), index_names=True)
    con.commit()
    con.close()
    assert [i.number for i in cat.by_name("Luật Buckeroo")] == ["9/2019/QH13"]



def test_an_index_stored_in_another_layout_is_remade(tmp_path: Path) -> None:
    """A file written by an older kgraph (index v5: sorted hashes, keys apart from their records) is not read
    with this layout: its rows answer, through an index made from them."""
    import json

    from kgraph.catalog import compact

    path = catalog_file(tmp_path / "c.sqlite", ENTRIES, index_names=True, lookup=True)
    con = sqlite3.connect(path)
    meta = json.loads(con.execute("SELECT data FROM lookup WHERE part = 'meta'").fetchone()[0])
    meta["version"] = compact.VERSION - 1
    con.execute("UPDATE lookup SET data = ? WHERE part = 'meta'", (json.dumps(meta).encode(),))
    con.execute("UPDATE lookup SET data = ? WHERE part = 'slots'", (b"\xff" * 64,))  # garbage, if it were read
    con.commit()
    assert Lookup.load(con) is None
    con.close()
    cat = Catalog(shipped=path, user=False)
    assert [i.number for i in cat.by_name("Luật Plumless")] == ["1/2010/QH13", "2/2015/QH13"]
    assert resolve_name("Luật Đất đai năm 2013", catalog=cat).number == "3/2013/QH13"


def test_every_key_is_found_in_a_table_with_collisions(tmp_path: Path) -> None:
    """Two keys of one hash (plumless, buckeroo: one slot) are both found, the second past the first, and names
    absent from the table are not."""
    entries = [_law(10 + n, f"Luật Thử {w}", f"{2000 + n % 20}-01-0{1 + n % 9}") for n, w in
               enumerate(("một", "hai", "ba", "bốn", "sáu", "bảy", "tám", "chín", "mười", "plumless", "buckeroo"))]
    cat = Catalog(shipped=catalog_file(tmp_path / "c.sqlite", entries, index_names=True, lookup=True), user=False)
    lk = cat.index()
    assert len(lk.slots) >= 2 * len(entries)
    assert zlib.crc32("luật thử plumless".encode()) == zlib.crc32("luật thử buckeroo".encode())
    for e in entries:
        assert [i.number for i in cat.by_name(e.title)] == [e.number]
    assert cat.by_name("Luật Thử mười một") == [] and cat.by_name("Luật Thử") == []
