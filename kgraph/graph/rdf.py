"""The resolved model → RDF triples, as N-Triples lines: deterministic IRIs, no blank nodes.

Resolution has already happened (`kgraph.link.resolved`): this module only writes. Two kinds of triples,
so an incremental build can redo the one without the other:

* `file_triples`: what one input file says: the document's header (title, issuer, signer, source),
  every citation as a `kg:Citation` node, the direct citation-relation triple, cited provisions, and the
  citations summed up per cited instrument and per cited provision (`kg:CitationSummary`,
  `kg:ProvisionCitationSummary`: what the named queries from one instrument read);
* `instrument_triples`: what the corpus as a whole says about each instrument (type, number, name,
  year, date, label), written once per instrument.

Terms are made by pyoxigraph's constructors, which validate IRIs and escape literals; the lines are
N-Triples, so the build can sort and merge them as text.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Callable, Iterable

from kgraph.graph.ontology import class_iris
from kgraph.graph.scheme import concept_iri
from kgraph.graph.stale import stale_triples
from kgraph.graph.terms import A, INTEGER, LABEL, date_lit, eli, iri_term, kg, line, lit, node
from kgraph.knowledge import relations
from kgraph.link.corpus import Resolver, facts_of
from kgraph.link.keys import DEFAULT_BASE
from kgraph.link.resolved import (
    CatalogueFacts,
    Provision,
    ResolvedBody,
    ResolvedDocument,
    ResolvedInstrument,
    resolve,
    resolve_instruments,
)
from kgraph.model import Extraction
from kgraph.numbers import number_stem

#: The predicate of the direct triple for each relation in kgraph.model.RELATIONS (from relations.yaml).
RELATION_PREDICATE: dict[str, str] = {r.relation: r.predicate_iri for r in relations()}

_CITATION_TERMS = {
    name: kg(name)
    for name in (
        "Citation", "citingDocument", "citedDocument", "relation", "relationName", "referenceKind", "matchedText",
        "startOffset", "endOffset", "source", "sentence", "citedDate", "citedIssuer", "pinpoint", "partial",
    )
}

_SUMMARY_TERMS = {
    name: kg(name)
    for name in ("CitationSummary", "ProvisionCitationSummary", "summaryCiting", "summaryCited", "citationCount",
                 "relations", "pinpoints", "provisionCiting", "provisionCited", "summaryProvision")
}


# --------------------------------------------------------------------------- bodies, provisions


@lru_cache(maxsize=8192)
def body_triples(body: ResolvedBody) -> tuple[str, tuple[str, ...]]:
    o = node(body.iri)
    out = [line(o, A, kg("Organisation")), line(o, LABEL, lit(body.name))]
    if body.family:
        out.append(line(o, kg("family"), lit(body.family)))
    if body.province:
        out.append(line(o, kg("province"), lit(body.province)))
    return o, tuple(out)


#: Chains cached by `provision_triples` (and `kgraph.link.resolved._provision_chain`): a few thousand cover the
#: provisions a document cites again and the corpus's most cited ones; at 65,536 the cache was what grew most
#: with the corpus in a process writing parts (~3.8 KB a chain: 36 MB at ×10, ~250 MB when full; issue 13).
PROVISION_CACHE = 4096


@lru_cache(maxsize=PROVISION_CACHE)
def provision_triples(chain: tuple[Provision, ...]) -> tuple[str, tuple[str, ...]]:
    """A cited provision's chain of subdivisions (point ⊂ clause ⊂ article ⊂ instrument); returns the leaf."""
    out: list[str] = []
    for p in chain:
        s = node(p.iri)
        out.append(line(s, A, kg(p.level)))
        out.append(line(s, A, eli("LegalResourceSubdivision")))
        out.append(line(s, eli("is_part_of"), node(p.parent)))
        out.append(line(s, eli("id_local"), lit(p.eid)))
        out.append(line(s, LABEL, lit(p.label)))
        for level, value in p.values:
            out.append(line(s, kg(level.lower()), lit(value)))
    return node(chain[-1].iri), tuple(out)


# --------------------------------------------------------------------------- per file


def citation_prefix(base: str) -> str:
    """Where the reified citations' IRIs start (``<base>citation/<file hash>/<start>-<end>``)."""
    return f"{base}citation/"


