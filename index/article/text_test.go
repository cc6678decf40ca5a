package article

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// goldenView is what a golden file records of a parsed file: the article,
// its date (which Article leaves out of JSON), warnings and errors.
type goldenView struct {
	*Article
	Date     string   `json:"date,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Problem  string   `json:"problem,omitempty"`
}

// TestReadFile_Golden reads every .txt and .md file in testdata and
// compares the result with testdata/<name>.golden. Run with -update to
// rewrite the golden files, then review the diff.
func TestReadFile_Golden(t *testing.T) {
	t.Parallel()
	var files []string
	for _, pat := range []string{"*.txt", "*.md"} {
		m, err := filepath.Glob(filepath.Join("testdata", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no test files in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			recs := readAll(t, file, Options{})
			if len(recs) != 1 {
				t.Fatalf("ReadFile(%s) gave %d records, want 1", file, len(recs))
			}
			r := recs[0]

			// The same file with CRLF line endings gives the same article.
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			crlf := filepath.Join(t.TempDir(), filepath.Base(file))
			if err := os.WriteFile(crlf, []byte(strings.ReplaceAll(string(data), "\n", "\r\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			crlfRecs := readAll(t, crlf, Options{})
			if len(crlfRecs) != 1 {
				t.Fatalf("ReadFile(%s) with CRLF gave %d records, want 1", file, len(crlfRecs))
			}
			crlfArt := crlfRecs[0].Article
			crlfArt.Origin = r.Article.Origin
			if diff := cmp.Diff(r.Article, crlfArt); diff != "" {
				t.Errorf("ReadFile(%s) with CRLF line endings differs (-LF +CRLF):\n%s", file, diff)
			}

			v := goldenView{Article: &r.Article, Warnings: r.WarningLines(), Problem: r.Problem()}
			if !r.Article.Date.IsZero() {
				v.Date = r.Article.Date.Format(time.RFC3339Nano)
			}
			got, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(file, filepath.Ext(file)) + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (run go test -update to create it): %v", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("ReadFile(%s) mismatch with %s (-want +got):\n%s", file, golden, diff)
			}
		})
	}
}

// readAll reads path with ReadFile and returns its records.
func readAll(t testing.TB, path string, opts Options) []Record {
	t.Helper()
	var recs []Record
	err := ReadFile(t.Context(), path, opts, func(r Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadFile(%s) error: %v", path, err)
	}
	return recs
}

func TestParseText(t *testing.T) {
	t.Parallel()
	sh := DefaultLocation()
	tests := []struct {
		name      string
		in        string
		want      Article
		wantWarns []string
	}{
		{
			name: "seed shape",
			in:   "Title here\n\nAuthor:Some Desk Time:2022.09.23\n\nFirst.\n\nSecond.\n\nResponsible editor: A | Audit: B\n\n- END -\n\nTeaser\n",
			want: Article{Title: "Title here", Body: "First.\n\nSecond.", Authors: []string{"Some Desk"}, Date: time.Date(2022, 9, 23, 0, 0, 0, 0, sh)},
		},
		{
			name: "spaced header, only a time",
			in:   "T\nAuthor:   Time: 2022-09-23 14:05\nBody.",
			want: Article{Title: "T", Body: "Body.", Date: time.Date(2022, 9, 23, 14, 5, 0, 0, sh)},
		},
		{
			name: "author only, spaces around colon",
			in:   "T\n\nAuthor : Jane Roe  \n\nBody.",
			want: Article{Title: "T", Body: "Body.", Authors: []string{"Jane Roe"}},
		},
		{
			name: "chinese header on one line, full-width colons, no spaces",
			in:   "标题\n作者：张三来源：大河网时间：2022年9月23日\n正文。",
			want: Article{Title: "标题", Body: "正文。", Authors: []string{"张三"}, Source: "大河网", Date: time.Date(2022, 9, 23, 0, 0, 0, 0, sh)},
		},
		{
			name: "chinese header lines, two authors",
			in:   "标题\n\n作者: 王建宏 张文攀\n发布时间：2022-02-13 09:57\n来源：示例报\n\n正文。\n\n编辑：某某\n下一篇",
			want: Article{Title: "标题", Body: "正文。", Authors: []string{"王建宏", "张文攀"}, Source: "示例报", Date: time.Date(2022, 2, 13, 9, 57, 0, 0, sh)},
		},
		{
			name: "source, url and tags headers",
			in:   "T\nSource: Example Daily | URL: https://example.com/a?b=c:d\n标签：经济，民生\nTags: Economy, economy\n\nBody.",
			want: Article{Title: "T", Body: "Body.", Source: "Example Daily", URL: "https://example.com/a?b=c:d", Tags: []string{"经济", "民生", "Economy"}},
		},
		{
			name: "header-like line after the first lines is body",
			in:   "T\n\n1\n\n2\n\n3\n\n4\n\nSource: a quote in the body",
			want: Article{Title: "T", Body: "1\n\n2\n\n3\n\n4\n\nSource: a quote in the body"},
		},
		{
			name: "not a header: key must start the line",
			in:   "T\nOriginal title: Something else\nBody.",
			want: Article{Title: "T", Body: "Original title: Something else\nBody."},
		},
		{
			name:      "unparseable time header",
			in:        "T\nTime: last autumn\nBody.",
			want:      Article{Title: "T", Body: "Body."},
			wantWarns: []string{`unparseable date "last autumn"`},
		},
		{
			name: "END variants",
			in:   "T\nBody.\n—END—\nTeaser",
			want: Article{Title: "T", Body: "Body."},
		},
		{
			name: "compact END",
			in:   "T\nBody.\n-END-\nTeaser",
			want: Article{Title: "T", Body: "Body."},
		},
		{
			name: "editor line case-insensitive",
			in:   "T\nBody.\nEDITOR: x\nTeaser",
			want: Article{Title: "T", Body: "Body."},
		},
		{
			name: "chinese editor line in brackets",
			in:   "标题\n正文。\n（责任编辑：赵六）\n相关阅读",
			want: Article{Title: "标题", Body: "正文。"},
		},
		{
			name: "blank lines collapsed, whitespace-only lines are blank",
			in:   "T\n\n\n\nA\n \t\n\u3000\n\n\nB\n\n\n",
			want: Article{Title: "T", Body: "A\n\nB"},
		},
		{
			name: "CRLF",
			in:   "T\r\nAuthor:X Time:2022.09.23\r\n\r\nA\r\n\r\nB\r\n- END -\r\nZ",
			want: Article{Title: "T", Body: "A\n\nB", Authors: []string{"X"}, Date: time.Date(2022, 9, 23, 0, 0, 0, 0, sh)},
		},
		{
			name: "BOM and leading blank lines",
			in:   "\uFEFF\n\n  Title  \nBody.",
			want: Article{Title: "Title", Body: "Body."},
		},
		{
			name: "title only",
			in:   "Just a title\n",
			want: Article{Title: "Just a title"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, warns, line, err := parseText([]byte(tt.in), Options{})
			if err != nil {
				t.Fatalf("parseText(%q) error: %v", tt.in, err)
			}
			tt.want.ID = got.ID // checked by TestReadFile_SameID
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseText(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantWarns, warns); diff != "" {
				t.Errorf("parseText(%q) warnings mismatch (-want +got):\n%s", tt.in, diff)
			}
			if line != 1 {
				t.Errorf("parseText(%q) line = %d, want 1", tt.in, line)
			}
		})
	}
}

func TestParseText_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		opts     Options
		wantLine int
		wantErr  string
		wantIs   error
	}{
		{"empty", "", Options{}, 1, "no title and no body", ErrNoContent},
		{"blank", " \n\u3000\n\n", Options{}, 1, "no title and no body", ErrNoContent},
		{"bad byte on line 3", "T\nok\nbad \xff here\n", Options{}, 3, "invalid UTF-8 at byte 9", ErrInvalidUTF8},
		{"body too large", "T\n" + strings.Repeat("x", 20), Options{MaxBodyBytes: 10}, 1, "body is 20 bytes, over the 10-byte limit", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, line, err := parseText([]byte(tt.in), tt.opts)
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, tt.wantIs) {
				t.Fatalf("parseText(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			if line != tt.wantLine {
				t.Errorf("parseText(%q) line = %d, want %d", tt.in, line, tt.wantLine)
			}
		})
	}
}

func TestParseMarkdown(t *testing.T) {
	t.Parallel()
	sh := DefaultLocation()
	tests := []struct {
		name      string
		in        string
		want      Article
		wantWarns []string
	}{
		{
			name: "no front matter, heading is the title",
			in:   "Intro line.\n\n# The Title\n\nBody **bold**.\n\n## Sub\n",
			want: Article{Title: "The Title", Body: "Intro line.\n\n\nBody bold.\n\nSub"},
		},
		{
			name: "heading with closing hashes",
			in:   "# 标题 ##\n正文",
			want: Article{Title: "标题", Body: "正文"},
		},
		{
			name: "heading inside a code fence is not the title",
			in:   "```\n# comment\n```\n# Real\ntext",
			want: Article{Title: "Real", Body: "# comment\ntext"},
		},
		{
			name: "no heading: no title",
			in:   "Just text.\n\n## Not h1",
			want: Article{Body: "Just text.\n\nNot h1"},
		},
		{
			name: "front matter: plain values",
			in:   "---\ntitle: Plain title\nauthor: 王建宏 张文攀\ndate: 2022.09.23\n---\n# Body heading stays\n\nText.",
			want: Article{Title: "Plain title", Body: "Body heading stays\n\nText.", Authors: []string{"王建宏", "张文攀"}, Date: time.Date(2022, 9, 23, 0, 0, 0, 0, sh)},
		},
		{
			name: "front matter: quotes, inline list, comments",
			in: "---\n# comment\nid: 'doc-1'   # trailing comment\ntitle: \"Say \\\"hi\\\" #1\"\nauthors: [Ann, 'B, Jr.', \"C D\", ]\n" +
				"tags: \"a, b\"\nlink: https://example.com/x#frag\n---\nBody",
			want: Article{ID: "doc-1", Title: `Say "hi" #1`, Body: "Body", Authors: []string{"Ann", "B, Jr.", "C D"}, Tags: []string{"a", "b"}, URL: "https://example.com/x#frag"},
		},
		{
			name: "front matter: block list and aliases",
			in:   "---\nkeywords:\n  - one\n  - 'two'\n-   three\npublished: \"2023-04-01T08:30:00+08:00\"\nsource: ~\n---\n\n# H\n\nB",
			want: Article{Title: "H", Body: "B", Tags: []string{"one", "two", "three"}, Date: time.Date(2023, 4, 1, 0, 30, 0, 0, time.UTC)},
		},
		{
			name: "front matter: unknown keys and nested values are ignored",
			in:   "---\nlayout: post\nparams:\n  toc: true\n  list:\n    - x\ndescription: |\n  long\n  text\nweird: {a: 1}\ntitle: T\n---\nB",
			want: Article{Title: "T", Body: "B"},
		},
		{
			name:      "front matter: unparseable date",
			in:        "---\ntitle: T\ndate: someday\n---\n",
			want:      Article{Title: "T"},
			wantWarns: []string{`unparseable date "someday"`},
		},
		{
			name: "front matter: CRLF and a BOM",
			in:   "\uFEFF---\r\ntitle: T\r\n---\r\nline 1\r\nline 2\r\n",
			want: Article{Title: "T", Body: "line 1\nline 2"},
		},
		{
			name: "front matter closed with dots",
			in:   "---\ntitle: T\n...\nB",
			want: Article{Title: "T", Body: "B"},
		},
		{
			name: "a thematic break later is not front matter",
			in:   "# T\n\n---\n\nB",
			want: Article{Title: "T", Body: "B"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, warns, _, err := parseMarkdown([]byte(tt.in), Options{})
			if err != nil {
				t.Fatalf("parseMarkdown(%q) error: %v", tt.in, err)
			}
			if tt.want.ID == "" {
				tt.want.ID = got.ID
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseMarkdown(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantWarns, warns); diff != "" {
				t.Errorf("parseMarkdown(%q) warnings mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseMarkdown_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantLine int
		wantErr  string
		wantIs   error
	}{
		{"not key value", "---\ntitle: T\nthis is not yaml\n---\nB", 3, `malformed front matter: want "key: value", got "this is not yaml"`, ErrFrontMatter},
		{"no closing line", "---\ntitle: T\nB", 1, `malformed front matter: no closing "---" line`, ErrFrontMatter},
		{"unterminated quote", "---\n\ntitle: \"T\n---\nB", 3, `malformed front matter: unterminated quoted value "T`, ErrFrontMatter},
		{"junk after quote", "---\ntitle: 'T' x\n---\nB", 2, `malformed front matter: unexpected "x" after quoted value`, ErrFrontMatter},
		{"unterminated list", "---\ntags: [a, b\n---\nB", 2, `malformed front matter: unterminated list [a, b`, ErrFrontMatter},
		{"junk after list", "---\ntags: [a] b\n---\nB", 2, `malformed front matter: unexpected "b" after list`, ErrFrontMatter},
		{"list for a title", "---\ntitle: [a, b]\n---\nB", 2, `malformed front matter: "title" must be one value, not a list`, ErrFrontMatter},
		{"block scalar for a known key", "---\ntitle: |\n  T\n---\nB", 2, `malformed front matter: "title": multi-line values are not supported`, ErrFrontMatter},
		{"indented line under a scalar", "---\ntitle: T\n  more\n---\nB", 3, `malformed front matter: "title": want "- item" or a new "key: value" line, got "more"`, ErrFrontMatter},
		{"indented first line", "---\n  title: T\n---\nB", 2, `malformed front matter: want "key: value", got "title: T"`, ErrFrontMatter},
		{"bad escape", "---\ntitle: \"\\q\"\n---\nB", 2, `malformed front matter: bad escape in "\q"`, ErrFrontMatter},
		{"no content", "---\ntitle: ''\n---\n\n", 1, "no title and no body", ErrNoContent},
		{"bad byte", "---\ntitle: T\n---\n\xc3(", 4, "invalid UTF-8 at byte 17", ErrInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, line, err := parseMarkdown([]byte(tt.in), Options{})
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, tt.wantIs) {
				t.Fatalf("parseMarkdown(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			if line != tt.wantLine {
				t.Errorf("parseMarkdown(%q) line = %d, want %d", tt.in, line, tt.wantLine)
			}
		})
	}
}

func FuzzParseMarkdown(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: \"T\"\nauthor: [a, 'b']\ntags:\n  - x\n---\n# H\nB",
		"# H\n\nB", "---\n---\n", "---\ntitle: '", "T\nAuthor:X Time:2022.09.23\nB\n- END -\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte, Options) (Article, []string, int, error){parseMarkdown, parseText} {
			a, _, line, err := parse(data, Options{MaxBodyBytes: 1 << 10})
			if line < 1 {
				t.Errorf("line = %d, want ≥ 1", line)
			}
			if err == nil && (a.ID == "" || (a.Title == "" && a.Body == "")) {
				t.Errorf("accepted %+v", a)
			}
		}
	})
}
