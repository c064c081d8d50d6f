"""Resolution: what text and users write (numbers, names, bodies, signers) → one canonical key and IRI each.

`identity` holds the normalisers and the corpus-level `Resolver` that merges named laws with their
numbers and binds cited instruments to the documents of the corpus.
"""

from kgraph.link.identity import (
    DEFAULT_BASE,
    Body,
    InstrumentKey,
    Resolver,
    UserInstrument,
    document_key,
    facts_of,
    name_key,
    normalize_body,
    normalize_number,
    parse_user_instrument,
    reference_key,
)

__all__ = [
    "DEFAULT_BASE",
    "Body",
    "InstrumentKey",
    "Resolver",
    "UserInstrument",
    "document_key",
    "facts_of",
    "name_key",
    "normalize_body",
    "normalize_number",
    "parse_user_instrument",
    "reference_key",
]
