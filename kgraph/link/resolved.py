"""The resolved model: an extraction with every identity settled, ready for a writer that decides nothing.

`resolve` turns one file's `Extraction` into a `ResolvedDocument`: the document's canonical key and IRI,
its issuer and signer as canonical bodies and persons, and for each reference that names an instrument
the canonical target (after the corpus-level merge), the cited provisions and the cited issuer.
`resolve_instruments` does the same for what the corpus says about each instrument. `kgraph.graph`
writes triples from these and calls nothing in `kgraph.link`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

from kgraph.knowledge import DocType
from kgraph.link.bodies import Body, bodies_of_number, body_of_named, normalize_body
from kgraph.link.corpus import Instrument, Resolver
from kgraph.link.extraction_keys import document_key, reference_keys
from kgraph.link.keys import DEFAULT_BASE, InstrumentKey, iri_segment, loose
from kgraph.link.persons import person_iri, person_name
from kgraph.model import Document, Extraction, Pinpoint, Reference
from kgraph.numbers import normalize_number, year_of_number


@dataclass(frozen=True, slots=True)
class ResolvedBody:
    """A body as the graph shows it: one IRI per canonical name."""

    iri: str
    name: str
    family: str | None = None
    province: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedPerson:
    """A signer: one IRI per name however it is spelt, with the position and mode this document gives."""

    iri: str
    name: str
    title: str | None = None
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class Provision:
    """One level of a cited provision (point ⊂ clause ⊂ article ⊂ instrument, or a chapter when no article is named)."""

    iri: str
    parent: str  # the level above, the instrument for the top level
    level: str  # Article | Clause | Point | Chapter
    eid: str  # art_4__cl_6
    label: str  # khoản 6 Điều 4
    values: tuple[tuple[str, str], ...]  # (level, value) of this level and those above it


@dataclass(frozen=True, slots=True)
class ResolvedReference:
    """A reference that names an instrument other than the citing document, resolved to its canonical target."""

    reference: Reference  # as extracted: text, span, kind, relation, sentence, date
    key: InstrumentKey
    iri: str
    issuer: ResolvedBody | None = None
    co_issuers: tuple[ResolvedBody, ...] = ()  # a joint instrument's other bodies ("A; B" in `reference.issuer`)
    provisions: tuple[tuple[Provision, ...], ...] = ()  # one chain per pinpoint, top level first


@dataclass(slots=True)
class ResolvedDocument:
    """One file's extraction, resolved: what the writer needs, and what resolution found (`counts`)."""

    document: Document  # as extracted: title, place, recipients are written as read
    source: str
    content_hash: str
    base: str
    key: InstrumentKey
    iri: str
    issuer: ResolvedBody | None = None
    signer: ResolvedPerson | None = None
    citations: list[ResolvedReference] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # references, citations, self, unresolved, year_unknown


@dataclass(frozen=True, slots=True)
class ResolvedInstrument:
    """What the corpus says about one instrument, merged, with its label and the bodies its number names."""

    key: InstrumentKey
    iri: str
    label: str
    type: DocType | None = None
    number: str | None = None
    number_key: str | None = None  # the folded number users' lookups match (`163/2016/nd-cp`)
    name: str | None = None
    name_keys: tuple[str, ...] = ()
    year: int | None = None
    year_unknown: bool = False
    date: str | None = None
    bodies: tuple[ResolvedBody, ...] = ()
    catalogue: CatalogueFacts | None = None  # what the catalogue says, kept apart from what the text says


@dataclass(frozen=True, slots=True)
class CatalogueEffect:
    """One effect on an instrument as the catalogue lists it (`amended_by` 03/2022/QH15 on 2022-03-01)."""

    kind: str  # amended_by | repealed_by | repealed_in_part_by | replaced_by | suspended_by
    iri: str  # the other instrument
    number: str
    label: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogueFacts:
    """The catalogue's entry for an instrument the graph mentions; `iri` is the record's own node, so every fact
    on it is known to come from the catalogue (the instrument's node carries only what the text says)."""

    iri: str
    number: str
    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    effective: str | None = None
    status: str | None = None
    status_basis: str | None = None
    no_longer: str | None = None
    src: str | None = None
    effects: tuple[CatalogueEffect, ...] = ()


