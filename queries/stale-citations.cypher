// name: stale-citations
// args:
// doc: Documents citing an instrument that another document in the corpus replaces or repeals.
// Twin of stale-citations.rq (a consolidated text repeats the repeals it consolidates, so it is left out).
// $endsTypes, $reliesTypes, $relationNames: the relations by role in relations.yaml, bound by kg query.
MATCH (by:CorpusDocument)-[h]->(cited:Resource)
WHERE type(h) IN $endsTypes AND NOT by:ConsolidatedText
MATCH (d:Resource)-[r]->(cited)
WHERE type(r) IN $reliesTypes AND d <> by AND r.mentions > 0
RETURN DISTINCT d.uri AS uri, d.number AS number, d.typeName AS type, d.title AS title, d.date_document AS date,
       d.source AS source, d.label AS label, cited.uri AS cited, cited.label AS cited_label,
       $relationNames[type(h)] AS how, by.uri AS by, by.label AS by_label, by.date_document AS by_date
ORDER BY uri, cited, by
