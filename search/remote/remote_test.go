package remote

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/search"
)

// connect starts a NATS server on a free loopback port and connects to it.
func connect(t *testing.T) *nats.Conn {
	t.Helper()
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	t.Cleanup(s.Shutdown)
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// fakeHolder answers from fixed values.
type fakeHolder struct {
	name    string
	result  *search.Result
	applied uint64
	ready   error
	// appliedAt, when set, is when the holder has applied every sequence.
	appliedAt time.Time
}

func (h *fakeHolder) TermStats(_ context.Context, req search.Request) (*index.TermStats, error) {
	if req.Query == "bad" {
		return nil, fmt.Errorf("%w: size must be between 1 and 100", search.ErrBadRequest)
	}
	return &index.TermStats{DocCount: 7, Terms: map[string]map[string]uint64{"body": {req.Query: 3}}}, nil
}

func (h *fakeHolder) Search(_ context.Context, req search.Request) (*search.Result, error) {
	r := *h.result
	r.Facets.Author = append([]search.Bucket(nil), h.result.Facets.Author...)
	r.Query = req.Query + " on " + h.name
	return &r, nil
}

func (h *fakeHolder) Get(_ context.Context, id string) (article.Article, error) {
	if id != "a1" {
		return article.Article{}, fmt.Errorf("%w: %s", index.ErrNotFound, id)
	}
	return article.Article{ID: "a1", Title: "职业教育"}, nil
}

func (h *fakeHolder) Count() (uint64, error) { return 7, nil }

func (h *fakeHolder) Wait(ctx context.Context, seq uint64) error {
	if !h.appliedAt.IsZero() { // applies everything at that time
		select {
		case <-time.After(time.Until(h.appliedAt)):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if seq > h.applied {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (h *fakeHolder) Ready() error { return h.ready }

func TestRemote(t *testing.T) {
	nc := connect(t)
	res := &search.Result{Total: 3, Page: 1, Size: 10, Hits: []search.Hit{{ID: "a1", Title: "职业教育", Author: []string{}, Score: 1.5, Sort: "k"}},
		Facets: search.Facets{Author: []search.Bucket{{Value: "李明华", Count: 2}, {Value: "赵静", Count: 1}}, Year: []search.Bucket{{Value: "2023", Count: 3}}, Month: []search.Bucket{}}}
	h := &fakeHolder{name: "n1", result: res, applied: 10}
	if _, err := Serve(t.Context(), nc, 2, h, time.Second); err != nil {
		t.Fatal(err)
	}
	cl := &Client{NC: nc, Timeout: 2 * time.Second}
	var waitFor uint64
	s := cl.Shard(2, func(search.Request) (uint64, error) { return waitFor, nil })

	got, err := s.Search(t.Context(), search.Request{Query: "q"})
	if err != nil {
		t.Fatal(err)
	}
	want := *res
	want.Query = "q on n1"
	if d := cmp.Diff(&want, got); d != "" {
		t.Errorf("search through the holder (-want +got):\n%s", d)
	}
	if ts, err := s.TermStats(t.Context(), search.Request{Query: "q"}); err != nil || ts.DocCount != 7 || ts.Terms["body"]["q"] != 3 {
		t.Errorf("term stats: %+v, %v", ts, err)
	}
	if _, err := s.TermStats(t.Context(), search.Request{Query: "bad"}); !errors.Is(err, search.ErrBadRequest) {
		t.Errorf("a bad request: %v, want ErrBadRequest", err)
	}
	if a, err := cl.Get(t.Context(), 2, "a1"); err != nil || a.Title != "职业教育" {
		t.Errorf("get: %+v, %v", a, err)
	}
	if _, err := cl.Get(t.Context(), 2, "nope"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("get a missing article: %v, want ErrNotFound", err)
	}
	if n, err := cl.Count(t.Context(), 2); err != nil || n != 7 {
		t.Errorf("count: %d, %v", n, err)
	}
	// Waits: applied already, or not within the holder's time.
	if err := cl.Wait(t.Context(), 2, 10); err != nil {
		t.Errorf("wait for an applied sequence: %v", err)
	}
	waitFor = 11
	if _, err := s.Search(t.Context(), search.Request{Query: "q"}); err == nil {
		t.Error("a search waiting for a sequence the holder never applies answered")
	}
	waitFor = 0
	// A holder catching up refuses searches.
	h.ready = errors.New("catching up")
	if _, err := s.Search(t.Context(), search.Request{Query: "q"}); err == nil {
		t.Error("a holder catching up answered")
	}
	// No holder: at once.
	start := time.Now()
	if _, err := cl.Shard(5, func(search.Request) (uint64, error) { return 0, nil }).Search(t.Context(), search.Request{}); !errors.Is(err, ErrNoHolder) || time.Since(start) > time.Second {
		t.Errorf("a shard nobody holds: %v after %s, want ErrNoHolder at once", err, time.Since(start))
	}
}

// TestRemote_Spread: requests spread over a shard's holders, and go on
// to the others when one stops.
func TestRemote_Spread(t *testing.T) {
	nc := connect(t)
	res := &search.Result{Hits: []search.Hit{}, Facets: search.Facets{Author: []search.Bucket{}}}
	subs := map[string]*nats.Subscription{}
	for _, name := range []string{"n1", "n2"} {
		sub, err := Serve(t.Context(), nc, 0, &fakeHolder{name: name, result: res}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		subs[name] = sub
	}
	s := (&Client{NC: nc, Timeout: time.Second}).Shard(0, func(search.Request) (uint64, error) { return 0, nil })
	seen := map[string]int{}
	for range 50 {
		r, err := s.Search(t.Context(), search.Request{Query: "q"})
		if err != nil {
			t.Fatal(err)
		}
		seen[r.Query]++
	}
	if seen["q on n1"] == 0 || seen["q on n2"] == 0 {
		t.Errorf("50 searches went to %v, want both holders", seen)
	}
	if err := subs["n1"].Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if r, err := s.Search(t.Context(), search.Request{Query: "q"}); err != nil || r.Query != "q on n2" {
			t.Fatalf("with n1 gone: %v, %v", r, err)
		}
	}
}

// TestRemote_WaitBeyondTheBound: a wait for a log sequence takes what
// the asker has left of its time, past the bound of one request on
// either side.
func TestRemote_WaitBeyondTheBound(t *testing.T) {
	nc := connect(t)
	h := &fakeHolder{name: "n1", appliedAt: time.Now().Add(600 * time.Millisecond)}
	if _, err := Serve(t.Context(), nc, 0, h, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	cl := &Client{NC: nc, Timeout: 200 * time.Millisecond}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if err := cl.Wait(ctx, 0, 5); err != nil {
		t.Errorf("a wait of 0.6 s with 3 s left, 0.2 s a request: %v", err)
	}
	// Without time left past the bound, it ends with the bound.
	h.appliedAt = time.Now().Add(time.Second)
	start := time.Now()
	if err := cl.Wait(t.Context(), 0, 5); err == nil || time.Since(start) > 900*time.Millisecond {
		t.Errorf("a wait without a deadline: %v after %s, want a failure after the 0.2 s bound", err, time.Since(start))
	}
}

// TestRemote_CatchingUpHolder: a holder catching up refuses, and the
// request goes to another holder; with every holder catching up it fails.
func TestRemote_CatchingUpHolder(t *testing.T) {
	nc := connect(t)
	res := &search.Result{Hits: []search.Hit{}, Facets: search.Facets{Author: []search.Bucket{}}}
	behind := &fakeHolder{name: "behind", result: res, ready: errors.New("catching up")}
	for _, h := range []*fakeHolder{behind, {name: "ready", result: res}} {
		if _, err := Serve(t.Context(), nc, 0, h, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	s := (&Client{NC: nc, Timeout: time.Second}).Shard(0, func(search.Request) (uint64, error) { return 0, nil })
	failed := 0
	for range 40 {
		r, err := s.Search(t.Context(), search.Request{Query: "q"})
		if err != nil || r.Query != "q on ready" {
			failed++
		}
	}
	// Each try reaches the one catching up with odds 1/2: four in a row,
	// 1 in 16; 40 searches failing 10 times or more is past chance.
	if failed >= 10 {
		t.Errorf("%d of 40 searches failed with one holder of two ready", failed)
	}
	nc2 := connect(t)
	if _, err := Serve(t.Context(), nc2, 0, behind, time.Second); err != nil {
		t.Fatal(err)
	}
	only := (&Client{NC: nc2, Timeout: time.Second}).Shard(0, func(search.Request) (uint64, error) { return 0, nil })
	if _, err := only.Search(t.Context(), search.Request{Query: "q"}); !errors.Is(err, errNotReady) {
		t.Errorf("every holder catching up: %v, want errNotReady", err)
	}
}
