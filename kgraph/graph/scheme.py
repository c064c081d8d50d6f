"""The document-type scheme: doc_types.yaml as SKOS concepts, the generated part of `ontology/kgraph.ttl`.

`python -m kgraph.generate` rewrites that part with the other generated files; a test fails while
the file is stale.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pyoxigraph import RdfFormat, parse, serialize

from kgraph.graph.ontology import ELI, KG, RDFS, SKOS
from kgraph.graph.terms import lit
from kgraph.knowledge import DocType, load


def _camel(s: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", s) if w)


@lru_cache(maxsize=1)
def _concept_names() -> dict[int, str]:
    types = load().types
    counts: dict[str, int] = {}
    for t in types:
        counts[_camel(t.en)] = counts.get(_camel(t.en), 0) + 1
    out = {}
    for i, t in enumerate(types):
        c = _camel(t.en)
        out[i] = "type_" + (c + t.family.capitalize() if counts[c] > 1 else c)
    return out


def concept_iri(t: DocType) -> str:
    """The SKOS concept of a document type (kg:type_Decree); shared English names add the family."""
    for i, x in enumerate(load().types):
        if x is t or x == t:
            return KG + _concept_names()[i]
    raise KeyError(t)


def doctype_scheme_turtle() -> str:
    """The SKOS concepts of doc_types.yaml as Turtle (the generated part of ontology/kgraph.ttl)."""
    out = []
    for i, t in enumerate(load().types):
        local = _concept_names()[i]
        parts = [
            f"kg:{local} a skos:Concept, kg:DocumentType",
            "    skos:inScheme kg:documentTypes",
            f"    skos:prefLabel {lit(t.name, lang='vi')}, {lit(t.en, lang='en')}",
            f"    rdfs:label {lit(t.name, lang='vi')}, {lit(t.en, lang='en')}",
        ]
        if t.code:
            parts.append(f"    skos:notation {lit(t.code)}")
        if t.aliases:
            parts.append("    skos:altLabel " + ", ".join(lit(a, lang="vi") for a in t.aliases))
        parts.append(f"    kg:family {lit(t.family)}")
        cls = "eli:Work" if t.rdf_class == "Work" else f"kg:{t.rdf_class}"
        parts.append(f"    kg:rdfClass {cls}")
        out.append(" ;\n".join(parts) + " .\n")
    return "\n".join(out)


_BEGIN = "# BEGIN GENERATED DOCUMENT TYPES\n"
_END = "# END GENERATED DOCUMENT TYPES\n"


def ontology_with_scheme(text: str) -> str:
    """The ontology text with its generated section replaced by the current doc_types.yaml."""
    head, rest = text.split(_BEGIN, 1)
    _, tail = rest.split(_END, 1)
    return head + _BEGIN + doctype_scheme_turtle() + _END + tail


def scheme_triples() -> list[str]:
    """The document-type concepts as N-Triples (for stores that load the ontology)."""
    text = "@prefix kg: <%s> .\n@prefix skos: <%s> .\n@prefix rdfs: <%s> .\n@prefix eli: <%s> .\n" % (KG, SKOS, RDFS, ELI)
    text += doctype_scheme_turtle()
    data = serialize(parse(text, format=RdfFormat.TURTLE), format=RdfFormat.N_TRIPLES)
    return [ln + "\n" for ln in data.decode().splitlines() if ln]
