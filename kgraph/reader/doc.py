"""Word 97-2003 binaries (.doc): the main text and the footnotes, in document order.

The text is assembled from the piece table ([MS-DOC] 2.8.35 Clx / PlcPcd) of the `WordDocument`
stream; `olefile` (BSD) opens the OLE container. Pieces are either UTF-16LE or "compressed"
cp1252. Field codes (between 0x13 and 0x14) are dropped and their results kept; a table cell's end
mark (0x07) becomes a line end, as an HTML cell does in the HTML reader. This is all a legal text
needs, without an external program: antiword and catdoc are GPL tools outside the Python install.
"""

from __future__ import annotations

import io
import struct

from kgraph.reader.base import InputError

#: Characters with a structural meaning in Word's text stream, and what they become.
_SPECIAL = {
    "\r": "\n",  # paragraph end
    "\x07": "\n",  # cell or row end
    "\x0b": "\n",  # manual line break
    "\x0c": "\n",  # page or section break
    "\x0e": "\n",  # column break
    "\x1e": "-",  # non-breaking hyphen
    "\x1f": "",  # optional hyphen
    "\x01": "", "\x02": "", "\x03": "", "\x04": "", "\x05": "", "\x08": "",  # anchors of objects and notes
}
_DROP = str.maketrans(_SPECIAL)

# The cp1252 bytes that Word maps differently in compressed pieces ([MS-DOC] 2.4.1).
_CP1252_FIX = {0x82: "\u201a", 0x83: "\u0192", 0x84: "\u201e", 0x85: "\u2026", 0x86: "\u2020", 0x87: "\u2021",
               0x88: "\u02c6", 0x89: "\u2030", 0x8A: "\u0160", 0x8B: "\u2039", 0x8C: "\u0152", 0x91: "\u2018",
               0x92: "\u2019", 0x93: "\u201c", 0x94: "\u201d", 0x95: "\u2022", 0x96: "\u2013", 0x97: "\u2014",
               0x98: "\u02dc", 0x99: "\u2122", 0x9A: "\u0161", 0x9B: "\u203a", 0x9C: "\u0153", 0x9F: "\u0178"}


def _compressed(data: bytes) -> str:
    return "".join(_CP1252_FIX.get(b) or chr(b) for b in data) if any(0x80 <= b < 0xA0 for b in data) else data.decode("latin-1")


def _strip_fields(text: str) -> str:
    """Drop field instructions (0x13 ... 0x14), keep field results (0x14 ... 0x15), nested or not."""
    if "\x13" not in text:
        return text
    out: list[str] = []
    stack: list[bool] = []  # per open field: are we in its result part?
    start = 0
    for i, ch in enumerate(text):
        if ch in "\x13\x14\x15":
            if not stack or stack[-1]:
                out.append(text[start:i])
            if ch == "\x13":
                stack.append(False)
            elif ch == "\x14" and stack:
                stack[-1] = True
            elif ch == "\x15" and stack:
                stack.pop()
            start = i + 1
    if not stack or stack[-1]:
        out.append(text[start:])
    return "".join(out)


def read_doc(raw: bytes, source: str) -> str:
    """The text of a Word 97-2003 document; `InputError` if encrypted, damaged or not Word."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(raw))
    except Exception as e:  # olefile raises several types for a damaged container
        raise InputError(source, f"damaged OLE file ({e})") from None
    with ole:
        if ole.exists("EncryptedPackage"):
            raise InputError(source, "encrypted Office document (password-protected); save it without a password")
        if not ole.exists("WordDocument"):
            streams = ", ".join("/".join(s) for s in ole.listdir()[:5])
            raise InputError(source, f"OLE file that is not a Word document (streams: {streams})")
        wd = ole.openstream("WordDocument").read()
        if len(wd) < 0x1AA or struct.unpack_from("<H", wd, 0)[0] != 0xA5EC:
            raise InputError(source, "damaged Word document (no valid FIB)")
        flags = struct.unpack_from("<H", wd, 0x0A)[0]
        if flags & 0x0100:
            raise InputError(source, "encrypted Word document (password-protected); save it without a password")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise InputError(source, f"damaged Word document (no {table_name} stream)")
        table = ole.openstream(table_name).read()
    try:
        return _text(wd, table)
    except (struct.error, IndexError, ValueError) as e:
        raise InputError(source, f"damaged Word document ({e})") from None


def _text(wd: bytes, table: bytes) -> str:
    csw = struct.unpack_from("<H", wd, 32)[0]
    lw_at = 32 + 2 + csw * 2
    cslw = struct.unpack_from("<H", wd, lw_at)[0]
    ccp_text, ccp_ftn = struct.unpack_from("<ii", wd, lw_at + 2 + 3 * 4)
    fc_at = lw_at + 2 + cslw * 4 + 2
    fc_clx, lcb_clx = struct.unpack_from("<II", wd, fc_at + 33 * 8)
    clx = table[fc_clx : fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: property modifiers, skipped
        pos += 3 + struct.unpack_from("<h", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ValueError("no piece table")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5 : pos + 5 + lcb]
    n = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    wanted = ccp_text + max(ccp_ftn, 0)  # main text, then footnotes
    parts: list[str] = []
    for i in range(n):
        cp0, cp1 = cps[i], min(cps[i + 1], wanted)
        if cp0 >= wanted:
            break
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        count = cp1 - cp0
        if fc & 0x40000000:
            at = (fc & 0x3FFFFFFF) // 2
            parts.append(_compressed(wd[at : at + count]))
        else:
            parts.append(wd[fc : fc + 2 * count].decode("utf-16-le", errors="replace"))
    text = "".join(parts)
    main, notes = text[:ccp_text], text[ccp_text:]
    out = _strip_fields(main).translate(_DROP)
    if notes.strip():
        out += "\n" + _strip_fields(notes).translate(_DROP)
    return out
