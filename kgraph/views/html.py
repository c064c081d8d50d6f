"""Small HTML helpers shared by the pages and annotated documents: escaping, the page shell, static assets.

Every piece of text that reaches a page goes through `esc` (or `attr`), whatever its origin: document
text, labels, IRIs and user input alike. JSON put inside a page (the neighbourhood graph) goes through
`script_json`, which keeps `</script>` and `<!--` from ending the script element.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

#: Files under kgraph/views/static that the server hands out, with their media types.
STATIC_TYPES = {
    "kgraph.css": "text/css; charset=utf-8",
    "kgraph.js": "text/javascript; charset=utf-8",
    "cytoscape.min.js": "text/javascript; charset=utf-8",
    "cytoscape.LICENSE.txt": "text/plain; charset=utf-8",
}


def esc(value: Any) -> str:
    """Text content, escaped (None is empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


attr = esc


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """A static asset shipped as package data (kgraph/views/static/NAME)."""
    if name not in STATIC_TYPES:
        raise KeyError(name)
    return resources.files("kgraph.views").joinpath("static", name).read_text("utf-8")


def script_json(data: Any) -> str:
    """JSON safe to place inside <script type="application/json">."""
    s = json.dumps(data, ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def url(path: str, **params: Any) -> str:
    """A link to one of the served pages with its query parameters encoded (never pasted)."""
    q = {k: v for k, v in params.items() if v is not None}
    return path + ("?" + urlencode(q) if q else "")


def relation_css() -> str:
    """Each relation's colour, from knowledge/relations.yaml (the table the Browser style is made from too)."""
    from kgraph.knowledge import load

    out = []
    for r in load().relations:
        c = r.colour if r.colour.startswith("#") and len(r.colour) == 7 else "#A5ABB6"
        out.append(f"mark.ref.rel-{r.relation}{{background:{c}26;border-bottom-color:{c}}}")
    return "".join(out)


NAV = (("/", "Truy vấn"), ("/named", "Truy vấn có sẵn"))


def page(title: str, body: str, *, scripts: tuple[str, ...] = (), inline: bool = False, nav: bool = True) -> str:
    """A whole page. `inline` puts the stylesheet (and scripts) inside it, for files that must stand alone."""
    if inline:
        head = f"<style>{static_text('kgraph.css')}{relation_css()}</style>"
        tail = "".join(f"<script>{static_text(s)}</script>" for s in scripts)
    else:
        head = f'<link rel="stylesheet" href="/static/kgraph.css"><style>{relation_css()}</style>'
        tail = "".join(f'<script src="/static/{attr(s)}"></script>' for s in scripts)
    top = ""
    if nav:
        links = "".join(f'<a href="{attr(h)}">{esc(t)}</a>' for h, t in NAV)
        top = f'<header class="top"><strong>kgraph</strong>{links}</header>'
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{esc(title)}</title>{head}</head><body>{top}<main>{body}</main>{tail}</body></html>\n"
    )
