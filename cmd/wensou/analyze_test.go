package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wensou/wensou/index/zh"

	"github.com/google/go-cmp/cmp"
)

// checkGolden compares got with testdata/name, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
	}
}

func TestAnalyze_Golden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"index mode", []string{"--mode", "index", "中华人民共和国"}, "analyze-index.golden"},
		{"query mode", []string{"--mode", "query", "中华人民共和国"}, "analyze-query.golden"},
		{"default is index mode", []string{"中华人民共和国"}, "analyze-index.golden"},
		{"mixed text, flags after", []string{"ＧＯ语言２０２２", "長安", "iPhone15", "prices，油价", "--mode", "index"}, "analyze-mixed.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := wensou(t, nil, append([]string{"analyze"}, tt.args...)...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("wensou analyze %q: %v", tt.args, r)
			}
			checkGolden(t, tt.golden, r.stdout)
		})
	}
}

func TestAnalyze_Table(t *testing.T) {
	r := wensou(t, nil, "analyze", "--mode", "index", "中华人民共和国")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if diff := cmp.Diff([]string{"POS", "START", "END", "TERM", "TEXT"}, strings.Fields(lines[0])); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	terms := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 5 {
			t.Fatalf("row %q: want 5 columns", l)
		}
		terms[f[3]] = f
	}
	for term, want := range map[string][]string{
		"中华人民共和国": {"1", "0", "21", "中华人民共和国", "中华人民共和国"},
		"人民":      {"3", "6", "12", "人民", "人民"},
		"共和国":     {"5", "12", "21", "共和国", "共和国"},
	} {
		if diff := cmp.Diff(want, terms[term]); diff != "" {
			t.Errorf("row for %s (-want +got):\n%s", term, diff)
		}
	}
	// Columns line up on a terminal: every TEXT column starts at the
	// same display column.
	col := -1
	for _, l := range lines {
		i := strings.LastIndex(l, "  ")
		w := displayWidth(l[:i+2])
		if col == -1 {
			col = w
		} else if w != col {
			t.Errorf("row %q: last column at display column %d, want %d", l, w, col)
		}
	}
}

func TestAnalyze_JSON(t *testing.T) {
	for _, tt := range []struct {
		mode string
		want []zh.Token
	}{
		{"query", []zh.Token{{Term: "中华人民共和国", Text: "中华人民共和国", Start: 0, End: 21, Position: 1}}},
		{"index", nil},
	} {
		r := wensou(t, nil, "analyze", "--json", "--mode", tt.mode, "中華人民共和國")
		if r.code != exitOK {
			t.Fatalf("analyze --json --mode %s: %v", tt.mode, r)
		}
		var got []zh.Token
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("analyze --json --mode %s: decode %q: %v", tt.mode, r.stdout, err)
		}
		if tt.want != nil {
			// Traditional folds to Simplified; Text is the input as typed.
			tt.want[0].Term, tt.want[0].Text = "中华人民共和国", "中華人民共和國"
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("analyze --json --mode %s (-want +got):\n%s", tt.mode, diff)
			}
			continue
		}
		have := map[string]bool{}
		for _, tok := range got {
			have[tok.Term] = true
			if tok.Start < 0 || tok.End > len("中華人民共和國") || tok.Start >= tok.End || tok.Position < 1 {
				t.Errorf("token %+v: bad offsets or position", tok)
			}
		}
		for _, term := range []string{"中华人民共和国", "人民", "共和国"} {
			if !have[term] {
				t.Errorf("analyze --json --mode index: no %s in %+v", term, got)
			}
		}
	}
	// No words at all is an empty list, not null.
	r := wensou(t, nil, "analyze", "--json", "，。")
	if r.code != exitOK || r.stdout != "[]\n" {
		t.Errorf("analyze --json of punctuation: %v", r)
	}
}

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"POS", 3},
		{"人民", 4},
		{"ＧＯ２０", 8},
		{"iPhone15", 8},
		{"，。", 4},
		{"e\u0301", 1},
		{"長安 ok", 7},
	}
	for _, tt := range tests {
		if got := displayWidth(tt.s); got != tt.want {
			t.Errorf("displayWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}
