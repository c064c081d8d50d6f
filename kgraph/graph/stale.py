"""Stale reliances, derived once the whole graph is written: the facts `stale-citations` lists.

Which documents rely on an instrument no longer in force on the day they were issued depends on every part
of the graph (an ender in one file, a citer in another, the catalogue's dates on the instruments), so no
file's part can hold it. Asked at query time, Oxigraph joined every ender with every relying document
(15,650 candidates at x10, 3.7 CPU s); here the same question is asked once per build, on a small in-memory
store of the triples it reads, and each answer row becomes a `kg:StaleReliance` node (ontology/kgraph.ttl)
in a derived part of the graph: both query twins then read these nodes.

`STALE_QUERY` is the question as `queries/stale-citations.rq` asked it before (the same patterns and
filters, the relation lists from relations.yaml), without the labels the query reads itself. `wanted`
keeps the triples it reads: every pattern names its predicate, and a citation matters only when it ends an
instrument or dates it, so the answer over those triples is the answer over the whole graph.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Iterator

from pyoxigraph import RdfFormat, Store

from kgraph.graph.ontology import ELI, KG, RDF_TYPE
from kgraph.graph.terms import A, kg, line, node
from kgraph.knowledge import relations, with_role

#: The terms of a stale reliance (ontology/kgraph.ttl).
STALE_RELIANCE = KG + "StaleReliance"


def _values_pairs() -> str:
    return " ".join(f'(<{r.predicate_iri}> "{r.relation}")' for r in with_role("ends", relations()))


def _values_relies() -> str:
    return " ".join(f"<{r.predicate_iri}>" for r in with_role("relies", relations()))


def stale_query() -> str:
    """The derivation: (document, instrument, how, ender) with the ender's date and the day the force ended."""
    return f"""PREFIX kg: <{KG}>
PREFIX eli: <{ELI}>
SELECT ?uri ?cited ?how ?by (MIN(?bd) AS ?by_date) (MIN(?end) AS ?ended)
WHERE {{
  {{
    # the corpus's own evidence: a document issued before this one repeals or replaces the cited instrument
    # as a whole (one of its mentions names no part: a pinpointed one, or one marked kg:partial, repeals a
    # part), with the dates its mentions give the instrument (how many, the first) for the check below
    {{
      SELECT ?by ?cited ?how (COUNT(DISTINCT ?xd) AS ?nx) (MIN(?xd) AS ?x1) (SUM(?whole) AS ?wholes)
      WHERE {{
        VALUES (?ends ?how) {{ {_values_pairs()} }}
        ?rc kg:relation ?ends ; kg:citingDocument ?by ; kg:citedDocument ?cited .
        OPTIONAL {{ ?rc kg:citedDate ?xd }}
        BIND(IF(EXISTS {{ ?rc kg:pinpoint ?pp }} || EXISTS {{ ?rc kg:partial true }}, 0, 1) AS ?whole)
      }}
      GROUP BY ?by ?cited ?how
    }}
    FILTER(?wholes > 0)
    FILTER NOT EXISTS {{ ?by a kg:ConsolidatedText }}  # a consolidated text repeats the repeals it consolidates
    ?by eli:date_document ?bd .
    # the ender ends the force from its own entry into force (the catalogue's date), else from its issue
    OPTIONAL {{ ?by kg:catalogueRecord ?brec . ?brec eli:first_date_entry_in_force ?be }}
    BIND(COALESCE(?be, ?bd) AS ?end)
    # the catalogue outweighs the corpus's evidence where it says this ender repealed or amended only part
    FILTER NOT EXISTS {{
      ?cited kg:catalogueRecord ?crec .
      ?crec kg:effect ?ce . ?ce kg:effectBy ?by ; kg:effectKind ?ck .
      FILTER(?ck IN ("repealed_in_part_by", "amended_by"))
      FILTER NOT EXISTS {{ ?crec kg:effect ?cw . ?cw kg:effectBy ?by ; kg:effectKind ?cwk .
                          FILTER(?cwk IN ("repealed_by", "replaced_by")) }}
    }}
    # the relations by which a document relies on the cited instrument being in force
    VALUES ?relies {{ {_values_relies()} }}
    ?uri ?relies ?cited .
    ?uri eli:date_document ?d .
    FILTER(!sameTerm(?uri, ?by) && ?bd < ?d && ?end <= ?d)
    # a consolidated text cites what the instrument it consolidates cited, on that instrument's date: not a citer
    FILTER NOT EXISTS {{ ?uri a kg:ConsolidatedText }}
    # the catalogue outweighs the corpus where it says the cited instrument was in force that day
    FILTER NOT EXISTS {{ ?cited kg:catalogueRecord ?crec2 . ?crec2 eli:date_no_longer_in_force ?cn . FILTER(?d < ?cn) }}
    # ... and of the same instrument: where the ender and the citing document both date it, the dates agree
    # (one number written for two instruments is no evidence)
    FILTER(?nx = 0 || NOT EXISTS {{ ?ux kg:citingDocument ?uri .
                                   FILTER EXISTS {{ ?ux kg:citedDocument ?cited ; kg:citedDate ?ud .
                                                   FILTER(?nx > 1 || ?x1 != ?ud) }} }})
  }} UNION {{
    # the catalogue's: the day the cited instrument ceased to be in force, and what ended it when it says
    ?cited kg:catalogueRecord ?rec .
    ?rec eli:date_no_longer_in_force ?end .
    VALUES ?relies {{ {_values_relies()} }}
    ?uri ?relies ?cited .
    ?uri eli:date_document ?d .
    FILTER NOT EXISTS {{ ?uri a kg:ConsolidatedText }}
    FILTER(?end <= ?d)
    BIND("catalogue" AS ?how)
    OPTIONAL {{
      ?rec kg:effect ?e .
      ?e kg:effectKind ?k ; kg:effectBy ?by .
      FILTER(?k IN ("repealed_by", "replaced_by"))
      OPTIONAL {{ ?e kg:effectDate ?bd }}
    }}
    FILTER(!BOUND(?by) || ?uri != ?by)
  }}
}}
GROUP BY ?uri ?cited ?how ?by
"""


