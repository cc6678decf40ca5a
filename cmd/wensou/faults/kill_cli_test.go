package faults

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Groups of the generated articles of TestKill9_CLI, given as their
// author so that one search's author facet counts them all.
const (
	grpDelete  = "grp-delete"  // in the first file, gone from the second
	grpChange  = "grp-change"  // in the first file, changed in the second
	grpChanged = "grp-changed" // the changed version
	grpKeep    = "grp-keep"    // the same in both
	grpNew     = "grp-new"     // only in the second
)

// allToken is in every generated article of TestKill9_CLI.
var allToken = token("all")

// cliCorpus is the generated input of TestKill9_CLI: first is what
// wensou index reads, second what the file becomes for index --sync and
// reindex.
type cliCorpus struct {
	first, second []article
	want1, want2  map[string]int // articles by group
}

func newCLICorpus(nFirst, nNew int, rng *rand.Rand) cliCorpus {
	c := cliCorpus{want1: map[string]int{}, want2: map[string]int{}}
	art := func(id, group string) article {
		return article{ID: id, Title: fmt.Sprintf("%s %s %s", body(rng, 6), id, allToken), Author: []string{group},
			Date: fmt.Sprintf("2024-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)), Body: allToken + " " + body(rng, 80)}
	}
	for i := range nFirst {
		id := fmt.Sprintf("a-%06d", i)
		group := grpKeep
		switch {
		case i < nFirst/20:
			group = grpDelete
		case i < nFirst/10:
			group = grpChange
		}
		a := art(id, group)
		c.first = append(c.first, a)
		c.want1[group]++
		switch group {
		case grpChange:
			a = art(id, grpChanged)
		case grpDelete:
			continue
		}
		c.second = append(c.second, a)
		c.want2[a.Author[0]]++
	}
	for i := range nNew {
		c.second = append(c.second, art(fmt.Sprintf("b-%06d", i), grpNew))
		c.want2[grpNew]++
	}
	return c
}

// indexState is what wensou search --json says an index holds.
type indexState struct {
	total   int
	byGroup map[string]int
	current string // the live generation, as CURRENT names it
	ok      bool   // the search worked
}

func (s indexState) String() string {
	if !s.ok {
		return "no answer"
	}
	return fmt.Sprintf("%s: %d %s", s.current, s.total, groups(s.byGroup))
}

// groups formats counts by group, as "(change 1000, keep 18000)".
func groups(m map[string]int) string {
	var parts []string
	for g, n := range m {
		parts = append(parts, fmt.Sprintf("%s %d", strings.TrimPrefix(g, "grp-"), n))
	}
	slices.Sort(parts)
	return "(" + strings.Join(parts, ", ") + ")"
}

// cliState runs wensou search --json on dir for the token every article
// has, and returns the counts it reports. A search that does not work is
// an error of t.
func cliState(t *testing.T, dir string) indexState {
	t.Helper()
	st := indexState{byGroup: map[string]int{}}
	raw, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Errorf("read CURRENT: %v", err)
	}
	var cur struct {
		Generation string `json:"generation"`
	}
	if err := json.Unmarshal(raw, &cur); err != nil {
		t.Errorf("CURRENT holds %q: %v", raw, err)
	}
	st.current = cur.Generation
	r := runWensou(t, time.Minute, "search", "--index", dir, "--json", "--size", "100", allToken)
	if r.code != 0 {
		t.Errorf("wensou search --json on the index: got %v, want exit 0", r)
		return st
	}
	var res struct {
		searchResult
		Facets struct {
			Author []struct {
				Value string `json:"value"`
				Count int    `json:"count"`
			} `json:"author"`
		} `json:"facets"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Errorf("wensou search --json: got %v (%s), want JSON", err, clip(r.stdout, 200))
		return st
	}
	for _, h := range res.Hits {
		if !strings.HasPrefix(h.ID, "a-") && !strings.HasPrefix(h.ID, "b-") {
			t.Errorf("wensou search --json: hit %q, want only generated articles", h.ID)
		}
	}
	st.total, st.ok = res.Total, true
	for _, f := range res.Facets.Author {
		st.byGroup[f.Value] = f.Count
	}
	return st
}

// segments returns the index segment files under dir's generations.
func segments(dir string) map[string]bool {
	files, _ := filepath.Glob(filepath.Join(dir, "gen-*", "store", "*.zap"))
	m := map[string]bool{}
	for _, f := range files {
		m[f] = true
	}
	return m
}

// newSegment reports whether dir has a segment file not in before: the
// command writing it is indexing.
func newSegment(dir string, before map[string]bool) func() bool {
	return func() bool {
		for f := range segments(dir) {
			if !before[f] {
				return true
			}
		}
		return false
	}
}

// rebuildDone reports whether dir's rebuild.json says a running rebuild
// has written n articles or more.
func rebuildDone(dir string, n int) func() bool {
	return func() bool {
		raw, err := os.ReadFile(filepath.Join(dir, "rebuild.json"))
		if err != nil {
			return false
		}
		var p struct {
			Running bool `json:"running"`
			Done    int  `json:"done"`
		}
		return json.Unmarshal(raw, &p) == nil && p.Running && p.Done >= n
	}
}

// killWhile waits until started reports that b is at work, lets it work
// for up to maxDelay more, and kills it with SIGKILL. It fails t when b
// finished first (its input is too small for this machine).
func killWhile(t *testing.T, b *background, started func() bool, maxDelay time.Duration, rng *rand.Rand) time.Duration {
	t.Helper()
	if !poll(2*time.Minute, func() bool { return b.exited() || started() }) {
		t.Fatalf("wensou %s never started writing; stderr:\n%s", b.cmd.Args[1], tail(b.stderr.String(), 10))
	}
	delay := time.Duration(rng.Int64N(int64(maxDelay)))
	select {
	case <-b.done:
	case <-time.After(delay): // the fault's schedule, not a wait for an event
	}
	if b.exited() {
		t.Fatalf("wensou %s finished (%v) before the kill: make its input bigger; stdout: %s", b.cmd.Args[1], b.err, b.stdout.String())
	}
	b.kill()
	after := time.Since(b.start)
	if ws, ok := b.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("wensou %s: got %v, want it killed by SIGKILL", b.cmd.Args[1], b.err)
	}
	return after
}

var (
	indexedRE = regexp.MustCompile(`(?m)^indexed ([\d,]+) articles, rejected ([\d,]+)`)
	syncedRE  = regexp.MustCompile(`(?m)^synced ([\d,]+) articles: added ([\d,]+), updated ([\d,]+), deleted ([\d,]+), unchanged ([\d,]+), rejected ([\d,]+)`)
	rebuiltRE = regexp.MustCompile(`(?m)^rebuilt gen-\d+ from files: ([\d,]+) articles, rejected ([\d,]+)`)
)

// counts returns the numbers re's groups match in s (nil when it does
// not match).
func counts(re *regexp.Regexp, s string) []int {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	var out []int
	for _, g := range m[1:] {
		if n, err := strconv.Atoi(strings.ReplaceAll(g, ",", "")); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// holds reports whether the search found exactly the articles of want.
func (s indexState) holds(want map[string]int) bool {
	n := 0
	for g, c := range want {
		if s.byGroup[g] != c {
			return false
		}
		n += c
	}
	return s.ok && s.total == n && len(s.byGroup) == len(want)
}

// TestKill9_CLI kills wensou index, index --sync and reindex with SIGKILL
// half way, then checks that the index still searches, is consistent
// (reindex: unchanged) and that running the same command again completes
// with the full count.
func TestKill9_CLI(t *testing.T) {
	needFaults(t)
	rng := rand.New(rand.NewPCG(seedFromEnv(t), 2))
	c := newCLICorpus(12000, 9000, rng)
	dir := filepath.Join(t.TempDir(), "index")
	file := filepath.Join(t.TempDir(), "articles.jsonl")
	writeJSONL(t, file, c.first)
	var last indexState // after the last subtest

	ok := t.Run("index", func(t *testing.T) {
		b := startWensou(t, "index", "--index", dir, file)
		after := killWhile(t, b, newSegment(dir, nil), 800*time.Millisecond, rng)
		st := cliState(t, dir)
		check(t, fmt.Sprintf("search --json after the kill at %.1fs", after.Seconds()), st, "works, at most the file's articles", st.ok && st.total <= len(c.first))
		r := runWensou(t, 3*time.Minute, "index", "--index", dir, file)
		n := counts(indexedRE, r.stdout)
		check(t, "rerun", fmt.Sprintf("exit %d, %v in %.1fs", r.code, n, r.took.Seconds()), fmt.Sprintf("exit 0, [%d 0]", len(c.first)),
			r.code == 0 && len(n) == 2 && n[0] == len(c.first) && n[1] == 0)
		st = cliState(t, dir)
		check(t, "index after the rerun", st, groups(c.want1), st.holds(c.want1))
		last = st
	})
	if !ok {
		return
	}
	writeJSONL(t, file, c.second)
	ok = t.Run("sync", func(t *testing.T) {
		b := startWensou(t, "index", "--sync", "--index", dir, file)
		after := killWhile(t, b, newSegment(dir, segments(dir)), 600*time.Millisecond, rng)
		st := cliState(t, dir)
		// Nothing is deleted by an interrupted sync; each changed article
		// is in one version or the other; new ones may be in part.
		consistent := st.ok && st.byGroup[grpKeep] == c.want1[grpKeep] && st.byGroup[grpDelete] == c.want1[grpDelete] &&
			st.byGroup[grpChange]+st.byGroup[grpChanged] == c.want1[grpChange] && st.byGroup[grpNew] <= c.want2[grpNew]
		check(t, fmt.Sprintf("search --json after the kill at %.1fs", after.Seconds()), st, "kept and deleted all there, changed once, new at most all", consistent)
		r := runWensou(t, 3*time.Minute, "index", "--sync", "--index", dir, file)
		n := counts(syncedRE, r.stdout)
		check(t, "rerun", fmt.Sprintf("exit %d, %v in %.1fs", r.code, n, r.took.Seconds()), fmt.Sprintf("exit 0, synced %d, deleted %d", len(c.second), c.want1[grpDelete]),
			r.code == 0 && len(n) == 6 && n[0] == len(c.second) && n[3] == c.want1[grpDelete] && n[5] == 0)
		st = cliState(t, dir)
		check(t, "index after the rerun", st, groups(c.want2), st.holds(c.want2))
		last = st
	})
	if !ok {
		return
	}
	t.Run("reindex", func(t *testing.T) {
		before := last
		b := startWensou(t, "reindex", "--index", dir, file)
		// Killed when a random part of the articles are in the new
		// generation, as rebuild.json tells.
		part := 0.2 + 0.5*rng.Float64()
		after := killWhile(t, b, rebuildDone(dir, int(part*float64(len(c.second)))), time.Millisecond, rng)
		st := cliState(t, dir)
		check(t, fmt.Sprintf("live index after the kill at %.1fs", after.Seconds()), st, "unchanged: "+before.String(),
			st.current == before.current && st.holds(c.want2))
		r := runWensou(t, 3*time.Minute, "reindex", "--index", dir, file)
		n := counts(rebuiltRE, r.stdout)
		check(t, "rerun", fmt.Sprintf("exit %d, %v in %.1fs", r.code, n, r.took.Seconds()), fmt.Sprintf("exit 0, [%d 0]", len(c.second)),
			r.code == 0 && len(n) == 2 && n[0] == len(c.second) && n[1] == 0)
		st = cliState(t, dir)
		check(t, "index after the rerun", st, "a new generation, "+groups(c.want2),
			st.current != before.current && st.holds(c.want2))
		gens, _ := filepath.Glob(filepath.Join(dir, "gen-*[0-9]"))
		checkEq(t, "generation directories left", len(gens), 1)
	})
}
