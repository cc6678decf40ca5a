package replica

import (
	"context"
	"errors"
	"fmt"
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
}

// Log is the stream of one shard. It is safe for concurrent use.
type Log struct {
	js      jetstream.JetStream
	stream  string
	subject string
	attempt time.Duration
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
	l := &Log{js: js, stream: StreamName(cfg.Shard), subject: subjectName(cfg.Shard), attempt: cfg.AttemptTimeout}
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

// Append stores ops as one entry under the message id id and returns its
// sequence once a quorum of the stream's voters holds it. A leader
// election stalls writes for seconds: Append retries with the same id
// until ctx is done, and then fails with [ErrUnavailable]. duplicate is
// true when the id was stored before, within the duplicate window: seq
// is then the first one's.
func (l *Log) Append(ctx context.Context, id string, ops []index.LogOp) (seq uint64, duplicate bool, err error) {
	if id == "" {
		return 0, false, errors.New("append to the log: no message id")
	}
	data, err := encodeEntry(ops)
	if err != nil {
		return 0, false, fmt.Errorf("append to the log: %w", err)
	}
	var ack *jetstream.PubAck
	err = retry(ctx, l.attempt, func(ctx context.Context) error {
		var err error
		ack, err = l.js.Publish(ctx, l.subject, data, jetstream.WithMsgID(id), jetstream.WithExpectStream(l.stream))
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("append to %s: %w", l.stream, err)
	}
	return ack.Sequence, ack.Duplicate, nil
}

// LastSeq returns the sequence of the stream's last entry.
func (l *Log) LastSeq(ctx context.Context) (uint64, error) {
	var seq uint64
	err := retry(ctx, l.attempt, func(ctx context.Context) error {
		s, err := l.js.Stream(ctx, l.stream)
		if err != nil {
			return err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return err
		}
		seq = info.State.LastSeq
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("state of %s: %w", l.stream, err)
	}
	return seq, nil
}

// Leader returns the name of the server leading the stream, "" while
// there is none.
func (l *Log) Leader(ctx context.Context) (string, error) {
	s, err := l.js.Stream(ctx, l.stream)
	if err != nil {
		return "", fmt.Errorf("stream %s: %w", l.stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return "", fmt.Errorf("state of %s: %w", l.stream, err)
	}
	if info.Cluster == nil {
		return "", nil
	}
	return info.Cluster.Leader, nil
}

// retry calls fn, each call within attempt, until it succeeds, fails
// for good, or ctx is done, waiting a little longer each time (at most a
// second). A request sent while the cluster elects a leader may get no
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
		wait = min(2*wait, time.Second)
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
