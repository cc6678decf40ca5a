package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wensou/wensou/index"
)

// Target is the index a replica applies the log to: [*index.Index], or
// a store's live index.
type Target interface {
	ApplyLog(ctx context.Context, seq uint64, ops []index.LogOp) error
	Applied() (uint64, error)
}

// Config configures [New].
type Config struct {
	// Shard is the shard whose log the replica applies.
	Shard int
	// MaxBatch is the most entries applied in one index batch; default
	// 256. A batch is what is there: a replica that keeps up applies
	// entries one by one, one behind catches up in large batches.
	MaxBatch int
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// Replica applies a shard's log to an index, in order, each entry once
// in effect.
type Replica struct {
	js     jetstream.JetStream
	stream string
	t      Target
	max    int
	log    *slog.Logger

	mu      sync.Mutex
	applied uint64
	moved   chan struct{} // closed and replaced when applied moves
	// behind is how many entries followed the last one read when it
	// was read (its NumPending): the replica's lag.
	behind uint64
}

// New returns a replica of the shard's log for t, starting after the
// sequence t applied last.
func New(js jetstream.JetStream, t Target, cfg Config) (*Replica, error) {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 256
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	seq, err := t.Applied()
	if err != nil {
		return nil, err
	}
	return &Replica{js: js, stream: StreamName(cfg.Shard), t: t, max: cfg.MaxBatch, log: cfg.Logger, applied: seq, moved: make(chan struct{})}, nil
}

// Applied returns the last sequence applied.
func (r *Replica) Applied() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied
}

// Lag returns how many entries of the log the replica has still to
// apply, as of the last one it read: 0 once it has caught up.
func (r *Replica) Lag() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.behind
}

// Wait returns once the replica has applied seq, or ctx is done.
func (r *Replica) Wait(ctx context.Context, seq uint64) error {
	for {
		r.mu.Lock()
		applied, moved := r.applied, r.moved
		r.mu.Unlock()
		if applied >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for log sequence %d (applied %d): %w", seq, applied, ctx.Err())
		case <-moved:
		}
	}
}

// Run applies the log until ctx is done. Failures (the log unreachable,
// the index refusing a batch) are logged and retried: the entries of a
// failed batch are read again, so that nothing is skipped.
func (r *Replica) Run(ctx context.Context) error {
	wait := 100 * time.Millisecond
	for {
		err := r.follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		r.log.Warn("replica: following the log failed; retrying", "stream", r.stream, "applied", r.Applied(), "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// follow reads the log from the sequence after the last applied one
// with an ordered consumer, and applies what it reads in batches, until
// a failure or ctx is done.
func (r *Replica) follow(ctx context.Context) error {
	start := r.Applied() + 1
	cons, err := r.js.OrderedConsumer(ctx, r.stream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   start,
		// A consumer that lost its server resets itself, without
		// end by default and deaf to ctx: a few tries, then Run's.
		MaxResetAttempts: 3,
	})
	if err != nil {
		return fmt.Errorf("read %s from %d: %w", r.stream, start, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(r.max))
	if err != nil {
		return fmt.Errorf("read %s from %d: %w", r.stream, start, err)
	}
	defer it.Stop()
	// Stopping the iterator ends a wait in Next, a reset of the consumer
	// after its server went away included.
	defer context.AfterFunc(ctx, it.Stop)()
	for {
		// A batch is what the stream has past the first entry, up to
		// the most a batch takes: entries one by one for a replica that
		// keeps up, large batches for one catching up.
		var msgs []jetstream.Msg
		for len(msgs) < r.max {
			m, err := it.Next(jetstream.NextContext(ctx))
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read %s: %w", r.stream, err)
			}
			msgs = append(msgs, m)
			meta, err := m.Metadata()
			if err != nil {
				return fmt.Errorf("read %s: %w", r.stream, err)
			}
			r.mu.Lock()
			r.behind = meta.NumPending
			r.mu.Unlock()
			if meta.NumPending == 0 {
				break
			}
		}
		if err := r.apply(ctx, msgs); err != nil {
			return err
		}
	}
}

// apply writes msgs' entries to the index in one batch with the last
// one's sequence. An entry that cannot be decoded (never written by
// wensou) is skipped, by every replica alike.
func (r *Replica) apply(ctx context.Context, msgs []jetstream.Msg) error {
	var ops []index.LogOp
	var last uint64
	for _, m := range msgs {
		meta, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("read %s: %w", r.stream, err)
		}
		seq := meta.Sequence.Stream
		if seq <= r.Applied() {
			continue // applied before a restart of the consumer
		}
		last = seq
		got, err := decodeEntry(m.Data())
		if err != nil {
			r.log.Error("replica: skipping a log entry that is not a wensou write", "stream", r.stream, "seq", seq, "err", err)
			continue
		}
		ops = append(ops, got...)
	}
	if last == 0 {
		return nil
	}
	if err := r.t.ApplyLog(ctx, last, ops); err != nil {
		return fmt.Errorf("apply %s up to %d: %w", r.stream, last, err)
	}
	r.mu.Lock()
	r.applied = last
	close(r.moved)
	r.moved = make(chan struct{})
	r.mu.Unlock()
	return nil
}
