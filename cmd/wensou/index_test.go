package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Fixtures: testdata/good holds one article in every format and nothing
// wrong; testdata/bad/mixed.jsonl holds good lines between a broken JSON
// line, an article with no title and no body, invalid UTF-8 and a date
// nobody can read.
var (
	goodDir = filepath.Join("testdata", "good")
	badDir  = filepath.Join("testdata", "bad")
	badFile = filepath.Join(badDir, "mixed.jsonl")
)

// summaryRE matches the line index prints at the end; the counts are
// checked separately.
var summaryRE = regexp.MustCompile(`^(indexed|stopped after indexing) (\d+) articles, rejected (\d+), warned (\d+) in [0-9.]+s: [0-9]+ docs/s, [0-9.]+ MB/s \([0-9.]+ MB read\), peak memory [0-9]+ MB(?: \(own [0-9]+ MB\))?\n$`)

// checkSummary checks that out is the summary line with these counts.
func checkSummary(t *testing.T, out, status, indexed, rejected, warned string) {
	t.Helper()
	m := summaryRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("summary = %q, want it to match %s", out, summaryRE)
	}
	if diff := cmp.Diff([]string{status, indexed, rejected, warned}, m[1:]); diff != "" {
		t.Errorf("summary %q: status and counts (-want +got):\n%s", out, diff)
	}
}

func TestIndex_AllGood(t *testing.T) {
	dir := newIndexDir(t)
	r := wensou(t, nil, "index", "--index", dir, goodDir)
	if r.code != exitOK {
		t.Fatalf("wensou index %s: %v", goodDir, r)
	}
	checkSummary(t, r.stdout, "indexed", "6", "0", "0")
	if r.stderr != "" {
		t.Errorf("stderr = %q, want nothing", r.stderr)
	}

	// Every format's article is searchable, with the fields read from it.
	tests := []struct {
		name    string
		query   string
		wantID  string // "" when the article has no id of its own
		title   string
		authors []string
		date    string
		url     string
	}{
		{"jsonl", "修理角", "fx-library-repair", "社区图书馆开设旧物修理角", []string{"李明"}, "2022-09-23", "https://example.com/repair-corner"},
		{"json array", "无人机", "fx-array-orchard", "果园里的无人机", []string{"周晓梅", "王雪"}, "2023-04-12", ""},
		{"json array without id", "night market", "", "Night market reopens on the river bank", []string{"Sam Lee"}, "2024-06-01", ""},
		{"scraped txt", "书屋", "", "乡村书屋迎来第一批小读者", []string{"王芳"}, "2022-09-23", ""},
		{"markdown", "tea pickers", "", "Tea pickers start the spring harvest", []string{"Chen Yu"}, "2023-04-05", "https://example.com/tea-harvest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := searchJSON(t, dir, tt.query)
			if res.Total != 1 || len(res.Hits) != 1 {
				t.Fatalf("search %q: total %d, hits %q, want 1 hit", tt.query, res.Total, hitIDs(res))
			}
			h := res.Hits[0]
			if tt.wantID != "" && h.ID != tt.wantID {
				t.Errorf("search %q: id = %q, want %q", tt.query, h.ID, tt.wantID)
			}
			if h.ID == "" {
				t.Errorf("search %q: empty id", tt.query)
			}
			got := []any{h.Title, h.Author, h.Date, h.URL}
			want := []any{tt.title, tt.authors, tt.date, tt.url}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("search %q: title, author, date, url (-want +got):\n%s", tt.query, diff)
			}
		})
	}

	// The .txt's editor line, "- END -" and the teaser after it are not
	// part of the body.
	for _, q := range []string{"赵六", "延长"} {
		if res := searchJSON(t, dir, q); res.Total != 0 {
			t.Errorf("search %q: hits %q, want none (text after the body's end)", q, hitIDs(res))
		}
	}
}

