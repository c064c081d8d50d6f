"""A child's life tied to its owner's (`kgraph.lifetime`): what a killed owner leaves running, and what a clean one does."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

from processes import alive, wait_gone

#: An owner that starts a child in a session of its own (as the tests start chromedriver), leaves a reaper for the
#: child's group, says the child's pid, then either waits to be killed or dismisses the reaper and exits.
_OWNER = """import subprocess, sys, time
from kgraph.lifetime import KILL_GROUP, Reaper
child = subprocess.Popen(["sleep", "300"], start_new_session=True)
reaper = Reaper(KILL_GROUP, str(child.pid))
print(child.pid, flush=True)
if sys.argv[1] == "dismiss":
    reaper.dismiss()
else:
    time.sleep(300)
"""


def _owner(mode: str) -> tuple[subprocess.Popen[str], int]:
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, mode], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    return owner, int(owner.stdout.readline())


def test_a_killed_owner_s_child_group_is_killed_by_its_reaper() -> None:
    owner, child = _owner("wait")
    try:
        assert alive(child)
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        assert not wait_gone({child}, 30), "the child outlived its killed owner"
    finally:
        owner.kill()
        owner.wait()


def test_a_dismissed_reaper_touches_nothing() -> None:
    owner, child = _owner("dismiss")
    try:
        assert owner.wait(timeout=30) == 0
        assert wait_gone({child}, 1) == {child}, "the dismissed reaper killed the child"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child, signal.SIGKILL)
