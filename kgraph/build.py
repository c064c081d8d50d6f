"""`kg build`: a folder of documents → a graph file and an embedded SPARQL store, incrementally.

The data flow, one phase each:

1. discover inputs (files, folders, globs) and hash each file's bytes;
2. extract the files whose hash (or the extractor's code) changed, in parallel; each result is cached
   by content hash, beside the small facts the corpus-level pass needs (read back as a stream, never
   held for the whole corpus), and its part of the graph is written at once (see 4); meanwhile a process
   of its own bulk-loads each part into a new Oxigraph store as it comes (RocksDB's memory grows with the
   store: kept out of this process);
3. resolve identities over the whole corpus (`kgraph.link.corpus.Resolver`);
4. resolve each file against the corpus (`kgraph.link.resolved.resolve`) and write its triples to its own
   sorted part: the part written beside the extraction is kept unless the corpus merges a name it
   mentions (or the file, the graph code or the base changed); the instruments' merged triples go to
   one more part; the store's thread loads these parts too; then what the whole graph implies (the stale
   reliances, `kgraph.graph.stale`) is derived from all the parts into a last one, while a `sort` process
   already merges the others (5);
5. merge the parts into `graph.nt` (sorted, duplicate-free, the reified citations after the resources:
   a rebuild with no change gives the same bytes; the derived part's few lines are placed as the merged
   file is written out); the store drops the lines of a part's first version
   that the graph no longer has (a part loaded in 2 and written again in 4), and is swapped in atomically;
6. write `summary.json`.

This module holds the phases and the summary. The inputs are found and hashed in `build_inputs`; the build
folder's own files (cache, facts, parts' names, manifest) are `build_cache`'s; the per-file work of phases 2
and 4 is `build_tasks`', and it runs in forked processes (`build_executor`) or on a Dask cluster (`build_dask`).

A file that cannot be read or extracted, or whose extraction outlasts the per-file time budget, is
reported with its problem and left out; the rest goes on. An input that names nothing (a missing path,
a pattern matching no file, a folder without documents) stops the build before anything is changed:
a typo must not empty a graph. Files with identical bytes are read and extracted once; each path stays
a source of that one document. Memory holds the corpus-level index of names and one file's extraction at a
time, not the corpus: each file's state (its manifest entry, its size, the phases' marks) is in a temporary
SQLite database (`build_cache.Ledger`), and so is the index of instruments (each one's own header, the types
and dates its citations give: `link.corpus.InstrumentIndex`); the parts the build sorts itself (the
instruments', the derived one) are held a bounded run of lines at a time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from kgraph.build_cache import (GRAPH_NT, GRAPH_TTL, CachedFacts, Ledger, MANIFEST, MANIFEST_VERSION, SUMMARY,
                                extraction_from_cache, extraction_from_dict, extraction_to_cache, facts_path,
                                load_manifest, part_name, read_facts, write_json)
from kgraph.build_executor import EXECUTORS, Executor
from kgraph.build_inputs import NAMES_NOTHING, InputsNotFound, Problem, discover, sha256_file
from kgraph.build_tasks import (FILE_TIMEOUT, Extractor, extract_one, init_extract, init_triples, own_peak_mb,
                                part_dependencies, stopped, triples_one, warm_extractor)
from kgraph.graph.ontology import ONTOLOGY_FILE, PREFIXES
from kgraph.graph.rdf import citation_prefix, instruments_triples
from kgraph.graph.stale import GROUP_LINES, stale_groups
from kgraph.link.corpus import Resolver
from kgraph.link.keys import DEFAULT_BASE
from kgraph.link.resolved import resolve_instruments
from kgraph.sinks.files import ntriples_to_turtle, stale_lines, start_merge, write_part
from kgraph.sinks.oxigraph_store import NoLoaderProcess, StoreLoader, StoreLoaderProcess, current_store, load_store

#: What other modules and tests take from `kgraph.build` (the build's parts live in kgraph/build_*.py).
__all__ = ["BuildResult", "DEFAULT_BASE", "EXECUTORS", "FILE_TIMEOUT", "GRAPH_NT", "GRAPH_TTL", "MANIFEST",
           "SUMMARY", "InputsNotFound", "Problem", "build", "clean", "discover", "extraction_from_cache",
           "extraction_from_dict", "extraction_to_cache", "extractor_fingerprint", "graph_fingerprint"]

_PKG = Path(__file__).resolve().parent


def _code_hash(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        if p.is_file():
            h.update(p.relative_to(_PKG.parent).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def extractor_fingerprint() -> str:
    """Changes whenever extraction could give a different result: its code, the model, the knowledge tables."""
    return _code_hash(
        [*(_PKG / "extract").rglob("*.py"), *(_PKG / "knowledge").glob("*"), _PKG / "numbers.py", _PKG / "model.py",
         *(_PKG / "reader").glob("*.py")]
    )


def graph_fingerprint() -> str:
    """Changes whenever the same extraction could give different triples: numbers, resolution, the writer, the
    tables, the ontology (its class closure gives the instruments' classes)."""
    return _code_hash(
        [_PKG / "numbers.py", *(_PKG / "link").glob("*.py"), *(_PKG / "graph").glob("*.py"),
         *(_PKG / "knowledge").glob("*"), ONTOLOGY_FILE]
    )


#: Lines of the instruments' part held at once before a sorted run goes to disk (`write_part`): its lines grow with
#: the corpus (34k at x1, 66k at x10), and sorting 50,000 held two copies of them (text and UTF-8), ~24 MB.
INSTRUMENT_LINES_HELD = 10_000

#: The part of what the whole graph implies (kgraph.graph.stale), beside the files' parts and the instruments'.
DERIVED_PART = "_stale.nt"


def _first_version(part: Path) -> Path:
    """Where a part the store loaded early is put aside while it is written again (until the store took back
    what that first version had and the new one has not)."""
    return part.with_name(part.name + ".loaded")


def _lines_of(paths: Iterable[Path]) -> Iterable[bytes]:
    for p in paths:
        with open(p, "rb") as f:
            yield from f


@dataclass
class BuildResult:
    summary: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


def _peak_rss_mb(workers_peak: float, store_loader: float) -> dict[str, float]:
    """This process's peak, the largest a worker reported of itself (the children's figure would also
    count `sort`, whose peak at fork is this process's), and the store loader's process's (0: none ran)."""
    return {"main": round(own_peak_mb(), 1), "largest_worker": round(workers_peak, 1),
            "store_loader": round(store_loader, 1)}


def _bare_report(found: dict[tuple[str, str | None], tuple[list[str], str]]) -> dict[str, Any]:
    """Bare names left unresolved by the catalogue: `ambiguous` where several instruments fit, `undetermined`
    where one is known but the catalogue's dates cannot say it was in force at the citing date."""
    rows = [{"name": nk, "citing_date": at, "candidates": nums, "reason": why}
            for (nk, at), (nums, why) in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]
    amb = [r for r in rows if len(r["candidates"]) > 1]
    und = [r for r in rows if len(r["candidates"]) <= 1]
    return {"ambiguous_count": len(amb), "ambiguous": amb, "undetermined_count": len(und), "undetermined": und}


def _cpu() -> float:
    """CPU seconds of this process and of its finished workers (a phase's CPU is the difference)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def build(
    inputs: Iterable[str],
    out: str | Path,
    *,
    workers: int = 1,
    fmt: str = "nt",
    base: str = DEFAULT_BASE,
    store: bool = True,
    force: bool = False,
    progress: bool = False,
    extractor: Extractor | None = None,
    file_timeout: float | None = FILE_TIMEOUT,
    executor: str = "local",
    scheduler: str | None = None,
) -> BuildResult:
    """Build or update the graph in `out` from `inputs`; see the module docstring for the phases.

    Raises `InputsNotFound` (nothing changed) when an input names nothing, and `RuntimeError` when
    another build holds the folder. `file_timeout` (seconds, None for none) bounds each file's extraction.
    `executor` says where extraction and the per-file triples run: `local` (forked processes) or `dask`
    (a Dask cluster at `scheduler`, or a local one of `workers` processes); the graph is the same.
    """
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    inputs = list(inputs)
    t = time.perf_counter()
    c0 = _cpu()
    sources, problems = discover(inputs)
    timings["discover"] = time.perf_counter() - t
    cpu = {"discover": _cpu() - c0}
    rss_after: dict[str, float] = {}
    nothing = [p for p in problems if p.problem in NAMES_NOTHING]
    if nothing or not sources:
        said = "; ".join(map(str, nothing or problems)) or "no input files"
        raise InputsNotFound(f"{said}: nothing was built and nothing in {out} was changed")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lock = open(out / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise RuntimeError(f"{out}: another build is running in this folder") from None
    runner = Executor(executor, scheduler, workers, lock_fd=lock.fileno())
    loading = _Loading(out if store else None)
    try:
        return _build_locked(sources, problems, out, workers, fmt, base, store, force, progress, extractor,
                             file_timeout, t_start, timings, cpu, rss_after, runner, loading)
    except BaseException:
        loading.abort()  # the half-loaded new store goes; the current one is untouched
        raise
    finally:
        runner.close()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


class _Loading:
    """The new store, loaded beside the build by a `StoreLoader` in a process of its own once there is something
    to load (its RocksDB grows with the store: kept out of the build's process), and the files whose parts it
    was given as the extraction wrote them (a part the corpus pass writes again has its first version's lines
    taken back)."""

    def __init__(self, out: Path | None):
        self.out = out  # None: no store is built
        self.loader: StoreLoaderProcess | StoreLoader | None = None
        self.peak_mb = 0.0  # the loader's process, once it ended

    def start(self) -> bool:
        """Start loading (once there is something to load); False when no store is built."""
        if self.out is not None and self.loader is None:
            try:
                self.loader = StoreLoaderProcess(self.out)
            except NoLoaderProcess:
                self.loader = StoreLoader(self.out)  # a thread of this process, as before
        return self.loader is not None

    def add(self, part: Path, loaded: Path | None = None) -> None:
        if self.loader is not None:
            self.loader.add(part, loaded)

    def finish(self, graph_hash: str) -> Path:
        assert self.loader is not None
        try:
            return self.loader.finish(graph_hash)
        finally:
            self.peak_mb = getattr(self.loader, "peak_mb", None) or 0.0
            self.loader = None

    def abort(self) -> None:
        if self.loader is not None:
            self.loader.abort()
            self.peak_mb = getattr(self.loader, "peak_mb", None) or 0.0
            self.loader = None


def _build_locked(sources, problems, out: Path, workers, fmt, base, store, force, progress, extractor,
                  file_timeout, t_start, timings, cpu, rss_after, runner: Executor, loading: _Loading) -> BuildResult:
    cache = out / "cache"
    parts = out / "parts"
    cache.mkdir(exist_ok=True)
    parts.mkdir(exist_ok=True)
    for stray in [*cache.glob("*.tmp"), *parts.glob("*.tmp"), *parts.glob("*.loaded")]:  # left by a build that was killed
        stray.unlink(missing_ok=True)
    old = load_manifest(out)
    ext_fp = extractor_fingerprint() if extractor is None else f"custom:{getattr(extractor, '__qualname__', '?')}"
    graph_fp = graph_fingerprint()
    same_extractor = not force and old.get("extractor") == ext_fp
    # every file's state from here on is in the ledger (on disk), not in this process's heap
    files = Ledger(old.pop("files", {}))
    try:
        return _build_files(sources, problems, out, workers, fmt, base, store, progress, extractor, file_timeout,
                            t_start, timings, cpu, rss_after, runner, loading, old, ext_fp, graph_fp, same_extractor,
                            files)
    finally:
        files.close()


def _build_files(sources, problems, out: Path, workers, fmt, base, store, progress, extractor, file_timeout, t_start,
                 timings, cpu, rss_after, runner: Executor, loading: _Loading, old: dict[str, Any], ext_fp: str,
                 graph_fp: str, same_extractor: bool, files: Ledger) -> BuildResult:
    cache = out / "cache"
    parts = out / "parts"

    # 1. hash (discovered in `build`)
    t = time.perf_counter()
    c = _cpu()
    total_bytes = 0
    n_same_as = 0  # paths whose bytes equal an earlier path's: read once, under the first
    for src in sources:
        sha, size, err = sha256_file(src)
        if err:
            problems.append(Problem(src, err))
            continue
        total_bytes += size
        prev = files.old(src) if same_extractor else None
        cache_path = cache / f"{sha}.json"
        if not (prev and prev.get("sha256") == sha and cache_path.exists() and os.path.exists(facts_path(cache_path))):
            prev = None
        n_same_as += files.hashed(src, sha, size, prev) is not None
    timings["discover"] += time.perf_counter() - t
    cpu["discover"] = cpu.get("discover", 0.0) + _cpu() - c
    rss_after["discover"] = round(own_peak_mb(), 1)

    # 2. extract what changed: largest files first, so no worker is left with a big law at the end
    t = time.perf_counter()
    c = _cpu()
    todo = files.tasks(1, cache, parts)  # largest files first
    if extractor is None and workers > 1 and len(todo) and runner.kind == "local":
        warm_extractor()
    extracted_bytes = 0
    workers_peak = 0.0  # MB, as the workers report it
    extract_seconds = 0.0
    n_extracted = 0
    failed: dict[str, str] = {}
    n_same = 0
    for r in runner.map(extract_one, todo, init_extract, (extractor, file_timeout, base),
                        "extracting" if progress else None):
        stopped(r)
        if r["error"]:
            problems.append(Problem(r["source"], r["error"]))
            failed[r["source"]] = r["error"]
            continue
        extracted_bytes += r["bytes"]
        workers_peak = max(workers_peak, r["rss_mb"])
        n_extracted += 1
        extract_seconds += r["seconds"]
        entry = {"sha256": r["sha256"], "bytes": r["bytes"]}
        early = 0
        if r["counts"] is not None:  # its part, as the file alone resolves its names (kept if the corpus agrees)
            entry.update(counts=r["counts"], part=part_name(r["source"]), part_deps=r["part_deps"])
            # the store loads each part as soon as it exists, in a thread beside the workers (started with the
            # first part: a build whose only task is a file that fails again loads nothing)
            if loading.start():
                loading.add(parts / part_name(r["source"]))
                early = 1
        files.put(r["source"], entry, early=early)
    files.clear_tasks()
    if n_same_as:
        for src, first in files.same_bytes():
            if first in failed:
                problems.append(Problem(src, f"same bytes as {first}: {failed[first]}"))
            elif (e := files.entry(first)) is not None:
                files.put(src, {k: e[k] for k in ("sha256", "bytes")})
                n_same += 1
    timings["extract"] = time.perf_counter() - t
    cpu["extract"] = cpu.get("extract", 0.0) + _cpu() - c
    rss_after["extract"] = round(own_peak_mb(), 1)

    # 3. resolve over the corpus
    t = time.perf_counter()
    c = _cpu()
    resolver = Resolver(CachedFacts(cache, files.shas()))  # one file's facts at a time, read again on each walk
    alias_fp = resolver.alias_fingerprint()
    timings["resolve"] = time.perf_counter() - t
    cpu["resolve"] = cpu.get("resolve", 0.0) + _cpu() - c
    rss_after["resolve"] = round(own_peak_mb(), 1)

    # 4. per-file parts: redone when the file changed, when the corpus merges a name it mentions differently
    #    than its part was written with, or when the base or the graph code changed (extracted files' parts
    #    were just written with this code and base)
    t = time.perf_counter()
    c = _cpu()
    old_code = old.get("graph") != graph_fp or old.get("base") != base
    # a part written again whose first version the store has: that version is put aside (`_first_version`), the
    # store is given only what the new version adds, and takes back what the first had and the graph has not
    for src, entry, kept, early in files.rows("entry, kept, early"):
        e = json.loads(entry)
        part = parts / part_name(src)
        deps = part_dependencies(read_facts(cache, e["sha256"]), resolver)
        fresh = ("counts" in e and e.get("part") == part.name and e.get("part_deps") == deps and part.exists()
                 and not (old_code and kept))
        e["part"] = part.name
        e["part_deps"] = deps
        if fresh:
            files.put(src, e)
            continue
        files.put(src, e, task=2, superseded=early)
        if early:  # the store has its first version: kept aside to take back what changed
            os.replace(part, _first_version(part))
    part_tasks = files.tasks(2, cache, parts)  # largest files first
    if len(part_tasks):  # the graph changes (when nothing was extracted, the store starts loading here)
        loading.start()
    instruments = parts / "_instruments.nt"
    n_instr_triples = 0

    def instruments_part() -> None:  # while the workers write the files' parts
        nonlocal n_instr_triples
        n_instr_triples = write_part(instruments_triples(resolve_instruments(resolver, base)), instruments,
                                     hold=INSTRUMENT_LINES_HELD)
        if loading.loader is not None:
            loading.add(instruments)
            for src, _ in files.rows("0", "entry IS NOT NULL AND task != 2 AND early = 0"):
                loading.add(parts / part_name(src))

    for r in runner.map(triples_one, part_tasks, init_triples, (resolver, base),
                        "graphing" if progress else None, meanwhile=instruments_part):
        stopped(r)
        if r["error"]:
            problems.append(Problem(r["source"], r["error"]))
            files.put(r["source"], None)
            continue
        e = files.entry(r["source"])
        e["counts"] = r["counts"]
        files.put(r["source"], e)
        workers_peak = max(workers_peak, r["rss_mb"])
        part = parts / e["part"]
        loading.add(part, _first_version(part) if files.marks(r["source"])[1] else None)
    files.clear_tasks()
    timings["triples"] = time.perf_counter() - t
    cpu["triples"] = cpu.get("triples", 0.0) + _cpu() - c
    rss_after["triples"] = round(own_peak_mb(), 1)

    # removed or failed files: their parts and caches go
    derived = parts / DERIVED_PART
    for p in parts.glob("*.nt"):  # a file's part is named by its path (`part_name`)
        if p.name not in (instruments.name, derived.name) and not files.has_part(p.name):
            p.unlink()
    for p in cache.glob("*.json"):
        sha, _, rest = p.name.partition(".")
        if rest not in ("json", "facts.json") or not files.has_sha(sha):
            p.unlink()
    n_removed = files.removed({p.source for p in problems})

    # 4b. what the whole graph implies (kgraph.graph.stale), from every part: redone whenever a part may have
    #     changed (a file extracted, a part written again, a file gone, other graph code or base)
    t = time.perf_counter()
    c = _cpu()
    n_stale = None
    own_parts = files.parts(parts, instruments)  # by path, the instruments' last (read again on each walk)
    graph_nt = out / GRAPH_NT
    # the citations last: a streaming reader (kg load) then has every node before the citations that connect them
    last = f"<{citation_prefix(base)}"
    # the parts' merge (5) starts now in a `sort` process of its own; the derived part, which needs every other
    # part, is made meanwhile and its lines placed into the merged graph as it is written
    merging = start_merge(own_parts, graph_nt, last=last)
    try:
        if (n_extracted or len(part_tasks) or not files.same_files() or old_code
                or old.get("derived") != DERIVED_PART or not derived.exists()):
            # a group's lines at a time, sorted on disk in runs of about a group's
            n_stale = write_part(stale_groups(_lines_of(own_parts), base), derived, hold=GROUP_LINES)
            loading.add(derived)
        timings["derive"] = time.perf_counter() - t
        cpu["derive"] = _cpu() - c
        rss_after["derive"] = round(own_peak_mb(), 1)

        # 5. merge, write, load
        t = time.perf_counter()
        c = _cpu()
        n_triples, graph_hash = merging.finish([derived])
    except BaseException:
        merging.abort()
        raise
    if fmt == "turtle":
        ntriples_to_turtle(graph_nt, out / GRAPH_TTL, PREFIXES)
    elif (out / GRAPH_TTL).exists():
        (out / GRAPH_TTL).unlink()
    timings["write"] = time.perf_counter() - t
    cpu["write"] = cpu.get("write", 0.0) + _cpu() - c
    rss_after["write"] = round(own_peak_mb(), 1)
    t = time.perf_counter()
    c = _cpu()
    reloaded = False
    for src, entry in files.rows("entry", "superseded = 1"):  # the store takes back what the first version had,
        part = parts / part_name(src)                            # the graph not
        first = _first_version(part)
        if loading.loader is not None:
            loading.loader.discard(stale_lines(first, part if entry is not None else None, graph_nt, last=last))
        first.unlink()
    if store:
        before = current_store(out)
        if loading.loader is not None:
            target = loading.finish(graph_hash)
        else:
            target = load_store(out, graph_nt, graph_hash)
        reloaded = before is None or before != target
    timings["store"] = time.perf_counter() - t
    cpu["store"] = cpu.get("store", 0.0) + _cpu() - c
    rss_after["store"] = round(own_peak_mb(), 1)

    # 6. manifest and summary
    manifest = {"version": MANIFEST_VERSION, "extractor": ext_fp, "graph": graph_fp, "aliases": alias_fp, "base": base,
                "derived": DERIVED_PART}
    tmp = out / (MANIFEST + ".tmp")
    files.write_manifest(tmp, manifest)
    os.replace(tmp, out / MANIFEST)
    counts = {"references": 0, "citations": 0, "self": 0, "unresolved": 0, "year_unknown": 0}
    n_files = 0
    for _src, e in files.entries():
        n_files += 1
        for k in counts:
            counts[k] += e.get("counts", {}).get(k, 0)
    elapsed = time.perf_counter() - t_start
    summary = {
        "documents": n_files,
        "references": counts["references"],
        "citations": counts["citations"],
        "distinct_instruments": resolver.count_keys(),
        "unresolved_references": counts["unresolved"],
        "self_references": counts["self"],
        "year_unknown_references": counts["year_unknown"],
        "merged_names": len(resolver.aliases),
        "ambiguous_names": len(resolver.ambiguous),
        "catalogue": {
            "names_resolved": len(resolver.catalogue_aliases),
            "ambiguous": {f"{nk} ({y})": v for (nk, y), v in sorted(resolver.catalogue_ambiguous.items())},
            "conflicts": {f"{nk} ({y})": {"corpus": a, "catalogue": b}
                          for (nk, y), (a, b) in sorted(resolver.catalogue_conflicts.items())},
            # a law's number written with a National Assembly term its year does not fit → the known number
            "term_typos_read_as": dict(resolver.number_fixes),
            # names cited with no year or date (issue 10): the instrument in force at the citing date
            "bare_names": {
                "references_resolved": resolver.bare_resolved,
                "names_resolved": len(resolver.bare_aliases),
                **_bare_report(resolver.bare_ambiguous),
                "named_several_ways_in_the_citing_document": dict(sorted(resolver.bare_held.items())),
            },
        },
        "errors": [{"source": p.source, "problem": p.problem} for p in problems],
        "files": {
            "inputs": len(sources),
            "extracted": n_extracted,
            "skipped_unchanged": n_files - n_extracted - n_same,
            "removed": n_removed,
            "same_bytes_as_another": n_same_as,
            "parts_rewritten": len(part_tasks),  # after the corpus pass (others were written beside extraction)
            "failed": len(problems),
        },
        "triples": n_triples,
        "instrument_triples": n_instr_triples,
        "stale_reliance_triples": n_stale,  # None: not derived again (no part changed)
        "graph": GRAPH_TTL if fmt == "turtle" else GRAPH_NT,
        "graph_sha256": graph_hash,
        "store": "store" if store else None,
        "store_reloaded": reloaded,
        "input_bytes": total_bytes,
        "extracted_bytes": extracted_bytes,
        "seconds": {k: round(v, 3) for k, v in {**timings, "total": elapsed}.items()},
        "extract_cpu_seconds": round(extract_seconds, 3),
        # CPU of the build and its workers per phase (wall seconds mislead on a shared machine)
        "cpu_seconds": {k: round(v, 3) for k, v in {**cpu, "total": _cpu()}.items()},
        "mb_per_s": round(total_bytes / 1e6 / elapsed, 3) if elapsed else None,
        "workers": workers,
        "executor": runner.kind,
        "peak_rss_mb": _peak_rss_mb(workers_peak, loading.peak_mb),
        "main_peak_rss_mb_after": rss_after,  # which phase raises this process's peak
    }
    write_json(out / SUMMARY, summary)
    return BuildResult(summary=summary, problems=problems)


def clean(out: str | Path) -> None:
    """Remove everything a build wrote in `out` (for a from-scratch rebuild)."""
    out = Path(out)
    for name in (MANIFEST, SUMMARY, GRAPH_NT, GRAPH_TTL, "cache", "parts", "store", ".lock"):
        p = out / name
        if p.is_symlink() or p.is_file():
            p.unlink()
        elif p.is_dir():
            shutil.rmtree(p)
    for p in out.glob("store-*"):
        shutil.rmtree(p, ignore_errors=True)
