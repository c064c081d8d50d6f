"""The one compiled part of kgraph: the catalogue's key-and-probe of a common citation (kgraph/catalog/_namekey.c).

Optional: where no C compiler is found the build goes on without it, and `kgraph.catalog.namekey` uses its
Python twin (same answers, about a third of the speed on names never resolved before). The project's
metadata is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("kgraph.catalog._namekey", ["kgraph/catalog/_namekey.c"], optional=True)])
