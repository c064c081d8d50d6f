"""`kg catalog`: search and show the catalogue of national instruments, resolve a cited name, add your own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from kgraph.catalog.store import Catalog, Instrument

# The catalogue's modules are imported by the commands that use them: every `kg` command builds this group.


def _open(user: str | None) -> Catalog:
    from kgraph.catalog.store import Catalog, CatalogError

    try:
        return Catalog(user=user or None)
    except CatalogError as e:
        raise click.ClickException(str(e)) from None


def _row(i: Instrument) -> dict[str, Any]:
    return {"number": i.number, "type": i.type, "title": i.title, "issuer": i.issuer, "date": i.date,
            "effective": i.effective, "status": i.status, "status_basis": i.status_basis,
            "no_longer_in_force": i.no_longer, "layer": i.layer}


def _line(i: Instrument) -> str:
    title = (i.title or "")[:90]
    return f"{i.number or '(no number)':<26} {i.date or '':<10} {i.status or '':<26} {title}" + \
        ("  [user]" if i.layer == "user" else "")


_ACTIVE = {"amended_by": "amends", "repealed_in_part_by": "repeals in part", "replaced_by": "replaces",
           "repealed_by": "repeals", "suspended_by": "suspends"}


@click.group("catalog")
def catalog_group() -> None:
    """The catalogue of national instruments (shipped, with your own additions over it)."""


_user_opt = click.option("--user-catalog", "user", default=None, metavar="PATH",
                         help="Your catalogue (default: $KGRAPH_CATALOG or ~/.local/share/kgraph/catalog.sqlite).")


@catalog_group.command("search")
@click.argument("text")
@click.option("--limit", default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@_user_opt
def search_cmd(text: str, limit: int, fmt: str, user: str | None) -> None:
    """Instruments whose number is TEXT or whose title contains its words."""
    cat = _open(user)
    hits = cat.search(text, limit=limit)
    if fmt == "json":
        for i in hits:
            click.echo(json.dumps(_row(i), ensure_ascii=False))
        return
    if not hits:
        click.echo(f"nothing in the catalogue matches {text!r}")
        return
    for i in hits:
        click.echo(_line(i))


@catalog_group.command("show")
@click.argument("instrument")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@_user_opt
def show_cmd(instrument: str, fmt: str, user: str | None) -> None:
    """One instrument by number (or by a cited name with its date or year): every fact with its source."""
    from kgraph.catalog.resolve import Ambiguous, Match, resolve_name

    cat = _open(user)
    hits = cat.by_number(instrument) if any(ch.isdigit() for ch in instrument.split()[0]) else []
    if not hits:
        r = resolve_name(instrument, catalog=cat)
        if isinstance(r, Match):
            hits = [r.instrument]
        elif isinstance(r, Ambiguous):
            raise click.ClickException(f"{instrument!r} is ambiguous ({r.reason}): {', '.join(r.numbers)}")
    if not hits:
        raise click.ClickException(f"{instrument!r} is not in the catalogue")
    for i in hits:
        d = cat.details(i)
        if fmt == "json":
            click.echo(json.dumps(_row(i) | {"names": d.names, "effects": d.effects, "affects": d.affects,
                                            "facts": d.facts}, ensure_ascii=False))
            continue
        click.echo(f"== {i.type or ''} {i.number or ''}".rstrip() + (" [user]" if i.layer == "user" else ""))
        chosen = {f["field"]: f["src"] for f in d.facts if f["chosen"]}
        for label, f, v in (("title", "title", i.title), ("issuer", "issuer", i.issuer), ("date", "date", i.date),
                            ("in force", "effective", i.effective), ("status", "status", i.status),
                            ("no longer", "no_longer", i.no_longer)):
            if v:
                click.echo(f"  {label:<20}{v}" + (f"   [{chosen[f]}]" if f in chosen else ""))
        if i.status_basis:
            click.echo(f"  {'basis':<20}{i.status_basis}")
        for n in d.names:
            if n != i.title:
                click.echo(f"  {'also named':<20}{n}")
        for e in d.effects:
            click.echo(f"  {e['kind'].replace('_', ' '):<20}{e['other_type'] or ''} {e['other']}"
                       + (f" from {e['date']}" if e["date"] else "") + f"   [{e['src']}]")
        for e in d.affects:
            click.echo(f"  {_ACTIVE.get(e['kind'], e['kind']):<20}{e['other_type'] or ''} {e['other']}"
                       + (f" from {e['date']}" if e["date"] else "") + f"   [{e['src']}]")
        for f in d.facts:
            if not f["chosen"]:
                click.echo(f"  {'disputed':<20}{f['field']}: {f['value']}   [{f['src']}]")


@catalog_group.command("resolve")
@click.argument("name")
@click.option("--at", default=None, metavar="YYYY-MM-DD", help="The citing document's date (for a bare name).")
@_user_opt
def resolve_cmd(name: str, at: str | None, user: str | None) -> None:
    """The number of a cited name (`Luật Phòng, chống rửa tiền ngày 15 tháng 11 năm 2022`), if exactly one fits."""
    from kgraph.catalog.resolve import Ambiguous, Match, resolve_name

    r = resolve_name(name, at=at, catalog=_open(user))
    if isinstance(r, Match):
        click.echo(f"{r.number or r.instrument.ident}\t{r.instrument.title}\t({r.basis}"
                   + (f"; {r.note}" if r.note else "") + ")")
    elif isinstance(r, Ambiguous):
        click.echo(f"ambiguous: {r.reason}: {', '.join(r.numbers)}")
        raise SystemExit(1)
    else:
        click.echo("no instrument of that name fits")
        raise SystemExit(1)


@catalog_group.command("add")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from-build", "build", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Add the instruments whose own text this build folder read.")
@click.option("--override", is_flag=True, help="Write rows that contradict the catalogue (yours then hide its).")
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@_user_opt
def add_cmd(file: Path | None, build: Path | None, override: bool, dry_run: bool, user: str | None) -> None:
    """Add your own instruments from FILE (.csv or .jsonl: number, type, title, issuer, date, effective,
    status, names) or from a build folder, to your catalogue. Conflicts are reported, not written."""
    from kgraph.catalog.store import user_path
    from kgraph.catalog.user import add, read_rows, rows_from_build

    if (file is None) == (build is None):
        raise click.UsageError("give a FILE or --from-build OUT/, one of them")
    if file is not None and file.suffix.lower() not in (".csv", ".jsonl", ".json"):
        raise click.UsageError(f"{file}: expected a .csv or .jsonl file")
    target = Path(user) if user else user_path()
    cat = _open(user)
    rows = read_rows(file) if file is not None else rows_from_build(build, cat)
    src = f"user:{file.name}" if file is not None else f"build:{build.resolve().name}"
    report = add(rows, src, cat, target=target, override=override, dry_run=dry_run)
    for r in report.rows:
        if r.outcome in ("invalid", "conflict", "overridden"):
            click.echo(f"{r.where}: {r.label}: {r.outcome}: " + "; ".join(r.problems))
    verb = "would be written to" if dry_run else "written to"
    click.echo(f"{report.count('added')} added, {report.count('overridden')} overriding the catalogue, "
               f"{report.count('known')} already known, {report.count('conflict')} conflicts, "
               f"{report.count('invalid')} invalid; {verb} {target}")
    if not report.ok:
        raise SystemExit(1)
