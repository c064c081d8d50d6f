"""Asking the graph: named SPARQL queries kept as files in `queries/`, and what users type turned into IRIs.

A named query is a `.rq` file whose header comments give its name, arguments and a line of help.
User input never goes into query text: an instrument the user names (`163/2016/NĐ-CP`,
`Nghị định 163/2016`, `nd 163/2016/ND-CP`, `Luật Ngân sách nhà nước 2015`) is looked up by bound
literals, and the IRIs found are bound to `?target` through pyoxigraph's `substitutions`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from kgraph.graph.rdf import KG
from kgraph.link.identity import normalize_body, parse_user_instrument
from kgraph.numbers import year_of_number

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"

#: The fields every named query's JSON rows carry, in this order, before the query's own.
COMMON_FIELDS = ("uri", "number", "type", "title", "date", "source")


class QueryError(Exception):
    """A query that cannot run as asked; the message says why and what to try."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    doc: str
    args: tuple[str, ...]
    text: str
    with_arg: str | None = None

    @property
    def needs_instrument(self) -> bool:
        return "X" in self.args


def read_header(text: str, comment: str = "#") -> dict[str, str]:
    """The `name:`, `args:`, `doc:` lines at the top of a query file (`#` in SPARQL, `//` in Cypher)."""
    out = {}
    pattern = re.compile(re.escape(comment) + r"\s*([\w-]+)\s*:\s*(.*)$")
    for ln in text.splitlines():
        m = pattern.match(ln.lstrip())
        if not m:
            if ln.strip() and not ln.lstrip().startswith(comment):
                break
            continue
        out[m.group(1)] = m.group(2).strip()
    return out


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every `.rq` file in `directory`, by the name its header gives (the file stem otherwise)."""
    out = {}
    for p in sorted(directory.glob("*.rq")):
        text = p.read_text("utf-8")
        h = read_header(text)
        name = h.get("name", p.stem)
        out[name] = NamedQuery(
            name=name,
            path=p,
            doc=h.get("doc", ""),
            args=tuple(a for a in h.get("args", "").split() if a),
            text=text,
            with_arg=h.get("with-arg"),
        )
    return out


# --------------------------------------------------------------------------- arguments


_BY_NUMBER = f"SELECT DISTINCT ?s ?y ?key WHERE {{ ?s <{KG}numberKey> ?key . OPTIONAL {{ ?s <{KG}year> ?y }} }}"
_BY_PREFIX = (
    f"SELECT DISTINCT ?s ?y ?prefix WHERE {{ ?s <{KG}numberKey> ?k . FILTER(STRSTARTS(?k, ?prefix)) "
    f"OPTIONAL {{ ?s <{KG}year> ?y }} }}"
)
_BY_NAME = f"SELECT DISTINCT ?s ?y ?key WHERE {{ ?s <{KG}nameKey> ?key . OPTIONAL {{ ?s <{KG}year> ?y }} }}"
_EXISTS = "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o2 ?p2 ?s } } LIMIT 1"
_ORG_BY_LABEL = (
    f"SELECT DISTINCT ?s ?needle WHERE {{ ?s a <{KG}Organisation> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l . "
    "FILTER(CONTAINS(LCASE(STR(?l)), LCASE(?needle))) }"
)


def _lookup(store: Store, query: str, bindings: dict[str, Any], year: int | None = None) -> list[str]:
    subs = {Variable(k): v for k, v in bindings.items()}
    found: set[str] = set()
    for row in store.query(query, substitutions=subs):
        y = row["y"]
        if year is not None and (y is None or int(y.value) != year):
            continue
        found.add(row["s"].value)
    return sorted(found)


def resolve_instrument(store: Store, text: str) -> list[str]:
    """The IRIs in the store an instrument typed by a user names (several when it is ambiguous)."""
    from kgraph.knowledge import code_key

    u = parse_user_instrument(text)
    if u is None:
        raise QueryError(f"'{text}': not a document number or name (try `163/2016/NĐ-CP` or `Luật Đất đai 2013`)")
    if u.iri:
        try:
            node = NamedNode(u.iri)
        except ValueError:
            raise QueryError(f"'{text}': not a valid IRI") from None
        return [u.iri] if any(True for _ in store.query(_EXISTS, substitutions={Variable("s"): node})) else []
    if u.exact is not None and u.exact.number is not None:
        n = u.exact.number
        year = None if year_of_number(n) else u.exact.year
        return _lookup(store, _BY_NUMBER, {"key": Literal(code_key(n))}, year)
    if u.exact is not None and u.exact.name_key is not None:
        return _lookup(store, _BY_NAME, {"key": Literal(u.exact.name_key)}, u.exact.year)
    if u.number_loose is not None:
        return _lookup(store, _BY_NUMBER, {"key": Literal(u.number_loose)}, None)
    if u.number_prefix is not None:
        return _lookup(store, _BY_PREFIX, {"prefix": Literal(u.number_prefix)}, u.year)
    if u.name_key is not None:
        return _lookup(store, _BY_NAME, {"key": Literal(u.name_key)}, None)
    return []


def resolve_issuer(store: Store, text: str) -> list[str]:
    """Organisation IRIs for an issuer as typed: its canonical name first, else labels containing the words."""
    body = normalize_body(text)
    found: list[str] = []
    if body is not None:
        found = _lookup_orgs(store, body.name)
    return found or _lookup_orgs(store, " ".join(text.split()))


def _lookup_orgs(store: Store, needle: str) -> list[str]:
    rows = store.query(_ORG_BY_LABEL, substitutions={Variable("needle"): Literal(needle)})
    return sorted({r["s"].value for r in rows})


# --------------------------------------------------------------------------- running


def _value(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith("#integer"):
            return int(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


def solutions_to_rows(solutions: QuerySolutions) -> tuple[list[str], list[dict[str, Any]]]:
    cols = [v.value for v in solutions.variables]
    rows = [{c: _value(sol[c]) for c in cols} for sol in solutions]
    if rows and all(c in rows[0] for c in ("target", "uri")):
        cols = [c for c in cols if c != "target"] + ["target"]
    return cols, rows


@dataclass
class Result:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


def run_named(store: Store, name: str, args: Iterable[str] = (), queries: dict[str, NamedQuery] | None = None) -> Result:
    """Run a named query with the user's arguments bound, never spliced into the text."""
    queries = queries or load_queries()
    if name not in queries:
        raise QueryError(f"no query named '{name}' (known: {', '.join(sorted(queries))})")
    q = queries[name]
    args = [a for a in args]
    if q.with_arg and args:
        q = queries[q.with_arg]
    required = [a for a in q.args if not a.startswith("[")]
    if len(args) < len(required):
        raise QueryError(f"{name} needs {' '.join(q.args)} ({q.doc})")
    if q.needs_instrument:
        text = " ".join(args)
        targets = resolve_instrument(store, text)
        if not targets:
            raise QueryError(f"'{text}': no instrument in the store matches (try `kg query most-cited` to see what is there)")
        return _run_for_targets(store, q, "target", targets)
    if "ISSUER" in q.args:
        text = " ".join(args)
        orgs = resolve_issuer(store, text)
        if not orgs:
            raise QueryError(f"'{text}': no issuing body in the store matches (try `kg query by-issuer`)")
        return _run_for_targets(store, q, "org", orgs)
    limit = None
    if "[N]" in q.args and args:
        try:
            limit = int(args[0])
        except ValueError:
            raise QueryError(f"{name}: N must be a whole number, not '{args[0]}'") from None
    elif "[N]" in q.args:
        limit = 20
    sols = store.query(q.text)
    cols = [v.value for v in sols.variables]
    rows = []
    for sol in sols:
        rows.append({c: _value(sol[c]) for c in cols})
        if limit is not None and len(rows) >= limit:
            break
    if name == "basis-chain":
        rows = _with_depth(rows, [])
    return Result(columns=cols, rows=rows)


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_values(query: str, var: str, iris: Iterable[str]) -> str:
    """The query with `VALUES ?var { <iri> ... }` opening its WHERE clause.

    The terms are written by pyoxigraph's NamedNode (which refuses anything that is not an IRI), never
    by pasting user text; `var` comes from the query file. VALUES rather than `substitutions=`:
    Oxigraph joins substitutions after evaluating the pattern, so a property path from a bound
    ?target (basis-chain) ran 400 ms instead of 1 ms.
    """
    if not re.fullmatch(r"\w+", var):
        raise ValueError(f"bad variable name {var!r}")
    terms = " ".join(str(NamedNode(i)) for i in iris)
    m = _WHERE.search(query)
    if m is None:
        raise QueryError("query has no WHERE clause to bind values in")
    return query[: m.end()] + f" VALUES ?{var} {{ {terms} }} " + query[m.end() :]


