// name: cited-by
// args: X
// doc: Which documents cite X, with the relations and the provisions they cite.
// Twin of cited-by.rq. $targets: the IRIs X names (kg query resolves what the user typed); $relTypes,
// $relationNames: the citation relations (kg query binds them from relations.yaml). In the Browser:
// :param targets => ['https://kgraph.example/id/doc/62_2022_NĐ-CP']
// USING INDEX SEEK: start from X's node whatever the statistics say (on a near-empty database the planner scanned the index).
UNWIND $targets AS x
MATCH (target:Resource {uri: x})<-[r]-(d:Resource)
USING INDEX SEEK target:Resource(uri)
WHERE type(r) IN $relTypes AND r.mentions > 0
// Lists by expressions, not two subqueries per row (an Apply, a sort and an aggregation each): relations
// ordered by name through the collect, each once; pinpoints each once in the order met (kg query sorts
// both, as for SPARQL).
WITH target, d, r ORDER BY $relationNames[type(r)]
WITH target, d, collect(r) AS rs
WITH target, d, rs,
     reduce(acc = [], r IN rs | CASE WHEN $relationNames[type(r)] IN acc THEN acc ELSE acc + $relationNames[type(r)] END) AS rels,
     reduce(acc = [], r IN rs | reduce(a = acc, mention IN coalesce(r.pinpoint, []) |
       reduce(b = a, pin IN split(mention, '; ') | CASE WHEN pin = '' OR pin IN b THEN b ELSE b + pin END))) AS pins
RETURN target.uri AS target, d.uri AS uri, d.number AS number, d.typeName AS type, d.title AS title,
       // a node merged from two documents may carry two dates: the earliest, as SPARQL's MIN()
       CASE WHEN d.date_document IS :: LIST<ANY> NOT NULL
         THEN reduce(m = head(d.date_document), x IN d.date_document | CASE WHEN x < m THEN x ELSE m END)
         ELSE d.date_document END AS date,
       d.source AS source, d.label AS label,
       reduce(s = '', x IN rels | s + CASE s WHEN '' THEN '' ELSE ', ' END + x) AS relations,
       CASE WHEN size(pins) > 0 THEN reduce(s = '', x IN pins | s + CASE s WHEN '' THEN '' ELSE '; ' END + x) END AS pinpoints,
       reduce(n = 0, r IN rs | n + r.mentions) AS citations
ORDER BY date IS NOT NULL, date, uri
