"""Extraction → RDF triples, as N-Triples lines: deterministic IRIs, no blank nodes.

Two kinds of triples, so an incremental build can redo the one without the other:

* `file_triples`: what one input file says: the document's header (title, issuer, signer, source),
  every citation as a `kg:Citation` node, the direct citation-relation triple, cited provisions;
* `instrument_triples`: what the corpus as a whole says about each instrument (type, number, name,
  year, date, label), merged by the `Resolver`, written once per instrument.

Terms are made by pyoxigraph's constructors, which validate IRIs and escape literals; the lines are
N-Triples, so the build can sort and merge them as text.
"""

from __future__ import annotations

import hashlib
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, RdfFormat, Store, parse

from kgraph.knowledge import DocType, load, relations
from kgraph.link.identity import (
    DEFAULT_BASE,
    Body,
    Instrument,
    InstrumentKey,
    Resolver,
    iri_segment,
    bodies_of_number,
    body_of_named,
    document_key,
    loose,
    normalize_body,
    person_iri,
    person_name,
    reference_keys,
)
from kgraph.model import Extraction, Pinpoint

KG = "https://w3id.org/kgraph/ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ONTOLOGY_GRAPH = "https://w3id.org/kgraph/ontology"
ONTOLOGY_FILE = Path(__file__).resolve().parents[2] / "ontology" / "kgraph.ttl"
SHAPES_FILE = ONTOLOGY_FILE.with_name("shapes.ttl")

PREFIXES = {
    "kg": KG,
    "eli": ELI,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
    "schema": "https://schema.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
}

#: The predicate of the direct triple for each relation in kgraph.model.RELATIONS (from relations.yaml).
RELATION_PREDICATE: dict[str, str] = {r.relation: r.predicate_iri for r in relations()}


@lru_cache(maxsize=None)
def _n(iri: str) -> str:
    return str(NamedNode(iri))


A = _n(RDF + "type")
LABEL = _n(RDFS + "label")
_CITATION_TERMS = {
    name: _n(KG + name)
    for name in (
        "Citation", "citingDocument", "citedDocument", "relation", "relationName", "referenceKind", "matchedText",
        "startOffset", "endOffset", "source", "sentence", "citedDate", "citedIssuer", "pinpoint",
    )
}


def kg(local: str) -> str:
    return _n(KG + local)


def eli(local: str) -> str:
    return _n(ELI + local)


def node(iri: str) -> str:
    """An IRI term in N-Triples form (raises ValueError on an invalid IRI)."""
    return str(NamedNode(iri))


_ESCAPE = {i: f"\\u{i:04X}" for i in [*range(0x20), 0x7F]}
_ESCAPE.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})
_INTEGER = "<" + XSD + "integer>"
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')


