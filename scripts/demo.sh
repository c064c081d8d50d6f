#!/usr/bin/env bash
# Set up and run kgraph's main job on the bundled examples in data/:
# extract, build the graph (RDF files + embedded Oxigraph store), and ask it a few questions.
#
#   scripts/demo.sh [OUT_DIR]      (default out/example)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/setup.sh >/dev/null
kg=.venv/bin/kg
out=${1:-out/example}

echo "== kg extract data/*.txt"
"$kg" extract data/*.txt
echo
echo "== kg build data --out $out"
"$kg" build data --out "$out"
echo
echo "== kg query cited-by 163/2016/NĐ-CP"
"$kg" query cited-by "163/2016/NĐ-CP" --store "$out"
echo
echo "== kg query most-cited"
"$kg" query most-cited --store "$out"
echo
echo "== kg stats"
"$kg" stats --store "$out"
