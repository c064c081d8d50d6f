// name: provisions-cited
// args: X
// doc: Which provisions (articles, clauses, points) of X are cited, and by which documents.
// Twin of provisions-cited.rq: the citations' pinpoints (labels, on the relationships) matched to
// X's provision nodes ($relTypes: the citation relations, bound by kg query). In the Browser: :param targets => ['https://kgraph.example/id/doc/62_2022_NĐ-CP']
// USING INDEX SEEK: start from X's node whatever the statistics say (on a near-empty database the planner scanned the index).
UNWIND $targets AS x
MATCH (target:Resource {uri: x})
USING INDEX SEEK target:Resource(uri)
OPTIONAL MATCH (p:Provision)-[:IS_PART_OF]->+(target)
// the provisions as maps of the four values read below: matching a pin reads memory, not each node's label again
WITH target, collect(DISTINCT p {.label, .article, .clause, .point}) AS provisions
MATCH (target)<-[r]-(d:Resource)
WHERE type(r) IN $relTypes AND r.pinpoint IS NOT NULL
UNWIND range(0, size(r.pinpoint) - 1) AS i
UNWIND split(r.pinpoint[i], '; ') AS pin
WITH target, provisions, d, pin, r.citation[i] AS citation
WHERE pin <> ''
WITH target, d, pin, citation, [p IN provisions WHERE p.label = pin][0] AS p
WHERE p IS NOT NULL
WITH target, d, pin AS provision, p.article AS article, p.clause AS clause, p.point AS point,
     count(DISTINCT citation) AS citations
RETURN target.uri AS target, d.uri AS uri, d.number AS number, d.typeName AS type, d.title AS title,
       d.date_document AS date, d.source AS source, d.label AS label, provision, article, clause, point, citations
ORDER BY toIntegerOrNull(article) IS NOT NULL, toIntegerOrNull(article), article IS NOT NULL, article,
         clause IS NOT NULL, clause, point IS NOT NULL, point, uri