def _run_for_targets(store: Store, q: NamedQuery, var: str, targets: list[str]) -> Result:
    sols = store.query(bind_values(q.text, var, targets))
    cols, rows = solutions_to_rows(sols)
    if q.name == "basis-chain":
        rows = _with_depth(rows, targets)
        if "depth" not in cols:
            cols = cols + ["depth"]
    return Result(columns=cols, rows=rows, targets=targets)


def _with_depth(rows: list[dict[str, Any]], roots: list[str]) -> list[dict[str, Any]]:
    """Number the links of a basis chain by distance from X (1 = X's own legal basis)."""
    out_edges: dict[str, list[str]] = {}
    for r in rows:
        out_edges.setdefault(r["basis_of"], []).append(r["uri"])
    depth = {root: 0 for root in roots}
    todo = deque(roots)
    while todo:
        node = todo.popleft()
        for nxt in out_edges.get(node, []):
            if nxt not in depth:
                depth[nxt] = depth[node] + 1
                todo.append(nxt)
    for r in rows:
        d = depth.get(r["basis_of"])
        r["depth"] = None if d is None else d + 1
    return sorted(rows, key=lambda r: (r["depth"] if r["depth"] is not None else 1 << 30, str(r.get("uri")), str(r.get("basis_of"))))


# --------------------------------------------------------------------------- output


