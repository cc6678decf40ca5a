package replica

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wensou/wensou/index"
)

// ErrUnavailable means the log could not take a write within the time
// allowed: too few of its voters are reachable for a quorum, or a leader
// election outlasted the wait. The write may have been stored; appending
// it again with the same message id stores it once.
var ErrUnavailable = errors.New("the log has no quorum to take the write")

// ErrTooLarge means one write (an article) is larger than a log entry
// can hold.
var ErrTooLarge = errors.New("a write is larger than a log entry can hold")

// LogConfig configures [OpenLog].
type LogConfig struct {
	// Shard is the shard whose stream this is, 0 for the only one.
	Shard int
	// Replicas is how many voters hold the stream; default 3.
	Replicas int
	// Duplicates is how long a message id is remembered, so that a write
	// retried within it is stored once; default 2 minutes.
	Duplicates time.Duration
	// AttemptTimeout bounds one publish; default 2 s. Append retries
	// until its context is done.
	AttemptTimeout time.Duration
	// MaxEntry is the largest entry appended, in bytes; default what the
	// connection's server takes, less room for headers.
	MaxEntry int
}

// Log is the stream of one shard. It is safe for concurrent use.
type Log struct {
	js       jetstream.JetStream
	stream   string
	subject  string
	attempt  time.Duration
	maxEntry int
}

// StreamName is the name of shard's stream.
func StreamName(shard int) string { return fmt.Sprintf("WENSOU_S%d", shard) }

func subjectName(shard int) string { return fmt.Sprintf("wensou.s%d.writes", shard) }

