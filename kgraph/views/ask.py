"""The one place the views call the asking layer (named queries, lookups of what users type, bound SPARQL).

Kept apart so the pages depend on a handful of calls, whatever shape `kgraph.query` takes.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Store

from kgraph.query import Candidate, QueryError, Result, load_queries
from kgraph.sparql import OxigraphBackend, bind_values, solutions_to_rows

__all__ = ["Candidate", "QueryError", "Result", "bound_rows", "candidates", "named_queries", "resolve", "run"]


def named_queries() -> dict[str, Any]:
    """The named queries by name (queries/*.rq)."""
    return load_queries()


def run(store: Store, name: str, args: list[str]) -> Result:
    """A named query with the user's arguments bound as values."""
    return OxigraphBackend(store).run(name, args)


def resolve(store: Store, typed: str) -> list[str]:
    """The IRIs an instrument typed as users type it names (`Nghị định 163/2016`)."""
    return OxigraphBackend(store).resolve_instrument(typed)


def candidates(store: Store, typed: str) -> list[Candidate]:
    """The nodes an instrument typed as users type it names, each with its issuer and date (`45/KH-UBND`:
    one per province that has one; `45/KH-UBND Quảng Trị`: that province's)."""
    return OxigraphBackend(store).instrument_candidates(typed)


def bound_rows(store: Store, query: str, var: str, iris: list[str]) -> list[dict[str, Any]]:
    """Rows of `query` with `iris` bound to `?var` by VALUES (terms written by pyoxigraph, never pasted)."""
    return solutions_to_rows(store.query(bind_values(query, var, iris)))[1]
