"""A child process's life tied to its parent's: the build's pool workers and the server's query workers."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
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
