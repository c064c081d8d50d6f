"""The `kg` command line: one group, each sub-command a thin layer over a module."""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Iterable

import click

from kgraph.extract import extract
from kgraph.model import Extraction, Reference
from kgraph.reader import InputError, annotate, read_source


@click.group()
@click.version_option(package_name="kgraph")
def main() -> None:
    """kgraph: a knowledge graph of Vietnamese legal and administrative documents."""


def _cell(v: object, width: int) -> str:
    s = "" if v is None else str(v)
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"


def _pinpoint_text(r: Reference) -> str:
    parts = []
    for p in r.pinpoint:
        bits = [f"điểm {p.point}" if p.point else "", f"khoản {p.clause}" if p.clause else "",
                f"Điều {p.article}" if p.article else "", f"Chương {p.chapter}" if p.chapter else ""]
        parts.append(" ".join(b for b in bits if b))
    return "; ".join(parts)


def write_table(ex: Extraction, out: IO[str]) -> None:
    """A readable view of one extraction: the document's own metadata, then one line per reference."""
    d = ex.document
    out.write(f"== {ex.source}\n")
    signer = " ".join(x for x in (d.signer.mode, d.signer.title, d.signer.name) if x)
    for label, value in (("number", d.number), ("type", d.type), ("issuer", d.issuer), ("place", d.place),
                         ("date", d.date), ("title", d.title), ("signer", signer or None),
                         ("recipients", "; ".join(d.recipients) or None)):
        out.write(f"  {label:<11}{_cell(value, 100)}\n")
    refs = [r for r in ex.references if r.kind != "self"]
    selfs = len(ex.references) - len(refs)
    out.write(f"  references: {len(refs)} (+{selfs} self references)\n")
    cols = (("offset", 7), ("kind", 8), ("type", 16), ("instrument", 34), ("date", 10), ("issuer", 24),
            ("relation", 10), ("pinpoint", 28))
    out.write("  " + " ".join(f"{n:<{w}}" for n, w in cols).rstrip() + "\n")
    for r in refs:
        ident = r.number or r.name or r.text
        if r.name and r.number:
            ident = f"{r.name} ({r.number})"
        if r.year and str(r.year) not in (r.number or ""):
            ident = f"{ident} [{r.year}]"
        row = (r.start, r.kind, r.type, ident, r.date, r.issuer, r.relation, _pinpoint_text(r))
        out.write("  " + " ".join(f"{_cell(v, w):<{w}}" for v, (_, w) in zip(row, cols)).rstrip() + "\n")


def _error(source: str, problem: str, fmt: str, key: str = "source") -> None:
    if fmt == "json":
        click.echo(json.dumps({key: source, "error": problem}, ensure_ascii=False))
    click.echo(f"kg extract: {source}: {problem}", err=True)


def _jsonl_items(path: str) -> Iterable[tuple[object, str | None, str | None]]:
    """(id, text, error) for each line of a JSON-lines input."""
    try:
        f = sys.stdin if path == "-" else open(path, encoding="utf-8")
    except OSError as e:
        yield None, None, f"{path}: cannot open ({e.strerror})"
        return
    with f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                yield None, None, f"{path}:{n}: not JSON ({e.msg})"
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                yield (obj.get("id") if isinstance(obj, dict) else None), None, f"{path}:{n}: expected an object with a string \"text\""
                continue
            yield obj.get("id"), obj["text"], None


def _write_text(folder: str, path: str, text: str) -> None:
    """DIR/<name>.txt holding `text` as UTF-8, exactly (offsets are code points into it)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, os.path.basename(path) + ".txt"), "w", encoding="utf-8", newline="") as f:
        f.write(text)


@main.command("extract")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True, allow_dash=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: readable; json: one JSON object per input per line.")
@click.option("--jsonl", "jsonl", type=click.Path(allow_dash=True), default=None,
              help='Read JSON lines {"id": ..., "text": ...} (- for stdin); write one JSON object per line with the same "id".')
@click.option("--text-out", "text_out", type=click.Path(file_okay=False), default=None,
              help="Write the text each file was read as (what the offsets point into) to DIR/<file name>.txt.")
def extract_cmd(files: tuple[str, ...], fmt: str, jsonl: str | None, text_out: str | None) -> None:
    """Extract each document's own metadata and every reference it makes."""
    failed = 0
    if jsonl:
        for ident, text, problem in _jsonl_items(jsonl):
            if problem:
                failed += 1
                click.echo(json.dumps({"id": ident, "error": problem}, ensure_ascii=False))
                click.echo(f"kg extract: {problem}", err=True)
                continue
            d = extract(text or "").to_dict()
            click.echo(json.dumps({"id": ident, **d}, ensure_ascii=False))
    if not files and not jsonl:
        raise click.UsageError("give one or more FILES, or --jsonl FILE")
    out = sys.stdout
    for path in files:
        try:
            src = read_source(path)
        except InputError as e:
            failed += 1
            _error(e.source, e.problem, fmt)
            continue
        ex = annotate(extract(src.text, source=path), src)
        if text_out:
            _write_text(text_out, path, src.text)
        if fmt == "json":
            click.echo(json.dumps(ex.to_dict(), ensure_ascii=False))
        else:
            write_table(ex, out)
    if failed:
        sys.exit(1)


# Sub-commands that live in their own modules: the graph (build, query, ...) and Neo4j.
from kgraph.cli_graph import GRAPH_COMMANDS  # noqa: E402
from kgraph.cli_neo4j import neo4j_group  # noqa: E402
from kgraph.cli_neo4j_graph import NEO4J_GRAPH_COMMANDS  # noqa: E402

for _command in (*GRAPH_COMMANDS, neo4j_group, *NEO4J_GRAPH_COMMANDS):
    main.add_command(_command)

__all__ = ["main"]
