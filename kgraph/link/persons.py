"""Persons: a signer's name in one spelling, and its IRI (the same signer across documents is one node)."""

from __future__ import annotations

import unicodedata

from kgraph.link.keys import DEFAULT_BASE, WS, slug


def person_name(name: str) -> str:
    """A signer's name in one spelling: NFC, one space, each word capitalised."""
    s = unicodedata.normalize("NFC", WS.sub(" ", name)).strip(" ,.")
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split(" "))


def person_iri(name: str, base: str = DEFAULT_BASE) -> str:
    return f"{base}person/{slug(person_name(name))}"
