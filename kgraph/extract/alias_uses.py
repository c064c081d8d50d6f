"""Where the aliases a text defines are used, all found in one pass over the text.

Binding an alias means finding its later uses ("Nghị định Ngân sách" after "(sau đây gọi là Nghị định Ngân
sách)"). One regex per alias run over the rest of the text made binding quadratic in the number of aliases
(issue 14, point 3: 0.73 MB of distinct aliases took a minute). Here the text is scanned once for the first
words of all aliases, and each hit is checked against the aliases opening with that word, looked up by length.

A use is exactly what `(?<!\\w)` + the alias (its spaces as `\\s{1,3}`) + `(?!\\w)` matches, and `chain` gives
what `finditer` would: leftmost first, none overlapping the one before.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from itertools import chain
from typing import Iterable, Iterator

_WORD_RUN = re.compile(r"\w+")
_LONG_WS = re.compile(r"\s{4,}")
_WS = re.compile(r"\s+")
_NOT_WORD = re.compile(r"\W")
#: above this many distinct first words, one tokenisation of the text beats one alternation of them all
_MAX_ALTERNATION = 64


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"  # what `\w` is in a str pattern


def _key(alias: str) -> str:
    """The first word-character run of the alias, or its first character when that is not a word character."""
    m = _WORD_RUN.match(alias)
    return m.group() if m else alias[0]


def _cuts(alias: str) -> list[str]:
    """The alias cut before each of its non-word characters ("Luật", "Luật Đất" of "Luật Đất đai"). Most aliases are
    words and single spaces: their cuts are found by `find`, without a regex's matches (distinct aliases, issue 14)."""
    if not alias.replace(" ", "").isalnum():  # a sign or an "_" in it (`\w` is alphanumeric or "_")
        return [alias[: m.start()] for m in _NOT_WORD.finditer(alias)]
    out = []
    i = alias.find(" ")
    while i >= 0:
        out.append(alias[:i])
        i = alias.find(" ", i + 1)
    return out


def _end(text: str, p: int, words: list[str]) -> int:
    """Where the alias made of `words` ends when it is used at `p` (spaces as 1 to 3 white-space characters
    and no word character right after it), or -1."""
    i = p
    for j, w in enumerate(words):
        if j:
            m = _WS.match(text, i)
            if m is None or m.end() - i > 3:
                return -1
            i = m.end()
        if not text.startswith(w, i):
            return -1
        i += len(w)
    return -1 if i < len(text) and _is_word(text[i]) else i


#: where a window stops being its own flat form: a run of two or more white-space characters, or one that is not " "
_UNFLAT = re.compile(r"\s{2,}|[^\S ]")


#: what a window cut before a non-word character is (`AliasUses` table): an alias, a stem (an alias cut so), or both
_ALIAS, _STEM = 1, 2


def _read_plain(head: str, n_max: int, cut: int, table: dict[str, int]) -> tuple[str, ...] | None:
    """The aliases used at the start of window `head` (the longest alias and two characters more), read where it is
    its own flat form, before `cut`; None when reading them needs the text past `cut`.

    A use is followed by no word character (`_end`): the aliases are the window cut before its non-word characters
    (or the whole of a window the text's end cuts short), read while they are stems. A window that is not plain
    throughout (a "\n" after a use that closes a line, most often) is its own flat form up to the white-space run at
    `cut`, which is non-word in both: a use ending there, and every one before it, ends where it ends in the text,
    and only a stem running on past it has to be read in the flat form (issue 14)."""
    used: list[str] = []
    for m in _NOT_WORD.finditer(head, 0, n_max + 1):
        n = m.start()
        if n > cut:
            return None
        a = head[:n]
        c = table.get(a, 0)
        if c & _ALIAS:
            used.append(a)
        if not c & _STEM:
            return tuple(used)
    n = len(head)
    if n <= n_max:  # the window's end is the text's end only when it is short
        if cut < n:
            return None
        if table.get(head, 0) & _ALIAS:
            used.append(head)
    return tuple(used)


