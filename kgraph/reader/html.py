"""Saved web pages (and Word's "Save as Web Page" .doc) reduced to their visible text, one block a line.

A single forward scan over the markup: only tag names are looked at, attributes are skipped by one
possessive regex and never turned into objects, so memory stays a small multiple of the input however
many attributes a page carries (`html.parser` built a tuple per attribute: 12 MB of attributes took
1.66 GB). Every position only moves forward, so the time is linear too.
"""

from __future__ import annotations

import html
import re

_BLOCK = frozenset({
    "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    "article", "header", "footer", "ul", "ol", "td", "th", "blockquote", "pre", "hr", "title",
})
#: Elements whose content is never visible text; skipped up to their end tag.
_SKIP = ("script", "style", "noscript", "template", "head", "xml")

#: Where a skipped element ends (a <head> whose end tag was left out ends at <body>).
_SKIP_END = {name: re.compile(rf"</{name}\b|<body\b" if name == "head" else rf"</{name}\b", re.I) for name in _SKIP}
_NAME = re.compile(r"/?([A-Za-z][A-Za-z0-9:_-]*)")
_BLANKS = re.compile(r"[ \t\xa0]*\n[\s\xa0]*")
_SPACES = re.compile(r"[ \t\xa0\r]+")


#: The rest of a tag up to its ">", quoted values skipped; possessive, so never backtracking.
_TAG_REST = re.compile(r"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")


def _tag_end(markup: str, at: int) -> int:
    """Index just past the `>` closing the tag whose rest starts at `at` (quotes respected);
    the end of the text when the tag is never closed."""
    m = _TAG_REST.match(markup, at)
    return m.end() if m else len(markup)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page, one block per line."""
    parts: list[str] = []
    i, n = 0, len(markup)
    while i < n:
        lt = markup.find("<", i)
        if lt < 0:
            parts.append(markup[i:])
            break
        if lt > i:
            parts.append(markup[i:lt])
        if markup.startswith("<!--", lt):
            end = markup.find("-->", lt + 4)
            i = n if end < 0 else end + 3
            continue
        if markup.startswith(("<!", "<?"), lt):  # doctype, <![if ...]>, processing instruction
            end = markup.find(">", lt + 2)
            i = n if end < 0 else end + 1
            continue
        m = _NAME.match(markup, lt + 1)
        if not m:  # a bare "<" in the text
            parts.append("<")
            i = lt + 1
            continue
        closing = markup[lt + 1] == "/"
        name = m.group(1).lower()
        i = _tag_end(markup, m.end())
        if name in _BLOCK:
            parts.append("\n")
        elif not closing and name in _SKIP and not markup[i - 2 : i] == "/>":
            end = _SKIP_END[name].search(markup, i)
            i = n if end is None else _tag_end(markup, end.end())
    text = html.unescape("".join(parts))
    text = _SPACES.sub(" ", text)
    return _BLANKS.sub("\n", text).strip() + "\n"


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (``<meta charset=...>``), if any."""
    m = _CHARSET.search(raw[:4096])
    return m.group(1).decode("ascii").lower() if m else None
