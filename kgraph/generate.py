"""Every file written from the knowledge tables, and the one command that rewrites them.

    python -m kgraph.generate            # rewrite the stale files, naming each
    python -m kgraph.generate --check    # change nothing; exit 1 naming the stale files (the tests check this)

What it writes (from knowledge/relations.yaml unless said otherwise):

* ``ontology/kgraph.ttl``: the relation properties, between ``# BEGIN/END GENERATED RELATIONS``, and the
  document-type concepts (from doc_types.yaml, by ``kgraph.graph.scheme.ontology_with_scheme``);
* ``ontology/shapes.ttl`` and ``queries/*.rq``: the line under each ``# from relations.yaml: TEMPLATE``
  comment, the template with ``{ROLE.FORM}`` filled in (ROLE: ``all`` or a role of the table; FORM:
  ``predicates`` ``eli:cites kg:guides``, ``path`` ``eli:cites|kg:guides``, ``names`` ``"cites" "guides"``,
  ``pairs`` ``(eli:cites "cites") ...``, ``each:TEXT`` TEXT once per relation with ``@`` its predicate,
  joined by ``, ``). SPARQL cannot take a predicate list as a parameter, and a
  property path (basis-chain's ``(eli:based_on|kg:guides)*``) cannot range over a variable, so the lists
  are written into the files: each stays a plain query any SPARQL endpoint runs over ``graph.nt``.
  (The Cypher twins read ``$relTypes`` & co. instead, which the query runner binds from the table.)
* ``browser/kgraph.grass``: ``browser/kgraph-base.grass`` (nodes and the other relationships) and one
  rule per relation, coloured by its ``style``;
* ``browser/kgraph-guide.html``: the Neo4j Browser guide, one slide per Cypher twin with the
  ``:param`` lines it needs, the relation parameters among them.

Every function takes the relations as an argument (default: the table), so a test can generate
everything from another table in memory.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

from kgraph.graph.scheme import ontology_with_scheme
from kgraph.graph.terms import lit
from kgraph.knowledge import ROLES, Relation, cypher_parameters, relations, with_role

ROOT = Path(__file__).resolve().parents[1]
# the files as people edit them, at the project's top (the package reaches them through kgraph/paths.py)
ONTOLOGY = ROOT / "ontology" / "kgraph.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
QUERIES = ROOT / "queries"
BROWSER = ROOT / "browser"
GRASS, GRASS_BASE, GUIDE = BROWSER / "kgraph.grass", BROWSER / "kgraph-base.grass", BROWSER / "kgraph-guide.html"


# --------------------------------------------------------------------------------------- ontology

BEGIN_RELATIONS = "# BEGIN GENERATED RELATIONS\n"
END_RELATIONS = "# END GENERATED RELATIONS\n"


def relations_turtle(rels: tuple[Relation, ...]) -> str:
    """The citation-relation properties as Turtle: one kg:CitationRelation per relation."""
    out = []
    for r in rels:
        parts = [
            f"{r.predicate} a owl:ObjectProperty, kg:CitationRelation",
            f"    rdfs:label {lit(r.en, lang='en')}, {lit(r.label, lang='vi')}",
            f"    kg:relationName {lit(r.relation)}",
            f"    kg:propertyGraphType {lit(r.neo4j)}",
        ]
        if r.comment:
            parts.append(f"    rdfs:comment {lit(r.comment, lang='en')}")
        for pred, values in (("rdfs:subPropertyOf", r.sub_property_of), ("owl:equivalentProperty", r.equivalent),
                             ("rdfs:seeAlso", r.see_also)):
            if values:
                parts.append(f"    {pred} " + ", ".join(values))
        parts.append("    rdfs:domain eli:Work ; rdfs:range eli:Work")
        out.append(" ;\n".join(parts) + " .\n")
    return "\n".join(out)


def ontology_text(text: str, rels: tuple[Relation, ...]) -> str:
    """The ontology with both generated sections current (relations, document types)."""
    head, rest = text.split(BEGIN_RELATIONS, 1)
    _, tail = rest.split(END_RELATIONS, 1)
    return ontology_with_scheme(head + BEGIN_RELATIONS + relations_turtle(rels) + END_RELATIONS + tail)


# --------------------------------------------------------------------------------------- template lines

TEMPLATE = re.compile(r"^(?P<indent>[ \t]*)# from relations\.yaml: (?P<template>.*)$")
_PLACEHOLDER = re.compile(r"\{(\w+)\.(\w+)(?::([^{}]*))?\}")
_FORMS = {
    "predicates": lambda rs, _: " ".join(r.predicate for r in rs),
    "path": lambda rs, _: "|".join(r.predicate for r in rs),
    "names": lambda rs, _: " ".join(lit(r.relation) for r in rs),
    "pairs": lambda rs, _: " ".join(f"({r.predicate} {lit(r.relation)})" for r in rs),
    "each": lambda rs, text: ", ".join(text.replace("@", r.predicate) for r in rs),
}


def fill(template: str, rels: tuple[Relation, ...]) -> str:
    """A template with each ``{ROLE.FORM}`` replaced by the relations' list in that form."""

    def one(m: re.Match) -> str:
        role, form, arg = m.groups()
        if role != "all" and role not in ROLES or form not in _FORMS or (form == "each") != (arg is not None):
            raise ValueError(f"{m.group(0)}: unknown placeholder (roles: all, {', '.join(ROLES)}; "
                             f"forms: {', '.join(_FORMS)}, each:TEXT)")
        rs = rels if role == "all" else with_role(role, rels)
        if not rs:  # an empty VALUES or path would silently match nothing
            raise ValueError(f"{m.group(0)}: no relation in the table has the role {role}")
        return _FORMS[form](rs, arg)

    return _PLACEHOLDER.sub(one, template)


