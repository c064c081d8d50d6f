"""The layout vocabulary of a header and a signature block: motto, separators, preamble openers,
signer positions and signing modes, administrative units, bullets.

Not type or issuer knowledge: that comes from the YAML tables (`tables`)."""

from __future__ import annotations

import re


SEP_LINE = re.compile(r"[-_*=.·~\u2010-\u2015\u2212\uff0d\s]{3,}")
MOTTO = ("cộng hòa xã hội chủ nghĩa việt nam", "độc lập - tự do - hạnh phúc")


def is_motto(f: str) -> bool:
    """The national motto beside the issuer block (`f` folded: CỘNG HOÀ and CỘNG HÒA alike)."""
    return f.startswith(MOTTO)


#: Lines that open the preamble or the body: the title stops before them.
PREAMBLE = re.compile(
    r"(?:Căn cứ|Kính gửi|Điều\s+\d|Chương\s+[IVXLC\d]|CHƯƠNG\s+[IVXLC\d]|Phần thứ|PHẦN THỨ|Mục\s+\d|"
    r"LỜI NÓI ĐẦU|Lời nói đầu|QUYẾT ĐỊNH\s*:|QUYẾT NGHỊ\s*:|Phụ lục|PHỤ LỤC)"
)
#: These open a preamble too, but a title may also begin with them (Thực hiện thí điểm ...).
PREAMBLE_WEAK = re.compile(r"(?:Thực hiện|Theo đề nghị|Xét đề nghị|Xét |Trên cơ sở|Nhằm |Để |[IVX]+\.\s|\d+\.\s)")
#: Positions a signer holds (the line above the name); PHÓ and Q. prefixes are allowed.
POSITIONS = (
    "CHỦ TỊCH NƯỚC", "CHỦ TỊCH", "THỦ TƯỚNG", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "CHỦ NHIỆM", "THỐNG ĐỐC",
    "TỔNG KIỂM TOÁN", "CHÁNH ÁN", "VIỆN TRƯỞNG", "TỔNG THANH TRA", "TỔNG GIÁM ĐỐC", "GIÁM ĐỐC",
    "TỔNG CỤC TRƯỞNG", "CỤC TRƯỞNG", "VỤ TRƯỞNG", "TRƯỞNG BAN", "BÍ THƯ", "CHÁNH VĂN PHÒNG",
    "TỔNG THƯ KÝ", "TRƯỞNG ĐOÀN", "CHÁNH THANH TRA", "TỔNG BIÊN TẬP",
)
POSITION_PARTS = re.compile(r"(?P<pre>Q\.[ \t]*|PHÓ[ \t]+)?(?P<pos>" + "|".join(POSITIONS) + r")(?:[ \t]+(?P<body>\S.*))?")
POSITION_RE = r"[ \t]*(?:Q\.[ \t]*|PHÓ[ \t]+)?(?:" + "|".join(POSITIONS) + r")(?![^\W\d_])[^\n]{0,80}$"
MODE_RE = r"[ \t]*(?P<mode>T/M|K/T|T\.M|K\.T|TUQ|TM|KT|TL|Q(?=\.))\.?(?:[ \t]+|(?=[^\W\d_]))(?P<rest>[^\n]{2,90})$"
POSITION_LINE = re.compile("^" + POSITION_RE, re.M)
MODE_LINE = re.compile("^" + MODE_RE, re.M)
# The same, for scanning a whole text: a literal line break first lets the engine skip ahead fast.
POSITION_SCAN = re.compile(r"\n" + POSITION_RE, re.M)
MODE_SCAN = re.compile(r"\n" + MODE_RE, re.M)


MODES = {"T/M": "T/M", "K/T": "K/T", "T.M": "TM.", "K.T": "KT.", "TM": "TM.", "KT": "KT.", "TL": "TL.",
          "TUQ": "TUQ.", "Q": "Q."}


ADMIN_UNIT = re.compile(r"(tỉnh|thành phố|tp\.|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu)\s+(\S.*)")
TAIL_UNIT = re.compile(r"(?<!\w)(tỉnh|thành phố|huyện|quận|thị xã)\s+(\S.*)$")
#: First words of a body's name after which the specific name starts with a capital (Sở Tài chính).
BODY_WORDS = (
    "tổng cục", "chi cục", "ủy ban", "văn phòng", "học viện", "tòa án", "kho bạc", "ngân hàng", "hội đồng",
    "thanh tra", "trung tâm", "liên đoàn", "bộ", "sở", "cục", "vụ", "ban", "phòng", "viện", "trường", "đài",
    "báo", "công an",
)
#: Proper names that are neither a type nor an issuer but keep their capitals in a sentence-cased title.


BULLET = re.compile(r"[-+•*–—‐−·][ \t]*")
