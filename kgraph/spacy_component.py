"""A spaCy pipeline component that puts kgraph's references on a `Doc`.

Add it to your own Vietnamese pipeline by name::

    nlp = spacy.blank("vi")
    nlp.add_pipe("kgraph_references")
    doc = nlp(text)
    for span in doc.spans["kgraph_references"]:
        print(span.text, span._.kg_ref["number"], span._.kg_ref["relation"])

The component reads `doc.text` with the same extractor as the bulk path; it does not need the
word segmenter and does not run it. Spans are aligned to tokens by expanding to token edges.
"""

from __future__ import annotations

from dataclasses import asdict

from spacy.language import Language
from spacy.tokens import Doc, Span

from kgraph.extract import extract

SPANS_KEY = "kgraph_references"

if not Span.has_extension("kg_ref"):
    Span.set_extension("kg_ref", default=None)
if not Doc.has_extension("kg_document"):
    Doc.set_extension("kg_document", default=None)


class ReferenceComponent:
    """Sets `doc.spans[spans_key]` (one span per reference, `span._.kg_ref` its fields) and
    `doc._.kg_document` (the document's own metadata)."""

    def __init__(self, spans_key: str = SPANS_KEY, include_self: bool = True):
        self.spans_key = spans_key
        self.include_self = include_self

    def __call__(self, doc: Doc) -> Doc:
        ex = extract(doc.text)
        spans = []
        for r in ex.references:
            if r.kind == "self" and not self.include_self:
                continue
            span = doc.char_span(r.start, r.end, label=r.type_code or r.type or r.kind, alignment_mode="expand")
            if span is None:
                continue
            span._.kg_ref = r.to_dict()
            spans.append(span)
        doc.spans[self.spans_key] = spans
        doc._.kg_document = asdict(ex.document)
        return doc


@Language.factory(
    "kgraph_references",
    default_config={"spans_key": SPANS_KEY, "include_self": True},
)
def make_reference_component(nlp: Language, name: str, spans_key: str, include_self: bool) -> ReferenceComponent:
    """Factory registered with spaCy (also exposed through the `spacy_factories` entry point)."""
    return ReferenceComponent(spans_key=spans_key, include_self=include_self)
