"""The build folder's own files: the extraction cache (compact JSON) and its facts, the parts' names, the
manifest, and writes that never leave a half file.

`out/cache/<sha>.json` holds a file's extraction (references as rows under a field list: `Extraction.to_dict`
costs a third of the extraction time itself); `out/cache/<sha>.facts.json` the small facts the corpus-level
pass reads as a stream; `out/parts/<hash of path>.nt` a file's sorted triples; `out/manifest.json` what the
last build saw (version 2: facts in the cache, not in the manifest).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from itertools import chain
from typing import Any, Callable, Iterable, Iterator

from kgraph.model import (PINPOINT_FIELDS, REFERENCE_FIELDS, Document, Extraction, Pinpoint, Reference, Signer,
                          pinpoint_row, reference_row)

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
GRAPH_NT = "graph.nt"
GRAPH_TTL = "graph.ttl"
MANIFEST_VERSION = 2  # 2: facts in cache/<sha>.facts.json, not in the manifest


def extraction_from_dict(d: dict[str, Any]) -> Extraction:
    """The inverse of `Extraction.to_dict` (fields the model does not know are ignored)."""

    def only(cls: type, v: dict[str, Any]) -> dict[str, Any]:
        names = {f.name for f in dataclasses.fields(cls)}
        return {k: x for k, x in v.items() if k in names}

    dd = dict(d["document"])
    dd["signer"] = Signer(**only(Signer, dd.get("signer") or {}))
    doc = Document(**only(Document, dd))
    refs = []
    for r in d["references"]:
        r = dict(r)
        r["pinpoint"] = [Pinpoint(**only(Pinpoint, p)) for p in r.get("pinpoint") or []]
        refs.append(Reference(**only(Reference, r)))
    return Extraction(document=doc, references=refs, source=d.get("source"))


_REF_FIELDS = list(REFERENCE_FIELDS)  # lists: compared with the field lists a cache file holds
_PIN_FIELDS = list(PINPOINT_FIELDS)
_PIN_AT = _REF_FIELDS.index("pinpoint")


def extraction_to_cache(e: Extraction) -> dict[str, Any]:
    """A compact JSON form of an extraction for the build cache: references as rows under a field list.

    `Extraction.to_dict` (dataclasses.asdict) costs a third of the extraction time itself on a corpus.
    """
    d = e.document
    doc = {f.name: getattr(d, f.name) for f in dataclasses.fields(Document) if f.name != "signer"}
    doc["signer"] = {f.name: getattr(d.signer, f.name) for f in dataclasses.fields(Signer)}
    rows = []
    for r in e.references:
        row = list(reference_row(r))  # one C call a record: getattr per field was most of the encoding
        row[_PIN_AT] = [pinpoint_row(p) for p in r.pinpoint]  # tuples: JSON arrays like lists
        rows.append(row)
    return {"source": e.source, "document": doc, "ref_fields": _REF_FIELDS, "pin_fields": _PIN_FIELDS, "refs": rows}


def extraction_from_cache(d: dict[str, Any]) -> Extraction:
    if "references" in d:
        return extraction_from_dict(d)
    known = set(_REF_FIELDS)
    names = d["ref_fields"]
    pins = d["pin_fields"]
    pin_at = names.index("pinpoint")
    refs = []
    if names == _REF_FIELDS and pins == _PIN_FIELDS:  # written by this model: rows are positional arguments
        for row in d["refs"]:
            row[pin_at] = [Pinpoint(*p) for p in row[pin_at]]
            refs.append(Reference(*row))
    else:
        for row in d["refs"]:
            kw = {k: v for k, v in zip(names, row) if k in known}
            kw["pinpoint"] = [Pinpoint(**{k: v for k, v in zip(pins, p) if k in _PIN_FIELDS}) for p in row[pin_at]]
            refs.append(Reference(**kw))
    doc = extraction_from_dict({"document": d["document"], "references": []}).document
    return Extraction(document=doc, references=refs, source=d.get("source"))


def write_atomically(path: str, text: str) -> None:
    """Write through a temporary file of its own (unique name), then rename: no two writers share a temp file."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def part_name(source: str) -> str:
    """A file's part in `parts/`: named by its path (each path is a source of its own)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:24] + ".nt"


def facts_path(cache_path: str | Path) -> str:
    """Where the facts of the extraction cached at `cache_path` are (`<sha>.json` → `<sha>.facts.json`)."""
    return str(cache_path)[: -len(".json")] + ".facts.json"


def read_facts(cache: Path, sha: str) -> dict[str, Any]:
    with open(cache / f"{sha}.facts.json", encoding="utf-8") as f:
        return json.load(f)


class CachedFacts:
    """The files' facts, read from the cache again on each walk: the resolver walks them twice, and holding
    every file's references at once would make the build's memory grow with the corpus."""

    def __init__(self, cache: Path, shas: Iterable[str]):
        """`shas`: a collection, or a `Walk` (read again on each walk); a one-shot iterator is kept as a list."""
        self.cache = cache
        self.shas = list(shas) if iter(shas) is shas else shas

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (read_facts(self.cache, sha) for sha in self.shas)


def load_manifest(out: Path) -> dict[str, Any]:
    try:
        m = json.loads((out / MANIFEST).read_text("utf-8"))
        if m.get("version") == MANIFEST_VERSION:
            return m
    except (OSError, ValueError):
        pass
    return {"version": MANIFEST_VERSION, "files": {}}


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
    os.replace(tmp, path)


def _b(src: str) -> bytes:
    """A path as the ledger keys it: UTF-8, whose byte order is `sorted`'s (code points)."""
    return src.encode("utf-8")


