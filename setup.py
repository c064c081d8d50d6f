"""The compiled parts of kgraph: the catalogue's key-and-probe of a common citation (kgraph/catalog/_namekey.c) and
the N-Triples reader `kg load` maps a build's graph.nt from (kgraph/neo4j/_ntriples.c).

Optional: where no C compiler is found the build goes on without them; `kgraph.catalog.namekey` then uses its
Python twin (same answers, about a third of the speed on names never resolved before) and `kgraph.neo4j.rows`
reads every file with pyoxigraph (the same triples, the mapping's loop about twice as long). The project's
metadata is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("kgraph.catalog._namekey", ["kgraph/catalog/_namekey.c"], optional=True),
                   Extension("kgraph.neo4j._ntriples", ["kgraph/neo4j/_ntriples.c"], optional=True)])
