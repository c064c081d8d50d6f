"""Progress on long steps (issue 12: `kg validate` ran 30 s silently)."""

from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

from conftest import KG

from kgraph.progress import Ticker


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ticker_redraws_the_seconds_on_a_terminal() -> None:
    out = _Tty()
    with Ticker("checking", stream=out, every=0.1):
        time.sleep(0.55)
    text = out.getvalue()
    assert text.startswith("checking…")
    assert text.count("\rchecking… ") >= 3  # redrawn while it ran
    assert text.rstrip().endswith("s") and "checking: done in 0." in text


def test_ticker_writes_start_and_end_lines_in_a_log() -> None:
    out = io.StringIO()
    try:
        with Ticker("loading", stream=out, every=0.05):
            time.sleep(0.2)
            raise ValueError("x")
    except ValueError:
        pass
    lines = out.getvalue().splitlines()
    assert lines[0] == "loading…" and lines[1].startswith("loading: failed in ")
    assert "\r" not in out.getvalue()


def test_kg_validate_says_what_it_checks_before_it_ends(data_build: Path) -> None:
    """On the session's build of data/ (conftest), which `kg validate` only reads."""
    p = subprocess.Popen([*KG, "validate", "--store", str(data_build)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stderr.readline()  # written when the check starts, not when it ends
    assert first.startswith("kg validate: checking") and "graph.nt" in first and "MB" in first
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0 and "conforms" in out and "done in" in err
