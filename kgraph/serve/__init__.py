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

import ipaddress
import re
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from kgraph.serve.guards import (
    LOOPBACK_NAMES,
    MAX_QUERY_BYTES,
    SHORT_FORMATS,
    choose,
    uses_service,
)
from kgraph.serve.workers import QueryWorkers, _pages
from kgraph.sinks.oxigraph_store import current_store

__all__ = ["choose", "is_loopback", "parse_bind", "serve", "uses_service", "SparqlServer", "QueryWorkers"]

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
