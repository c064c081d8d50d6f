"""A line on standard error while a long step runs, so a 30-second step is not 30 seconds of silence.

On a terminal the line is redrawn with the seconds spent; elsewhere (a log, CI) it is written once when
the step starts and once when it ends.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import IO


class Ticker:
    """`with Ticker("checking the graph"):` ... — says what runs and for how long."""

    def __init__(self, what: str, stream: IO[str] | None = None, every: float = 0.5):
        self.what, self.every = what, every
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = 0.0

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.stream.write(f"\r{self.what}… {time.perf_counter() - self._t0:.0f} s")
            self.stream.flush()

    def __enter__(self) -> "Ticker":
        self._t0 = time.perf_counter()
        self.stream.write(f"{self.what}…" + ("" if self.tty else "\n"))
        self.stream.flush()
        if self.tty:
            self._thread = threading.Thread(target=self._loop, name="kg-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        spent = time.perf_counter() - self._t0
        end = "failed" if et is not None else "done"
        self.stream.write(("\r" if self.tty else "") + f"{self.what}: {end} in {spent:.1f} s\n")
        self.stream.flush()
