// Package load measures a running wensou server: N clients replay a list
// of queries against its search API (or its completions) for a while, and
// the report gives throughput and latency percentiles. It is what "wensou
// load" runs.
package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures [Run].
type Options struct {
	// BaseURL is the server, e.g. http://127.0.0.1:8080.
	BaseURL string
	// Queries are replayed in order, round robin over the clients.
	Queries []string
	// Params are added to every search, e.g. "size=10&sort=newest".
	Params string
	// Suggest replays the queries as prefixes against /api/suggest
	// instead of /api/search; an answer without suggestions counts as
	// an empty result.
	Suggest bool
	// Clients is the number of concurrent clients; default 4.
	Clients int
	// Duration is how long to measure; default 20 s.
	Duration time.Duration
	// Warmup runs before measuring and is not counted; default 3 s.
	Warmup time.Duration
	// Timeout bounds one request; default 10 s.
	Timeout time.Duration
	// Client sends the requests; default a client with keep-alive for
	// Clients connections.
	Client *http.Client
}

// Report is the outcome of a run. Latencies are in milliseconds.
type Report struct {
	Clients       int                `json:"clients"`
	Seconds       float64            `json:"seconds"`
	Requests      int                `json:"requests"`
	Errors        int                `json:"errors"`
	Transport     int                `json:"transport_errors"`
	Status        int                `json:"status_errors"`
	Body          int                `json:"body_errors"`
	EmptyResults  int                `json:"empty_results"`
	QPS           float64            `json:"qps"`
	P50, P95, P99 float64            `json:"-"`
	Max, Mean     float64            `json:"-"`
	Latency       map[string]float64 `json:"latency_ms"`
}

// String formats the report on two lines.
func (r Report) String() string {
	return fmt.Sprintf("clients %d  requests %d  errors %d (transport %d, status %d, body %d)  empty results %d\n"+
		"%.1fs  QPS %.1f  latency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  mean %.2f",
		r.Clients, r.Requests, r.Errors, r.Transport, r.Status, r.Body, r.EmptyResults,
		r.Seconds, r.QPS, r.P50, r.P95, r.P99, r.Max, r.Mean)
}

// sample is one measured request.
type sample struct {
	took  time.Duration
	fault int // 0 ok, 1 transport, 2 status, 3 body
	empty bool
}

// Run measures the server. It returns early with ctx's error when ctx is
// cancelled.
func Run(ctx context.Context, opts Options) (Report, error) {
	if len(opts.Queries) == 0 {
		return Report{}, errors.New("no queries to replay")
	}
	if opts.Clients <= 0 {
		opts.Clients = 4
	}
	if opts.Duration <= 0 {
		opts.Duration = 20 * time.Second
	}
	if opts.Warmup < 0 {
		opts.Warmup = 0
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: opts.Clients}}
	}
	route := "/api/search"
	if opts.Suggest {
		route = "/api/suggest"
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/") + route)
	if err != nil {
		return Report{}, fmt.Errorf("parse url %q: %w", opts.BaseURL, err)
	}
	extra, err := url.ParseQuery(opts.Params)
	if err != nil {
		return Report{}, fmt.Errorf("parse params %q: %w", opts.Params, err)
	}
	urls := make([]string, len(opts.Queries))
	for i, q := range opts.Queries {
		v := url.Values{}
		for k, vs := range extra {
			v[k] = vs
		}
		v.Set("q", q)
		u := *base
		u.RawQuery = v.Encode()
		urls[i] = u.String()
	}

	var next atomic.Int64
	run := func(ctx context.Context, keep bool) ([][]sample, time.Duration) {
		out := make([][]sample, opts.Clients)
		var wg sync.WaitGroup
		start := time.Now()
		for c := range opts.Clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					u := urls[int(next.Add(1)-1)%len(urls)]
					s := one(ctx, opts.Client, u, opts.Timeout, opts.Suggest)
					if ctx.Err() != nil && s.fault == 1 {
						return // cut off by the end of the run
					}
					if keep {
						out[c] = append(out[c], s)
					}
				}
			}()
		}
		wg.Wait()
		return out, time.Since(start)
	}
	if opts.Warmup > 0 {
		wctx, cancel := context.WithTimeout(ctx, opts.Warmup)
		run(wctx, false)
		cancel()
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	mctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	per, elapsed := run(mctx, true)
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	return report(per, elapsed, opts.Clients), nil
}

// one sends one search and checks the answer is a result with hits (or,
// for suggest, an answer with a list of suggestions).
func one(ctx context.Context, c *http.Client, u string, timeout time.Duration, suggest bool) sample {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return sample{fault: 1}
	}
	resp, err := c.Do(req)
	if err != nil {
		return sample{took: time.Since(start), fault: 1}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	switch {
	case err != nil:
		return sample{took: took, fault: 1}
	case resp.StatusCode/100 != 2:
		return sample{took: took, fault: 2}
	}
	if suggest {
		var res struct {
			Suggestions []json.RawMessage `json:"suggestions"`
		}
		if err := json.Unmarshal(body, &res); err != nil || res.Suggestions == nil {
			return sample{took: took, fault: 3}
		}
		return sample{took: took, empty: len(res.Suggestions) == 0}
	}
	var res struct {
		Total *int64            `json:"total"`
		Hits  []json.RawMessage `json:"hits"`
	}
	if err := json.Unmarshal(body, &res); err != nil || res.Total == nil || res.Hits == nil {
		return sample{took: took, fault: 3}
	}
	return sample{took: took, empty: *res.Total == 0}
}

func report(per [][]sample, elapsed time.Duration, clients int) Report {
	r := Report{Clients: clients, Seconds: elapsed.Seconds()}
	var lat []time.Duration
	var sum time.Duration
	for _, ss := range per {
		for _, s := range ss {
			r.Requests++
			switch s.fault {
			case 1:
				r.Transport++
			case 2:
				r.Status++
			case 3:
				r.Body++
			}
			if s.fault != 0 {
				continue
			}
			if s.empty {
				r.EmptyResults++
			}
			lat = append(lat, s.took)
			sum += s.took
		}
	}
	r.Errors = r.Transport + r.Status + r.Body
	r.QPS = float64(r.Requests) / r.Seconds
	if len(lat) > 0 {
		slices.Sort(lat)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		// Nearest rank: the smallest latency at or above p of the requests.
		pct := func(p float64) float64 {
			i := int(math.Ceil(p*float64(len(lat)))) - 1
			return ms(lat[max(0, min(len(lat)-1, i))])
		}
		r.P50, r.P95, r.P99 = pct(0.50), pct(0.95), pct(0.99)
		r.Max, r.Mean = ms(lat[len(lat)-1]), ms(sum/time.Duration(len(lat)))
	}
	r.Latency = map[string]float64{"p50": r.P50, "p95": r.P95, "p99": r.P99, "max": r.Max, "mean": r.Mean}
	return r
}
