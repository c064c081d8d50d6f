"""A user's own instruments: read (CSV, JSONL, a build folder), validated, checked against the catalogue.

Nothing is written that the catalogue contradicts unless the user says `override`: a row whose number (and
type) is known with another title, date, issuer or type, or whose name and year already belong to another
number, is a conflict, reported with both values and the source of the catalogue's.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from kgraph.catalog.names import cited_name, name_key
from kgraph.numbers import is_party_number, normalize_number, number_codes
from kgraph.catalog.store import STATUSES, Catalog, Instrument, number_lookup_key, user_path
from kgraph.catalog.write import Entry, create, write_entry

COLUMNS = ("number", "type", "title", "issuer", "date", "effective", "status", "status_basis", "names")
_STATUS_WORDS = {
    "còn hiệu lực": "in_force", "in force": "in_force", "hết hiệu lực một phần": "partly_in_force",
    "partly": "partly_in_force", "hết hiệu lực": "no_longer_in_force", "no longer in force": "no_longer_in_force",
    "chưa có hiệu lực": "not_yet_in_force",
}


@dataclass
class RowReport:
    where: str  # "file.csv:3"
    label: str
    outcome: str  # added | known | conflict | invalid | overridden
    problems: list[str] = field(default_factory=list)


@dataclass
class AddReport:
    rows: list[RowReport] = field(default_factory=list)
    target: Path | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def ok(self) -> bool:
        return not any(r.outcome in ("invalid", "conflict") for r in self.rows)


def _date(v: Any, what: str, problems: list[str]) -> str | None:
    if v in (None, ""):
        return None
    s = str(v).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s) or None
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
        if not m:
            problems.append(f"{what} {s!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
            return None
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        problems.append(f"{what} {s!r} is not a real day")
        return None


def validate(row: dict[str, Any], src: str) -> tuple[Entry | None, list[str]]:
    """One row → an Entry, or the reasons it cannot be one."""
    from kgraph.knowledge import load

    problems: list[str] = []
    unknown = sorted(set(row) - set(COLUMNS) - {"source", "note"})
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    raw_number = (row.get("number") or "").strip() or None
    number = None
    if raw_number:
        if not re.match(r"^\d", raw_number) or not re.search(r"[/-]", raw_number):
            problems.append(f"number {raw_number!r} is not a document number (like 120/KH-UBND)")
        else:
            number = normalize_number(raw_number)
    k = load()
    type_ = (row.get("type") or "").strip() or None
    if type_:
        t = k.doc_type(code=type_) or next((x for x in k.types if type_.casefold() in
                                            (n.casefold() for n in x.names)), None)
        if t is None:
            problems.append(f"type {type_!r} is not a known document type")
        else:
            type_ = t.name
    elif number:
        code = number_codes(number)[0]
        t = k.doc_type(code=code, party=is_party_number(number)) if code else None
        type_ = t.name if t else None
    title = " ".join(str(row.get("title") or "").split()) or None
    if not number and not title:
        problems.append("neither a number nor a title")
    if not type_:
        problems.append("no type, and the number does not say it")
    date = _date(row.get("date"), "date", problems)
    effective = _date(row.get("effective"), "effective", problems)
    if date and effective and effective < date:
        problems.append(f"effective {effective} is before the date issued {date}")
    if number and date:
        y = number.split("/")
        if len(y) >= 3 and y[1].isdigit() and len(y[1]) == 4 and y[1] != date[:4]:
            problems.append(f"the number says {y[1]}, the date {date}")
    status = (row.get("status") or "").strip() or None
    if status:
        status = _STATUS_WORDS.get(status.casefold(), status)
        if status not in STATUSES:
            problems.append(f"status {row.get('status')!r} is not one of {', '.join(STATUSES)}")
    if problems:
        return None, problems
    e = Entry(number=number, type=type_, title=title, issuer=(row.get("issuer") or "").strip() or None, date=date,
              effective=effective, status=status or "unknown",
              status_basis=(row.get("status_basis") or None) or (f"given by the user ({src})" if status else None),
              src=src)
    for f in ("title", "issuer", "date", "effective", "status"):
        if getattr(e, f):
            e.prov[f] = src
    names = row.get("names") or []
    if isinstance(names, str):
        names = [n for n in names.split("|") if n.strip()]
    for n in names:
        e.add_name(n)
    return e, []


def _same(i: Instrument, e: Entry) -> list[str]:
    """What the catalogue's instrument says differently from the user's entry, with the source of its value."""
    prov = dict(p.split("=", 1) for p in (i.prov or "").split(";") if "=" in p)

    def where(f: str) -> str:
        return f"({i.layer} catalogue, from {prov.get(f, i.src or '?')})"

    out = []
    if e.type and i.type and e.type != i.type and {e.type, i.type} != {"Luật", "Bộ luật"}:
        out.append(f"type {e.type!r} (yours) vs {i.type!r} {where('type')}")
    if e.title and i.title and name_key(e.title) != name_key(i.title):
        out.append(f"title {e.title!r} (yours) vs {i.title!r} {where('title')}")
    if e.date and i.date and e.date != i.date:
        out.append(f"date {e.date} (yours) vs {i.date} {where('date')}")
    if e.issuer and i.issuer and name_key(e.issuer) != name_key(i.issuer):
        out.append(f"issuer {e.issuer!r} (yours) vs {i.issuer!r} {where('issuer')}")
    if e.effective and i.effective and e.effective != i.effective:
        out.append(f"effective {e.effective} (yours) vs {i.effective} {where('effective')}")
    return out


def conflicts(cat: Catalog, e: Entry) -> tuple[list[Instrument], list[str]]:
    """(instruments the entry is, problems): the same number (and year, for a yearless number) whose facts
    differ, or the entry's name and year already under another number."""
    same: list[Instrument] = []
    problems: list[str] = []
    if e.number:
        yearless = "/" + str(e.year) + "/" not in e.number
        for i in cat.by_number(e.number):
            if i.type and e.type and i.type != e.type and "Nghị quyết" in (i.type + e.type):
                continue  # a law and a resolution may share a QH number
            if yearless and i.year != e.year:
                continue
            same.append(i)
            problems += _same(i, e)
    if e.title and e.year:
        for i in cat.by_key(name_key(e.title)):
            if i.year == e.year and i.number and e.number and number_lookup_key(i.number) != number_lookup_key(e.number):
                problems.append(f"the name {e.title!r} ({e.year}) is {i.number} in the {i.layer} catalogue")
    return same, problems


