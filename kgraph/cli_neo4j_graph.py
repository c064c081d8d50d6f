"""`kg load | cypher | export`: the RDF graph into Neo4j, Cypher against it, CSV for neo4j-admin.

Registered on the main group by `kgraph.cli` (`for c in NEO4J_GRAPH_COMMANDS: main.add_command(c)`);
`kg query NAME ... --backend neo4j` calls `kgraph.neo4j.queries.run_named_query`. Connection options resolve as
`kgraph.neo4j.connection.connection_settings` does: flags, then NEO4J_URI / NEO4J_USER /
NEO4J_PASSWORD / NEO4J_DATABASE, then the 0600 credentials file `kg neo4j start` writes. Nothing
here prints the password.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from kgraph.neo4j.connection import ConnectionSettings, Neo4jServerError, connection_settings


def connection_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--uri/--user/--password/--database, for every command that talks to Neo4j."""

    @click.option("--uri", default=None, help="Bolt URI (default: $NEO4J_URI, the credentials file, bolt://127.0.0.1:7687).")
    @click.option("--user", default=None, help="User (default: $NEO4J_USER, the credentials file, neo4j).")
    @click.option("--password", default=None, help="Password (default: $NEO4J_PASSWORD or the credentials file; "
                  "prefer those: a flag shows in the process list).")
    @click.option("--database", default=None, help="Database (default: $NEO4J_DATABASE or the server's default).")
    @functools.wraps(fn)
    def wrapper(*args: Any, uri: str | None, user: str | None, password: str | None, database: str | None,
                **kwargs: Any) -> Any:
        return fn(*args, settings=_settings(uri, user, password, database), **kwargs)

    return wrapper


def _settings(uri: str | None, user: str | None, password: str | None, database: str | None) -> ConnectionSettings:
    try:
        return connection_settings(uri, user, password, database)
    except Neo4jServerError as e:
        raise click.ClickException(str(e)) from None


def _fail(e: Exception) -> click.ClickException:
    return click.ClickException(str(e))


@click.command("load")
@click.argument("source", type=click.Path(exists=False))
@connection_options
@click.option("--batch-size", default=10000, show_default=True, type=click.IntRange(100, 200000),
              help="Rows per UNWIND transaction.")
@click.option("--prune/--no-prune", default=None,
              help="Delete nodes under the graph's IRI base that the graph does not have (--no-prune: keep them). "
                   "Unless told, only nodes the same SOURCE loaded before are deleted; a database holding another "
                   "build's nodes is left as it is and the load refused, with what it would delete.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def load_cmd(source: str, settings: ConnectionSettings, batch_size: int, prune: bool | None, fmt: str) -> None:
    """Load SOURCE (a `kg build` folder, or an RDF file) into Neo4j as a property graph.

    The mapping comes from the ontology: one node per IRI (label Resource plus its classes:
    Document, Decree, Plan, Organization, Person, Provision...), literals as properties, the citation
    relations as CITES, BASED_ON, IMPLEMENTS... relationships carrying each mention's pinpoint,
    sentence and offsets. Loading again changes only what changed (nothing, for the same graph); a
    changed document's outgoing relationships are replaced; an interrupted load is finished by
    running the same command again.
    """
    import warnings

    from kgraph.neo4j.connection import LoadError
    from kgraph.neo4j.rows import WideIntegerWarning
    from kgraph.neo4j.stream import load

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", WideIntegerWarning)
        try:
            report = load(source, settings, batch_size=batch_size, prune=prune,
                          echo=lambda m: click.echo(m, err=True))
        except LoadError as e:
            raise _fail(e) from None
    wide = [str(w.message) for w in caught if issubclass(w.category, WideIntegerWarning)]
    for w in caught:  # any other warning as it would have been shown
        if not issubclass(w.category, WideIntegerWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    if wide:  # one line each for the first few, not a traceback
        for m in wide[:3]:
            click.echo(f"warning: {m}", err=True)
        if len(wide) > 3:
            click.echo(f"warning: {len(wide) - 3} more integers wider than 64 bits stored as text", err=True)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
        return
    where = f"{settings.uri}" + (f" database {settings.database}" if settings.database else "")
    if not report.changed and not report.resumed:
        click.echo(f"Nothing to do: {report.nodes} nodes and {report.relationships} relationships in {where} "
                   f"already match {report.triples} triples ({report.seconds['total']:.1f} s).")
        return
    rates = report.rates()
    click.echo(
        f"Loaded {report.triples} triples into {where}: {report.nodes} nodes ({report.nodes_created} created, "
        f"{report.nodes_updated} updated, {report.nodes_unchanged} unchanged, {report.nodes_deleted} deleted), "
        f"{report.relationships} relationships ({report.relationships_written} written, "
        f"{report.relationships_deleted} deleted) in {report.seconds['total']:.1f} s "
        f"({rates.get('triples_per_s', 0):,.0f} triples/s)."
    )


def _print_rows(columns: list[str], rows: list[dict[str, Any]], fmt: str) -> None:
    from kgraph.query import to_csv, to_table

    if fmt == "json":
        for r in rows:
            click.echo(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False, default=str))
    elif fmt == "csv":
        click.echo(to_csv(columns, [{c: _cell(r.get(c)) for c in columns} for r in rows]), nl=False)
    else:
        click.echo(to_table(columns, [{c: _cell(r.get(c)) for c in columns} for r in rows], max_width=80))


def _cell(v: Any) -> Any:
    return json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (dict, list)) else v


