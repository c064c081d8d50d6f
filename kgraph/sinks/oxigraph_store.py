"""The embedded Oxigraph store: loaded whole into a fresh directory, then swapped in atomically.

Readers open `DIR/store`, a symbolic link to `DIR/store-<graph hash>`. A build bulk-loads the new
graph into a new directory and replaces the link in one `os.replace`, so a reader sees the old
store or the new one, never a half-written one; a failed load leaves the old store in place.

`StoreLoader` loads the graph's parts while the build is still writing them (Oxigraph's bulk loader
releases the GIL, so it runs in a thread beside the build's own work); `load_store` loads a finished
graph file.
"""

from __future__ import annotations

import errno
import os
import queue
import shutil
import threading
import uuid
from itertools import islice
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, parse

from kgraph.graph.ontology import ONTOLOGY_FILE, ONTOLOGY_GRAPH

LINK = "store"
#: Triples per bulk-load call: Oxigraph's bulk loader keeps what it is given in memory (about 1 KB a
#: triple), so slices keep a build's memory flat in corpus size. Loading the ×10 parts alone (2026-12-02,
#: load ~4): peak RSS 265 MB at 100k, 189 at 50k, 148 at 30k, 150 at 10k, CPU the same within noise (29-33 s).
CHUNK_TRIPLES = 30_000
#: The graph's N-Triples are the build's own (every IRI checked by `kgraph.graph.terms.node` as it was written),
#: so the bulk loader skips checking them again: ~10% of the load's CPU.
LENIENT = True


class StoreError(Exception):
    """No store where one was expected; the message says where and what to run."""


def current_store(out: Path) -> Path | None:
    """The directory `DIR/store` points at, if any."""
    link = out / LINK
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        return target if target.is_dir() else None
    return None


def _disk_error(e: BaseException, where: Path) -> BaseException:
    """Oxigraph reports RocksDB's I/O errors as an OSError without errno: a full disk becomes ENOSPC naming the
    store's folder, so the build words it as it words any full disk (issue 14), not as a RocksDB message."""
    if isinstance(e, OSError) and e.errno is None and "No space left on device" in str(e):
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(where))
    return e


def _raise_as_disk_error(e: BaseException, where: Path) -> None:
    err = _disk_error(e, where)
    if err is not e:
        raise err from e


def load_store(out: Path, graph_nt: Path, graph_hash: str, ontology: Path = ONTOLOGY_FILE) -> Path:
    """Bulk-load `graph_nt` (default graph) and the ontology (its own named graph) into a new store, then swap.

    Returns the new store directory. If a store for this exact graph is already current, nothing is done.
    """
    name = f"{LINK}-{graph_hash[:16]}"
    target = out / name
    cur = current_store(out)
    if cur is not None and cur.name == name:
        return cur
    tmp = out / f".{name}.loading"
    if tmp.exists():
        shutil.rmtree(tmp)
    if target.exists():
        shutil.rmtree(target)
    try:
        store = Store(str(tmp))
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        _raise_as_disk_error(e, tmp)
        raise
    try:
        with open(graph_nt, "rb") as f:  # in slices: the bulk loader holds a slice in memory, not the graph
            while True:
                lines = list(islice(f, CHUNK_TRIPLES))
                if not lines:
                    break
                store.bulk_load(b"".join(lines), format=RdfFormat.N_TRIPLES, lenient=LENIENT)
        store.bulk_load(path=str(ontology), format=RdfFormat.TURTLE, to_graph=NamedNode(ONTOLOGY_GRAPH))
        compact(store)
    except BaseException as e:
        del store
        shutil.rmtree(tmp, ignore_errors=True)
        _raise_as_disk_error(e, tmp)
        raise
    del store
    return _install(out, tmp, name)


def compact(store: Store) -> None:
    """Flush, then merge the files the bulk loads left into one sorted run per index (`Store.optimize`).

    Each bulk-load slice becomes files of its own, and the store is opened read-only from then on, so
    nothing would ever merge them: every lookup a query makes would look in each slice's file
    (98 files at ×100). Merged, a lookup reads one place."""
    store.flush()
    store.optimize()


def _install(out: Path, loaded: Path, name: str) -> Path:
    """Move a loaded store directory to `out/name` and point `out/store` at it; older stores go."""
    target = out / name
    if target.exists():
        shutil.rmtree(target)
    os.replace(loaded, target)
    link_tmp = out / f".{LINK}.link"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(name, link_tmp)
    link = out / LINK
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain directory left by an older layout
    os.replace(link_tmp, link)
    for old in out.glob(f"{LINK}-*"):
        if old.name != name and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return target


