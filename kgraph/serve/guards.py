"""What `kg serve` checks before a query runs: SERVICE clauses, the formats a client accepts."""

from __future__ import annotations

import contextlib
import re

MAX_QUERY_BYTES = 1 << 20
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")

RESULTS_FORMATS = {  # media type -> pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
GRAPH_FORMATS = {  # media type -> pyoxigraph RdfFormat name
    "text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML", "application/n-quads": "N_QUADS",
}
SHORT_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                 "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml"}


# --------------------------------------------------------------------------- SERVICE


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n\r]*)"""
    r"""|(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\""""
    r"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")"""
    r"""|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)""",
    re.S,
)
_SERVICE_WORD = re.compile(r"(?<![?$])service", re.I)


def _unescape(query: str) -> str:
    def one(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _ESCAPE.sub(one, query)


def uses_service(query: str) -> bool:
    """Whether `query` may hold a SERVICE clause: the word outside strings, IRIs and comments.

    Errs on the side of refusing: a variable named ?service is allowed, a prefixed name like ex:service is not.
    SPARQL decodes \\uXXXX escapes anywhere in the text before parsing, so this looks at the decoded text.
    """
    text = _unescape(query)
    code = _TOKEN.sub(" ", text)
    return bool(_SERVICE_WORD.search(code))


# --------------------------------------------------------------------------- content negotiation


def _accepted(accept: str) -> list[tuple[float, str]]:
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                with contextlib.suppress(ValueError):
                    q = float(f[2:])
        if fields[0]:
            out.append((q - i * 1e-6, fields[0].lower()))  # ties: the order written
    return sorted(out, reverse=True)


def choose(accept: str | None, offers: dict[str, str], default: str) -> str | None:
    """The media type to answer with: the best of `offers` the client accepts (None: none acceptable)."""
    if not accept:
        return default
    for q, mt in _accepted(accept):
        if q <= 0:
            continue
        if mt in offers:
            return mt
        if mt == "*/*" or (mt.endswith("/*") and default.startswith(mt[:-1])):
            return default
        if mt.endswith("/*"):
            for o in offers:
                if o.startswith(mt[:-1]):
                    return o
    return None


