"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over a build's store, safe to leave running.

Why kgraph answers HTTP itself instead of running the `oxigraph` server binary: that server runs
`SERVICE <url>` clauses (it then makes requests for anyone who can reach it: SSRF), accepts any Host header
(DNS rebinding from a web page), has no query timeout, keeps serving a store a rebuild deletes, and as a
child process it outlived `kg serve` on TERM. None of that can be configured away. Here:

- besides /query, kgraph's own pages (`kgraph.views.pages`: the analysts' page at /, named queries, instrument
  and document pages, their static files) answer GET only; they are rendered in the query workers, under
  the same timeout, with each parameter bound as a value;

- the HTTP front is the standard library's threading server; each query is evaluated by pyoxigraph in a
  small pool of worker processes, so a query that outlasts the timeout is stopped by killing its worker
  (its memory goes with it) and a fresh worker takes its place;
- `SERVICE` is refused before evaluation (`uses_service`: the query is lexed as SPARQL, after Unicode
  escapes are decoded the way Oxigraph decodes them), unless the server was started with `allow_service`;
- the Host header must name a loopback name or the bound host, with the bound port;
- each query opens the store the build folder's `store` link points at now, so a rebuild is followed
  (the old store a build deletes is never read again);
- workers ask Linux to kill them when the server dies (PR_SET_PDEATHSIG) and leave when their pipe
  closes; TERM, INT and HUP stop the server, its workers and its port.
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from kgraph.sinks.oxigraph_store import current_store

MAX_QUERY_BYTES = 1 << 20
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_PR_SET_PDEATHSIG = 1

RESULTS_FORMATS = {  # media type -> pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
GRAPH_FORMATS = {  # media type -> pyoxigraph RdfFormat name
    "text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML", "application/n-quads": "N_QUADS",
}
SHORT_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                 "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml"}


# --------------------------------------------------------------------------- SERVICE


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n\r]*)"""
    r"""|(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\""""
    r"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")"""
    r"""|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)""",
    re.S,
)
_SERVICE_WORD = re.compile(r"(?<![?$])service", re.I)


