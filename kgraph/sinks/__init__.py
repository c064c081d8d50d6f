"""Sinks: where a built graph goes (N-Triples/Turtle files, an embedded Oxigraph store, networkx, Neo4j)."""
