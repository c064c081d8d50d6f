"""Resolution: an extraction → a resolved one, every number, name, body and signer to one canonical key and IRI.

* `keys`: instrument keys (numbers, law names, `InstrumentKey` and its IRI);
* `extraction_keys`: the keys of one extraction's document and references, before corpus merging;
* `bodies`, `persons`: issuers and signers to one canonical body or person;
* `corpus`: the corpus-level pass (`facts_of`, `Resolver`) merging named laws with their numbers;
* `user_input`: what users type for an instrument, for the query layers;
* `resolved`: the resolved model and `resolve`, what `kgraph.graph` writes from.
"""

from kgraph.link.bodies import Body, normalize_body
from kgraph.link.corpus import Resolver, facts_of
from kgraph.link.extraction_keys import document_key, reference_key
from kgraph.link.keys import DEFAULT_BASE, InstrumentKey, name_key
from kgraph.link.resolved import ResolvedDocument, ResolvedInstrument, resolve, resolve_instruments
from kgraph.link.user_input import UserInstrument, parse_user_instrument

__all__ = [
    "DEFAULT_BASE",
    "Body",
    "InstrumentKey",
    "ResolvedDocument",
    "ResolvedInstrument",
    "Resolver",
    "UserInstrument",
    "document_key",
    "facts_of",
    "name_key",
    "normalize_body",
    "parse_user_instrument",
    "reference_key",
    "resolve",
    "resolve_instruments",
]
