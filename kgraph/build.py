"""`kg build`: a folder of documents → a graph file and an embedded SPARQL store, incrementally.

The data flow, one phase each:

1. discover inputs (files, folders, globs) and hash each file's bytes;
2. extract the files whose hash (or the extractor's code) changed, in parallel; each result is cached
   by content hash, beside the small facts the corpus-level pass needs (read back as a stream, never
   held for the whole corpus), and its part of the graph is written at once (see 4);
3. resolve identities over the whole corpus (`kgraph.link.corpus.Resolver`);
4. resolve each file against the corpus (`kgraph.link.resolved.resolve`) and write its triples to its own
   sorted part: the part written beside the extraction is kept unless the corpus merges a name it
   mentions (or the file, the graph code or the base changed); the instruments' merged triples go to
   one more part; meanwhile a thread loads the parts into a new Oxigraph store;
5. merge the parts into `graph.nt` (sorted, duplicate-free, the reified citations after the resources:
   a rebuild with no change gives the same bytes) and swap the new store in atomically;
6. write `summary.json`.

Extraction and the per-file triples run in forked processes here, or on a Dask cluster (`executor`).

A file that cannot be read or extracted, or whose extraction outlasts the per-file time budget, is
reported with its problem and left out; the rest goes on. An input that names nothing (a missing path,
a pattern matching no file, a folder without documents) stops the build before anything is changed:
a typo must not empty a graph. Files with identical bytes are read and extracted once; each path stays
a source of that one document. Memory holds the manifest (a few hundred bytes a file), the corpus-level
index of instruments and names, and one file's extraction at a time, not the corpus.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import fcntl
import glob as globmod
import hashlib
import json
import multiprocessing as mp
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from kgraph.graph.ontology import ONTOLOGY_FILE, PREFIXES
from kgraph.graph.rdf import citation_prefix, file_triples, instruments_triples
from kgraph.link.corpus import Resolver, facts_of
from kgraph.link.keys import DEFAULT_BASE, InstrumentKey
from kgraph.link.resolved import resolve, resolve_instruments
from kgraph.model import Document, Extraction, Pinpoint, Reference, Signer
from kgraph.reader import DOCUMENT_SUFFIXES, MAX_BYTES, InputError, annotate, open_regular, read_source
from kgraph.sinks.files import merge_parts, ntriples_to_turtle, write_part
from kgraph.sinks.oxigraph_store import StoreLoader, current_store, load_store

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
GRAPH_NT = "graph.nt"
GRAPH_TTL = "graph.ttl"
MANIFEST_VERSION = 2  # 2: facts in cache/<sha>.facts.json, not in the manifest
#: Seconds one file's extraction may take before it is reported as a failure (`kg build --file-timeout`).
FILE_TIMEOUT = 120.0
#: Where the per-file tasks can run (`kg build --executor`).
EXECUTORS = ("local", "dask")

Extractor = Callable[[str, str | None], Extraction]

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


# --------------------------------------------------------------------------- discovery


@dataclass(slots=True)
class Problem:
    source: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


def discover(inputs: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Input files as the user named them: files as given, folders searched for documents, globs expanded."""
    found: dict[str, None] = {}
    problems: list[Problem] = []
    for raw in inputs:
        p = Path(raw)
        try:
            is_dir, exists = p.is_dir(), p.exists() or p.is_symlink()
        except OSError as e:  # a folder on the way cannot be searched: this input fails, the rest goes on
            problems.append(Problem(raw, _os_problem(e)))
            continue
        if is_dir:
            hits = []

            def unsearchable(e: OSError) -> None:
                problems.append(Problem(e.filename or raw, f"folder cannot be searched ({_os_problem(e)})"))

            for root, dirs, files in os.walk(raw, onerror=unsearchable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in files:
                    if not f.startswith(".") and f.lower().endswith(DOCUMENT_SUFFIXES):
                        hits.append(os.path.join(root, f))
            if not hits:
                problems.append(Problem(raw, f"folder holds no documents ({', '.join(DOCUMENT_SUFFIXES)})"))
            for h in sorted(hits):
                found.setdefault(h, None)
        elif exists:
            found.setdefault(raw, None)
        elif globmod.has_magic(raw):
            hits = sorted(h for h in globmod.glob(raw, recursive=True) if Path(h).is_file())
            if not hits:
                problems.append(Problem(raw, "pattern matched no files"))
            for h in hits:
                found.setdefault(h, None)
        else:
            problems.append(Problem(raw, "no such file or folder"))
    return sorted(found), problems


#: Problems of an input as named (not of a file found in it): the build refuses to run with any of them.
NAMES_NOTHING = ("no such file or folder", "pattern matched no files", "folder holds no documents")


def _os_problem(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    return f"cannot read ({e.strerror or e})"


class InputsNotFound(RuntimeError):
    """Some inputs name nothing; the build did not start, so nothing in the output folder changed."""


# --------------------------------------------------------------------------- extraction (workers)


def extraction_from_dict(d: dict[str, Any]) -> Extraction:
    """The inverse of `Extraction.to_dict` (fields the model does not know are ignored)."""

    def only(cls: type, v: dict[str, Any]) -> dict[str, Any]:
        names = {f.name for f in dataclasses.fields(cls)}
        return {k: x for k, x in v.items() if k in names}

    dd = dict(d["document"])
    dd["signer"] = Signer(**only(Signer, dd.get("signer") or {}))
    doc = Document(**only(Document, dd))
    refs = []
    for r in d["references"]:
        r = dict(r)
        r["pinpoint"] = [Pinpoint(**only(Pinpoint, p)) for p in r.get("pinpoint") or []]
        refs.append(Reference(**only(Reference, r)))
    return Extraction(document=doc, references=refs, source=d.get("source"))


_REF_FIELDS = [f.name for f in dataclasses.fields(Reference)]
_PIN_FIELDS = [f.name for f in dataclasses.fields(Pinpoint)]


def extraction_to_cache(e: Extraction) -> dict[str, Any]:
    """A compact JSON form of an extraction for the build cache: references as rows under a field list.

    `Extraction.to_dict` (dataclasses.asdict) costs a third of the extraction time itself on a corpus.
    """
    d = e.document
    doc = {f.name: getattr(d, f.name) for f in dataclasses.fields(Document) if f.name != "signer"}
    doc["signer"] = {f.name: getattr(d.signer, f.name) for f in dataclasses.fields(Signer)}
    rows = []
    for r in e.references:
        row = [getattr(r, f) for f in _REF_FIELDS]
        row[_REF_FIELDS.index("pinpoint")] = [[getattr(p, f) for f in _PIN_FIELDS] for p in r.pinpoint]
        rows.append(row)
    return {"source": e.source, "document": doc, "ref_fields": _REF_FIELDS, "pin_fields": _PIN_FIELDS, "refs": rows}


def extraction_from_cache(d: dict[str, Any]) -> Extraction:
    if "references" in d:
        return extraction_from_dict(d)
    known = set(_REF_FIELDS)
    names = d["ref_fields"]
    pins = d["pin_fields"]
    pin_at = names.index("pinpoint")
    refs = []
    for row in d["refs"]:
        kw = {k: v for k, v in zip(names, row) if k in known}
        kw["pinpoint"] = [Pinpoint(**{k: v for k, v in zip(pins, p) if k in _PIN_FIELDS}) for p in row[pin_at]]
        refs.append(Reference(**kw))
    doc = extraction_from_dict({"document": d["document"], "references": []}).document
    return Extraction(document=doc, references=refs, source=d.get("source"))


_EXTRACT: Extractor | None = None


def _warm_extractor() -> None:
    """Import and exercise the extractor once before the workers fork, so each starts with its
    modules loaded and its lazily built patterns compiled instead of building them again."""
    from kgraph.extract import extract

    try:
        extract("Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;\nCăn cứ điểm c khoản 6 Điều 4 Nghị định số 163/2016/NĐ-CP;")
    except Exception:  # warming is an optimisation only
        pass


def _init_extract(fn: Extractor | None, file_timeout: float | None = None, base: str = DEFAULT_BASE) -> None:
    global _EXTRACT, _FILE_TIMEOUT, _BASE
    _FILE_TIMEOUT = file_timeout
    _BASE = base
    if fn is None:
        from kgraph.extract import extract as fn
    _EXTRACT = fn


class FileTimeout(BaseException):
    """Raised by the alarm in a file's extraction (a BaseException: no `except Exception` swallows it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise FileTimeout


class _time_budget:
    """SIGALRM after `seconds` in the main thread of this process (the regex engine checks for signals).

    Outside the main thread (a Dask worker runs tasks in threads; a build called from a thread) signals
    cannot be used: a timer raises `FileTimeout` in the thread instead, which stops Python code at its next
    instruction but not one long call into C (a runaway regex runs on until it returns).
    """

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.old: Any = None
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()
        self.active = False
        self.tid = 0

    def __enter__(self) -> None:
        if not self.seconds:
            return
        if threading.current_thread() is threading.main_thread():
            self.old = signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            return
        self.tid = threading.get_ident()
        self.active = True
        self.timer = threading.Timer(self.seconds, self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        with self.lock:
            if self.active:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.tid), ctypes.py_object(FileTimeout))

    def __exit__(self, *exc: Any) -> None:
        if self.old is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
            self.old = None
        if self.timer is not None:
            with self.lock:
                self.active = False
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.tid), None)  # one not yet raised
            self.timer.cancel()
            self.timer = None


def _write_atomically(path: str, text: str) -> None:
    """Write through a temporary file of its own (unique name), then rename: no two writers share a temp file."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _stop(source: str, e: OSError, path: str) -> dict[str, Any]:
    """A worker could not write into the output folder (a full disk): no fault of the file, so the build
    stops rather than leave the file out of a graph that had it (issue 14: nothing lost)."""
    return {"source": source, "error": f"cannot write {path} ({e.strerror or e})", "stop": [e.errno, e.strerror, path]}


def _stopped(r: dict[str, Any]) -> None:
    if r.get("stop"):
        raise OSError(*r["stop"])


_FILE_TIMEOUT: float | None = None


def _part_name(source: str) -> str:
    """A file's part in `parts/`: named by its path (each path is a source of its own)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:24] + ".nt"


def _facts_path(cache_path: str | Path) -> str:
    """Where the facts of the extraction cached at `cache_path` are (`<sha>.json` → `<sha>.facts.json`)."""
    return str(cache_path)[: -len(".json")] + ".facts.json"


def _read_facts(cache: Path, sha: str) -> dict[str, Any]:
    with open(cache / f"{sha}.facts.json", encoding="utf-8") as f:
        return json.load(f)


def _extract_one(task: tuple[str, str, str, str]) -> dict[str, Any]:
    """Worker: read, extract, cache the extraction and its facts as JSON, write the file's part resolved as
    the file alone (and the catalogue) resolves its names (kept when the whole corpus resolves them the same
    way); return the counts (or the problem)."""
    source, sha, cache_path, part_path = task
    t0 = time.perf_counter()
    try:
        st = read_source(source)  # OCR of a long scan may take minutes: the budget is for the extractor
        if hashlib.sha256(st.raw).hexdigest() != sha:
            return {"source": source, "error": "file changed while the build was reading it"}
        with _time_budget(_FILE_TIMEOUT):
            ext = annotate(_EXTRACT(st.text, source), st)  # type: ignore[misc]
        ext.source = source
        # dumps, not dump: json.dump streams through the pure-Python encoder (5-10x slower)
        facts = facts_of(ext, sha)
        writing = cache_path
        try:
            _write_atomically(cache_path, json.dumps(extraction_to_cache(ext), ensure_ascii=False, separators=(",", ":")))
            writing = _facts_path(cache_path)
            _write_atomically(writing, json.dumps(facts, ensure_ascii=False, separators=(",", ":")))
        except OSError as e:
            return _stop(source, e, writing)
        try:  # the extraction is at hand: its part now saves reading the cache again in phase 4
            guess = Resolver([facts])  # the file's own name-number pairs and the catalogue's: the likely answer
            counts = _write_file_part(ext, guess, sha, source, _BASE, part_path)
            deps = part_dependencies(facts, guess)
        except Exception:  # phase 4 writes it again and reports the problem (or stops the build on a full disk)
            counts = deps = None
        return {
            "source": source,
            "sha256": sha,
            "counts": counts,
            "part_deps": deps,
            "bytes": len(st.raw),
            "seconds": time.perf_counter() - t0,
            "rss_mb": _own_peak_mb(),
            "error": None,
        }
    except FileTimeout:
        return {"source": source, "error": f"extraction took longer than {_FILE_TIMEOUT:g} s (the per-file time budget; see --file-timeout)"}
    except InputError as e:
        return {"source": source, "error": e.problem}
    except OSError as e:
        return {"source": source, "error": _os_problem(e)}
    except Exception as e:  # an extractor bug must not stop the batch
        return {"source": source, "error": f"extraction failed ({type(e).__name__}: {e})"}


# --------------------------------------------------------------------------- triples (workers)

_RESOLVER: Resolver | None = None
_BASE = DEFAULT_BASE


def _write_file_part(ext: Extraction, resolver: Resolver, sha: str, source: str, base: str, part_path: str) -> dict[str, int]:
    """One file's triples, resolved against `resolver`, written to its sorted part; returns its counts."""
    resolved = resolve(ext, resolver, content_hash=sha, source=source, base=base)
    lines, counts = file_triples(resolved)
    counts["triples"] = write_part(lines, Path(part_path))
    return counts


def part_dependencies(facts: dict[str, Any], resolver: Resolver) -> str:
    """What a file's part takes from the corpus: the keys of its facts that `resolver` maps elsewhere
    (a named law merged with its number). A part stays right while this fingerprint does, so a merge
    the corpus learns redoes only the files that mention that name, and a part written beside the
    extraction, before the corpus was seen, is kept when the corpus resolves its names the same way."""
    h = hashlib.sha256()
    seen: set[tuple] = set()
    for kl in [facts["doc"]["key"], *(r[0] for r in facts["refs"])]:
        t = tuple(kl)
        if t in seen:
            continue
        seen.add(t)
        k = InstrumentKey.from_list(kl)
        r = resolver.resolve(k)
        if r != k:
            h.update(json.dumps([kl, r.to_list()], ensure_ascii=False).encode())
    return h.hexdigest()[:16]


def _init_triples(resolver: Resolver, base: str) -> None:
    global _RESOLVER, _BASE
    _RESOLVER, _BASE = resolver, base


def _triples_one(task: tuple[str, str, str, str]) -> dict[str, Any]:
    source, sha, cache_path, part_path = task
    try:
        with open(cache_path, encoding="utf-8") as f:
            ext = extraction_from_cache(json.load(f))
        try:
            counts = _write_file_part(ext, _RESOLVER, sha, source, _BASE, part_path)  # type: ignore[arg-type]
        except OSError as e:
            return _stop(source, e, part_path)
        return {"source": source, "counts": counts, "rss_mb": _own_peak_mb(), "error": None}
    except Exception as e:
        return {"source": source, "error": f"graph generation failed ({type(e).__name__}: {e})"}


# --------------------------------------------------------------------------- the build


@dataclass
class BuildResult:
    summary: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


def _sha256_file(path: str) -> tuple[str | None, int, str | None]:
    """Hash of a file's bytes, refusing FIFOs and devices (a FIFO would block, /dev/zero never end)."""
    try:
        h = hashlib.sha256()
        n = 0
        with open_regular(path) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
                n += len(chunk)
                if n > MAX_BYTES:
                    return None, n, f"too large (over {MAX_BYTES} bytes)"
        return h.hexdigest(), n, None
    except InputError as e:
        return None, 0, e.problem
    except OSError as e:
        return None, 0, f"cannot read ({e.strerror})"


_LOCK_FD: int | None = None  # the build folder's lock, held by the main process only
_PR_SET_PDEATHSIG = 1


def _worker_start(init: Callable, initargs: tuple, parent: int) -> None:
    """In each forked worker: drop the inherited lock descriptor (a worker outliving a killed build must not
    keep the folder locked) and ask Linux to kill this worker when the build process dies."""
    if _LOCK_FD is not None:
        with contextlib.suppress(OSError):
            os.close(_LOCK_FD)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above
        os._exit(1)
    init(*initargs)


def _pool_map(fn: Callable, tasks: list, workers: int, init: Callable, initargs: tuple, progress: str | None,
              meanwhile: Callable[[], None] | None = None) -> Iterator[dict]:
    """`fn` over `tasks` in `workers` forked processes, results as they come; `meanwhile` runs in this
    process once the workers have their tasks (work of the main process that would otherwise wait)."""
    bar = None
    if progress is not None:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc=progress, unit="file", file=sys.stderr, disable=None, leave=False)
    try:
        if workers <= 1 or len(tasks) <= 1:
            if meanwhile is not None:
                meanwhile()
            init(*initargs)
            for t in tasks:
                yield fn(t)
                if bar:
                    bar.update()
        else:
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
            with ctx.Pool(workers, initializer=_worker_start, initargs=(init, initargs, os.getpid())) as pool:
                results = pool.imap_unordered(fn, tasks, chunksize=1)
                if meanwhile is not None:
                    meanwhile()
                for r in results:
                    yield r
                    if bar:
                        bar.update()
    finally:
        if bar:
            bar.close()


class _Executor:
    """Where the per-file tasks run: forked processes here (`local`), or a Dask cluster (`dask`: the one at
    `scheduler`, else a local cluster of `workers` processes, started on first use and closed with the build)."""

    def __init__(self, kind: str, scheduler: str | None, workers: int):
        if kind not in EXECUTORS:
            raise ValueError(f"unknown executor {kind!r} (one of {', '.join(EXECUTORS)})")
        self.kind, self.scheduler, self.workers = kind, scheduler, workers
        self._dask: Any = None

    def map(self, fn: Callable, tasks: list, init: Callable, initargs: tuple, progress: str | None,
            meanwhile: Callable[[], None] | None = None) -> Iterator[dict]:
        if self.kind == "dask" and tasks:
            if self._dask is None:
                from kgraph.build_dask import DaskExecutor

                self._dask = DaskExecutor(self.scheduler, self.workers)
            return self._dask.map(fn, tasks, init, initargs, progress, meanwhile)
        return _pool_map(fn, tasks, self.workers, init, initargs, progress, meanwhile)

    def close(self) -> None:
        if self._dask is not None:
            self._dask.close()
            self._dask = None


def _load_manifest(out: Path) -> dict[str, Any]:
    try:
        m = json.loads((out / MANIFEST).read_text("utf-8"))
        if m.get("version") == MANIFEST_VERSION:
            return m
    except (OSError, ValueError):
        pass
    return {"version": MANIFEST_VERSION, "files": {}}


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
    os.replace(tmp, path)


def _own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mb(workers_peak: float) -> dict[str, float]:
    """This process's peak and the largest a worker reported of itself (the children's figure would also
    count `sort`, whose peak at fork is this process's)."""
    return {"main": round(_own_peak_mb(), 1), "largest_worker": round(workers_peak, 1)}


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
    global _LOCK_FD
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
    _LOCK_FD = lock.fileno()
    runner = _Executor(executor, scheduler, workers)
    try:
        return _build_locked(sources, problems, out, workers, fmt, base, store, force, progress, extractor,
                             file_timeout, t_start, timings, cpu, rss_after, runner)
    finally:
        runner.close()
        _LOCK_FD = None
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def _build_locked(sources, problems, out: Path, workers, fmt, base, store, force, progress, extractor,
                  file_timeout, t_start, timings, cpu, rss_after, runner: _Executor) -> BuildResult:
    cache = out / "cache"
    parts = out / "parts"
    cache.mkdir(exist_ok=True)
    parts.mkdir(exist_ok=True)
    for stray in cache.glob("*.tmp"):  # left by a build that was killed while writing
        stray.unlink(missing_ok=True)
    old = _load_manifest(out)
    ext_fp = extractor_fingerprint() if extractor is None else f"custom:{getattr(extractor, '__qualname__', '?')}"
    graph_fp = graph_fingerprint()
    same_extractor = not force and old.get("extractor") == ext_fp
    old_files: dict[str, Any] = old.get("files", {}) if same_extractor else {}

    # 1. hash (discovered in `build`)
    t = time.perf_counter()
    c = _cpu()
    files: dict[str, Any] = {}
    todo: list[tuple[str, str, str, str]] = []
    same_as: dict[str, str] = {}  # a path whose bytes equal an earlier path's: read once, under the first
    first_of: dict[str, str] = {}
    total_bytes = 0
    sizes: dict[str, int] = {}
    for src in sources:
        sha, size, err = _sha256_file(src)
        if err:
            problems.append(Problem(src, err))
            continue
        total_bytes += size
        sizes[src] = size
        prev = old_files.get(src)
        cache_path = cache / f"{sha}.json"
        if prev and prev.get("sha256") == sha and cache_path.exists() and os.path.exists(_facts_path(cache_path)):
            files[src] = prev
            first_of.setdefault(sha, src)
        elif sha in first_of:
            same_as[src] = first_of[sha]
        else:
            first_of[sha] = src
            todo.append((src, sha, str(cache_path), str(parts / _part_name(src))))
    timings["discover"] += time.perf_counter() - t
    cpu["discover"] = cpu.get("discover", 0.0) + _cpu() - c
    rss_after["discover"] = round(_own_peak_mb(), 1)

    # 2. extract what changed: largest files first, so no worker is left with a big law at the end
    t = time.perf_counter()
    c = _cpu()
    todo.sort(key=lambda task: (-sizes[task[0]], task[0]))
    if extractor is None and workers > 1 and todo and runner.kind == "local":
        _warm_extractor()
    extracted_bytes = 0
    workers_peak = 0.0  # MB, as the workers report it
    extract_seconds = 0.0
    n_extracted = 0
    failed: dict[str, str] = {}
    n_same = 0
    for r in runner.map(_extract_one, todo, _init_extract, (extractor, file_timeout, base),
                        "extracting" if progress else None):
        _stopped(r)
        if r["error"]:
            problems.append(Problem(r["source"], r["error"]))
            failed[r["source"]] = r["error"]
            continue
        extracted_bytes += r["bytes"]
        workers_peak = max(workers_peak, r["rss_mb"])
        n_extracted += 1
        extract_seconds += r["seconds"]
        files[r["source"]] = {"sha256": r["sha256"], "bytes": r["bytes"]}
        if r["counts"] is not None:  # its part, as the file alone resolves its names (kept if the corpus agrees)
            files[r["source"]].update(counts=r["counts"], part=_part_name(r["source"]), part_deps=r["part_deps"])
    for src, first in sorted(same_as.items()):
        if first in failed:
            problems.append(Problem(src, f"same bytes as {first}: {failed[first]}"))
        elif first in files:
            files[src] = {k: files[first][k] for k in ("sha256", "bytes")}
            n_same += 1
    timings["extract"] = time.perf_counter() - t
    cpu["extract"] = cpu.get("extract", 0.0) + _cpu() - c
    rss_after["extract"] = round(_own_peak_mb(), 1)

    # 3. resolve over the corpus
    t = time.perf_counter()
    c = _cpu()
    ordered = sorted(files)
    resolver = Resolver(_read_facts(cache, files[s]["sha256"]) for s in ordered)  # a stream: one file's at a time
    alias_fp = resolver.alias_fingerprint()
    timings["resolve"] = time.perf_counter() - t
    cpu["resolve"] = cpu.get("resolve", 0.0) + _cpu() - c
    rss_after["resolve"] = round(_own_peak_mb(), 1)

    # 4. per-file parts: redone when the file changed, when the corpus merges a name it mentions differently
    #    than its part was written with, or when the base or the graph code changed (extracted files' parts
    #    were just written with this code and base)
    t = time.perf_counter()
    c = _cpu()
    old_code = old.get("graph") != graph_fp or old.get("base") != base
    part_tasks = []
    for src in ordered:
        e = files[src]
        part = parts / _part_name(src)
        deps = part_dependencies(_read_facts(cache, e["sha256"]), resolver)
        fresh = ("counts" in e and e.get("part") == part.name and e.get("part_deps") == deps and part.exists()
                 and not (old_code and e is old_files.get(src)))
        e["part"] = part.name
        e["part_deps"] = deps
        if not fresh:
            part_tasks.append((src, e["sha256"], str(cache / f"{e['sha256']}.json"), str(part)))
    part_tasks.sort(key=lambda task: (-sizes.get(task[0], 0), task[0]))
    # the store loads each part as soon as it exists, in a thread beside the workers (when the graph changes)
    loader = StoreLoader(out) if store and part_tasks else None
    try:
        instruments = parts / "_instruments.nt"
        n_instr_triples = 0

        def instruments_part() -> None:  # while the workers write the files' parts
            nonlocal n_instr_triples
            n_instr_triples = write_part(instruments_triples(resolve_instruments(resolver, base)), instruments)
            if loader is not None:
                loader.add(instruments)
                redone = {task[0] for task in part_tasks}
                for src in ordered:
                    if src not in redone:
                        loader.add(parts / files[src]["part"])

        for r in runner.map(_triples_one, part_tasks, _init_triples, (resolver, base),
                            "graphing" if progress else None, meanwhile=instruments_part):
            _stopped(r)
            if r["error"]:
                problems.append(Problem(r["source"], r["error"]))
                files.pop(r["source"], None)
                continue
            files[r["source"]]["counts"] = r["counts"]
            workers_peak = max(workers_peak, r["rss_mb"])
            if loader is not None:
                loader.add(parts / files[r["source"]]["part"])
    except BaseException:
        if loader is not None:
            loader.abort()
        raise
    timings["triples"] = time.perf_counter() - t
    cpu["triples"] = cpu.get("triples", 0.0) + _cpu() - c
    rss_after["triples"] = round(_own_peak_mb(), 1)

    # removed or failed files: their parts and caches go
    keep_parts = {files[s]["part"] for s in files} | {instruments.name}
    for p in parts.glob("*.nt"):
        if p.name not in keep_parts:
            p.unlink()
    keep_cache = {f"{files[s]['sha256']}{x}" for s in files for x in (".json", ".facts.json")}
    for p in cache.glob("*.json"):
        if p.name not in keep_cache:
            p.unlink()
    removed = sorted(set(old.get("files", {})) - set(files) - {p.source for p in problems})

    # 5. merge, write, load
    try:
        t = time.perf_counter()
        c = _cpu()
        graph_nt = out / GRAPH_NT
        # the citations last: a streaming reader (kg load) then has every node before the citations that connect them
        n_triples, graph_hash = merge_parts([parts / files[s]["part"] for s in sorted(files)] + [instruments], graph_nt,
                                            last=f"<{citation_prefix(base)}")
        if fmt == "turtle":
            ntriples_to_turtle(graph_nt, out / GRAPH_TTL, PREFIXES)
        elif (out / GRAPH_TTL).exists():
            (out / GRAPH_TTL).unlink()
        timings["write"] = time.perf_counter() - t
        cpu["write"] = cpu.get("write", 0.0) + _cpu() - c
        rss_after["write"] = round(_own_peak_mb(), 1)
        t = time.perf_counter()
        c = _cpu()
        reloaded = False
        if store:
            before = current_store(out)
            if loader is not None:
                target = loader.finish(graph_hash)
            else:
                target = load_store(out, graph_nt, graph_hash)
            reloaded = before is None or before != target
        timings["store"] = time.perf_counter() - t
        cpu["store"] = cpu.get("store", 0.0) + _cpu() - c
        rss_after["store"] = round(_own_peak_mb(), 1)
    except BaseException:
        if loader is not None:
            loader.abort()
        raise

    # 6. manifest and summary
    manifest = {"version": MANIFEST_VERSION, "extractor": ext_fp, "graph": graph_fp, "aliases": alias_fp, "base": base, "files": files}
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), "utf-8")
    os.replace(tmp, out / MANIFEST)
    counts = {"references": 0, "citations": 0, "self": 0, "unresolved": 0, "year_unknown": 0}
    for s in files:
        for k in counts:
            counts[k] += files[s].get("counts", {}).get(k, 0)
    elapsed = time.perf_counter() - t_start
    summary = {
        "documents": len(files),
        "references": counts["references"],
        "citations": counts["citations"],
        "distinct_instruments": len(resolver.keys()),
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
        },
        "errors": [{"source": p.source, "problem": p.problem} for p in problems],
        "files": {
            "inputs": len(sources),
            "extracted": n_extracted,
            "skipped_unchanged": len(files) - n_extracted - n_same,
            "removed": len(removed),
            "same_bytes_as_another": len(same_as),
            "parts_rewritten": len(part_tasks),  # after the corpus pass (others were written beside extraction)
            "failed": len(problems),
        },
        "triples": n_triples,
        "instrument_triples": n_instr_triples,
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
        "peak_rss_mb": _peak_rss_mb(workers_peak),
        "main_peak_rss_mb_after": rss_after,  # which phase raises this process's peak
    }
    _write_json(out / SUMMARY, summary)
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
