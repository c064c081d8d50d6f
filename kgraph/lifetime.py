"""A child process's life tied to its owner's: forked workers that die with their parent (the build's pool, the
server's query workers), and a reaper that cleans up after an owner killed outright (a private Neo4j server, the
tests' browser)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys

_PR_SET_PDEATHSIG = 1


def die_with(parent: int) -> None:
    """In a forked child: ask Linux to kill it (SIGKILL) when `parent` dies, and end at once if `parent` is
    already gone (it died before the request was made). Elsewhere than Linux only the second half holds."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


#: What every reaper runs first: it leaves on the owner's goodbye, and goes on to its clean-up (with `sys` imported)
#: when its stdin ends without one.
_WAIT_FOR_GOODBYE = "import sys\nif sys.stdin.buffer.read(1) == b'q':\n    sys.exit(0)\n"


class Reaper:
    """A watcher process that outlives its owner by as long as it takes to clean up after it: when the owner dies
    without dismissing it (SIGKILL, a crash, a test runner's worker killed at a timeout), it runs `on_death`, Python
    source that reads its arguments from `sys.argv[1:]`. It blocks on its stdin, a pipe only the owner holds: "q" is
    the owner's goodbye, end of file without it means the owner died. Its own session, so a signal to the owner's
    process group spares it."""

    def __init__(self, on_death: str, *args: str) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", _WAIT_FOR_GOODBYE + on_death, *args],
                                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True)

    def dismiss(self) -> None:
        """The owner cleaned up: the reaper leaves without touching anything."""
        stdin = self._proc.stdin
        assert stdin is not None
        with contextlib.suppress(OSError):  # it is gone already
            stdin.write(b"q")
            stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


#: `Reaper` source that kills the process group named by its first argument (a child started in a session of its
#: own, with whatever it started in turn).
KILL_GROUP = """import os, signal
try:
    os.killpg(int(sys.argv[1]), signal.SIGKILL)
except OSError:
    pass
"""
