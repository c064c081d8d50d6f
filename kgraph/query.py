"""Asking the graph: named queries kept as files in `queries/`, run through one interface on either backend.

A named query is a `.rq` file (SPARQL, for the Oxigraph store a build makes) with a `.cypher` twin
(for Neo4j); the `.rq` header comments give its name, arguments and a line of help, for both.
`QueryBackend.run(name, args)` is the one way to run one: it checks the arguments, turns what the
user typed into IRIs, runs the backend's text with them bound and shapes the rows the same way
whichever backend answers. User input never goes into query text: an instrument the user names
(`163/2016/NĐ-CP`, `Nghị định 163/2016`, `nd 163/2016/ND-CP`, `Luật Ngân sách nhà nước 2015`) is
parsed once here (`parse_user_instrument`) and looked up by the backend with bound values; the IRIs
found are bound as values too. The backends are `kgraph.sparql.OxigraphBackend` and
`kgraph.neo4j.queries.Neo4jBackend`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from urllib.parse import unquote

from kgraph.link.bodies import normalize_body
from kgraph.link.keys import slug
from kgraph.link.user_input import parse_user_instrument
from kgraph.numbers import year_of_number
from kgraph.paths import QUERIES_DIR  # package data: a wheel has the queries too


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


# --------------------------------------------------------------------------- one interface, two backends


@dataclass(frozen=True)
class Candidate:
    """One node what a user typed may mean, with what tells them apart: one local number of several
    provinces (`45/KH-UBND`), or one serial of several years. `issuer` None: the graph does not say."""

    iri: str
    label: str | None = None
    issuer: str | None = None
    date: str | None = None


@dataclass
class Result:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    #: when X named several nodes: each with its issuer and date (the rows' `target` says which each answers)
    candidates: list[Candidate] = field(default_factory=list)


#: A document found by a key, with its year (as the backend holds it; None when it has none).
Found = tuple[str, Any]
#: How X is looked up: (kind, value, year, finish), see ``QueryBackend.instrument_lookup``.
Lookup = tuple[str, str, int | None, Callable[[Iterable[Found]], list[str]]]


class QueryBackend(ABC):
    """A store that answers the named queries: the lookups behind what users type, and running a query.

    ``run`` is the same for every backend (arguments, errors, resolution, basis-chain depth); a
    backend supplies the query text, the few lookups by bound value, and execution with IRIs bound.
    """

    #: Where the answer comes from, in messages ("the store", "Neo4j").
    place: str = "the store"
    #: What to add to `kg query` to ask this backend again, in messages.
    hint: str = ""
    #: Only IRIs starting with this count as matches for X or ISSUER (a database holding several graphs).
    scope: str = ""

    def __init__(self, queries: dict[str, NamedQuery] | None = None) -> None:
        self.queries = queries if queries is not None else load_queries()

    # --- what a backend supplies

    @abstractmethod
    def text_of(self, query: NamedQuery) -> str:
        """The text this backend runs for a named query (QueryError if it has none)."""

    @abstractmethod
    def has_resource(self, iri: str) -> bool:
        """True when the graph holds ``iri`` (QueryError if it is not a valid IRI)."""

    @abstractmethod
    def documents_by_number_key(self, key: str) -> Iterable[Found]: ...

    @abstractmethod
    def documents_by_number_prefix(self, prefix: str) -> Iterable[Found]: ...

    @abstractmethod
    def documents_by_name_key(self, key: str) -> Iterable[Found]: ...

    @abstractmethod
    def organisations_labelled(self, needle: str) -> list[str]:
        """Organisation IRIs whose label contains ``needle``, ignoring case, sorted."""

    @abstractmethod
    def document_facts(self, iris: list[str]) -> Iterable[tuple[str, Any, Any, Any]]:
        """(IRI, label(s), issuer label(s), date(s)) rows for ``iris`` bound as values; any cell may be None,
        one value or a list (several rows per IRI allowed)."""

    @abstractmethod
    def execute(self, query: NamedQuery, text: str, *, var: str | None = None, values: list[str] | None = None,
                limit: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        """Columns and rows of ``text`` with ``values`` bound to ``var`` (all at once) or ``limit`` applied."""

    # --- the same for every backend

    def resolve_instrument(self, text: str) -> list[str]:
        """The IRIs an instrument typed by a user names (several when it is ambiguous)."""
        lookup = self.instrument_lookup(text)
        if lookup is None:
            return []
        kind, value, _year, finish = lookup
        if kind == "iri":
            return finish([(value, None)] if self.has_resource(value) else [])
        found = {"number_key": self.documents_by_number_key, "number_prefix": self.documents_by_number_prefix,
                 "name_key": self.documents_by_name_key}[kind](value)
        return finish(found)

    def instrument_lookup(self, text: str) -> Lookup | None:
        """What ``resolve_instrument`` asks the store for X: (kind, value, year, finish), ``finish`` turning the
        documents found into the IRIs X names; kind ``iri`` (found: the IRI when the store has it),
        ``number_key``, ``number_prefix`` or ``name_key`` (the ``documents_by_...`` lookups); ``year`` the year
        ``finish`` keeps (None: any). None: nothing to ask. Apart so that a backend may send the lookup with the
        query in one statement (``resolve_and_execute``)."""
        from kgraph.knowledge import code_key

        u = parse_user_instrument(text)
        if u is None:
            raise QueryError(f"'{text}': not a document number or name (try `163/2016/NĐ-CP` or `Luật Đất đai 2013`)")
        if u.iri:
            iri = u.iri
            return "iri", iri, None, lambda found: [iri] if found else []
        if u.exact is not None and u.exact.number is not None:
            n = u.exact.number
            year = None if year_of_number(n) else u.exact.year
            return "number_key", code_key(n), year, lambda found: _in_year(found, year)
        if u.exact is not None and u.exact.name_key is not None:
            exact_year = u.exact.year
            return "name_key", u.exact.name_key, exact_year, lambda found: _in_year(found, exact_year)
        if u.number_loose is not None:
            hint = u.issuer_hint

            def loose(found: Iterable[Found]) -> list[str]:
                iris = _in_year(found, u.year)
                if hint:  # a local number's nodes end in their issuer's slug (kgraph.link.keys)
                    body = normalize_body(hint)
                    words = slug(body.name if body is not None else hint).split("-")
                    iris = [i for i in iris if all(w in unquote(i).rsplit("/", 1)[-1].split("-") for w in words)]
                return iris
            return "number_key", u.number_loose, u.year, loose
        if u.number_prefix is not None:
            return "number_prefix", u.number_prefix, u.year, lambda found: _in_year(found, u.year)
        if u.name_key is not None:
            return "name_key", u.name_key, None, lambda found: _in_year(found, None)
        return None

    def resolve_and_execute(self, query: NamedQuery, text: str, typed: str
                            ) -> tuple[list[str], tuple[list[str], list[dict[str, Any]]] | None]:
        """X's IRIs (in scope) and, when the backend ran the query with them on the way, its columns and rows
        (None: ``run`` executes it). This one resolves and leaves the query to ``run``."""
        return self._in_scope(self.resolve_instrument(typed)), None

    def candidates(self, iris: list[str]) -> list[Candidate]:
        """Each IRI with its label, issuer and date, in the order given: what a user picks one from."""
        facts: dict[str, tuple[set[str], set[str], set[str]]] = {i: (set(), set(), set()) for i in iris}
        for iri, labels, issuers, dates in self.document_facts(list(iris)):
            if iri in facts:
                for into, v in zip(facts[iri], (labels, issuers, dates)):
                    into.update(str(x) for x in (v if isinstance(v, (list, tuple)) else [v]) if x is not None)
        return [Candidate(iri=i, label=min(ls) if ls else None, issuer="; ".join(sorted(iss)) or None,
                          date=min(ds) if ds else None) for i, (ls, iss, ds) in facts.items()]

    def instrument_candidates(self, text: str) -> list[Candidate]:
        """The nodes an instrument typed by a user names, each with its issuer and date (one: go to it)."""
        return self.candidates(self._in_scope(self.resolve_instrument(text)))

    def resolve_issuer(self, text: str) -> list[str]:
        """Organisation IRIs for an issuer as typed: its canonical name first, else labels containing the words."""
        body = normalize_body(text)
        found = self.organisations_labelled(body.name) if body is not None else []
        return found or self.organisations_labelled(" ".join(text.split()))

    def run(self, name: str, args: Iterable[str] = ()) -> Result:
        """Run a named query with the user's arguments bound, never spliced into the text."""
        queries = self.queries
        if name not in queries:
            raise QueryError(f"no query named '{name}' (known: {', '.join(sorted(queries))})")
        q = queries[name]
        args = list(args)
        if q.with_arg and args:
            q = queries[q.with_arg]
        text = self.text_of(q)
        required = [a for a in q.args if not a.startswith("[")]
        if len(args) < len(required):
            raise QueryError(f"{name} needs {' '.join(q.args)} ({q.doc})")
        if q.needs_instrument or "ISSUER" in q.args:
            typed = " ".join(args)
            done = None
            if q.needs_instrument:
                var = "target"
                targets, done = self.resolve_and_execute(q, text, typed)
                if not targets:
                    raise QueryError(f"'{typed}': no instrument in {self.place} matches "
                                     f"(try `kg query most-cited{self.hint}` to see what is there)")
            else:
                var, targets = "org", self._in_scope(self.resolve_issuer(typed))
                if not targets:
                    raise QueryError(f"'{typed}': no issuing body in {self.place} matches "
                                     f"(try `kg query by-issuer{self.hint}`)")
            cols, rows = done if done is not None else self.execute(q, text, var=var, values=targets)  # every match at once, ordered as a whole
            rows = _lists_once(rows)
            if q.name == "basis-chain":
                rows = _with_depth(rows, targets)
                if "depth" not in cols:
                    cols = cols + ["depth"]
            many = self.candidates(targets) if q.needs_instrument and len(targets) > 1 else []
            return Result(columns=cols, rows=rows, targets=targets, candidates=many)
        limit = None
        if "[N]" in q.args:
            try:
                limit = int(args[0]) if args else 20
            except ValueError:
                raise QueryError(f"{name}: N must be a whole number, not '{args[0]}'") from None
            if limit < 0:
                raise QueryError(f"{name}: N must be a whole number of 0 or more, not '{args[0]}'")
        cols, rows = self.execute(q, text, limit=limit)
        if q.name == "basis-chain":
            rows = _with_depth(rows, [])
        return Result(columns=cols, rows=rows)

    def _in_scope(self, iris: list[str]) -> list[str]:
        return [i for i in iris if i.startswith(self.scope)]


