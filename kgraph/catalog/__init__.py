"""The catalogue of national instruments: numbers, names as cited, dates, status and effects.

`store` opens the shipped SQLite file (and a user's over it) for indexed lookups, `names` keys names as
lawyers write them, `resolve` turns a cited name into one number or reports why it cannot, `write` writes
catalogue files (scripts/build_catalog.py, `kg catalog add`). It sits below `kgraph.link`, which consults it.
"""

from kgraph.catalog.names import CitedName, cited_name, name_key
from kgraph.catalog.resolve import Ambiguous, Match, resolve_name
from kgraph.catalog.store import Catalog, CatalogError, Instrument, default_catalog, shipped_path, user_path

__all__ = ["Ambiguous", "Catalog", "CatalogError", "CitedName", "Instrument", "Match", "cited_name",
           "default_catalog", "name_key", "resolve_name", "shipped_path", "user_path"]
