"""Where `kg build` runs its per-file tasks: forked processes on this machine (`local`), or a Dask cluster
(`dask`, kgraph/build_dask.py). Both take the same task functions and give the same results, in any order.

A forked worker drops the build folder's lock descriptor it inherited (a worker outliving a killed build
must not keep the folder locked) and asks Linux to kill it when the build process dies.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import multiprocessing.pool
import os
import sys
from typing import Any, Callable, Iterator

from kgraph.lifetime import die_with

#: Where the per-file tasks can run (`kg build --executor`).
EXECUTORS = ("local", "dask")


def _worker_start(init: Callable, initargs: tuple, parent: int, lock_fd: int | None) -> None:
    """In each forked worker: drop the inherited lock descriptor (a worker outliving a killed build must not
    keep the folder locked) and ask Linux to kill this worker when the build process dies."""
    if lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(lock_fd)
    die_with(parent)
    init(*initargs)


class _Pool(multiprocessing.pool.Pool):
    """`multiprocessing.Pool` whose worker-handler thread wakes only when a worker ends or the pool changes.

    CPython's also wakes whenever a result waits unread in the results pipe, and then loops without blocking
    until the result thread has read it (which waits for the GIL): ~0.4 CPU s of the build's process for the 309
    files of congbao + laws, growing with the files (docs/measurements.md `build12`). Nothing it does needs that
    wake: it replaces workers that ended (their sentinels still wake it) and stops when the pool is closed or
    its tasks are done (the change notifier). `_get_sentinels` is the pool's own hook (ThreadPool overrides it);
    were it renamed, the pool would only wake as often as before, and tests/test_build_executor.py would say so."""

    def _get_sentinels(self) -> list:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


def pool_map(fn: Callable, tasks: list, workers: int, init: Callable, initargs: tuple, progress: str | None,
             meanwhile: Callable[[], None] | None = None, lock_fd: int | None = None) -> Iterator[dict]:
    """`fn` over `tasks` in `workers` forked processes, results as they come; `meanwhile` runs in this
    process once the workers have their tasks (work of the main process that would otherwise wait).
    `lock_fd`: the build folder's lock, which each forked worker closes."""
    bar = None
    if progress is not None:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc=progress, unit="file", file=sys.stderr, disable=None, leave=False)
    try:
        if workers <= 1 or len(tasks) <= 1:
            if meanwhile is not None:
                meanwhile()
            if tasks:  # nothing to run needs no set-up (the extractor's import: most of a CPU second)
                init(*initargs)
            for t in tasks:
                yield fn(t)
                if bar:
                    bar.update()
        else:
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
            with _Pool(workers, initializer=_worker_start, initargs=(init, initargs, os.getpid(), lock_fd),
                       context=ctx) as pool:
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


class Executor:
    """Where the per-file tasks run: forked processes here (`local`), or a Dask cluster (`dask`: the one at
    `scheduler`, else a local cluster of `workers` processes, started on first use and closed with the build).
    Dask's workers are started by spawning, so they never hold the lock descriptor (`lock_fd`)."""

    def __init__(self, kind: str, scheduler: str | None, workers: int, lock_fd: int | None = None):
        if kind not in EXECUTORS:
            raise ValueError(f"unknown executor {kind!r} (one of {', '.join(EXECUTORS)})")
        self.kind, self.scheduler, self.workers, self.lock_fd = kind, scheduler, workers, lock_fd
        self._dask: Any = None

    def map(self, fn: Callable, tasks: list, init: Callable, initargs: tuple, progress: str | None,
            meanwhile: Callable[[], None] | None = None) -> Iterator[dict]:
        if self.kind == "dask" and tasks:
            if self._dask is None:
                from kgraph.build_dask import DaskExecutor

                self._dask = DaskExecutor(self.scheduler, self.workers)
            return self._dask.map(fn, tasks, init, initargs, progress, meanwhile)
        return pool_map(fn, tasks, self.workers, init, initargs, progress, meanwhile, self.lock_fd)

    def close(self) -> None:
        if self._dask is not None:
            self._dask.close()
            self._dask = None
