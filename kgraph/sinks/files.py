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
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable

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


def write_part(lines: Iterable[str], path: Path) -> int:
    """Write N-Triples lines sorted and de-duplicated (atomically); returns the number of triples.

    Holds at most `SPILL_LINES` distinct lines: beyond that, sorted runs go to temporary files beside the
    part and are merged by `_merge`, as parts are into graph.nt (the same bytes as sorting them all at once)."""
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
            want = SPILL_LINES - len(held)
            chunk = list(islice(it, want))
            held.update(chunk)
            if len(chunk) < want:
                break  # the lines ran out
            if len(held) < SPILL_LINES:
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


def _merge_with_sort(parts: list[Path], out: Path) -> bool:
    """`sort -m -u` in the C locale: the same bytes as the Python merge (UTF-8 byte order is code point
    order), several times faster. The part names go in a file (``--files0-from``), so any number of parts
    fits (sort merges them in batches of its own). False when no such `sort` is at hand or it fails."""
    exe = shutil.which("sort")
    if exe is None or not parts:
        return False
    env = {**os.environ, "LC_ALL": "C"}
    names = out.with_name(out.name + ".parts")
    try:
        names.write_bytes(b"".join(os.fsencode(p) + b"\0" for p in parts))
        with open(out, "wb") as f:
            # 64 inputs a pass: fewer passes through temporary files than sort's 16, cheaper than hundreds
            r = subprocess.run([exe, "-m", "-u", "--batch-size=64", f"--files0-from={names}"], stdout=f, env=env,
                               stderr=subprocess.PIPE, check=False)
    finally:
        names.unlink(missing_ok=True)
    return r.returncode == 0


def _merge(parts: list[Path], out: Path) -> None:
    """The sorted, duplicate-free union of sorted parts, written to ``out`` (in rounds when there are many)."""
    if _merge_with_sort(parts, out):
        return
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


def merge_parts(parts: list[Path], out: Path, *, last: str | None = None) -> tuple[int, str]:
    """Merge sorted parts into one duplicate-free N-Triples file; returns (triples, sha256 of the file).

    The lines are in sorted order, except that those starting with ``last`` (one contiguous run in
    sorted order) are moved to the end: kgraph puts its reified citations after the resources they
    connect, so a reader that streams the file (``kg load``) meets every node before the citations.
    """
    tmp = out.with_name(out.name + ".tmp")
    try:
        _merge(sorted(parts), tmp)
        return _finish(tmp, out, last.encode("utf-8") if last else None)
    finally:
        tmp.unlink(missing_ok=True)


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


def _run(mm: mmap.mmap, prefix: bytes) -> tuple[int, int] | None:
    """Byte range of the lines starting with ``prefix`` in a sorted file (one contiguous run), if any."""
    first = _bound(mm, 0, len(mm), lambda ln: ln >= prefix)
    end = _bound(mm, first, len(mm), lambda ln: not ln.startswith(prefix))
    return (first, end) if end > first else None


def _finish(tmp: Path, out: Path, last: bytes | None) -> tuple[int, str]:
    """Count and hash ``tmp`` in its final line order (``last``'s run at the end), moved to ``out`` atomically."""
    size = tmp.stat().st_size
    run = None
    if last and size:
        with open(tmp, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            run = _run(mm, last)
    h = hashlib.sha256()
    n = 0
    if run is None or run[1] == size:  # already in its final order
        with open(tmp, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
                n += chunk.count(b"\n")
        os.replace(tmp, out)
        return n, h.hexdigest()
    pieces = [(0, run[0]), (run[1], size), run]
    part = out.with_name(out.name + ".part")
    with open(tmp, "rb") as f, open(part, "wb") as g:
        for start, stop in pieces:
            f.seek(start)
            left = stop - start
            while left:
                chunk = f.read(min(left, 1 << 20))
                left -= len(chunk)
                h.update(chunk)
                n += chunk.count(b"\n")
                g.write(chunk)
    os.replace(part, out)
    return n, h.hexdigest()


def _in_sorted(mm: mmap.mmap, lo: int, hi: int, line: bytes) -> bool:
    """Whether `line` (with its newline) is one of the sorted lines in mm[lo:hi]."""
    at = _bound(mm, lo, hi, lambda ln: ln >= line)
    return at < hi and mm[at : at + len(line)] == line


def stale_lines(old: Path, new: Path | None, graph: Path, *, last: str | None = None) -> list[bytes]:
    """The lines of the sorted part `old` that are neither in its new version `new` nor in the merged `graph`
    (as `merge_parts` wrote it, with `last`'s run at the end): what a store loaded from `old` must drop."""
    gone = set(old.read_bytes().splitlines(keepends=True))
    if new is not None and new.exists():
        gone.difference_update(new.read_bytes().splitlines(keepends=True))
    if not gone or not graph.stat().st_size:
        return sorted(gone)
    prefix = last.encode("utf-8") if last else None
    with open(graph, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        size = len(mm)
        # where `last`'s run starts: it was moved to the end, so the lines are not `prefix`, then all `prefix`
        split = _bound(mm, 0, size, lambda ln: ln.startswith(prefix)) if prefix else size
        out = []
        for ln in sorted(gone):
            lo, hi = (split, size) if prefix and ln.startswith(prefix) else (0, split)
            if not _in_sorted(mm, lo, hi, ln):
                out.append(ln)
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
