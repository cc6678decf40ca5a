// Package remote serves and asks the searches of a shard over NATS, for
// a cluster whose nodes each hold some of a collection's shards.
//
// The holders of shard k take requests on the subject wensou.shard.<k>,
// all in one queue group: a request goes to one of them (reads spread
// over the holders), a holder that stops is no longer asked, and with
// none left a request fails at once ("no responders"). A request is JSON:
// an operation (the two rounds of a search over shards, reading one
// article, counting, waiting for a log sequence) and what it needs.
package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/search"
)

// Subject is where the holders of shard k take requests.
func Subject(k int) string { return "wensou.shard." + strconv.Itoa(k) }

// queue is the holders' queue group.
const queue = "holders"

// Holder is what a node that holds a shard answers with.
type Holder interface {
	TermStats(ctx context.Context, req search.Request) (*index.TermStats, error)
	Search(ctx context.Context, req search.Request) (*search.Result, error)
	Get(ctx context.Context, id string) (article.Article, error)
	Count() (uint64, error)
	// Wait returns once the holder has applied the shard's log up to
	// seq, or ctx is done.
	Wait(ctx context.Context, seq uint64) error
	// Ready says why the holder should not answer searches now (it is
	// catching up), or nil.
	Ready() error
}

// call is a request to the holders of a shard.
type call struct {
	Op string `json:"op"` // stats, search, get, count or wait
	// Wait is the sequence of the shard's log the holder applies first:
	// a write token's, for read-your-writes.
	Wait uint64 `json:"wait,omitempty"`
	// WaitMs is how long the holder may wait for Wait: what the asker
	// has left of its own time (a write's --write-wait, a search's
	// timeout), past the bound of one request.
	WaitMs int64           `json:"wait_ms,omitempty"`
	Req    *search.Request `json:"req,omitempty"`
	ID     string          `json:"id,omitempty"`
}

// reply is a holder's answer.
type reply struct {
	Stats   *index.TermStats `json:"stats,omitempty"`
	Result  *search.Result   `json:"result,omitempty"`
	Article *article.Article `json:"article,omitempty"`
	Count   uint64           `json:"count,omitempty"`
	// Authors are a search result's author counts, which a shard gives
	// for every author its hits have (hundreds to thousands): as two
	// lists, which take a third of the bytes and the decoding time of
	// the result's buckets.
	Authors *authorCounts `json:"authors,omitempty"`
	Error   string        `json:"error,omitempty"`
	// Kind says what the error is: "bad_request", "not_found",
	// "not_ready" (the holder is catching up: another may answer), or ""
	// for a failure of the holder.
	Kind string `json:"kind,omitempty"`
}

type authorCounts struct {
	Names  []string `json:"names"`
	Counts []int    `json:"counts"`
}

// packAuthors moves res's author buckets into two lists.
func packAuthors(res *search.Result) *authorCounts {
	a := &authorCounts{Names: make([]string, len(res.Facets.Author)), Counts: make([]int, len(res.Facets.Author))}
	for i, b := range res.Facets.Author {
		a.Names[i], a.Counts[i] = b.Value, b.Count
	}
	res.Facets.Author = nil
	return a
}

// unpackAuthors puts them back.
func unpackAuthors(res *search.Result, a *authorCounts) error {
	if a == nil || len(a.Names) != len(a.Counts) {
		return errors.New("an answer without its author counts")
	}
	res.Facets.Author = make([]search.Bucket, len(a.Names))
	for i := range a.Names {
		res.Facets.Author[i] = search.Bucket{Value: a.Names[i], Count: a.Counts[i]}
	}
	return nil
}

// Serve answers the requests to the holders of shard k with h, each
// within timeout, until ctx is done or the subscription is unsubscribed.
func Serve(ctx context.Context, nc *nats.Conn, k int, h Holder, timeout time.Duration) (*nats.Subscription, error) {
	sub, err := nc.QueueSubscribe(Subject(k), queue, func(m *nats.Msg) {
		// Requests are answered at once, not one after the other.
		go answer(ctx, h, m, timeout)
	})
	if err == nil {
		err = nc.Flush() // the server has the subscription
	}
	if err != nil {
		return nil, fmt.Errorf("take requests for shard %d: %w", k, err)
	}
	return sub, nil
}

