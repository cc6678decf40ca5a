package faults

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"
)

// Set by TestMain when the suite runs.
var (
	// wensouBin is the wensou binary built for the suite.
	wensouBin string
	// moduleRoot is the repository root (the directory of go.mod).
	moduleRoot string
	// results collects every test's numbers for the summary table.
	results summary
)

// enabled reports whether WENSOU_FAULTS=1 asks for the suite.
func enabled() bool { return os.Getenv("WENSOU_FAULTS") == "1" }

func TestMain(m *testing.M) {
	if !enabled() {
		// Every test skips, saying how to run the suite.
		os.Exit(m.Run())
	}
	start := time.Now()
	tmp, err := os.MkdirTemp("", "wensou-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(2)
	}
	code := func() int {
		defer os.RemoveAll(tmp)
		if moduleRoot, err = findModuleRoot(); err != nil {
			fmt.Fprintln(os.Stderr, "faults:", err)
			return 2
		}
		wensouBin = filepath.Join(tmp, "wensou")
		build := exec.Command("go", "build", "-o", wensouBin, "github.com/wensou/wensou/cmd/wensou")
		build.Dir = moduleRoot
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "faults: build wensou: %v\n%s", err, out)
			return 2
		}
		fmt.Printf("faults: built %s in %.1fs\n", wensouBin, time.Since(start).Seconds())
		code := m.Run()
		results.print(os.Stdout, time.Since(start))
		return code
	}()
	os.Exit(code)
}

// findModuleRoot returns the directory of the go.mod above the working
// directory, as go env GOMOD names it.
func findModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: run the suite from the wensou repository")
	}
	return filepath.Dir(gomod), nil
}

// needFaults skips t unless the suite was asked for.
func needFaults(t *testing.T) {
	t.Helper()
	if !enabled() {
		t.Skip("fault suite (slow, runs the wensou binary, root for the disk tests): run it with WENSOU_FAULTS=1 go test -count=1 -v ./cmd/wensou/faults/")
	}
}

// corpusFile returns the path of a shared corpus file, skipping t when
// it is missing.
func corpusFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(moduleRoot, "..", "shared", "corpus", name)
	if _, err := os.Stat(path); err != nil {
		skip(t, "shared corpus file not found (%v): skipping; it is ../shared/corpus/%s beside the repository", err, name)
	}
	return path
}

// skip skips t, and says so in the summary.
func skip(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	results.add(row{test: testName(t), what: "SKIPPED", got: msg})
	t.Skip(msg)
}

// summary is the table TestMain prints at the end. It is safe for
// concurrent use.
type summary struct {
	mu   sync.Mutex
	rows []row
}

// row is one number of one test: a check (with what it should be) or,
// with an empty want, a figure printed for information.
type row struct {
	test, what, got, want string
	failed                bool
}

func (s *summary) add(r row) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = append(s.rows, r)
}

// print writes the table: one line per number, the failed checks marked.
func (s *summary) print(w io.Writer, took time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	checks, failed := 0, 0
	for _, r := range s.rows {
		if r.want != "" {
			checks++
		}
		if r.failed {
			failed++
		}
	}
	fmt.Fprintf(w, "\n== wensou fault suite: %d checks, %d failed, in %s\n", checks, failed, took.Round(time.Second))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tTEST\tCHECK\tGOT\tWANT")
	last := ""
	for _, r := range s.rows {
		mark := ""
		if r.failed {
			mark = "FAIL"
		}
		test := r.test
		if test == last {
			test = ""
		}
		last = r.test
		want := r.want
		if want == "" {
			want = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mark, test, r.what, clip(r.got, 48), clip(want, 40))
	}
	tw.Flush()
}

// clip shortens s to n characters for the table.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// testName is t's name for the summary: the top-level test without its
// Test prefix, and the subtest.
func testName(t *testing.T) string {
	return strings.TrimPrefix(t.Name(), "Test")
}

// note records a figure of t for the summary.
func note(t *testing.T, what string, got any) {
	t.Helper()
	t.Logf("%s: %v", what, got)
	results.add(row{test: testName(t), what: what, got: fmt.Sprint(got)})
}

// check records a check of t for the summary and fails t when ok is false.
// want describes what got should be.
func check(t *testing.T, what string, got any, want string, ok bool) bool {
	t.Helper()
	results.add(row{test: testName(t), what: what, got: fmt.Sprint(got), want: want, failed: !ok})
	if !ok {
		t.Errorf("%s: got %v, want %v", what, got, want)
		return false
	}
	t.Logf("%s: got %v, want %v: ok", what, got, want)
	return true
}

// checkEq is [check] for a value that must equal want.
func checkEq[T comparable](t *testing.T, what string, got, want T) bool {
	t.Helper()
	return check(t, what, got, fmt.Sprint(want), got == want)
}
