"""A package's names imported on first use (PEP 562), so that importing one of its modules does not load all.

Python runs a package's `__init__` before any of its modules: an `__init__` that imported everything it
names made `kg load` or `kg --help` load the extractor and the resolver, most of a CPU second each.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable


def lazy_names(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """The package's module-level `__getattr__`: `where` maps each public name to the submodule holding it;
    the value is bound on the package once read, so the hook runs once per name."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