// OpenLog creates the shard's stream, or checks the one there, through
// the connection nc. While the cluster is electing its first leaders it
// retries until ctx is done.
func OpenLog(ctx context.Context, nc *nats.Conn, cfg LogConfig) (*Log, error) {
	if cfg.Replicas <= 0 {
		cfg.Replicas = 3
	}
	if cfg.Duplicates <= 0 {
		cfg.Duplicates = 2 * time.Minute
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 2 * time.Second
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if cfg.MaxEntry <= 0 {
		cfg.MaxEntry = int(max(nc.MaxPayload()-entryHeadroom, 1))
	}
	l := &Log{js: js, stream: StreamName(cfg.Shard), subject: subjectName(cfg.Shard), attempt: cfg.AttemptTimeout, maxEntry: cfg.MaxEntry}
	sc := jetstream.StreamConfig{
		Name:        l.stream,
		Description: fmt.Sprintf("wensou writes, shard %d", cfg.Shard),
		Subjects:    []string{l.subject},
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
		Duplicates:  cfg.Duplicates,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
	}
	err = retry(ctx, cfg.AttemptTimeout, func(ctx context.Context) error {
		_, err := js.CreateOrUpdateStream(ctx, sc)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create stream %s (%d replicas): %w", l.stream, cfg.Replicas, err)
	}
	return l, nil
}

// Stream is the name of the log's stream.
func (l *Log) Stream() string { return l.stream }

// JetStream is the log's JetStream context, for replicas to read it.
func (l *Log) JetStream() jetstream.JetStream { return l.js }

// entryHeadroom is what a message's headers (its id) and the entry's
// framing may take beside the encoded writes.
const entryHeadroom = 4 << 10

// Append stores ops under the message id id and returns the sequence of
// its last entry once a quorum of the stream's voters holds it. Writes
// that do not fit one entry (a bulk import) go in several, in order, the
// k-th under "id/k": each is stored once however often it is retried,
// and a replica applies each whole. A leader election stalls writes for
// seconds: Append retries with the same ids until ctx is done, and then
// fails with [ErrUnavailable]. duplicate is true when every entry was
// stored before, within the duplicate window.
func (l *Log) Append(ctx context.Context, id string, ops []index.LogOp) (seq uint64, duplicate bool, err error) {
	if id == "" {
		return 0, false, errors.New("append to the log: no message id")
	}
	parts, err := l.split(ops)
	if err != nil {
		return 0, false, fmt.Errorf("append to the log: %w", err)
	}
	duplicate = true
	for k, data := range parts {
		msgID := id
		if len(parts) > 1 {
			msgID = fmt.Sprintf("%s/%d", id, k)
		}
		var ack *jetstream.PubAck
		err = retry(ctx, l.attempt, func(ctx context.Context) error {
			var err error
			ack, err = l.js.Publish(ctx, l.subject, data, jetstream.WithMsgID(msgID), jetstream.WithExpectStream(l.stream))
			return err
		})
		if err != nil {
			return 0, false, fmt.Errorf("append to %s (entry %d of %d): %w", l.stream, k+1, len(parts), err)
		}
		seq, duplicate = ack.Sequence, duplicate && ack.Duplicate
	}
	return seq, duplicate, nil
}

// split encodes ops as entries of at most l.maxEntry bytes each, in
// order. One write larger than that is refused, naming it.
func (l *Log) split(ops []index.LogOp) ([][]byte, error) {
	if len(ops) == 0 {
		return nil, errors.New("no writes")
	}
	all, err := encodeEntry(ops)
	if err != nil {
		return nil, err
	}
	if len(all) <= l.maxEntry {
		return [][]byte{all}, nil
	}
	var parts [][]byte
	from, size := 0, 0
	flush := func(to int) error {
		data, err := encodeEntry(ops[from:to])
		if err != nil {
			return err
		}
		parts = append(parts, data)
		from, size = to, 0
		return nil
	}
	for i := range ops {
		one, err := encodeEntry(ops[i : i+1])
		if err != nil {
			return nil, err
		}
		if len(one) > l.maxEntry {
			what := "the deletion of " + ops[i].Delete
			if a := ops[i].Article; a != nil {
				what = "article " + a.ID
			}
			return nil, fmt.Errorf("%w: %s takes %d bytes, more than the %d a log entry holds", ErrTooLarge, what, len(one), l.maxEntry)
		}
		if size+len(one) > l.maxEntry {
			if err := flush(i); err != nil {
				return nil, err
			}
		}
		size += len(one)
	}
	if err := flush(len(ops)); err != nil {
		return nil, err
	}
	return parts, nil
}

// State is what the stream says of itself: its last entry's sequence,
// and the server leading it ("" while there is none).
type State struct {
	LastSeq uint64
	Leader  string
}

// State returns the stream's state, in one request.
func (l *Log) State(ctx context.Context) (State, error) {
	var st State
	err := retry(ctx, l.attempt, func(ctx context.Context) error {
		s, err := l.js.Stream(ctx, l.stream)
		if err != nil {
			return err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return err
		}
		st = State{LastSeq: info.State.LastSeq}
		if info.Cluster != nil {
			st.Leader = info.Cluster.Leader
		}
		return nil
	})
	if err != nil {
		return State{}, fmt.Errorf("state of %s: %w", l.stream, err)
	}
	return st, nil
}

// maxRetryWait is the longest wait between two tries: a write stalled by
// a leader election goes through within a quarter second of the new
// leader.
const maxRetryWait = 250 * time.Millisecond

// retry calls fn, each call within attempt, until it succeeds, fails
// for good, or ctx is done, waiting a little longer each time (at most
// maxRetryWait). A request sent while the cluster elects a leader may get no
// answer at all: the attempt's bound makes it one more try.
func retry(ctx context.Context, attempt time.Duration, fn func(context.Context) error) error {
	wait := 50 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, attempt)
		err := fn(actx)
		cancel()
		if err == nil || !retryable(err) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w (last: %w)", ErrUnavailable, ctx.Err(), err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w: %w (last: %w)", ErrUnavailable, ctx.Err(), err)
		case <-t.C:
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// errDupInProcess is JetStream's error code for a message id whose
// first publish is not committed yet (JSStreamDuplicateMessageConflict
// in nats-server).
const errDupInProcess jetstream.ErrorCode = 10158

// errNoPeers is JetStream's "no suitable peers for placement"
// (JSClusterNoPeersErrF): fewer voters known than the stream's replicas.
const errNoPeers jetstream.ErrorCode = 10005

// retryable reports whether err may pass: a timeout, no responders
// while a leader is elected, a lost connection, a cluster not ready.
func retryable(err error) bool {
	switch {
	case errors.Is(err, nats.ErrMaxPayload), errors.Is(err, nats.ErrBadSubject),
		errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrInvalidConnection):
		return false
	}
	var api *jetstream.APIError
	if errors.As(err, &api) {
		// 503: no quorum or no leader yet; 500: a timeout inside the
		// cluster. The rest (a bad configuration, a stream in use by
		// other subjects) will not pass by waiting.
		// 409 with errDupInProcess: the first try of this id is still
		// being replicated; the next try gets its ack.
		// errNoPeers: a cluster still forming does not know all its
		// voters yet.
		return api.Code == 503 || api.Code == 500 || api.Code == 408 ||
			api.Code == 409 && api.ErrorCode == errDupInProcess ||
			api.ErrorCode == errNoPeers
	}
	return true
}

// ShardOf is the shard, of n, that holds the article with the given id:
// its FNV-1a hash modulo n. Every node routes alike.
func ShardOf(id string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}