func TestIndex_Rejections(t *testing.T) {
	dir := newIndexDir(t)
	r := wensou(t, nil, "index", "--index", dir, badDir)
	if r.code != exitRejected {
		t.Errorf("exit code = %d, want %d\n%v", r.code, exitRejected, r)
	}
	checkSummary(t, r.stdout, "indexed", "3", "3", "1")
	want := []string{
		badFile + `:2: invalid JSON: unexpected end of JSON input`,
		badFile + `:4: no title and no body`,
		badFile + `:5: invalid UTF-8 at byte 32`,
		badFile + `:6: warning: unparseable date "去年秋天"`,
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")); diff != "" {
		t.Errorf("stderr lines (-want +got):\n%s", diff)
	}

	// The good records, and the one with the unreadable date, are indexed.
	tests := []struct {
		query    string
		wantIDs  []string // nil: one hit, whatever its id
		wantDate string
	}{
		{"城市书房", []string{"fx-bad-kept"}, "2021-11-03"},
		{"canal towpath", nil, "2022-02-14"},
		{"候鸟", []string{"fx-baddate"}, ""},
	}
	for _, tt := range tests {
		res := searchJSON(t, dir, tt.query)
		if len(res.Hits) != 1 {
			t.Errorf("search %q: hits %q, want 1", tt.query, hitIDs(res))
			continue
		}
		if tt.wantIDs != nil {
			if diff := cmp.Diff(tt.wantIDs, hitIDs(res)); diff != "" {
				t.Errorf("search %q: ids (-want +got):\n%s", tt.query, diff)
			}
		}
		if got := res.Hits[0].Date; got != tt.wantDate {
			t.Errorf("search %q: date = %q, want %q", tt.query, got, tt.wantDate)
		}
	}
	if res := searchJSON(t, dir, ""); res.Total != 3 {
		t.Errorf("index holds %d articles, want 3: %q", res.Total, hitIDs(res))
	}
}

func TestIndex_Failures(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	tests := []struct {
		name       string
		args       []string
		wantStderr []string // lines; %s is replaced by the good dir
		indexed    string
		rejected   string
	}{
		{
			name:       "missing file",
			args:       []string{missing},
			wantStderr: []string{missing + ": "},
			indexed:    "0", rejected: "1",
		},
		{
			name: "body over --max-body",
			args: []string{"--max-body", "100", filepath.Join(goodDir, "clean.jsonl")},
			wantStderr: []string{
				filepath.Join(goodDir, "clean.jsonl") + ":1: body is 218 bytes, over the 100-byte limit",
				filepath.Join(goodDir, "clean.jsonl") + ":2: body is 154 bytes, over the 100-byte limit",
			},
			indexed: "0", rejected: "2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := wensou(t, nil, append([]string{"index", "--index", newIndexDir(t)}, tt.args...)...)
			if r.code != exitRejected {
				t.Errorf("exit code = %d, want %d\n%v", r.code, exitRejected, r)
			}
			checkSummary(t, r.stdout, "indexed", tt.indexed, tt.rejected, "0")
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(lines) != len(tt.wantStderr) {
				t.Fatalf("stderr = %q, want %d lines", r.stderr, len(tt.wantStderr))
			}
			for i, want := range tt.wantStderr {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("stderr line %d = %q, want it to start with %q", i+1, lines[i], want)
				}
			}
		})
	}
}