def _s(b: bytes) -> str:
    return b.decode("utf-8")


def _dumps(entry: dict[str, Any] | None) -> str | None:
    return None if entry is None else json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


class Ledger:
    """The build's per-file state (each file's manifest entry, its size, the marks of the phases) in a temporary
    SQLite database, not in the build's heap: it grows with the corpus (~1.3 KB a file as dicts), SQLite keeps a
    bounded page cache and the rest in its temporary file (deleted when closed or when the process dies). Every
    read is a whole, bounded batch under one lock: the worker pool's task thread reads the tasks while this
    thread writes the results. Paths come back in `sorted` order (UTF-8 bytes order as code points do)."""

    BATCH = 512

    def __init__(self, old_files: dict[str, Any]):
        """`old_files`: the last build's manifest entries (moved in here; the caller drops its dict)."""
        self.db = sqlite3.connect("", check_same_thread=False)
        self.lock = threading.Lock()
        self.n = 0  # files hashed
        self.db.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2048;
            CREATE TABLE old (src BLOB PRIMARY KEY, entry TEXT) WITHOUT ROWID;
            -- entry: the manifest's entry (JSON; NULL: not in the graph); first: a path with the same bytes read
            -- before it; task: 1 extract, 2 write the part again; early: its first part went to the store early;
            -- superseded: that first part was put aside (.loaded) and the part written again
            CREATE TABLE files (src BLOB PRIMARY KEY, seq INTEGER, sha TEXT, size INTEGER, part TEXT, entry TEXT,
                                kept INTEGER DEFAULT 0, first BLOB, task INTEGER DEFAULT 0, early INTEGER DEFAULT 0,
                                superseded INTEGER DEFAULT 0) WITHOUT ROWID;
            CREATE INDEX files_sha ON files (sha);
            CREATE INDEX files_part ON files (part);
            CREATE INDEX files_task ON files (task, size DESC, src);
        """)
        self.db.executemany("INSERT INTO old VALUES (?, ?)",
                            ((_b(s), _dumps(e)) for s, e in old_files.items()))

    def _q(self, sql: str, args: Any = ()) -> list[tuple]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    def _x(self, sql: str, args: Any = ()) -> None:
        with self.lock:
            self.db.execute(sql, args)

    def old(self, src: str) -> dict[str, Any] | None:
        row = self._q("SELECT entry FROM old WHERE src = ?", (_b(src),))
        return json.loads(row[0][0]) if row else None

    def hashed(self, src: str, sha: str, size: int, prev: dict[str, Any] | None) -> str | None:
        """A file hashed: kept as the last build left it (`prev`), else the earlier path with its bytes (None: the
        first, to extract)."""
        first = None
        if prev is None:
            row = self._q("SELECT src FROM files WHERE sha = ? AND first IS NULL AND (entry IS NOT NULL OR task = 1)"
                          " ORDER BY seq LIMIT 1", (sha,))  # the first path hashed with these bytes
            first = _s(row[0][0]) if row else None
        self.n += 1
        self._x("INSERT INTO files (src, seq, sha, size, part, entry, kept, first, task)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_b(src), self.n, sha, size, part_name(src), _dumps(prev), prev is not None,
                 None if first is None else _b(first), prev is None and first is None))
        return first

    def entry(self, src: str) -> dict[str, Any] | None:
        row = self._q("SELECT entry FROM files WHERE src = ?", (_b(src),))
        return json.loads(row[0][0]) if row and row[0][0] is not None else None

    def put(self, src: str, entry: dict[str, Any] | None, **marks: int) -> None:
        """Set a file's entry (None: the file leaves the graph) and any of its marks (early, task, superseded)."""
        sets = "".join(f", {m} = :{m}" for m in marks)
        self._x(f"UPDATE files SET entry = :entry{sets} WHERE src = :src",
                {"src": _b(src), "entry": _dumps(entry), **marks})

    def is_kept(self, src: str) -> bool:
        """Whether the file's entry is the last build's, untouched (not extracted again)."""
        return bool(self._q("SELECT kept FROM files WHERE src = ?", (_b(src),))[0][0])

    def marks(self, src: str) -> tuple[int, int]:
        """(early, superseded) of a file."""
        return self._q("SELECT early, superseded FROM files WHERE src = ?", (_b(src),))[0]

    def count(self, where: str = "entry IS NOT NULL", args: Any = ()) -> int:
        return self._q(f"SELECT COUNT(*) FROM files WHERE {where}", args)[0][0]

    def rows(self, cols: str, where: str = "entry IS NOT NULL", args: Any = ()) -> Iterator[tuple]:
        """`cols` of the files `where` holds, by path (a keyset walk: rows changed meanwhile are no trouble)."""
        after = b""
        while batch := self._q(f"SELECT src, {cols} FROM files WHERE ({where}) AND src > ? ORDER BY src LIMIT "
                               f"{self.BATCH}", (*args, after)):
            after = batch[-1][0]
            for row in batch:
                yield (_s(row[0]), *row[1:])

    def same_bytes(self) -> Iterator[tuple[str, str]]:
        """(path, the earlier path with the same bytes) of the files read under another path, by path."""
        for src, first in self.rows("first", "first IS NOT NULL"):
            yield src, _s(first)

    def entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(path, entry) of every file in the graph, by path."""
        for src, entry in self.rows("entry"):
            yield src, json.loads(entry)

    def tasks(self, task: int, cache: Path, parts: Path) -> "Tasks":
        """The files marked `task`, largest first, as (path, sha, cache file, part) (what the per-file work takes)."""
        return Tasks(self, task, cache, parts)

    def clear_tasks(self) -> None:
        self._x("UPDATE files SET task = 0 WHERE task != 0")

    def removed(self, problems: set[str]) -> int:
        """Files the last build had that this one has not (nor reports as a problem)."""
        n = 0
        after = b""
        while batch := self._q("SELECT o.src FROM old o LEFT JOIN files f ON f.src = o.src WHERE f.entry IS NULL"
                               f" AND o.src > ? ORDER BY o.src LIMIT {self.BATCH}", (after,)):
            after = batch[-1][0]
            n += sum(_s(s) not in problems for s, in batch)
        return n

    def same_files(self) -> bool:
        """Whether the graph has exactly the files the last build's had."""
        return not self._q("SELECT 1 FROM old o LEFT JOIN files f ON f.src = o.src WHERE f.entry IS NULL LIMIT 1") \
            and self.count() == self._q("SELECT COUNT(*) FROM old")[0][0]

    def has_sha(self, sha: str) -> bool:
        """Whether a file in the graph has these bytes (its cache files are kept)."""
        return bool(self._q("SELECT 1 FROM files WHERE sha = ? AND entry IS NOT NULL LIMIT 1", (sha,)))

    def has_part(self, name: str) -> bool:
        """Whether a file in the graph has this part (`part_name`)."""
        return bool(self._q("SELECT 1 FROM files WHERE part = ? AND entry IS NOT NULL LIMIT 1", (name,)))

    def shas(self) -> "Walk":
        """The bytes' hash of every file in the graph, by path (each walk reads them again)."""
        return Walk(lambda: (sha for _src, sha in self.rows("sha")))

    def parts(self, folder: Path, *more: Path) -> "Walk":
        """Every file's part in `folder`, by path, then `more` (each walk reads them again)."""
        return Walk(lambda: chain((folder / part for _src, part in self.rows("part")), more))

    def write_manifest(self, path: Path, head: dict[str, Any]) -> None:
        """`head` with "files" (every entry, by path) as one compact JSON object, written entry by entry."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"files":{')
            sep = ""
            for src, entry in self.rows("entry"):
                f.write(f'{sep}{json.dumps(src, ensure_ascii=False)}:{entry}')
                sep = ","
            f.write("}}")

    def close(self) -> None:
        self.db.close()


class Walk:
    """An iterable read afresh on each walk (`iter` gives a new iterator from `start`): what a caller that walks a
    collection twice is given instead of a list."""

    def __init__(self, start: Callable[[], Iterator[Any]]):
        self.start = start

    def __iter__(self) -> Iterator[Any]:
        return self.start()


class Tasks:
    """A phase's per-file tasks read from the `Ledger` a batch at a time, largest file first (each walk reads
    them again): the worker pool takes them as it needs them, so no list of every task is held."""

    def __init__(self, ledger: Ledger, task: int, cache: Path, parts: Path):
        self.ledger, self.task, self.cache, self.parts = ledger, task, cache, parts
        self.n = ledger.count("task = ?", (task,))

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[tuple[str, str, str, str]]:
        led = self.ledger
        batch = led._q(f"SELECT src, sha, size FROM files WHERE task = ? ORDER BY size DESC, src LIMIT {led.BATCH}",
                       (self.task,))
        while batch:
            for b, sha, _size in batch:
                src = _s(b)
                yield src, sha, str(self.cache / f"{sha}.json"), str(self.parts / part_name(src))
            _, _, size = batch[-1]
            batch = led._q("SELECT src, sha, size FROM files WHERE task = ? AND (size < ? OR (size = ? AND src > ?))"
                           f" ORDER BY size DESC, src LIMIT {led.BATCH}", (self.task, size, size, batch[-1][0]))
