"""The key of a name cited in the common shape, probed in the compact index: compiled where it could be built.

A corpus cites most laws once, so no cache spares a lookup its split ("Luật X ngày D tháng M năm Y", "Luật x
năm Y", a bare "Luật X"), its words' folding, the key's hash and the probe; done in Python they were four
fifths of resolving a name never seen before. `prober` gives the C version (`_namekey.c`, built by setup.py
when a compiler is there) in front of the Python one below, which answers what the C one leaves (None) and is
the whole path where the extension is missing. Both give, for a name:

- (offset of the key's records in `Lookup.entries`, their count, the cited year or None, the cited ISO date
  or None) when the index holds its key;
- False when it does not;
- None when the name is not of the common shape (`names._fast_split`'s, each word one `FOLDED_BYTES` knows):
  the general parser (`resolve._resolve`) decides it.
"""

from __future__ import annotations

import sys
from typing import Callable, Union
from unicodedata import is_normalized as is_nfc
from zlib import crc32

from kgraph.catalog.compact import Lookup
from kgraph.catalog.names import _NAM, BO_, FOLDED_BYTES, cut_tail

try:
    import kgraph.catalog._namekey as _namekey  # a leaf: the compiled module imports nothing of kgraph
except ImportError:  # built without a C compiler: the Python twin alone
    _namekey = None

#: What a probe gives: see the module's docstring.
Probed = Union[tuple[int, int, Union[int, None], Union[str, None]], bool, None]


def compiled() -> bool:
    """Whether the C probe was built (the speed of new names depends on it; the answers do not)."""
    return _namekey is not None


def python_prober(lk: Lookup) -> Callable[[str], Probed]:
    """The Python probe of `lk`: `names._fast_split`'s reading of the common shape, keyed as bytes."""
    slots, mask, entries, head = lk.slots, lk.mask, lk.entries, lk.head.unpack_from
    folded, bo, nam, join = FOLDED_BYTES.get, BO_, _NAM, b" ".join

    def probe(name: str) -> Probed:
        if not is_nfc("NFC", name):
            return None
        cut = cut_tail(name)
        if cut is None:
            return None
        text, cited_year, cited_date = cut
        try:
            kb = join(map(folded, text.split(" ")))
        except TypeError:  # None: a word not seen yet, one `_fold_word` refuses, or "và" (`_joined` drops it)
            return None
        if kb.startswith(bo) or kb.endswith(nam) or text.endswith(","):  # a `_finish` rule, or the comma refused
            return None
        h = crc32(kb)
        i = h & mask
        v = slots[i]
        while v:
            if v & 0xFFFFFFFF == h:
                off = v >> 32
                size, count = head(entries, off)
                off += 4
                if size == len(kb) and entries.startswith(kb, off):
                    return off + size, count, cited_year, cited_date
            i = (i + 1) & mask
            v = slots[i]
        return False

    return probe


def prober(lk: Lookup) -> tuple[Callable[[str], Probed], Callable[[str], Probed] | None]:
    """(the first probe to ask, the one to ask when it answers None, or None): the C probe then the Python
    one where the extension is built and the index is in this machine's byte order, else the Python one alone."""
    py = python_prober(lk)
    if _namekey is None or lk.meta["byteorder"] != sys.byteorder:
        return py, None
    return _namekey.Prober(FOLDED_BYTES, lk.slots, lk.mask, lk.entries).probe, py
