"""The suite's corpus-wide checks on the whole shared corpus (congbao + laws) instead of a quarter of it.

    python bench/corpus_full.py [pytest args...]

The test suite runs them on every 4th file of the corpus to stay under 5 minutes; this runs the same tests,
with the same assertions, on the build of all of it (KGRAPH_CORPUS=full, tests/conftest.py):

- SPARQL vs Cypher (tests/test_parity.py): every corpus document and the 150 most cited instruments as X, at
  least 5,000 rows compared; it prints the cases and equal answers per query;
- the streamed load equals the batch load (tests/test_neo4j_stream.py), on a private server of its own;
- the graph conforms to every SHACL shape, every focus node checked (tests/test_query.py; the suite checks the core
  constraints on a sample of the quarter's nodes, `kgraph.graph.validate.sample_focus_nodes`);
- `cited-by` agrees with a plain-text count of the corpus files for the most cited instruments (tests/test_query.py).

CI runs it after the suite (.ci/run), with the suite's Neo4j still up; locally it needs the server as the tests
do (`kg neo4j start`), and on a shared server the tests must not overlap (flock a lock file).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/test_parity.py",
         "tests/test_neo4j_stream.py::test_streamed_load_equals_the_batch_load_on_the_shared_corpus",
         "tests/test_query.py::test_corpus_graph_validates",
         "tests/test_query.py::test_cited_by_agrees_with_a_plain_text_count"]


def main(argv: list[str]) -> int:
    env = {**os.environ, "KGRAPH_CORPUS": "full"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *TESTS, *argv]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
