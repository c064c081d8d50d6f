"""What a build could not resolve, and why: the references `kg build` counts as unresolved, listed.

A reference is unresolved when it names no instrument (`kgraph.link.extraction_keys.reference_keys` gives it no
key): a short form bound to nothing, a name for a kind of document ("Thông tư hướng dẫn"), a number that
is not one. The graph leaves them out, so they are read back from the build's cache of extractions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from kgraph.model import Reference


@dataclass(frozen=True, slots=True)
class Unresolved:
    source: str
    start: int
    end: int
    kind: str
    text: str
    why: str
    sentence: str | None


def why_unresolved(ref: Reference) -> str:
    """A reader's reason why a reference names no instrument."""
    if ref.kind == "short":
        if ref.target:
            return f"short form whose target ({ref.target}) is not a number or a dated name"
        return "short form not bound to any instrument named earlier"
    if ref.kind == "numbered" and not ref.number and ("..." in ref.text or "…" in ref.text):
        return "number left blank (…/2024/NĐ-CP: a form or a draft)"
    if ref.number and not ref.number.strip()[:1].isdigit():
        return f"number '{ref.number}' does not start with a digit"
    if ref.name:
        return "a name for a kind of document, not one instrument"
    return "neither a number nor a name of an instrument"


class BuildMissing(Exception):
    """No build (manifest and cache) where one was expected."""


def _bare_reasons(out: Path) -> dict[tuple[str, str | None], str]:
    """(name key, citing date) → why the catalogue did not settle a bare name, from the build's summary.json."""
    try:
        bare = json.loads((out / "summary.json").read_text("utf-8"))["catalogue"]["bare_names"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {(r["name"], r["citing_date"]): f"bare name the catalogue cannot settle: {r['reason']} "
            f"({', '.join(r['candidates'])})" for r in bare.get("ambiguous", []) + bare.get("undetermined", [])}


def unresolved_references(build: str | Path, bare: bool = False) -> Iterator[Unresolved]:
    """Every unresolved reference of a build, file by file in source order, in text order within a file.

    With `bare`, also the names cited with no year that kept no number (issue 10): those the document itself
    names in several ways, and those the catalogue finds ambiguous or cannot date (as summary.json lists them).
    Both are in the graph, as a name with its year unknown; these say why they got no number.
    """
    from kgraph.build_cache import MANIFEST, extraction_from_cache
    from kgraph.link.corpus import facts_of, held_names, words_date
    from kgraph.link.extraction_keys import reference_keys

    out = Path(build)
    try:
        manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise BuildMissing(f"{out}: no build manifest ({e.__class__.__name__}); run `kg build INPUT... --out {out}`") from None
    reasons = _bare_reasons(out) if bare else {}
    for source, entry in sorted(manifest.get("files", {}).items()):
        cache = out / "cache" / f"{entry['sha256']}.json"
        try:
            ex = extraction_from_cache(json.loads(cache.read_text("utf-8")))
        except (OSError, ValueError):
            continue  # a file whose extraction failed has nothing in the graph either
        keys = reference_keys(ex)
        held: set[str] = set()
        at = None
        if bare:
            facts = facts_of(ex, entry["sha256"])
            held = held_names((r[0] for r in facts["refs"]), facts["aliases"])
            at = words_date(facts["doc"])
        for ref, key in zip(ex.references, keys):
            if ref.kind == "self":
                continue
            why = None
            if key is None:
                why = why_unresolved(ref)
            elif bare and key.name_key is not None and key.year is None:
                if key.name_key in held:
                    why = "bare name the citing document itself names with several years or numbers"
                else:
                    why = reasons.get((key.name_key, at))
            if why is not None:
                sentence = " ".join(ref.sentence.split()) if ref.sentence else None
                yield Unresolved(source, ref.start, ref.end, ref.kind, ref.text, why, sentence)
