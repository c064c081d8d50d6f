"""N-Triples terms and lines: IRIs validated by pyoxigraph, literals in canonical form, no blank nodes."""

from __future__ import annotations

import re
from functools import lru_cache

from pyoxigraph import Literal, NamedNode

from kgraph.graph.ontology import ELI, KG, RDF, RDFS, XSD


@lru_cache(maxsize=None)
def _n(iri: str) -> str:
    return str(NamedNode(iri))


def node(iri: str) -> str:
    """An IRI term in N-Triples form (raises ValueError on an invalid IRI)."""
    return str(NamedNode(iri))


def iri_term(iri: str) -> str:
    """An IRI term for a vocabulary IRI (cached: the same few predicates and classes, over and over)."""
    return _n(iri)


def kg(local: str) -> str:
    return _n(KG + local)


def eli(local: str) -> str:
    return _n(ELI + local)


A = _n(RDF + "type")
LABEL = _n(RDFS + "label")

_ESCAPE = {i: f"\\u{i:04X}" for i in [*range(0x20), 0x7F]}
_ESCAPE.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})
INTEGER = "<" + XSD + "integer>"
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')


def lit(value: str | int | bool, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal in canonical N-Triples form (ECHAR for \\t \\n \\" ..., UCHAR for other control characters)."""
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^<{XSD}boolean>'
    if isinstance(value, int):
        return f'"{value}"^^{INTEGER}'
    body = '"' + (value.translate(_ESCAPE) if _NEEDS_ESCAPE.search(value) else value) + '"'
    if lang:
        return str(Literal(value, language=lang))
    if datatype:
        return body + "^^" + _n(datatype)
    return body


def line(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_lit(date: str | None) -> str | None:
    if date and _ISO_DATE.match(date):
        return lit(date, XSD + "date")
    return None
