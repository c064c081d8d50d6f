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
instrument or dates it, so the answer over those triples is the answer over the whole graph. Every answer's
instrument is one that something ended (`ended_instruments`), so of the dated citations and the relying
relations only those of such instruments are loaded, a group of them at a time (`stale_groups`): the store's
size follows a group's lines, not the corpus.
"""

from __future__ import annotations

import hashlib
import tempfile
from typing import IO, Iterable, Iterator

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
_RELATION, _CITED, _DATED = (f"<{KG}{x}>".encode() for x in ("relation", "citedDocument", "citedDate"))
_RECORD, _NO_LONGER = f"<{KG}catalogueRecord>".encode(), f"<{ELI}date_no_longer_in_force>".encode()
_CITATION_TERMS = frozenset(f"<{KG}{x}>".encode() for x in _CITATION)
#: What a citation with no ending relation needs to have kept (a dated mention of an ended instrument).
_DATED_KEEPS = (_CITED, _DATED, f"<{KG}citingDocument>".encode())


def _ends() -> frozenset[bytes]:
    return frozenset(f"<{r.predicate_iri}>".encode() for r in with_role("ends", relations()))


def _split(lines: Iterable[bytes]) -> Iterator[tuple[bytes, bytes, bytes, bytes]]:
    """Each N-Triples line with its subject, predicate and the rest (blank or short lines skipped)."""
    for ln in lines:
        parts = ln.split(b" ", 2)
        if len(parts) == 3:
            yield ln, parts[0], parts[1], parts[2]


def _object(o: bytes) -> bytes:
    """The object term of a split N-Triples line's rest (``<iri> .\\n`` → ``<iri>``)."""
    return o.rstrip()[:-1].rstrip()


def ended_instruments(lines: Iterable[bytes]) -> set[bytes]:
    """The instruments a stale reliance can name (as N-Triples terms): cited by a citation with an ending
    relation, or whose catalogue record dates the end of their force. Both branches of `stale_query` bind
    `?cited` to one of these, so the lines about any other instrument can be left out of its store."""
    ends = _ends()
    out: set[bytes] = set()
    records: dict[bytes, list[bytes]] = {}  # catalogue record → the instruments it is of
    finished: set[bytes] = set()  # records with a date the force ended
    subject, cited, ending = b"", b"", False
    for ln, s, p, o in _split(lines):
        if s != subject:
            if ending and cited:
                out.add(cited)
            subject, cited, ending = s, b"", False
        if p == _CITED:
            cited = _object(o)
        elif p == _RELATION:
            ending = ending or _object(o) in ends
        elif p == _RECORD:
            records.setdefault(_object(o), []).append(s)
        elif p == _NO_LONGER:
            finished.add(s)
    if ending and cited:
        out.add(cited)
    for rec in finished:
        out.update(records.get(rec, ()))
    return out


def wanted(lines: Iterable[bytes], only: set[bytes] | None = None) -> Iterator[bytes]:
    """The N-Triples lines `stale_query` reads: a predicate it names (of rdf:type, kg:ConsolidatedText), and of a
    citation's, those of a citation with an ending relation or a cited date. Each citation's lines must come
    together (a part is sorted; so is what `extraction_graph` passes). With `only` (`ended_instruments`), a
    reliance on another instrument and a citation (ending or dated) of another are left out, and of a dated citation
    without an ending relation only its citing and cited documents and date are kept."""
    for _, ln in _tagged(lines, only):
        yield ln


def _tagged(lines: Iterable[bytes], only: set[bytes] | None) -> Iterator[tuple[bytes | None, bytes]]:
    """`wanted`'s lines, each with the instrument it is about (a citation's cited instrument, a reliance's
    object) or None for a line about no one instrument (a date, a type, a catalogue record's)."""
    preds = read_predicates()
    cites = {f"<{KG}{x}>".encode() for x in _CITATION}
    ends = {e + b" ." for e in _ends()}
    relies = frozenset(f"<{r.predicate_iri}>".encode() for r in with_role("relies", relations()))
    held: list[bytes] = []  # one citation's lines so far
    subject, ending, dated, cited = b"", False, False, b""

    def flush() -> Iterator[tuple[bytes | None, bytes]]:
        if ending and (only is None or cited in only):
            yield from ((cited, h) for h in held)
        elif dated and (only is None or cited in only):
            yield from ((cited, h) for h in held if only is None or h.split(b" ", 2)[1] in _DATED_KEEPS)

    for ln, s, p, o in _split(lines):
        if s != subject:
            yield from flush()
            held.clear()
            subject, ending, dated, cited = s, False, False, b""
        if p in cites:
            held.append(ln)
            if p == _DATED:
                dated = True
            elif p == _RELATION:
                ending = ending or o.rstrip() in ends
            elif p == _CITED:
                cited = _object(o)
        elif p in relies:
            if only is None or _object(o) in only:
                yield _object(o), ln
        elif p in preds or (p == _TYPE and o.rstrip().startswith(_CONSOLIDATED)):
            yield None, ln
    yield from flush()


