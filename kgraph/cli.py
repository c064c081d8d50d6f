"""The `kg` command line: one group, each sub-command a thin layer over a module."""

from __future__ import annotations

import json
import os
import sys
from typing import IO, TYPE_CHECKING, Iterable

import click

if TYPE_CHECKING:
    from kgraph.model import Extraction, Reference
    from kgraph.reader import SourceText

# The extractor, the readers and each sub-command's own modules are imported inside the commands that run
# them: `kg serve`, `kg load`, `kg --help` never load the extractor (most of a CPU second a process).


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


def _lone_surrogate(s: str) -> int | None:
    """Where a lone surrogate (valid in JSON's \\uD800, not in UTF-8) sits in `s`, if anywhere."""
    try:
        s.encode("utf-8")
        return None
    except UnicodeEncodeError as e:
        return e.start


def _jsonl_items(path: str) -> Iterable[tuple[object, str | None, str | None]]:
    """(id, text, error) for each line of a JSON-lines input; a bad line is an error of its own, never the end."""
    try:
        f = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as e:
        yield None, None, f"{path}: cannot open ({e.strerror})"
        return
    with f:
        for n, raw in enumerate(f, 1):
            where = f"{path}:{n}"
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as e:
                yield None, None, f"{where}: not valid UTF-8 (byte {e.start}: {e.reason})"
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                yield None, None, f"{where}: not JSON ({e.msg})"
                continue
            except RecursionError:
                yield None, None, f"{where}: JSON nested too deeply"
                continue
            ident = obj.get("id") if isinstance(obj, dict) else None
            if not isinstance(ident, (str, int, float, bool, type(None))):
                ident = None
            if isinstance(ident, str) and _lone_surrogate(ident) is not None:
                yield None, None, f"{where}: \"id\" holds a lone surrogate (not Unicode text)"
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                yield ident, None, f"{where}: expected an object with a string \"text\""
                continue
            at = _lone_surrogate(obj["text"])
            if at is not None:
                yield ident, None, f"{where}: \"text\" holds a lone surrogate at character {at} (not Unicode text)"
                continue
            yield ident, obj["text"], None


def _read_stdin(fmt: str) -> SourceText | None:
    """`kg extract -`: standard input as one document (the same checks and formats as a file)."""
    from kgraph.reader import MAX_BYTES, InputError, read_bytes

    raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    try:
        if len(raw) > MAX_BYTES:
            raise InputError("-", f"too large (over {MAX_BYTES} bytes)")
        return read_bytes(raw, "-")
    except InputError as e:
        _error("-", e.problem, fmt)
        return None


def _write_text(folder: str, path: str, text: str) -> None:
    """DIR/<name>.txt holding `text` as UTF-8, exactly (offsets are code points into it)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, os.path.basename(path) + ".txt"), "w", encoding="utf-8", newline="") as f:
        f.write(text)


@main.command("extract")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True, readable=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: readable; json: one JSON object per input per line.")
@click.option("--jsonl", "jsonl", type=click.Path(allow_dash=True, readable=False), default=None,
              help='Read JSON lines {"id": ..., "text": ...} (- for stdin); write one JSON object per line with the same "id".')
@click.option("--text-out", "text_out", type=click.Path(file_okay=False), default=None,
              help="Write the text each file was read as (what the offsets point into) to DIR/<file name>.txt.")
def extract_cmd(files: tuple[str, ...], fmt: str, jsonl: str | None, text_out: str | None) -> None:
    """Extract each document's own metadata and every reference it makes (FILE `-` is standard input).

    A file or line that cannot be used gets one line naming it and its problem; the rest goes on and
    the exit status is 1.
    """
    from kgraph.extract import extract
    from kgraph.reader import InputError, annotate, read_source

    failed = 0
    if jsonl:
        for ident, text, problem in _jsonl_items(jsonl):
            if problem is None:
                try:
                    d = extract(text or "").to_dict()
                except Exception as e:  # an extractor bug must not stop the batch
                    problem = f"{jsonl}: extraction failed ({type(e).__name__}: {e})"
            if problem:
                failed += 1
                click.echo(json.dumps({"id": ident, "error": problem}, ensure_ascii=False))
                click.echo(f"kg extract: {problem}", err=True)
                continue
            click.echo(json.dumps({"id": ident, **d}, ensure_ascii=False))
    if not files and not jsonl:
        raise click.UsageError("give one or more FILES (- for standard input), or --jsonl FILE")
    out = sys.stdout
    for path in files:
        if path == "-":
            src = _read_stdin(fmt)
            if src is None:
                failed += 1
                continue
        else:
            try:
                src = read_source(path)
            except InputError as e:
                failed += 1
                _error(e.source, e.problem, fmt)
                continue
            except OSError as e:  # e.g. a folder on the way that cannot be searched
                failed += 1
                _error(path, "permission denied" if isinstance(e, PermissionError) else f"cannot read ({e.strerror or e})", fmt)
                continue
        try:
            ex = annotate(extract(src.text, source=path), src)
        except Exception as e:  # an extractor bug must not stop the batch
            failed += 1
            _error(path, f"extraction failed ({type(e).__name__}: {e})", fmt)
            continue
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
from kgraph.cli_catalog import catalog_group  # noqa: E402
from kgraph.cli_views import VIEW_COMMANDS  # noqa: E402

for _command in (*GRAPH_COMMANDS, neo4j_group, *NEO4J_GRAPH_COMMANDS, catalog_group, *VIEW_COMMANDS):
    main.add_command(_command)

__all__ = ["main"]