class AliasUses:
    """The uses of every alias in `aliases` (each one line: single spaces, no space at either end)."""

    def __init__(self, text: str, aliases: Iterable[str],
                 later: tuple[list[int], list[int]] = ([], []), since: dict[str, int] | None = None) -> None:
        """`later`: spans (starts and ends, in order, not overlapping) where the uses are read only when asked
        (`used_at`, `uses`, `in_order`): the aliases' own definitions, where binding drops what is used (issue 14:
        distinct aliases read every name inside a definition for nothing).

        `since`: alias -> where its first definition starts; its uses before there may be left out (binding reads
        none of them). Positions are passed over only before every alias opening with the same word is defined: in
        one text of many documents, each defining its own, the aliases' first words were read through all of it
        (real gazette text: 5.4k positions a MB at 16 MB against 0.7k at 1 MB, 45% of them before any definition).
        After the ")" that ends a definition nothing changes: no use runs across it."""
        self.text = text
        self._uses: dict[str, list[tuple[int, int]]] | None = None
        #: position -> the one-line aliases used there (`used_at`), in text order
        self._at: dict[int, tuple[str, ...]] = {}
        #: position -> the ends of those uses, where the text is not its own flat form there (else start + length)
        self._ext: dict[int, tuple[int, ...]] = {}
        #: position -> first word, for the candidates inside `later` not read yet; and those read out of order
        self._pending: dict[int, str] = {}
        self._late: dict[int, tuple[str, ...]] = {}
        self._other: set[str] = set()  # aliases not one line: found by their own regex, as before
        self._chains: dict[str, list[tuple[int, int]]] = {}
        #: positions looked at (`_candidates` hits not passed over): the work `since` saves, for the tests
        self.looked = 0
        by_key: dict[str, set[int]] = defaultdict(set)  # first word -> lengths of the aliases it opens
        known = self._known = set()
        # every alias cut before each of its non-word characters ("Luật", "Luật Đất" of "Luật Đất đai"): a window
        # whose text up to a non-word character is none of these holds no longer alias there
        stems = self._stems = set()
        # whether a use of an alias can start inside an earlier use of it (its first word inside it again): only
        # then is a use left out of its chain
        overlapping = False
        # first word -> where the earliest alias opening with it is defined (none: from the text's start)
        wanted: dict[str, int] = {}
        for a in aliases:
            if a in known or a in self._other:
                continue
            if not a or a != " ".join(a.split()):
                self._other.add(a)
                continue
            known.add(a)
            key = _key(a)
            by_key[key].add(len(a))
            overlapping = overlapping or key in a[1:]
            if since is not None:
                w = since.get(a, 0)
                if w < wanted.get(key, w + 1):
                    wanted[key] = w
            stems.update(_cuts(a))
        self._overlapping = overlapping
        if not known:
            return
        # one look-up says whether a window's stretch is an alias, a stem or both (read for every non-word character)
        table = self._table = dict.fromkeys(stems, _STEM)
        for a in known:
            table[a] = table.get(a, 0) | _ALIAS
        self._longest = {k: max(v) for k, v in by_key.items()}
        # a plain window (`_read`) says by itself which aliases are used at its start: the same window met again
        # (an alias used over and over, with what follows it) is answered from the first time
        self._windows: dict[str, tuple[str, ...]] = {}
        at, pending, read = self._at, self._pending, self._read
        heads, ends = later
        k, n = 0, len(heads)
        looked = 0
        for p, key in self._candidates(text, by_key, wanted):
            if p and _is_word(text[p - 1]):
                continue
            looked += 1
            if n:
                while k < n and ends[k] <= p:
                    k += 1
                if k < n and heads[k] <= p:
                    pending[p] = key
                    continue
            used = read(p, key)
            if used:
                at[p] = used
        self.looked = looked

    def _read(self, p: int, key: str) -> tuple[str, ...]:
        """The aliases used at `p`, where an alias opening with `key` stands (their ends kept in `_ext` where the
        text is not its own flat form)."""
        text = self.text
        n_max = self._longest[key]
        # white space as the alias writes it: a run of 1 to 3 is one space, a longer run no space at all.
        # Where the longest alias and the character after it hold single spaces only (every white space but
        # " " is not printable), the text is its own flat form there and each alias's own extent in it
        head = text[p : p + n_max + 2]
        seen = self._windows.get(head)
        if seen is not None:
            return seen
        plain = "  " not in head and head.isprintable()
        if plain:
            cut = len(head)
        else:
            u = _UNFLAT.search(head)
            cut = u.start() if u else len(head)
        used_here = _read_plain(head, n_max, cut, self._table)
        if used_here is not None:
            self._windows[head] = used_here
            return used_here
        # a stem running on past white space that is not one plain space: read in the flat form of the text
        known, stems = self._known, self._stems
        flat = _WS.sub(" ", _LONG_WS.sub("\x00", text[p : p + 3 * n_max + 1]))
        used: list[str] = []
        ext: list[int] = []
        for m in _NOT_WORD.finditer(flat, 0, n_max + 1):
            n = m.start()
            a = flat[:n]
            if a in known:
                e = _end(text, p, a.split(" "))
                if e >= 0:
                    used.append(a)
                    ext.append(e)
            if a not in stems:
                break
        else:
            n = len(flat)
            if n <= n_max:  # the window's end is the text's end only when it is short
                a = flat
                if a in known:
                    e = _end(text, p, a.split(" "))
                    if e >= 0:
                        used.append(a)
                        ext.append(e)
        if used:
            self._ext[p] = tuple(ext)
        return tuple(used)

    def _settle(self) -> None:
        """Reads every position left for later (`__init__`) and puts all in text order."""
        if not self._pending and not self._late:
            return
        late = self._late
        for p, key in self._pending.items():
            used = self._read(p, key)
            if used:
                late[p] = used
        self._pending = {}
        self._late = {}
        self._at = dict(sorted({**self._at, **{p: u for p, u in late.items() if u}}.items()))
        self._uses = None

    @property
    def uses(self) -> dict[str, list[tuple[int, int]]]:
        """alias -> the (start, end) of its uses, in text order (every one, not only its chain's); made from the
        uses per position when first asked: binding walks those, and asks this of a few aliases only."""
        self._settle()
        if self._uses is None:
            found: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for p, used in self._at.items():
                ext = self._ext.get(p)
                for i, a in enumerate(used):
                    found[a].append((p, p + len(a) if ext is None else ext[i]))
            self._uses = dict(found)
        return self._uses

    @staticmethod
    def _candidates(text: str, lengths: dict[str, set[int]], wanted: dict[str, int]) -> Iterator[tuple[int, str]]:
        """Positions where some alias's first word (or first non-word character) stands, in text order, each from
        `wanted[word]` on (0 when not given); also, where a stretch starts inside a word, the rest of that word
        (the caller passes over it: a word character before it)."""
        words = [k for k in lengths if _is_word(k[0])]
        marks = [k for k in lengths if not _is_word(k[0])]
        hits: list[tuple[int, str]] = []
        if marks:
            pat = re.compile("[" + "".join(re.escape(c) for c in marks) + "]")
            hits.extend((m.start(), m.group()) for m in pat.finditer(text, min(wanted.get(c, 0) for c in marks))
                        if m.start() >= wanted.get(m.group(), 0))
        if 0 < len(words) <= _MAX_ALTERNATION:
            # one alternation a stretch, of the words wanted from its start: a word is one key's whole run of word
            # characters, so at a word's start only its own key can match, whichever others are in the alternation
            froms = sorted({wanted.get(w, 0) for w in words})
            longest = max(map(len, words))
            for i, start in enumerate(froms):
                group = sorted((w for w in words if wanted.get(w, 0) <= start), key=len, reverse=True)
                until = froms[i + 1] if i + 1 < len(froms) else len(text)
                # a match that starts before `until` ends before `until + longest`, where `(?!\w)` still reads the
                # text's own next character: each stretch is scanned once, not on to the text's end (up to 64 stretches)
                stop = min(len(text), until + longest + 1)
                found = re.compile("(?:" + "|".join(map(re.escape, group)) + r")(?!\w)").finditer(text, start, stop)
                hits.extend((m.start(), m.group()) for m in found if m.start() < until)
        if len(words) > _MAX_ALTERNATION:
            keys = set(words)
            hits.extend((m.start(), m.group()) for m in _WORD_RUN.finditer(text, min(wanted.get(w, 0) for w in words))
                        if m.group() in keys and m.start() >= wanted.get(m.group(), 0))
        if marks and words:
            hits.sort()
        return iter(hits)

    def chain(self, alias: str) -> list[tuple[int, int]]:
        """The (start, end) of the uses of `alias` as `finditer` from the text's start gives them: leftmost
        first, none overlapping the one before.

        Read from just after a definition "(... gọi là X)" it gives the same uses from there on: no use of an
        alias (which holds no ")") can run across the ")" that ends a definition.
        """
        if alias not in self._chains:
            if alias in self._other:
                pat = re.compile(r"(?<!\w)" + re.escape(alias).replace(r"\ ", r"\s{1,3}") + r"(?!\w)")
                out = [m.span() for m in pat.finditer(self.text)]
            else:
                out, last = [], 0
                for s, e in self.uses.get(alias, []):
                    if s >= last:
                        out.append((s, e))
                        last = e
            self._chains[alias] = out
        return self._chains[alias]

    def in_order(self, skip: tuple[list[int], list[int]] = ([], [])) -> Iterator[tuple[int, int, str]]:
        """(start, end, alias) of every use in the chain of its alias (`chain`), in text order, for every alias but
        those not one line (`other`): one walk over all uses, not one list per alias walked again. Uses starting
        inside the spans `skip` (their starts and ends, in order, not overlapping) are left out, each position
        judged once for all the aliases used there (they still take their place in their chains)."""
        heads, ends = skip
        if self._pending or self._late:
            # positions left for later lie in the definitions; those outside the spans skipped (a definition binding
            # did not keep) and, where uses can overlap, all of them are read now
            def skipped(x: int) -> bool:
                i = bisect_right(heads, x) - 1
                return i >= 0 and x < ends[i]

            if self._overlapping or not all(skipped(p) for p in chain(self._pending, self._late)):
                self._settle()
        last: dict[str, int] = {}
        exts = self._ext
        k, n = 0, len(heads)
        for p, used in self._at.items():
            while k < n and ends[k] <= p:
                k += 1
            inside = k < n and heads[k] <= p
            if inside and not self._overlapping:
                continue  # every use is in its chain: nothing to keep track of
            ext = exts.get(p)
            for i, a in enumerate(used):
                e = p + len(a) if ext is None else ext[i]
                if p >= last.get(a, 0):
                    last[a] = e
                    if not inside:
                        yield p, e, a

    @property
    def other(self) -> set[str]:
        """The aliases not one line (found by a regex each): not in `in_order`."""
        return self._other

    def used_at(self, p: int) -> list[str]:
        """The aliases some use of which starts at `p` (not only in their chains): a few, not every alias."""
        key = self._pending.pop(p, None)
        if key is not None:
            self._late[p] = self._read(p, key)
        at = self._at.get(p) or self._late.get(p, ())
        return [*at, *(a for a in self._other if (c := self.chain(a)) and _starts(c, p))]

    def in_chain(self, alias: str, p: int) -> bool:
        """Whether a use of `alias` in its chain starts at `p`."""
        return _starts(self.chain(alias), p)


def _starts(chain: list[tuple[int, int]], p: int) -> bool:
    i = bisect_left(chain, (p, -1))
    return i < len(chain) and chain[i][0] == p
