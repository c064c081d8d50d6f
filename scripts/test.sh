#!/usr/bin/env bash
# Set up and run the whole test suite, with a real Neo4j server for the integration tests.
#
#   scripts/test.sh [pytest args...]
#
# Starts Neo4j Community 5.26 (assembled from Maven Central on first use, cached after) and stops it
# afterwards if this script started it. Tests that read ../shared skip only when it is absent.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/setup.sh
export PYTHON="$root/.venv/bin/python"

started=0
if ! scripts/neo4j-ci.sh status >/dev/null 2>&1; then
  scripts/neo4j-ci.sh start
  started=1
fi
cleanup() { if [ "$started" = 1 ]; then scripts/neo4j-ci.sh stop || true; fi; }
trap cleanup EXIT

# on every core (pytest-xdist; KGRAPH_TEST_PROCESSES=0 for one process): the tests of Neo4j and of the corpus
# builds in one process, the other modules spread over the rest (conftest's scheduler)
set +e
"$PYTHON" -m pytest -q -n "${KGRAPH_TEST_PROCESSES:-auto}" "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$rc"
