package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/wensou/wensou/index"
)

// TestApplyLog_ThroughRebuild: a cluster node's log entries applied
// while its index is rebuilt from the stored articles reach the new
// generation, which resumes the log at the last sequence applied, after
// a restart too.
func TestApplyLog_ThroughRebuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	ctx := context.Background()
	st, err := Open(ctx, dir, Options{Create: true}) // closed below
	if err != nil {
		t.Fatal(err)
	}
	apply := func(seq uint64, ops ...index.LogOp) {
		t.Helper()
		if err := st.ApplyLog(ctx, seq, ops); err != nil {
			t.Fatal(err)
		}
	}
	arts := synthetic("a", 2000)
	for i := range 20 {
		ops := make([]index.LogOp, 100)
		for j := range ops {
			ops[j].Article = &arts[i*100+j]
		}
		apply(uint64(i+1), ops...)
	}

	late := synthetic("late", 2)
	paused, resume := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	var once bool
	go func() {
		_, err := st.Rebuild(ctx, nil, RebuildOptions{Ingest: index.IngestOptions{BatchSize: 100}, OnProgress: func(p Progress) {
			if !once && p.Done >= 500 {
				once = true
				close(paused)
				<-resume
			}
		}})
		done <- err
	}()
	select {
	case <-paused:
	case err := <-done:
		t.Fatalf("the rebuild ended before it paused: %v", err)
	}
	// Mid-rebuild: a put, a delete and a put then delete of one id.
	apply(21, index.LogOp{Article: &late[0]}, index.LogOp{Delete: "a-0"})
	apply(22, index.LogOp{Article: &late[1]}, index.LogOp{Delete: late[1].ID})
	close(resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st.Generation() != "gen-000002" {
		t.Fatalf("live generation %s after the rebuild", st.Generation())
	}
	check := func(when string) {
		t.Helper()
		if seq, err := st.Applied(); err != nil || seq != 22 {
			t.Errorf("%s: applied %d (%v), want 22", when, seq, err)
		}
		if n, _ := st.Count(); n != 2000 {
			t.Errorf("%s: %d articles, want 2000", when, n)
		}
		if _, err := st.Get(ctx, late[0].ID); err != nil {
			t.Errorf("%s: the put applied during the rebuild: %v", when, err)
		}
		for _, id := range []string{"a-0", late[1].ID} {
			if _, err := st.Get(ctx, id); !errors.Is(err, index.ErrNotFound) {
				t.Errorf("%s: %s deleted during the rebuild: %v", when, id, err)
			}
		}
	}
	check("after the rebuild")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, Options{})
	check("reopened")

	// A rebuild with no entries meanwhile starts the new generation at
	// the live one's sequence.
	if _, err := st.Rebuild(ctx, nil, RebuildOptions{}); err != nil {
		t.Fatal(err)
	}
	check("after a quiet rebuild")
}
