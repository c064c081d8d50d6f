"""What `kgraph.sinks.files.stale_lines` costs on a finished build: peak RSS it adds and CPU seconds.

    python bench/bench_stale_lines.py OUT [--parts 20] [--mode none|changed]

It takes the OUT build's largest parts (the instruments' part left out) as first versions of parts written
again, and asks what a store loaded from them must drop, against OUT/graph.nt: `none`, the part gone from the
corpus (every line probed in the graph, all found); `changed`, a first version with every 7th line altered
and a new version without every 5th line of it (the lines of neither are probed, a seventh of them gone).
For A/B against another checkout run this same script with `PYTHONPATH=<that checkout>`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from pathlib import Path

from kgraph.graph.rdf import citation_prefix
from kgraph.sinks import files

from bench_build_memory import proc_status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--parts", type=int, default=20)
    ap.add_argument("--mode", choices=["none", "changed"], default="none")
    args = ap.parse_args()
    base = json.loads((args.out / "manifest.json").read_text())["base"]
    parts = sorted((args.out / "parts").glob("*.nt"), key=lambda p: (-p.stat().st_size, p.name))
    parts = [p for p in parts if not p.name.startswith("_")][: args.parts]
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[tuple[Path, Path | None]] = []
        for i, p in enumerate(parts):
            if args.mode == "none":
                cases.append((p, None))
                continue
            lines = p.read_bytes().splitlines(keepends=True)
            first = sorted({ln if k % 7 else ln.replace(b"> .", b"x> .") for k, ln in enumerate(lines)})
            a, b = Path(tmp) / f"{i}.first.nt", Path(tmp) / f"{i}.new.nt"
            a.write_bytes(b"".join(first))
            b.write_bytes(b"".join(ln for k, ln in enumerate(first) if k % 5))
            cases.append((a, b))
        n_lines = sum(sum(1 for _ in open(a, "rb")) for a, _ in cases)
        before = proc_status()
        h = hashlib.sha256()
        gone = 0
        c = time.process_time()
        for a, b in cases:
            r = files.stale_lines(a, b, args.out / "graph.nt", last=f"<{citation_prefix(base)}")
            gone += len(r)
            h.update(b"".join(r))
        cpu = time.process_time() - c
        after = proc_status()
    print(json.dumps({"code": files.__file__, "mode": args.mode, "parts": len(cases), "lines": n_lines,
                      "gone": gone, "answer_sha256": h.hexdigest()[:16], "cpu_s": round(cpu, 3),
                      "peak_rss_added_mb": round(after["VmHWM"] - before["VmHWM"], 1)}))


if __name__ == "__main__":
    main()
