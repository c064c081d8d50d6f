"""Graph files: sorted N-Triples parts merged into one graph file, and a Turtle view of it.

Every part is a sorted, duplicate-free run of N-Triples lines, so the whole graph is a k-way merge:
memory holds one line per part, not the graph, and the same parts always give the same bytes
(a rebuild with no changes is a no-op diff).
"""

from __future__ import annotations

import hashlib
import heapq
import mmap
import os
import shutil
import subprocess
from bisect import bisect_left
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from pyoxigraph import RdfFormat, parse, serialize

#: How many part files one merge pass keeps open; more parts merge in rounds.
MAX_OPEN = 200


#: Lines `write_part` holds before it writes what it has, sorted, to a run of its own on disk; a bigger part
#: (the instruments' of a large corpus) is merged from its runs, so memory stays flat in its size.
SPILL_LINES = 50_000
_BATCH = 8192  # lines encoded and written at once


def _write_sorted(lines: set[str], path: Path) -> int:
    """The lines, sorted, written to `path`; returns how many.

    Sorted as UTF-8 bytes, whose order is the code points' (the same file as sorting the strings): bytes
    compare by memcmp, while lines of Vietnamese text are wide strings compared a character at a time
    (the sort took a third less CPU, encoding included)."""
    ordered = sorted([ln.encode("utf-8") for ln in lines])
    with open(path, "wb") as f:
        for i in range(0, len(ordered), _BATCH):
            f.write(b"".join(ordered[i : i + _BATCH]))
    return len(ordered)


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def write_part(lines: Iterable[str], path: Path, hold: int | None = None) -> int:
    """Write N-Triples lines sorted and de-duplicated (atomically); returns the number of triples.

    Holds at most `hold` (default `SPILL_LINES`) distinct lines: beyond that, sorted runs go to temporary files
    beside the part and are merged by `_merge`, as parts are into graph.nt (the same bytes as sorting them all at
    once)."""
    spill_at = hold or SPILL_LINES
    tmp = path.with_name(path.name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    runs: list[Path] = []
    held: set[str] = set()

    def spill() -> None:
        runs.append(path.with_name(f"{path.name}.run{len(runs)}.tmp"))
        _write_sorted(held, runs[-1])

    try:
        it = iter(lines)
        while True:  # the set filled a slice at a time (in C), not a line at a time
            want = spill_at - len(held)
            chunk = list(islice(it, want))
            held.update(chunk)
            if len(chunk) < want:
                break  # the lines ran out
            if len(held) < spill_at:
                continue  # duplicates: room for more
            spill()
            held = set()
        if runs:
            spill()
            held = set()
            _merge(runs, tmp)
            n = _count_lines(tmp)
        else:
            n = _write_sorted(held, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk: leave no half part taking the space a rerun needs
        raise
    finally:
        for r in runs:
            r.unlink(missing_ok=True)
    return n


def _merge_round(parts: list[Path], out: Path) -> None:
    last = None
    with ExitStack() as stack, open(out, "w", encoding="utf-8", newline="\n") as f:
        files = [stack.enter_context(open(p, encoding="utf-8", newline="\n")) for p in parts]
        for ln in heapq.merge(*files):
            if ln != last:
                f.write(ln)
                last = ln


class _Sorting:
    """`sort -m -u` of sorted files in the C locale, running in a process of its own: the same bytes as the
    Python merge (UTF-8 byte order is code point order), several times faster. The files' names go in a file
    (``--files0-from``), so any number fits (sort merges them in batches of its own)."""

    def __init__(self, exe: str, parts: Iterable[Path], out: Path):
        env = {**os.environ, "LC_ALL": "C"}
        self.names = out.with_name(out.name + ".parts")
        with open(self.names, "wb") as f:
            f.writelines(os.fsencode(p) + b"\0" for p in parts)
        self.f = open(out, "wb")
        try:
            # 64 inputs a pass: fewer passes through temporary files than sort's 16, cheaper than hundreds
            self.proc = subprocess.Popen([exe, "-m", "-u", "--batch-size=64", f"--files0-from={self.names}"],
                                         stdout=self.f, stderr=subprocess.PIPE, env=env)
        except BaseException:
            self.f.close()
            self.names.unlink(missing_ok=True)
            raise

    def wait(self) -> bool:
        """Whether the merge is written (False: sort failed)."""
        try:
            self.proc.communicate()
            return self.proc.returncode == 0
        finally:
            self.f.close()
            self.names.unlink(missing_ok=True)

    def kill(self) -> None:
        self.proc.kill()
        self.wait()


def _start_sort(parts: Iterable[Path], out: Path) -> _Sorting | None:
    """`sort` merging `parts` into `out`, started; None when no `sort` is at hand (or nothing to merge)."""
    exe = shutil.which("sort")
    if exe is None or not parts:
        return None
    return _Sorting(exe, parts, out)


def _merge(parts: list[Path], out: Path) -> None:
    """The sorted, duplicate-free union of sorted parts, written to ``out`` (in rounds when there are many)."""
    sorting = _start_sort(parts, out)
    if sorting is None or not sorting.wait():
        _merge_python(parts, out)


def _merge_python(parts: list[Path], out: Path) -> None:
    if len(parts) <= MAX_OPEN:
        _merge_round(parts, out)
        return
    staged: list[Path] = []
    try:
        for i in range(0, len(parts), MAX_OPEN):
            stage = out.with_name(f"{out.name}.stage{i // MAX_OPEN}")
            staged.append(stage)
            _merge_round(parts[i : i + MAX_OPEN], stage)
        _merge(staged, out)
    finally:
        for st in staged:
            st.unlink(missing_ok=True)


#: Lines of the parts `PendingMerge.finish` is given that it places into the merged file itself (each found by a
#: binary search); more are merged by a second pass of `sort`.
EXTRA_INSERT = 20_000


class PendingMerge:
    """`merge_parts` begun: `sort` merges the parts in a process of its own while the caller goes on (the build
    derives its last part meanwhile: a part that depends on all the others); `finish` adds that part's lines
    as it writes the file in its final order, and gives the same bytes as merging all the parts at once."""

    def __init__(self, parts: Iterable[Path], out: Path, last: str | None):
        # as given, not listed: the build hands a walk of its ledger, not a list of every part (sort's output is
        # the same in any order of its inputs)
        self.parts = parts if iter(parts) is not parts else list(parts)
        self.out = out
        self.last = last.encode("utf-8") if last else None
        self.tmp = out.with_name(out.name + ".tmp")
        self.sorting = _start_sort(self.parts, self.tmp)

    def finish(self, extra: Iterable[Path] = ()) -> tuple[int, str]:
        """Wait for the merge, add the lines of the sorted parts `extra`; returns (triples, sha256 of the file)."""
        try:
            sorting, self.sorting = self.sorting, None
            if sorting is None or not sorting.wait():
                _merge_python(list(self.parts), self.tmp)
            extra = sorted(extra)
            lines: list[bytes] = []
            if sum(_count_lines(p) for p in extra) > EXTRA_INSERT:
                both = self.tmp.with_name(self.tmp.name + ".2")
                try:
                    _merge([self.tmp, *extra], both)
                    os.replace(both, self.tmp)
                finally:
                    both.unlink(missing_ok=True)
            else:
                held: set[bytes] = set()
                for p in extra:
                    with open(p, "rb") as f:
                        held.update(ln if ln.endswith(b"\n") else ln + b"\n" for ln in f)  # as sort ends a last line
                lines = sorted(held)
            return _finish(self.tmp, self.out, self.last, lines)
        finally:
            self.tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        """Stop the merge and remove what it wrote."""
        if self.sorting is not None:
            self.sorting.kill()
            self.sorting = None
        self.tmp.unlink(missing_ok=True)


def start_merge(parts: Iterable[Path], out: Path, *, last: str | None = None) -> PendingMerge:
    """`merge_parts` in two steps: the merge starts now, `finish` (with more parts to add, if any) ends it."""
    return PendingMerge(parts, out, last)


def merge_parts(parts: list[Path], out: Path, *, last: str | None = None) -> tuple[int, str]:
    """Merge sorted parts into one duplicate-free N-Triples file; returns (triples, sha256 of the file).

    The lines are in sorted order, except that those starting with ``last`` (one contiguous run in
    sorted order) are moved to the end: kgraph puts its reified citations after the resources they
    connect, so a reader that streams the file (``kg load``) meets every node before the citations.
    """
    return start_merge(parts, out, last=last).finish()


def _bound(mm: mmap.mmap, lo: int, hi: int, holds: Callable[[bytes], bool]) -> int:
    """The start of the first line of the sorted lines in mm[lo:hi] for which `holds` (False, then True, in
    line order), or `hi`: a binary search that reads a few pages, not the file (memory flat in its size)."""
    while lo < hi:
        at = mm.rfind(b"\n", lo, (lo + hi) // 2)
        start = lo if at < 0 else at + 1
        end = mm.find(b"\n", start, hi) + 1 or hi
        if holds(mm[start:end]):
            hi = start
        else:
            lo = end
    return lo


def _finish(tmp: Path, out: Path, last: bytes | None, extra: list[bytes] = ()) -> tuple[int, str]:
    """Count and hash ``tmp`` in its final line order (``last``'s run at the end), moved to ``out`` atomically;
    the sorted lines `extra` are placed where they sort (those `tmp` has already are left out)."""
    size = tmp.stat().st_size
    with open(tmp, "rb") as f, (mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else _Empty()) as mm:
        if size and hasattr(mmap, "MADV_RANDOM"):  # a search maps the page it reads, not 16 around it
            mm.madvise(mmap.MADV_RANDOM)
        r0 = r1 = size
        if last and size:
            r0 = _bound(mm, 0, size, lambda ln: ln >= last)
            r1 = _bound(mm, r0, size, lambda ln: not ln.startswith(last))
        ahead: list[tuple[int, bytes]] = []  # (offset in tmp, line): the lines of `extra` outside `last`'s run
        run: list[tuple[int, bytes]] = []  # those in it
        lo = 0
        for ln in extra:
            at = lo = _bound(mm, lo, size, lambda x: x >= ln)
            if at < size and mm[at : at + len(ln)] == ln:
                continue  # the graph has it already
            (run if last and ln.startswith(last) else ahead).append((at, ln))
        h = hashlib.sha256()
        n = 0
        if not ahead and not run and (r0 == r1 or r1 == size):  # already in its final order
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
                n += chunk.count(b"\n")
            os.replace(tmp, out)
            return n, h.hexdigest()
        part = out.with_name(out.name + ".part")
        with open(part, "wb") as g:
            before = [x for x in ahead if x[0] <= r0]
            after = [x for x in ahead if x[0] > r0]
            for start, stop, inserts in ((0, r0, before), (r1, size, after), (r0, r1, run)):
                for chunk in _pieces(f, start, stop, inserts):
                    h.update(chunk)
                    n += chunk.count(b"\n")
                    g.write(chunk)
    os.replace(part, out)
    return n, h.hexdigest()


class _Empty(bytes):
    """An empty file's stand-in for its mmap (mmap refuses a file of no bytes)."""

    def __enter__(self) -> "_Empty":
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _pieces(f: BinaryIO, start: int, stop: int, inserts: list[tuple[int, bytes]]) -> Iterable[bytes]:
    """Bytes start:stop of the file `f` in slices of at most 1 MB, with each (offset, line) of `inserts` placed
    at its offset. Read through the file, not its mmap: the pages an mmap has read count in the process's
    resident memory while it is open (the whole graph, +44 MB at ×1)."""
    f.seek(start)
    for at, ln in [*inserts, (stop, b"")]:
        while start < at:
            chunk = f.read(min(at - start, 1 << 20))
            if not chunk:
                raise OSError(f"{f.name}: shorter than expected")
            start += len(chunk)
            yield chunk
        if ln:
            yield ln


#: Bytes one read of a graph probe takes (a line is rarely longer; a longer one is read in more steps).
_PROBE = 4096


def _line_at(fd: int, pos: int, lo: int, hi: int) -> tuple[int, int, bytes]:
    """(start, end, line) of the line of the file `fd` that holds byte `pos`, within [lo, hi) (lines end in a
    newline, the last one at `hi` at the latest), read with os.pread: nothing stays mapped."""
    a = max(lo, pos - _PROBE // 2)
    b = min(hi, pos + _PROBE // 2)
    buf = os.pread(fd, b - a, a)
    i = buf.rfind(b"\n", 0, pos - a)
    while i < 0 and a > lo:  # the line starts before the window
        b2, a = a, max(lo, a - _PROBE)
        buf = os.pread(fd, b2 - a, a) + buf
        i = buf.rfind(b"\n", 0, pos - a)
    start = a + i + 1
    j = buf.find(b"\n", start - a)
    while j < 0 and a + len(buf) < hi:  # and ends after it
        more = os.pread(fd, min(_PROBE, hi - a - len(buf)), a + len(buf))
        if not more:
            raise OSError("graph file shorter than expected")
        buf += more
        j = buf.find(b"\n", start - a)
    end = a + j + 1 if j >= 0 else a + len(buf)
    return start, end, buf[start - a : end - a]


def _bound_fd(fd: int, lo: int, hi: int, holds: Callable[[bytes], bool]) -> int:
    """`_bound` over a file read with os.pread rather than an mmap: the start of the first line in [lo, hi)
    for which `holds`, or `hi`."""
    while lo < hi:
        start, end, ln = _line_at(fd, (lo + hi) // 2, lo, hi)
        if holds(ln):
            hi = start
        else:
            lo = end
    return lo


def _gallop_fd(fd: int, lo: int, hi: int, line: bytes) -> int:
    """The start of the first line >= `line` in the sorted lines [lo, hi) of `fd`, searched from `lo` outwards:
    a part's lines sit close together in the graph, so the next one is mostly in the block read at `lo` (its
    lines searched in memory), else found in steps doubling from there."""
    buf = os.pread(fd, min(hi - lo, _PROBE), lo)
    first = buf.find(b"\n") + 1
    if first and buf[:first] >= line:  # the line at `lo` (the part's next line, when the graph has both)
        return lo
    cut = buf.rfind(b"\n") + 1
    if cut:
        near = buf[:cut].splitlines(keepends=True)
        if near[-1] >= line:
            i = bisect_left(near, line)
            return lo + sum(map(len, near[:i]))
        lo += cut
    step = _PROBE
    while lo + step < hi:
        start, end, ln = _line_at(fd, lo + step, lo, hi)
        if ln >= line:
            return _bound_fd(fd, lo, end, lambda x: x >= line)
        lo = end
        step *= 2
    return _bound_fd(fd, lo, hi, lambda x: x >= line)


def _sorted_lines(path: Path) -> Iterator[bytes]:
    """The lines of a file, read in buffered slices."""
    with open(path, "rb") as f:
        yield from f


def stale_lines(old: Path, new: Path | None, graph: Path, *, last: str | None = None) -> list[bytes]:
    """The lines of the sorted part `old` that are neither in its new version `new` nor in the merged `graph`
    (as `merge_parts` wrote it, with `last`'s run at the end): what a store loaded from `old` must drop.

    The answer is in `old`'s (sorted) order. Memory holds only the answer: both versions of the part are
    sorted, so they are compared as they are read (not held as sets), and the graph is probed with os.pread
    from where the previous line was found (the pages an mmap reads count in the process's memory while it is
    mapped: with both sets, +17 MB at the largest part, 24.5k lines, of a x10 build)."""
    prefix = last.encode("utf-8") if last else None
    newer = _sorted_lines(new) if new is not None and new.exists() else iter(())
    nxt = next(newer, None)
    size = graph.stat().st_size
    out: list[bytes] = []
    with open(graph, "rb") as f:
        fd = f.fileno()
        # where `last`'s run starts: it was moved to the end, so the lines are not `prefix`, then all `prefix`
        split = _bound_fd(fd, 0, size, lambda ln: ln.startswith(prefix)) if prefix and size else size
        at = {False: 0, True: split}  # by region, where the previous line was found: the search starts there
        prev = {False: b"", True: b""}
        for ln in _sorted_lines(old):
            while nxt is not None and nxt < ln:
                nxt = next(newer, None)
            if ln == nxt:
                continue
            if not size:
                out.append(ln)
                continue
            tail = bool(prefix) and ln.startswith(prefix)
            lo, hi = (split, size) if tail else (0, split)
            if ln > prev[tail]:  # sorted from the previous line: no need to search before it
                lo = at[tail]
            pos = _gallop_fd(fd, lo, hi, ln)
            if pos < hi and os.pread(fd, len(ln), pos) == ln:
                pos += len(ln)  # the next line of the part, if in the graph, is at or after the line after it
            else:
                out.append(ln)
            at[tail], prev[tail] = pos, ln
    return out


def ntriples_to_turtle(nt: Path, ttl: Path, prefixes: dict[str, str]) -> None:
    """A Turtle rendering of an N-Triples file (streamed through pyoxigraph)."""
    tmp = ttl.with_name(ttl.name + ".tmp")
    serialize(parse(path=str(nt), format=RdfFormat.N_TRIPLES), str(tmp), RdfFormat.TURTLE, prefixes=prefixes)
    os.replace(tmp, ttl)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