def ordered_columns(columns: list[str]) -> list[str]:
    """The common fields first (present or not), then the query's own."""
    return list(COMMON_FIELDS) + [c for c in columns if c not in COMMON_FIELDS]


def to_json_lines(result: Result) -> Iterator[str]:
    """One JSON object per row, each with uri, number, type, title, date, source and the query's own fields."""
    cols = ordered_columns(result.columns)
    for r in result.rows:
        yield json.dumps({c: r.get(c) for c in cols}, ensure_ascii=False)


def to_table(columns: list[str], rows: list[dict[str, Any]], max_width: int = 60) -> str:
    """A plain text table; long cells are cut with an ellipsis."""

    def cell(v: Any) -> str:
        s = "" if v is None else str(v)
        s = " ".join(s.split())
        return s if len(s) <= max_width else s[: max_width - 1] + "…"

    cols = [c for c in columns if any(r.get(c) is not None for r in rows)] or columns
    body = [[cell(r.get(c)) for c in cols] for r in rows]
    widths = [max([len(c)] + [len(b[i]) for b in body]) for i, c in enumerate(cols)]
    out = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(b, widths)) for b in body]
    return "\n".join(out)


def to_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: "" if r.get(c) is None else r.get(c) for c in columns})
    return buf.getvalue()


def render(result: Result, fmt: str) -> str:
    """A result as `kg query` prints it, whichever backend answered: table, csv or JSON lines."""
    if fmt == "json":
        return "\n".join(to_json_lines(result)) + ("\n" if result.rows else "")
    if fmt == "csv":
        return to_csv(ordered_columns(result.columns), result.rows)
    return to_table(result.columns, result.rows) + "\n"
