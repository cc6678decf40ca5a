package faults

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Clients of the kill -9 rounds.
const (
	writers  = 4
	searcher = 1
)

// roundsFromEnv is WENSOU_FAULTS_ROUNDS, 5 by default.
func roundsFromEnv(t *testing.T) int {
	t.Helper()
	return roundsFromEnvVar(t, "WENSOU_FAULTS_ROUNDS")
}

// roundsFromEnvVar is the number of rounds the variable name sets, 5 by
// default.
func roundsFromEnvVar(t *testing.T, name string) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return 5
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a whole number of 1 or more", name, v)
	}
	return n
}

// seedFromEnv is WENSOU_FAULTS_SEED, or a new seed, which it logs so a
// run can be repeated.
func seedFromEnv(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("WENSOU_FAULTS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("WENSOU_FAULTS_SEED=%q: want a whole number", v)
		}
		seed = n
	}
	t.Logf("random seed %d (set WENSOU_FAULTS_SEED=%d to repeat)", seed, seed)
	return seed
}

// TestKill9_Serve kills a serving wensou with SIGKILL while 4 clients
// write through the API and 1 searches, restarts it on the same index
// and checks that every write it acknowledged is there and searchable,
// and that no search failed before the kill.
func TestKill9_Serve(t *testing.T) {
	needFaults(t)
	rounds := roundsFromEnv(t)
	rng := rand.New(rand.NewPCG(seedFromEnv(t), 9))
	dir := t.TempDir() + "/index"
	if r := runWensou(t, 2*time.Minute, "index", "--index", dir, samplesDir()); r.code != 0 {
		t.Fatalf("wensou index of the samples: %v", r)
	}
	srv := startServer(t, dir)

	var (
		all                            []article
		lost, unsearchable             int
		writes, writeFails             int
		searches, searchFails, unacked int
		panics                         int
	)
	for round := 1; round <= rounds; round++ {
		delay := time.Second + time.Duration(rng.Int64N(int64(2*time.Second)))
		st := loadAndKill(t, srv, round, delay, rng)
		panics += srv.panics()
		srv = srv.restart(t)
		l, u := verifyAcked(t, srv, st.acked, true)
		t.Logf("round %d: killed after %.1fs; %d writes acknowledged (%d requests, %d failed before the kill, %d unanswered at the kill); %d searches, %d failed before the kill; after the restart %d lost, %d not searchable",
			round, delay.Seconds(), len(st.acked), st.writes, st.writeFails, st.inFlight, st.searches, st.searchFails, l, u)
		all = append(all, st.acked...)
		lost += l
		unsearchable += u
		writes += st.writes
		writeFails += st.writeFails
		unacked += st.inFlight
		searches += st.searches
		searchFails += st.searchFails
	}
	// The last restart holds every round's writes, not only the last one's.
	lostAtEnd, _ := verifyAcked(t, srv, all, false)

	note(t, "rounds (kill -9 and restart)", rounds)
	note(t, "write requests / unanswered at a kill", fmt.Sprintf("%d / %d", writes, unacked))
	note(t, "acknowledged writes (articles)", len(all))
	check(t, "lost writes, not searchable after restarts", fmt.Sprintf("%d, %d", lost, unsearchable), "0, 0", lost == 0 && unsearchable == 0)
	checkEq(t, "lost writes at the end (all rounds)", lostAtEnd, 0)
	checkEq(t, "failed writes before a kill", writeFails, 0)
	note(t, "searches", searches)
	checkEq(t, "failed searches before a kill", searchFails, 0)
	checkEq(t, "panics in the server logs", panics+srv.panics(), 0)
}

// roundStats is what the clients of one round saw.
type roundStats struct {
	acked                 []article
	writes, writeFails    int
	inFlight              int // write requests without an answer at the kill
	searches, searchFails int
}