@click.command("cypher")
@click.argument("query")
@connection_options
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=TEXT|NAME:=JSON",
              help="A query parameter: NAME=text is a string, NAME:=json any JSON value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="json: one object per row per line.")
@click.option("--write", is_flag=True, help="Allow the query to change the database (read-only otherwise).")
def cypher_cmd(query: str, settings: ConnectionSettings, params: tuple[str, ...], fmt: str, write: bool) -> None:
    """Run Cypher: QUERY is a named twin (cited-by, most-cited... from queries/*.cypher), a file, or the text.

    Values travel only as parameters: `kg cypher "MATCH (d:Document:Decree {number: $x}) RETURN d.title" -p x=163/2016/NĐ-CP`.
    """
    from kgraph.query import QueryError
    from kgraph.neo4j.connection import LoadError
    from kgraph.neo4j.queries import cypher_text, parse_params, run_cypher

    t = time.perf_counter()
    try:
        cols, rows = run_cypher(settings, cypher_text(query), parse_params(params), write=write)
    except (QueryError, LoadError) as e:
        raise _fail(e) from None
    _print_rows(cols, rows, fmt)
    if fmt == "table":
        click.echo(f"({len(rows)} rows, {(time.perf_counter() - t) * 1000:.0f} ms)", err=True)


@click.command("export")
@click.argument("source", type=click.Path(exists=False))
@click.option("--neo4j-csv", "csv_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for nodes.csv, relationships-TYPE.csv, schema.cypher and import.sh.")
@click.option("--database", default="neo4j", show_default=True, help="Database the printed import command writes.")
def export_cmd(source: str, csv_dir: str, database: str) -> None:
    """Write SOURCE (a `kg build` folder or RDF file) as CSV for `neo4j-admin database import full`.

    The same mapping as `kg load`, for full rebuilds of large corpora: the import writes store files
    directly (server stopped, or a new home). Afterwards `kg load SOURCE` creates the indexes and
    finds nothing else to do.
    """
    from kgraph.neo4j.connection import LoadError
    from kgraph.neo4j.csv_export import export_graph

    t = time.perf_counter()
    try:
        exp = export_graph(source, csv_dir, database=database)
    except LoadError as e:
        raise _fail(e) from None
    click.echo(f"Wrote {exp.nodes} nodes and {exp.relationships} relationships ({exp.triples} triples) to "
               f"{exp.directory} in {time.perf_counter() - t:.1f} s.")
    click.echo(f"Import (server stopped; replaces database '{database}'): sh {exp.script}")
    click.echo(f"Then start the server and run: kg load {source}")


NEO4J_GRAPH_COMMANDS = [load_cmd, cypher_cmd, export_cmd]


if __name__ == "__main__":  # python -m kgraph.cli_neo4j_graph load|cypher|export ...
    @click.group()
    def _group() -> None:
        """kg load / cypher / export without the kg entry point."""

    for _c in NEO4J_GRAPH_COMMANDS:
        _group.add_command(_c)
    sys.exit(_group())
