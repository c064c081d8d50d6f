"""`kg serve` against hostile clients (issue 14, item 1): real HTTP requests to a served test store on
127.0.0.1 (an ephemeral port). Every wait is bounded; the server is stopped by pid at the end."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgraph.serve import choose, uses_service
from kgraph.sinks.oxigraph_store import current_store

from processes import alive, children, wait_gone
from test_build import doc, json_extract, run

KG = str(Path(sys.executable).with_name("kg"))
COUNT_DOCS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?x kg:source ?s }"  # kgraph prefixes are predeclared


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Served:
    def __init__(self, out: Path, *args: str):
        self.proc = subprocess.Popen([KG, "serve", "--store", str(out), "--bind", "127.0.0.1:0", "-q", *args],
                                     stderr=subprocess.PIPE, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stderr.readline()), daemon=True)
        reader.start()
        reader.join(60)
        assert line and "http://127.0.0.1:" in line[0], (line, self.proc.poll())
        self.port = int(line[0].split("http://127.0.0.1:")[1].split("/")[0])
        self.workers: set[int] = set()
        deadline = time.monotonic() + 30
        while len(self.workers) < 2 and time.monotonic() < deadline:  # the query processes have started
            self.workers = children(self.proc.pid)
            time.sleep(0.1)

    def request(self, query: str | None = None, *, method: str = "GET", host: str | None = None,
                accept: str | None = None, timeout: float = 30, body: bytes | None = None,
                ctype: str | None = None, path: str = "/query") -> tuple[int, str, str]:
        url = f"http://127.0.0.1:{self.port}{path}"
        if query is not None and method == "GET":
            url += "?" + urllib.parse.urlencode({"query": query})
        elif query is not None:
            body, ctype = urllib.parse.urlencode({"query": query}).encode(), "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=body, method=method)
        if host:
            req.add_unredirected_header("Host", host)
        if accept:
            req.add_header("Accept", accept)
        if ctype:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read().decode()

    def count(self) -> int:
        status, _, body = self.request(COUNT_DOCS, accept="application/sparql-results+json")
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        for pid in self.workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def _build_twelve(base: Path) -> tuple[Path, Path]:
    src = base / "in"
    src.mkdir()
    for i in range(12):  # ~150 triples: a cartesian product of six patterns never ends
        (src / f"d{i}.txt").write_text(doc(f"{i + 1}/2020/NĐ-CP", ("163/2016/NĐ-CP", "based_on"), ("1/2019/QH14", "cites")), "utf-8")
    out = base / "out"
    run([src], out)
    return src, out


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    return _build_twelve(tmp_path)


@pytest.fixture(scope="module")
def served_read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that only ask (each checks the store is unchanged where it tries to change it):
    one `kg serve` start instead of one per test."""
    s = Served(_build_twelve(tmp_path_factory.mktemp("serve-ro"))[1], "--timeout", "3")
    yield s
    s.stop()


@pytest.fixture
def served(built: tuple[Path, Path]) -> Iterator[Served]:
    s = Served(built[1], "--timeout", "3")
    yield s
    s.stop()


def test_the_protocol_answers_in_each_format(served_read_only: Served) -> None:
    served = served_read_only
    assert served.count() == 12
    for accept, ctype, check in (("text/csv", "text/csv", "n\r\n12"), ("text/tab-separated-values", "text/tab-separated-values", "?n\n12"),
                                 ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql")):
        status, got, body = served.request(COUNT_DOCS, accept=accept)
        assert status == 200 and got.startswith(ctype) and check in body, (accept, body)
    status, _, body = served.request(COUNT_DOCS, method="POST")
    assert status == 200 and '"12"' in body
    status, _, body = served.request(body=COUNT_DOCS.encode(), method="POST", ctype="application/sparql-query")
    assert status == 200 and '"12"' in body
    status, got, body = served.request("CONSTRUCT WHERE { ?s a ?o } LIMIT 1", accept="application/n-triples")
    assert status == 200 and got.startswith("application/n-triples") and body.count(" .\n") == 1
    status, _, _ = served.request(body=b"DELETE WHERE { ?s ?p ?o }", method="POST", ctype="application/sparql-update")
    assert status == 403
    assert served.count() == 12
    status, got, body = served.request(path="/")
    assert status == 200 and "PREFIX kg:" in body


def test_service_is_refused_and_nothing_reaches_the_target(served_read_only: Served) -> None:
    served = served_read_only
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    reached: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                c, _ = listener.accept()
            except OSError:
                continue
            reached.append(c.recv(1000))
            c.close()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    target = f"http://127.0.0.1:{port}/sparql"
    try:
        for q in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                  f"select * {{ service silent <{target}> {{ ?s ?p ?o }} }}",
                  f"SELECT * {{ ?s ?p ?o .SERVICE<{target}>{{?a ?b ?c}} }}",
                  f"SELECT * {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
                  f"SELECT * {{ BIND(<{target}> AS ?u) SeRvIcE ?u {{ ?s ?p ?o }} }}"):
            status, _, body = served.request(q)
            assert status == 403 and "SERVICE" in body, (q, status, body)
            status, _, body = served.request(q, method="POST")
            assert status == 403, q
        time.sleep(1)
        assert reached == []
        # the word in a string, an IRI or a comment is not a SERVICE clause
        status, _, body = served.request('SELECT * { ?s ?p "service" . FILTER(?s != <http://x/service>) } # service')
        assert status == 200, body
    finally:
        stop.set()
        t.join(5)
        listener.close()


