"""The pages `kg serve` shows besides its SPARQL endpoint: read-only, GET only, rendered from a build's store.

| route | page |
|---|---|
| `/` | the analysts' page: a SPARQL editor with kgraph's prefixes and example queries, the named queries as a menu |
| `/named?name=Q&arg=X` | a named query's answer as a readable table (X typed as users type it) |
| `/instrument?iri=I` or `?q=X` | an instrument (X naming several, e.g. one local number of several provinces: them, with issuer and date): metadata, what it cites and what cites it by relation, its neighbourhood drawn |
| `/document?iri=I` or `?q=X` | a built document's text with its references marked (the `kg annotate` view) |
| `/static/NAME` | the pages' stylesheet and scripts (package data; the machine may be offline, so no CDN) |

`handle` is a pure function of the route, its parameters, an open store and the build folder, so the
server can run it wherever it runs queries (a worker with a time limit). User input reaches SPARQL only
as bound values (`kgraph.views.ask`), and every piece of text reaches HTML only through `esc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pyoxigraph import Store

from kgraph.views import ask
from kgraph.views.annotate import relation_label
from kgraph.views.html import STATIC_TYPES, attr, esc, page, script_json, static_text, url

HTML = "text/html; charset=utf-8"


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes


def _html(status: int, title: str, body: str, **kw: Any) -> Response:
    return Response(status, HTML, page(title, body, **kw).encode("utf-8"))


# --------------------------------------------------------------------------- the analysts' page


EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Văn bản được trích dẫn nhiều nhất", """SELECT ?doc (COUNT(DISTINCT ?citing) AS ?citing_documents) WHERE {
  ?c kg:citedDocument ?doc ; kg:citingDocument ?citing .
} GROUP BY ?doc ORDER BY DESC(?citing_documents) LIMIT 20"""),
    ("Văn bản căn cứ Nghị định 163/2016/NĐ-CP", """SELECT ?doc ?label ?date WHERE {
  ?target eli:number "163/2016/NĐ-CP" .
  ?doc eli:based_on ?target .
  OPTIONAL { ?doc rdfs:label ?label } OPTIONAL { ?doc eli:date_document ?date }
} ORDER BY ?date"""),
    ("Số trích dẫn theo quan hệ", """SELECT ?relation (COUNT(*) AS ?citations) WHERE {
  ?c a kg:Citation ; kg:relationName ?relation .
} GROUP BY ?relation ORDER BY DESC(?citations)"""),
    ("Cơ quan ban hành", """SELECT ?body ?name (COUNT(DISTINCT ?doc) AS ?documents) WHERE {
  ?doc eli:passed_by ?body . ?body rdfs:label ?name .
} GROUP BY ?body ?name ORDER BY DESC(?documents) LIMIT 30"""),
)

ARG_HINTS = {"X": "Nghị định 163/2016", "ISSUER": "Bộ Tài chính", "[ISSUER]": "Bộ Tài chính (tuỳ chọn)", "[N]": "20"}


def _prefix_block() -> str:
    from kgraph.graph.ontology import PREFIXES

    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def _menu(queries: dict[str, Any]) -> list[Any]:
    hidden = {q.with_arg for q in queries.values() if q.with_arg}
    return [q for name, q in queries.items() if name not in hidden]


def named_form(selected: str | None = None, arg: str = "") -> str:
    """The named queries as a menu, with one field for the argument typed as users type it."""
    queries = ask.named_queries()
    opts = []
    for q in _menu(queries):
        hint = ARG_HINTS.get(q.args[0], "") if q.args else ""
        sel = " selected" if q.name == selected else ""
        opts.append(f'<option value="{attr(q.name)}" data-hint="{attr(hint)}" data-doc="{attr(q.doc)}"{sel}>'
                    f"{esc(q.name)}{esc(' ' + ' '.join(q.args) if q.args else '')}</option>")
    return (
        '<form class="named" method="get" action="/named" id="named-form">'
        f'<label>Truy vấn <select name="name" id="named-name">{"".join(opts)}</select></label>'
        f'<input type="text" name="arg" id="named-arg" value="{attr(arg)}" placeholder="Nghị định 163/2016" '
        'aria-label="văn bản, cơ quan hoặc số dòng">'
        '<button type="submit">Chạy</button></form>'
        '<p class="muted" id="named-doc"></p>'
    )


def index_page() -> Response:
    examples = "".join(
        f'<button type="button" data-query="{attr(_prefix_block() + chr(10) + q)}">{esc(t)}</button>' for t, q in EXAMPLES
    )
    body = (
        "<h1>Đồ thị văn bản pháp luật</h1>"
        '<p class="muted">Chỉ đọc. Điểm truy cập SPARQL 1.1: <code>/query</code>. '
        "Gõ văn bản như thường viết: <em>Nghị định 163/2016</em>, <em>Luật Đất đai 2013</em>.</p>"
        "<h2>Truy vấn có sẵn</h2>" + named_form() +
        "<h2>SPARQL</h2>"
        f'<p class="examples">Ví dụ: {examples}</p>'
        f'<textarea class="sparql" id="sparql" spellcheck="false">{esc(_prefix_block() + chr(10) + EXAMPLES[0][1])}</textarea>'
        '<p><button type="button" id="run">Chạy truy vấn</button> <span class="muted" id="status"></span></p>'
        '<div id="results"></div>'
        "<h2>Neo4j Browser</h2>"
        '<p>Sau khi <code>kg load</code>, gõ văn bản rồi chép lệnh vào Neo4j Browser: '
        '<input type="text" id="play-x" value="Nghị định 163/2016" aria-label="văn bản"></p>'
        '<pre id="play-command" class="muted"></pre>'
    )
    return _html(200, "kgraph", body, scripts=("kgraph.js",))


# --------------------------------------------------------------------------- named queries as tables


def _link_instrument(iri: str | None, text: Any) -> str:
    if not iri:
        return esc(text)
    return f'<a href="{attr(url("/instrument", iri=iri))}">{esc(text if text not in (None, "") else iri)}</a>'


def candidates_list(found: list[ask.Candidate], typed: str, link: Callable[[ask.Candidate], str]) -> str:
    """The nodes a typed number names, each with its issuer and date, for the user to pick one: one local
    number of several provinces (`45/KH-UBND`), or a number whose issuer the citing text did not say."""
    items = []
    for c in found:
        issuer = esc(c.issuer) if c.issuer else '<span class="muted">chưa rõ cơ quan ban hành</span>'
        date = f' — <span class="date">{esc(c.date)}</span>' if c.date else ""
        items.append(f'<li class="candidate">{link(c)} — <span class="issuer">{issuer}</span>{date}</li>')
    named = next((c.issuer for c in found if c.issuer and ";" not in c.issuer), None)
    hint = f'<p class="muted">Thêm nơi ban hành để chọn một: <q>{esc(typed)} của {esc(named)}</q>.</p>' if named else ""
    return f'<p>{len(found)} văn bản khớp:</p><ul class="candidates">{"".join(items)}</ul>{hint}'


_HIDDEN = {"label", "target", "source"}
_HEADINGS = {
    "uri": "văn bản", "number": "số", "type": "loại", "title": "trích yếu", "date": "ngày", "relations": "quan hệ",
    "pinpoints": "điều khoản", "citations": "số trích dẫn", "citing_documents": "số văn bản trích dẫn",
    "depth": "bậc", "basis_of": "căn cứ của", "org": "cơ quan", "documents": "số văn bản", "issuer": "cơ quan",
}


def results_table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """Rows as a readable table: instruments by label linking to their page, numbers as numbers, relations in words."""
    cols = [c for c in columns if c not in _HIDDEN and any(r.get(c) is not None for r in rows)]
    if "uri" in cols:
        cols.remove("uri")
        cols.insert(0, "uri")
    head = "".join(f"<th>{esc(_HEADINGS.get(c, c))}</th>" for c in cols)
    body = []
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            if c == "uri":
                cells.append(f"<td>{_link_instrument(v, r.get('label') or r.get('number') or v)}</td>")
            elif c in ("basis_of", "org") and isinstance(v, str) and v.startswith(("http://", "https://")):
                cells.append(f"<td>{_link_instrument(v, r.get(c + '_label') or v.rsplit('/', 1)[-1])}</td>")
            elif isinstance(v, bool):
                cells.append(f"<td>{'có' if v else 'không'}</td>")
            elif isinstance(v, (int, float)):
                cells.append(f'<td class="num">{v:,}</td>'.replace(",", "."))
            elif c == "date":
                cells.append(f'<td class="date">{esc(v)}</td>')
            elif c == "relations" and v:
                cells.append("<td>" + esc(", ".join(relation_label(x.strip()) for x in str(v).split(","))) + "</td>")
            else:
                cells.append(f"<td>{esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="results"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def named_page(store: Store, params: dict[str, str]) -> Response:
    name = params.get("name") or ""
    arg = " ".join((params.get("arg") or "").split())
    form = named_form(name or None, arg)
    if not name:
        return _html(200, "Truy vấn có sẵn", "<h1>Truy vấn có sẵn</h1>" + form, scripts=("kgraph.js",))
    queries = ask.named_queries()
    if name not in queries:
        return _html(404, "Không có truy vấn", f'<h1>Truy vấn có sẵn</h1>{form}<p class="error">Không có truy vấn tên '
                     f"{esc(name)}.</p>", scripts=("kgraph.js",))
    try:
        res = ask.run(store, name, [arg] if arg else [])
    except ask.QueryError as e:
        return _html(400, name, f'<h1>{esc(name)}</h1>{form}<p class="error">{esc(e)}</p>', scripts=("kgraph.js",))
    targets = ""
    if res.candidates:  # X named several nodes: which is which, and a link that asks about one
        targets = candidates_list(res.candidates, arg, lambda c: (
            _link_instrument(c.iri, c.label) + f' (<a href="{attr(url("/named", name=name, arg=c.iri))}">chỉ văn bản này</a>)'))
    elif res.targets:
        targets = "<p>Văn bản: " + ", ".join(_link_instrument(t, _label_of(store, t)) for t in res.targets) + "</p>"
    body = (
        f"<h1>{esc(name)} {esc(arg)}</h1>{form}{targets}"
        f'<p class="muted" id="row-count">{len(res.rows)} dòng</p>{results_table(res.columns, res.rows)}'
    )
    return _html(200, f"{name} {arg}", body, scripts=("kgraph.js",))


_LABEL = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 1"


def _label_of(store: Store, iri: str) -> str:
    rows = ask.bound_rows(store, _LABEL, "s", [iri])
    return str(rows[0]["l"]) if rows else iri


# --------------------------------------------------------------------------- instrument pages


_META_ROWS = (("number", "Số"), ("typeName", "Loại"), ("name", "Tên"), ("title", "Trích yếu"),
              ("date_document", "Ngày ban hành"), ("year", "Năm"), ("passed_by", "Cơ quan ban hành"),
              ("signedBy", "Người ký"), ("place", "Nơi ban hành"), ("source", "Tệp"))


def _grouped(items: list[Any], other_word: str) -> str:
    from itertools import groupby

    if not items:
        return '<p class="muted">Không có.</p>'
    out = []
    for rel, group in groupby(items, key=lambda c: c.relation):
        group = list(group)
        out.append(f'<h3 data-relation="{attr(rel)}">{esc(relation_label(rel))} <span class="count">({len(group)})</span></h3>'
                   '<ul class="cites">')
        for c in group:
            pins = f" — <em>{esc(c.pinpoints)}</em>" if c.pinpoints else ""
            sentence = ""
            if c.sentence:
                sentence = f'<blockquote class="sentence">{_sentence_html(c.sentence, c.text)}</blockquote>'
            src = f' <span class="muted">({esc(c.source)})</span>' if c.source and other_word == "in" else ""
            out.append(f"<li>{_link_instrument(c.other, c.label)}{pins}{src}{sentence}</li>")
        out.append("</ul>")
    return "".join(out)


def _sentence_html(sentence: str, text: str | None) -> str:
    """The citing sentence with the reference's own words in bold (the first place they occur)."""
    if text:
        t = " ".join(text.split())
        i = sentence.find(t)
        if i >= 0:
            return esc(sentence[:i]) + "<b>" + esc(t) + "</b>" + esc(sentence[i + len(t):])
    return esc(sentence)