def lit(value: str | int | bool, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal in canonical N-Triples form (ECHAR for \\t \\n \\" ..., UCHAR for other control characters)."""
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^<{XSD}boolean>'
    if isinstance(value, int):
        return f'"{value}"^^{_INTEGER}'
    body = '"' + (value.translate(_ESCAPE) if _NEEDS_ESCAPE.search(value) else value) + '"'
    if lang:
        return str(Literal(value, language=lang))
    if datatype:
        return body + "^^" + _n(datatype)
    return body


@lru_cache(maxsize=65536)
def key_iri(key: InstrumentKey, base: str) -> str:
    """The IRI of a key (cached: the same instrument is cited thousands of times)."""
    return key.iri(base)


def line(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_lit(date: str | None) -> str | None:
    if date and _ISO_DATE.match(date):
        return lit(date, XSD + "date")
    return None


# --------------------------------------------------------------------------- ontology-derived facts


@lru_cache(maxsize=1)
def legal_resource_classes() -> frozenset[str]:
    """Local names of kg classes under eli:LegalResource, read from the ontology (one place says it)."""
    sub: dict[str, set[str]] = {}
    for t in parse(path=str(ONTOLOGY_FILE), format=RdfFormat.TURTLE):
        if t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, NamedNode):
            sub.setdefault(t.subject.value, set()).add(t.object.value)
    out = set()
    for c in sub:
        seen, todo = set(), [c]
        while todo:
            x = todo.pop()
            if x == ELI + "LegalResource":
                if c.startswith(KG):
                    out.add(c[len(KG):])
                break
            for y in sub.get(x, ()):
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
    return frozenset(out)


def class_iris(t: DocType | None) -> list[str]:
    """rdf:type values for an instrument of type `t`: its kg class, eli:Work, and eli:LegalResource when normative."""
    out = [ELI + "Work"]
    if t is None:
        return out
    if t.rdf_class == "Work":
        return out
    out.append(KG + t.rdf_class)
    if t.rdf_class in legal_resource_classes():
        out.append(ELI + "LegalResource")
    return sorted(out)


def _camel(s: str) -> str:
    import unicodedata

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


# --------------------------------------------------------------------------- bodies, persons, provisions


@lru_cache(maxsize=8192)
def body_triples(body: Body, base: str) -> tuple[str, tuple[str, ...]]:
    o = node(body.iri(base))
    out = [line(o, A, kg("Organisation")), line(o, LABEL, lit(body.name))]
    if body.family:
        out.append(line(o, kg("family"), lit(body.family)))
    if body.province:
        out.append(line(o, kg("province"), lit(body.province)))
    return o, tuple(out)


_LEVELS = (("article", "art", "Article", "Điều"), ("clause", "cl", "Clause", "khoản"), ("point", "pt", "Point", "điểm"))


def provision_triples(instrument_iri: str, pin: Pinpoint) -> tuple[str | None, tuple[str, ...]]:
    return _provision_triples(instrument_iri, pin.article, pin.clause, pin.point, pin.chapter)


@lru_cache(maxsize=65536)
def _provision_triples(instrument_iri: str, article, clause, point, chapter) -> tuple[str | None, tuple[str, ...]]:
    """The cited provision as a chain of subdivisions (point ⊂ clause ⊂ article ⊂ instrument); returns the leaf.

    The chapter is kept as a node only when no article is given: article numbers run through the
    whole instrument, so `Điều 4` is one node whichever chapter a citation names.
    """
    out: list[str] = []
    parent = node(instrument_iri)
    eid_parts: list[str] = []
    words: list[str] = []
    leaf = None
    given = {"article": article, "clause": clause, "point": point}
    levels = [(given[f], *rest) for f, *rest in _LEVELS]
    if not article and chapter:
        levels = [(chapter, "chp", "Chapter", "Chương")]
    values: dict[str, str] = {}
    for value, short, cls, word in levels:
        if not value:
            break
        value = str(value).strip()
        eid_parts.append(f"{short}_{iri_segment(value)}")  # keeps điểm đ apart from điểm d
        words.insert(0, f"{word} {value}")
        values[cls] = value
        iri = instrument_iri + "/" + "__".join(eid_parts)
        s = node(iri)
        out.append(line(s, A, kg(cls)))
        out.append(line(s, A, eli("LegalResourceSubdivision")))
        out.append(line(s, eli("is_part_of"), parent))
        out.append(line(s, eli("id_local"), lit("__".join(eid_parts))))
        out.append(line(s, LABEL, lit(" ".join(words))))
        for c, v in values.items():
            out.append(line(s, kg(c.lower()), lit(v)))
        parent = s
        leaf = s
    return leaf, tuple(out)


# --------------------------------------------------------------------------- per file


def citation_prefix(base: str) -> str:
    """Where the reified citations' IRIs start (``<base>citation/<file hash>/<start>-<end>``)."""
    return f"{base}citation/"


def file_triples(
    extraction: Extraction,
    resolver: Resolver,
    content_hash: str,
    source: str,
    base: str = DEFAULT_BASE,
) -> tuple[list[str], dict[str, int]]:
    """The triples one file contributes, and counts (references, citations, self, unresolved) for the summary."""
    doc = extraction.document
    dkey = resolver.resolve(document_key(doc, content_hash))
    d_iri = key_iri(dkey, base)
    d = node(d_iri)
    out = [
        line(d, A, kg("CorpusDocument")),
        line(d, kg("source"), lit(source)),
        line(d, kg("contentHash"), lit(content_hash)),
    ]
    if doc.title:
        out.append(line(d, eli("title"), lit(" ".join(doc.title.split()))))
    if doc.place:
        out.append(line(d, kg("place"), lit(doc.place)))
    if doc.issuer:
        body = normalize_body(doc.issuer)
        if body is not None:
            o, bt = body_triples(body, base)
            out += bt
            out.append(line(d, eli("passed_by"), o))
    s = doc.signer
    if s is not None and s.name:
        p = node(person_iri(s.name, base))
        out += [line(p, A, kg("Person")), line(p, LABEL, lit(person_name(s.name))), line(d, kg("signedBy"), p)]
        if s.title:
            out.append(line(p, kg("position"), lit(s.title)))
            out.append(line(d, kg("signerTitle"), lit(s.title)))
        if s.mode:
            out.append(line(d, kg("signingMode"), lit(s.mode)))
    for r in doc.recipients:
        if r and r.strip():
            out.append(line(d, kg("recipient"), lit(" ".join(r.split()))))

    counts = {"references": len(extraction.references), "citations": 0, "self": 0, "unresolved": 0, "year_unknown": 0}
    # by the path, not the content: two copies of one document are two sources with citations of their own
    cite_base = f"{citation_prefix(base)}{hashlib.sha256(source.encode('utf-8')).hexdigest()[:16]}/"
    src_lit = lit(source)
    P = _CITATION_TERMS
    seen_spans: dict[str, int] = {}
    for ref, key in zip(extraction.references, reference_keys(extraction)):
        if ref.kind == "self":
            counts["self"] += 1
            continue
        if key is None:
            counts["unresolved"] += 1
            continue
        key = resolver.resolve(key)
        t_iri = key_iri(key, base)
        if t_iri == d_iri:
            counts["self"] += 1
            continue
        if key.year_unknown:
            counts["year_unknown"] += 1
        counts["citations"] += 1
        t = node(t_iri)
        relation = ref.relation if ref.relation in RELATION_PREDICATE else "cites"
        pred = _n(RELATION_PREDICATE[relation])
        span = f"{ref.start}-{ref.end}"
        seen_spans[span] = seen_spans.get(span, 0) + 1  # one span can name two instruments
        c = node(cite_base + span + (f"-{seen_spans[span]}" if seen_spans[span] > 1 else ""))
        # f-strings with the predicates bound once: this loop writes most of a corpus's triples
        out += [
            f"{d} {pred} {t} .\n",
            f"{c} {A} {P['Citation']} .\n",
            f"{c} {P['citingDocument']} {d} .\n",
            f"{c} {P['citedDocument']} {t} .\n",
            f"{c} {P['relation']} {pred} .\n",
            f'{c} {P["relationName"]} "{relation}" .\n',
            f"{c} {P['referenceKind']} {lit(ref.kind)} .\n",
            f"{c} {P['matchedText']} {lit(ref.text)} .\n",
            f'{c} {P["startOffset"]} "{ref.start}"^^{_INTEGER} .\n',
            f'{c} {P["endOffset"]} "{ref.end}"^^{_INTEGER} .\n',
            f"{c} {P['source']} {src_lit} .\n",
        ]
        if ref.sentence:
            out.append(f"{c} {P['sentence']} {lit(' '.join(ref.sentence.split()))} .\n")
        dl = date_lit(ref.date)
        if dl:
            out.append(f"{c} {P['citedDate']} {dl} .\n")
        if ref.issuer:
            body = normalize_body(ref.issuer)
            if body is not None:
                o, bt = body_triples(body, base)
                out += bt
                out.append(f"{c} {P['citedIssuer']} {o} .\n")
        for pin in ref.pinpoint:
            leaf, pt = provision_triples(t_iri, pin)
            if leaf is not None:
                out += pt
                out.append(f"{c} {P['pinpoint']} {leaf} .\n")
    return out, counts


# --------------------------------------------------------------------------- per instrument


def label_of(inst: Instrument) -> str:
    key = inst.key
    tname = inst.type.name if inst.type else None
    if key.number is not None:
        if inst.name:
            s = f"{inst.name} ({key.number})"
        else:
            s = f"{tname} {key.number}" if tname else key.number
        if not key.year_in_number:
            s += f" ({key.year})" if key.year else " (năm không rõ)"
        return s
    if key.name_key is not None:
        return f"{inst.name or key.name_key} " + (str(key.year) if key.year else "(năm không rõ)")
    return inst.name or f"Văn bản {key.file_hash}"


def instrument_triples(inst: Instrument, base: str = DEFAULT_BASE) -> list[str]:
    """What the corpus says about one instrument, merged: one set of triples however many files cite it."""
    key = inst.key
    s = node(key.iri(base))
    out = [line(s, A, _n(c)) for c in class_iris(inst.type)]
    out.append(line(s, LABEL, lit(label_of(inst))))
    if inst.type is not None:
        out.append(line(s, eli("type_document"), _n(concept_iri(inst.type))))
        out.append(line(s, kg("typeName"), lit(inst.type.name)))
    if key.number is not None:
        out.append(line(s, eli("number"), lit(key.number)))
        out.append(line(s, kg("numberKey"), lit(loose(key.number))))
    if inst.name:
        out.append(line(s, kg("name"), lit(inst.name)))
    for nk in inst.name_keys:
        out.append(line(s, kg("nameKey"), lit(nk)))
    year = None
    if key.number is not None and key.year_in_number:
        from kgraph.numbers import year_of_number

        year = year_of_number(key.number)
    elif key.year:
        year = key.year
    if year:
        out.append(line(s, kg("year"), lit(year)))
    if key.year_unknown:
        out.append(line(s, kg("yearUnknown"), lit(True)))
    dl = date_lit(inst.date)
    if dl:
        out.append(line(s, eli("date_document"), dl))
    bodies: tuple[Body, ...] = ()
    if key.number is not None:
        bodies = bodies_of_number(key.number)
    elif key.name_key is not None:
        b = body_of_named(key.name_key)
        bodies = (b,) if b else ()
    for b in bodies:
        o, bt = body_triples(b, base)
        out += bt
        out.append(line(s, eli("passed_by"), o))
    return out


def all_instrument_triples(resolver: Resolver, base: str = DEFAULT_BASE) -> Iterator[str]:
    for key in resolver.keys():
        yield from instrument_triples(resolver.instrument(key), base)


def scheme_triples() -> list[str]:
    """The document-type concepts as N-Triples (for stores that load the ontology)."""
    from pyoxigraph import serialize

    text = "@prefix kg: <%s> .\n@prefix skos: <%s> .\n@prefix rdfs: <%s> .\n@prefix eli: <%s> .\n" % (KG, SKOS, RDFS, ELI)
    text += doctype_scheme_turtle()
    data = serialize(parse(text, format=RdfFormat.TURTLE), format=RdfFormat.N_TRIPLES)
    return [ln + "\n" for ln in data.decode().splitlines() if ln]


def extraction_graph(extractions: Iterable[tuple[Extraction, str, str]], base: str = DEFAULT_BASE) -> list[str]:
    """All triples of a few extractions (content hash, source beside each), sorted: for tests and small jobs."""
    from kgraph.link.identity import facts_of

    items = list(extractions)
    resolver = Resolver(facts_of(e, h) for e, h, _ in items)
    lines: set[str] = set()
    for e, h, src in items:
        lines.update(file_triples(e, resolver, h, src, base)[0])
    lines.update(all_instrument_triples(resolver, base))
    return sorted(lines)


def _main(argv: list[str]) -> int:
    """`python -m kgraph.graph.rdf --ontology ontology/kgraph.ttl`: regenerate the document-type concepts."""
    if len(argv) == 2 and argv[0] == "--ontology":
        p = Path(argv[1])
        p.write_text(ontology_with_scheme(p.read_text("utf-8")), "utf-8")
        return 0
    print(_main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))


# --------------------------------------------------------------------------- validation


def _split_shapes(shapes_path: Path):
    """The shapes for pySHACL without their SPARQL constraints, and those constraints as whole-graph queries.

    pySHACL runs a SPARQL constraint once per focus node through rdflib's engine (milliseconds each,
    minutes on a corpus); the same SELECT over the whole graph in Oxigraph takes milliseconds. The
    semantics are the same: every solution's ?this is a focus node that violates the constraint.
    """
    import rdflib
    from rdflib.namespace import SH

    g = rdflib.Graph().parse(str(shapes_path), format="turtle")
    queries: list[tuple[str, str, str]] = []  # (shape, message, query)
    for shape, _, c in list(g.triples((None, SH.sparql, None))):
        select = str(g.value(c, SH.select))
        message = str(g.value(c, SH.message) or "")
        prefixes = []
        for pnode in g.objects(c, SH.prefixes):
            for decl in g.objects(pnode, SH.declare):
                prefixes.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
        targets = list(g.objects(shape, SH.targetClass))
        body = select.replace("$this", "?this")
        if targets:
            i = body.index("{", body.upper().index("WHERE"))
            body = body[: i + 1] + f" ?this a <{targets[0]}> . " + body[i + 1 :]
        queries.append((str(shape), message, "\n".join(prefixes) + "\n" + body))
        g.remove((shape, SH.sparql, c))
    return g, queries


def validate(graph_nt: Path, store: Store | None = None, shapes: Path = SHAPES_FILE, max_results: int = 50) -> tuple[bool, list[str], dict]:
    """Check a built graph against the shapes: core constraints by pySHACL, SPARQL ones as whole-graph queries.

    Returns (conforms, violation messages (at most `max_results`), counts).
    """
    import time

    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    t0 = time.perf_counter()
    shapes_g, sparql_checks = _split_shapes(shapes)
    data = rdflib.Graph()
    data.parse(str(graph_nt), format="nt")
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_g, inference="none", inplace=True, advanced=True)
    t_core = time.perf_counter() - t1
    messages: list[str] = []
    n_core = 0
    for r in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        n_core += 1
        if len(messages) < max_results:
            focus = report.value(r, SH.focusNode)
            path = report.value(r, SH.resultPath)
            msg = report.value(r, SH.resultMessage)
            messages.append(f"{focus} {path or ''}: {msg}")
    t2 = time.perf_counter()
    n_sparql = 0
    if store is None:
        store = Store()
        store.bulk_load(path=str(graph_nt), format=RdfFormat.N_TRIPLES)
    for shape, message, q in sparql_checks:
        for row in store.query(q):
            n_sparql += 1
            if len(messages) < max_results:
                messages.append(f"{row['this']}: {message} ({shape})")
    t_sparql = time.perf_counter() - t2
    ok = bool(conforms) and n_sparql == 0
    counts = {
        "triples": len(data),
        "core_violations": n_core,
        "sparql_violations": n_sparql,
        "sparql_checks": len(sparql_checks),
        "seconds": {"load": round(t_load, 2), "core": round(t_core, 2), "sparql": round(t_sparql, 3)},
    }
    return ok, messages, counts
