"""Where all the CPU of one `kg build` goes, by process: the build's own, each worker of each pool, the store
loader's process, the parts' `sort`, with the build's phases from its summary.

    python bench/bench_build_processes.py [INPUT...] [--workers 2] [--rounds 1] [--pythonpath DIR]

Defaults to ../shared/corpus/congbao and ../shared/corpus/laws, a fresh output folder each round (cache cold).
The build runs as `kg build` does, in a process of its own; a sampler polls the CPU seconds (user + system) of
that process and of every process under it every 20 ms and keeps each one's last reading (a process's last
<20 ms can be missed). `--pythonpath` runs another checkout of the code (e.g. main's, for an A/B in the same
minutes). The build's own process is also given by phase (the summary's `cpu_seconds`, measured here
without the workers it reaps); what it spends before the first phase (the interpreter, imports) is the
difference from its total.

Needs psutil, which the test extra brings (through Dask's `distributed`): `pip install -e '.[test]'`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

_BUILD = r"""
import json, os, sys
import kgraph.build
from kgraph.build import build, discover

def own_cpu():  # the build's own process only: its phases' CPU without the workers it reaps
    t = os.times()
    return t.user + t.system

kgraph.build._cpu = own_cpu
files, _ = discover(sys.argv[3:])
summary = build(files, sys.argv[1], workers=int(sys.argv[2])).summary
print(json.dumps({**summary, "code": os.path.dirname(os.path.dirname(kgraph.build.__file__))}))
"""


def _role(p: psutil.Process, root: int) -> str:
    """What a process of the build is, from its command line. A child seen just after its fork (before it execs
    the loader or `sort`) still shows the build's command line: the caller asks again at each poll, so a
    process is classed by its last reading, and the forked workers are numbered at the end."""
    try:
        cmd = p.cmdline()
    except psutil.Error:
        return "?"
    if not cmd:  # a process that has ended and not yet been reaped: no command line to read
        return "?"
    if p.pid == root:
        return "build"
    if any(c.endswith("oxigraph_store.py") for c in cmd):
        return "store loader"
    if cmd and os.path.basename(cmd[0]) == "sort":
        return "sort"
    if p.ppid() == root and cmd and "python" in os.path.basename(cmd[0]):
        return "worker"
    return "other: " + " ".join(cmd[:2])


def one_build(inputs: list[str], workers: int, pythonpath: str | None) -> dict:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryDirectory(prefix="kg-procs-") as tmp:
        out = str(Path(tmp) / "out")
        proc = subprocess.Popen([sys.executable, "-c", _BUILD, out, str(workers), *inputs], stdout=subprocess.PIPE,
                                env=env, cwd=pythonpath or ROOT)  # `-c` puts the folder it runs in first
        root = psutil.Process(proc.pid)
        cpu: dict[int, tuple[float, float]] = {}
        roles: dict[int, str] = {}
        while proc.poll() is None:
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                try:
                    t = p.cpu_times()
                    cpu[p.pid] = (t.user, t.system)
                    if roles.get(p.pid, "worker") in ("worker", "?"):  # a fork not yet exec'd looks like a worker
                        role = _role(p, root.pid)
                        if role != "?" or p.pid not in roles:
                            roles[p.pid] = role
                except psutil.Error:
                    pass
            time.sleep(0.02)
        summary = json.loads(proc.stdout.read().decode().strip().splitlines()[-1])  # type: ignore[union-attr]
        proc.wait()
    workers = sorted(pid for pid, r in roles.items() if r == "worker")  # numbered by pid
    by_role: dict[str, list[float]] = {}
    for pid, (user, system) in cpu.items():
        role = roles.get(pid, "?")
        acc = by_role.setdefault(f"worker {workers.index(pid) + 1}" if role == "worker" else role, [0.0, 0.0])
        acc[0] += user
        acc[1] += system
    return {"processes": by_role, "summary_cpu": summary["cpu_seconds"], "seconds": summary["seconds"],
            "triples": summary["triples"], "code": summary["code"], "graph_sha256": summary["graph_sha256"],
            "mb": summary["input_bytes"] / 1e6, "peak_rss_mb": summary.get("peak_rss_mb", {})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*", default=[str(SHARED / "corpus" / "congbao"), str(SHARED / "corpus" / "laws")])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--pythonpath", help="run the build with this PYTHONPATH (another checkout)")
    a = ap.parse_args()
    for i in range(a.rounds):
        r = one_build(a.inputs, a.workers, a.pythonpath)
        total = sum(u + s for u, s in r["processes"].values())
        print(f"round {i + 1}: code {r['code']}, {r['mb']:.1f} MB, {r['triples']} triples, graph {r['graph_sha256'][:12]}, "
              f"load average {os.getloadavg()[0]:.1f}")
        print("  CPU s by process (user + system): " + ", ".join(
            f"{k} {u + s:.2f} ({u:.2f} + {s:.2f})" for k, (u, s) in sorted(r["processes"].items())) + f"; all {total:.2f}")
        own = dict(r["summary_cpu"])
        own_total = own.pop("total")
        print("  the build's own process by phase, CPU s: " + ", ".join(f"{k} {v:.2f}" for k, v in own.items())
              + f"; before the first phase {own_total - sum(own.values()):.2f}")
        print("  wall s by phase (summary): " + json.dumps(r["seconds"]))
        print("  peak RSS MB (summary): " + json.dumps(r["peak_rss_mb"]))


if __name__ == "__main__":
    main()
