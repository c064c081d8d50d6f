// name: basis-chain
// args: X
// doc: The transitive legal basis of X (căn cứ, and the instruments it guides), up to the constitution: one row per link.
// Twin of basis-chain.rq (kg query adds the depth column; $basisTypes: the relations with the role basis
// in relations.yaml, bound by kg query). In the Browser:
// :param targets => ['https://kgraph.example/id/doc/22_2026_TT-BNNMT']
// USING INDEX SEEK: start from X's node whatever the statistics say (on a near-empty database the planner scanned the index).
UNWIND $targets AS x
MATCH (target:Resource {uri: x})
USING INDEX SEEK target:Resource(uri)
MATCH SHORTEST 1 (target)-[b WHERE type(b) IN $basisTypes]->*(basis_of:Resource)
WITH DISTINCT target, basis_of
MATCH (basis_of)-[r]->(u:Resource)
WHERE type(r) IN $basisTypes AND u <> basis_of
RETURN DISTINCT target.uri AS target, u.uri AS uri, u.number AS number, u.typeName AS type, u.title AS title,
       u.date_document AS date, u.source AS source, u.label AS label,
       basis_of.uri AS basis_of, basis_of.label AS basis_of_label
ORDER BY basis_of, uri
