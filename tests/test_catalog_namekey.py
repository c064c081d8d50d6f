"""The compiled key-and-probe (`kgraph/catalog/_namekey.c`) answers as its Python twin, or leaves the name to it."""

from __future__ import annotations

import random
import shutil
import sysconfig
import unicodedata
from pathlib import Path

import pytest

from kgraph.catalog import Catalog, namekey, resolve_name
from kgraph.catalog.names import _fold_word, split_cited
from kgraph.catalog.write import Entry

from conftest import catalog_file
from test_catalog_fast import COMMON, OTHER, TAILS

needs_c = pytest.mark.skipif(not namekey.compiled(), reason="the C probe was not built (no compiler)")

SYLLABLES = ["đất", "đai", "hoá", "chất", "thuỷ", "lợi", "kỹ", "thuật", "phòng", "chống", "rửa", "tiền", "biển",
             "nam", "bộ", "luật", "và", "tháng", "ngày", "năm", "quý", "giao", "thông", "đường", "việt", "sửa"]


def _names(rng: random.Random, n: int) -> list[str]:
    """Citations in the common shape and around it: case, commas, doubled spaces, "và", tails out of range,
    decomposed letters, a trigger word inside the name, "Bộ ..." and "... Nam" (rules the C probe leaves)."""
    out = []
    for _ in range(n):
        words = [rng.choice(SYLLABLES) for _ in range(rng.randrange(1, 6))]
        words = [w.upper() if rng.random() < 0.1 else w.capitalize() if rng.random() < 0.2 else w for w in words]
        name = rng.choice(["Luật", "Bộ luật", "Pháp lệnh", "LUẬT"])
        for w in words:
            name += rng.choice([" ", " ", " ", ", ", "  ", " và "]) + w
        tail = rng.random()
        if tail < 0.3:
            name += f" năm {rng.choice(['2013', '1899', '2100', '213', '20135', '１９９９', '2015 '])}"
        elif tail < 0.6:
            d = rng.choice(["1", "05", "005", "0", "31", "32", "9", "09", "00", "10"])
            m = rng.choice(["1", "06", "12", "13", "0", "010"])
            name += f"{rng.choice([' ngày ', ' Ngày ', '  ngày '])}{d} tháng {m} năm {rng.choice(['2013', '2024', '1899'])}"
        elif tail < 0.65:
            name += ","
        if rng.random() < 0.05:
            name = unicodedata.normalize("NFD", name)
        out.append(name)
    return out


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    rng = random.Random(3)
    entries, seen = [], set()
    for i, name in enumerate(_names(rng, 600)):
        key, year, _, _ = split_cited(name)
        if key and key not in seen:
            seen.add(key)
            y = year or 2000 + i % 20
            entries.append(Entry(f"{i + 1}/{y}/QH13", "Luật", split_cited(name).key, date=f"{y}-0{1 + i % 9}-1{i % 9}",
                                 src="test"))
    path = catalog_file(tmp_path_factory.mktemp("namekey") / "c.sqlite", entries, index_names=True, lookup=True)
    return Catalog(shipped=path, user=False)


def test_the_extension_is_built_where_a_compiler_is() -> None:
    """setup.py builds it optionally; on a machine with a C compiler (as CI's) a missing build is a fault."""
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler ({cc}) here: the Python twin alone is right")
    assert namekey.compiled()


def test_the_characters_taken_as_nfc_cannot_denormalise() -> None:
    """The C probe takes a name as NFC, without asking unicodedata, when every character is below U+0300 or
    in U+1E00–U+1EFF: none of those is combining or unnormalised, and no two of them compose."""
    chars = [chr(c) for c in [*range(0x300), *range(0x1E00, 0x1F00)]]
    assert not [c for c in chars if unicodedata.combining(c) or not unicodedata.is_normalized("NFC", c)]
    assert not [a + b for a in chars for b in chars if not unicodedata.is_normalized("NFC", a + b)]


@needs_c
def test_the_c_probe_answers_as_the_python_twin(catalogue: Catalog) -> None:
    lk = catalogue._lookup or catalogue.index()
    c_probe, py_probe = namekey.prober(lk)
    assert py_probe is not None
    names = COMMON + OTHER + TAILS + _names(random.Random(3), 600) + _names(random.Random(11), 3000)
    for name in names:
        split_cited(name)  # its words folded, as the resolver's general path does for a name not seen yet
    answered = found = 0
    for name in names:
        a, b = c_probe(name), py_probe(name)
        assert a is None or a == b, name
        answered += a is not None
        found += a.__class__ is tuple
        if b is not None and unicodedata.is_normalized("NFC", name) and "  " not in name:
            assert a == b, name  # the common shape: the C probe answers it itself
    assert found > 100 and answered > 200, (found, answered)  # 127 and 265 when written


@needs_c
def test_the_c_probe_keeps_answering_past_its_word_table(catalogue: Catalog) -> None:
    """Its table of words seen holds 8,192; past that it is emptied and filled again."""
    lk = catalogue._lookup or catalogue.index()
    c_probe, py_probe = namekey.prober(lk)
    words = [f"từ{chr(0x61 + i % 26)}{chr(0x61 + i // 26 % 26)}{chr(0x61 + i // 676)}" for i in range(12_000)]
    for w in words:
        _fold_word(w)
    for i in range(0, len(words), 3):
        name = f"Luật {words[i]} {words[i + 1]} năm 2015"
        assert c_probe(name) == py_probe(name) is False
    name = next(n for n in _names(random.Random(3), 600) if py_probe(n))  # in the catalogue, after the clears
    assert c_probe(name) == py_probe(name)


def test_the_resolver_without_the_extension_answers_alike(catalogue: Catalog, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    """Where the extension could not be built the Python twin does the whole path, with the same answers."""
    names = COMMON + TAILS + _names(random.Random(17), 1500)
    ats = [None, "2016-01-01"]
    with_c = {(n, at): repr(resolve_name(n, at=at, catalog=catalogue)) for n in names for at in ats}
    monkeypatch.setattr(namekey, "_namekey", None)
    plain = Catalog(shipped=catalogue.shipped, user=False)
    for (n, at), answer in with_c.items():
        assert repr(resolve_name(n, at=at, catalog=plain)) == answer, (n, at)
    assert plain.resolver is not catalogue.resolver
