"""The one place the views call the asking layer (named queries, lookups of what users type, bound SPARQL).

Kept apart so the pages depend on a handful of calls, whatever shape `kgraph.query` takes.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Store

from kgraph.query import QueryError, Result, _value, bind_values, load_queries, resolve_instrument, run_named

__all__ = ["QueryError", "Result", "bound_rows", "named_queries", "resolve", "run"]


def named_queries() -> dict[str, Any]:
    """The named queries by name (queries/*.rq)."""
    return load_queries()


def run(store: Store, name: str, args: list[str]) -> Result:
    """A named query with the user's arguments bound as values."""
    return run_named(store, name, args)


def resolve(store: Store, typed: str) -> list[str]:
    """The IRIs an instrument typed as users type it names (`Nghị định 163/2016`)."""
    return resolve_instrument(store, typed)


def bound_rows(store: Store, query: str, var: str, iris: list[str]) -> list[dict[str, Any]]:
    """Rows of `query` with `iris` bound to `?var` by VALUES (terms written by pyoxigraph, never pasted)."""
    sols = store.query(bind_values(query, var, iris))
    cols = [v.value for v in sols.variables]
    return [{c: _value(sol[c]) for c in cols} for sol in sols]
