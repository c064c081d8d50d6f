"""The one loader of kgraph's knowledge about Vietnamese documents.

Type codes, issuer codes, relation verbs and the header vocabulary live in the YAML files beside this
module, each entry with examples that the tests run through the extractor. Adding a document type or an issuer is a
data change: edit the YAML, add an example, run the tests.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kgraph.knowledge.header_vocabulary import HeaderVocabulary


@lru_cache(maxsize=8192)
def fold(s: str) -> str:
    """Case-fold and NFC-normalise a phrase for lookup (keeps diacritics, unifies old/new tone marks)."""
    return unicodedata.normalize("NFC", s).casefold().replace("uỷ", "ủy").replace("hoá", "hóa").replace("oà", "òa")


@lru_cache(maxsize=8192)
def code_key(code: str) -> str:
    """A loose key for a code as real text writes it: ``ND`` for ``NĐ``, any case."""
    return fold(code).replace("đ", "d")


@dataclass(frozen=True, slots=True)
class DocType:
    code: str | None
    name: str
    en: str
    family: str
    rdf_class: str
    aliases: tuple[str, ...] = ()
    cited_by_name: bool = False
    numbers_without_type_code: bool = False
    examples: tuple[dict[str, Any], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Issuer:
    code: str
    name: str
    family: str
    aliases: tuple[str, ...] = ()
    party_name: str | None = None
    valid_from: int | None = None
    valid_to: int | None = None
    ambiguous: bool = False  # the code alone does not say which body (TW)
    examples: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Relation:
    relation: str
    label: str
    triggers: tuple[str, ...]
    blockers: tuple[str, ...] = ()
    max_gap: int | None = None
    examples: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Knowledge:
    """All tables, with the lookups the extractor needs built once at load."""

    types: tuple[DocType, ...]
    issuers: tuple[Issuer, ...]
    relations: tuple[Relation, ...]
    passive: tuple[str, ...] = ()
    named: dict[str, Any] = field(default_factory=dict)
    header: HeaderVocabulary | None = None  # header.yaml: units, positions, signing modes, page furniture
    type_by_code: dict[str, DocType] = field(default_factory=dict)
    party_type_by_code: dict[str, DocType] = field(default_factory=dict)
    type_by_name: dict[str, DocType] = field(default_factory=dict)
    issuer_by_code: dict[str, Issuer] = field(default_factory=dict)
    issuer_by_name: dict[str, Issuer] = field(default_factory=dict)

    @property
    def untyped_number_type(self) -> DocType | None:
        """What an administrative number with no type code is (Công văn: `4028/BKHĐT-TH`)."""
        return next((t for t in self.types if t.numbers_without_type_code), None)

    def doc_type(self, code: str | None = None, name: str | None = None, party: bool = False) -> DocType | None:
        """The type for a code in a number (exact case first, then folded), else for a type word.

        With `party`, the code is read as in a Party number (N-TYPE/ISSUER), where TT is Thông tri.
        """
        if code:
            t = None
            if party:
                t = self.party_type_by_code.get(code) or self.party_type_by_code.get(code_key(code))
            t = t or self.type_by_code.get(code) or self.type_by_code.get(code_key(code))
            if t:
                return t
        if name:
            return self.type_by_name.get(fold(name))
        return None

    def issuer(self, code: str | None = None, name: str | None = None, party: bool = False) -> str | None:
        """The canonical name of an issuer from its code (Party sense when `party`) or a name in text."""
        if code:
            i = self.issuer_by_code.get(code) or self.issuer_by_code.get(code_key(code))
            if i:
                return i.party_name if (party and i.party_name) else i.name
        if name:
            i = self.issuer_by_name.get(fold(name))
            if i:
                return i.name
        return None


def _tuple(v: Any) -> tuple:
    return tuple(v or ())


@lru_cache(maxsize=1)
def load() -> Knowledge:
    """Read the YAML tables once per process."""
    pkg = resources.files(__package__)
    raw_types = yaml.safe_load((pkg / "doc_types.yaml").read_text("utf-8"))["types"]
    raw_issuers = yaml.safe_load((pkg / "issuers.yaml").read_text("utf-8"))["issuers"]
    rel_doc = yaml.safe_load((pkg / "relations.yaml").read_text("utf-8"))
    raw_rel = rel_doc["relations"]
    types = tuple(
        DocType(
            code=t.get("code"),
            name=t["name"],
            en=t["en"],
            family=t["family"],
            rdf_class=t["rdf_class"],
            aliases=_tuple(t.get("aliases")),
            cited_by_name=bool(t.get("cited_by_name")),
            numbers_without_type_code=bool(t.get("numbers_without_type_code")),
            examples=_tuple(t.get("examples")),
        )
        for t in raw_types
    )
    issuers = tuple(
        Issuer(
            code=i["code"],
            name=i["name"],
            family=i["family"],
            aliases=_tuple(i.get("aliases")),
            party_name=i.get("party_name"),
            valid_from=i.get("valid_from"),
            valid_to=i.get("valid_to"),
            ambiguous=bool(i.get("ambiguous")),
            examples=_tuple(i.get("examples")),
        )
        for i in raw_issuers
    )
    relations = tuple(
        Relation(
            relation=r["relation"],
            label=r["label"],
            triggers=_tuple(r.get("triggers")),
            blockers=_tuple(r.get("blockers")),
            max_gap=r.get("max_gap"),
            examples=_tuple(r.get("examples")),
        )
        for r in raw_rel
    )
    k = Knowledge(types=types, issuers=issuers, relations=relations, passive=_tuple(rel_doc.get("passive")),
        named=yaml.safe_load((pkg / "named.yaml").read_text("utf-8")),
        header=HeaderVocabulary.from_yaml(yaml.safe_load((pkg / "header.yaml").read_text("utf-8"))),
    )
    for t in types:
        if t.code and t.family == "party":
            k.party_type_by_code.setdefault(t.code, t)
            k.party_type_by_code.setdefault(code_key(t.code), t)
        elif t.code:
            k.type_by_code.setdefault(t.code, t)
            k.type_by_code.setdefault(code_key(t.code), t)
        for n in t.names:
            # A name shared by a coded and an uncoded type (Quy định) resolves to the first listed.
            k.type_by_name.setdefault(fold(n), t)
    for i in issuers:
        k.issuer_by_code.setdefault(i.code, i)
        k.issuer_by_code.setdefault(code_key(i.code), i)
        for n in (i.name, *i.aliases):
            k.issuer_by_name.setdefault(fold(n), i)
    return k
