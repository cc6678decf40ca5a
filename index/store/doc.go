// Package store keeps an article index as a directory of generations, so
// that a whole collection can be rebuilt beside the live index and
// switched to atomically while searches and writes go on.
//
// A store directory holds:
//
//	CURRENT          the live generation (JSON), replaced by rename
//	gen-000007/      the live index (a bleve index, see package index)
//	gen-000007.lock  flock held by the process that has gen-000007 open
//	gen-000008/      a rebuild in progress, with its lock held
//	gen-000008.journal  writes made to the live index during that rebuild
//	rebuild.lock     flock held by the process rebuilding
//
// Locks are flocks, which the kernel releases when a process dies, so a
// rebuild killed at any point leaves a directory and a journal nobody
// holds: the next [Open] removes them, and the live index never changed.
//
// The store is the only way to write: [Store.Put] and [Store.Delete], and
// [index.Ingest] and [index.Sync] with the store as their [index.Writer],
// all go through one method. Every write is made to the live index first
// and, while a rebuild runs (in this process or another: wensou reindex
// beside wensou index or a server), then appended to the rebuild's
// journal, which the rebuild applies to the new index before it writes
// CURRENT; whoever opens the new index next applies what came after. A
// write is acknowledged only when both are durable, so none is lost to
// the switch. Reads borrow the live index with [Store.With], which keeps
// it open until they are done: the search package searches so.
//
// It does not analyse, search or read files: packages index, search and
// article do. On a read-only file system a store opens its live index
// read-only, to be searched; writes then fail with [index.ErrReadOnly].
package store
