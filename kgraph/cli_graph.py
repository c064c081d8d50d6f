"""`kg build | query | sparql | serve | stats | validate`: thin click layers over build, query and the sinks.

Registered on the main group by `kgraph.cli` (`for c in GRAPH_COMMANDS: main.add_command(c)`).
"""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from pathlib import Path

import click

#: kgraph.link.keys.DEFAULT_BASE, written out (tests/test_cli.py holds them equal): importing it here loaded
#: the knowledge tables (YAML) into every `kg` command.
DEFAULT_BASE = "https://kgraph.example/id/"
_STORE_HELP = "The build folder (or an Oxigraph store folder)."


def _open(store: str):
    from kgraph.sinks.oxigraph_store import StoreError, open_store

    try:
        return open_store(store)
    except StoreError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"{store}: cannot open the store ({e})") from None


@click.command("build")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder for the graph, store, manifest and summary.")
@click.option("--workers", "-j", default=1, show_default=True, type=click.IntRange(1, 256), help="Processes extracting in parallel.")
@click.option("--format", "fmt", type=click.Choice(["nt", "turtle"]), default="nt", show_default=True, help="Graph file format (graph.nt is always kept: it is the sorted, diffable form).")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI for instruments, bodies and persons.")
@click.option("--no-store", is_flag=True, help="Write the graph file only; skip the Oxigraph store.")
@click.option("--force", is_flag=True, help="Re-extract every file even if unchanged.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
# the default is kgraph.build.FILE_TIMEOUT, written out: importing kgraph.build here would slow every `kg` command
@click.option("--file-timeout", default=120.0, show_default=True, type=click.FloatRange(0),
              help="Seconds one file's extraction may take; a slower file is reported as failed (0: no limit).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction and the per-file triples run: forked processes here, or a Dask cluster "
                   "(pip install 'kgraph[dask]'); the graph is the same. See SCALING.md.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="With --executor dask: the scheduler to use (tcp://host:8786; inputs and OUT on a file system "
                   "every worker sees); without it, a local cluster of --workers processes.")
def build_cmd(inputs: tuple[str, ...], out: str, workers: int, fmt: str, base: str, no_store: bool, force: bool,
              quiet: bool, file_timeout: float, executor: str, scheduler: str | None) -> None:
    """Build or update the graph in OUT from INPUTS (files, folders, globs).

    Unchanged files are skipped, changed ones replaced, removed ones dropped; bad files are
    reported and left out. Writes graph.nt (or graph.ttl), an Oxigraph store and summary.json.
    An input that names nothing stops the build before anything changes. Exit status: 0 when every
    file was built, 1 when some failed (listed) or the build could not run.
    """
    from kgraph.build import build

    if scheduler and executor != "dask":
        raise click.BadParameter("needs --executor dask", param_hint="--scheduler")
    if not base.endswith(("/", "#")):
        raise click.BadParameter("must end with '/' or '#'", param_hint="--base")
    try:
        res = build(inputs, out, workers=workers, fmt=fmt, base=base, store=not no_store, force=force,
                    progress=not quiet, file_timeout=file_timeout or None, executor=executor, scheduler=scheduler)
    except RuntimeError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        # a full disk or a folder that cannot be written: one line naming it, no traceback; what the build had
        # not finished replacing is left as it was, and a rerun with the cause removed finishes the build
        if e.errno == errno.ENOSPC:
            where = f" writing {e.filename}" if e.filename else ""
            raise click.ClickException(f"no space left on the device{where}: the build stopped; free some space "
                                       f"and run it again (unchanged files are not extracted again)") from None
        where = f" at {e.filename}" if e.filename else ""
        raise click.ClickException(f"the build stopped{where}: {e.strerror or e}") from None
    s = res.summary
    for p in res.problems:
        click.echo(f"skipped {p}", err=True)
    f = s["files"]
    click.echo(
        f"{s['documents']} documents ({f['extracted']} extracted, {f['skipped_unchanged']} unchanged, "
        f"{f['removed']} removed), {s['references']} references, {s['citations']} citations, "
        f"{s['distinct_instruments']} distinct instruments, {s['unresolved_references']} unresolved references, "
        f"{len(s['errors'])} errors"
    )
    click.echo(
        f"{s['triples']} triples in {Path(out) / s['graph']}; {s['input_bytes'] / 1e6:.1f} MB in "
        f"{s['seconds']['total']:.1f} s ({s['mb_per_s']} MB/s); summary in {Path(out) / 'summary.json'}"
    )
    if res.problems:
        shown = ", ".join(p.source for p in res.problems[:10]) + (", ..." if len(res.problems) > 10 else "")
        click.echo(f"{len(res.problems)} files failed and are not in the graph: {shown}", err=True)
        sys.exit(1)


@click.command("query")
@click.argument("name", required=False)
@click.argument("args", nargs=-1)
@click.option("--store", type=click.Path(), help=_STORE_HELP + " (with --backend oxigraph)")
@click.option("--backend", type=click.Choice(["oxigraph", "neo4j"]), default="oxigraph", show_default=True,
              help="oxigraph: the embedded store of a build (SPARQL); neo4j: a loaded server (the Cypher twin).")
@click.option("--uri", help="Neo4j Bolt URI (else NEO4J_URI, else the credentials file).")
@click.option("--user", help="Neo4j user (else NEO4J_USER, else the credentials file).")
@click.option("--password", help="Neo4j password (else NEO4J_PASSWORD, else the credentials file).")
@click.option("--database", help="Neo4j database (else NEO4J_DATABASE, else the server's default).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the named queries.")
def query_cmd(name: str | None, args: tuple[str, ...], store: str | None, backend: str, uri: str | None,
              user: str | None, password: str | None, database: str | None, fmt: str, list_: bool) -> None:
    """Run a named query (queries/*.rq and their *.cypher twins): cited-by X, cites X, basis-chain X,
    most-cited [N], by-issuer [ISSUER], provisions-cited X, stale-citations. X is a number or name as you
    would type it (`Nghị định 163/2016`).

    With --format json: one object per line with uri, number, type, title, date, source and the query's fields.
    """
    from kgraph.neo4j.connection import LoadError, Neo4jServerError, connection_settings
    from kgraph.query import QueryError, load_queries, render

    queries = load_queries()
    if list_ or not name:
        for q in queries.values():
            click.echo(f"{q.name} {' '.join(q.args)}".ljust(34) + q.doc)
        click.echo("unresolved".ljust(34) + "References of the build that name no instrument, and bare law names left without a number, and why (from the build's cache).")
        return
    if name == "unresolved":
        _unresolved(store, fmt)
        return
    t = time.perf_counter()
    try:
        if backend == "neo4j":
            from kgraph.neo4j.queries import run_named_query

            res = run_named_query(name, list(args), connection_settings(uri, user, password, database))
        else:
            from kgraph.sparql import OxigraphBackend

            if not store:
                raise click.UsageError("--store DIR is needed with --backend oxigraph")
            res = OxigraphBackend(_open(store), queries).run(name, args)
    except (QueryError, LoadError, Neo4jServerError) as e:
        raise click.ClickException(str(e)) from None
    dt = time.perf_counter() - t
    if res.candidates:  # X named several nodes (one local number of several provinces): say which is which
        click.echo(f"'{' '.join(args)}' names {len(res.candidates)} instruments (each row's target, in --format json, "
                   "says which it answers; add the issuer's place after the number to ask about one):", err=True)
        for c in res.candidates:
            click.echo(f"  {c.label or '?'} — {c.issuer or 'issuer unknown'} — {c.date or 'no date'} — {c.iri}", err=True)
    click.echo(render(res, fmt), nl=False)
    if fmt == "table":
        click.echo(f"({len(res.rows)} rows, {dt * 1000:.0f} ms)", err=True)


def _unresolved(store: str | None, fmt: str) -> None:
    """`kg query unresolved --store BUILD`: each reference the build counted as unresolved, with the reason."""
    import dataclasses

    from kgraph.tables import fit_table
    from kgraph.unresolved import BuildMissing, unresolved_references

    if not store:
        raise click.UsageError("--store BUILD is needed: unresolved references are read from the build folder")
    try:
        rows = [dataclasses.asdict(u) for u in unresolved_references(store, bare=True)]
    except BuildMissing as e:
        raise click.ClickException(str(e)) from None
    if fmt == "json":
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
    elif fmt == "csv":
        from kgraph.query import to_csv

        click.echo(to_csv(["source", "start", "end", "kind", "text", "why", "sentence"], rows), nl=False)
    else:
        table, dropped = fit_table(["source", "start", "kind", "text", "why"], rows, reorder=False)
        click.echo(table)
        n_bare = sum(1 for r in rows if r["why"].startswith("bare name"))
        click.echo(f"({len(rows) - n_bare} unresolved references, {n_bare} bare names without a number"
                   f"{'; left out to fit: ' + ', '.join(dropped) if dropped else ''})", err=True)


@click.command("sparql")
@click.argument("query")
@click.option("--store", required=True, type=click.Path(), help=_STORE_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True, help="json is SPARQL 1.1 Query Results JSON.")
@click.option("--union", is_flag=True, help="Query the union of all graphs (the ontology is in its own named graph).")
def sparql_cmd(query: str, store: str, fmt: str, union: bool) -> None:
    """Run raw SPARQL (a query, or a file holding one) against the store."""
    from pyoxigraph import QueryResultsFormat, QuerySolutions, QueryTriples

    from kgraph.graph.ontology import PREFIXES
    from kgraph.query import to_csv
    from kgraph.sparql import solutions_to_rows

    text = Path(query).read_text("utf-8") if os.path.isfile(query) else query
    st = _open(store)
    try:
        res = st.query(text, prefixes=PREFIXES, use_default_graph_as_union=union)
    except SyntaxError as e:
        raise click.ClickException(f"SPARQL syntax error: {e}") from None
    if isinstance(res, QuerySolutions):
        if fmt == "json":
            click.echo(res.serialize(format=QueryResultsFormat.JSON).decode())
            return
        cols, rows = solutions_to_rows(res)
        if fmt == "csv":
            click.echo(to_csv(cols, rows), nl=False)
        else:
            from kgraph.tables import fit_table

            table, dropped = fit_table(cols, rows, reorder=False)
            click.echo(table + (f"\n(left out to fit the terminal: {', '.join(dropped)})" if dropped else ""))
    elif isinstance(res, QueryTriples):
        from pyoxigraph import RdfFormat

        click.echo(res.serialize(format=RdfFormat.N_TRIPLES).decode(), nl=False)
    else:
        click.echo("true" if bool(res) else "false")


@click.command("serve")
@click.option("--store", required=True, type=click.Path(), help=_STORE_HELP)
@click.option("--bind", default="localhost:7878", show_default=True, help="HOST:PORT to listen on (port 0: any free port).")
@click.option("--public", is_flag=True, help="Allow a --bind outside the loopback (anyone who reaches it can query).")
@click.option("--allow-service", is_flag=True, help="Allow SPARQL SERVICE (the server then fetches URLs that queries name).")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0), help="Seconds a query may run (0: no limit).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Queries evaluated at once.")
@click.option("--memory", "memory_mb", default=2048, show_default=True, type=click.IntRange(0),
              help="MB of memory one query may use (0: no limit).")
