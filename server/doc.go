// Package server is wensou's HTTP service, built on gin: the JSON API
// under /api (search, articles, analyze, the OpenAPI description), the
// search page at / with its article pages and static assets, /healthz and
// /metrics.
//
// Handlers are thin: they bind parameters, call a [Backend] and render.
// Every error goes through one middleware that picks the status from an
// ordered table and answers {"error":{"code":…,"message":…}} (a page for
// browser routes); details of 5xx errors go only to the log.
//
// The package does not open indexes or read configuration; cmd/wensou
// does, and hands the server a Backend when the index is ready.
package server
