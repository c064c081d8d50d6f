"""The one number normaliser, wherever it lives on this branch's base.

`kgraph.numbers` (issue 8) is the house's place for it; until that module is on main the link layer's copy
is used. Imported lazily so the catalogue never imports the link layer at module level (link uses the
catalogue).
"""

from __future__ import annotations


def normalize_number(raw: str) -> str:
    try:
        from kgraph.numbers import normalize_number as f
    except ImportError:  # before kgraph/numbers.py is merged
        from kgraph.link.identity import normalize_number as f
    return f(raw)
