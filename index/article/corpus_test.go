package article

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// corpusDir returns the shared corpus folder, ../shared/corpus next to the
// module root (../../../shared/corpus from this package), or skips the test
// when it is missing.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// Find the module root rather than trusting the package's depth.
	root := dir
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			root = filepath.Join(dir, "..", "..")
			break
		}
		root = parent
	}
	corpus := filepath.Join(root, "..", "shared", "corpus")
	if fi, err := os.Stat(corpus); err != nil || !fi.IsDir() {
		t.Skipf("shared corpus not found at %s: skipping the real-corpus test", corpus)
	}
	return corpus
}

// corpusStats counts what reading a corpus file gives.
type corpusStats struct {
	Records, Articles int
	Rejected          map[string]int // by sentinel name
	DateWarnings      int
	OtherWarnings     int
	Dated             int
}

func sentinelName(err error) string {
	for name, s := range map[string]error{
		"no content": ErrNoContent, "too large": ErrTooLarge, "invalid UTF-8": ErrInvalidUTF8,
		"invalid JSON": ErrInvalidJSON, "not an object": ErrNotObject, "invalid field": ErrInvalidField,
		"front matter": ErrFrontMatter, "unsupported": ErrUnsupported,
	} {
		if errors.Is(err, s) {
			return name
		}
	}
	return "other: " + err.Error()
}

func TestWalk_Corpus(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	tests := []struct {
		file  string
		big   bool
		want  corpusStats
		check func(t *testing.T, byID map[string]Article)
	}{
		{
			file: "seed-article.txt",
			want: corpusStats{Records: 1, Articles: 1, Rejected: map[string]int{}, Dated: 1},
			check: func(t *testing.T, byID map[string]Article) {
				if len(byID) != 1 {
					t.Fatalf("got %d articles, want 1", len(byID))
				}
				for _, a := range byID {
					if !strings.HasPrefix(a.Title, "Henan public management") {
						t.Errorf("title = %q", a.Title)
					}
					if diff := cmp.Diff([]string{"Dahe Cai Cube"}, a.Authors); diff != "" {
						t.Errorf("authors mismatch (-want +got):\n%s", diff)
					}
					if got := a.DateString(DefaultLocation()); got != "2022-09-23" {
						t.Errorf("date = %q, want 2022-09-23", got)
					}
					if !strings.HasPrefix(a.Body, "Original title:") {
						t.Errorf("body starts %q, want \"Original title:\"", a.Body[:min(40, len(a.Body))])
					}
					if !strings.HasSuffix(a.Body, "responsibility.") {
						t.Errorf("body ends %q, want the paragraph before the editor line", a.Body[max(0, len(a.Body)-40):])
					}
					for _, bad := range []string{"Responsible editor", "END", "Author:", "Hubei"} {
						if strings.Contains(a.Body, bad) {
							t.Errorf("body contains %q", bad)
						}
					}
				}
			},
		},
		{
			file: "cn_web_extract.jsonl",
			// 11 records have "UNKNOWN" or "UNKNWON" as date and one has "": no
			// warning. One has the author's name as its date: a warning.
			want: corpusStats{Records: 69, Articles: 69, Rejected: map[string]int{}, DateWarnings: 1, Dated: 56},
			check: func(t *testing.T, byID map[string]Article) {
				authors := map[string][]string{}
				for _, a := range byID {
					for _, s := range a.Authors {
						if strings.EqualFold(s, "unknown") {
							t.Errorf("%s: placeholder author kept", a.ID)
						}
					}
					authors[strings.Join(a.Authors, "|")] = a.Authors
				}
				for _, want := range [][]string{
					{"王建宏", "张文攀"}, {"伊琳", "李清芬"}, {"赵延东", "风笑天"}, {"周思博 (Joel Spolsky)"},
				} {
					if _, ok := authors[strings.Join(want, "|")]; !ok {
						t.Errorf("no article with authors %q", want)
					}
				}
			},
		},
		{
			file: "reuters21578.jsonl",
			big:  true,
			// 737 records have neither title nor body. Two dates are
			// unparseable: "31-MAR-1987 605:12:19.12" and one followed by
			// a "# date added by … as guesswork" comment.
			want: corpusStats{Records: 21578, Articles: 20841, Rejected: map[string]int{"no content": 737}, DateWarnings: 2, Dated: 20839},
			check: func(t *testing.T, byID map[string]Article) {
				a, ok := byID["1"]
				if !ok {
					t.Fatal("no article with id 1")
				}
				if want := time.Date(1987, 2, 26, 15, 1, 1, 790000000, DefaultLocation()); !a.Date.Equal(want) {
					t.Errorf("id 1 date = %v, want %v", a.Date, want)
				}
				n := 0
				for _, a := range byID {
					for _, s := range a.Authors {
						if s == "Janie Gabbett, Reuters" {
							n++
							if len(a.Authors) != 1 {
								t.Errorf("%s: authors = %q, want one", a.ID, a.Authors)
							}
						}
					}
				}
				if n == 0 {
					t.Error(`no article by "Janie Gabbett, Reuters"`)
				}
			},
		},
		{
			file: "chinese_poetry_tang.jsonl",
			big:  true,
			want: corpusStats{Records: 57607, Articles: 57607, Rejected: map[string]int{}},
			check: func(t *testing.T, byID map[string]Article) {
				n := 0
				for _, a := range byID {
					if cmp.Equal(a.Authors, []string{"道鏡", "善導"}) {
						n++
					}
				}
				if n != 23 {
					t.Errorf(`%d poems by ["道鏡" "善導"], want 23`, n)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			if tt.big && testing.Short() {
				t.Skip("big corpus file: skipped in -short mode")
			}
			path := filepath.Join(dir, tt.file)
			got := corpusStats{Rejected: map[string]int{}}
			byID := map[string]Article{}
			err := Walk(t.Context(), []string{path}, Options{}, func(r Record) error {
				got.Records++
				if r.Err != nil {
					got.Rejected[sentinelName(r.Err)]++
					return nil
				}
				got.Articles++
				if !r.Article.Date.IsZero() {
					got.Dated++
				}
				for _, w := range r.Warnings {
					if strings.HasPrefix(w, "unparseable date") {
						got.DateWarnings++
					} else {
						got.OtherWarnings++
						t.Errorf("unexpected warning: %s", w)
					}
				}
				if _, dup := byID[r.Article.ID]; dup {
					t.Errorf("%s:%d: duplicate id %q", r.File, r.Line, r.Article.ID)
				}
				byID[r.Article.ID] = r.Article
				return nil
			})
			if err != nil {
				t.Fatalf("Walk(%s) error: %v", path, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Walk(%s) counts mismatch (-want +got):\n%s", path, diff)
			}
			tt.check(t, byID)
		})
	}
}
