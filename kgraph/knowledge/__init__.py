"""The one loader of kgraph's knowledge about Vietnamese documents.

Type codes, issuer codes, relation verbs and the header vocabulary live in the YAML files beside this
module, each entry with examples that the tests run through the extractor. Adding a document type or an issuer is a
data change: edit the YAML, add an example, run the tests. A relation is likewise one entry in
relations.yaml (its verbs, RDF predicate, Neo4j type, labels, query roles, style); every other place
that names relations is derived from it (`python -m kgraph.generate` rewrites the files that do).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

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
    #: the type word alone starts a reference ("Nghị định này", "Nghị định 54"); false where the word names a thing
    #: the text deals with ("Giấy phép này có giá trị ...", "Điều 20. Điều kiện cấp Giấy phép")
    word_alone: bool = True
    #: a bare ordinal after the type word names a part of a programme ("Dự án 1: ..."), not an instrument
    parts_by_ordinal: bool = False

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


#: Namespaces a relation's CURIEs may use. Predicates are eli: or kg: only: the ontology, the shapes and
#: the queries declare those two prefixes.
NAMESPACES = {
    "eli": "http://data.europa.eu/eli/ontology#",
    "kg": "https://w3id.org/kgraph/ontology#",
    "schema": "https://schema.org/",
}
#: What a relation can mean to the named queries (relations.yaml's header says what each is).
ROLES = ("basis", "ends", "relies")
#: The environment variable that points the loader at another relations.yaml (for tests).
RELATIONS_ENV = "KGRAPH_RELATIONS"
_PKG_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A short form written inside a body's name (`UBND tỉnh Lạng Sơn`) and the words it stands for."""

    short: str
    name: str
    examples: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Relation:
    relation: str
    label: str
    triggers: tuple[str, ...]
    blockers: tuple[str, ...] = ()
    max_gap: int | None = None
    examples: tuple[dict[str, Any], ...] = ()
    predicate: str = ""  # a CURIE: eli:based_on
    neo4j: str = ""  # the Neo4j relationship type: BASED_ON
    en: str = ""
    comment: str | None = None
    sub_property_of: tuple[str, ...] = ()
    equivalent: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    colour: str = "#A5ABB6"
    width: int = 1
    after_triggers: tuple[str, ...] = ()  # verbs written after the reference ("X hết hiệu lực kể từ ...")
    firm_triggers: tuple[str, ...] = ()  # cites triggers that hold inside a "Căn cứ" clause ("xem xét")

    @property
    def predicate_iri(self) -> str:
        return expand(self.predicate)


def expand(curie: str) -> str:
    """`eli:based_on` → the full IRI (only the prefixes in NAMESPACES)."""
    prefix, _, local = curie.partition(":")
    if prefix not in NAMESPACES or not re.fullmatch(r"[A-Za-z_][\w-]*", local):
        raise ValueError(f"{curie!r}: not a CURIE in {', '.join(p + ':' for p in NAMESPACES)}")
    return NAMESPACES[prefix] + local


