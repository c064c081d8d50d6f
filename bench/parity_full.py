"""SPARQL vs Cypher on the whole shared corpus (congbao + laws): tests/test_parity.py on the full build.

    python bench/parity_full.py [pytest args...]

The test suite runs the parity cases on every 4th file of the corpus (tests/test_parity.py); this runs the
same tests, with the same assertions, on the build of all of it (KGRAPH_PARITY=full): every corpus document
and the 150 most cited instruments as X, at least 5,000 rows compared. It prints the cases and equal answers
per query. CI runs it after the suite (.ci/run), with the suite's Neo4j still up; locally it needs the server
as the tests do (`kg neo4j start`), and on a shared server the tests must not overlap (flock a lock file).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    env = {**os.environ, "KGRAPH_PARITY": "full"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "tests/test_parity.py", *argv]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
