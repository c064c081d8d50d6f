"""`kg build --executor dask`: the build's per-file work (extraction, then each file's triples) on a Dask cluster.

The build itself does not change: it hands the same task functions and tasks to this executor that it
hands to its local process pool, and gets the same results back, in any order; the corpus-level pass,
the merge into graph.nt and the store stay in the build's own process. So the graph is the same bytes
whatever runs the tasks (tests/test_dask_build.py checks it on a local cluster of two processes).

Why Dask (and not Ray): `distributed` is pure-Python wheels from PyPI with no service to install, its
`LocalCluster` runs on one machine without extra setup (the test and the default here), and the same code
reaches a cluster by its scheduler's address (`--scheduler tcp://host:8786`; `dask-scheduler` and
`dask-worker` on the machines, or dask-jobqueue/dask-kubernetes). Ray brings a large binary wheel, its own
object store and a head node, which a task that reads a file and writes two small files does not need.

What a cluster needs: kgraph installed on every worker (the same version: tasks are kgraph's own
functions, sent by reference), and the inputs and the build folder on a file system every worker sees
(workers read the input files and write `cache/` and `parts/` in place; only small results, the
counts, travel back). The corpus-level resolver goes to each worker once per build. A file whose task
kills its worker (after Dask has retried it on others) is reported as failed; the rest goes on.
The per-file time budget holds in a worker's task thread for Python code (see `kgraph.build_tasks.time_budget`).
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from typing import Any, Callable, Iterator

_READY: str | None = None  # the build whose initializer ran in this worker process


def _arguments(initargs: tuple) -> tuple:
    return initargs


def _run(fn: Callable[[Any], dict], task: Any, init: Callable, initargs: tuple, token: str) -> dict:
    """In a worker: the build's initializer once per build and process, then one task."""
    global _READY
    if _READY != token:
        init(*initargs)
        _READY = token
    return fn(task)


class DaskExecutor:
    """A Dask client: to the scheduler at `address`, or to a `LocalCluster` of `workers` processes it starts."""

    #: seconds with files still to do and no worker on the cluster before those files are reported lost: a
    #: cluster whose workers all died (and none came back) would otherwise be waited on for ever
    no_worker_grace: float = 120.0
    poll: float = 1.0

    def __init__(self, address: str | None = None, workers: int = 2):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - depends on the install
            raise RuntimeError("--executor dask needs Dask's distributed scheduler: pip install 'kgraph[dask]'") from None
        self.cluster = None
        if address:
            self.client = Client(address)
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)

    def map(self, fn: Callable[[Any], dict], tasks: list, init: Callable, initargs: tuple, progress: str | None,
            meanwhile: Callable[[], None] | None = None) -> Iterator[dict]:
        """`fn` over `tasks` on the cluster, results as they complete (like the local pool's)."""
        from distributed import as_completed

        if not tasks:
            if meanwhile is not None:
                meanwhile()
            return
        token = uuid.uuid4().hex
        # the initializer's arguments as a task's result, not scattered data: a worker that dies takes scattered
        # data with it for good, whereas a task's result is computed again (each worker fetches it once)
        shared = self.client.submit(_arguments, initargs, pure=False, key=f"kgraph-{token}-arguments")
        futures = [self.client.submit(_run, fn, t, init, shared, token, pure=False, key=f"kgraph-{token}-{i}")
                   for i, t in enumerate(tasks)]
        if meanwhile is not None:
            meanwhile()
        stop = threading.Event()
        lost: list[str] = []  # why the watchdog gave the rest up, once it has
        watchdog = threading.Thread(target=self._watch_workers, args=(futures, stop, lost), daemon=True,
                                    name="kgraph-dask-watchdog")
        watchdog.start()
        bar = None
        if progress is not None:
            from tqdm import tqdm

            bar = tqdm(total=len(tasks), desc=progress, unit="file", file=sys.stderr, disable=None, leave=False)
        try:
            source = {f.key: t[0] for f, t in zip(futures, tasks)}  # every task starts with its file's path
            for fut in as_completed(futures):
                try:
                    r = fut.result()
                except Exception as e:  # the task's worker died under it (Dask retried it elsewhere first)
                    why = lost[0] if lost and fut.cancelled() else f"{type(e).__name__}: {e}"
                    r = {"source": source[fut.key], "error": f"lost on the Dask cluster ({why})"}
                fut.release()
                yield r
                if bar:
                    bar.update()
        finally:
            stop.set()
            if bar:
                bar.close()
            self.client.cancel([f for f in futures if not f.done()])

    def _watch_workers(self, futures: list, stop: threading.Event, lost: list[str]) -> None:
        """Beside `map`: once the cluster has had no worker for `no_worker_grace` seconds while files are left,
        cancel them, so each is reported lost and the build goes on to write what it has."""
        gone_since: float | None = None
        while not stop.wait(self.poll):
            try:
                workers = len(self.client.scheduler_info(n_workers=1).get("workers", {}))
            except Exception:  # the scheduler itself is gone: the futures fail on their own
                return
            if workers:
                gone_since = None
                continue
            now = time.monotonic()
            gone_since = gone_since or now
            if now - gone_since >= self.no_worker_grace:
                lost.append(f"no worker left on the cluster for {self.no_worker_grace:g} s")
                self.client.cancel([f for f in futures if not f.done()])
                return

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