def with_generated_lines(text: str, rels: tuple[Relation, ...]) -> str:
    """The text with the line under each ``# from relations.yaml: TEMPLATE`` comment regenerated."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        m = TEMPLATE.match(lines[i])
        if m:
            if i + 1 >= len(lines):
                raise ValueError(f"template on the last line: {lines[i]!r}")
            out.append(m.group("indent") + fill(m.group("template"), rels))
            i += 1  # the old generated line
        i += 1
    return "\n".join(out)


# --------------------------------------------------------------------------------------- Browser style


def grass_text(base: str, rels: tuple[Relation, ...]) -> str:
    """The Browser style: the hand-written base, then one rule per citation relationship type."""
    rules = "".join(
        f"relationship.{r.neo4j} {{\n  color: {r.colour};\n  shaft-width: {r.width}px;\n  caption: \"<type>\";\n}}\n"
        for r in rels
    )
    return base + rules


# --------------------------------------------------------------------------------------- Browser guide

GUIDE_ORDER = ["cited-by", "cites", "most-cited", "provisions-cited", "basis-chain", "stale-citations", "by-issuer",
               "by-issuer-documents"]

_INTRO = """    <slide class="row-fluid">
      <div class="col-sm-3">
        <h3>kgraph</h3>
        <p class="lead">Vietnamese legal documents and the references among them.</p>
      </div>
      <div class="col-sm-9">
        <p>Every node has the label <code>Resource</code> and its <code>uri</code>; documents are
        <code>Document</code> plus their type (<code>Decree</code>, <code>Circular</code>, <code>Plan</code>...),
        with <code>Organization</code>, <code>Person</code> and <code>Provision</code> around them. Citations are
        relationships ({types}) carrying each mention's <code>pinpoint</code>, <code>sentence</code> and
        <code>startOffset</code>/<code>endOffset</code> as lists.</p>
        <p>Style: drag <code>browser/kgraph.grass</code> onto this window (captions by number, colours by type).</p>
        <p>The named queries read the citation types from parameters (<code>kg query</code> sets them); here,
        set them once:</p>
{params}        <p>Which plans cite a decree, in one hop (put <code>Document</code> for every kind of citing document):</p>
        <pre class="pre-scrollable code runnable">MATCH (p:Plan)-[r]->(d:Decree {{number: '163/2016/NĐ-CP'}})
WHERE type(r) IN $relTypes
RETURN p, r, d</pre>
        <pre class="pre-scrollable code runnable">MATCH (p:Document)-[r]->(d:Decree {{number: '62/2022/NĐ-CP'}})
WHERE type(r) IN $relTypes
RETURN p, r, d LIMIT 50</pre>
        <p>Titles, with or without diacritics:</p>
        <pre class="pre-scrollable code runnable">CALL db.index.fulltext.queryNodes('kg_titles', 'ngan sach nha nuoc') YIELD node, score
RETURN node.number AS number, node.title AS title, score LIMIT 20</pre>
      </div>
    </slide>
