"""Annotated documents: a document's text with every reference marked, for `kg annotate` and `kg serve`.

Each reference becomes a `<mark>` whose class says what it is (a citation with its relation, a self
reference, or one that names no instrument) and whose hover card gives the relation, the instrument it
resolved to and the pinpoint; a citation links to the instrument's page when a server is named. The
page is one self-contained file (styles inline, no script), and every piece of text is escaped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kgraph.model import Extraction, Pinpoint, Reference
from kgraph.unresolved import why_unresolved
from kgraph.views.html import attr, esc, page, url


@dataclass(frozen=True, slots=True)
class Mark:
    """What a page shows for one reference: its status, and where it points when it points anywhere."""

    reference: Reference
    status: str  # cited | self | unresolved
    iri: str | None = None
    label: str | None = None
    why: str | None = None  # for unresolved ones: why nothing was resolved


def relation_label(relation: str) -> str:
    """The relation as Vietnamese readers name it (the knowledge table's label when it has one)."""
    from kgraph.knowledge import load

    for r in load().relations:
        if r.relation == relation and r.label:
            return r.label
    return relation


def pinpoint_text(pins: Iterable[Pinpoint]) -> str:
    """`điểm a khoản 1 Điều 9; Điều 12` as a lawyer writes it."""
    parts = []
    for p in pins:
        bits = [f"điểm {p.point}" if p.point else "", f"khoản {p.clause}" if p.clause else "",
                f"Điều {p.article}" if p.article else "", f"Chương {p.chapter}" if p.chapter else ""]
        s = " ".join(b for b in bits if b)
        if s:
            parts.append(s)
    return "; ".join(parts)


def marks_for(extraction: Extraction, content_hash: str, source: str, base: str | None = None) -> list[Mark]:
    """Resolve one extraction on its own (as `kg build` would with this file alone) into marks, in text order."""
    from kgraph.link import DEFAULT_BASE, Resolver, facts_of, resolve
    from kgraph.link.extraction_keys import reference_keys
    from kgraph.link.resolved import label_of

    resolver = Resolver([facts_of(extraction, content_hash)])
    doc = resolve(extraction, resolver, content_hash=content_hash, source=source, base=base or DEFAULT_BASE)
    cited = {id(c.reference): c for c in doc.citations}
    out = []
    for ref, key in zip(extraction.references, reference_keys(extraction)):
        c = cited.get(id(ref))
        if c is not None:
            out.append(Mark(ref, "cited", c.iri, label_of(resolver.instrument(c.key))))
        elif ref.kind == "self" or key is not None:  # a key that resolved to this very document
            out.append(Mark(ref, "self", doc.iri, "văn bản này"))
        else:
            out.append(Mark(ref, "unresolved", why=why_unresolved(ref)))
    return out


def _tip(m: Mark) -> str:
    r = m.reference
    rows: list[tuple[str, str]] = []
    if m.status == "cited":
        rows.append(("quan hệ", f"{relation_label(r.relation)} ({r.relation})"))
        rows.append(("văn bản", m.label or m.iri or ""))
    elif m.status == "self":
        rows.append(("tự dẫn chiếu", "chính văn bản này"))
    else:
        rows.append(("chưa xác định", m.why or ""))
    pins = pinpoint_text(r.pinpoint)
    if pins:
        rows.append(("điều khoản", pins))
    if r.date:
        rows.append(("ngày", r.date))
    if r.issuer:
        rows.append(("cơ quan", r.issuer))
    if r.page:
        rows.append(("trang", str(r.page)))
    return "<br>".join(f"<b>{esc(k)}:</b> {esc(v)}" for k, v in rows)


def annotated_body(text: str, marks: list[Mark], link_base: str | None = None) -> str:
    """The text as HTML with each reference marked; overlapping references share the first one's mark.

    `link_base` ('' on the served pages, a server's URL for a file) makes each citation a link to its instrument.
    """
    out: list[str] = []
    pos = 0
    ordered = sorted(marks, key=lambda m: (m.reference.start, -m.reference.end))
    i = 0
    while i < len(ordered):
        m = ordered[i]
        r = m.reference
        if r.start < pos or r.start >= len(text):  # inside one already marked (one span naming two instruments)
            i += 1
            continue
        end = min(r.end, len(text))
        group = [m]
        while i + 1 < len(ordered) and ordered[i + 1].reference.start == r.start:
            i += 1
            group.append(ordered[i])
        out.append(esc(text[pos : r.start]))
        cls = f"ref {m.status}" + (f" rel-{r.relation}" if m.status == "cited" else "")
        inner = esc(text[r.start : end])
        if m.status == "cited" and link_base is not None and m.iri:
            inner = f'<a href="{attr(link_base + url("/instrument", iri=m.iri))}">{inner}</a>'
        tips = "<hr>".join(_tip(g) for g in group)
        out.append(
            f'<mark class="{attr(cls)}" tabindex="0" data-status="{attr(m.status)}" data-relation="{attr(r.relation)}"'
            + (f' data-iri="{attr(m.iri)}"' if m.iri else "")
            + f'>{inner}<span class="tip" role="tooltip">{tips}</span></mark>'
        )
        pos = end
        i += 1
    out.append(esc(text[pos:]))
    return "".join(out)


def legend(marks: list[Mark]) -> str:
    """Counts by status, and the colour of each relation the document uses."""
    n = {s: sum(1 for m in marks if m.status == s) for s in ("cited", "self", "unresolved")}
    used = {m.reference.relation for m in marks if m.status == "cited"}
    from kgraph.knowledge import load

    rels = "".join(f'<span><mark class="ref cited rel-{attr(r.relation)}">{esc(r.label)}</mark></span>'
                   for r in load().relations if r.relation in used)
    return (
        '<p class="legend">'
        f'<span>trích dẫn: {n["cited"]}</span>'
        f'<span><mark class="ref self">tự dẫn chiếu</mark> {n["self"]}</span>'
        f'<span><mark class="ref unresolved">chưa xác định</mark> {n["unresolved"]}</span></p>'
        f'<p class="legend">{rels}</p>'
    )


def document_html(title: str, extraction: Extraction, text: str, marks: list[Mark], *, link_base: str | None = None,
                  inline: bool = True, heading: str = "") -> str:
    """A whole annotated-document page."""
    d = extraction.document
    meta = [("Số", d.number), ("Loại", d.type), ("Cơ quan", d.issuer), ("Ngày", d.date), ("Trích yếu", d.title)]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta if v)
    body = (
        f"<h1>{esc(title)}</h1>{heading}<dl class=\"meta\">{dl}</dl>{legend(marks)}"
        f'<div class="doc" id="text">{annotated_body(text, marks, link_base)}</div>'
    )
    return page(title, body, inline=inline, nav=not inline)


def annotate_file(path: str, link_base: str | None = None) -> str:
    """`kg annotate FILE`: read, extract, resolve on its own, and render as one standalone HTML page."""
    from kgraph.extract import extract
    from kgraph.reader import annotate as with_pages, read_source

    src = read_source(path)
    ex = with_pages(extract(src.text, source=path), src)
    sha = hashlib.sha256(src.raw).hexdigest()  # as `kg build` hashes a file: its bytes
    marks = marks_for(ex, sha, path)
    title = " ".join(x for x in (ex.document.type, ex.document.number) if x) or Path(path).name
    return document_html(title, ex, src.text, marks, link_base=link_base.rstrip("/") if link_base else None)
