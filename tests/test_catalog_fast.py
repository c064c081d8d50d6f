"""The catalogue's fast paths give the answers of the general ones: the one-regex split of a common citation,
and the compact name index that turns away names the shipped file lacks (a user's file is still asked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgraph.catalog import Catalog, Match, resolve_name
from kgraph.catalog.names import _cited_name, _fast_split, _regex_split, cited_name
from kgraph.catalog.write import Entry

from conftest import catalog_file

COMMON = [
    "Luật Phòng, chống rửa tiền ngày 15 tháng 11 năm 2022",
    "LUẬT ĐẤT ĐAI NĂM 2013",
    "Luật Thuế giá trị gia tăng và Luật Thuế thu nhập doanh nghiệp",
    "Bộ luật Lao động năm 2019",
    "Luật Quốc phòng Việt Nam",
    "Luật Hoá chất năm 2007",
    "Luật Kỹ thuật ngày 31 tháng 2 năm 2015",
    "Luật X NgÀy 1 ThÁng 2 NĂM 2015",
    "Bộ luật Hàng hải Việt Nam năm 2015",
    "Luật Thuế, phí và lệ phí Nam",
    "Bộ",
    "Nam",
    "và",
    "Luật Và",
    # old-style tone marks and consonant + y, next to a comma or at a name's ends: folded word by word as whole
    "Luật Hoá, chất ngày 1 tháng 2 năm 2007",
    "LUẬT THUỶ LỢI, KỸ THUẬT NĂM 2017",
    "Luật Quý, Mỹ, Lý và Hoà giải",
    "Sỹ Luật khoẻ",
]
# shapes the fast path must leave to the general parser
OTHER = [
    "Luật Đất đai năm 2013 sửa đổi",
    "Luật Biên giới quốc gia của nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2003",
    "Luật sửa đổi, bổ sung một số điều của Luật Đất đai năm 2013",
    "Luật X của Quốc hội năm 2015",
    "Luật Do thám",
    "Luật  Đất đai",
    "Luật Đất đai (2013)",
    "Luật Đất đai số 45/2013/QH13",
    "Luật X²",
    "Luật İstanbul",
    "Luật Đất đai, ngày 29/11/2013",
]


# tails the string cut reads or leaves to `_FAST`: padded, out of range, other digits, other cases, "tháng"
# or "ngày" inside a name
TAILS = [
    "Luật Đất đai ngày 05 tháng 06 năm 2013",
    "Luật Đất đai ngày 5 tháng 6 năm 2013",
    "Luật Đất đai ngày 32 tháng 1 năm 2013",
    "Luật Đất đai ngày 1 tháng 13 năm 2013",
    "Luật Đất đai ngày 0 tháng 1 năm 2013",
    "Luật Đất đai ngày 001 tháng 1 năm 2013",
    "Luật Đất đai ngày 1 tháng 1 năm 1899",
    "Luật Đất đai năm 2100",
    "Luật Đất đai năm 2013 ",
    "Luật Đất đai năm ２０１３",
    "Luật Đất đai ngày ５ tháng 6 năm 2013",
    "Luật Đất đai ngày 5 tháng 6 Năm 2013",
    "Luật Đất đai Ngày 5 tháng 6 năm 2013",
    "LUẬT ĐẤT ĐAI năm 2013",
    "Luật Tháng tám năm 2013",
    "Luật tháng Tám, ngày 5 tháng 6 năm 2013",
    "Luật X tháng 6 năm 2013",
    "Luật ngày X ngày 5 tháng 6 năm 2013",
    "Luật năm X năm 2013",
    "Luật X năm 2013 năm 2014",
    "Luật X  ngày 5 tháng 6 năm 2013",
    "Luật X, ngày 5 tháng 6 năm 2013",
    "Luật X ngày 5  tháng 6 năm 2013",
    " năm 2013",
    "năm 2013",
    "Luật Hoà giải năm 2013",
    "Bộ luật Dân sự Việt Nam ngày 14 tháng 6 năm 2005",
]


@pytest.mark.parametrize("text", TAILS)
def test_string_cut_of_a_tail_agrees_with_the_regex_and_the_general_parser(text: str) -> None:
    assert _fast_split(text) == _regex_split(text)
    if _fast_split(text) is not None:
        assert _fast_split(text) == _cited_name(text)


@pytest.mark.parametrize("text", COMMON + OTHER)
def test_fast_split_agrees_with_the_general_parser(text: str) -> None:
    cited_name.cache_clear()
    assert cited_name(text) == _cited_name(text)


def test_common_shapes_take_the_fast_path() -> None:
    assert [t for t in COMMON if _fast_split(t) is None] == []
    assert [t for t in OTHER if _fast_split(t) is not None] == []  # a trigger word, a digit...: the general parser


def test_names_the_shipped_file_lacks_are_still_asked_of_the_users(tmp_path: Path) -> None:
    shipped = catalog_file(tmp_path / "shipped.sqlite", [Entry("1/2020/QH14", "Luật", "Luật Thử nghiệm", date="2020-06-01")])
    user = catalog_file(tmp_path / "user.sqlite", [Entry("7/2021/QH15", "Luật", "Luật Riêng tư", date="2021-03-01")])
    c = Catalog(shipped=shipped, user=user)
    r = resolve_name("Luật Riêng tư năm 2021", catalog=c)
    assert isinstance(r, Match) and r.number == "7/2021/QH15" and r.instrument.layer == "user"
    r = resolve_name("Luật Thử nghiệm năm 2020", catalog=c)
    assert isinstance(r, Match) and r.number == "1/2020/QH14" and r.instrument.layer == "shipped"
    assert resolve_name("Luật Không có năm 2020", catalog=c) is None
    alone = Catalog(shipped=shipped, user=False)
    assert alone.by_name("Luật Riêng tư") == [] and len(alone.by_name("Luật Thử nghiệm")) == 1


def test_the_one_pass_resolver_answers_as_the_general_rules(tmp_path: Path) -> None:
    """`resolve._resolver_of` decides the common names of a shipped file alone in one function (split, probe,
    the rules of `_dated` and `_bare` on the index's records); a catalogue with a user's layer, even an empty
    one, decides every name by the general rules on `Instrument`s. Both answer alike, whatever the dates,
    statuses and same-name predecessors (each answer compared whole, asked once and again)."""
    import random

    rng = random.Random(5)
    titles = ["Luật Thử nghiệm", "Luật Đường bộ", "Bộ luật Hàng hải", "Luật Biển Việt Nam", "Luật Cư trú, đi lại",
              "Luật Đo lường", "Luật Dầu khí", "Luật Hoá chất", "Luật Đất và nước", "Luật Nam bộ"]
    days = ["2005-03-01", "2010-06-20", "2010-11-02", "2015-06-20", "2015-06-20", "2019-12-01", "2024-01-15", None]
    statuses = ["in_force", "in_force", "no_longer_in_force", "likely_no_longer_in_force", "partly_in_force"]
    bases = [None, None, "a later law (same-name heuristic; pháp điển 2025: in_force)", "phapdien"]
    entries, n = [], 0
    for title in titles:
        for day in rng.sample(days, rng.randrange(1, 5)):
            n += 1
            year = int(day[:4]) if day else 2000 + n
            entries.append(Entry(f"{n}/{year}/QH13", "Luật", title, issuer="Quốc hội", date=day,
                                 effective=rng.choice([None, f"{year}-07-01", f"{year + 1}-01-01"]),
                                 status=rng.choice(statuses), status_basis=rng.choice(bases),
                                 no_longer=rng.choice([None, None, "2016-01-01", "2025-01-01"]), src="test"))
    shipped = catalog_file(tmp_path / "s.sqlite", entries, index_names=True, lookup=True)
    empty = catalog_file(tmp_path / "u.sqlite", [], index_names=True)
    asked = []
    for title in titles + ["Luật Không có"]:
        for day in days[:-1] + ["2015-06-21"]:
            y, m, d = day.split("-")
            asked += [(f"{title} ngày {int(d)} tháng {int(m)} năm {y}", None), (f"{title} năm {y}", None),
                      (title, day), (title, None), (title.upper() + f" năm {y}", None), (title + ",", day),
                      (title.replace(" ", ", ", 1) + f" năm {y}", None), (title.replace(" ", "  ", 1), day)]
    fast, general = Catalog(shipped=shipped, user=False), Catalog(shipped=shipped, user=empty)
    for _ in range(2):
        for name, at in asked:
            a, b = resolve_name(name, at=at, catalog=fast), resolve_name(name, at=at, catalog=general)
            assert repr(a) == repr(b), (name, at)
    assert fast.resolver is not general.resolver
