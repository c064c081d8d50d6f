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
# The suite starts many Python processes (`kg` commands, serve and build workers), each importing kgraph
# afresh. Under PYTHONDONTWRITEBYTECODE none saves its bytecode, so each compiled kgraph's sources again
# (0.15-0.25 CPU s a process that imports the extractor); Python still reads bytecode it is told not to write,
# so it is compiled once here. Without that variable the first process would write it: this only checks it.
"$PYTHON" -m compileall -q -j 0 kgraph bench >/dev/null

started=0
if ! scripts/neo4j-ci.sh status >/dev/null 2>&1; then
  # a server for this run alone (stopped after it): its JVM with the suite's options (conftest.SUITE_JVM_OPTS,
  # C1 alone: this JVM used 42 CPU s over a run instead of 84), unless KGRAPH_NEO4J_JVM_OPTS says otherwise
  opts=${KGRAPH_NEO4J_JVM_OPTS-$(cd tests && "$PYTHON" -c 'from conftest import SUITE_JVM_OPTS; print(SUITE_JVM_OPTS)')}
  KGRAPH_NEO4J_JVM_OPTS=$opts scripts/neo4j-ci.sh start
  started=1
fi
cleanup() { if [ "$started" = 1 ]; then scripts/neo4j-ci.sh stop || true; fi; }
trap cleanup EXIT

# On every core by default (pytest-xdist): the modules using Neo4j together in one process, the others spread
# over the rest (conftest's scheduler). KGRAPH_TEST_PROCESSES=N for N processes, 0 for one process, no xdist.
set +e
procs="${KGRAPH_TEST_PROCESSES:-auto}"
if [ "$procs" != 0 ]; then
  "$PYTHON" -m pytest -q -n "$procs" "$@"
else
  "$PYTHON" -m pytest -q "$@"
fi
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$rc"