func answer(ctx context.Context, h Holder, m *nats.Msg, timeout time.Duration) {
	var c call
	var rep reply
	err := json.Unmarshal(m.Data, &c)
	if c.WaitMs > 0 {
		timeout = min(time.Duration(c.WaitMs)*time.Millisecond, maxWait)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err == nil && c.Wait > 0 {
		err = h.Wait(ctx, c.Wait)
	}
	if err == nil && c.Op != "wait" {
		if err = h.Ready(); err != nil {
			rep.Kind = "not_ready"
		}
	}
	if err == nil {
		switch {
		case c.Op == "stats" && c.Req != nil:
			rep.Stats, err = h.TermStats(ctx, *c.Req)
		case c.Op == "search" && c.Req != nil:
			if rep.Result, err = h.Search(ctx, *c.Req); err == nil {
				rep.Authors = packAuthors(rep.Result)
			}
		case c.Op == "get":
			var a article.Article
			if a, err = h.Get(ctx, c.ID); err == nil {
				rep.Article = &a
			}
		case c.Op == "count":
			rep.Count, err = h.Count()
		case c.Op == "wait":
		default:
			err = fmt.Errorf("no such request %q", c.Op)
		}
	}
	if err != nil {
		var qe *search.QueryError
		switch {
		case errors.As(err, &qe), errors.Is(err, search.ErrBadRequest):
			rep.Kind = "bad_request"
		case errors.Is(err, index.ErrNotFound):
			rep.Kind = "not_found"
		}
		rep.Error = err.Error()
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		raw, _ = json.Marshal(reply{Error: err.Error()})
	}
	_ = m.Respond(raw) // an answer lost is a shard that did not answer
}

// Client asks the holders of shards.
type Client struct {
	NC *nats.Conn
	// Timeout bounds one request.
	Timeout time.Duration
}

// ErrNoHolder means no node holding the shard answers.
var ErrNoHolder = errors.New("no node holding the shard answers")

// maxWait bounds how long a holder waits for a sequence of its log.
const maxWait = time.Minute

// notReadyTries is how many holders a request tries when the ones it
// reaches are catching up (the queue group picks one at random each time).
const notReadyTries = 4

// ask sends c to the holders of shard k; one of them answers, or, when
// the one reached is catching up, another. Its errors do not name the
// shard.
func (cl *Client) ask(ctx context.Context, k int, c call) (*reply, error) {
	var rep *reply
	var err error
	for range notReadyTries {
		if rep, err = cl.ask1(ctx, k, c); !errors.Is(err, errNotReady) {
			break
		}
	}
	return rep, err
}

// errNotReady is a holder's answer that it is catching up.
var errNotReady = errors.New("the holder is catching up")

// ask1 sends c once. A request that waits for a sequence of the log may
// take what ctx has left, not only the client's bound.
func (cl *Client) ask1(ctx context.Context, k int, c call) (*reply, error) {
	timeout := cl.Timeout
	if dl, ok := ctx.Deadline(); ok && c.Wait > 0 {
		if left := min(time.Until(dl), maxWait); left > timeout {
			timeout = left
			c.WaitMs = left.Milliseconds()
		}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	m, err := cl.NC.RequestWithContext(ctx, Subject(k), raw)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			return nil, ErrNoHolder
		}
		return nil, err
	}
	var rep reply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return nil, err
	}
	if rep.Error != "" {
		err := errors.New(rep.Error)
		switch rep.Kind {
		case "bad_request":
			err = fmt.Errorf("%w: %w", search.ErrBadRequest, err)
		case "not_found":
			err = fmt.Errorf("%w: %w", index.ErrNotFound, err)
		case "not_ready":
			err = fmt.Errorf("%w: %w", errNotReady, err)
		}
		return nil, err
	}
	return &rep, nil
}

// Get reads the article id from a holder of shard k.
func (cl *Client) Get(ctx context.Context, k int, id string) (article.Article, error) {
	rep, err := cl.ask(ctx, k, call{Op: "get", ID: id})
	if err != nil {
		return article.Article{}, err
	}
	if rep.Article == nil {
		return article.Article{}, errors.New("an answer without the article")
	}
	return *rep.Article, nil
}

// Count returns the article count of a holder of shard k.
func (cl *Client) Count(ctx context.Context, k int) (uint64, error) {
	rep, err := cl.ask(ctx, k, call{Op: "count"})
	if err != nil {
		return 0, err
	}
	return rep.Count, nil
}

// Wait returns once a holder of shard k has applied its log up to seq.
func (cl *Client) Wait(ctx context.Context, k int, seq uint64) error {
	_, err := cl.ask(ctx, k, call{Op: "wait", Wait: seq})
	return err
}

// Shard returns shard k as a [search.Fanout] asks it. wait gives the
// sequence of the shard's log a request waits for (its wait_for token's),
// 0 for none.
func (cl *Client) Shard(k int, wait func(search.Request) (uint64, error)) search.Shard {
	return shard{cl: cl, k: k, wait: wait}
}

type shard struct {
	cl   *Client
	k    int
	wait func(search.Request) (uint64, error)
}

func (s shard) call(ctx context.Context, op string, req search.Request) (*reply, error) {
	seq, err := s.wait(req)
	if err != nil {
		return nil, err
	}
	return s.cl.ask(ctx, s.k, call{Op: op, Req: &req, Wait: seq})
}

func (s shard) TermStats(ctx context.Context, req search.Request) (*index.TermStats, error) {
	rep, err := s.call(ctx, "stats", req)
	if err != nil {
		return nil, err
	}
	if rep.Stats == nil {
		return nil, errors.New("an answer without statistics")
	}
	return rep.Stats, nil
}

func (s shard) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	rep, err := s.call(ctx, "search", req)
	if err != nil {
		return nil, err
	}
	if rep.Result == nil {
		return nil, errors.New("an answer without a result")
	}
	if err := unpackAuthors(rep.Result, rep.Authors); err != nil {
		return nil, err
	}
	return rep.Result, nil
}
