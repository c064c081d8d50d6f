"""The inputs of `kg build`: what the user named (files, folders, globs) → the files to read, and each file's hash.

An input that names nothing is told apart (`NAMES_NOTHING`) so the build can refuse to run on a typo; a file
that cannot be read is a `Problem` of that file alone. Hashing refuses FIFOs, devices and oversized files.
"""

from __future__ import annotations

import glob as globmod
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kgraph.reader import DOCUMENT_SUFFIXES, MAX_BYTES, InputError, open_regular


@dataclass(slots=True)
class Problem:
    source: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


def discover(inputs: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Input files as the user named them: files as given, folders searched for documents, globs expanded."""
    found: dict[str, None] = {}
    problems: list[Problem] = []
    for raw in inputs:
        p = Path(raw)
        try:
            is_dir, exists = p.is_dir(), p.exists() or p.is_symlink()
        except OSError as e:  # a folder on the way cannot be searched: this input fails, the rest goes on
            problems.append(Problem(raw, os_problem(e)))
            continue
        if is_dir:
            hits = []

            def unsearchable(e: OSError) -> None:
                problems.append(Problem(e.filename or raw, f"folder cannot be searched ({os_problem(e)})"))

            for root, dirs, files in os.walk(raw, onerror=unsearchable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in files:
                    if not f.startswith(".") and f.lower().endswith(DOCUMENT_SUFFIXES):
                        hits.append(os.path.join(root, f))
            if not hits:
                problems.append(Problem(raw, f"folder holds no documents ({', '.join(DOCUMENT_SUFFIXES)})"))
            for h in sorted(hits):
                found.setdefault(h, None)
        elif exists:
            found.setdefault(raw, None)
        elif globmod.has_magic(raw):
            hits = sorted(h for h in globmod.glob(raw, recursive=True) if Path(h).is_file())
            if not hits:
                problems.append(Problem(raw, "pattern matched no files"))
            for h in hits:
                found.setdefault(h, None)
        else:
            problems.append(Problem(raw, "no such file or folder"))
    return sorted(found), problems


#: Problems of an input as named (not of a file found in it): the build refuses to run with any of them.
NAMES_NOTHING = ("no such file or folder", "pattern matched no files", "folder holds no documents")


def os_problem(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    return f"cannot read ({e.strerror or e})"


class InputsNotFound(RuntimeError):
    """Some inputs name nothing; the build did not start, so nothing in the output folder changed."""


def sha256_file(path: str) -> tuple[str | None, int, str | None]:
    """Hash of a file's bytes, refusing FIFOs and devices (a FIFO would block, /dev/zero never end)."""
    try:
        h = hashlib.sha256()
        n = 0
        with open_regular(path) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
                n += len(chunk)
                if n > MAX_BYTES:
                    return None, n, f"too large (over {MAX_BYTES} bytes)"
        return h.hexdigest(), n, None
    except InputError as e:
        return None, 0, e.problem
    except OSError as e:
        return None, 0, f"cannot read ({e.strerror})"