// loadAndKill runs the writers and the searcher against srv, kills srv
// with SIGKILL after delay, and returns what the clients saw.
func loadAndKill(t *testing.T, srv *server, round int, delay time.Duration, rng *rand.Rand) roundStats {
	t.Helper()
	var (
		mu       sync.Mutex
		st       roundStats
		killedAt atomic.Int64 // UnixNano of the kill; 0 before it
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	// beforeKill reports whether a failure happened while the server was
	// still alive: an answer that is not a success always did; a
	// transport error did when it came before the kill.
	beforeKill := func(r reply) bool {
		if r.err == nil {
			return true
		}
		k := killedAt.Load()
		return k == 0 || time.Now().UnixNano() < k
	}
	failures := 0 // logged, under mu
	logFailure := func(kind string, r reply) {
		if failures++; failures <= 5 {
			t.Errorf("round %d: %s failed before the kill: got %v, want a success", round, kind, r)
		}
	}

	for w := range writers {
		wr := rand.New(rand.NewPCG(rng.Uint64(), uint64(w)))
		wg.Go(func() {
			for seq := 0; !stop.Load(); {
				n := 1
				if wr.IntN(2) == 0 {
					n = 2 + wr.IntN(4) // a small batch
				}
				arts := make([]article, n)
				for i := range arts {
					tok := token("k", round, w, seq)
					arts[i] = article{ID: "k9-r" + strconv.Itoa(round) + "-w" + strconv.Itoa(w) + "-" + strconv.Itoa(seq),
						Title: "kill round " + strconv.Itoa(round) + " " + tok, Body: tok + " " + body(wr, 30), token: tok}
					seq++
				}
				r := srv.post(arts...)
				ids := r.acked(arts)
				mu.Lock()
				st.writes++
				switch {
				case len(ids) == len(arts):
				case beforeKill(r):
					st.writeFails++
					logFailure("a write", r)
				default:
					st.inFlight++
				}
				for _, a := range arts {
					for _, id := range ids {
						if id == a.ID {
							st.acked = append(st.acked, a)
						}
					}
				}
				mu.Unlock()
			}
		})
	}
	queries := []string{"职业教育", "oil price", "market", "高温 健康", `"night train"`, "新能源 汽车", "wheat -heat", "茶叶 OR tea", "title:city", "infla*"}
	for range searcher {
		sr := rand.New(rand.NewPCG(rng.Uint64(), 99))
		wg.Go(func() {
			for !stop.Load() {
				q := queries[sr.IntN(len(queries))]
				_, r := srv.search(q, "size", "5")
				mu.Lock()
				switch {
				case r.err == nil && r.status == http.StatusOK:
					st.searches++
				case beforeKill(r):
					st.searches++
					st.searchFails++
					logFailure("a search for "+strconv.Quote(q), r)
				}
				mu.Unlock()
			}
		})
	}

	select {
	case <-time.After(delay): // the fault's schedule, not a wait for an event
	case <-t.Context().Done():
	}
	killedAt.Store(time.Now().UnixNano())
	stop.Store(true) // no new requests; those in flight meet the kill
	srv.kill()
	wg.Wait()
	return st
}

// verifyAcked checks that every article of arts can be read back through
// the API (and, with searchable, found by searching its token). It
// returns the number lost and the number not found by search.
func verifyAcked(t *testing.T, srv *server, arts []article, searchable bool) (lost, unsearchable int) {
	t.Helper()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for range 4 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(arts) {
					return
				}
				a := arts[i]
				r := srv.get("/api/articles/" + url.PathEscape(a.ID))
				if r.err != nil || r.status != http.StatusOK {
					mu.Lock()
					lost++
					if lost <= 5 {
						t.Errorf("acknowledged article %s: GET got %v, want 200", a.ID, r)
					}
					mu.Unlock()
					continue
				}
				if !searchable {
					continue
				}
				res, r := srv.search(a.token, "size", "20")
				if r.err != nil || !res.has(a.ID) {
					mu.Lock()
					unsearchable++
					if unsearchable <= 5 {
						t.Errorf("acknowledged article %s: search %q got %v, want it among the hits", a.ID, a.token, r)
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return lost, unsearchable
}