def _in_year(found: Iterable[Found], year: int | None) -> list[str]:
    """The documents found, those of ``year`` only when it is given (a document with several years counts
    if any is ``year``)."""
    return sorted({s for s, y in found if year is None or (y is not None and int(y) == year)})


def target_last(columns: list[str]) -> list[str]:
    """The columns with ``target`` (which X a row answers) moved to the end, when rows also have a ``uri``."""
    if all(c in columns for c in ("target", "uri")):
        return [c for c in columns if c != "target"] + ["target"]
    return columns


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

#: The columns that are lists joined into one text, and their separators.
LIST_FIELDS = {"relations": ", ", "pinpoints": "; "}


def _lists_once(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each list column's items once, sorted by code point as each summary's list and the Cypher twins' are, no
    empty ones: a document read from two files has two citation summaries, whose lists SPARQL can join but not
    split (joined in first-seen order, "cites, implements" and "amends, cites" would not be sorted)."""
    for r in rows:
        for col, sep in LIST_FIELDS.items():
            v = r.get(col)
            if isinstance(v, str):
                items = sorted({x for x in v.split(sep) if x})
                r[col] = sep.join(items) if items else None
    return rows


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
    from kgraph.tables import fit_table  # label first, IRI last, as wide as the terminal

    text, dropped = fit_table(result.columns, result.rows)
    if dropped:
        text += f"\n(not shown: {', '.join(dropped)}; --format json has all)"
    return text + "\n"