def _pick(store: Store, typed: str, link: Callable[[ask.Candidate], str]) -> "str | Response":
    """The one IRI `typed` names, or the page that says none does or lists the several it names."""
    try:
        found = ask.candidates(store, typed)
    except ask.QueryError as e:
        return _html(400, typed, f'<p class="error">{esc(e)}</p>')
    if len(found) == 1:
        return found[0].iri
    if not found:
        return _html(404, typed, f"<h1>{esc(typed)}</h1><p>Không có văn bản nào khớp.</p>")
    return _html(200, typed, f"<h1>{esc(typed)}</h1>{candidates_list(found, typed, link)}")


def instrument_page(store: Store, params: dict[str, str]) -> Response:
    from kgraph.views.data import instrument_view, neighbourhood

    iri = params.get("iri")
    typed = (params.get("q") or "").strip()
    if not iri and typed:
        picked = _pick(store, typed, lambda c: _link_instrument(c.iri, c.label))
        if isinstance(picked, Response):
            return picked
        iri = picked
    if not iri:
        return _html(400, "Văn bản", '<p class="error">Cho biết văn bản: ?q=Nghị định 163/2016 hoặc ?iri=...</p>')
    try:
        view = instrument_view(store, iri)
    except ValueError:
        return _html(400, "Văn bản", '<p class="error">Không phải một IRI.</p>')
    if not view.exists:
        return _html(404, "Văn bản", f'<p class="error">Đồ thị không có {esc(iri)}.</p>')
    dl = []
    for key, word in _META_ROWS:
        vals = view.meta.get(key)
        if vals:
            dl.append(f"<dt>{esc(word)}</dt><dd>{esc('; '.join(str(v) for v in vals))}</dd>")
    dl.append(f"<dt>IRI</dt><dd><code>{esc(iri)}</code></dd>")
    doc_link = ""
    if view.is_corpus_document:
        doc_link = f'<p><a href="{attr(url("/document", iri=iri))}" id="document-link">Xem toàn văn với các trích dẫn</a></p>'
    graph = neighbourhood(view)
    body = (
        f'<h1 id="title">{esc(view.label)}</h1><dl class="meta">{"".join(dl)}</dl>{doc_link}'
        f'<h2>Lân cận <span class="count">({len(graph["elements"])} phần tử'
        f'{", đã rút gọn" if graph["truncated"] else ""})</span></h2><div id="graph"></div>{_graph_legend(graph)}'
        f'<script type="application/json" id="graph-data">{script_json(graph)}</script>'
        f'<h2 id="cites">Văn bản này trích dẫn <span class="count">({len(view.cites)})</span></h2>{_grouped(view.cites, "out")}'
        f'<h2 id="cited-by">Được trích dẫn bởi <span class="count">({len(view.cited_by)})</span></h2>{_grouped(view.cited_by, "in")}'
    )
    return _html(200, view.label, body, scripts=("cytoscape.min.js", "kgraph.js"))


