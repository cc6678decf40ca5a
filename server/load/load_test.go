package load

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var n atomic.Int64
	seen := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		select {
		case seen <- r.URL.RawQuery:
		default:
		}
		switch {
		case r.URL.Path != "/api/search":
			http.NotFound(w, r)
		case k%10 == 0:
			http.Error(w, "boom", http.StatusInternalServerError)
		case k%10 == 5:
			fmt.Fprint(w, `not json`)
		case r.URL.Query().Get("q") == "none":
			fmt.Fprint(w, `{"total":0,"hits":[]}`)
		default:
			fmt.Fprint(w, `{"total":3,"hits":[{},{},{}]}`)
		}
	}))
	defer srv.Close()

	rep, err := Run(t.Context(), Options{
		BaseURL: srv.URL, Queries: []string{"职业教育", "none"}, Params: "size=5",
		Clients: 3, Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if q := <-seen; !strings.Contains(q, "size=5") || !strings.Contains(q, "q=") {
		t.Errorf("request query %q lacks q and the extra params", q)
	}
	if rep.Requests == 0 || rep.QPS <= 0 {
		t.Fatalf("report %+v: no requests measured", rep)
	}
	if rep.Status == 0 || rep.Body == 0 || rep.EmptyResults == 0 {
		t.Errorf("report %+v: want status errors, body errors and empty results counted", rep)
	}
	if rep.Errors != rep.Transport+rep.Status+rep.Body {
		t.Errorf("Errors = %d, want the sum of its kinds", rep.Errors)
	}
	if !(rep.P50 <= rep.P95 && rep.P95 <= rep.P99 && rep.P99 <= rep.Max) {
		t.Errorf("percentiles out of order: %+v", rep)
	}
	if !strings.Contains(rep.String(), "p99") {
		t.Errorf("String() = %q", rep.String())
	}
}

func TestRun_Suggest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path != "/api/suggest":
			http.NotFound(w, r)
		case r.URL.Query().Get("q") == "zz":
			fmt.Fprint(w, `{"query":"zz","suggestions":[]}`)
		case r.URL.Query().Get("q") == "bad":
			fmt.Fprint(w, `{"query":"bad"}`)
		default:
			fmt.Fprint(w, `{"query":"职","suggestions":[{"text":"职业"}]}`)
		}
	}))
	defer srv.Close()
	rep, err := Run(t.Context(), Options{
		BaseURL: srv.URL, Queries: []string{"职", "zz", "bad"}, Suggest: true,
		Clients: 2, Duration: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests == 0 || rep.Status != 0 || rep.Body == 0 || rep.EmptyResults == 0 {
		t.Errorf("report %+v: want no status errors (the suggest route), body errors (no list) and empty results", rep)
	}
	if ok := rep.Requests - rep.Errors - rep.EmptyResults; ok <= 0 {
		t.Errorf("report %+v: no answer with suggestions counted", rep)
	}
}

func TestReport_Percentiles(t *testing.T) {
	var ss []sample
	for i := 1; i <= 100; i++ {
		ss = append(ss, sample{took: time.Duration(i) * time.Millisecond})
	}
	r := report([][]sample{ss}, time.Second, 1)
	for name, got := range map[string][2]float64{"p50": {r.P50, 50}, "p95": {r.P95, 95}, "p99": {r.P99, 99}, "max": {r.Max, 100}} {
		if got[0] != got[1] {
			t.Errorf("%s = %v, want %v", name, got[0], got[1])
		}
	}
	if r.QPS != 100 {
		t.Errorf("QPS = %v, want 100", r.QPS)
	}
}

func TestRun_NoQueries(t *testing.T) {
	if _, err := Run(t.Context(), Options{BaseURL: "http://127.0.0.1:1"}); err == nil {
		t.Error("Run with no queries: want an error")
	}
}
