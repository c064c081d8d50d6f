"""kgraph: a knowledge graph of Vietnamese legal and administrative documents and their references.

The public names below are loaded on first use, not at `import kgraph`: every `kg` command and every
`import kgraph.<module>` runs this file first, and importing the extractor (its tables and patterns) cost
each such process most of a CPU second even when it extracts nothing (`kg serve`, `kg load`, `kg --help`).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from kgraph.lazy import lazy_names

if TYPE_CHECKING:
    from kgraph.extract import extract
    from kgraph.model import Document, Extraction, Pinpoint, Reference, Signer

__all__ = ["extract", "Document", "Extraction", "Pinpoint", "Reference", "Signer"]
__version__ = "0.1.0"

#: the model's classes, imported when first asked for
__getattr__ = lazy_names(__name__, dict.fromkeys(__all__[1:], "model"))


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """`kgraph.extract` is the function, as it always was, though a submodule of that name exists: importing
    the submodule binds its name on this package, which a plain lazy attribute would then return instead."""

    @property
    def extract(self) -> Any:
        from kgraph.extract import extract as function

        return function

    @extract.setter
    def extract(self, _module: object) -> None:
        """The import system binding the submodule `kgraph.extract`: the name stays the function."""


sys.modules[__name__].__class__ = _Package