def file_triples(resolved: ResolvedDocument) -> tuple[list[str], dict[str, int]]:
    """The triples one file contributes, and counts (references, citations, self, unresolved) for the summary."""
    doc = resolved.document
    source = resolved.source
    d = node(resolved.iri)
    out = [
        line(d, A, kg("CorpusDocument")),
        line(d, kg("source"), lit(source)),
        line(d, kg("contentHash"), lit(resolved.content_hash)),
    ]
    if doc.title:
        out.append(line(d, eli("title"), lit(" ".join(doc.title.split()))))
    if doc.place:
        out.append(line(d, kg("place"), lit(doc.place)))
    if resolved.issuer is not None:
        o, bt = body_triples(resolved.issuer)
        out += bt
        out.append(line(d, eli("passed_by"), o))
    s = resolved.signer
    if s is not None:
        p = node(s.iri)
        out += [line(p, A, kg("Person")), line(p, LABEL, lit(s.name)), line(d, kg("signedBy"), p)]
        if s.title:
            out.append(line(p, kg("position"), lit(s.title)))
            out.append(line(d, kg("signerTitle"), lit(s.title)))
        if s.mode:
            out.append(line(d, kg("signingMode"), lit(s.mode)))
    for r in doc.recipients:
        if r and r.strip():
            out.append(line(d, kg("recipient"), lit(" ".join(r.split()))))

    # by the path, not the content: two copies of one document are two sources with citations of their own
    cite_base = f"{citation_prefix(resolved.base)}{hashlib.sha256(source.encode('utf-8')).hexdigest()[:16]}/"
    if resolved.citations:
        cite_node = _under(cite_base)
    src_lit = lit(source)
    P = _CITATION_TERMS
    seen_spans: dict[str, int] = {}
    # a file cites one instrument many times, and several references share a sentence, a kind, a matched
    # text, a date, an issuer or a provision: each term made (and each body's or provision's lines given) once
    targets: dict[str, str] = {}
    sentences: dict[str, str] = {}
    texts: dict[str, str] = {}
    dates: dict[str | None, str | None] = {}
    given: dict[str, tuple[str, ...]] = {}  # a body's or a leaf provision's term → the lines last given for it
    # per cited instrument: its citations' count, relations and pinpoints; per cited provision, its count
    per_instrument: dict[str, _Tally] = {}
    per_provision: dict[tuple[str, str], int] = {}
    for cit in resolved.citations:
        ref = cit.reference
        t = targets.get(cit.iri)
        if t is None:
            t = targets[cit.iri] = node(cit.iri)
        relation = ref.relation if ref.relation in RELATION_PREDICATE else "cites"
        pred = iri_term(RELATION_PREDICATE[relation])
        span = f"{ref.start}-{ref.end}"
        seen_spans[span] = seen_spans.get(span, 0) + 1  # one span can name two instruments
        c = cite_node(span + (f"-{seen_spans[span]}" if seen_spans[span] > 1 else ""))
        # f-strings with the predicates bound once: this loop writes most of a corpus's triples
        out += [
            f"{d} {pred} {t} .\n",
            f"{c} {A} {P['Citation']} .\n",
            f"{c} {P['citingDocument']} {d} .\n",
            f"{c} {P['citedDocument']} {t} .\n",
            f"{c} {P['relation']} {pred} .\n",
            f'{c} {P["relationName"]} "{relation}" .\n',
            f"{c} {P['referenceKind']} {_kind_lit(ref.kind)} .\n",
            f"{c} {P['matchedText']} {texts.get(ref.text) or texts.setdefault(ref.text, lit(ref.text))} .\n",
            f'{c} {P["startOffset"]} "{ref.start}"^^{INTEGER} .\n',
            f'{c} {P["endOffset"]} "{ref.end}"^^{INTEGER} .\n',
            f"{c} {P['source']} {src_lit} .\n",
        ]
        if ref.sentence:
            sl = sentences.get(ref.sentence)
            if sl is None:
                sl = sentences[ref.sentence] = lit(" ".join(ref.sentence.split()))
            out.append(f"{c} {P['sentence']} {sl} .\n")
        dl = dates[ref.date] if ref.date in dates else dates.setdefault(ref.date, date_lit(ref.date))
        if dl:
            out.append(f"{c} {P['citedDate']} {dl} .\n")
        if ref.partial:  # the effect acts on part of the instrument: it stays in force (stale-citations)
            out.append(f"{c} {P['partial']} {lit(True)} .\n")
        for body in (cit.issuer, *cit.co_issuers):  # a joint instrument's bodies, each its own node
            if body is None:
                continue
            o, bt = body_triples(body)
            if given.get(o) is not bt:
                given[o] = bt
                out += bt
            out.append(f"{c} {P['citedIssuer']} {o} .\n")
        tally = per_instrument.get(t)
        if tally is None:
            tally = per_instrument[t] = _Tally()
        tally.count += 1
        tally.relations.add(relation)
        for chain in cit.provisions:
            leaf, pt = provision_triples(chain)
            if given.get(leaf) is not pt:  # the same (cached) lines: given once
                given[leaf] = pt
                out += pt
            out.append(f"{c} {P['pinpoint']} {leaf} .\n")
            per_provision[t, leaf] = per_provision.get((t, leaf), 0) + 1
            tally.pinpoints.add(chain[-1].label)
    out += summary_triples(d, cite_base, per_instrument, per_provision)
    return out, dict(resolved.counts)


