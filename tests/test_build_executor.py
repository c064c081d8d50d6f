"""Where `kg build` runs its per-file tasks: the forked pool gives every result, and its worker-handler thread
does not wake for each one (it used to spin until the result thread read it: CPU of the build's process)."""

from __future__ import annotations

import multiprocessing.pool
import os
import threading

import pytest

from kgraph.build_executor import pool_map


def _square(x: int) -> dict:
    return {"x": x, "y": x * x, "pid": os.getpid()}


def _nothing() -> None:
    pass


def test_pool_map_gives_every_result_from_the_workers() -> None:
    got = list(pool_map(_square, list(range(50)), 2, _nothing, (), None))
    assert sorted(r["y"] for r in got) == [x * x for x in range(50)]
    assert os.getpid() not in {r["pid"] for r in got}  # forked workers, not this process


def test_the_worker_handler_does_not_wake_for_each_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython's pool wakes its worker handler whenever a result waits in the pipe; ours only when a worker
    ends or the pool changes, so over 300 results it runs its loop a handful of times, not about once a result."""
    wakes = 0
    real = multiprocessing.pool.Pool._maintain_pool
    lock = threading.Lock()

    def counting(*args: object) -> None:
        nonlocal wakes
        with lock:
            wakes += 1
        real(*args)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_maintain_pool", staticmethod(counting))
    got = list(pool_map(_square, list(range(300)), 2, _nothing, (), None))
    assert len(got) == 300
    assert wakes < 30, wakes