# --------------------------------------------------------------------------- pieces (cached: a corpus repeats them)


@lru_cache(maxsize=65536)
def key_iri(key: InstrumentKey, base: str) -> str:
    """The IRI of a key (cached: the same instrument is cited thousands of times)."""
    return key.iri(base)


@lru_cache(maxsize=8192)
def _body(body: Body, base: str) -> ResolvedBody:
    return ResolvedBody(iri=body.iri(base), name=body.name, family=body.family, province=body.province)


@lru_cache(maxsize=16384)
def resolve_body(phrase: str, base: str = DEFAULT_BASE) -> ResolvedBody | None:
    """An issuer as written (`UBND tỉnh Lạng Sơn`) → its canonical body and IRI; None when it names none."""
    body = normalize_body(phrase)
    return None if body is None else _body(body, base)


_LEVELS = (("article", "art", "Article", "Điều"), ("clause", "cl", "Clause", "khoản"), ("point", "pt", "Point", "điểm"))


def provision_chain(instrument_iri: str, pin: Pinpoint) -> tuple[Provision, ...]:
    """The cited provision as a chain of subdivisions, top level first; empty when the pinpoint names no level."""
    return _provision_chain(instrument_iri, pin.article, pin.clause, pin.point, pin.chapter)


@lru_cache(maxsize=4096)  # as kgraph.graph.rdf.PROVISION_CACHE (a lower layer: not imported from there)
def _provision_chain(instrument_iri: str, article, clause, point, chapter) -> tuple[Provision, ...]:
    """The chapter is a level only when no article is given: article numbers run through the whole
    instrument, so `Điều 4` is one node whichever chapter a citation names."""
    out: list[Provision] = []
    parent = instrument_iri
    eid_parts: list[str] = []
    words: list[str] = []
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
        eid = "__".join(eid_parts)
        iri = instrument_iri + "/" + eid
        out.append(Provision(iri=iri, parent=parent, level=cls, eid=eid, label=" ".join(words),
                             values=tuple(values.items())))
        parent = iri
    return tuple(out)


# --------------------------------------------------------------------------- one file


def resolve(
    extraction: Extraction,
    resolver: Resolver,
    *,
    content_hash: str,
    source: str,
    base: str = DEFAULT_BASE,
    keys: list[InstrumentKey | None] | None = None,
) -> ResolvedDocument:
    """One file's extraction with every identity settled against the corpus (`resolver`); `keys` are
    `reference_keys(extraction)` when the caller has them already.

    A reference is left out, and counted, when it is the document itself (`self`, also when its
    target resolves to the document's own IRI) or names no instrument (`unresolved`).
    """
    doc = extraction.document
    own_key = document_key(doc, content_hash)
    dkey = resolver.resolve(own_key)
    d_iri = key_iri(dkey, base)
    signer = None
    s = doc.signer
    if s is not None and s.name:
        signer = ResolvedPerson(iri=person_iri(s.name, base), name=person_name(s.name), title=s.title, mode=s.mode)
    counts = {"references": len(extraction.references), "citations": 0, "self": 0, "unresolved": 0, "year_unknown": 0}
    citations: list[ResolvedReference] = []
    for ref, key in zip(extraction.references, reference_keys(extraction) if keys is None else keys):
        if ref.kind == "self":
            counts["self"] += 1
            continue
        if key is None:
            counts["unresolved"] += 1
            continue
        key = resolver.resolve_cited(key, own_key, doc.date)
        t_iri = key_iri(key, base)
        if t_iri == d_iri:
            counts["self"] += 1
            continue
        if key.year_unknown:
            counts["year_unknown"] += 1
        counts["citations"] += 1
        chains = (provision_chain(t_iri, pin) for pin in ref.pinpoint)
        citations.append(ResolvedReference(
            reference=ref,
            key=key,
            iri=t_iri,
            issuer=resolve_body(ref.issuer.split("; ")[0], base) if ref.issuer else None,
            co_issuers=tuple(b for p in (ref.issuer or "").split("; ")[1:] if (b := resolve_body(p, base))),
            provisions=tuple(c for c in chains if c),
        ))
    return ResolvedDocument(
        document=doc,
        source=source,
        content_hash=content_hash,
        base=base,
        key=dkey,
        iri=d_iri,
        issuer=resolve_body(doc.issuer, base) if doc.issuer else None,
        signer=signer,
        citations=citations,
        counts=counts,
    )


