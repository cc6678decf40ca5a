// Package eval measures ranking: it runs a list of judged queries through
// a search function and scores where the relevant articles come, per kind
// of query and overall, in the spirit of Elasticsearch's _rank_eval API.
//
// It owns:
//
//   - judgment files ([Read], [ReadFiles]): JSON Lines, one query a line
//     (below), with an optional "grades" object giving some relevant ids
//     a grade above 1; a bad line is reported as "file:line: reason"
//     ([*LineError]);
//   - running them ([Run]) through a [SearchFunc], so that it does not
//     depend on how searches run (the wensou command passes one over its
//     index, tests pass a fake), and the metrics below ([Score], [Report]);
//   - floors ([Floors], [ReadFloors], [Floors.Check]): the lowest value
//     each kind may score on each metric, so that CI fails when ranking
//     regresses.
//
// It does not open indexes, parse queries or know what the ids mean.
//
// A judgment file:
//
//	{"kind":"title-en","query":"bahia cocoa review","relevant":["1"]}
//	{"kind":"prefix","query":"coco","relevant":["1","13462"],"grades":{"13462":2}}
//
// Kinds are names of at most 40 lower-case letters, digits, '.', '_' and
// '-'; "overall" is reserved. Unknown fields are errors, so a misspelt
// "relevent" is caught.
//
// # Metrics
//
// For one query, let g(d) be the grade of article d: its "grades" entry,
// or 1 for the other ids in "relevant", or 0 for any other article. Let
// h1, h2, … be the ids the search returned, best first, cut at k (10 by
// default: [DefaultK]); an id met again further down the list counts as
// not relevant there. Then:
//
//   - rank is the smallest i ≤ k with g(hi) > 0, or none;
//   - the reciprocal rank RR@k is 1/rank, or 0 when there is no rank;
//   - success@1 is 1 when g(h1) > 0, else 0; success@k is 1 when there is
//     a rank, else 0;
//   - DCG@k = Σ (2^g(hi) − 1) / log2(i + 1) over i = 1 … min(k, hits),
//     the gain and discount of Elasticsearch's dcg metric; IDCG@k is the
//     DCG@k of the ideal list, every relevant article by grade descending;
//     nDCG@k = DCG@k / IDCG@k, in [0, 1].
//
// MRR@k, success@1, success@k and nDCG@k of a set of queries are the means
// of the per-query values. A kind's figures are over the queries of that
// kind; the overall figures are over every query, each weighing the same
// (a micro-average: a kind with more queries counts for more).
//
// With binary judgments (no grades) and one relevant id, nDCG@k is
// 1/log2(rank + 1): 1 at rank 1, 0.63 at rank 2, 0.5 at rank 3.
//
// Everything here is safe for concurrent use except a [Report] being
// written; [Run] calls its SearchFunc from the calling goroutine, one
// query at a time, in input order.
package eval