#: A citation's predicates the query reads: of the citations that end an instrument (all of these), and of those
#: that date it (citing, cited, date). Most citations do neither, and are left out.
_CITATION = ("relation", "citingDocument", "citedDocument", "citedDate", "pinpoint", "partial")


def read_predicates() -> frozenset[bytes]:
    """The predicates `stale_query` reads, as N-Triples terms."""
    elis = ("date_document", "first_date_entry_in_force", "date_no_longer_in_force")
    return frozenset({f"<{KG}{x}>".encode() for x in (*_CITATION, "catalogueRecord", "effect", "effectBy",
                                                       "effectKind", "effectDate")}
                     | {f"<{ELI}{x}>".encode() for x in elis}
                     | {f"<{r.predicate_iri}>".encode() for r in with_role("relies", relations())})


_TYPE = f"<{RDF_TYPE}>".encode()
_CONSOLIDATED = f"<{KG}ConsolidatedText> .".encode()


def wanted(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The N-Triples lines `stale_query` reads: a predicate it names (of rdf:type, kg:ConsolidatedText), and of a
    citation's, those of a citation with an ending relation or a cited date. Each citation's lines must come
    together (a part is sorted; so is what `extraction_graph` passes)."""
    preds = read_predicates()
    cites = {f"<{KG}{x}>".encode() for x in _CITATION}
    relation, dated = f"<{KG}relation>".encode(), f"<{KG}citedDate>".encode()
    ends = {f"<{r.predicate_iri}> .".encode() for r in with_role("ends", relations())}
    held: list[bytes] = []  # one citation's lines so far
    subject, keep = b"", False
    for ln in lines:
        parts = ln.split(b" ", 2)
        if len(parts) < 3:
            continue
        s, p, o = parts
        if s != subject:
            if keep:
                yield from held
            held.clear()
            subject, keep = s, False
        if p in cites:
            held.append(ln)
            keep = keep or p == dated or (p == relation and o.rstrip() in ends)
        elif p in preds or (p == _TYPE and o.rstrip().startswith(_CONSOLIDATED)):
            yield ln
    if keep:
        yield from held


def _key(*terms: str) -> str:
    return hashlib.sha256("\n".join(terms).encode("utf-8")).hexdigest()[:16]


def stale_triples(lines: Iterable[bytes], base: str) -> list[str]:
    """The `kg:StaleReliance` nodes the graph whose N-Triples `lines` are given implies (lines it does not
    read are skipped), sorted. Each node's IRI is a hash of its document, instrument, how and ender."""
    store = Store()
    chunk: list[bytes] = []
    # loaded in slices (the lines read are not all held at once), leniently: they are the graph's own lines,
    # every IRI checked as it was written
    for ln in wanted(lines):
        chunk.append(ln if ln.endswith(b"\n") else ln + b"\n")
        if len(chunk) >= 50_000:
            store.bulk_load(b"".join(chunk), format=RdfFormat.N_TRIPLES, lenient=True)
            chunk.clear()
    if chunk:
        store.bulk_load(b"".join(chunk), format=RdfFormat.N_TRIPLES, lenient=True)
    out: list[str] = []
    for row in store.query(stale_query()):
        uri, cited, how, by, by_date, ended = (row[k] for k in ("uri", "cited", "how", "by", "by_date", "ended"))
        s = node(f"{base}stale/{_key(str(uri), str(cited), how.value, str(by) if by is not None else '')}")
        out += [line(s, A, kg("StaleReliance")), line(s, kg("relyingDocument"), str(uri)),
                line(s, kg("reliedOn"), str(cited)), line(s, kg("endedHow"), str(how))]
        if by is not None:
            out.append(line(s, kg("endedBy"), str(by)))
        if by_date is not None:
            out.append(line(s, kg("enderDate"), str(by_date)))
        if ended is not None:
            out.append(line(s, kg("endedOn"), str(ended)))
    return sorted(out)
