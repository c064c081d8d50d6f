"""The build folder's own files: the extraction cache (compact JSON) and its facts, the parts' names, the
manifest, and writes that never leave a half file.

`out/cache/<sha>.json` holds a file's extraction (references as rows under a field list: `Extraction.to_dict`
costs a third of the extraction time itself); `out/cache/<sha>.facts.json` the small facts the corpus-level
pass reads as a stream; `out/parts/<hash of path>.nt` a file's sorted triples; `out/manifest.json` what the
last build saw (version 2: facts in the cache, not in the manifest).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from kgraph.model import (PINPOINT_FIELDS, REFERENCE_FIELDS, Document, Extraction, Pinpoint, Reference, Signer,
                          pinpoint_row, reference_row)

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
GRAPH_NT = "graph.nt"
GRAPH_TTL = "graph.ttl"
MANIFEST_VERSION = 2  # 2: facts in cache/<sha>.facts.json, not in the manifest


def extraction_from_dict(d: dict[str, Any]) -> Extraction:
    """The inverse of `Extraction.to_dict` (fields the model does not know are ignored)."""

    def only(cls: type, v: dict[str, Any]) -> dict[str, Any]:
        names = {f.name for f in dataclasses.fields(cls)}
        return {k: x for k, x in v.items() if k in names}

    dd = dict(d["document"])
    dd["signer"] = Signer(**only(Signer, dd.get("signer") or {}))
    doc = Document(**only(Document, dd))
    refs = []
    for r in d["references"]:
        r = dict(r)
        r["pinpoint"] = [Pinpoint(**only(Pinpoint, p)) for p in r.get("pinpoint") or []]
        refs.append(Reference(**only(Reference, r)))
    return Extraction(document=doc, references=refs, source=d.get("source"))


_REF_FIELDS = list(REFERENCE_FIELDS)  # lists: compared with the field lists a cache file holds
_PIN_FIELDS = list(PINPOINT_FIELDS)
_PIN_AT = _REF_FIELDS.index("pinpoint")


def extraction_to_cache(e: Extraction) -> dict[str, Any]:
    """A compact JSON form of an extraction for the build cache: references as rows under a field list.

    `Extraction.to_dict` (dataclasses.asdict) costs a third of the extraction time itself on a corpus.
    """
    d = e.document
    doc = {f.name: getattr(d, f.name) for f in dataclasses.fields(Document) if f.name != "signer"}
    doc["signer"] = {f.name: getattr(d.signer, f.name) for f in dataclasses.fields(Signer)}
    rows = []
    for r in e.references:
        row = list(reference_row(r))  # one C call a record: getattr per field was most of the encoding
        row[_PIN_AT] = [pinpoint_row(p) for p in r.pinpoint]  # tuples: JSON arrays like lists
        rows.append(row)
    return {"source": e.source, "document": doc, "ref_fields": _REF_FIELDS, "pin_fields": _PIN_FIELDS, "refs": rows}


def extraction_from_cache(d: dict[str, Any]) -> Extraction:
    if "references" in d:
        return extraction_from_dict(d)
    known = set(_REF_FIELDS)
    names = d["ref_fields"]
    pins = d["pin_fields"]
    pin_at = names.index("pinpoint")
    refs = []
    if names == _REF_FIELDS and pins == _PIN_FIELDS:  # written by this model: rows are positional arguments
        for row in d["refs"]:
            row[pin_at] = [Pinpoint(*p) for p in row[pin_at]]
            refs.append(Reference(*row))
    else:
        for row in d["refs"]:
            kw = {k: v for k, v in zip(names, row) if k in known}
            kw["pinpoint"] = [Pinpoint(**{k: v for k, v in zip(pins, p) if k in _PIN_FIELDS}) for p in row[pin_at]]
            refs.append(Reference(**kw))
    doc = extraction_from_dict({"document": d["document"], "references": []}).document
    return Extraction(document=doc, references=refs, source=d.get("source"))


def write_atomically(path: str, text: str) -> None:
    """Write through a temporary file of its own (unique name), then rename: no two writers share a temp file."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def part_name(source: str) -> str:
    """A file's part in `parts/`: named by its path (each path is a source of its own)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:24] + ".nt"


def facts_path(cache_path: str | Path) -> str:
    """Where the facts of the extraction cached at `cache_path` are (`<sha>.json` → `<sha>.facts.json`)."""
    return str(cache_path)[: -len(".json")] + ".facts.json"


def read_facts(cache: Path, sha: str) -> dict[str, Any]:
    with open(cache / f"{sha}.facts.json", encoding="utf-8") as f:
        return json.load(f)


class CachedFacts:
    """The files' facts, read from the cache again on each walk: the resolver walks them twice, and holding
    every file's references at once would make the build's memory grow with the corpus."""

    def __init__(self, cache: Path, shas: Iterable[str]):
        self.cache = cache
        self.shas = list(shas)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (read_facts(self.cache, sha) for sha in self.shas)


def load_manifest(out: Path) -> dict[str, Any]:
    try:
        m = json.loads((out / MANIFEST).read_text("utf-8"))
        if m.get("version") == MANIFEST_VERSION:
            return m
    except (OSError, ValueError):
        pass
    return {"version": MANIFEST_VERSION, "files": {}}


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
    os.replace(tmp, path)
