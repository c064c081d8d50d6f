"""kgraph: a knowledge graph of Vietnamese legal and administrative documents and their references."""

from kgraph.extract import extract
from kgraph.model import Document, Extraction, Pinpoint, Reference, Signer

__all__ = ["extract", "Document", "Extraction", "Pinpoint", "Reference", "Signer"]
__version__ = "0.1.0"