def test_uses_service_reads_sparql_tokens() -> None:
    assert uses_service("SELECT * { SERVICE <http://a/> { ?s ?p ?o } }")
    assert uses_service('SELECT * { ?s ?p "a" SERVICE <http://a/> {} }')
    assert uses_service("SELECT * { FILTER(1 < 2) SERVICE <http://a/> {} FILTER(2 > 1) }")
    assert uses_service("SELECT * { ?s ?p 1SERVICE <http://a/> {} }")
    assert uses_service('SELECT * { ?s ?p "x\\u0022 SERVICE <http://a/> {} " }')  # the escape ends the string
    assert not uses_service('SELECT ?service { ?s ?p """service\n""" ; <http://a/#service> \'SERVICE\' } # SERVICE')


def test_the_host_header_is_checked(served_read_only: Served) -> None:
    served = served_read_only
    q = "ASK {}"
    assert served.request(q, host=f"localhost:{served.port}")[0] == 200
    assert served.request(q, host=f"127.0.0.1:{served.port}")[0] == 200
    for bad in (f"evil.example:{served.port}", "evil.example", f"127.0.0.1:{served.port + 1}", f"localhost.evil.example:{served.port}"):
        status, _, body = served.request(q, host=bad)
        assert status == 403 and "Host" in body, bad
        assert served.request(path="/", host=bad)[0] == 403


def test_a_query_that_runs_too_long_is_stopped_and_the_server_goes_on(served: Served) -> None:
    product = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r }"
    t = time.monotonic()
    status, _, body = served.request(product, timeout=60)
    assert status == 503 and "longer than 3 s" in body
    assert time.monotonic() - t < 15
    assert served.count() == 12  # a fresh worker answers
    # two abandoned at once: the client goes away, the server stops them anyway
    for _ in range(2):
        with pytest.raises((TimeoutError, urllib.error.URLError, socket.timeout)):
            served.request(product, timeout=0.5)
    # both stopped at their 3 s: a worker answers within 6 s (the request itself waits up to 3 s for a free one)
    deadline = time.monotonic() + 6
    while (status := served.request(COUNT_DOCS, accept="application/sparql-results+json"))[0] != 200:
        assert status[0] == 503 and time.monotonic() < deadline, status
        time.sleep(0.2)
    assert served.count() == 12


def test_a_rebuild_while_serving_is_followed(served: Served, built: tuple[Path, Path]) -> None:
    src, out = built
    first = current_store(out)
    assert served.count() == 12
    for i in range(12, 15):
        (src / f"d{i}.txt").write_text(doc(f"{i + 1}/2020/NĐ-CP", ("163/2016/NĐ-CP", "cites")), "utf-8")
        run([src], out)
        assert served.count() == i + 1
    assert not first.exists()  # the build deleted the first store; the server reads the current one


def test_term_ends_the_server_its_workers_and_its_port(built: tuple[Path, Path]) -> None:
    s = Served(built[1])
    try:
        assert s.count() == 12 and len(s.workers) == 2
        s.proc.send_signal(signal.SIGTERM)
        assert s.proc.wait(15) == 0
        assert not wait_gone(s.workers, 10)
        assert not _port_open(s.port)
    finally:
        s.stop()


def test_workers_end_when_the_server_is_killed(built: tuple[Path, Path]) -> None:
    s = Served(built[1])
    try:
        assert len(s.workers) == 2
        s.proc.kill()
        s.proc.wait(15)
        assert not wait_gone(s.workers, 10)
        assert not _port_open(s.port)
    finally:
        s.stop()


def test_a_bind_outside_the_loopback_needs_public(built: tuple[Path, Path]) -> None:
    p = subprocess.run([KG, "serve", "--store", str(built[1]), "--bind", "0.0.0.0:0"], capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "--public" in p.stderr
    proc = subprocess.Popen([KG, "serve", "--store", str(built[1]), "--bind", "0.0.0.0:0", "--public", "-q"],
                            stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend([proc.stderr.readline(), proc.stderr.readline()]), daemon=True)
        reader.start()
        reader.join(60)
        assert lines and lines[0].startswith("warning: serving on 0.0.0.0:0, outside the loopback")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def test_content_negotiation() -> None:
    offers = {"text/csv": "CSV", "application/sparql-results+json": "JSON"}
    assert choose(None, offers, "application/sparql-results+json") == "application/sparql-results+json"
    assert choose("text/csv;q=0.5, application/sparql-results+json", offers, "x") == "application/sparql-results+json"
    assert choose("text/*", offers, "application/sparql-results+json") == "text/csv"
    assert choose("image/png", offers, "application/sparql-results+json") is None
