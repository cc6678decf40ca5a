// Package faults is wensou's fault suite: tests that run the real wensou
// binary as separate processes and break things underneath it, then check
// what the clients saw and what the index still holds.
//
// It covers kill -9 of a serving process while clients write and search,
// kill -9 during wensou index, index --sync and reindex, a full disk and a
// read-only disk under a running server (tmpfs mounts: root only), index
// files deleted under a running server, a write made with wensou index
// while wensou reindex runs, and a table of malformed API requests. Each
// test prints its numbers, and TestMain prints them all as one table at
// the end.
//
// The suite is slow and needs root for its disk tests, so every test skips
// unless WENSOU_FAULTS=1 is set:
//
//	WENSOU_FAULTS=1 go test -count=1 -v ./cmd/wensou/faults/
//
// WENSOU_FAULTS_ROUNDS sets the number of kill -9 rounds of the serving
// test (5 by default), WENSOU_FAULTS_SEED the random seed (each run logs
// its own), and WENSOU_FAULTS_LOGS a directory to keep every server's
// whole log in. Tests that need ../shared/corpus skip with a message when
// it is missing.
//
// The package holds no code of its own: everything is in its _test.go
// files. It owns no behaviour of wensou; it only observes the binary from
// outside, through its command line, its HTTP API and its index directory.
package faults
