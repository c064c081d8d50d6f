"""What every reader returns or raises: the text read, or one clear reason why not."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


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
    """The text the extractor reads, and where it came from.

    `pages` holds the offset in `text` where each page begins (PDF only): page ``i + 1`` is
    ``text[pages[i]:pages[i + 1]]``. Formats without fixed pages leave it ``None``.
    """

    source: str  # the path as given
    text: str
    raw: bytes  # the bytes read (for content hashing)
    reader: str = "text"  # which reader made `text`: text, html, pdf-text, pdf-ocr, docx, doc, rtf
    pages: list[int] | None = field(default=None)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding character `offset`, or None when the format has no pages."""
        if not self.pages:
            return None
        return max(1, bisect_right(self.pages, offset))
