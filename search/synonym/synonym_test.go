package synonym

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	group := func(pos string, entries ...string) Rule {
		return Rule{From: entries, To: entries, Pos: pos}
	}
	long1 := strings.Repeat("字", MaxRunes-1) + "x"
	long2 := strings.Repeat("字", MaxRunes-1) + "y"
	tests := []struct {
		name  string
		input string
		want  []Rule
	}{
		{"empty", "", nil},
		{"comments and blank lines", "# header\n\n   \n\t# indented comment\n", nil},
		{"equivalence groups", "北大 北京大学\nlaptop notebook\n", []Rule{
			group("t.syn:1", "北大", "北京大学"),
			group("t.syn:2", "laptop", "notebook"),
		}},
		{"any whitespace separates", "a\tb\u3000c   d\n", []Rule{group("t.syn:1", "a", "b", "c", "d")}},
		{"commas", "new york, nyc,big apple\n", []Rule{group("t.syn:1", "new york", "nyc", "big apple")}},
		{"whitespace in an entry trimmed and collapsed", "  new \t york ,  nyc  \n", []Rule{group("t.syn:1", "new york", "nyc")}},
		{"lower-cased, Chinese kept", "Laptop NoteBook 笔记本\n", []Rule{group("t.syn:1", "laptop", "notebook", "笔记本")}},
		{"duplicates dropped", "tv TV television tv\n", []Rule{group("t.syn:1", "tv", "television")}},
		{"trailing comment", "a b # c d\nc# f# # g\n", []Rule{
			group("t.syn:1", "a", "b"),
			group("t.syn:2", "c#", "f#"),
		}},
		{"one-way", "fed => federal\n", []Rule{{From: []string{"fed"}, To: []string{"federal"}, Oneway: true, Pos: "t.syn:1"}}},
		{"one-way, several on each side", "a b=>c d\n", []Rule{{From: []string{"a", "b"}, To: []string{"c", "d"}, Oneway: true, Pos: "t.syn:1"}}},
		{"one-way, commas on one side", "fed => federal reserve, federal reserve system\n", []Rule{
			{From: []string{"fed"}, To: []string{"federal reserve", "federal reserve system"}, Oneway: true, Pos: "t.syn:1"},
		}},
		{"one-way, each side splits alone", "new york, nyc => new york city\n", []Rule{
			{From: []string{"new york", "nyc"}, To: []string{"new", "york", "city"}, Oneway: true, Pos: "t.syn:1"},
		}},
		{"one-way, entry on both sides", "a b => b\n", []Rule{{From: []string{"a", "b"}, To: []string{"b"}, Oneway: true, Pos: "t.syn:1"}}},
		{"BOM, CRLF, no final newline", "\ufeff北大 北京大学\r\n\r\nx y", []Rule{
			group("t.syn:1", "北大", "北京大学"),
			group("t.syn:3", "x", "y"),
		}},
		{"64 entries, 64 runes", long1 + " " + long2 + strings.Repeat(" e", 62), []Rule{group("t.syn:1", long1, long2, "e")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("t.syn", strings.NewReader(tt.input))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.input, err)
			}
			if diff := cmp.Diff(tt.want, s.Rules()); diff != "" {
				t.Errorf("Parse(%q) rules mismatch (-want +got):\n%s", tt.input, diff)
			}
			if got := s.Files(); !cmp.Equal(got, []string{"t.syn"}) {
				t.Errorf("Files() = %q, want [t.syn]", got)
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("长", MaxRunes+1)
	tests := []struct {
		name  string
		input string
		want  string // the whole message
	}{
		{"one entry", "北大\n", "t.syn:1: group needs at least 2 distinct entries"},
		{"one entry with a comment", "\n# c\nlaptop # notebook\n", "t.syn:3: group needs at least 2 distinct entries"},
		{"one distinct entry", "TV tv\n", "t.syn:1: group needs at least 2 distinct entries"},
		{"one entry with commas", "new york,\tnew  york\n", "t.syn:1: group needs at least 2 distinct entries"},
		{"empty left side", " => b\n", `t.syn:1: nothing before "=>"`},
		{"empty right side", "a b =>   # c\n", `t.syn:1: nothing after "=>"`},
		{"two arrows", "a => b => c\n", `t.syn:1: more than one "=>"`},
		{"maps only to itself", "A => a\n", `t.syn:1: rule maps "a" only to itself`},
		{"empty entry between commas", "a, , b\n", "t.syn:1: empty entry between commas"},
		{"empty entry after the last comma", "a, b,\n", "t.syn:1: empty entry after the last comma"},
		{"empty entry before the first comma", "a => ,b\n", "t.syn:1: empty entry before the first comma"},
		{"invalid UTF-8", "a b\n\xffc d\n", "t.syn:2: invalid UTF-8"},
		{"invalid UTF-8 in a comment", "# \xc3\n", "t.syn:1: invalid UTF-8"},
		{"entry too long", "a " + long + "\n", `t.syn:1: entry "长长长长长长长长长长长长长长长长..." is longer than 64 runes (65)`},
		{"too many entries", strings.Repeat("e ", 40) + "=>" + strings.Repeat(" f", 25) + "\n", "t.syn:1: too many entries (65, at most 64)"},
		{"control character", "a b\x00c\n", `t.syn:1: entry "b\x00c" holds a control character`},
		{"escape character", "a, b\x1b[0m\n", `t.syn:1: entry "b\x1b[0m" holds a control character`},
		{"every bad line", "a\nb c\nd\ne => \n", "t.syn:1: group needs at least 2 distinct entries\n" +
			"t.syn:3: group needs at least 2 distinct entries\n" +
			`t.syn:4: nothing after "=>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("t.syn", strings.NewReader(tt.input))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse(%q) = %v, want error\n%s", tt.input, err, tt.want)
			}
			if s != nil {
				t.Errorf("Parse(%q) set = %v, want nil", tt.input, s)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) error does not match ErrSyntax", tt.input)
			}
			var le *LineError
			if !errors.As(err, &le) || le.File != "t.syn" || le.Line < 1 {
				t.Errorf("Parse(%q) error %v: want a *LineError of t.syn", tt.input, err)
			}
		})
	}
}

func TestParse_ManyErrors(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	in.WriteString("ok fine\n")
	for range 14 {
		in.WriteString("bad\n")
	}
	_, err := Parse("t.syn", strings.NewReader(in.String()))
	var want []string
	for line := 2; line <= 11; line++ {
		want = append(want, fmt.Sprintf("t.syn:%d: group needs at least 2 distinct entries", line))
	}
	want = append(want, "t.syn:12: ... and 4 more")
	if err == nil {
		t.Fatal("Parse = nil error")
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("Parse error mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_ReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := Parse("t.syn", iotest.TimeoutReader(strings.NewReader("a b\n")))
	if err == nil {
		t.Fatal("Parse of a failing reader = nil error")
	}
	_, err = Parse("t.syn", iotest.ErrReader(boom))
	if !errors.Is(err, boom) || err.Error() != "read t.syn: boom" {
		t.Errorf("Parse = %v, want read t.syn: boom", err)
	}
}

// mustParse parses the files given as name, content pairs, in order, into
// one set.
func mustParse(t *testing.T, nameContent ...string) *Set {
	t.Helper()
	var files []file
	for i := 0; i < len(nameContent); i += 2 {
		files = append(files, file{name: nameContent[i], data: []byte(nameContent[i+1])})
	}
	s, err := parseFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSet_Expand(t *testing.T) {
	t.Parallel()
	news := mustParse(t, "a.syn", `
北大 北京大学
laptop notebook
new york, nyc, big apple
fed => federal reserve, federal reserve system
央行 => 中国人民银行
`, "b.syn", `
notebook 笔记本
fed, frb => 美联储
北大 北京大学 北大
`)
	tests := []struct {
		entry string
		want  []string
	}{
		{"北大", []string{"北京大学"}},
		{"北京大学", []string{"北大"}},
		{"laptop", []string{"notebook"}},
		{"notebook", []string{"laptop", "笔记本"}},
		{"笔记本", []string{"notebook"}},
		{"NoteBook", []string{"laptop", "笔记本"}},
		{"nyc", []string{"new york", "big apple"}},
		{"  New   York ", []string{"nyc", "big apple"}},
		{"big\tapple", []string{"new york", "nyc"}},
		{"fed", []string{"federal reserve", "federal reserve system", "美联储"}},
		{"FRB", []string{"美联储"}},
		{"federal reserve", nil},
		{"美联储", nil},
		{"央行", []string{"中国人民银行"}},
		{"中国人民银行", nil},
		{"new", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			t.Parallel()
			if got := news.Expand(tt.entry); !cmp.Equal(got, tt.want) {
				t.Errorf("Expand(%q) = %q, want %q", tt.entry, got, tt.want)
			}
		})
	}
}

func TestSet_Nil(t *testing.T) {
	t.Parallel()
	empty, err := Parse("empty.syn", strings.NewReader("# nothing\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Set{nil, empty} {
		if s.Len() != 0 || s.Rules() != nil || s.Expand("a") != nil {
			t.Errorf("%v: Len, Rules, Expand = %d, %v, %v, want 0, nil, nil", s, s.Len(), s.Rules(), s.Expand("a"))
		}
		if got, want := s.Fingerprint(), empty.Fingerprint(); got != want {
			t.Errorf("Fingerprint() = %s, want that of the empty set %s", got, want)
		}
	}
	if got := (*Set)(nil).Files(); got != nil {
		t.Errorf("nil Files() = %q, want nil", got)
	}
}

func TestSet_ResultsAreCopies(t *testing.T) {
	t.Parallel()
	s := mustParse(t, "a.syn", "a b c\n")
	s.Expand("a")[0] = "x"
	s.Rules()[0].From[0] = "x"
	s.Files()[0] = "x"
	if got := s.Expand("a"); !cmp.Equal(got, []string{"b", "c"}) {
		t.Errorf("Expand(a) after changing results = %q, want [b c]", got)
	}
	if got := s.Rules()[0].To; !cmp.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Rules()[0].To after changing results = %q, want [a b c]", got)
	}
	if got := s.Files(); !cmp.Equal(got, []string{"a.syn"}) {
		t.Errorf("Files() after changing results = %q, want [a.syn]", got)
	}
}

func TestSet_Fingerprint(t *testing.T) {
	t.Parallel()
	base := mustParse(t, "a.syn", "a b\nc => d\n").Fingerprint()
	if len(base) != 64 {
		t.Errorf("Fingerprint() = %q, want 64 hex digits", base)
	}
	tests := []struct {
		name  string
		files []string
		same  bool
	}{
		{"comments, blank lines, case and file names", []string{"other.syn", "# x\n\nA  B # y\nC=>D\n"}, true},
		{"split over two files", []string{"a.syn", "a b\n", "b.syn", "c => d\n"}, true},
		{"entry added", []string{"a.syn", "a b e\nc => d\n"}, false},
		{"direction", []string{"a.syn", "a b\nd => c\n"}, false},
		{"one-way instead of a group", []string{"a.syn", "a => b\nc => d\n"}, false},
		{"rule order", []string{"a.syn", "c => d\na b\n"}, false},
		{"entry boundaries", []string{"a.syn", "a b\nc => d\n"}, true},
		{"entry boundaries moved", []string{"a.syn", "a b, c\nc => d\n"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustParse(t, tt.files...).Fingerprint()
			if (got == base) != tt.same {
				t.Errorf("Fingerprint() = %s, base %s: want same = %v", got, base, tt.same)
			}
		})
	}
}

// writeFiles creates dir/name with content for every entry of files, and
// removes dir/name for an empty content.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if content == "" {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		files     map[string]string
		wantFiles []string // base names
		wantPos   []string // of the rules, base names
	}{
		{"none", nil, nil, nil},
		{"other files only", map[string]string{"user.dict": "甲词\n", "README.md": "# x\n"}, nil, nil},
		{"name order, other files ignored", map[string]string{
			"b.syn":         "c d\ne f\n",
			"a.syn":         "# a\na b\n",
			"c.syn.bak":     "x y\n",
			"news.stop":     "其\n",
			"user.dict":     "甲词\n",
			".hidden.syn":   "x y\n",
			"sub.syn/x.syn": "x y\n",
			"sub/x.syn":     "x y\n",
			"upper.SYN":     "x y\n",
		}, []string{"a.syn", "b.syn"}, []string{"a.syn:2", "b.syn:1", "b.syn:2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			s, err := LoadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var files, pos []string
			for _, f := range s.Files() {
				files = append(files, strings.TrimPrefix(f, dir+string(filepath.Separator)))
			}
			for _, r := range s.Rules() {
				pos = append(pos, strings.TrimPrefix(r.Pos, dir+string(filepath.Separator)))
			}
			if diff := cmp.Diff(tt.wantFiles, files); diff != "" {
				t.Errorf("LoadDir Files mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantPos, pos); diff != "" {
				t.Errorf("LoadDir rule positions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadDir_Errors(t *testing.T) {
	t.Parallel()
	t.Run("missing directory", func(t *testing.T) {
		t.Parallel()
		_, err := LoadDir(filepath.Join(t.TempDir(), "nope"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("LoadDir(missing) = %v, want an error matching fs.ErrNotExist", err)
		}
	})
	t.Run("bad lines of every file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{
			"a.syn": "a b\nc\n",
			"b.syn": "ok ok2\n",
			"c.syn": "x => \n",
		})
		_, err := LoadDir(dir)
		want := filepath.Join(dir, "a.syn") + ":2: group needs at least 2 distinct entries\n" +
			filepath.Join(dir, "c.syn") + `:1: nothing after "=>"`
		if err == nil || err.Error() != want {
			t.Errorf("LoadDir = %v, want\n%s", err, want)
		}
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("LoadDir error does not match ErrSyntax")
		}
	})
}

// syncBuffer is a bytes.Buffer safe for concurrent use, for a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newTestLive returns a Live of a temporary directory holding files,
// logging into the returned buffer.
func newTestLive(t *testing.T, files map[string]string) (*Live, string, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	logs := &syncBuffer{}
	l, err := NewLive(dir, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return l, dir, logs
}

// runLive runs l.Run every 10ms until the test ends.
func runLive(t *testing.T, l *Live) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx, 10*time.Millisecond)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// edit writes files into dir as [writeFiles] does and moves the
// modification time of those written a second further each time, so
// that a change shows even where mtimes are coarse.
func edit(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	writeFiles(t, dir, files)
	editTime = editTime.Add(time.Second)
	for name, content := range files {
		if content == "" {
			continue
		}
		if err := os.Chtimes(filepath.Join(dir, name), editTime, editTime); err != nil {
			t.Fatal(err)
		}
	}
}

// editTime is the last modification time [edit] gave, in the past so
// that [Live] trusts it (see racyWindow); tests using it do not run in
// parallel with each other.
var editTime = time.Now().Add(-time.Hour)

// waitFor polls cond until it holds, failing the test after a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLive_Run(t *testing.T) {
	l, dir, logs := newTestLive(t, map[string]string{"news.syn": "laptop notebook\n", "user.dict": "甲词\n"})
	if got := l.Set().Expand("laptop"); !cmp.Equal(got, []string{"notebook"}) {
		t.Fatalf("first Expand(laptop) = %q, want [notebook]", got)
	}
	runLive(t, l)
	expands := func(entry string, want ...string) func() bool {
		return func() bool { return cmp.Equal(l.Set().Expand(entry), want) }
	}

	edit(t, dir, map[string]string{"news.syn": "laptop notebook portable\n"})
	waitFor(t, "the edit", expands("laptop", "notebook", "portable"))
	waitFor(t, "the reload log", func() bool {
		return strings.Contains(logs.String(), `msg="synonyms reloaded" dir=`+dir+" files=[news.syn] rules=1")
	})

	edit(t, dir, map[string]string{"news.syn": "laptop\n"})
	waitFor(t, "the error log", func() bool {
		return strings.Contains(logs.String(), `level=ERROR msg="synonyms not reloaded; keeping the previous ones" dir=`+dir)
	})
	if want := filepath.Join(dir, "news.syn") + ":1: group needs at least 2 distinct entries"; !strings.Contains(logs.String(), want) {
		t.Errorf("log does not hold %q:\n%s", want, logs.String())
	}
	if got := l.Set().Expand("laptop"); !cmp.Equal(got, []string{"notebook", "portable"}) {
		t.Errorf("Expand(laptop) after a bad edit = %q, want the previous [notebook portable]", got)
	}

	edit(t, dir, map[string]string{"news.syn": "laptop notebook\n", "more.syn": "notebook 笔记本\n"})
	waitFor(t, "the fix and a new file", expands("notebook", "笔记本", "laptop"))

	edit(t, dir, map[string]string{"more.syn": ""})
	waitFor(t, "the removal", expands("notebook", "laptop"))
	if got := l.Set().Files(); !cmp.Equal(got, []string{filepath.Join(dir, "news.syn")}) {
		t.Errorf("Files() after the removal = %q, want only news.syn", got)
	}
}

func TestLive_load(t *testing.T) {
	l, dir, _ := newTestLive(t, map[string]string{"a.syn": "a b\n"})
	steps := []struct {
		name    string
		files   map[string]string
		touch   bool // only move the mtime of a.syn
		changed bool
		wantErr string // after dir/
	}{
		{"nothing", nil, false, false, ""},
		{"mtime only", nil, true, false, ""},
		{"other file", map[string]string{"user.dict": "甲词\n"}, false, false, ""},
		{"edit", map[string]string{"a.syn": "a b c\n"}, false, true, ""},
		{"comment only", map[string]string{"a.syn": "# x\na b c\n"}, false, true, ""},
		{"bad edit", map[string]string{"a.syn": "a\n"}, false, false, "a.syn:1: group needs at least 2 distinct entries"},
		{"bad edit seen again", nil, false, false, ""},
		{"bad edit touched", nil, true, false, ""},
		{"file added", map[string]string{"b.syn": "c d\n", "a.syn": "a b\n"}, false, true, ""},
		{"file removed", map[string]string{"b.syn": ""}, false, true, ""},
	}
	for _, st := range steps {
		edit(t, dir, st.files)
		if st.touch {
			edit(t, dir, map[string]string{"a.syn": mustRead(t, filepath.Join(dir, "a.syn"))})
		}
		// The first look after a change only notes it; the second reads.
		if changed, err := l.load(false); changed || err != nil {
			t.Errorf("after %s: first load = %v, %v, want false, nil", st.name, changed, err)
		}
		changed, err := l.load(false)
		gotErr := ""
		if err != nil {
			gotErr = strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))
		}
		if changed != st.changed || gotErr != st.wantErr {
			t.Errorf("after %s: load = %v, %q, want %v, %q", st.name, changed, gotErr, st.changed, st.wantErr)
		}
	}
	if got := l.Set().Len(); got != 1 {
		t.Errorf("Len() = %d, want 1", got)
	}
}

// TestLive_load_racy rewrites a file at the same size and mtime: while
// the mtime is recent, the rewrite is seen all the same.
func TestLive_load_racy(t *testing.T) {
	l, dir, _ := newTestLive(t, nil)
	now := time.Now()
	write := func(content string) {
		t.Helper()
		writeFiles(t, dir, map[string]string{"a.syn": content})
		if err := os.Chtimes(filepath.Join(dir, "a.syn"), now, now); err != nil {
			t.Fatal(err)
		}
	}
	loadTwice := func() bool {
		t.Helper()
		first, err1 := l.load(false)
		second, err2 := l.load(false)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		return first || second
	}
	write("a b\n")
	if !loadTwice() {
		t.Fatal("new file not loaded")
	}
	write("a c\n")
	if !loadTwice() {
		t.Error("rewrite at the same size and mtime not loaded")
	}
	if got := l.Set().Expand("a"); !cmp.Equal(got, []string{"c"}) {
		t.Errorf("Expand(a) = %q, want [c]", got)
	}
	if loadTwice() {
		t.Error("loaded again without a change")
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLive_Reload(t *testing.T) {
	l, dir, logs := newTestLive(t, map[string]string{"a.syn": "a b\n"})
	writeFiles(t, dir, map[string]string{"a.syn": "a c\n"})
	if err := l.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := l.Set().Expand("a"); !cmp.Equal(got, []string{"c"}) {
		t.Errorf("Expand(a) after Reload = %q, want [c]", got)
	}
	writeFiles(t, dir, map[string]string{"a.syn": "a\n"})
	if err := l.Reload(); !errors.Is(err, ErrSyntax) {
		t.Errorf("Reload of a bad file = %v, want an error matching ErrSyntax", err)
	}
	if got := l.Set().Expand("a"); !cmp.Equal(got, []string{"c"}) {
		t.Errorf("Expand(a) after a failed Reload = %q, want the previous [c]", got)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := l.Reload(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Reload of a removed directory = %v, want an error matching fs.ErrNotExist", err)
	}
	if got := l.Set().Len(); got != 1 {
		t.Errorf("Len() after a failed Reload = %d, want 1", got)
	}
	if logs.String() != "" {
		t.Errorf("Reload logged:\n%s", logs.String())
	}
}

func TestNewLive_Errors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := NewLive(filepath.Join(dir, "nope"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NewLive(missing) = %v, want an error matching fs.ErrNotExist", err)
	}
	writeFiles(t, dir, map[string]string{"a.syn": "a\n"})
	if _, err := NewLive(dir, nil); !errors.Is(err, ErrSyntax) {
		t.Errorf("NewLive(bad file) = %v, want an error matching ErrSyntax", err)
	}
}

func TestLive_Nil(t *testing.T) {
	t.Parallel()
	var l *Live
	if s := l.Set(); s == nil || s.Len() != 0 {
		t.Errorf("nil Live: Set() = %v, want an empty set", s)
	}
	if err := l.Reload(); err != nil {
		t.Errorf("nil Live: Reload() = %v", err)
	}
	l.Run(t.Context(), time.Millisecond) // returns at once
}

// TestLive_Concurrent reads the set while it is reloaded, for -race.
func TestLive_Concurrent(t *testing.T) {
	l, dir, _ := newTestLive(t, map[string]string{"a.syn": "a b\n"})
	runLive(t, l)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if got := l.Set().Expand("a"); len(got) == 0 {
					t.Errorf("Expand(a) = %q during reloads, want one entry or more", got)
					return
				}
			}
		})
	}
	// Save as editors do, by a rename: a reader sees the old file or the
	// new one, never a half-written one.
	for i := range 20 {
		tmp := filepath.Join(dir, ".a.syn.tmp")
		writeFiles(t, dir, map[string]string{".a.syn.tmp": fmt.Sprintf("a b%d\n", i)})
		if err := os.Rename(tmp, filepath.Join(dir, "a.syn")); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := l.Reload(); err != nil {
				t.Error(err)
			}
		}
		time.Sleep(time.Millisecond)
	}
	waitFor(t, "the last edit", func() bool { return cmp.Equal(l.Set().Expand("a"), []string{"b19"}) })
	close(stop)
	wg.Wait()
}

// TestLoadDir_Sample keeps the checked-in sample file valid.
func TestLoadDir_Sample(t *testing.T) {
	t.Parallel()
	s, err := LoadDir(filepath.Join("..", "..", "data", "dict"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		entry string
		want  []string
	}{
		{"北大", []string{"北京大学"}},
		{"U.S.", []string{"usa", "united states"}},
		{"fed", []string{"federal reserve", "federal reserve system"}},
		{"federal reserve", nil},
	}
	for _, tt := range tests {
		if got := s.Expand(tt.entry); !cmp.Equal(got, tt.want) {
			t.Errorf("news.syn: Expand(%q) = %q, want %q", tt.entry, got, tt.want)
		}
	}
}

func ExampleParse() {
	s, err := Parse("news.syn", strings.NewReader(`
# equivalence groups
北大 北京大学
usa, united states, u.s.
# a one-way rule
Fed => federal reserve, federal reserve system
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Expand("北大"))
	fmt.Println(strings.Join(s.Expand("USA"), "|"))
	fmt.Println(strings.Join(s.Expand("fed"), "|"))
	fmt.Println(s.Expand("federal reserve"))

	_, err = Parse("news.syn", strings.NewReader("北大\nfed =>\n"))
	fmt.Println(err)
	// Output:
	// [北京大学]
	// united states|u.s.
	// federal reserve|federal reserve system
	// []
	// news.syn:1: group needs at least 2 distinct entries
	// news.syn:2: nothing after "=>"
}