def _yaml(text: str) -> Any:
    """One YAML document, read as `yaml.safe_load` reads it, by libyaml's parser when PyYAML was built with it (9x
    faster: the tables are read at every process start that extracts). PyYAML is imported here, on first use: a
    process that needs only the namespaces and document types (`kg load`) does not pay for it."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def relations_file() -> Path:
    """relations.yaml beside this module, or the file $KGRAPH_RELATIONS names (tests add a verb that way)."""
    return Path(os.environ.get(RELATIONS_ENV) or _PKG_DIR / "relations.yaml")


def read_relations(path: Path) -> tuple[tuple[Relation, ...], tuple[str, ...]]:
    """The relations of one relations.yaml and its passive markers, checked: a bad entry fails here, by name."""
    doc = _yaml(Path(path).read_text("utf-8"))
    out = []
    for r in doc["relations"]:
        style = r.get("style") or {}
        rel = Relation(
            relation=r["relation"],
            label=r["label"],
            triggers=_tuple(r.get("triggers")),
            blockers=_tuple(r.get("blockers")),
            max_gap=r.get("max_gap"),
            examples=_tuple(r.get("examples")),
            predicate=r.get("predicate", ""),
            neo4j=r.get("neo4j", ""),
            en=r.get("en", ""),
            comment=r.get("comment"),
            sub_property_of=_tuple(r.get("sub_property_of")),
            equivalent=_tuple(r.get("equivalent")),
            see_also=_tuple(r.get("see_also")),
            roles=_tuple(r.get("roles")),
            after_triggers=_tuple(r.get("after_triggers")),
            firm_triggers=_tuple(r.get("firm_triggers")),
            colour=style.get("colour", "#A5ABB6"),
            width=int(style.get("width", 1)),
        )
        _check_relation(rel)
        out.append(rel)
    for what in ("relation", "predicate", "neo4j"):
        seen = [getattr(r, what) for r in out]
        dup = {x for x in seen if seen.count(x) > 1}
        if dup:
            raise ValueError(f"{path}: {what} listed twice: {', '.join(sorted(dup))}")
    if "cites" not in {r.relation for r in out}:
        raise ValueError(f"{path}: no 'cites' relation (the default for a reference with no verb)")
    return tuple(out), _tuple(doc.get("passive"))


def _check_relation(r: Relation) -> None:
    where = f"relations.yaml: {r.relation}"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", r.relation):
        raise ValueError(f"{where}: a relation name is lower_snake_case")
    if r.predicate.partition(":")[0] not in ("eli", "kg"):
        raise ValueError(f"{where}: predicate {r.predicate!r} must be eli:... or kg:...")
    for curie in (r.predicate, *r.sub_property_of, *r.equivalent, *r.see_also):
        expand(curie)
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", r.neo4j):
        raise ValueError(f"{where}: neo4j {r.neo4j!r} must be an UPPER_SNAKE relationship type")
    if not r.en or not r.label:
        raise ValueError(f"{where}: label (Vietnamese) and en (English) are required")
    if set(r.roles) - set(ROLES):
        raise ValueError(f"{where}: unknown roles {sorted(set(r.roles) - set(ROLES))} (known: {', '.join(ROLES)})")
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", r.colour) or not 1 <= r.width <= 10:
        raise ValueError(f"{where}: style is {{colour: \"#RRGGBB\", width: 1..10}}")


@lru_cache(maxsize=1)
def _relation_table() -> tuple[tuple[Relation, ...], tuple[str, ...]]:
    return read_relations(relations_file())


def relations() -> tuple[Relation, ...]:
    """The relations, in table order (read once per process)."""
    return _relation_table()[0]


def with_role(role: str, rels: tuple[Relation, ...] | None = None) -> tuple[Relation, ...]:
    """The relations that play `role` for the named queries (basis, ends, relies)."""
    if role not in ROLES:
        raise KeyError(role)
    return tuple(r for r in (relations() if rels is None else rels) if role in r.roles)


def cypher_parameters(rels: tuple[Relation, ...] | None = None) -> dict[str, Any]:
    """The relation parameters every Cypher twin may read: types as lists, and type → relation name."""
    rels = relations() if rels is None else rels
    out: dict[str, Any] = {"relTypes": [r.neo4j for r in rels]}
    for role in ROLES:
        out[role + "Types"] = [r.neo4j for r in with_role(role, rels)]
    out["relationNames"] = {r.neo4j: r.relation for r in rels}
    return out


@dataclass(frozen=True)
class Knowledge:
    """All tables, with the lookups the extractor needs built once at load."""

    types: tuple[DocType, ...]
    issuers: tuple[Issuer, ...]
    relations: tuple[Relation, ...]
    passive: tuple[str, ...] = ()
    not_triggers: tuple[str, ...] = ()  # phrases that contain a trigger without being one
    after_blockers: tuple[str, ...] = ()  # words between a reference and an after-trigger that make it no effect
    no_effect_titles: tuple[str, ...] = ()  # own titles of documents that only list others ("công bố danh mục")
    directing: dict[str, Any] = field(default_factory=dict)  # relations.yaml `directing`: a plan's "theo X" it carries out
    list_titles: tuple[str, ...] = ()  # own titles of documents that list expired instruments: their references `lists`
    scope_titles: tuple[str, ...] = ()  # an article's title saying what the document regulates ("Phạm vi điều chỉnh")
    scope_says: str = ""  # in it, the words by which the document says what it regulates ("này quy định")
    scope_before: tuple[str, ...] = ()  # ... and those a reference it details follows ("theo", "quy định tại")
    effect_objects: tuple[str, ...] = ()  # words an effect verb's object may begin with (besides types and parts)
    partial: dict[str, Any] = field(default_factory=dict)  # relations.yaml `partial`: words naming part of an instrument
    named: dict[str, Any] = field(default_factory=dict)
    law_names: dict[str, Any] = field(default_factory=dict)  # law_names.yaml: names of real laws (catalogue)
    header: HeaderVocabulary | None = None  # header.yaml: units, positions, signing modes, page furniture
    abbreviations: tuple[Abbreviation, ...] = ()
    in_text: dict[str, Any] = field(default_factory=dict)  # issuers.yaml `in_text`: bodies as a citation names them
    local_numbers: dict[str, Any] = field(default_factory=dict)  # issuers.yaml `local_numbers`: numbers per body
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
    from importlib import resources

    pkg = resources.files(__package__)
    raw_types = _yaml((pkg / "doc_types.yaml").read_text("utf-8"))["types"]
    issuer_doc = _yaml((pkg / "issuers.yaml").read_text("utf-8"))
    raw_issuers = issuer_doc["issuers"]
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
            word_alone=t.get("word_alone", True) is not False,
            parts_by_ordinal=bool(t.get("parts_by_ordinal")),
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
    rels, passive = _relation_table()
    rel_doc = _yaml(relations_file().read_text("utf-8"))
    # an issuer's alias in capitals is an abbreviation of its name (UBND, HĐND), then those of no issuer
    abbreviations = tuple(
        [Abbreviation(short=a, name=i.name) for i in issuers for a in i.aliases if a.isupper()]
        + [Abbreviation(short=a["short"], name=a["name"], examples=_tuple(a.get("examples")))
           for a in issuer_doc.get("abbreviations") or ()]
    )
    k = Knowledge(types=types, issuers=issuers, relations=rels, passive=passive,
        not_triggers=_tuple(rel_doc.get("not_triggers")), after_blockers=_tuple(rel_doc.get("after_blockers")),
        no_effect_titles=_tuple(rel_doc.get("no_effect_titles")), directing=rel_doc.get("directing") or {}, partial=rel_doc.get("partial") or {},
        effect_objects=_tuple(rel_doc.get("effect_objects")), list_titles=_tuple(rel_doc.get("list_titles")),
        scope_titles=_tuple(rel_doc.get("scope_titles")), scope_says=rel_doc.get("scope_says") or "",
        scope_before=_tuple(rel_doc.get("scope_before")),
        named=_yaml((pkg / "named.yaml").read_text("utf-8")), abbreviations=abbreviations,
        law_names=_yaml((pkg / "law_names.yaml").read_text("utf-8")),
        header=HeaderVocabulary.from_yaml(_yaml((pkg / "header.yaml").read_text("utf-8"))),
        in_text=issuer_doc.get("in_text") or {},
        local_numbers=issuer_doc.get("local_numbers") or {},
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
