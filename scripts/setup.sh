#!/usr/bin/env bash
# Set up kgraph in a virtual environment (.venv) with its test extras. Safe to run again.
#
#   scripts/setup.sh            # then: . .venv/bin/activate
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
echo "kgraph is installed in $root/.venv (activate with: . .venv/bin/activate)"