@click.option("--quiet", "-q", is_flag=True, help="No request log.")
def serve_cmd(store: str, bind: str, public: bool, allow_service: bool, timeout: float, workers: int,
              memory_mb: int, quiet: bool) -> None:
    """A read-only SPARQL 1.1 Protocol endpoint at /query, and kgraph's pages: the analysts' page at / (SPARQL
    editor with kgraph's prefixes and examples, the named queries), /instrument and /document pages.

    SERVICE is refused, the Host header is checked, queries stop after --timeout, and a rebuild of the
    store is followed. TERM or Ctrl-C stops the server and its query processes.
    """
    from kgraph.serve import _store_dir, is_loopback, parse_bind, serve

    try:
        host, port = parse_bind(bind)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--bind") from None
    if not is_loopback(host):
        if not public:
            raise click.ClickException(f"--bind {bind} is reachable from other machines; add --public if that is meant")
        click.echo(f"warning: serving on {bind}, outside the loopback: anyone who can reach it can run queries", err=True)
    if _store_dir(Path(store)) is None:
        raise click.ClickException(f"{store}: no store there (run `kg build INPUT... --out {store}` first)")

    def ready(server) -> None:
        shown = f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host
        click.echo(f"SPARQL endpoint on http://{shown}:{server.port}/query (pages at http://{shown}:{server.port}/); "
                   f"Ctrl-C stops it", err=True)

    try:
        serve(Path(store), host, port, timeout=timeout, workers=workers, allow_service=allow_service,
              memory_mb=memory_mb or None, quiet=quiet, on_ready=ready)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {bind}: {e.strerror or e}") from None


