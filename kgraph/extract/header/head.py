"""What the top of a document says (`Head`) and the kinds of line the heading block is made of (`Kind`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from kgraph.extract.header.number import Number
from kgraph.knowledge import DocType


class Kind(Enum):
    """What one line at the top of a document is."""

    BLANK = "blank"
    SEPARATOR = "separator"  # ------- under the issuer or the motto
    MOTTO = "motto"  # CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc
    SECTION = "section"  # a gazette section heading (VĂN BẢN QUY PHẠM PHÁP LUẬT)
    SECTION_NAME_NEXT = "section+"  # VĂN BẢN HỢP NHẤT - with the consolidating body on the next line
    SIGNATURE = "signature"  # a signing-mode line and the position lines after it
    NUMBER = "number"  # Số: 12/2018/NĐ-CP
    PLACE_DATE = "place-date"  # Hà Nội, ngày 10 tháng 8 năm 2018
    HEADING = "heading"  # the type word (NGHỊ ĐỊNH), maybe with the title on the same line
    CAPS = "caps"  # another line in capitals: the issuer block or the title
    RUNNING = "running"  # a gazette continuation's running title (Thông tư số N ngày ...)
    TEXT = "text"  # a mixed-case line: a title, a subject line
    BODY = "body"  # the preamble or the body begins: the header is over


@dataclass(slots=True)
class Head:
    number: Number | None = None
    number_line: int | None = None  # index into lines
    place: str | None = None
    date: str | None = None
    heading: DocType | None = None
    title: str | None = None
    issuer: str | None = None
    issuer_lines: list[str] = field(default_factory=list)
    letter: bool = False  # an official letter's marks: a "V/v" subject, or "Kính gửi" opening the body
    consolidated: bool = False
    consolidator: str | None = None  # the body named in the gazette's "VĂN BẢN HỢP NHẤT - ..." heading
    doc_start: int = 0
    end: int = 0  # offset where the header ends (the preamble or body begins)
