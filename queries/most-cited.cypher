// name: most-cited
// args: [N]
// doc: The instruments cited by the most documents (N, default 20).
// Twin of most-cited.rq ($relTypes: the citation relations, bound by kg query). In the Browser: :param limit => 20
MATCH (citing:Resource)-[r]->(d:Resource)
WHERE type(r) IN $relTypes AND r.mentions > 0
WITH d, count(DISTINCT citing) AS cited_by, sum(r.mentions) AS citations
RETURN d.uri AS uri, d.number AS number, d.typeName AS type, d.title AS title, d.date_document AS date,
       d.source AS source, d.label AS label, cited_by, citations
ORDER BY cited_by DESC, citations DESC, uri
LIMIT $limit
