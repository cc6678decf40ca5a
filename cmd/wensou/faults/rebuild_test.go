package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rebuildRunning reports whether dir's rebuild.json says a rebuild runs,
// or a generation beyond the live one exists.
func rebuildRunning(dir, live string) bool {
	if raw, err := os.ReadFile(filepath.Join(dir, "rebuild.json")); err == nil {
		var p struct {
			Running bool `json:"running"`
		}
		if json.Unmarshal(raw, &p) == nil && p.Running {
			return true
		}
	}
	gens, _ := filepath.Glob(filepath.Join(dir, "gen-*[0-9]"))
	for _, g := range gens {
		if filepath.Base(g) > live {
			return true
		}
	}
	return false
}

// liveGeneration is the generation CURRENT names.
func liveGeneration(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Generation string `json:"generation"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("CURRENT holds %q: %v", raw, err)
	}
	return p.Generation
}

// TestRebuild_IndexDuringReindex writes an article with wensou index
// while wensou reindex rebuilds the index from files: the article must be
// in the index after the rebuild switches.
func TestRebuild_IndexDuringReindex(t *testing.T) {
	needFaults(t)
	cn := corpusFile(t, "cn_web_extract.jsonl")
	reuters := corpusFile(t, "reuters21578.jsonl")
	dir := filepath.Join(t.TempDir(), "index")
	if r := runWensou(t, 2*time.Minute, "index", "--index", dir, cn); r.code != 0 {
		t.Fatalf("wensou index %s: %v", cn, r)
	}
	live := liveGeneration(t, dir)
	tok := token("rebuild", "new")
	x := filepath.Join(t.TempDir(), "x.jsonl")
	writeJSONL(t, x, []article{{ID: "fault-rebuild-new", Title: "written during the rebuild " + tok, Body: tok + " one new article"}})

	rebuild := startWensou(t, "reindex", "--index", dir, cn, reuters)
	if !poll(time.Minute, func() bool { return rebuild.exited() || rebuildRunning(dir, live) }) || rebuild.exited() {
		t.Fatalf("the rebuild never showed as running (rebuild.json, a new generation); it: %v", rebuild.wait(t, time.Second))
	}
	r := runWensou(t, 2*time.Minute, "index", "--index", dir, x)
	check(t, "wensou index during the rebuild", r.code, "0", r.code == 0)
	if r.code != 0 {
		t.Logf("wensou index: %v", r)
	}
	note(t, "the rebuild still ran when it returned", !rebuild.exited())

	// Reuters has records without title and body: 1 (some rejected) is a
	// finished rebuild too.
	rr := rebuild.wait(t, 3*time.Minute)
	check(t, "wensou reindex", fmt.Sprintf("exit %d in %.1fs: %s", rr.code, rr.took.Seconds(), firstLine(rr.stdout)), "exit 0 or 1: rebuilt …",
		(rr.code == 0 || rr.code == 1) && strings.HasPrefix(rr.stdout, "rebuilt "))

	s := runWensou(t, time.Minute, "search", "--index", dir, "--json", tok)
	var res searchResult
	if s.code != 0 || json.Unmarshal([]byte(s.stdout), &res) != nil {
		t.Fatalf("wensou search --json after the rebuild: got %v, want exit 0 and JSON", s)
	}
	check(t, "search finds the article written during the rebuild", res.Total, "1 (fault-rebuild-new)", res.Total == 1 && res.has("fault-rebuild-new"))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return clip(line, 40)
}
