"""A legal website's metadata panel at the top of a saved page, and the chrome around it.

Pages saved from the seed's website open with a copyright notice, then the site's panel (``Số hiệu:`` /
``Loại văn bản:`` / ``Nơi ban hành:`` / ``Người ký:`` / ``Ngày ban hành:`` ... each label with its value on
the next line of the linearised table), sometimes a news summary (a ``## `` heading, paragraphs, then
"Xem chi tiết ..."), and only then the document. `site_top` finds where the document begins, so that the
header is read from there and nothing above it is taken for the document's words.

The panel is the site editors' description of the document, not the document: its values are used only
for what the document's own text does not say (pages saved without their header, a page that holds only
the panel), never over what the header says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kgraph.extract.header.casing import lower, spelling_key
from kgraph.extract.header.number import read_number
from kgraph.extract.header.tables import tables
from kgraph.extract.header.vocab import FOOTER_KEYS
from kgraph.knowledge import load
from kgraph.model import Document

#: How far from the start a site's panel is looked for.
_PANEL_REACH = 5000
#: How far a news summary may run before the document.
_SUMMARY_REACH = 12000
_LABEL = re.compile(r"[ \t]*(?P<label>[^\W\d][^:\n]{1,30}?)[ \t]*:[ \t]*(?P<value>[^\n]*)")
_SUMMARY_END = re.compile(r"(?m)^[ \t]*Xem[^\n]{0,20}chi tiết[^\n]*$")
#: What opens a document's header (the national or the Party's motto).
_HEADER_MARK = re.compile(r"(?m)^[ \t]*(?:CỘNG[ \t]+H(?:ÒA|OÀ)[ \t]+XÃ|ĐẢNG[ \t]+CỘNG[ \t]+SẢN)")
_PLACE = re.compile(r"(Tỉnh|Thành phố)\s+(\S.*)")
_PROPS = tuple(load().header.site_chrome.get("properties") or ())
#: What shows a document's own words before a panel (which is then the page's footer, not its top).
_DOCUMENT_MARK = re.compile(
    r"(?m)^[ \t]*(?:CỘNG[ \t]+H(?:ÒA|OÀ)[ \t]+XÃ|ĐẢNG[ \t]+CỘNG[ \t]+SẢN|Số[ \t]*:|Điều[ \t]+1\b|Kính[ \t]+gửi|Căn[ \t]+cứ)"
)
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(slots=True)
class SitePanel:
    start: int
    end: int
    fields: dict[str, str] = field(default_factory=dict)  # label → value, as the panel writes them

    def date(self) -> str | None:
        m = _DMY.fullmatch(self.fields.get("Ngày ban hành", "").strip())
        if not m:
            return None
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= d <= 31 and 1 <= mo <= 12 else None


def read_panel(t: str, start: int = 0, reach: int = _PANEL_REACH) -> SitePanel | None:
    """The site's panel beginning with ``Số hiệu:`` at a line start within `reach` of `start`, with its
    labels and values (a value on the label's line or on the next non-blank line)."""
    m = re.search(r"(?m)^[ \t]*Số hiệu[ \t]*:", t[start : start + reach])
    if not m:
        return None
    pos = start + m.start()
    panel = SitePanel(pos, pos)
    label: str | None = None
    keys = 0
    while pos < len(t):
        nl = t.find("\n", pos)
        nl = len(t) if nl < 0 else nl
        line = t[pos:nl].strip()
        if line:
            lm = _LABEL.fullmatch(line)
            if lm and FOOTER_KEYS.match(line):
                label = lm.group("label").strip()
                keys += 1
                if lm.group("value").strip():
                    panel.fields[label] = lm.group("value").strip()
                    label = None
            elif label is not None:
                panel.fields[label] = line
                label = None
            else:
                break
            panel.end = nl
        pos = nl + 1
    return panel if keys >= 3 else None


def site_top(t: str, raw: str) -> tuple[int, SitePanel | None]:
    """Where the document begins on a saved page (0 when nothing is site chrome), and the site's panel.

    `t` is the page's `plain_view`, `raw` the page as given (its ``## `` headings are blank in `t`)."""
    panel = read_panel(t)
    if panel is None or _DOCUMENT_MARK.search(t, 0, panel.start):
        return 0, panel  # no panel, or the document comes first (the panel is then a footer)
    top = panel.end
    first = re.compile(r"[^\s|]").search(raw, top)
    if first and raw.startswith("##", first.start()):
        mark = _HEADER_MARK.search(t, top, top + _SUMMARY_REACH)
        end = _SUMMARY_END.search(t, top, mark.start() if mark else top + _SUMMARY_REACH)
        if end:
            top = end.end()
    return top, panel


def fill_from_panel(doc: Document, panel: SitePanel) -> None:
    """What the document's own text left unsaid, from the site's panel (never over the header)."""
    tb = tables()
    f = panel.fields
    if doc.number is None and (raw := f.get("Số hiệu")):
        num = read_number(raw, panel.start, panel.end)
        if num:
            doc.number = num.number
            if doc.type is None and num.type_code:
                dt = tb.k.doc_type(code=num.type_code)
                doc.type, doc.type_code = (dt.name, dt.code) if dt else (None, None)
    if doc.type is None and (name := f.get("Loại văn bản")):
        dt = tb.k.doc_type(name=name)
        if dt:
            doc.type, doc.type_code = dt.name, dt.code
    if doc.date is None:
        doc.date = panel.date()
    if doc.signer.name is None and (who := f.get("Người ký")) and len(who.split()) >= 2:
        doc.signer.name = who
    if doc.issuer is None and (where := f.get("Nơi ban hành")):
        doc.issuer = _panel_issuer(where, doc.number)


def _panel_issuer(where: str, number: str | None) -> str | None:
    """The panel's place or body of issue as a body: a body as named; a province or city with the body
    its number's code names there (4001/UBND-ĐT of "Thành phố Hồ Chí Minh": its People's Committee)."""
    k = tables().k
    named = k.issuer_by_name.get(spelling_key(lower(where)))
    if named:
        return named.name
    m = _PLACE.fullmatch(where.strip())
    if m:
        codes = re.split(r"[-/]", number or "")
        for c in codes:
            body = k.issuer_by_code.get(c)
            if body and body.family == "local":
                return f"{body.name} {m.group(1).lower()} {m.group(2)}"
        return None
    return where.strip()


def read_properties(t: str) -> dict[str, str] | None:
    """The national database's properties table (header.yaml site_chrome.properties): field → value, or None when
    the page has none. Labels stand alone on their lines, their values on the lines after."""
    labels = {p["label"]: p["fields"] for p in _PROPS}
    first = _PROPS and re.search(r"(?m)^[ \t]*" + re.escape(_PROPS[0]["label"]) + r"[ \t]*$", t)
    if not first:
        return None
    lines = [ln.strip() for ln in t[first.start() :].split("\n")[:60]]
    out: dict[str, str] = {}
    i = 0
    while i < len(lines):
        fields = labels.get(lines[i])
        if fields:
            vals = [v for v in lines[i + 1 : i + 1 + len(fields)]]
            for f, v in zip(fields, vals):
                if v and v not in labels and f not in out:
                    out[f] = v
            i += 1 + len(fields)
            continue
        i += 1
    return out if "number" in out else None


def fill_from_properties(doc: Document, props: dict[str, str]) -> None:
    """A page that is only the database's properties table: its number, type, date, issuer and signer."""
    tb = tables()
    raw = props.get("number", "")
    num = read_number(raw, 0, 0) if any(c.isdigit() for c in raw) else None
    doc.number = num.number if num else None
    dt = tb.k.doc_type(name=props["type"]) if props.get("type") else None
    if num and num.type_code == "VBHN":
        dt = tb.k.doc_type(code="VBHN")
    doc.type, doc.type_code = (dt.name, dt.code) if dt else (None, None)
    m = _DMY.fullmatch(props.get("date", "").strip())
    doc.date = f"{int(m.group(3)):04d}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else None
    body = props.get("issuer")
    named = tb.k.issuer_by_name.get(spelling_key(lower(body))) if body else None
    doc.issuer = named.name if named else body
    doc.place = None
    doc.title = None
    if props.get("signer"):
        doc.signer.name = props["signer"]
        doc.signer.title = props.get("title")
        doc.signer.mode = None
