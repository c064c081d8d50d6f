"""The query workers of `kg serve`: processes that evaluate one query at a time and can be killed when
it runs too long. Each is started as `python -m kgraph.serve FD PARENT_PID MEMORY_BYTES` (__main__.py)."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kgraph.lifetime import die_with
from kgraph.serve.guards import GRAPH_FORMATS, RESULTS_FORMATS, choose

# --------------------------------------------------------------------------- workers


def _evaluate(store: Any, req: dict[str, Any]) -> tuple[int, str, bytes]:
    from pyoxigraph import (
        NamedNode,
        QueryBoolean,
        QueryResultsFormat,
        QueryTriples,
        RdfFormat,
    )

    from kgraph.graph.ontology import PREFIXES

    kw: dict[str, Any] = {"prefixes": PREFIXES}
    if req.get("default_graphs"):
        kw["default_graph"] = [NamedNode(g) for g in req["default_graphs"]]
    if req.get("named_graphs"):
        kw["named_graphs"] = [NamedNode(g) for g in req["named_graphs"]]
    try:
        res = store.query(req["query"], **kw)
    except SyntaxError as e:
        return 400, "text/plain; charset=utf-8", f"SPARQL syntax error: {e}\n".encode()
    except ValueError as e:
        return 400, "text/plain; charset=utf-8", f"bad request: {e}\n".encode()
    if isinstance(res, QueryTriples):
        mt = choose(req.get("accept"), GRAPH_FORMATS, "text/turtle")
        if mt is None:
            return 406, "text/plain; charset=utf-8", b"not acceptable: text/turtle, application/n-triples, application/rdf+xml\n"
        return 200, mt + ("; charset=utf-8" if mt.startswith("text/") else ""), res.serialize(format=getattr(RdfFormat, GRAPH_FORMATS[mt]))
    mt = choose(req.get("accept"), RESULTS_FORMATS, "application/sparql-results+json")
    if mt is None:
        return 406, "text/plain; charset=utf-8", b"not acceptable: SPARQL results as JSON, XML, CSV or TSV\n"
    fmt = getattr(QueryResultsFormat, RESULTS_FORMATS[mt])
    body = res.serialize(format=fmt) if not isinstance(res, QueryBoolean) else res.serialize(format=fmt)
    return 200, mt + ("; charset=utf-8" if mt.startswith("text/") else ""), body


def _pages() -> Any:
    """kgraph.views.pages, imported when a page is first asked for: query workers stay quick to start."""
    from kgraph.views import pages

    return pages


def _render_page(store: Any, req: dict[str, Any]) -> tuple[int, str, bytes]:
    """One of kgraph's pages (kgraph.views.pages), rendered in a query worker: under the same time limit."""
    from kgraph.views.pages import handle

    r = handle(req["page"], req["params"], store, Path(req["build"]))
    return r.status, r.content_type, r.body


def _worker_main(conn: Any, parent: int, memory_bytes: int | None) -> None:
    """One query worker: open the store a request names (again when it changes), answer, repeat."""
    die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops us itself
    if memory_bytes:
        import resource

        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    from pyoxigraph import Store

    conn.send("ready")  # imports done: from here on a query's time is the query's own
    where, store = None, None
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if req["store"] != where:
                store, where = None, None
                store, where = Store.read_only(req["store"]), req["store"]
            reply = _render_page(store, req) if "page" in req else _evaluate(store, req)
        except MemoryError:
            reply = (503, "text/plain; charset=utf-8", b"the query needed more memory than a query may use\n")
        except Exception as e:  # an IO error of a store being replaced, a bug: the client is told, we go on
            store, where = None, None
            reply = (500, "text/plain; charset=utf-8", f"query failed: {type(e).__name__}: {e}\n".encode())
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen
    conn: Connection


class QueryWorkers:
    """A pool of query processes (`python -m kgraph.serve`, talking over a socket pair). All are started by
    one long-lived thread, because Linux sends the parent-death signal when the *thread* that started a
    process ends, not the process."""

    def __init__(self, n: int, memory_mb: int | None = None):
        self._memory = memory_mb * (1 << 20) if memory_mb else 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._requests: queue.Queue[int | None] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._spawner = threading.Thread(target=self._spawn_loop, name="kg-serve-workers", daemon=True)
        self._spawner.start()
        for _ in range(n):
            self._requests.put(1)

    def _spawn_loop(self) -> None:
        while True:
            if self._requests.get() is None:
                return
            mine, theirs = socket.socketpair()
            try:
                p = subprocess.Popen([sys.executable, "-m", "kgraph.serve", str(theirs.fileno()), str(os.getpid()),
                                      str(self._memory)], pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
            except OSError as e:
                print(f"kg serve: cannot start a query worker: {e}", file=sys.stderr)
                mine.close()
                theirs.close()
                time.sleep(1)
                self._requests.put(1)
                continue
            theirs.close()
            w = _Worker(p, Connection(mine.detach()))
            if not self._ready(w):
                self._end(w)
                time.sleep(1)
                if not self._closed:
                    self._requests.put(1)
                continue
            with self._lock:
                if self._closed:
                    self._end(w)
                    return
                self._all.add(w)
            self._idle.put(w)

    def _ready(self, w: _Worker, limit: float = 120) -> bool:
        """Whether a new worker finished starting (its imports) in time: only a ready worker takes queries,
        so the timeout a query gets is not spent on a worker's start-up."""
        try:
            if w.conn.poll(limit) and w.conn.recv() == "ready":
                return True
        except (EOFError, OSError):
            pass
        print(f"kg serve: a query worker (pid {w.process.pid}) did not start", file=sys.stderr)
        return False

    def wait_started(self, n: int, limit: float, stop: threading.Event) -> None:
        """Wait (at most `limit` s, or until `stop`) for `n` workers to be ready, so that the first queries
        do not spend their timeout waiting for the pool to start."""
        end = time.monotonic() + limit
        while self._idle.qsize() < n and time.monotonic() < end and not stop.wait(0.05):
            pass

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    def _end(self, w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.conn.close()
        with contextlib.suppress(Exception):
            w.process.kill()
            w.process.wait(5)

    def _retire(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        self._end(w)
        if not self._closed:
            self._requests.put(1)

    def run(self, req: dict[str, Any], timeout: float) -> tuple[int, str, bytes]:
        """Answer `req` within `timeout` seconds (waiting for a free worker included)."""
        deadline = threading.TIMEOUT_MAX if timeout <= 0 else timeout
        try:
            w = self._idle.get(timeout=deadline)
        except queue.Empty:
            return 503, "text/plain; charset=utf-8", b"all query workers are busy; try again\n"
        ok = False
        try:
            w.conn.send(req)
            if w.conn.poll(None if timeout <= 0 else timeout):
                reply = w.conn.recv()
                ok = True
                return reply
            return 503, "text/plain; charset=utf-8", f"query stopped: it ran longer than {timeout:g} s\n".encode()
        except (EOFError, OSError):
            return 503, "text/plain; charset=utf-8", b"query stopped: its worker ended (out of memory?)\n"
        finally:
            if ok:
                self._idle.put(w)
            else:
                self._retire(w)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        self._requests.put(None)
        for w in workers:
            self._end(w)
        self._spawner.join(10)