class StoreLoader:
    """A new store filled from N-Triples files as they are written, by a background thread.

    The triples are the union of the files given (duplicates collapse in the store), in any order, less
    the lines `discard`ed, so a build can hand over each part as soon as it exists (and take back the lines
    of one it wrote again) and the bulk load overlaps the rest of the build.
    `finish` installs the store under the graph's hash (or keeps the current one when it already is that
    graph); `abort` throws the half-loaded store away. Memory holds a few slices, not the graph.
    """

    def __init__(self, out: Path, ontology: Path = ONTOLOGY_FILE):
        self.out = out
        self.ontology = ontology
        for stale in out.glob(f".{LINK}-*.loading"):  # left by a killed build (the caller holds the folder)
            shutil.rmtree(stale, ignore_errors=True)
        self.dir = out / f".{LINK}-{uuid.uuid4().hex[:12]}.loading"
        try:
            self._store: Store | None = Store(str(self.dir))
        except OSError as e:
            shutil.rmtree(self.dir, ignore_errors=True)
            _raise_as_disk_error(e, self.dir)
            raise
        self._slices: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self._pending: list[bytes] = []
        self._lines = 0
        self._discard: list[bytes] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kgraph-store-loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._slices.get()) is not None:
            if self._error is None:
                try:
                    self._store.bulk_load(data, format=RdfFormat.N_TRIPLES, lenient=LENIENT)  # type: ignore[union-attr]
                except BaseException as e:  # reported by finish()
                    self._error = e

    def _send(self) -> None:
        if self._pending:
            self._slices.put(b"".join(self._pending))
            self._pending, self._lines = [], 0

    def add(self, path: Path, loaded: Path | None = None) -> None:
        """Queue one N-Triples file's triples for loading; with `loaded`, an earlier version of the same file
        already given, only the lines it lacks (a part written again after the corpus pass mostly repeats its
        first version: ~17k of 17.5k lines at ×1, each a triple the bulk loader would encode and index again)."""
        data = path.read_bytes()
        if loaded is not None:
            have = set(loaded.read_bytes().split(b"\n"))
            data = b"".join(ln + b"\n" for ln in data.split(b"\n") if ln and ln not in have)
        self._pending.append(data)
        self._lines += data.count(b"\n")
        if self._lines >= CHUNK_TRIPLES:
            self._send()

    def discard(self, lines: list[bytes]) -> None:
        """Remove these N-Triples lines from the store once everything added is loaded (the triples of a part
        that was loaded, then written again without them)."""
        self._discard.extend(lines)

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._send()
            self._slices.put(None)
            self._thread.join()

    def finish(self, graph_hash: str) -> Path:
        """Load the ontology, flush, and install the store for `graph_hash`; returns its directory."""
        name = f"{LINK}-{graph_hash[:16]}"
        cur = current_store(self.out)
        if cur is not None and cur.name == name:  # the graph did not change after all
            self.abort()
            return cur
        try:
            self._stop()
            if self._error is not None:
                raise self._error
            store = self._store
            assert store is not None
            if self._discard:
                for quad in parse(input=b"".join(self._discard), format=RdfFormat.N_TRIPLES):
                    store.remove(quad)
                self._discard = []
            store.bulk_load(path=str(self.ontology), format=RdfFormat.TURTLE, to_graph=NamedNode(ONTOLOGY_GRAPH))
            compact(store)
            self._store = None
            del store
        except BaseException as e:
            self.abort()
            _raise_as_disk_error(e, self.dir)
            raise
        return _install(self.out, self.dir, name)

    def abort(self) -> None:
        """Stop loading and remove the half-loaded store (the current one is untouched)."""
        self._pending, self._discard = [], []
        self._stop()
        self._store = None
        shutil.rmtree(self.dir, ignore_errors=True)


def open_store(path: str | Path) -> Store:
    """Open a built store read-only: `path` is the build directory or the store directory itself."""
    p = Path(path)
    if not p.exists():
        raise StoreError(f"{p}: no such directory (run `kg build INPUT... --out {p}` first)")
    cur = current_store(p)
    candidate = cur if cur is not None else p
    if not (candidate / "CURRENT").exists():
        raise StoreError(f"{p}: not a kgraph build directory or Oxigraph store (run `kg build INPUT... --out {p}`)")
    return Store.read_only(str(candidate))
