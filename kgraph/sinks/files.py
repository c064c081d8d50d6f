"""Graph files: sorted N-Triples parts merged into one graph file, and a Turtle view of it.

Every part is a sorted, duplicate-free run of N-Triples lines, so the whole graph is a k-way merge:
memory holds one line per part, not the graph, and the same parts always give the same bytes
(a rebuild with no changes is a no-op diff).
"""

from __future__ import annotations

import hashlib
import heapq
import os
import shutil
import subprocess
from contextlib import ExitStack
from pathlib import Path
from typing import Iterable

from pyoxigraph import RdfFormat, parse, serialize

#: How many part files one merge pass keeps open; more parts merge in rounds.
MAX_OPEN = 200


def write_part(lines: Iterable[str], path: Path) -> int:
    """Write N-Triples lines sorted and de-duplicated (atomically); returns the number of triples."""
    uniq = sorted(set(lines))
    tmp = path.with_name(path.name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "wb") as f:
        f.write("".join(uniq).encode("utf-8"))
    os.replace(tmp, path)
    return len(uniq)


def _merge_round(parts: list[Path], out: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    n = 0
    last = None
    tmp = out.with_name(out.name + ".tmp")
    with ExitStack() as stack, open(tmp, "w", encoding="utf-8", newline="\n") as f:
        files = [stack.enter_context(open(p, encoding="utf-8", newline="\n")) for p in parts]
        for ln in heapq.merge(*files):
            if ln != last:
                f.write(ln)
                h.update(ln.encode("utf-8"))
                n += 1
                last = ln
    os.replace(tmp, out)
    return n, h.hexdigest()


def _merge_with_sort(parts: list[Path], out: Path) -> tuple[int, str] | None:
    """`sort -m -u` in the C locale: the same bytes as the Python merge (UTF-8 byte order is code point
    order), several times faster. None when no such `sort` is at hand."""
    exe = shutil.which("sort")
    if exe is None or not parts:
        return None
    tmp = out.with_name(out.name + ".tmp")
    env = {**os.environ, "LC_ALL": "C"}
    with open(tmp, "wb") as f:
        r = subprocess.run([exe, "-m", "-u", "--", *map(str, parts)], stdout=f, env=env, stderr=subprocess.PIPE)
    if r.returncode != 0:
        tmp.unlink(missing_ok=True)
        return None
    h = hashlib.sha256()
    n = 0
    with open(tmp, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            n += chunk.count(b"\n")
    os.replace(tmp, out)
    return n, h.hexdigest()


def merge_parts(parts: list[Path], out: Path) -> tuple[int, str]:
    """Merge sorted parts into one sorted, duplicate-free N-Triples file; returns (triples, sha256)."""
    parts = sorted(parts)
    if len(parts) <= MAX_OPEN * 4:
        done = _merge_with_sort(parts, out)
        if done is not None:
            return done
    if len(parts) <= MAX_OPEN:
        return _merge_round(parts, out)
    staged: list[Path] = []
    for i in range(0, len(parts), MAX_OPEN):
        stage = out.with_name(f"{out.name}.stage{i // MAX_OPEN}")
        _merge_round(parts[i : i + MAX_OPEN], stage)
        staged.append(stage)
    try:
        return merge_parts(staged, out)
    finally:
        for s in staged:
            s.unlink(missing_ok=True)


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