# --------------------------------------------------------------------------- the corpus's instruments


def label_of(inst: Instrument) -> str:
    """How an instrument is shown: its name or type with its number, and the year when the number has none."""
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


def catalogue_facts(number: str, iri: str, catalog, base: str = DEFAULT_BASE) -> CatalogueFacts | None:
    """The catalogue's facts for a number, when exactly one entry has it (a shared number stays unsaid)."""
    entries = catalog.by_number(number)
    if len(entries) != 1:
        return None
    e = entries[0]
    effects = []
    for x in catalog.effects_of(e):
        other = x.get("other")
        if not other:
            continue
        n = normalize_number(other)
        year = None if year_of_number(n) else (int(x["date"][:4]) if x.get("date") else None)
        if year is None and not year_of_number(n):
            continue  # no year: no key to name it by
        okey = InstrumentKey(number=n, year=year)
        label = f"{x['other_type']} {n}" if x.get("other_type") else n
        effects.append(CatalogueEffect(kind=x["kind"], iri=key_iri(okey, base), number=n, label=label,
                                       date=x.get("date") or None))
    return CatalogueFacts(
        iri=iri + "/catalogue", number=e.number or number, title=e.title, issuer=e.issuer, date=e.date,
        effective=e.effective, status=e.status, status_basis=e.status_basis, no_longer=e.no_longer, src=e.src,
        effects=tuple(sorted(set(effects), key=lambda f: (f.date or "", f.kind, f.number))),
    )


def default_catalogue():
    """The catalogue resolution reads facts from; None when absent or when KGRAPH_NO_CATALOG is set."""
    if os.environ.get("KGRAPH_NO_CATALOG"):
        return None
    from kgraph.catalog import CatalogError, default_catalog

    try:
        return default_catalog()
    except CatalogError:
        return None


def resolve_instrument(inst: Instrument, base: str = DEFAULT_BASE, catalog=None) -> ResolvedInstrument:
    """One merged instrument with its IRI, label, year and the bodies that passed it (from its number or name)."""
    key = inst.key
    bodies: tuple[Body, ...] = ()
    if key.number is not None:
        bodies = bodies_of_number(key.number)
    elif key.name_key is not None:
        b = body_of_named(key.name_key)
        bodies = (b,) if b else ()
    year = None
    if key.number is not None and key.year_in_number:
        year = year_of_number(key.number)
    elif key.year:
        year = key.year
    iri = key.iri(base)
    facts = catalogue_facts(key.number, iri, catalog, base) if catalog is not None and key.number else None
    return ResolvedInstrument(
        key=key,
        iri=iri,
        label=label_of(inst),
        type=inst.type,
        number=key.number,
        number_key=loose(key.number) if key.number is not None else None,
        name=inst.name,
        name_keys=inst.name_keys,
        year=year,
        year_unknown=key.year_unknown,
        date=inst.date,
        bodies=tuple(_body(b, base) for b in bodies),
        catalogue=facts,
    )


def resolve_instruments(resolver: Resolver, base: str = DEFAULT_BASE, catalog=True) -> Iterator[ResolvedInstrument]:
    """Every distinct instrument of the corpus, resolved, in the resolver's stable order, with the catalogue's
    facts (`catalog`: True for the default catalogue, None for none, or a `Catalog`)."""
    cat = default_catalogue() if catalog is True else catalog
    for key in resolver.keys():
        yield resolve_instrument(resolver.instrument(key), base, cat)
