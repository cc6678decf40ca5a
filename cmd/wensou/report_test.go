package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
)

// Records for the reporter tests.
func rejected(file string, line int, err error) article.Record {
	return article.Record{File: file, Line: line, Err: err}
}

func warned(file string, line int, warnings ...string) article.Record {
	return article.Record{File: file, Line: line, Article: article.Article{ID: "x", Title: "t"}, Warnings: warnings}
}

// noContent returns n records with no title and no body in file, every
// step lines from line first.
func noContent(file string, first, step, n int) []article.Record {
	var out []article.Record
	for i := range n {
		out = append(out, rejected(file, first+i*step, article.ErrNoContent))
	}
	return out
}

func TestReporter(t *testing.T) {
	t.Parallel()
	tooLong := func(what string, n int64) error {
		return &article.SizeError{What: what, Size: n, Limit: 3145728}
	}
	notFound := &fs.PathError{Op: "open", Path: "gone.json", Err: fs.ErrNotExist}
	tests := []struct {
		name       string
		quiet      bool
		errorsFile bool // write an errors file
		records    []article.Record
		want       string // on stderr, after the records and the summary
		wantFile   string // the errors file
	}{
		{
			name:    "nothing wrong",
			records: []article.Record{warned("a.jsonl", 1), warned("a.jsonl", 2)},
			want:    "",
		},
		{
			name: "a few, all shown: no summary",
			records: []article.Record{
				warned("a.jsonl", 1),
				rejected("a.jsonl", 2, fmt.Errorf("%w: unexpected end of JSON input", article.ErrInvalidJSON)),
				rejected("a.jsonl", 4, article.ErrNoContent),
				warned("a.jsonl", 6, `unparseable date "去年秋天"`),
				rejected("b.jsonl", 1, article.ErrNoContent),
			},
			want: `a.jsonl:2: invalid JSON: unexpected end of JSON input
a.jsonl:4: no title and no body
a.jsonl:6: warning: unparseable date "去年秋天"
b.jsonl:1: no title and no body
`,
		},
		{
			name: "the first ten shown, the rest counted and summed up",
			records: append(append(noContent("reuters.jsonl", 12, 35, 11),
				warned("reuters.jsonl", 500, `unparseable date "x"`)),
				noContent("tang.jsonl", 3, 1, 2)...),
			want: `reuters.jsonl:12: no title and no body
reuters.jsonl:47: no title and no body
reuters.jsonl:82: no title and no body
reuters.jsonl:117: no title and no body
reuters.jsonl:152: no title and no body
reuters.jsonl:187: no title and no body
reuters.jsonl:222: no title and no body
reuters.jsonl:257: no title and no body
reuters.jsonl:292: no title and no body
reuters.jsonl:327: no title and no body
(more rejected records are counted, not shown: see the summary at the end)
reuters.jsonl:500: warning: unparseable date "x"
13 rejected: no title and no body (reuters.jsonl:12, :47, :82, ...)
`,
		},
		{
			name:  "quiet: the summary only",
			quiet: true,
			records: append(noContent("a.jsonl", 1, 1, 4),
				warned("a.jsonl", 9, `unparseable date "x"`, `unparseable date "y": month 13`)),
			want: `4 rejected: no title and no body (a.jsonl:1, :2, :3, ...)
2 warned: unparseable date (a.jsonl:9, :9)
`,
		},
		{
			name:  "grouped by the sentinel, most frequent first",
			quiet: true,
			records: []article.Record{
				rejected("a.jsonl", 1, &article.FieldError{Field: "title", Reason: "want a string, got number"}),
				rejected("a.jsonl", 2, tooLong("line", 3000000)),
				rejected("a.jsonl", 3, tooLong("line", 4000000)),
				rejected("b.json", 7, tooLong("body", 5000000)),
				rejected("gone.json", 0, notFound),
				rejected("notes.doc", 0, fmt.Errorf("%w \".doc\" (want one of .jsonl)", article.ErrUnsupported)),
				rejected("slides.doc", 0, fmt.Errorf("%w \".doc\" (want one of .jsonl)", article.ErrUnsupported)),
				rejected("c.jsonl", 5, &article.UTF8Error{Offset: 3}),
				rejected("c.jsonl", 6, &article.UTF8Error{Offset: 9}),
				rejected("c.jsonl", 7, article.CheckID(strings.Repeat("x", 600))),
			},
			want: `3 rejected: larger than the limit (a.jsonl:2, :3, b.json:7)
2 rejected: unsupported file type ".doc" (want one of .jsonl) (notes.doc, slides.doc)
2 rejected: invalid UTF-8 (c.jsonl:5, :6)
1 rejected: field "title": want a string, got number (a.jsonl:1)
1 rejected: open gone.json: file does not exist (gone.json)
1 rejected: id is 600 bytes long; the limit is 512 (c.jsonl:7)
`,
		},
		{
			name:       "errors file",
			errorsFile: true,
			records: append(noContent("a.jsonl", 1, 1, 12),
				warned("b.md", 1, `unparseable date "x"`),
				rejected("gone.json", 0, notFound)),
			want: `a.jsonl:1: no title and no body
a.jsonl:2: no title and no body
a.jsonl:3: no title and no body
a.jsonl:4: no title and no body
a.jsonl:5: no title and no body
a.jsonl:6: no title and no body
a.jsonl:7: no title and no body
a.jsonl:8: no title and no body
a.jsonl:9: no title and no body
a.jsonl:10: no title and no body
(more rejected records are counted, not shown: see the summary at the end)
b.md:1: warning: unparseable date "x"
12 rejected: no title and no body (a.jsonl:1, :2, :3, ...)
1 rejected: open gone.json: file does not exist (gone.json)
listed in full in ERRORS: 13 rejected records and 1 warning
`,
			wantFile: `a.jsonl:1: no title and no body
a.jsonl:2: no title and no body
a.jsonl:3: no title and no body
a.jsonl:4: no title and no body
a.jsonl:5: no title and no body
a.jsonl:6: no title and no body
a.jsonl:7: no title and no body
a.jsonl:8: no title and no body
a.jsonl:9: no title and no body
a.jsonl:10: no title and no body
a.jsonl:11: no title and no body
a.jsonl:12: no title and no body
b.md:1: warning: unparseable date "x"
gone.json: open gone.json: file does not exist
`,
		},
		{
			name:       "errors file, quiet, one warning",
			quiet:      true,
			errorsFile: true,
			records:    []article.Record{warned("b.md", 1, `unparseable date "x"`)},
			want: `1 warned: unparseable date "x" (b.md:1)
listed in full in ERRORS: 1 warning
`,
			wantFile: "b.md:1: warning: unparseable date \"x\"\n",
		},
		{
			name:       "errors file, nothing wrong",
			errorsFile: true,
			records:    []article.Record{warned("a.jsonl", 1)},
			want:       "",
			wantFile:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr strings.Builder
			opts := reporterOptions{quiet: tt.quiet}
			if tt.errorsFile {
				opts.errorsFile = filepath.Join(t.TempDir(), "errors.txt")
			}
			r, err := newReporter(&stderr, nil, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range tt.records {
				r.record(rec)
			}
			r.summary()
			if err := r.Close(); err != nil {
				t.Fatalf("Close() = %v", err)
			}
			got := stderr.String()
			if tt.errorsFile {
				got = strings.ReplaceAll(got, opts.errorsFile, "ERRORS")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
			if !tt.errorsFile {
				return
			}
			b, err := os.ReadFile(opts.errorsFile)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantFile, string(b)); diff != "" {
				t.Errorf("errors file mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReporter_Progress checks that the reporter moves the progress
// display by bytes read across files, and clears it before a line.
func TestReporter_Progress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	for _, f := range []struct {
		path string
		size int
	}{{a, 1000}, {b, 500}} {
		if err := os.WriteFile(f.path, []byte(strings.Repeat("x", f.size)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stderr strings.Builder
	prog := newProgress(&stderr, 1500, false)
	r, err := newReporter(&stderr, prog, reporterOptions{quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		rec  article.Record
		want int64 // bytes read so far
	}{
		{article.Record{File: a, Line: 1, Offset: 400}, 400},
		{article.Record{File: a, Line: 2, Offset: 5000}, 1000}, // read-ahead past the end
		{article.Record{File: b, Line: 1, Offset: 100}, 1100},
		{article.Record{File: b, Line: 2, Offset: 500, Err: article.ErrNoContent}, 1500},
	} {
		r.record(tt.rec)
		if prog.bytes != tt.want {
			t.Errorf("after %s:%d offset %d: progress at %d bytes, want %d", tt.rec.File, tt.rec.Line, tt.rec.Offset, prog.bytes, tt.want)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNewReporter_BadErrorsFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "errors.txt")
	_, err := newReporter(&strings.Builder{}, nil, reporterOptions{errorsFile: path})
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "--errors: ") {
		t.Errorf("newReporter(errorsFile %q) = %v, want an --errors error wrapping fs.ErrNotExist", path, err)
	}
}

// TestReindex_Report runs wensou reindex over the bad fixtures: the
// records as they come (none with --quiet), the summary by reason (with
// --quiet: all were shown otherwise), and the --errors file.
func TestReindex_Report(t *testing.T) {
	lines := []string{
		badFile + ":2: invalid JSON: unexpected end of JSON input",
		badFile + ":4: no title and no body",
		badFile + ":5: invalid UTF-8 at byte 32",
		badFile + `:6: warning: unparseable date "去年秋天"`,
	}
	summary := []string{
		"1 rejected: invalid JSON: unexpected end of JSON input (" + badFile + ":2)",
		"1 rejected: no title and no body (" + badFile + ":4)",
		"1 rejected: invalid UTF-8 at byte 32 (" + badFile + ":5)",
		`1 warned: unparseable date "去年秋天" (` + badFile + ":6)",
	}
	listed := "listed in full in ERRORS: 3 rejected records and 1 warning"
	tests := []struct {
		name       string
		flags      []string
		errorsFile bool
		want       []string // stderr lines
	}{
		// All were shown as they came: no summary.
		{"records as they come", nil, false, lines},
		{"quiet: the summary only", []string{"--quiet"}, false, summary},
		{"errors file", nil, true, append(slices.Clone(lines), listed)},
		{"errors file, quiet", []string{"--quiet"}, true, append(slices.Clone(summary), listed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errorsFile := filepath.Join(t.TempDir(), "errors.txt")
			args := append([]string{"reindex", "--index", newIndexDir(t)}, tt.flags...)
			if tt.errorsFile {
				args = append(args, "--errors", errorsFile)
			}
			r := wensou(t, nil, append(args, badDir)...)
			if r.code != exitRejected || !strings.Contains(r.stdout, "rejected 3, warned 1") {
				t.Fatalf("wensou %q: %v", args, r)
			}
			got := stderrLines(strings.ReplaceAll(r.stderr, errorsFile, "ERRORS"))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("wensou %q: stderr lines (-want +got):\n%s", args, diff)
			}
			b, err := os.ReadFile(errorsFile)
			switch {
			case !tt.errorsFile && !errors.Is(err, fs.ErrNotExist):
				t.Errorf("without --errors, %s: %v", errorsFile, err)
			case tt.errorsFile && err != nil:
				t.Fatal(err)
			case tt.errorsFile:
				if diff := cmp.Diff(lines, stderrLines(string(b))); diff != "" {
					t.Errorf("errors file lines (-want +got):\n%s", diff)
				}
			}
		})
	}
	t.Run("errors file that cannot be created", func(t *testing.T) {
		dir := newIndexDir(t)
		path := filepath.Join(t.TempDir(), "missing", "errors.txt")
		r := wensou(t, nil, "reindex", "--index", dir, "--errors", path, badDir)
		if r.code != exitRejected || !strings.HasPrefix(r.stderr, "wensou: --errors: open "+path) {
			t.Errorf("wensou reindex --errors %s: %v", path, r)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("wensou reindex with a bad --errors touched the index: %v", err)
		}
	})
}
