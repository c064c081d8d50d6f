"""The named queries on Oxigraph (the store `kg build` makes): SPARQL text, lookups by bound literals, rows.

`OxigraphBackend` is the `kgraph.query.QueryBackend` for a pyoxigraph `Store`: user input reaches
SPARQL only through `substitutions` (lookups) or `VALUES` written by pyoxigraph's own `NamedNode`
(the IRIs found), never pasted into the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from kgraph.graph.ontology import KG
from kgraph.numbers import number_stem
from kgraph.query import Found, NamedQuery, QueryBackend, QueryError, target_last

_BY_NUMBER = f"SELECT DISTINCT ?s ?y ?key WHERE {{ ?s <{KG}numberKey> ?key . OPTIONAL {{ ?s <{KG}year> ?y }} }}"
_BY_PREFIX = (
    f"SELECT DISTINCT ?s ?y ?prefix WHERE {{ ?s <{KG}numberKey> ?k . FILTER(STRSTARTS(?k, ?prefix)) "
    f"OPTIONAL {{ ?s <{KG}year> ?y }} }}"
)
#: `Nghị định 163/2016`: the instruments with that serial and year (an index hit on kg:numberStem),
#: then those whose key starts with the prefix (`163/2016/nd-`).
_BY_STEM = (
    f"SELECT DISTINCT ?s ?y ?stem ?prefix WHERE {{ ?s <{KG}numberStem> ?stem ; <{KG}numberKey> ?k . "
    f"FILTER(STRSTARTS(?k, ?prefix)) OPTIONAL {{ ?s <{KG}year> ?y }} }}"
)
_BY_NAME = f"SELECT DISTINCT ?s ?y ?key WHERE {{ ?s <{KG}nameKey> ?key . OPTIONAL {{ ?s <{KG}year> ?y }} }}"
#: What tells apart the nodes a typed number names (`kgraph.query.Candidate`); ?s bound by VALUES.
_FACTS = (
    "SELECT ?s ?l ?il ?d WHERE { "
    "OPTIONAL { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } "
    "OPTIONAL { ?s <http://data.europa.eu/eli/ontology#passed_by> ?org . "
    "OPTIONAL { ?org <http://www.w3.org/2000/01/rdf-schema#label> ?il } } "
    "OPTIONAL { ?s <http://data.europa.eu/eli/ontology#date_document> ?d } }"
)
_EXISTS = "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o2 ?p2 ?s } } LIMIT 1"
_ORG_BY_LABEL = (
    f"SELECT DISTINCT ?s ?needle WHERE {{ ?s a <{KG}Organisation> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l . "
    "FILTER(CONTAINS(LCASE(STR(?l)), LCASE(?needle))) }"
)


class OxigraphBackend(QueryBackend):
    """The named queries' SPARQL on a pyoxigraph store."""

    place = "the store"
    hint = ""

    def __init__(self, store: Store, queries: dict[str, NamedQuery] | None = None) -> None:
        super().__init__(queries)
        self.store = store

    def text_of(self, query: NamedQuery) -> str:
        return query.text

    def has_resource(self, iri: str) -> bool:
        try:
            node = NamedNode(iri)
        except ValueError:
            raise QueryError(f"'{iri}': not a valid IRI") from None
        return any(True for _ in self.store.query(_EXISTS, substitutions={Variable("s"): node}))

    def _documents(self, query: str, var: str, value: str) -> list[Found]:
        rows = self.store.query(query, substitutions={Variable(var): Literal(value)})
        return [(r["s"].value, None if r["y"] is None else r["y"].value) for r in rows]

    def documents_by_number_key(self, key: str) -> list[Found]:
        return self._documents(_BY_NUMBER, "key", key)

    def documents_by_number_prefix(self, prefix: str) -> list[Found]:
        stem = number_stem(prefix)
        if stem is None:
            return self._documents(_BY_PREFIX, "prefix", prefix)
        rows = self.store.query(_BY_STEM, substitutions={Variable("stem"): Literal(stem), Variable("prefix"): Literal(prefix)})
        return [(r["s"].value, None if r["y"] is None else r["y"].value) for r in rows]

    def documents_by_name_key(self, key: str) -> list[Found]:
        return self._documents(_BY_NAME, "key", key)

    def organisations_labelled(self, needle: str) -> list[str]:
        rows = self.store.query(_ORG_BY_LABEL, substitutions={Variable("needle"): Literal(needle)})
        return sorted({r["s"].value for r in rows})

    def document_facts(self, iris: list[str]) -> list[tuple[str, Any, Any, Any]]:
        if not iris:
            return []
        rows = solutions_to_rows(self.store.query(bind_values(_FACTS, "s", iris)))[1]
        return [(r["s"], r.get("l"), r.get("il"), r.get("d")) for r in rows]

    def execute(self, query: NamedQuery, text: str, *, var: str | None = None, values: list[str] | None = None,
                limit: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        if var is not None:
            return solutions_to_rows(self.store.query(bind_values(text, var, values or [])))
        sols = self.store.query(with_limit(text, limit) if limit is not None else text)
        cols = [v.value for v in sols.variables]
        rows = []
        for row in _rows(cols, sols):
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
        return cols, rows


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


def _rows(cols: list[str], solutions: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Each solution as a plain-value row. A solution iterates its values in the order of its variables;
    reading them that way, not by name, is most of the Python cost of a 355-row answer (8 ms → 3)."""
    for sol in solutions:
        yield dict(zip(cols, map(_value, sol)))


def solutions_to_rows(solutions: QuerySolutions) -> tuple[list[str], list[dict[str, Any]]]:
    """SPARQL solutions as column names and plain-value rows (``target`` last, as `kg query` shows it)."""
    cols = [v.value for v in solutions.variables]
    rows = list(_rows(cols, solutions))
    if rows:
        cols = target_last(cols)
    return cols, rows


_LIMIT = re.compile(r"\bLIMIT\s+\d+", re.IGNORECASE)


def with_limit(query: str, n: int) -> str:
    """The query with each `LIMIT k` it has made `LIMIT n`: a query ranks and cuts before it looks up
    labels (most-cited). SPARQL has no parameter for LIMIT; `n` is an int kg query parsed, written
    by `%d`, never the text the user typed."""
    return _LIMIT.sub("LIMIT %d" % int(n), query)


_SELECT_WHERE = re.compile(r"\bSELECT\b(?P<head>[^{}]*?)\bWHERE\s*\{", re.IGNORECASE)


def bind_values(query: str, var: str, iris: Iterable[str]) -> str:
    """The query with `VALUES ?var { <iri> ... }` opening its WHERE clause and the WHERE clause of
    every subquery that projects `?var`.

    The terms are written by pyoxigraph's NamedNode (which refuses anything that is not an IRI), never
    by pasting user text; `var` comes from the query file. VALUES rather than `substitutions=`:
    Oxigraph joins substitutions after evaluating the pattern, so a property path from a bound
    ?target (basis-chain) ran 400 ms instead of 1 ms. In subqueries too: SPARQL evaluates a subquery
    on its own, before the join, so without them a subquery grouping the citations of ?target
    grouped every citation in the store (cited-by: 300-500 ms on the shared corpus, growing with it);
    joining on the same values afterwards, the answer is the same.
    """
    if not re.fullmatch(r"\w+", var):
        raise ValueError(f"bad variable name {var!r}")
    terms = " ".join(str(NamedNode(i)) for i in iris)
    values = f" VALUES ?{var} {{ {terms} }} "
    projected = re.compile(r"(?<!AS )\?" + var + r"\b", re.IGNORECASE)
    out = []
    last = 0
    for i, m in enumerate(_SELECT_WHERE.finditer(query)):
        if i == 0 or projected.search(m.group("head")):
            out += [query[last : m.end()], values]
            last = m.end()
    if not out:
        raise QueryError("query has no WHERE clause to bind values in")
    return "".join(out) + query[last:]
