"""Process trees, for the tests that kill a command and check that nothing it started lives on."""

from __future__ import annotations

import time
from pathlib import Path


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has closed its files: not alive)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def children(pid: int) -> set[int]:
    """The direct children of ``pid`` (every thread's); empty once it is gone."""
    out: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return out
    for task in tasks:
        try:
            with open(task / "children") as f:
                out |= {int(x) for x in f.read().split()}
        except FileNotFoundError:
            continue
    return out


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``: taken before a kill, to check afterwards that none of them outlived it."""
    seen: set[int] = set()
    todo = [pid]
    while todo:
        for c in children(todo.pop()) - seen:
            seen.add(c)
            todo.append(c)
    return seen


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    """Wait up to ``seconds`` for ``pids`` to end; those still alive then."""
    deadline = time.monotonic() + seconds
    while (left := {p for p in pids if alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
