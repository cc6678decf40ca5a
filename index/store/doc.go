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
// Every write is made to the live index first and, while a rebuild runs,
// then appended to the rebuild's journal, which the rebuild applies to the
// new index before it writes CURRENT; the process serving the live index
// applies what came after when it switches. A write is acknowledged only
// when both are durable, so none is lost to the switch.
package store