def _graph_legend(graph: dict[str, Any]) -> str:
    """The colour of each relation the drawing uses (the colours of knowledge/relations.yaml)."""
    seen: dict[str, str] = {}
    for e in graph["elements"]:
        d = e["data"]
        if "relation" in d:
            seen.setdefault(d["relation"], d["colour"])
    items = "".join(f'<span><span style="display:inline-block;width:1.6em;border-top:3px solid {attr(c)};'
                    f'vertical-align:middle"></span> {esc(relation_label(r))}</span>' for r, c in sorted(seen.items()))
    return f'<p class="legend muted">{items} — bấm vào một văn bản để mở trang của nó.</p>'


# --------------------------------------------------------------------------- document pages


def document_page(store: Store, params: dict[str, str], build: Path | None) -> Response:
    from kgraph.views.documents import built_document

    iri = params.get("iri") or ""
    typed = (params.get("q") or "").strip()
    if not iri and typed:  # `/document?q=45/KH-UBND`: as the instrument page finds it
        picked = _pick(store, typed, lambda c: f'<a href="{attr(url("/document", iri=c.iri))}">{esc(c.label or c.iri)}</a>')
        if isinstance(picked, Response):
            return picked
        iri = picked
    try:
        shown = built_document(store, iri, build)
    except ValueError:
        return _html(400, "Văn bản", '<p class="error">Không phải một IRI.</p>')
    if shown is None:
        return _html(404, "Văn bản", f'<p class="error">Không có văn bản nào của bản dựng mang IRI {esc(iri)}.</p>')
    return Response(200, HTML, shown.encode("utf-8"))


