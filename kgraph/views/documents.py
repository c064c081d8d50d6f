"""A built document's page in `kg serve`: its text with each reference marked, the graph's resolution on top.

The build keeps each file's extraction (`cache/<sha256>.json`) and the graph names the file (`kg:source`)
and its content hash. The text is read again from that file only when its bytes still hash to what was
built (offsets point into that text and no other); the marks take the graph's corpus-level targets. When
the file has moved or changed, the page lists the citations with their sentences instead.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from kgraph.views import ask
from kgraph.views.annotate import Mark, document_html, marks_for, relation_label
from kgraph.views.html import attr, esc, page, url

_DOC = """SELECT ?source ?hash WHERE {
  ?s <https://w3id.org/kgraph/ontology#source> ?source ; <https://w3id.org/kgraph/ontology#contentHash> ?hash .
}"""

_CITATIONS = """PREFIX kg: <https://w3id.org/kgraph/ontology#>
SELECT ?start ?end ?t ?label ?rel ?text ?sentence WHERE {
  ?c kg:citingDocument ?s ; kg:citedDocument ?t ; kg:relationName ?rel ; kg:startOffset ?start ; kg:endOffset ?end .
  OPTIONAL { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?label }
  OPTIONAL { ?c kg:matchedText ?text } OPTIONAL { ?c kg:sentence ?sentence }
} ORDER BY ?start"""


def _text_if_unchanged(source: str, sha: str, build: Path | None) -> Any:
    """The file's text as the build read it, if a file at `source` (as given, or beside the build) still has those bytes."""
    from kgraph.reader import InputError, read_source

    candidates = [Path(source)]
    if build is not None and not Path(source).is_absolute():
        candidates.append(build.resolve().parent / source)
    for p in candidates:
        try:
            src = read_source(p)
        except (InputError, OSError):
            continue
        if hashlib.sha256(src.raw).hexdigest() == sha:
            return src
    return None


def built_document(store: Store, iri: str, build: Path | None) -> str | None:
    """The document page's HTML, or None when no built document has that IRI."""
    from kgraph.build_cache import extraction_from_cache
    from kgraph.reader import annotate as with_pages

    rows = ask.bound_rows(store, _DOC, "s", [iri])
    if not rows:
        return None
    source, sha = str(rows[0]["source"]), str(rows[0]["hash"])
    citations = ask.bound_rows(store, _CITATIONS, "s", [iri])
    label_rows = ask.bound_rows(store, "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 1", "s", [iri])
    title = str(label_rows[0]["l"]) if label_rows else source
    back = f'<p><a href="{attr(url("/instrument", iri=iri))}">Trang văn bản</a> · <span class="muted">{esc(source)}</span></p>'
    cache = build / "cache" / f"{sha}.json" if build is not None else None
    src = _text_if_unchanged(source, sha, build)
    if src is None or cache is None or not cache.is_file():
        return page(title, f"<h1>{esc(title)}</h1>{back}" + _citation_list(citations))
    with open(cache, encoding="utf-8") as f:
        ex = with_pages(extraction_from_cache(json.load(f)), src)
    by_span: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for c in citations:
        by_span.setdefault((int(c["start"]), int(c["end"])), []).append(c)
    marks: list[Mark] = []
    for m in marks_for(ex, sha, source):
        r = m.reference
        graph = by_span.get((r.start, r.end))
        if graph:  # the corpus-level target (a named law merged with its number, ...)
            for g in graph:
                marks.append(Mark(r, "cited", g["t"], g.get("label") or g["t"]))
        elif m.status == "cited":  # resolved on its own but to this document once merged with the corpus
            marks.append(Mark(r, "self", iri, "văn bản này"))
        else:
            marks.append(m)
    return document_html(title, ex, src.text, marks, link_base="", inline=False, heading=back)


def _citation_list(citations: list[dict[str, Any]]) -> str:
    note = ('<p class="muted">Tệp gốc không còn ở chỗ bản dựng đã đọc, hoặc đã thay đổi: '
            "đây là các trích dẫn trong đồ thị, với câu trích dẫn.</p>")
    items = []
    for c in citations:
        sentence = f'<blockquote class="sentence">{esc(c.get("sentence"))}</blockquote>' if c.get("sentence") else ""
        link = f'<a href="{attr(url("/instrument", iri=c["t"]))}">{esc(c.get("label") or c["t"])}</a>'
        items.append(f'<li><mark class="ref cited rel-{attr(c["rel"])}">{esc(c.get("text"))}</mark> → {link} '
                     f'({esc(relation_label(c["rel"]))}){sentence}</li>')
    return note + f'<ul class="cites">{"".join(items)}</ul>'

