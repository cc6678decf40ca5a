// Package replica keeps wensou indexes in step through a replicated log,
// a NATS JetStream stream: writes are appended to the log, acknowledged
// once a quorum of its voters holds them, and every node's index applies
// the log in order.
//
// It owns:
//
//   - the log ([Log]): the stream of a shard (replicas, file storage,
//     the duplicate window), and appending a write with a message id, so
//     that a write retried across a leader election is stored once;
//   - applying it ([Replica]): an ordered consumer from the sequence
//     after the last one the index applied, in batches, each batch and
//     its last sequence written to the index together
//     ([index.Index.ApplyLog]), so that a node that restarts resumes
//     where it was, and a wait for a sequence (read-your-writes);
//   - an embedded JetStream server ([StartServer]) for nodes that run
//     their own log voters.
//
// Consensus, replication and failover are JetStream's; this package
// neither elects nor replicates. It knows nothing of HTTP or the
// command line, and a standalone wensou never calls it.
package replica
