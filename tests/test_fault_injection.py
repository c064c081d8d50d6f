"""Fault injection (issue 14): `kg build` killed at random points and on a full disk; a rerun gives the clean
result and nothing outside the output folder changes. Small counts here; bench/fault_injection.py runs more."""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import shared_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import fault_injection as fi  # noqa: E402


@pytest.fixture(scope="module")
def clean() -> fi.Clean:
    fi.SHARED = shared_path()
    work = Path(tempfile.mkdtemp(prefix="kg-faults-"))
    try:
        yield fi.clean_build(fi.corpus(work / "in", 5), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_killed_builds_rerun_to_the_clean_result(clean: fi.Clean) -> None:
    work = clean.inputs.parent
    rnd = random.Random(14)
    # 5 kills, alternately into a fresh folder and over an older build; delays inside a clean build's time
    # (a build that finished before its signal is tried again, timed against itself: the machine's speed swings)
    trials = [fi.kill_trial(clean, work, i, rnd, span=(0.1, 0.9), retries=2) for i in range(5)]
    assert all(t.ok for t in trials), [asdict(t) for t in trials if not t.ok]
    assert sum(t.killed for t in trials) >= 3, [asdict(t) for t in trials]  # most of them did die mid-build


@pytest.mark.parametrize("over_older", [False, True], ids=["fresh folder", "over an older build"])
def test_a_full_disk_fails_clearly_and_a_rerun_with_space_finishes(clean: fi.Clean, over_older: bool) -> None:
    why = fi.can_mount()
    if why:
        pytest.skip(f"no small tmpfs to fill: {why}")
    d = fi.disk_trial(clean, clean.inputs.parent, over_older)
    assert d.failed_clearly, d.message
    assert d.old_graph_kept is not False  # a failed rebuild leaves the graph it had
    assert d.ok, asdict(d)