def _key(*terms: str) -> str:
    return hashlib.sha256("\n".join(terms).encode("utf-8")).hexdigest()[:16]


def stale_triples(lines: Iterable[bytes], base: str) -> list[str]:
    """The `kg:StaleReliance` nodes the graph whose N-Triples `lines` are given implies (lines it does not
    read are skipped), sorted: `stale_groups`' lines, all of them."""
    return sorted(stale_groups(lines, base))


def stale_groups(lines: Iterable[bytes], base: str) -> Iterator[str]:
    """The `kg:StaleReliance` nodes the graph whose N-Triples `lines` are given implies, a group of instruments
    at a time (each group's lines sorted, no line in two groups): a caller that writes them sorted to disk
    holds no more than a group's (their count grows faster than the corpus: 4,137 lines at x10, 33,537 at x30).
    Each node's IRI is a hash of its document, instrument, how and ender.

    The lines the query reads go to a temporary file first; the instruments a reliance can name are found
    in it (`ended_instruments`), and only what concerns those is kept. Every answer names one of them as
    `?cited` and reads only the lines about that one, and of the lines about no one instrument, only the dates
    and types of the documents that cite or rely on it (and every catalogue record's): so the instruments are
    asked about in groups of about `GROUP_LINES` lines of their own, each group's lines in a file of its own,
    and the store holds one group's lines. A group of instruments, not of a fixed count: an ended instrument's
    citations grow with the corpus (a ×30 corpus cites each outside law 30 times), so a fixed count of them
    grew the store with it (memory flat, issue 13)."""
    with tempfile.TemporaryFile() as tmp, tempfile.TemporaryFile() as common:
        for ln in wanted(lines):
            tmp.write(ln if ln.endswith(b"\n") else ln + b"\n")
        tmp.seek(0)
        only = ended_instruments(tmp)
        sizes: dict[bytes, int] = dict.fromkeys(only, 0)
        tmp.seek(0)
        for about, ln in _tagged(tmp, only):
            if about is not None:
                sizes[about] += 1
        group_of: dict[bytes, int] = {}
        n, held = 0, 0
        for inst in sorted(only):
            if held and held + sizes[inst] > GROUP_LINES:
                n, held = n + 1, 0
            group_of[inst] = n
            held += sizes[inst]
        for first in range(0, n + 1, OPEN_GROUPS):  # a bounded count of open files, whatever the corpus
            files = [tempfile.TemporaryFile() for _ in range(first, min(first + OPEN_GROUPS, n + 1))]
            try:
                tmp.seek(0)
                for about, ln in _tagged(tmp, only):
                    if about is None:
                        if first == 0:
                            common.write(ln)
                    elif first <= group_of[about] < first + len(files):
                        files[group_of[about] - first].write(ln)
                for f in files:
                    f.seek(0)
                    yield from _derive(_with_common(f, common), base)
            finally:
                for f in files:
                    f.close()


#: About how many lines of their own the ended instruments asked about at once have (one instrument with more is
#: asked alone): the derivation's store holds these and their documents' dates.
GROUP_LINES = 5_000
#: Groups whose files are open at once: more groups than this take another pass over the kept lines, so a
#: national corpus's thousands of groups stay under a process's limit of open files (often 1,024).
OPEN_GROUPS = 256

_CITING = f"<{KG}citingDocument>".encode()
_DATE_DOCUMENT = f"<{ELI}date_document>".encode()


def _with_common(group: IO[bytes], common: IO[bytes]) -> Iterator[bytes]:
    """A group's own lines, then of the lines about no one instrument those the query can join with them: a
    document's date and type only for the documents that cite (`?by`, `?ux`'s `?uri`) or rely on (`?uri`) one of
    the group's instruments; every other line (catalogue records, their effects) as it is."""
    docs: set[bytes] = set()
    for ln in group:
        s, p, o = ln.split(b" ", 2)
        if p == _CITING:
            docs.add(_object(o))
        elif p not in _CITATION_TERMS:
            docs.add(s)  # a reliance: its subject is the relying document
        yield ln
    common.seek(0)
    for ln in common:
        s, p, _ = ln.split(b" ", 2)
        if (p != _DATE_DOCUMENT and p != _TYPE) or s in docs:
            yield ln


def _derive(lines: Iterable[bytes], base: str) -> list[str]:
    store = Store()
    chunk: list[bytes] = []
    # loaded in slices (the lines read are not all held at once), leniently: they are the graph's own lines,
    # every IRI checked as it was written
    for ln in lines:
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
