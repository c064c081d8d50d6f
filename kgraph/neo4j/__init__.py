"""Neo4j: the RDF graph as a property graph in a Neo4j server, and the named queries' Cypher twins on it.

One module per job, bottom to top:

* ``connection``: settings (flags, ``NEO4J_*``, the 0600 credentials file), a verified driver, clear errors;
* ``install`` and ``server``: a local Neo4j 5.26 from Maven Central jars, started, watched and stopped;
* ``mapping``: the ontology read as labels, keys and relationship types, and the schema they need;
* ``rows``: RDF triples as nodes and relationships (citations folded onto their relationship), hashed;
* ``sync``: a database made to hold a graph, keyed by IRI, crash-safe; ``stream``: ``kg load``, writing
  while it maps when the database is empty; ``csv_export``: files for ``neo4j-admin database import``;
* ``queries``: the Cypher twins behind ``kgraph.query.QueryBackend``, and raw Cypher (``kg cypher``).

Everything but ``queries`` sits with the other sinks, below ``kgraph.query``; ``queries`` is the Neo4j
side of asking and is the only module here that imports ``kgraph.query``.
"""
