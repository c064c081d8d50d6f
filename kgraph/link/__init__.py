"""Resolution: an extraction → a resolved one, every number, name, body and signer to one canonical key and IRI.

* `keys`: instrument keys (numbers, law names, `InstrumentKey` and its IRI);
* `extraction_keys`: the keys of one extraction's document and references, before corpus merging;
* `bodies`, `persons`: issuers and signers to one canonical body or person;
* `corpus`: the corpus-level pass (`facts_of`, `Resolver`) merging named laws with their numbers;
* `user_input`: what users type for an instrument, for the query layers;
* `resolved`: the resolved model and `resolve`, what `kgraph.graph` writes from.
"""

from __future__ import annotations

from kgraph.lazy import lazy_names

#: Each name below and its module, imported on first use (PEP 562): any `import kgraph.link.<module>` runs
#: this file first, and importing all of them loaded the extractor into `kg` commands that need only
#: `kgraph.link.keys.DEFAULT_BASE` (every `kg` command, through `kg build --base`'s default).
_WHERE = {
    "DEFAULT_BASE": "keys", "InstrumentKey": "keys", "name_key": "keys",
    "Body": "bodies", "normalize_body": "bodies",
    "Resolver": "corpus", "facts_of": "corpus",
    "document_key": "extraction_keys", "reference_key": "extraction_keys",
    "ResolvedDocument": "resolved", "ResolvedInstrument": "resolved", "resolve": "resolved",
    "resolve_instruments": "resolved",
    "UserInstrument": "user_input", "parse_user_instrument": "user_input",
}

__all__ = sorted(_WHERE, key=lambda n: (not n.isupper(), not n[0].isupper(), n))


__getattr__ = lazy_names(__name__, _WHERE)