def _under(prefix: str) -> Callable[[str], str]:
    """IRI terms of `prefix` followed by a suffix of ASCII letters, digits, `-` and `/` (the citations' and
    their summaries' IRIs): `prefix` is checked once by `node`, and such a suffix keeps an IRI valid, so each
    term is written as `node` would write it without checking it again (a file has thousands)."""
    node(prefix + "0-0")  # raises ValueError, as each term's own check did, on a base that makes invalid IRIs
    return lambda suffix: f"<{prefix}{suffix}>"


@lru_cache(maxsize=64)
def _kind_lit(kind: str) -> str:
    """A reference kind's literal: a handful of values, one per citation."""
    return lit(kind)


def _short_hash(term: str) -> str:
    return hashlib.sha256(term.encode("utf-8")).hexdigest()[:16]


class _Tally:
    """One file's citations of one instrument: how many, under which relations, at which provisions."""

    __slots__ = ("count", "relations", "pinpoints")

    def __init__(self) -> None:
        self.count = 0
        self.relations: set[str] = set()
        self.pinpoints: set[str] = set()


def summary_triples(d: str, cite_base: str, per_instrument: dict[str, _Tally],
                    per_provision: dict[tuple[str, str], int]) -> list[str]:
    """One file's citations summed up (kg:CitationSummary, kg:ProvisionCitationSummary in the ontology): per
    cited instrument, the count, the relation names and the pinpoints' labels, each list one sorted literal
    (as `cites` and `cited-by` show them); per cited provision, the count. The named queries from one
    instrument read these, a few reads per row of the answer, instead of a few per mention (a consolidated
    text cites ~100 instruments ~500 times). Per file, like the citations they sum up, so an incremental
    build redoes them with the file."""
    S = _SUMMARY_TERMS
    out: list[str] = []
    if not per_instrument:
        return out
    under = _under(cite_base)
    hashes: dict[str, str] = {}  # per cited instrument: its provisions' summaries' IRIs use it too
    for t, tally in per_instrument.items():
        h = hashes[t] = _short_hash(t)
        s = under(f"to/{h}")
        out += [
            f"{s} {A} {S['CitationSummary']} .\n",
            f"{s} {S['summaryCiting']} {d} .\n",
            f"{s} {S['summaryCited']} {t} .\n",
            f'{s} {S["citationCount"]} "{tally.count}"^^{INTEGER} .\n',
            f"{s} {S['relations']} {lit(', '.join(sorted(tally.relations)))} .\n",
        ]
        if tally.pinpoints:
            out.append(f"{s} {S['pinpoints']} {lit('; '.join(sorted(tally.pinpoints)))} .\n")
    for (t, leaf), n in per_provision.items():
        s = under(f"to/{hashes[t]}/{_short_hash(leaf)}")
        out += [
            f"{s} {A} {S['ProvisionCitationSummary']} .\n",
            f"{s} {S['provisionCiting']} {d} .\n",
            f"{s} {S['provisionCited']} {t} .\n",
            f"{s} {S['summaryProvision']} {leaf} .\n",
            f'{s} {S["citationCount"]} "{n}"^^{INTEGER} .\n',
        ]
    return out


# --------------------------------------------------------------------------- per instrument


def instrument_triples(inst: ResolvedInstrument) -> list[str]:
    """What the corpus says about one instrument, merged: one set of triples however many files cite it."""
    s = node(inst.iri)
    out = [line(s, A, iri_term(c)) for c in class_iris(inst.type)]
    out.append(line(s, LABEL, lit(inst.label)))
    if inst.type is not None:
        out.append(line(s, eli("type_document"), iri_term(concept_iri(inst.type))))
        out.append(line(s, kg("typeName"), lit(inst.type.name)))
    if inst.number is not None:
        out.append(line(s, eli("number"), lit(inst.number)))
        out.append(line(s, kg("numberKey"), lit(inst.number_key)))
        stem = number_stem(inst.number_key)
        if stem:
            out.append(line(s, kg("numberStem"), lit(stem)))
    if inst.name:
        out.append(line(s, kg("name"), lit(inst.name)))
    for nk in inst.name_keys:
        out.append(line(s, kg("nameKey"), lit(nk)))
    if inst.year:
        out.append(line(s, kg("year"), lit(inst.year)))
    if inst.year_unknown:
        out.append(line(s, kg("yearUnknown"), lit(True)))
    dl = date_lit(inst.date)
    if dl:
        out.append(line(s, eli("date_document"), dl))
    for b in inst.bodies:
        o, bt = body_triples(b)
        out += bt
        out.append(line(s, eli("passed_by"), o))
    if inst.catalogue is not None:
        out += catalogue_triples(s, inst.catalogue)
    return out


