"""Text in: read a file as the extractor's input, or say clearly why it cannot be read.

Plain UTF-8 text is taken as is (offsets are into the decoded text). HTML pages saved from
legal-document websites are reduced to their visible text, one block a line; offsets are then into
that text, which `kg extract` reports as the input.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

#: Files larger than this are refused rather than read into memory whole.
MAX_BYTES = 64 * 1024 * 1024


class InputError(Exception):
    """A file that cannot be used as input; the message names the file and the problem."""

    def __init__(self, source: str, problem: str):
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem

    def __reduce__(self):  # survives the trip back from a worker process
        return (InputError, (self.source, self.problem))


@dataclass(slots=True)
class SourceText:
    source: str  # the path as given
    text: str
    raw: bytes  # the bytes read (for content hashing)


_BLOCK = {
    "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    "article", "header", "footer", "ul", "ol", "td", "th", "blockquote", "pre", "hr", "title",
}
_SKIP = {"script", "style", "noscript", "template", "head"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_BLANKS = re.compile(r"[ \t\xa0]*\n[\s\xa0]*")
_SPACES = re.compile(r"[ \t\xa0]+")


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page, one block per line."""
    p = _TextParser()
    p.feed(markup)
    p.close()
    text = html.unescape("".join(p.parts))
    text = _SPACES.sub(" ", text)
    return _BLANKS.sub("\n", text).strip() + "\n"


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def decode(raw: bytes, source: str) -> str:
    """Bytes to text, refusing what is empty, binary or not UTF-8."""
    if not raw.strip():
        raise InputError(source, "empty file")
    if b"\x00" in raw[:8192]:
        raise InputError(source, "binary file (contains NUL bytes), expected UTF-8 text or HTML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(source, f"not valid UTF-8 (byte {e.start}: {e.reason})") from None
    if looks_like_html(text) or source.lower().endswith((".html", ".htm")):
        text = html_to_text(text)
        if not text.strip():
            raise InputError(source, "HTML page with no visible text")
    return text


def read_source(path: str | Path) -> SourceText:
    """Read one input file, raising `InputError` with a clear reason."""
    source = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError(source, "no such file")
    if p.is_dir():
        raise InputError(source, "is a directory, expected a file")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(source, f"too large ({size} bytes; limit {MAX_BYTES})")
        raw = p.read_bytes()
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as e:
        raise InputError(source, f"cannot read ({e.strerror})") from None
    return SourceText(source=source, text=decode(raw, source), raw=raw)
