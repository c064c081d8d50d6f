"""The embedded Oxigraph store: loaded whole into a fresh directory, then swapped in atomically.

Readers open `DIR/store`, a symbolic link to `DIR/store-<graph hash>`. A build bulk-loads the new
graph into a new directory and replaces the link in one `os.replace`, so a reader sees the old
store or the new one, never a half-written one; a failed load leaves the old store in place.

`StoreLoader` loads the graph's parts while the build is still writing them (Oxigraph's bulk loader
releases the GIL, so it runs in a thread beside the build's own work); `StoreLoaderProcess` runs one in a
process of its own, so that RocksDB's memory, which grows with the store, is not the build's; `load_store`
loads a finished graph file.

This module imports nothing of kgraph at its top: the loader's process runs this file alone (`python -P
oxigraph_store.py`), an interpreter and pyoxigraph (~22 MB), not the extractor the kgraph package imports.
"""

from __future__ import annotations

import errno
import io
import os
import pickle
import queue
import resource
import shutil
import subprocess
import sys
import threading
import uuid
from itertools import islice
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Store, parse

LINK = "store"
#: Triples per bulk-load call: Oxigraph's bulk loader keeps what it is given in memory (about 1 KB a
#: triple), so slices keep a build's memory flat in corpus size. Loading the ×10 parts alone (2026-12-02,
#: load ~4): peak RSS 265 MB at 100k, 189 at 50k, 148 at 30k, 150 at 10k, CPU the same within noise (29-33 s).
CHUNK_TRIPLES = 30_000
#: The graph's N-Triples are the build's own (every IRI checked by `kgraph.graph.terms.node` as it was written),
#: so the bulk loader skips checking them again: ~10% of the load's CPU.
LENIENT = True


class Pieces(io.RawIOBase):
    """A slice's files read by the bulk loader one after the other, each let go once read, instead of joined into
    one copy first: the loader's process held the pieces and their join at once (7-11 MB of its ~90 MB peak)."""

    def __init__(self, pieces: list[bytes]):
        self._pieces = pieces
        self._at = 0  # the piece being read, and how far
        self._off = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._at < len(self._pieces):
            piece = self._pieces[self._at]
            n = min(len(buffer), len(piece) - self._off)
            if n > 0:
                buffer[:n] = memoryview(piece)[self._off : self._off + n]
                self._off += n
                return n
            self._pieces[self._at] = b""
            self._at += 1
            self._off = 0
        return 0


def _ontology(path: Path | None, graph: str | None) -> tuple[Path, str]:
    """The ontology's file and named graph, the kgraph defaults unless given (imported here, not at the top)."""
    if path is None or graph is None:
        from kgraph.graph.ontology import ONTOLOGY_FILE, ONTOLOGY_GRAPH
        return path or ONTOLOGY_FILE, graph or ONTOLOGY_GRAPH
    return path, graph


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


