#!/usr/bin/env bash
# Start (default), stop or report on the local Neo4j 5.26 server that the `neo4j` tests use.
#
#   scripts/neo4j-ci.sh [start|stop|status]
#
# Needs only Java 17/21, Maven and the Python deps (neo4j, click); kgraph itself need not be installed.
# Jars are cached in ~/.m2 and $KGRAPH_NEO4J_HOME (default ~/.cache/kgraph/neo4j-5.26), so a kept
# machine does not download again. The password stays in the 0600 file $KGRAPH_NEO4J_CREDENTIALS
# (default ~/.config/kgraph/neo4j.env): this script prints its path and exports nothing.
set -euo pipefail

cmd=${1:-start}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
py=${PYTHON:-$(command -v python3 || command -v python)}
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"

case "$cmd" in
  start)
    # A fresh machine downloads ~170 MB of jars first; allow for that plus a slow JVM start.
    exec "$py" -m kgraph.cli_neo4j start --timeout "${KGRAPH_NEO4J_START_TIMEOUT:-300}"
    ;;
  stop)
    exec "$py" -m kgraph.cli_neo4j stop
    ;;
  status)
    exec "$py" -m kgraph.cli_neo4j status
    ;;
  *)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac
