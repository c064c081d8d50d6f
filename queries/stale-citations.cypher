// name: stale-citations
// args:
// doc: Documents (not consolidated texts) citing an instrument no longer in force on the day they were issued: by the catalogue's date it ceased (eli:date_no_longer_in_force), or repealed / replaced as a whole by a corpus document in force before them (unless the catalogue says it ceased only later, or that this ender repealed or amended only part of it).
// Twin of stale-citations.rq. A consolidated text is neither an ender (it repeats the repeals it consolidates)
// nor a citer (its citations are the consolidated instrument's, made on that instrument's date).
// $endsTypes, $reliesTypes, $relationNames: the relations by role in relations.yaml, bound by kg query.
// Each branch starts from what ends an instrument (a corpus document's repeal, the catalogue's date), a few
// thousand relationships at x10, and only then reads the documents relying on that instrument: starting from
// every relying relationship (tens of thousands) cost a subquery call each.
CALL () {
  MATCH (by:CorpusDocument)-[h]->(cited:Resource)
  WHERE type(h) IN $endsTypes AND NOT by:ConsolidatedText AND by.date_document IS NOT NULL
    // a whole-instrument repeal: one of its mentions names no part (a pinpointed one, or one marked partial,
    // repeals a part). The mentions' pinpoints and partial marks are parallel lists on the relationship,
    // "" for a mention without one (a list of booleans when every mention has one)
    AND any(i IN range(0, coalesce(h.mentions, 1) - 1)
            WHERE (h.pinpoint IS NULL OR h.pinpoint[i] = '')
              AND (h.partial IS NULL OR NOT toLower(toString(h.partial[i])) = 'true'))
    // the catalogue outweighs the corpus's evidence where it says this ender repealed or amended only part of it
    AND NOT EXISTS {
      MATCH (cited)-[:CATALOGUE_RECORD]->(crec:CatalogueRecord)
      WHERE EXISTS { MATCH (crec)-[:EFFECT]->(e:CatalogueEffect)-[:EFFECT_BY]->(by)
                     WHERE e.effectKind IN ['repealed_in_part_by', 'amended_by'] }
        AND NOT EXISTS { MATCH (crec)-[:EFFECT]->(w:CatalogueEffect)-[:EFFECT_BY]->(by)
                         WHERE w.effectKind IN ['repealed_by', 'replaced_by'] }
    }
  // the ender ends the force from its own entry into force (the catalogue's date), else from its issue
  OPTIONAL MATCH (by)-[:CATALOGUE_RECORD]->(brec:CatalogueRecord)
  WITH by, h, cited, coalesce(brec.first_date_entry_in_force, by.date_document) AS ended
  MATCH (d:Resource)-[r]->(cited)
  WHERE type(r) IN $reliesTypes AND r.mentions > 0 AND NOT d:ConsolidatedText AND d <> by
    AND by.date_document < d.date_document AND ended <= d.date_document
    // ... and of the same instrument: where the ender and the citing document both date it, the dates agree (one
    // number written for two instruments is no evidence); the mentions' dates are lists, "" for a mention without
    AND NOT EXISTS {
      MATCH (d)-[u]->(cited)
      WHERE any(x IN coalesce(h.citedDate, []) WHERE toString(x) <> ''
                AND any(y IN coalesce(u.citedDate, []) WHERE toString(y) <> '' AND toString(y) <> toString(x)))
    }
    // the catalogue outweighs the corpus's evidence where it says the cited instrument was in force that day
    AND NOT EXISTS {
      MATCH (cited)-[:CATALOGUE_RECORD]->(crec:CatalogueRecord)
      WHERE d.date_document < crec.date_no_longer_in_force
    }
  RETURN d, cited, $relationNames[type(h)] AS how, by.uri AS by, by.label AS by_label, by.date_document AS by_date,
         ended
  UNION
  MATCH (cited:Resource)-[:CATALOGUE_RECORD]->(rec:CatalogueRecord)
  WHERE rec.date_no_longer_in_force IS NOT NULL
  MATCH (d:Resource)-[r]->(cited)
  WHERE type(r) IN $reliesTypes AND r.mentions > 0 AND NOT d:ConsolidatedText
    AND rec.date_no_longer_in_force <= d.date_document
  OPTIONAL MATCH (rec)-[:EFFECT]->(e:CatalogueEffect)-[:EFFECT_BY]->(b)
  WHERE e.effectKind IN ['repealed_by', 'replaced_by']
  RETURN d, cited, 'catalogue' AS how, b.uri AS by, b.label AS by_label, e.effectDate AS by_date,
         rec.date_no_longer_in_force AS ended
}
WITH d, cited, how, by, by_label, by_date, ended WHERE by IS NULL OR by <> d.uri
RETURN DISTINCT d.uri AS uri, d.number AS number, d.typeName AS type, d.title AS title, d.date_document AS date,
       d.source AS source, d.label AS label, cited.uri AS cited, cited.label AS cited_label,
       how, by, by_label, by_date, ended
ORDER BY uri, cited, by
