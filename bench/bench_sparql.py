"""The named queries on one graph through Oxigraph (the store `kg build` makes) and through rdflib's own engine.

    python bench/bench_sparql.py [--store DIR] [--repeat 20] [--rdflib-timeout 120]

Without --store it builds ../shared/corpus/congbao + laws into a temporary folder first. Reports load
times, then each query's median time in Oxigraph (the on-disk store, opened read-only) and in an
in-memory rdflib Graph holding the same triples, with the same query text and the same bound ?target.
This is a benchmark, not a test: it shows why the store is Oxigraph.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


class Timeout(Exception):
    pass


def _alarm(signum, frame):  # noqa: ANN001
    raise Timeout()


def _for_rdflib(q: str) -> str:
    """The query with its optional ?pin always bound: rdflib raises on GROUP_CONCAT(DISTINCT ?pin) when
    ?pin is unbound, though SPARQL 1.1 says aggregates skip unbound values."""
    return q.replace(
        "OPTIONAL { ?c kg:pinpoint/rdfs:label ?pin }",
        'OPTIONAL { ?c kg:pinpoint/rdfs:label ?pin0 } BIND(COALESCE(?pin0, "") AS ?pin)',
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a build folder (default: build the shared corpus into a temporary one)")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--rdflib-repeat", type=int, default=3)
    ap.add_argument("--rdflib-timeout", type=int, default=120, help="seconds before an rdflib query is given up")
    a = ap.parse_args()

    from pyoxigraph import RdfFormat, Store

    from kgraph.sinks.oxigraph_store import open_store
    from kgraph.sparql import OxigraphBackend, bind_values

    tmp = None
    if a.store:
        out = Path(a.store)
    else:
        from kgraph.build import build

        tmp = tempfile.TemporaryDirectory(prefix="kg-sparql-")
        out = Path(tmp.name) / "out"
        print("building the shared corpus ...", file=sys.stderr)
        build([str(SHARED / "corpus" / "congbao"), str(SHARED / "corpus" / "laws")], out, workers=2)
    nt = out / "graph.nt"

    t = time.perf_counter()
    ox = open_store(out)
    backend = OxigraphBackend(ox)  # what `kg query` runs
    t_open = time.perf_counter() - t
    t = time.perf_counter()
    mem = Store()
    mem.bulk_load(path=str(nt), format=RdfFormat.N_TRIPLES)
    t_oxload = time.perf_counter() - t

    import rdflib

    t = time.perf_counter()
    g = rdflib.Graph()
    g.parse(str(nt), format="nt")
    t_rdfload = time.perf_counter() - t
    print(f"graph: {len(g)} triples, {nt.stat().st_size / 1e6:.1f} MB of N-Triples")
    print(f"load: Oxigraph store open {t_open * 1000:.0f} ms; Oxigraph in-memory bulk load {t_oxload:.2f} s; rdflib parse {t_rdfload:.2f} s")

    top = backend.run("most-cited", ["1"]).rows[0]
    x = top["number"] or top["label"]
    issuer = backend.run("by-issuer", []).rows[0]["issuer"]
    target = backend.resolve_instrument(x)[0]
    org = backend.resolve_issuer(issuer)[0]
    queries = backend.queries
    q_citing = (
        "SELECT ?d (COUNT(?c) AS ?n) WHERE { ?c <https://w3id.org/kgraph/ontology#citingDocument> ?d } "
        "GROUP BY ?d ORDER BY DESC(?n) ?d LIMIT 1"
    )
    citing = next(iter(ox.query(q_citing)))["d"].value  # the document citing the most, for `cites`
    q_pinned = (
        "SELECT ?d (COUNT(?c) AS ?n) WHERE { ?c <https://w3id.org/kgraph/ontology#citedDocument> ?d ; "
        "<https://w3id.org/kgraph/ontology#pinpoint> ?p } GROUP BY ?d ORDER BY DESC(?n) ?d LIMIT 1"
    )
    pinned = next(iter(ox.query(q_pinned)))["d"].value  # the instrument whose provisions are cited most

    # `kg query cited-by X` in process: resolving what the user typed, then the query
    for typed in (x, "nd " + x.replace("Đ", "D")) if x[:1].isdigit() else (x,):
        lat = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            rows = backend.run("cited-by", [typed]).rows
            lat.append(time.perf_counter() - t)
        print(f"kg query cited-by {typed!r}: {len(rows)} rows, median {statistics.median(lat) * 1000:.1f} ms "
              f"(max {max(lat) * 1000:.1f} ms) resolve + query, in process")
    cases = [
        ("cited-by", "target", target),
        ("cites", "target", citing),
        ("provisions-cited", "target", pinned),
        ("basis-chain", "target", citing),
        ("most-cited", None, None),
        ("by-issuer", None, None),
        ("by-issuer-documents", "org", org),
        ("stale-citations", None, None),
    ]
    print(f"X = {x} ({target}); ISSUER = {issuer}\n")
    print(f"{'query':22} {'rows':>6} {'Oxigraph ms':>12} {'rdflib ms':>12} {'ratio':>8}")
    signal.signal(signal.SIGALRM, _alarm)
    for name, var, value in cases:
        q = bind_values(queries[name].text, var, [value]) if var else queries[name].text  # as `kg query` runs it
        times = []
        n = 0
        for _ in range(a.repeat):
            t = time.perf_counter()
            n = sum(1 for _ in ox.query(q))
            times.append(time.perf_counter() - t)
        ox_ms = statistics.median(times) * 1000
        binds = None
        rtimes = []
        rn = None
        rewritten = False
        for _ in range(a.rdflib_repeat + 1):
            if len(rtimes) >= a.rdflib_repeat:
                break
            signal.alarm(a.rdflib_timeout)
            try:
                t = time.perf_counter()
                rn = len(list(g.query(q, initBindings=binds)))
                rtimes.append(time.perf_counter() - t)
            except Timeout:
                rtimes = []
                break
            except Exception as e:  # rdflib's engine fails on some valid SPARQL 1.1
                portable = _for_rdflib(q)
                if portable == q:
                    rtimes = []
                    rn = f"error: {type(e).__name__}: {str(e)[:60]}"
                    break
                q = portable  # retried once in a form rdflib can run
                rewritten = True
                continue
            finally:
                signal.alarm(0)
        if rtimes:
            r_ms = statistics.median(rtimes) * 1000
            same = "" if rn == n else f"  (rdflib gave {rn} rows)"
            same += "  (rdflib: unbound ?pin bound to \"\" first: it fails on GROUP_CONCAT of an unbound value)" if rewritten else ""
            print(f"{name:22} {n:>6} {ox_ms:>12.1f} {r_ms:>12.1f} {r_ms / ox_ms:>7.1f}x{same}")
        elif isinstance(rn, str):
            print(f"{name:22} {n:>6} {ox_ms:>12.1f} {'—':>12} {'':>8}  (rdflib {rn})")
        else:
            print(f"{name:22} {n:>6} {ox_ms:>12.1f} {'> ' + str(a.rdflib_timeout * 1000):>12} {'':>8}")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