def read_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """(where, row, error) for each row of a CSV or JSONL file."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            for n, row in enumerate(csv.DictReader(f), 2):
                yield f"{path.name}:{n}", {k.strip().lower(): v for k, v in row.items() if k}, None
        return
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as ex:
                yield f"{path.name}:{n}", None, f"not JSON ({ex.msg})"
                continue
            if not isinstance(obj, dict):
                yield f"{path.name}:{n}", None, "not a JSON object"
                continue
            yield f"{path.name}:{n}", obj, None


def rows_from_build(out: Path, cat: Catalog | None = None) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """The instruments whose own text a build read: number, type, title, issuer, date from their headers.

    A law's header title may or may not repeat its type ("Luật biên giới quốc gia", "Luật sư" for Luật Luật
    sư): the reading the catalogue knows is taken, else the title as it is when it starts with the type."""
    manifest = out / "manifest.json"
    if not manifest.exists():
        yield str(out), None, "no manifest.json: not a kg build folder"
        return
    files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
    for source, entry in sorted(files.items()):
        sha = entry.get("sha256")
        cache = out / "cache" / f"{sha}.json"
        if not sha or not cache.exists():
            continue
        d = json.loads(cache.read_text(encoding="utf-8")).get("document") or {}
        number, typ, title = d.get("number"), d.get("type"), d.get("title")
        if not number or not typ:
            continue  # without a number a later build could not find it by anything but a guess
        name = None
        if title:
            title = " ".join(title.split())
            starts_with_type = title.casefold().startswith(typ.casefold() + " ")
            first = title[0].upper() if starts_with_type else title[0].lower()  # "Luật Luật sư", "Nghị định quy định"
            with_type = f"{typ} {first}{title[1:]}"
            name = title if starts_with_type else with_type
            if cat is not None and name != with_type and cat.by_key(name_key(with_type)):
                name = with_type
        yield Path(source).name, {"number": number, "type": typ, "title": name, "issuer": d.get("issuer"),
                                  "date": d.get("date")}, None


def add(rows: Iterable[tuple[str, dict[str, Any] | None, str | None]], src: str, cat: Catalog,
        target: Path | None = None, override: bool = False, dry_run: bool = False) -> AddReport:
    """Validate rows, check each against the catalogue (shipped + user), write the good ones to the user's file."""
    target = target or user_path()
    report = AddReport(target=target)
    con = None if dry_run else create(target, {"kind": "user catalogue"})
    seen: dict[str, str] = {}
    try:
        for where, row, err in rows:
            if err or row is None:
                report.rows.append(RowReport(where, "-", "invalid", [err or "empty"]))
                continue
            e, problems = validate(row, src)
            if e is None:
                report.rows.append(RowReport(where, row.get("number") or row.get("title") or "-", "invalid",
                                             problems))
                continue
            label = e.number or e.title or "-"
            if e.ident in seen:
                report.rows.append(RowReport(where, label, "invalid", [f"repeats {seen[e.ident]}"]))
                continue
            seen[e.ident] = where
            same, problems = conflicts(cat, e)
            if problems and not override:
                report.rows.append(RowReport(where, label, "conflict", problems))
                continue
            if same and not problems:
                report.rows.append(RowReport(where, label, "known"))
                continue
            if con is not None:
                write_entry(con, e, replace=True, index_names=True)
            report.rows.append(RowReport(where, label, "overridden" if problems else "added", problems))
        if con is not None:
            con.commit()
    finally:
        if con is not None:
            con.close()
    return report
