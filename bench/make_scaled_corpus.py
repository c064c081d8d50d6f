"""A ×N corpus for the speed benchmarks: N copies of ../shared/corpus (congbao + laws), each copy's
documents given numbers of their own, so the graph sees N times as many distinct documents.

    python bench/make_scaled_corpus.py 10 /tmp/kg-x10 [--corpus DIR ...]

Copy 0 is the corpus as it is. In copy k ≥ 1, every document's own number (as the header reader
reads it) gets a new serial, and so does every mention of that number in any document of the same
copy: a copy's documents cite each other as the originals do, never another copy's. The new serial
is five digits (the longest `kgraph.numbers` reads) and never one the corpus already writes with
the same year and codes, so a renamed document meets no real instrument. Numbers of instruments
outside the corpus are left alone: each copy cites the same outside laws, as more documents of a
larger corpus would. A document with no own number (a few laws named only by title) keeps its
text and is the same instrument in every copy.

The output is written outside the project (never commit it): DIR/copy-KK/<corpus folder>/<file>.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from kgraph.extract.header import read_header  # noqa: E402
from kgraph.numbers import NUMBER_PATTERN, normalize_number  # noqa: E402

_NUMBER = re.compile(NUMBER_PATTERN)
_SERIAL = re.compile(r"\d+")


def _files(folders: list[Path]) -> list[tuple[Path, Path]]:
    """(file, its path under the output copy) for the documents `kg build` reads in `folders`."""
    out = []
    for folder in folders:
        for p in sorted(folder.rglob("*.txt")):
            out.append((p, Path(folder.name) / p.relative_to(folder)))
    return out


def _renamed(key: str, serial: int) -> str:
    """`key` with its leading serial replaced by `serial`."""
    return _SERIAL.sub(str(serial), key, count=1)


def plan(texts: dict[Path, str], copies: int) -> tuple[dict[str, list[str]], int]:
    """For each own number (normal form) of the corpus, its new serial in copies 1..N-1; and how many
    documents have no own number. Serials are handed out in order of the numbers, 10000 upward,
    skipping any that would give a number the corpus already mentions."""
    own: set[str] = set()
    no_number = 0
    seen: set[str] = set()
    for text in texts.values():
        n = read_header(text).document.number
        if n:
            own.add(normalize_number(n))
        else:
            no_number += 1
        seen.update(normalize_number(m.group(0)) for m in _NUMBER.finditer(text))
    next_serial = 10000
    renames: dict[str, list[str]] = {}
    for key in sorted(own):
        if not _SERIAL.match(key):
            continue
        new = []
        for _ in range(copies - 1):
            while _renamed(key, next_serial) in seen:
                next_serial += 1
            if next_serial > 99999:
                raise SystemExit("out of five-digit serials: too many copies for this corpus")
            new.append(_renamed(key, next_serial))
            next_serial += 1
        renames[key] = new
    return renames, no_number


def rewrite(text: str, renames: dict[str, list[str]], copy: int) -> tuple[str, int]:
    """`text` as copy `copy` has it: each mention of a renamed number with its new serial, the rest of
    the mention (spacing, dashes, case) as written. Returns the text and the mentions changed."""
    changed = 0

    def sub(m: re.Match) -> str:
        nonlocal changed
        new = renames.get(normalize_number(m.group(0)))
        if new is None:
            return m.group(0)
        changed += 1
        serial = _SERIAL.match(new[copy - 1]).group(0)
        return _SERIAL.sub(serial, m.group(0), count=1)

    return _NUMBER.sub(sub, text), changed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("copies", type=int, help="N: how many copies (1 = the corpus as it is)")
    ap.add_argument("out", help="output folder, outside the project (replaced if it exists)")
    ap.add_argument("--corpus", action="append", help="corpus folders (default: ../shared/corpus/congbao and laws)")
    a = ap.parse_args()
    folders = [Path(c) for c in a.corpus] if a.corpus else [SHARED / "corpus" / "congbao", SHARED / "corpus" / "laws"]
    out = Path(a.out).resolve()
    if ROOT in out.parents or out == ROOT:
        raise SystemExit(f"{out}: inside the project; write the corpus elsewhere (e.g. /tmp/kg-x{a.copies})")
    t0 = time.perf_counter()
    files = _files(folders)
    texts = {p: p.read_text("utf-8", errors="replace") for p, _ in files}
    renames, no_number = plan(texts, a.copies)
    if out.exists():
        shutil.rmtree(out)
    total_bytes = 0
    mentions = 0
    for k in range(a.copies):
        for p, rel in files:
            dest = out / f"copy-{k:03d}" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if k == 0:
                shutil.copyfile(p, dest)  # the corpus as it is, byte for byte
                total_bytes += p.stat().st_size
                continue
            text, n = rewrite(texts[p], renames, k)
            mentions += n
            data = text.encode("utf-8")
            dest.write_bytes(data)
            total_bytes += len(data)
    print(f"{a.copies} copies of {len(files)} files ({len(renames)} own numbers renamed per copy, "
          f"{no_number} documents without one; {mentions} mentions rewritten): "
          f"{total_bytes / 1e6:.1f} MB in {out} ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