def _unescape(query: str) -> str:
    def one(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _ESCAPE.sub(one, query)


def uses_service(query: str) -> bool:
    """Whether `query` may hold a SERVICE clause: the word outside strings, IRIs and comments.

    Errs on the side of refusing: a variable named ?service is allowed, a prefixed name like ex:service is not.
    SPARQL decodes \\uXXXX escapes anywhere in the text before parsing, so this looks at the decoded text.
    """
    text = _unescape(query)
    code = _TOKEN.sub(" ", text)
    return bool(_SERVICE_WORD.search(code))


# --------------------------------------------------------------------------- content negotiation


def _accepted(accept: str) -> list[tuple[float, str]]:
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                with contextlib.suppress(ValueError):
                    q = float(f[2:])
        if fields[0]:
            out.append((q - i * 1e-6, fields[0].lower()))  # ties: the order written
    return sorted(out, reverse=True)


def choose(accept: str | None, offers: dict[str, str], default: str) -> str | None:
    """The media type to answer with: the best of `offers` the client accepts (None: none acceptable)."""
    if not accept:
        return default
    for q, mt in _accepted(accept):
        if q <= 0:
            continue
        if mt in offers:
            return mt
        if mt == "*/*" or (mt.endswith("/*") and default.startswith(mt[:-1])):
            return default
        if mt.endswith("/*"):
            for o in offers:
                if o.startswith(mt[:-1]):
                    return o
    return None


# --------------------------------------------------------------------------- workers


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _evaluate(store: Any, req: dict[str, Any]) -> tuple[int, str, bytes]:
    from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, QueryTriples, RdfFormat

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
    _die_with(parent)
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


# --------------------------------------------------------------------------- HTTP


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server on this machine."""
    h = host.strip("[]")
    if h.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        try:
            infos = socket.getaddrinfo(h, None)
        except OSError:
            return False
        return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def parse_bind(bind: str) -> tuple[str, int]:
    """`host:port`, `[v6]:port` or `port` -> (host, port)."""
    host, sep, port = bind.rpartition(":")
    if not sep:
        host, port = "localhost", bind
    if not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{bind!r}: expected HOST:PORT")
    return host or "localhost", int(port)


def _store_dir(path: Path) -> Path | None:
    cur = current_store(path)
    where = cur if cur is not None else path
    return where if (where / "CURRENT").exists() else None


#: kgraph's pages load scripts and styles from this server only (the machine may be offline; no CDN), and
#: the page's own script talks to /query on the same origin.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class _Handler(BaseHTTPRequestHandler):
    server: "SparqlServer"
    server_version = "kgraph-serve"

    def log_message(self, fmt: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(fmt, *args)

    def _cors_origin(self) -> str | None:
        """The request's Origin when it is a page on this machine (Neo4j Browser on localhost:7474), else None."""
        origin = (self.headers.get("Origin") or "").strip()
        u = urlsplit(origin)
        if u.scheme in ("http", "https") and (u.hostname or "") in ("localhost", "127.0.0.1", "::1") and not u.path:
            return origin
        return None

    def _send(self, status: int, ctype: str, body: bytes, *, page: bool = False, cache: bool = False,
              cors: bool = False) -> None:
        self.send_response(status)
        origin = self._cors_origin() if cors else None
        if origin:  # the Neo4j Browser's :play fetches the guide across origins
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        if page:
            self.send_header("Content-Security-Policy", PAGE_POLICY)
            self.send_header("X-Frame-Options", "DENY")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, msg: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (msg + "\n").encode())

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower().rstrip(".")
        if host in self.server.allowed_hosts:
            return True
        self._text(403, f"Host {host or '(none)'!r} is not this server's name: only {', '.join(sorted(self.server.allowed_hosts))}")
        return False

    def do_GET(self) -> None:  # noqa: N802
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        if url.path == "/query":
            self._query(parse_qs(url.query, keep_blank_values=True))
        elif _pages().handles(url.path):
            self._page(url.path, parse_qs(url.query, keep_blank_values=True))
        else:
            self._text(404, "not found: the endpoint is /query, the query page /")

    def _page(self, path: str, query: dict[str, list[str]]) -> None:
        """kgraph's pages: GET only, each parameter one value bound by the page (never pasted into SPARQL)."""
        if path.startswith("/static/"):  # package files: no store needed
            r = _pages().handle(path, {}, None)
            self._send(r.status, r.content_type, r.body, cache=r.status == 200)
            return
        params = {k: v[0] for k, v in query.items() if v}
        guide = path == _pages().GUIDE_PATH
        req: dict[str, Any] = {"page": path, "params": params, "build": str(self.server.store)}
        status, ctype, body = self._run(req)
        self._send(status, ctype, body, page=ctype.startswith("text/html") and not guide, cors=guide)

    def do_OPTIONS(self) -> None:  # noqa: N802
        """CORS preflight, for the Neo4j Browser guide only (the Browser fetches it from its own origin)."""
        if not self._host_ok():
            return
        if urlsplit(self.path).path != _pages().GUIDE_PATH or self._cors_origin() is None:
            self._text(403, "cross-origin requests are answered for the Neo4j Browser guide only, from this machine")
            return
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", self._cors_origin() or "")
        self.send_header("Vary", "Origin")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        asked = self.headers.get("Access-Control-Request-Headers") or ""
        if asked and re.fullmatch(r"[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*", asked.strip()):
            self.send_header("Access-Control-Allow-Headers", asked.strip())
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _run(self, req: dict[str, Any]) -> tuple[int, str, bytes]:
        """`req` answered by a query worker within the timeout, once more if a rebuild swapped the store meanwhile."""
        status, ctype, body = 503, "text/plain; charset=utf-8", b"no store\n"
        for _ in range(2):
            where = _store_dir(self.server.store)
            if where is None:
                return 503, "text/plain; charset=utf-8", f"no store in {self.server.store} (is a build running for the first time?)\n".encode()
            req["store"] = str(where)
            status, ctype, body = self.server.workers.run(req, self.server.timeout)
            if status < 500 or _store_dir(self.server.store) == where:
                break
        return status, ctype, body

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        if url.path != "/query":
            self._text(404 if url.path not in ("/update", "/store") else 403, "read-only endpoint: queries at /query")
            return
        try:
            n = int(self.headers.get("Content-Length") or "")
        except ValueError:
            self._text(411, "Content-Length required")
            return
        if n < 0 or n > MAX_QUERY_BYTES:
            self._text(413, f"query larger than {MAX_QUERY_BYTES} bytes")
            return
        body = self.rfile.read(n)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._text(400, "the request body is not UTF-8")
            return
        if ctype == "application/sparql-query":
            params["query"] = [text]
        elif ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-update":
            self._text(403, "read-only endpoint: updates are refused")
            return
        else:
            self._text(415, "send application/sparql-query or application/x-www-form-urlencoded")
            return
        self._query(params)

    def _query(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._text(403, "read-only endpoint: updates are refused")
            return
        queries = params.get("query") or []
        if len(queries) != 1 or not queries[0].strip():
            self._text(400, "give exactly one query parameter")
            return
        query = queries[0]
        if not self.server.allow_service and uses_service(query):
            self._text(403, "SERVICE (a query that makes this server send requests elsewhere) is refused; "
                            "start kg serve with --allow-service to allow it")
            return
        accept = self.headers.get("Accept")
        if params.get("format"):
            f = params["format"][0].lower()
            accept = SHORT_FORMATS.get(f, f)
        req = {"query": query, "accept": accept, "default_graphs": params.get("default-graph-uri", []),
               "named_graphs": params.get("named-graph-uri", [])}
        self._send(*self._run(req))


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store: Path, host: str, port: int, *, timeout: float, workers: int,
                 allow_service: bool = False, memory_mb: int | None = None, quiet: bool = False):
        self.address_family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        self.store, self.timeout, self.allow_service, self.quiet = store, timeout, allow_service, quiet
        super().__init__((host.strip("[]"), port), _Handler)
        self.port = self.server_address[1]
        names = {*LOOPBACK_NAMES, host.lower() if ":" not in host.strip("[]") else f"[{host.strip('[]').lower()}]"}
        self.allowed_hosts = {f"{n}:{self.port}" for n in names} | (names if self.port == 80 else set())
        self.workers = QueryWorkers(workers, memory_mb)

    def server_close(self) -> None:
        super().server_close()
        self.workers.close()


def serve(store: Path, host: str, port: int, *, timeout: float = 30, workers: int = 2, allow_service: bool = False,
          memory_mb: int | None = None, quiet: bool = False, on_ready: Callable[[SparqlServer], None] | None = None) -> None:
    """Serve until TERM, INT or HUP; then close the port and end the workers."""
    server = SparqlServer(store, host, port, timeout=timeout, workers=workers, allow_service=allow_service,
                          memory_mb=memory_mb, quiet=quiet)
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    server.workers.wait_started(workers, limit=120, stop=stop)  # the port is bound: early clients wait in its backlog
    thread = threading.Thread(target=server.serve_forever, name="kg-serve-http", daemon=True)
    thread.start()
    try:
        if on_ready:
            on_ready(server)
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        for s, h in previous.items():
            signal.signal(s, h)


if __name__ == "__main__":  # a query worker: python -m kgraph.serve FD PARENT_PID MEMORY_BYTES
    _fd, _parent, _memory = (int(a) for a in sys.argv[1:4])
    _worker_main(Connection(_fd), _parent, _memory or None)