#: The catalogue's status → ELI's InForce concept; an inferred status ("likely_…") or an unknown one gets none.
IN_FORCE = {
    "in_force": "InForce-inForce",
    "partly_in_force": "InForce-partiallyInForce",
    "no_longer_in_force": "InForce-notInForce",
}
#: The catalogue's effect kinds → the predicates from the record to the other instrument: ELI's own where it has
#: one (eli:repealed_by is "completely canceled, abrogated or replaced", so a replacement is written with it as
#: well as kgraph's refinement kg:replacedBy), kgraph's where ELI has none (a repeal in part of the whole
#: instrument, a suspension: sub-properties of eli:changed_by in ontology/kgraph.ttl). ELI has no
#: `is_amended_by`: its term is eli:amended_by.
EFFECT_PREDICATES = {
    "amended_by": (eli("amended_by"),),
    "repealed_by": (eli("repealed_by"),),
    "repealed_in_part_by": (kg("repealedInPartBy"),),
    "replaced_by": (kg("replacedBy"), eli("repealed_by")),
    "suspended_by": (kg("suspendedBy"),),
}


def catalogue_triples(subject: str, c: CatalogueFacts) -> list[str]:
    """The catalogue's facts on a record node of their own (`<instrument>/catalogue`), linked from the
    instrument by `kg:catalogueRecord`: what the text says and what the catalogue says never share a node."""
    r = node(c.iri)
    out = [line(subject, kg("catalogueRecord"), r), line(r, A, kg("CatalogueRecord")),
           line(r, eli("number"), lit(c.number))]
    if c.title:
        out.append(line(r, eli("title"), lit(c.title)))
    if c.issuer:
        out.append(line(r, kg("issuerName"), lit(c.issuer)))
    for pred, value in ((eli("date_document"), c.date), (eli("first_date_entry_in_force"), c.effective),
                        (eli("date_no_longer_in_force"), c.no_longer)):
        dl = date_lit(value)
        if dl:
            out.append(line(r, pred, dl))
    if c.status:
        out.append(line(r, kg("status"), lit(c.status)))
        if c.status in IN_FORCE:
            out.append(line(r, eli("in_force"), eli(IN_FORCE[c.status])))
    if c.status_basis:
        out.append(line(r, kg("statusBasis"), lit(c.status_basis)))
    if c.src:
        out.append(line(r, kg("catalogueSource"), lit(c.src)))
    for i, e in enumerate(c.effects, 1):
        preds = EFFECT_PREDICATES.get(e.kind)
        if preds is None:
            continue
        o = node(e.iri)
        x = node(f"{c.iri}/effect/{i}")
        # the other instrument's own node is left to what the corpus says of it (it may be in the graph)
        out += [line(r, pred, o) for pred in preds]
        out += [line(r, kg("effect"), x), line(x, kg("effectByLabel"), lit(e.label)), line(x, A, kg("CatalogueEffect")), line(x, kg("effectKind"), lit(e.kind)),
                line(x, kg("effectBy"), o)]
        dl = date_lit(e.date)
        if dl:
            out.append(line(x, kg("effectDate"), dl))
    return out


def instruments_triples(instruments: Iterable[ResolvedInstrument]) -> Iterable[str]:
    for inst in instruments:
        yield from instrument_triples(inst)


def extraction_graph(extractions: Iterable[tuple[Extraction, str, str]], base: str = DEFAULT_BASE,
                     catalog=True) -> list[str]:
    """All triples of a few extractions (content hash, source beside each), resolved then written, sorted:
    for tests and small jobs."""
    items = list(extractions)
    resolver = Resolver(facts_of(e, h) for e, h, _ in items)
    lines: set[str] = set()
    for e, h, src in items:
        lines.update(file_triples(resolve(e, resolver, content_hash=h, source=src, base=base))[0])
    lines.update(instruments_triples(resolve_instruments(resolver, base, catalog)))
    lines.update(stale_triples((ln.encode("utf-8") for ln in sorted(lines)), base))  # what the whole graph implies
    return sorted(lines)
