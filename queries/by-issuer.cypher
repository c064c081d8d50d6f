// name: by-issuer
// args: [ISSUER]
// doc: Issuing bodies with how many instruments each passed; with ISSUER, that body's instruments.
// Twin of by-issuer.rq.
MATCH (doc:Resource)-[:PASSED_BY]->(org:Resource)
WITH org, count(DISTINCT doc) AS instruments,
     count(DISTINCT CASE WHEN doc:CorpusDocument THEN doc END) AS in_corpus
RETURN org.uri AS uri, org.label AS issuer, instruments, in_corpus
ORDER BY instruments DESC, uri