@click.command("stats")
@click.option("--store", required=True, type=click.Path(), help=_STORE_HELP)
@click.option("--top", default=10, show_default=True, help="How many to list in each ranking.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats_cmd(store: str, top: int, as_json: bool) -> None:
    """Citation-graph figures (networkx): counts, most cited, degrees, PageRank, components, cycles."""
    from kgraph.sinks.networkx_view import citation_digraph, stats

    s = stats(citation_digraph(_open(store)), top=top)
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=1))
        return
    click.echo(
        f"{s['nodes']} instruments ({s['corpus_documents']} in the corpus, {s['cited_only_instruments']} cited only), "
        f"{s['edges']} citing pairs from {s['citations']} citations; mean out-degree of corpus documents "
        f"{s['mean_out_degree_corpus']}"
    )
    click.echo(
        f"{s['weak_components']} weakly connected components (largest {s['largest_weak_component']}); "
        f"{s['cyclic_groups']} groups citing each other in a cycle; {s['self_citations']} self-citations"
    )
    for title, key in (("most cited (documents citing)", "most_cited"), ("citing the most", "most_citing"), ("PageRank", "pagerank")):
        click.echo(f"\n{title}:")
        for r in s[key]:
            click.echo(f"  {r['value']!s:>10}  {r['label'] or r['uri']}")
    if s["cycles"]:
        click.echo("\ncitation cycles (first ones):")
        for c in s["cycles"]:
            click.echo("  " + " → ".join(c) + " → …")


