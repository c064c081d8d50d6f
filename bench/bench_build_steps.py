"""Where a build worker's CPU goes: each step of `kgraph.build_tasks.extract_one`, over every file, in one process.

    python bench/bench_build_steps.py [INPUT...] [--profile N]

Defaults to ../shared/corpus/congbao and ../shared/corpus/laws. The steps are the ones `extract_one` runs, in
its order, each timed in process CPU seconds (`time.process_time`): read, hash, extract, the references'
keys, the facts, the cached extraction's and facts' JSON, the file's own resolver, resolution, its triples,
the sorted part, the part's dependencies. Everything but `extract` is the work around the extractor that
`kg build` adds to it. `--profile N` also prints cProfile's N costliest functions of that work.

On a shared machine compare runs made in the same minutes (the CPU column moves less than wall time does,
but still moves with the load); for a change, alternate this with a checkout of the code before it.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*", default=[str(SHARED / "corpus" / "congbao"), str(SHARED / "corpus" / "laws")])
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile the work around the extractor")
    a = ap.parse_args()

    from kgraph.build import discover
    from kgraph.build_cache import extraction_to_cache, facts_path, write_atomically
    from kgraph.build_tasks import part_dependencies, warm_extractor
    from kgraph.extract import extract
    from kgraph.graph.rdf import file_triples
    from kgraph.link.corpus import Resolver, facts_of
    from kgraph.link.extraction_keys import reference_keys
    from kgraph.link.resolved import resolve
    from kgraph.reader import annotate, read_source
    from kgraph.sinks.files import write_part

    files, _ = discover(a.inputs)
    warm_extractor()  # as the build does before its workers fork
    tmp = Path(tempfile.mkdtemp(prefix="kg-steps-"))
    cpu: dict[str, float] = {}
    prof = cProfile.Profile() if a.profile else None
    n = size = 0

    def step(name: str, t0: float) -> float:
        t = time.process_time()
        cpu[name] = cpu.get(name, 0.0) + t - t0
        return t

    try:
        for i, src in enumerate(files):
            t = time.process_time()
            try:
                st = read_source(src)
            except Exception:  # a file the build reports as a problem
                continue
            t = step("read", t)
            sha = hashlib.sha256(st.raw).hexdigest()
            t = step("sha256", t)
            ext = annotate(extract(st.text, src), st)
            ext.source = src
            t = step("extract", t)
            if prof:
                prof.enable()
            keys = reference_keys(ext)
            t = step("keys", t)
            facts = facts_of(ext, sha, keys)
            t = step("facts", t)
            cache = str(tmp / f"{sha}.json")
            write_atomically(cache, json.dumps(extraction_to_cache(ext), ensure_ascii=False, separators=(",", ":")))
            t = step("cache json", t)
            write_atomically(facts_path(cache), json.dumps(facts, ensure_ascii=False, separators=(",", ":")))
            t = step("facts json", t)
            guess = Resolver([facts])
            t = step("file resolver", t)
            resolved = resolve(ext, guess, content_hash=sha, source=src, keys=keys)
            t = step("resolve", t)
            lines, counts = file_triples(resolved)
            t = step("file_triples", t)
            write_part(lines, tmp / f"{i}.nt")
            t = step("write_part", t)
            part_dependencies(facts, guess)
            step("part deps", t)
            if prof:
                prof.disable()
            n += 1
            size += len(st.raw)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = sum(cpu.values())
    around = total - cpu.get("extract", 0.0)
    print(f"{n} files, {size / 1e6:.1f} MB: CPU s per step of extract_one")
    for name, v in cpu.items():
        print(f"  {name:14s} {v:7.3f}")
    print(f"  {'total':14s} {total:7.3f}   around the extractor {around:.3f} ({around / total:.0%})")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(a.profile)


if __name__ == "__main__":
    main()
