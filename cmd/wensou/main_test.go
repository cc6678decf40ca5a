package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/search"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// samplesDir holds the repository's sample articles.
var samplesDir = filepath.Join("..", "..", "data", "articles")

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// syncBuffer is a bytes.Buffer safe for the index reader goroutine to
// write while the test reads. onWrite, when set, sees everything written
// so far after each write.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	onWrite func(string)
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if s.onWrite != nil {
		s.onWrite(s.b.String())
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mapEnv is an environment holding only env: tests never see the real one.
func mapEnv(env map[string]string) envFunc {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

// wensou runs the command with args in the environment env.
func wensou(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return wensouCtx(t.Context(), env, nil, args...)
}

// wensouCtx runs the command with ctx; onStderr, when set, sees stderr
// after each write.
func wensouCtx(ctx context.Context, env map[string]string, onStderr func(string), args ...string) result {
	var stdout bytes.Buffer
	stderr := &syncBuffer{onWrite: onStderr}
	code := runWithEnv(ctx, args, mapEnv(env), &stdout, stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// newIndexDir returns a path for an index that does not exist yet.
func newIndexDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "index.bleve")
}

// buildIndex indexes paths into a new index and returns its directory.
func buildIndex(t *testing.T, paths ...string) string {
	t.Helper()
	dir := newIndexDir(t)
	r := wensou(t, nil, append([]string{"index", "--index", dir}, paths...)...)
	if r.code != exitOK {
		t.Fatalf("wensou index %v: %v", paths, r)
	}
	return dir
}

// searchJSON runs wensou search --json with args and decodes the result.
func searchJSON(t *testing.T, dir string, args ...string) search.Result {
	t.Helper()
	r := wensou(t, nil, append([]string{"search", "--index", dir, "--json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("wensou search %q: %v", args, r)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var res search.Result
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("wensou search %q: decode %q: %v", args, r.stdout, err)
	}
	return res
}

func hitIDs(res search.Result) []string {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids
}

// checkUsageError checks that r is a usage error: exit 2, nothing on
// stdout and one line on stderr, "wensou: " and a message holding want.
func checkUsageError(t *testing.T, r result, want string) {
	t.Helper()
	if r.code != exitUsage {
		t.Errorf("exit code = %d, want %d\n%v", r.code, exitUsage, r)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
	if !strings.HasPrefix(r.stderr, "wensou: ") || strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr = %q, want one line starting with \"wensou: \"", r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr = %q, want it to mention %q", r.stderr, want)
	}
}

func TestRun_UsageErrors(t *testing.T) {
	// None of these may need an index: the paths below do not exist, and
	// a usage error must come before any attempt to open or build one.
	noIndex := filepath.Join(t.TempDir(), "none")
	noSamples := filepath.Join(t.TempDir(), "no-samples")
	s := func(args ...string) []string {
		return append([]string{"search", "--index", noIndex, "--samples", noSamples}, args...)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in the message
	}{
		{"no command", nil, nil, "no command"},
		{"unknown command", []string{"serch", "x"}, nil, `unknown command "serch"`},
		{"index without PATH", []string{"index", "--index", noIndex}, nil, "index needs at least one PATH"},
		{"index with zero batch", []string{"index", "--index", noIndex, "--batch", "0", "x"}, nil, "--batch"},
		{"index with negative max-body", []string{"index", "--index", noIndex, "--max-body", "-1", "x"}, nil, "--max-body"},
		{"index with unknown flag", []string{"index", "--bogus", "x"}, nil, "-bogus"},
		{"search size too big", s("--size", "500", "x"), nil, "size must be between 1 and 100"},
		{"search size zero", s("--size", "0", "x"), nil, "--size"},
		{"search page zero", s("--page", "0", "x"), nil, "--page"},
		{"search page past the window", s("--page", "200", "--size", "100", "x"), nil, "page 200"},
		{"search bogus sort", s("--sort", "bogus", "x"), nil, `sort must be relevance, newest or oldest, not "bogus"`},
		{"search bad from", s("--from", "notadate", "x"), nil, `--from: date "notadate"`},
		{"search bad to", s("--to", "2022-13-45", "x"), nil, "--to"},
		{"search to before from", s("--from", "2021", "--to", "2020", "x"), nil, "before"},
		{"search bad time zone", s("--tz", "Nowhere/Atlantis", "x"), nil, "Nowhere/Atlantis"},
		{"search flag without value", s("x", "--size"), nil, "flag needs an argument: -size"},
		{"search unknown double-dash flag", s("--sise", "5", "x"), nil, "-sise"},
		{"search bad query", s("a*"), nil, "cannot read the query: "},
		{"search query after flags", s("--size", "5", "x", "a*"), nil, "cannot read the query: "},
		{"analyze without text", []string{"analyze"}, nil, "analyze needs TEXT"},
		{"analyze bogus mode", []string{"analyze", "--mode", "bogus", "x"}, nil, `--mode must be index or query, not "bogus"`},
		{"analyze index flag", []string{"analyze", "--index", "x", "y"}, nil, "-index"},
		{"malformed log level", []string{"analyze", "x"}, map[string]string{"WENSOU_LOG_LEVEL": "loud"}, "WENSOU_LOG_LEVEL"},
		{"malformed env batch", []string{"index", "--index", noIndex, "x"}, map[string]string{"WENSOU_BATCH": "abc"}, `WENSOU_BATCH="abc": invalid value for --batch`},
		{"malformed env size", s("x"), map[string]string{"WENSOU_SIZE": "ten"}, `WENSOU_SIZE="ten"`},
		{"malformed env mode", []string{"analyze", "x"}, map[string]string{"WENSOU_MODE": "fast"}, `"fast"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := wensou(t, tt.env, tt.args...)
			checkUsageError(t, r, tt.want)
			for _, dir := range []string{noIndex, noSamples} {
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("%s exists after a usage error (stat: %v)", dir, err)
				}
			}
		})
	}
}

func TestRun_Help(t *testing.T) {
	r := wensou(t, nil, "help")
	if r.code != exitOK || !strings.Contains(r.stdout, "Usage:") || r.stderr != "" {
		t.Errorf("wensou help: %v", r)
	}
	for _, cmd := range []string{"index", "search", "analyze"} {
		for _, h := range []string{"-h", "--help"} {
			r := wensou(t, nil, cmd, h)
			if r.code != exitOK {
				t.Errorf("wensou %s %s: exit %d, want %d", cmd, h, r.code, exitOK)
			}
			if !strings.HasPrefix(r.stderr, "Usage: wensou "+cmd) || strings.Contains(r.stderr, "wensou: ") {
				t.Errorf("wensou %s %s: stderr = %q, want the command's usage", cmd, h, r.stderr)
			}
		}
	}
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantFlags []string
		wantPos   []string
	}{
		{"flags first", []string{"--size", "2", "油价"}, []string{"--size", "2"}, []string{"油价"}},
		{"flags after", []string{"油价", "--size", "2", "--json"}, []string{"--size", "2", "--json"}, []string{"油价"}},
		{"flag with equals", []string{"油价", "--size=2"}, []string{"--size=2"}, []string{"油价"}},
		{"single-dash flag", []string{"-size", "2", "油价"}, []string{"-size", "2"}, []string{"油价"}},
		{"bool flag takes no value", []string{"--json", "油价"}, []string{"--json"}, []string{"油价"}},
		{"excluded word", []string{"油价", "-上涨"}, nil, []string{"油价", "-上涨"}},
		{"excluded word before", []string{"-上涨", "油价"}, nil, []string{"-上涨", "油价"}},
		{"help", []string{"-h"}, []string{"-h"}, nil},
		{"unknown double-dash is a flag", []string{"--bogus", "x"}, []string{"--bogus"}, []string{"x"}},
		{"double dash ends flags", []string{"--size", "2", "--", "油价", "--json", "-上涨"}, []string{"--size", "2"}, []string{"油价", "--json", "-上涨"}},
		{"double dash after query", []string{"油价", "--", "-json"}, nil, []string{"油价", "-json"}},
		{"lone dash", []string{"-"}, nil, []string{"-"}},
		{"value looking like a flag", []string{"--author", "-x-", "q"}, []string{"--author", "-x-"}, []string{"q"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("search", flag.ContinueOnError)
			fs.Int("size", 10, "")
			fs.Bool("json", false, "")
			fs.String("author", "", "")
			flags, pos := splitArgs(fs, tt.args)
			if diff := cmp.Diff(tt.wantFlags, flags); diff != "" {
				t.Errorf("splitArgs(%q) flags (-want +got):\n%s", tt.args, diff)
			}
			if diff := cmp.Diff(tt.wantPos, pos); diff != "" {
				t.Errorf("splitArgs(%q) positional (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestParseFlags_Env(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantSize int
		wantPos  []string
	}{
		{"default", []string{"q"}, nil, 10, []string{"q"}},
		{"from env", []string{"q"}, map[string]string{"WENSOU_SIZE": "3"}, 3, []string{"q"}},
		{"empty env is unset", []string{"q"}, map[string]string{"WENSOU_SIZE": ""}, 10, []string{"q"}},
		{"flag beats env", []string{"q", "--size", "4"}, map[string]string{"WENSOU_SIZE": "3"}, 4, []string{"q"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("search", flag.ContinueOnError)
			size := fs.Int("size", 10, "")
			var stderr bytes.Buffer
			pos, err := parseFlags(fs, tt.args, mapEnv(tt.env), &stderr)
			if err != nil {
				t.Fatalf("parseFlags(%q) error: %v", tt.args, err)
			}
			if *size != tt.wantSize {
				t.Errorf("parseFlags(%q) with %v: size = %d, want %d", tt.args, tt.env, *size, tt.wantSize)
			}
			if diff := cmp.Diff(tt.wantPos, pos); diff != "" {
				t.Errorf("parseFlags(%q) positional (-want +got):\n%s", tt.args, diff)
			}
			if stderr.Len() != 0 {
				t.Errorf("parseFlags(%q) wrote %q", tt.args, stderr.String())
			}
		})
	}
}

func TestFmtCount(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0"}, {999, "999"}, {9999, "9999"}, {10000, "10,000"}, {123456, "123,456"}, {1234567, "1,234,567"},
	}
	for _, tt := range tests {
		if got := fmtCount(tt.n); got != tt.want {
			t.Errorf("fmtCount(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
