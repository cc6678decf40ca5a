package article

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// summary is a Record reduced to what tests compare: where it is, and its
// title or its problem.
type summary struct {
	Line     int
	Title    string
	Problem  string
	Warnings []string
}

func summarize(recs []Record) []summary {
	out := make([]summary, len(recs))
	for i, r := range recs {
		out[i] = summary{Line: r.Line, Title: r.Article.Title, Problem: r.Problem(), Warnings: r.WarningLines()}
	}
	return out
}

func collect(recs *[]Record) func(Record) error {
	return func(r Record) error {
		*recs = append(*recs, r)
		return nil
	}
}

// writeFile writes data to dir/name, creating directories, and returns the path.
func writeFile(t testing.TB, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadJSONLines(t *testing.T) {
	t.Parallel()
	huge := `{"title": "big", "body": "` + strings.Repeat("x", 300<<10) + `"}`
	tests := []struct {
		name string
		in   string
		opts Options
		want []summary
	}{
		{
			name: "broken line in the middle",
			in:   "{\"title\": \"one\"}\n{\"title\": \"two\",}\n\n   \n{\"title\": \"three\", \"date\": \"soon\"}\n" + huge + "\n",
			want: []summary{
				{Line: 1, Title: "one"},
				{Line: 2, Problem: "news.jsonl:2: invalid JSON: invalid character '}' looking for beginning of object key string"},
				{Line: 5, Title: "three", Warnings: []string{`news.jsonl:5: warning: unparseable date "soon"`}},
				{Line: 6, Title: "big"},
			},
		},
		{
			name: "CRLF and no final newline",
			in:   "{\"title\": \"one\"}\r\n\r\n{\"title\": \"two\"}",
			want: []summary{{Line: 1, Title: "one"}, {Line: 3, Title: "two"}},
		},
		{
			name: "BOM on the first line",
			in:   "\uFEFF{\"title\": \"one\"}\n",
			want: []summary{{Line: 1, Title: "one"}},
		},
		{
			name: "every rejection",
			in: "{\"title\": \"ok\"}\n" +
				"{\"title\": \"a\xffb\"}\n" +
				"{\"title\": \"\", \"body\": \" \"}\n" +
				"{\"body\": \"" + strings.Repeat("y", 1<<10+1) + "\"}\n" +
				"[1, 2]\n" +
				"{\"title\": 3}\n" +
				"{\"title\": \"t\"\n" +
				huge + "\n" +
				"{\"title\": \"last\"}",
			opts: Options{MaxBodyBytes: 1 << 10},
			want: []summary{
				{Line: 1, Title: "ok"},
				{Line: 2, Problem: "news.jsonl:2: invalid UTF-8 at byte 12"},
				{Line: 3, Problem: "news.jsonl:3: no title and no body"},
				{Line: 4, Problem: "news.jsonl:4: body is 1025 bytes, over the 1024-byte limit"},
				{Line: 5, Problem: "news.jsonl:5: not a JSON object (got array)"},
				{Line: 6, Problem: `news.jsonl:6: field "title": want a string, got number`},
				{Line: 7, Problem: "news.jsonl:7: invalid JSON: unexpected end of JSON input"},
				{Line: 8, Problem: "news.jsonl:8: body is 307200 bytes, over the 1024-byte limit"},
				{Line: 9, Title: "last"},
			},
		},
		{
			name: "line over the line limit is skipped",
			in:   "{\"title\": \"one\"}\n{\"body\": \"" + strings.Repeat("z", 2<<20) + "\"}\n{\"title\": \"three\"}\n",
			opts: Options{MaxBodyBytes: 1 << 20},
			want: []summary{
				{Line: 1, Title: "one"},
				{Line: 2, Problem: "news.jsonl:2: line is 2097164 bytes, over the 2097152-byte limit"},
				{Line: 3, Title: "three"},
			},
		},
		{
			name: "empty input",
			in:   "",
			want: []summary{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var recs []Record
			// HalfReader makes reads short, as a pipe's would be.
			err := ReadJSONLines(t.Context(), iotest.HalfReader(strings.NewReader(tt.in)), "news.jsonl", tt.opts, collect(&recs))
			if err != nil {
				t.Fatalf("ReadJSONLines() error: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarize(recs)); diff != "" {
				t.Errorf("ReadJSONLines() mismatch (-want +got):\n%s", diff)
			}
			for _, r := range recs {
				if r.Err == nil && r.Article.Origin != "news.jsonl" {
					t.Errorf("line %d: Origin = %q, want %q", r.Line, r.Article.Origin, "news.jsonl")
				}
				if r.Err != nil && r.Article.ID != "" {
					t.Errorf("line %d: rejected record has an article: %+v", r.Line, r.Article)
				}
			}
		})
	}
}

func TestReadJSONLines_ErrorTypes(t *testing.T) {
	t.Parallel()
	in := "{\"title\": \"a\xffb\"}\n{}\n{\"body\": \"xx\"}\n[]\n{\n{\"title\": 1}\n"
	want := []error{ErrInvalidUTF8, ErrNoContent, ErrTooLarge, ErrNotObject, ErrInvalidJSON, ErrInvalidField}
	var recs []Record
	if err := ReadJSONLines(t.Context(), strings.NewReader(in), "x", Options{MaxBodyBytes: 1}, collect(&recs)); err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i, r := range recs {
		if !errors.Is(r.Err, want[i]) {
			t.Errorf("record %d: error %v does not match %v", i+1, r.Err, want[i])
		}
	}
}

func TestReadJSONLines_Stop(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("{\"title\": \"t\"}\n", 10)
	stop := errors.New("enough")
	n := 0
	err := ReadJSONLines(t.Context(), strings.NewReader(in), "x", Options{}, func(Record) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("ReadJSONLines() = %v after %d records, want %v after 3", err, n, stop)
	}

	ctx, cancel := context.WithCancel(t.Context())
	n = 0
	err = ReadJSONLines(ctx, strings.NewReader(in), "x", Options{}, func(Record) error {
		n++
		if n == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 2 {
		t.Errorf("ReadJSONLines() = %v after %d records, want context.Canceled after 2", err, n)
	}
}

func TestReadJSONLines_ReadError(t *testing.T) {
	t.Parallel()
	r := io.MultiReader(strings.NewReader("{\"title\": \"t\"}\n"), iotest.ErrReader(errors.New("disk on fire")))
	var recs []Record
	err := ReadJSONLines(t.Context(), r, "x.jsonl", Options{}, collect(&recs))
	if err == nil || err.Error() != "read x.jsonl: disk on fire" {
		t.Errorf("ReadJSONLines() = %v, want %q", err, "read x.jsonl: disk on fire")
	}
	if len(recs) != 1 {
		t.Errorf("got %d records before the error, want 1", len(recs))
	}
}

func TestReadFile_JSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []summary
	}{
		{
			name: "array with line numbers",
			in:   "[\n  {\"title\": \"one\"},\n  {\n    \"title\": \"two\"\n  },\n\n  {\"title\": \"three\"}, {\"title\": \"four\"}\n]\n",
			want: []summary{{Line: 2, Title: "one"}, {Line: 3, Title: "two"}, {Line: 7, Title: "three"}, {Line: 7, Title: "four"}},
		},
		{
			name: "bad elements in the middle",
			in: "[\n{\"title\": \"one\"},\n\"a string\",\n{\"title\": \"\xff\"},\n{},\n" +
				"{\"title\": \"six\", \"date\": \"later\"}\n]",
			want: []summary{
				{Line: 2, Title: "one"},
				{Line: 3, Problem: "f.json:3: not a JSON object (got string)"},
				{Line: 4, Problem: "f.json:4: invalid UTF-8 at byte 11"},
				{Line: 5, Problem: "f.json:5: no title and no body"},
				{Line: 6, Title: "six", Warnings: []string{`f.json:6: warning: unparseable date "later"`}},
			},
		},
		{
			name: "syntax error in the middle stops the file",
			in:   "[\n{\"title\": \"one\"},\n{\"title\": \"two\",\n\n}\n,{\"title\": \"three\"}]",
			want: []summary{
				{Line: 2, Title: "one"},
				{Line: 5, Problem: "f.json:5: invalid JSON: invalid character '}' looking for beginning of object key string"},
			},
		},
		{
			name: "missing comma",
			in:   "[\n{\"title\": \"one\"}\n{\"title\": \"two\"}]",
			want: []summary{
				{Line: 2, Title: "one"},
				{Line: 3, Problem: "f.json:3: invalid JSON: expected comma after array element"},
			},
		},
		{
			name: "truncated array",
			in:   "[\n{\"title\": \"one\"},\n{\"title\": \"tw",
			want: []summary{
				{Line: 2, Title: "one"},
				{Line: 3, Problem: "f.json:3: invalid JSON: unexpected end of JSON input"},
			},
		},
		{
			name: "data after the array",
			in:   "[{\"title\": \"one\"}]\n\n{}",
			want: []summary{
				{Line: 1, Title: "one"},
				{Line: 3, Problem: "f.json:3: invalid JSON: unexpected data after the top-level array"},
			},
		},
		{
			name: "empty array, BOM, CRLF",
			in:   "\uFEFF\r\n[\r\n]\r\n",
			want: []summary{},
		},
		{
			name: "single pretty-printed object",
			in:   "\n{\n  \"title\": \"one\",\n  \"body\": \"b\"\n}\n",
			want: []summary{{Line: 2, Title: "one"}},
		},
		{
			name: "JSON Lines in a .json file keep going after a bad line",
			in:   "{\"title\": \"one\"}\n{\"title\": \n{\"title\": \"three\"}\n",
			want: []summary{
				{Line: 1, Title: "one"},
				{Line: 2, Problem: "f.json:2: invalid JSON: unexpected end of JSON input"},
				{Line: 3, Title: "three"},
			},
		},
		{
			name: "CRLF JSON Lines in a .json file",
			in:   "{\"title\": \"one\"}\r\n{\"title\": \"two\"}\r\n",
			want: []summary{{Line: 1, Title: "one"}, {Line: 2, Title: "two"}},
		},
		{
			name: "pretty objects one after another",
			in:   "{\n\"title\": \"one\"\n}\n{\n\"title\": \"two\"\n}\n]",
			want: []summary{
				{Line: 1, Title: "one"},
				{Line: 4, Title: "two"},
				{Line: 7, Problem: "f.json:7: invalid JSON: invalid character ']' looking for beginning of value"},
			},
		},
		{
			name: "not JSON",
			in:   "\n\nhello",
			want: []summary{{Line: 3, Problem: "f.json:3: invalid JSON: invalid character 'h' looking for beginning of value"}},
		},
		{
			name: "empty file",
			in:   "  \n",
			want: []summary{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var recs []Record
			err := readJSON(t.Context(), iotest.HalfReader(strings.NewReader(tt.in)), "f.json", Options{}.withDefaults(), collect(&recs))
			if err != nil {
				t.Fatalf("readJSON() error: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarize(recs)); diff != "" {
				t.Errorf("readJSON() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadFile_JSONLongDocument checks line numbers when elements are far
// apart and larger than the decoder's buffer.
func TestReadFile_JSONLongDocument(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("[\n")
	var want []summary
	line := 2
	for i := range 50 {
		if i > 0 {
			b.WriteString(",\n")
			line++
		}
		want = append(want, summary{Line: line, Title: "t"})
		b.WriteString(`{"title": "t", "body": "` + strings.Repeat("b", 1000*i) + `",`)
		b.WriteString(strings.Repeat("\n", i%4) + `"x": 1}`)
		line += i % 4
	}
	b.WriteString("\n]\n")
	var recs []Record
	if err := readJSON(t.Context(), strings.NewReader(b.String()), "f.json", Options{}.withDefaults(), collect(&recs)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, summarize(recs)); diff != "" {
		t.Errorf("readJSON() mismatch (-want +got):\n%s", diff)
	}
}

func TestReadFile_Errors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := writeFile(t, dir, "big.txt", "T\n"+strings.Repeat("x", 1<<20+100))
	tests := []struct {
		name string
		path string
		opts Options
		want []summary
		is   error
	}{
		{"unsupported", writeFile(t, dir, "a.pdf", "x"), Options{}, []summary{{Problem: filepath.Join(dir, "a.pdf") + `: unsupported file type ".pdf" (want one of .jsonl .ndjson .json .txt .md .markdown)`}}, ErrUnsupported},
		{"no extension", writeFile(t, dir, "README", "x"), Options{}, []summary{{Problem: filepath.Join(dir, "README") + ": unsupported file type (no extension; want one of .jsonl .ndjson .json .txt .md .markdown)"}}, ErrUnsupported},
		{"missing", filepath.Join(dir, "missing.txt"), Options{}, []summary{{Problem: filepath.Join(dir, "missing.txt") + ": no such file or directory"}}, fs.ErrNotExist},
		{"file too large", big, Options{MaxBodyBytes: 10}, []summary{{Problem: big + ": file is 1048678 bytes, over the 1048586-byte limit"}}, ErrTooLarge},
		{"text bad byte", writeFile(t, dir, "bad.txt", "T\nline two\nthree \xfe\n"), Options{}, []summary{{Line: 3, Problem: filepath.Join(dir, "bad.txt") + ":3: invalid UTF-8 at byte 17"}}, ErrInvalidUTF8},
		{"markdown front matter", writeFile(t, dir, "bad.md", "---\ntitle: T\nnope\n---\n"), Options{}, []summary{{Line: 3, Problem: filepath.Join(dir, "bad.md") + `:3: malformed front matter: want "key: value", got "nope"`}}, ErrFrontMatter},
		{"empty text", writeFile(t, dir, "empty.txt", ""), Options{}, []summary{{Line: 1, Problem: filepath.Join(dir, "empty.txt") + ":1: no title and no body"}}, ErrNoContent},
		{"directory named like a file", func() string { p := filepath.Join(dir, "d.json"); os.Mkdir(p, 0o755); return p }(), Options{}, []summary{{Problem: filepath.Join(dir, "d.json") + ": read: is a directory"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			recs := readAll(t, tt.path, tt.opts)
			if diff := cmp.Diff(tt.want, summarize(recs)); diff != "" {
				t.Errorf("ReadFile(%s) mismatch (-want +got):\n%s", tt.path, diff)
			}
			if tt.is != nil && (len(recs) != 1 || !errors.Is(recs[0].Err, tt.is)) {
				t.Errorf("ReadFile(%s) error does not match %v", tt.path, tt.is)
			}
		})
	}
}

// TestReadFile_SameID reads one article written in every format and checks
// that all give the same article, with the same derived ID.
func TestReadFile_SameID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const obj = `{"title": "修理角", "author": "王建宏 张文攀", "date": "2022年9月23日", "body": "第一段。\n\n第二段。"}`
	files := []string{
		writeFile(t, dir, "a.jsonl", obj+"\n"),
		writeFile(t, dir, "b.ndjson", "\r\n"+obj+"\r\n"),
		writeFile(t, dir, "c.json", "[\n"+obj+"\n]"),
		writeFile(t, dir, "d.json", "{\n  \"title\": \"修理角\",\n  \"authors\": [\"王建宏\", \"张文攀\"],\n  \"published\": \"2022-09-23\",\n  \"content\": \"第一段。\\n\\n第二段。\"\n}\n"),
		writeFile(t, dir, "e.txt", "修理角\n作者：王建宏 张文攀　时间：2022.09.23\n\n第一段。\n\n\n第二段。\n\n责任编辑：某某\n"),
		writeFile(t, dir, "f.md", "---\ntitle: 修理角\nauthor: [王建宏, 张文攀]\ndate: 2022/9/23\n---\n第一段。\n\n第二段。\n"),
		writeFile(t, dir, "g.markdown", "# 修理角\n\n第一段。\n\n第二段。\n"),
	}
	want, _, err := Parse([]byte(obj), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(want.ID, "a") || len(want.ID) != 17 {
		t.Errorf("derived ID = %q, want \"a\" and 16 hex digits", want.ID)
	}
	for _, f := range files {
		recs := readAll(t, f, Options{})
		if len(recs) != 1 || recs[0].Err != nil {
			t.Fatalf("ReadFile(%s) = %+v, want one article", f, recs)
		}
		got := recs[0].Article
		if got.Origin != f {
			t.Errorf("ReadFile(%s) Origin = %q", f, got.Origin)
		}
		got.Origin = ""
		w := want
		if filepath.Ext(f) == ".markdown" {
			// No authors or date in this one: another article, another ID.
			if got.ID == want.ID {
				t.Errorf("ReadFile(%s) ID = %q, same as an article with authors and a date", f, got.ID)
			}
			continue
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("ReadFile(%s) mismatch with Parse (-want +got):\n%s", f, diff)
		}
	}

	other, _, err := Parse([]byte(strings.Replace(obj, "第二段", "第三段", 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == want.ID {
		t.Errorf("different bodies got the same ID %q", want.ID)
	}
	withURL, _, err := Parse([]byte(`{"title": "x", "url": "https://example.com/1"}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameURL, _, err := Parse([]byte(`{"title": "y", "body": "z", "link": "https://example.com/1"}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if withURL.ID != sameURL.ID {
		t.Errorf("same URL got IDs %q and %q", withURL.ID, sameURL.ID)
	}
}

func TestWalk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	line := func(title string) string { return `{"title": "` + title + `"}` + "\n" }
	writeFile(t, dir, "b.jsonl", line("b1")+line("b2"))
	writeFile(t, dir, "a.txt", "a\nbody")
	writeFile(t, dir, "sub/c.md", "# c\n")
	writeFile(t, dir, "sub/deeper/d.json", "["+line("d")+"]")
	writeFile(t, dir, "sub/Z.NDJSON", line("Z"))
	writeFile(t, dir, "sub/notes.pdf", "ignored")
	writeFile(t, dir, "sub/.hidden.jsonl", line("hidden file"))
	writeFile(t, dir, ".git/x.jsonl", line("hidden dir"))
	writeFile(t, dir, "index.bleve/store.json", "[]")
	writeFile(t, dir, "old.bleve/x.jsonl", line("bleve dir"))
	writeFile(t, dir, "e.markdown", "# e\n")
	explicit := writeFile(t, t.TempDir(), ".explicit.jsonl", line("explicit"))
	pdf := writeFile(t, t.TempDir(), "x.pdf", "")
	missing := filepath.Join(dir, "missing")
	if err := os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(dir, "sub", "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	linkedDir := filepath.Join(t.TempDir(), "linked")
	if err := os.Symlink(filepath.Join(dir, "sub", "deeper"), linkedDir); err != nil {
		t.Fatal(err)
	}

	var recs []Record
	if err := Walk(t.Context(), []string{dir, missing, explicit, pdf, linkedDir}, Options{}, collect(&recs)); err != nil {
		t.Fatalf("Walk() error: %v", err)
	}
	type got struct{ File, Title, Problem string }
	var gotRecs []got
	for _, r := range recs {
		rel, err := filepath.Rel(dir, r.File)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = filepath.Base(r.File)
		}
		p := ""
		if r.Err != nil {
			p = r.Err.Error()
		}
		gotRecs = append(gotRecs, got{filepath.ToSlash(rel), r.Article.Title, p})
	}
	want := []got{
		{"a.txt", "a", ""},
		{"b.jsonl", "b1", ""},
		{"b.jsonl", "b2", ""},
		{"e.markdown", "e", ""},
		{"sub/Z.NDJSON", "Z", ""},
		{"sub/c.md", "c", ""},
		{"sub/deeper/d.json", "d", ""},
		{"sub/link.txt", "a", ""},
		{"missing", "", "no such file or directory"},
		{".explicit.jsonl", "explicit", ""},
		{"x.pdf", "", `unsupported file type ".pdf" (want one of .jsonl .ndjson .json .txt .md .markdown)`},
		{"d.json", "d", ""}, // through the linked directory
	}
	if diff := cmp.Diff(want, gotRecs); diff != "" {
		t.Errorf("Walk() mismatch (-want +got):\n%s", diff)
	}
}

func TestWalk_Stop(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a.jsonl", "b.jsonl", "c.jsonl"} {
		writeFile(t, dir, name, "{\"title\": \"t\"}\n{\"title\": \"u\"}\n")
	}
	stop := errors.New("stop here")
	n := 0
	err := Walk(t.Context(), []string{dir}, Options{}, func(Record) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("Walk() = %v after %d records, want %v after 3", err, n, stop)
	}

	ctx, cancel := context.WithCancel(t.Context())
	n = 0
	err = Walk(ctx, []string{dir, dir}, Options{}, func(Record) error {
		n++
		if n == 1 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("Walk() = %v after %d records, want context.Canceled after 1", err, n)
	}
}

func TestRecord_Problem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r            Record
		wantProblem  string
		wantWarnings []string
	}{
		{Record{File: "a.jsonl", Line: 3, Err: ErrNoContent, Warnings: []string{"w1", "w2"}}, "a.jsonl:3: no title and no body", []string{"a.jsonl:3: warning: w1", "a.jsonl:3: warning: w2"}},
		{Record{File: "a.jsonl", Err: ErrUnsupported}, "a.jsonl: unsupported file type", nil},
		{Record{Line: 2, Err: ErrNoContent}, "line 2: no title and no body", nil},
		{Record{Err: ErrNoContent}, "no title and no body", nil},
		{Record{File: "a.txt", Line: 1, Warnings: []string{"w"}}, "", []string{"a.txt:1: warning: w"}},
	}
	for _, tt := range tests {
		if got := tt.r.Problem(); got != tt.wantProblem {
			t.Errorf("%+v.Problem() = %q, want %q", tt.r, got, tt.wantProblem)
		}
		if diff := cmp.Diff(tt.wantWarnings, tt.r.WarningLines()); diff != "" {
			t.Errorf("%+v.WarningLines() mismatch (-want +got):\n%s", tt.r, diff)
		}
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	for _, ext := range Formats() {
		if formatOf("x"+ext) == formatNone || formatOf("x"+strings.ToUpper(ext)) == formatNone {
			t.Errorf("Formats() lists %s, which ReadFile does not read", ext)
		}
	}
}

func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{
		"[\n{\"title\": \"one\"},\n\"x\",\n{\"title\": \"two\",\n}]",
		"{\"title\": \"one\"}\n{\"title\": \n{\"title\": \"three\"}\n",
		"{\n\"title\": \"one\"\n}\n{\n\"title\": \"two\"\n}\n]",
		"\uFEFF[]", "", "[{}] x", "[1,2,3", "{\"title\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := 1 + strings.Count(string(data), "\n")
		for _, read := range []func(context.Context, io.Reader, string, Options, func(Record) error) error{readJSON, ReadJSONLines} {
			last := 0
			err := read(t.Context(), strings.NewReader(string(data)), "f", Options{MaxBodyBytes: 1 << 10}.withDefaults(), func(r Record) error {
				if r.Line < 1 || r.Line > lines || r.Line < last {
					t.Errorf("record at line %d (previous %d, %d lines): %v", r.Line, last, lines, r.Err)
				}
				last = r.Line
				if r.Err == nil && (r.Article.ID == "" || r.Article.Origin != "f") {
					t.Errorf("line %d: accepted %+v", r.Line, r.Article)
				}
				return nil
			})
			if err != nil {
				t.Errorf("read error: %v", err)
			}
		}
	})
}