"""


def _cypher_literal(v: object) -> str:
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(v, list):
        return "[" + ", ".join(_cypher_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_cypher_literal(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def _param_line(name: str, value: object) -> str:
    """A Browser `:param` line. A map goes in parentheses: Neo4j Browser 5 reads `:param x => {a: 1}` as a
    statement `a: 1` (a syntax error), while `:param x => ({a: 1})` sets the map."""
    lit = _cypher_literal(value)
    return f":param {name} => ({lit})" if isinstance(value, dict) else f":param {name} => {lit}"


def _block(text: str) -> str:
    return f'        <pre class="pre-scrollable code runnable">{html.escape(text)}</pre>\n'


def _slide(name: str, text: str, params: dict[str, object]) -> str:
    head = [ln[2:].strip() for ln in text.splitlines() if ln.startswith("//")]
    meta = dict(re.match(r"([\w-]+)\s*:\s*(.*)", h).groups() for h in head if re.match(r"[\w-]+\s*:", h))
    own = [m.group(0).strip() for h in head for m in [re.search(r":param .*", h)] if m]
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("//")).strip()
    used = [_param_line(k, v) for k, v in params.items() if re.search(r"\$" + k + r"\b", body)]
    blocks = "".join(_block(p) for p in own + used)
    args = f" {html.escape(meta['args'])}" if meta.get("args") else ""
    return (
        '    <slide class="row-fluid">\n'
        '      <div class="col-sm-3">\n'
        f"        <h3>{html.escape(name)}</h3>\n"
        f"        <p class=\"lead\">{html.escape(meta.get('doc', ''))}</p>\n"
        f"        <p>From the shell: <code>kg query {html.escape(name)}{args} --backend neo4j</code></p>\n"
        "      </div>\n"
        '      <div class="col-sm-9">\n'
        f"{blocks}"
        f"{_block(body)}"
        "      </div>\n"
        "    </slide>\n"
    )


def guide_text(twins: dict[str, str], rels: tuple[Relation, ...]) -> str:
    """The Browser guide: an introduction, then one slide per Cypher twin (name → file text)."""
    params = cypher_parameters(rels)
    names = [n for n in GUIDE_ORDER if n in twins] + sorted(n for n in twins if n not in GUIDE_ORDER)
    types = ", ".join(f"<code>{html.escape(r.neo4j)}</code>" for r in rels)
    intro = _INTRO.format(types=types, params="".join(_block(_param_line(k, v))
                                                      for k, v in params.items()))
    slides = intro + "".join(_slide(n, twins[n], params) for n in names)
    return ("<!-- Generated by `python -m kgraph.generate` from queries/*.cypher and kgraph/knowledge/relations.yaml;"
            " edit those, then rerun it. -->\n"
            '<article class="guide" ng-controller="AppCtrl">\n'
            '  <carousel class="deck container-fluid">\n'
            f"{slides}"
            "  </carousel>\n"
            "</article>\n")


# --------------------------------------------------------------------------------------- all of them


def generated_files(rels: tuple[Relation, ...] | None = None, root: Path = ROOT) -> dict[Path, str]:
    """Every generated file (under `root`) and what it should hold for the relations `rels`."""
    rels = relations() if rels is None else rels
    ontology, shapes = root / ONTOLOGY.relative_to(ROOT), root / SHAPES.relative_to(ROOT)
    queries, browser = root / QUERIES.relative_to(ROOT), root / BROWSER.relative_to(ROOT)
    out = {
        ontology: ontology_text(ontology.read_text("utf-8"), rels),
        shapes: with_generated_lines(shapes.read_text("utf-8"), rels),
    }
    for p in sorted(queries.glob("*.rq")):
        out[p] = with_generated_lines(p.read_text("utf-8"), rels)
    out[browser / GRASS.name] = grass_text((browser / GRASS_BASE.name).read_text("utf-8"), rels)
    twins = {p.stem: p.read_text("utf-8") for p in queries.glob("*.cypher")}
    out[browser / GUIDE.name] = guide_text(twins, rels)
    return out


def stale_files(rels: tuple[Relation, ...] | None = None, root: Path = ROOT) -> dict[Path, str]:
    """The generated files whose contents differ from what the tables give (path → the right text)."""
    return {p: t for p, t in generated_files(rels, root).items() if not p.exists() or p.read_text("utf-8") != t}


def main(argv: list[str]) -> int:
    stale = stale_files()
    for p, text in stale.items():
        name = p.relative_to(ROOT)
        if "--check" in argv:
            print(f"{name} is stale: run python -m kgraph.generate", file=sys.stderr)
        else:
            p.write_text(text, "utf-8")
            print(f"wrote {name}")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