def load_store(out: Path, graph_nt: Path, graph_hash: str, ontology: Path | None = None) -> Path:
    """Bulk-load `graph_nt` (default graph) and the ontology (its own named graph) into a new store, then swap.

    Returns the new store directory. If a store for this exact graph is already current, nothing is done.
    """
    ontology, ontology_graph = _ontology(ontology, None)
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
        store.bulk_load(path=str(ontology), format=RdfFormat.TURTLE, to_graph=NamedNode(ontology_graph))
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

    def __init__(self, out: Path, ontology: Path | None = None, ontology_graph: str | None = None):
        self.out = out
        self.ontology, self.ontology_graph = _ontology(ontology, ontology_graph)
        for stale in out.glob(f".{LINK}-*.loading"):  # left by a killed build (the caller holds the folder)
            shutil.rmtree(stale, ignore_errors=True)
        self.dir = out / f".{LINK}-{uuid.uuid4().hex[:12]}.loading"
        try:
            self._store: Store | None = Store(str(self.dir))
        except OSError as e:
            shutil.rmtree(self.dir, ignore_errors=True)
            _raise_as_disk_error(e, self.dir)
            raise
        self._slices: queue.Queue[list[bytes] | None] = queue.Queue(maxsize=2)  # a slice: its files' bytes
        self._pending: list[bytes] = []
        self._lines = 0
        self._discard: list[bytes] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kgraph-store-loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (pieces := self._slices.get()) is not None:
            if self._error is None:
                try:
                    store = self._store
                    assert store is not None
                    # buffered: the bulk loader reads ~2 KB at a time, unbuffered a Python call each (+7-13% of its CPU)
                    reader = io.BufferedReader(Pieces(pieces), 1 << 20)
                    store.bulk_load(reader, format=RdfFormat.N_TRIPLES, lenient=LENIENT)
                except BaseException as e:  # reported by finish()
                    self._error = e

    def _send(self) -> None:
        if self._pending:
            self._slices.put(self._pending)
            self._pending, self._lines = [], 0

    def add(self, path: Path, loaded: Path | None = None) -> None:
        """Queue one N-Triples file's triples for loading; with `loaded`, an earlier version of the same file
        already given, only the lines it lacks (a part written again after the corpus pass mostly repeats its
        first version: ~17k of 17.5k lines at ×1, each a triple the bulk loader would encode and index again)."""
        data = path.read_bytes()
        if loaded is not None:
            have = set(loaded.read_bytes().split(b"\n"))
            data = b"".join(ln + b"\n" for ln in data.split(b"\n") if ln and ln not in have)
        n = data.count(b"\n")
        if n > CHUNK_TRIPLES:
            # a file of more lines than a slice (the instruments' part: 66k lines at ×10, 3× that at ×30) goes in
            # slices of its own, cut at a line's end: no bulk load is given more than a slice, whatever the corpus
            self._send()
            start = 0
            for _ in range(n // CHUNK_TRIPLES):
                end = start
                for _ in range(CHUNK_TRIPLES):
                    end = data.index(b"\n", end) + 1
                self._slices.put([data[start:end]])
                start = end
            data, n = data[start:], n % CHUNK_TRIPLES
        if data:
            self._pending.append(data)
            self._lines += n
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
            store.bulk_load(path=str(self.ontology), format=RdfFormat.TURTLE, to_graph=NamedNode(self.ontology_graph))
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _picklable(e: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(e))
        return e
    except Exception:
        return RuntimeError(f"{type(e).__name__}: {e}")


class NoLoaderProcess(Exception):
    """The interpreter could not be started again for the loader's process (a user allowed to run this one
    by its path, not to execute it); the caller loads in its own process instead."""


class StoreLoaderProcess:
    """A `StoreLoader` in a process of its own, driven as the thread-backed one is (`add`, `discard`, `finish`,
    `abort`); `peak_mb` is that process's peak RSS once it has finished or aborted.

    The loader's RocksDB keeps index and filter blocks for every file it wrote: its memory grows with the
    store (the loader alone on ×1 / ×10 / ×30 parts: 192 / 253 / 275 MB), and pyoxigraph sets none of
    RocksDB's options. In its own process that memory is not the build's, and the workers forked from the
    build do not start from it. Each call waits for the process's answer: `add` returns once the file is read
    (the build may then replace it), and errors come back where the thread-backed loader raises them."""

    def __init__(self, out: Path, ontology: Path | None = None, ontology_graph: str | None = None):
        ontology, ontology_graph = _ontology(ontology, ontology_graph)
        self.peak_mb: float | None = None
        # -P: this file's folder is not put on the path; the process imports pyoxigraph, not kgraph
        try:
            self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-P", os.path.abspath(__file__), str(out), str(ontology), ontology_graph],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as e:
            raise NoLoaderProcess(f"{sys.executable}: {e.strerror}") from e
        self._call("start")

    def _call(self, op: str, *args: Any) -> Any:
        proc = self._proc
        if proc is None:
            raise RuntimeError("the store loader has finished")
        assert proc.stdin is not None and proc.stdout is not None
        try:
            pickle.dump((op, args), proc.stdin, pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
            status, value = pickle.load(proc.stdout)
        except (BrokenPipeError, EOFError):
            self._close()
            raise RuntimeError(f"the store loader's process ended (exit status {proc.returncode})") from None
        if status == "error":
            self._close()
            raise value
        return value

    def _close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            for f in (proc.stdin, proc.stdout):
                try:
                    f.close()  # type: ignore[union-attr]
                except OSError:
                    pass
            proc.wait()

    def add(self, path: Path, loaded: Path | None = None) -> None:
        """As `StoreLoader.add`; the file is read when this returns."""
        self._call("add", str(path), None if loaded is None else str(loaded))

    def discard(self, lines: list[bytes]) -> None:
        """As `StoreLoader.discard`."""
        if lines:
            self._call("discard", lines)

    def finish(self, graph_hash: str) -> Path:
        """As `StoreLoader.finish`; the process then ends."""
        target, self.peak_mb = self._call("finish", graph_hash)
        self._close()
        return Path(target)

    def abort(self) -> None:
        """As `StoreLoader.abort`; the process then ends (a process already gone is left as it is)."""
        if self._proc is not None:
            try:
                self.peak_mb = self._call("abort")
            except Exception:
                pass
            self._close()


def _serve(out: Path, ontology: Path, ontology_graph: str) -> None:
    """The loader's process: one `StoreLoader`, driven by (op, args) pickles on stdin, each answered on stdout;
    the end of stdin (the build gone) aborts the load."""
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, not into the answers
    requests = sys.stdin.buffer
    loader: StoreLoader | None = None
    while True:
        try:
            op, args = pickle.load(requests)
        except EOFError:
            if loader is not None:
                loader.abort()
            return
        try:
            if op == "start":
                loader = StoreLoader(out, ontology, ontology_graph)
                value: Any = None
            elif op == "add":
                loader.add(Path(args[0]), None if args[1] is None else Path(args[1]))  # type: ignore[union-attr]
                value = None
            elif op == "discard":
                loader.discard(args[0])  # type: ignore[union-attr]
                value = None
            elif op == "finish":
                value = (str(loader.finish(args[0])), round(_peak_mb(), 1))  # type: ignore[union-attr]
            else:  # abort
                if loader is not None:
                    loader.abort()
                value = round(_peak_mb(), 1)
            answer: tuple[str, Any] = ("ok", value)
        except BaseException as e:
            if loader is not None and op != "finish":  # finish has aborted already
                loader.abort()
            answer = ("error", _picklable(e))
        pickle.dump(answer, answers, pickle.HIGHEST_PROTOCOL)
        answers.flush()
        if op in ("finish", "abort") or answer[0] == "error":
            return


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


if __name__ == "__main__":
    _serve(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