@click.command("validate")
@click.option("--store", required=True, type=click.Path(), help="The build folder (its graph.nt is checked).")
@click.option("--max", "max_results", default=30, show_default=True, help="How many violations to print.")
def validate_cmd(store: str, max_results: int) -> None:
    """Check a built graph against ontology/shapes.ttl (pySHACL for core constraints, Oxigraph for SPARQL ones)."""
    from kgraph.graph.validate import validate

    graph = Path(store) / "graph.nt"
    if not graph.exists():
        raise click.ClickException(f"{graph}: no graph (run `kg build INPUT... --out {store}` first)")
    from kgraph.progress import Ticker

    size = graph.stat().st_size / 1e6
    with Ticker(f"kg validate: checking {graph} ({size:.1f} MB) against the SHACL shapes (core, then SPARQL constraints)"):
        ok, messages, counts = validate(graph, store=_open(store), max_results=max_results)
    for m in messages:
        click.echo(m)
    click.echo(
        f"{'conforms' if ok else 'does NOT conform'}: {counts['triples']} triples, {counts['core_violations']} core and "
        f"{counts['sparql_violations']} SPARQL-constraint violations ({counts['seconds']})"
    )
    if not ok:
        sys.exit(1)


GRAPH_COMMANDS = [build_cmd, query_cmd, sparql_cmd, serve_cmd, stats_cmd, validate_cmd]
