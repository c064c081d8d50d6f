"""The per-file work of `kg build`, as it runs in a worker (a forked process or a Dask worker).

`extract_one`: read a file, extract it under the per-file time budget, cache the extraction and its facts,
and write the file's part as the file alone resolves its names. `triples_one`: write a file's part again
against the corpus-level resolver. Each returns a small dict (counts or the problem), never raises for a
file's fault; a write into the build folder that fails (a full disk) comes back as a `stop` the build raises
(`stopped`), since no file is at fault. The `init_*` functions set each worker's state once per build.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import resource
import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable

from kgraph.build_cache import extraction_from_cache, extraction_to_cache, facts_path, write_atomically
from kgraph.build_inputs import os_problem
from kgraph.graph.rdf import file_triples
from kgraph.link.corpus import Resolver, facts_of
from kgraph.link.extraction_keys import reference_keys
from kgraph.link.keys import DEFAULT_BASE, InstrumentKey
from kgraph.link.resolved import resolve
from kgraph.model import Extraction
from kgraph.reader import InputError, annotate, read_source
from kgraph.sinks.files import write_part

#: Seconds one file's extraction may take before it is reported as a failure (`kg build --file-timeout`).
FILE_TIMEOUT = 120.0

Extractor = Callable[[str, str | None], Extraction]

_EXTRACT: Extractor | None = None


def warm_extractor() -> None:
    """Import and exercise the extractor once before the workers fork, so each starts with its
    modules loaded and its lazily built patterns compiled instead of building them again; and load the
    catalogue's name index, which each file's own resolver consults (each worker read it again: ~0.2 CPU s
    a worker a build; this process reads it for the corpus pass anyway, and the triples phase's workers
    already start from this process's catalogue)."""
    from kgraph.extract import extract

    try:
        extract("Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;\nCăn cứ điểm c khoản 6 Điều 4 Nghị định số 163/2016/NĐ-CP;")
    except Exception:  # warming is an optimisation only
        pass
    try:
        from kgraph.catalog import default_catalog

        default_catalog().index()
    except Exception:  # no catalogue (or an unreadable one): each file's resolver reports it as before
        pass


def init_extract(fn: Extractor | None, file_timeout: float | None = None, base: str = DEFAULT_BASE) -> None:
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


class time_budget:
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


def stop(source: str, e: OSError, path: str) -> dict[str, Any]:
    """A worker could not write into the output folder (a full disk): no fault of the file, so the build
    stops rather than leave the file out of a graph that had it (issue 14: nothing lost)."""
    return {"source": source, "error": f"cannot write {path} ({e.strerror or e})", "stop": [e.errno, e.strerror, path]}


def stopped(r: dict[str, Any]) -> None:
    if r.get("stop"):
        raise OSError(*r["stop"])


_FILE_TIMEOUT: float | None = None


def extract_one(task: tuple[str, str, str, str]) -> dict[str, Any]:
    """Worker: read, extract, cache the extraction and its facts as JSON, write the file's part resolved as
    the file alone (and the catalogue) resolves its names (kept when the whole corpus resolves them the same
    way); return the counts (or the problem)."""
    source, sha, cache_path, part_path = task
    t0 = time.perf_counter()
    try:
        st = read_source(source)  # OCR of a long scan may take minutes: the budget is for the extractor
        if hashlib.sha256(st.raw).hexdigest() != sha:
            return {"source": source, "error": "file changed while the build was reading it"}
        with time_budget(_FILE_TIMEOUT):
            ext = annotate(_EXTRACT(st.text, source), st)  # type: ignore[misc]
        ext.source = source
        keys = reference_keys(ext)  # once: the facts and the part both need them
        facts = facts_of(ext, sha, keys)
        writing = cache_path
        try:  # dumps, not dump: json.dump streams through the pure-Python encoder (5-10x slower)
            write_atomically(cache_path, json.dumps(extraction_to_cache(ext), ensure_ascii=False, separators=(",", ":")))
            writing = facts_path(cache_path)
            write_atomically(writing, json.dumps(facts, ensure_ascii=False, separators=(",", ":")))
        except OSError as e:
            return stop(source, e, writing)
        try:  # the extraction is at hand: its part now saves reading the cache again in phase 4
            guess = Resolver([facts])  # the file's own name-number pairs and the catalogue's: the likely answer
            counts = write_file_part(ext, guess, sha, source, _BASE, part_path, keys)
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
            "rss_mb": own_peak_mb(),
            "error": None,
        }
    except FileTimeout:
        return {"source": source, "error": f"extraction took longer than {_FILE_TIMEOUT:g} s (the per-file time budget; see --file-timeout)"}
    except InputError as e:
        return {"source": source, "error": e.problem}
    except OSError as e:
        return {"source": source, "error": os_problem(e)}
    except Exception as e:  # an extractor bug must not stop the batch
        return {"source": source, "error": f"extraction failed ({type(e).__name__}: {e})"}


# --------------------------------------------------------------------------- triples (workers)

_RESOLVER: Resolver | None = None
_BASE = DEFAULT_BASE


def write_file_part(ext: Extraction, resolver: Resolver, sha: str, source: str, base: str, part_path: str,
                    keys: list[InstrumentKey | None] | None = None) -> dict[str, int]:
    """One file's triples, resolved against `resolver`, written to its sorted part; returns its counts."""
    resolved = resolve(ext, resolver, content_hash=sha, source=source, base=base, keys=keys)
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


def init_triples(resolver: Resolver, base: str) -> None:
    global _RESOLVER, _BASE
    _RESOLVER, _BASE = resolver, base


def triples_one(task: tuple[str, str, str, str]) -> dict[str, Any]:
    source, sha, cache_path, part_path = task
    try:
        with open(cache_path, encoding="utf-8") as f:
            ext = extraction_from_cache(json.load(f))
        try:
            counts = write_file_part(ext, _RESOLVER, sha, source, _BASE, part_path)  # type: ignore[arg-type]
        except OSError as e:
            return stop(source, e, part_path)
        return {"source": source, "counts": counts, "rss_mb": own_peak_mb(), "error": None}
    except Exception as e:
        return {"source": source, "error": f"graph generation failed ({type(e).__name__}: {e})"}


def own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
