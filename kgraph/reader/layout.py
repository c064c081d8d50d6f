"""Side-by-side columns made into lines: the one layout rule the PDF, DOC and DOCX readers share."""

from __future__ import annotations

import re

#: A heading's number before a tab ("Điều 1.<tab>Phạm vi") stays on its line.
_ENUMERATOR = re.compile(r"(?:(?:Điều|Chương|Mục|Phần|Phụ lục)\s+)?(?:[\dIVXLC]+|[a-zđ])[.):]?", re.I)


def split_tab_columns(text: str) -> str:
    """Word sets a letter's two header cells and its recipients/signature block as two columns
    separated by tabs (``ỦY BAN NHÂN DÂN<tab>CỘNG HÒA XÃ HỘI...``; the PDF reader marks wide gaps
    the same way). A run of such lines is given column by column, left cell lines first, as a Word
    table's cells come; a run with more than two columns (a table) row by row, a cell a line."""
    if "\t" not in text:
        return text
    out: list[str] = []
    run: list[tuple[str, list[str]]] = []

    def flush() -> None:
        if all(len(rights) <= 1 for _, rights in run):
            out.extend(left for left, _ in run if left)
            out.extend(r for _, rights in run for r in rights)
        else:
            for left, rights in run:
                out.extend([left, *rights] if left else rights)
        run.clear()

    for line in text.split("\n"):
        cells = [c.strip(" ") for c in line.split("\t")]
        if len(cells) < 2 or _ENUMERATOR.fullmatch(cells[0]):
            flush()
            out.append(line)
        else:
            run.append((cells[0], [c for c in cells[1:] if c]))
    flush()
    return "\n".join(out)
