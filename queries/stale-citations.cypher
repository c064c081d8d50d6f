// name: stale-citations
// args:
// doc: Documents citing an instrument no longer in force on the day they were issued: by the catalogue's date it ceased (eli:date_no_longer_in_force), or repealed / replaced by a corpus document issued before them.
// Twin of stale-citations.rq (a consolidated text repeats the repeals it consolidates, so it is left out).
// $endsTypes, $reliesTypes, $relationNames: the relations by role in relations.yaml, bound by kg query.
MATCH (d:Resource)-[r]->(cited:Resource)
WHERE type(r) IN $reliesTypes AND r.mentions > 0 AND d.date_document IS NOT NULL
CALL (d, cited) {
  MATCH (by:CorpusDocument)-[h]->(cited)
  WHERE type(h) IN $endsTypes AND NOT by:ConsolidatedText AND by.date_document < d.date_document
    // a whole-instrument repeal: one of its mentions names no article (a pinpointed one repeals a part)
    // (the mentions' pinpoints are a list on the relationship, "" for a mention without one)
    AND (h.pinpoint IS NULL OR '' IN h.pinpoint)
  RETURN $relationNames[type(h)] AS how, by.uri AS by, by.label AS by_label, by.date_document AS by_date,
         by.date_document AS ended
  UNION
  MATCH (cited)-[:CATALOGUE_RECORD]->(rec:CatalogueRecord)
  WHERE rec.date_no_longer_in_force <= d.date_document
  OPTIONAL MATCH (rec)-[:EFFECT]->(e:CatalogueEffect)-[:EFFECT_BY]->(b)
  WHERE e.effectKind IN ['repealed_by', 'replaced_by']
  RETURN 'catalogue' AS how, b.uri AS by, b.label AS by_label, e.effectDate AS by_date,
         rec.date_no_longer_in_force AS ended
}
WITH d, cited, how, by, by_label, by_date, ended WHERE by IS NULL OR by <> d.uri
RETURN DISTINCT d.uri AS uri, d.number AS number, d.typeName AS type, d.title AS title, d.date_document AS date,
       d.source AS source, d.label AS label, cited.uri AS cited, cited.label AS cited_label,
       how, by, by_label, by_date, ended
ORDER BY uri, cited, by
