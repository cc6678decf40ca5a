// Package search turns what a person types into a search of the index,
// and the matches into results for the command line and the HTTP API.
//
// It owns:
//
//   - the query language ([Parse], [Query]): words (all required),
//     "phrases" (also “…”), -exclusions, OR, title:, body:, author: and tag:
//     fields, prefix*; ordinary text never fails to parse, and a query that
//     cannot be run gives a [*QueryError] meant for the person who typed it;
//   - requests and their checks ([Request], [Request.Validate],
//     [ParseSort], [ParseBound] for typed dates), with [ErrBadRequest] for
//     invalid parameters, and the paging limits ([MaxSize], [MaxWindow]);
//   - building bleve queries from a parsed query with the index's query
//     analyzer: field weights, tag filters, question words dropped unless
//     nothing else is left, and the fall back to the best partial matches
//     when no article has every word;
//   - running them ([Searcher.Search]) in one pass over the matching
//     documents that counts the facets, applies the author and date
//     filters and keeps the best hits, then loads and highlights only the
//     page returned; cursors ([Request.After], [Result.Next]) for deep
//     paging;
//   - the result types ([Result], [Hit], [Highlight], [Facets]), whose JSON
//     shape the command line and the API share, and highlighting: the
//     article's text HTML-escaped with <mark> as the only markup.
//
// It does not open, write or close indexes, nor read bleve's segments
// itself: package index does, and lends a [Searcher] its index through
// a [Source]. It does not segment text (package zh does, through the
// index's analyzer), and it never imports net/http or gin: the server
// package maps its errors to HTTP statuses.
//
// A [Searcher] is safe for concurrent use.
package search
