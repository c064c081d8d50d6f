"""The embedded Oxigraph store: loaded whole into a fresh directory, then swapped in atomically.

Readers open `DIR/store`, a symbolic link to `DIR/store-<graph hash>`. A build bulk-loads the new
graph into a new directory and replaces the link in one `os.replace`, so a reader sees the old
store or the new one, never a half-written one; a failed load leaves the old store in place.
"""

from __future__ import annotations

import os
import shutil
from itertools import islice
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from kgraph.graph.ontology import ONTOLOGY_FILE, ONTOLOGY_GRAPH

LINK = "store"
#: Triples per bulk-load call: Oxigraph's bulk loader keeps what it is given in memory (about 1 KB a
#: triple), so slices keep a build's memory flat in corpus size at a small cost in speed.
CHUNK_TRIPLES = 100_000


class StoreError(Exception):
    """No store where one was expected; the message says where and what to run."""


def current_store(out: Path) -> Path | None:
    """The directory `DIR/store` points at, if any."""
    link = out / LINK
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        return target if target.is_dir() else None
    return None


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
    store = Store(str(tmp))
    try:
        with open(graph_nt, "rb") as f:  # in slices: the bulk loader holds a slice in memory, not the graph
            while True:
                lines = list(islice(f, CHUNK_TRIPLES))
                if not lines:
                    break
                store.bulk_load(b"".join(lines), format=RdfFormat.N_TRIPLES)
        store.bulk_load(path=str(ontology), format=RdfFormat.TURTLE, to_graph=NamedNode(ONTOLOGY_GRAPH))
        store.flush()
    except BaseException:
        del store
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    del store
    os.replace(tmp, target)
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
