// name: by-issuer-documents
// args: ISSUER
// doc: The instruments an issuing body passed (bound to $orgs).
// Twin of by-issuer-documents.rq. In the Browser:
// :param orgs => ['https://kgraph.example/id/org/chính-phủ']
UNWIND $orgs AS x
MATCH (org:Resource {uri: x})<-[:PASSED_BY]-(d:Resource)
RETURN org.uri AS org, d.uri AS uri, d.number AS number, d.typeName AS type, d.title AS title,
       // a node merged from two documents may carry two dates: the earliest, as SPARQL's MIN()
       CASE WHEN d.date_document IS :: LIST<ANY> NOT NULL
         THEN reduce(m = head(d.date_document), x IN d.date_document | CASE WHEN x < m THEN x ELSE m END)
         ELSE d.date_document END AS date,
       d.source AS source, d.label AS label, org.label AS issuer
ORDER BY date IS NOT NULL, date, uri
