"""Where kgraph's data files are: inside the package, so an installed wheel finds them as a checkout does.

The ontology, the named queries and the Neo4j Browser assets are edited at the project's top (`ontology/`,
`queries/`, `browser/`). In a checkout `kgraph/ontology`, `kgraph/queries` and `kgraph/browser` are symbolic
links to them; a wheel holds them as real folders (package data), so `pip install` of the project (not
editable) builds and queries like a checkout. Nothing else should locate these files another way.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ONTOLOGY_DIR = PACKAGE / "ontology"
QUERIES_DIR = PACKAGE / "queries"
BROWSER_DIR = PACKAGE / "browser"
