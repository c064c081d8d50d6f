// name: stale-citations
// args:
// doc: Documents (not consolidated texts) citing an instrument no longer in force on the day they were issued: by the catalogue's date it ceased (eli:date_no_longer_in_force), or repealed / replaced as a whole by a corpus document in force before them (unless the catalogue says it ceased only later, or that this ender repealed or amended only part of it).
// Twin of stale-citations.rq. Both read the kg:StaleReliance nodes the build derives once the whole graph is
// written (kgraph/graph/stale.py), one per (document, instrument, how, ender).
MATCH (sr:StaleReliance)-[:RELYING_DOCUMENT]->(d:Resource), (sr)-[:RELIED_ON]->(cited:Resource)
OPTIONAL MATCH (sr)-[:ENDED_BY]->(b:Resource)
RETURN d.uri AS uri, d.number AS number, d.typeName AS type, d.title AS title, d.date_document AS date,
       d.source AS source, d.label AS label, cited.uri AS cited, cited.label AS cited_label,
       sr.endedHow AS how, b.uri AS by, b.label AS by_label, sr.enderDate AS by_date, sr.endedOn AS ended
ORDER BY uri, cited, by, how