func TestIndex_Twice(t *testing.T) {
	queries := []string{"", "修理角", "night market", "书屋", "tea pickers", "canal towpath", "候鸟"}
	totals := func(dir string) map[string]uint64 {
		m := map[string]uint64{}
		for _, q := range queries {
			m[q] = searchJSON(t, dir, q).Total
		}
		return m
	}
	abs, err := filepath.Abs(goodDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := newIndexDir(t)
	// Rejections make the second and third runs exit 1; only the totals
	// matter here.
	args := []string{"index", "--index", dir, "--batch", "2", goodDir, badDir}
	first := wensou(t, nil, args...)
	checkSummary(t, first.stdout, "indexed", "9", "3", "1")
	before := totals(dir)
	if before[""] != 9 {
		t.Fatalf("index holds %d articles after the first run, want 9", before[""])
	}
	for _, args := range [][]string{args, {"index", "--index", dir, abs, badFile}} {
		r := wensou(t, nil, args...)
		checkSummary(t, r.stdout, "indexed", "9", "3", "1")
		if diff := cmp.Diff(before, totals(dir)); diff != "" {
			t.Errorf("totals after indexing again with %q (-before +after):\n%s", args[3:], diff)
		}
	}
}

func TestIndex_Interrupted(t *testing.T) {
	dir := buildIndex(t, goodDir)
	before := searchJSON(t, dir, "")

	t.Run("before it starts", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		r := wensouCtx(ctx, nil, nil, "index", "--index", dir, badDir)
		if r.code != exitSignal {
			t.Errorf("exit code = %d, want %d\n%v", r.code, exitSignal, r)
		}
		if !strings.HasSuffix(r.stderr, "wensou: interrupted\n") {
			t.Errorf("stderr = %q, want it to end with \"wensou: interrupted\"", r.stderr)
		}
		checkSummary(t, r.stdout, "stopped after indexing", "0", "0", "0")
		if after := searchJSON(t, dir, ""); after.Total != before.Total {
			t.Errorf("index holds %d articles, want %d as before", after.Total, before.Total)
		}
	})

	t.Run("new index before it starts", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		dir := newIndexDir(t)
		r := wensouCtx(ctx, nil, nil, "index", "--index", dir, badDir)
		if r.code != exitSignal || r.stderr != "wensou: interrupted\n" {
			t.Errorf("want exit %d and \"wensou: interrupted\", got %v", exitSignal, r)
		}
	})

	t.Run("while reading", func(t *testing.T) {
		// Ctrl-C as the first rejection is reported: batches of one
		// article, so some may be indexed and some not.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		r := wensouCtx(ctx, nil, func(string) { cancel() }, "index", "--index", dir, "--batch", "1", badDir)
		if r.code != exitSignal {
			t.Errorf("exit code = %d, want %d\n%v", r.code, exitSignal, r)
		}
		m := summaryRE.FindStringSubmatch(r.stdout)
		if m == nil || m[1] != "stopped after indexing" {
			t.Fatalf("summary = %q, want \"stopped after indexing …\"", r.stdout)
		}
		after := searchJSON(t, dir, "")
		if after.Total < before.Total || after.Total > before.Total+3 {
			t.Errorf("index holds %d articles, want %d to %d", after.Total, before.Total, before.Total+3)
		}
		// The index is whole: indexing the rest works and finds everything.
		r = wensou(t, nil, "index", "--index", dir, badDir)
		if r.code != exitRejected {
			t.Errorf("indexing again: %v", r)
		}
		if after := searchJSON(t, dir, ""); after.Total != before.Total+3 {
			t.Errorf("index holds %d articles after indexing again, want %d", after.Total, before.Total+3)
		}
	})
}

func TestIndex_EnvFlags(t *testing.T) {
	dir := newIndexDir(t)
	env := map[string]string{"WENSOU_INDEX": dir, "WENSOU_MAX_BODY": "105"}
	r := wensou(t, env, "index", filepath.Join(goodDir, "array.json"))
	// WENSOU_MAX_BODY=105 keeps the first body (102 bytes) and rejects the
	// second (110).
	if r.code != exitRejected {
		t.Errorf("exit code = %d, want %d\n%v", r.code, exitRejected, r)
	}
	checkSummary(t, r.stdout, "indexed", "1", "1", "0")
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("WENSOU_INDEX ignored: %v", err)
	}
	// The flag beats the environment.
	r = wensou(t, env, "index", "--max-body", "1000", filepath.Join(goodDir, "array.json"))
	if r.code != exitOK {
		t.Errorf("with --max-body 1000: %v", r)
	}
}

func TestIndex_CPUProfile(t *testing.T) {
	dir := newIndexDir(t)
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	r := wensou(t, nil, "index", "--cpuprofile", prof, "--index", dir, goodDir)
	if r.code != exitOK {
		t.Fatalf("wensou index --cpuprofile: %v", r)
	}
	checkSummary(t, r.stdout, "indexed", "6", "0", "0")
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	// A profile is gzipped protocol buffers.
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("%s: %d bytes, not a gzipped profile", prof, len(b))
	}
	bad := wensou(t, nil, "index", "--cpuprofile", filepath.Join(t.TempDir(), "no", "such", "dir", "cpu.prof"), "--index", newIndexDir(t), goodDir)
	if bad.code != exitRejected || !strings.Contains(bad.stderr, "--cpuprofile") {
		t.Errorf("--cpuprofile into a missing directory: %v, want exit %d naming the flag", bad, exitRejected)
	}
}