# --------------------------------------------------------------------------- routing


def static(name: str) -> Response:
    if name not in STATIC_TYPES:
        return Response(404, "text/plain; charset=utf-8", b"not found\n")
    return Response(200, STATIC_TYPES[name], static_text(name).encode("utf-8"))


def neo4j_guide(store: Store, params: dict[str, str]) -> Response:
    from kgraph.views.guide import guide_for

    status, text = guide_for(store, (params.get("x") or "").strip() or None)
    return Response(status, HTML, text.encode("utf-8"))


GUIDE_PATH = "/neo4j/kgraph-guide.html"

ROUTES: dict[str, Callable[..., Response]] = {
    GUIDE_PATH: lambda store, params, build: neo4j_guide(store, params),
    "/": lambda store, params, build: index_page(),
    "/index.html": lambda store, params, build: index_page(),
    "/named": lambda store, params, build: named_page(store, params),
    "/instrument": lambda store, params, build: instrument_page(store, params),
    "/document": lambda store, params, build: document_page(store, params, build),
}


def handles(path: str) -> bool:
    """Whether `path` is one of these pages (the server answers the others itself)."""
    return path in ROUTES or path.startswith("/static/")


def handle(path: str, params: dict[str, str], store: Store | None, build: Path | None = None) -> Response:
    """The page at `path` with its (single-valued) query parameters."""
    if path.startswith("/static/"):
        return static(path[len("/static/"):])
    fn = ROUTES.get(path)
    if fn is None:
        return Response(404, "text/plain; charset=utf-8", b"not found\n")
    return fn(store, params, build)

