package article

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSplitAuthors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"Janie Gabbett, Reuters", []string{"Janie Gabbett, Reuters"}},
		{"王建宏 张文攀", []string{"王建宏", "张文攀"}},
		{"伊琳  李清芬", []string{"伊琳", "李清芬"}},
		{"道鏡\u3000善導", []string{"道鏡", "善導"}},
		{"光\t威\t裒", []string{"光", "威", "裒"}},
		{"赵延东、风笑天", []string{"赵延东", "风笑天"}},
		{"张三，李四；王五", []string{"张三", "李四", "王五"}},
		{"Alice; Bob | Carol", []string{"Alice", "Bob", "Carol"}},
		{"周思博 (Joel Spolsky)", []string{"周思博 (Joel Spolsky)"}},
		{"张三 Li Si", []string{"张三 Li Si"}},
		{"安东尼·布林肯 王毅", []string{"安东尼·布林肯", "王毅"}},
		{"放飞&心情", []string{"放飞&心情"}},
		{"Jonathan Lynn and Anthony Williams", []string{"Jonathan Lynn and Anthony Williams"}},
		{" 太宗皇帝 ", []string{"太宗皇帝"}},
		{"刘国栋 周炜 王燕平", []string{"刘国栋", "周炜", "王燕平"}},
		{"", nil},
		{"、；|", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, splitAuthors(tt.in)); diff != "" {
				t.Errorf("splitAuthors(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestArticle_Normalize(t *testing.T) {
	t.Parallel()
	date := time.Date(2022, 9, 23, 0, 0, 0, 0, DefaultLocation())
	tests := []struct {
		name string
		in   Article
		want Article
	}{
		{
			name: "trims fields and keeps inner body text",
			in: Article{
				ID:     " 42 ",
				Title:  "\u3000 标题 \t",
				Body:   "\r\n  first line\r\n\r\n   second  line  \r\n\u3000",
				URL:    " https://example.com/a ",
				Source: "\u3000大河网\u3000",
			},
			want: Article{
				ID:     "42",
				Title:  "标题",
				Body:   "first line\n\n   second  line",
				URL:    "https://example.com/a",
				Source: "大河网",
			},
		},
		{
			name: "line breaks in a title become a space",
			in:   Article{ID: "x", Title: "one\r\n  two\nthree  four", Body: "b"},
			want: Article{ID: "x", Title: "one two three  four", Body: "b"},
		},
		{
			name: "lone CR is a line break",
			in:   Article{ID: "x", Body: "a\rb"},
			want: Article{ID: "x", Body: "a\nb"},
		},
		{
			name: "placeholder authors dropped, duplicates removed",
			in:   Article{ID: "x", Title: "t", Authors: []string{"UNKNOWN", " 张三 ", "unknwon", "N/A", "None", "null", "-", "", "张三", "李四"}},
			want: Article{ID: "x", Title: "t", Authors: []string{"张三", "李四"}},
		},
		{
			name: "tags trimmed and deduplicated ignoring case",
			in:   Article{ID: "x", Title: "t", Tags: []string{" Go ", "go", "", "搜索", "GO", "Search", "search"}},
			want: Article{ID: "x", Title: "t", Tags: []string{"Go", "搜索", "Search"}},
		},
		{
			name: "long lists deduplicated",
			in: Article{ID: "x", Title: "t",
				Tags:    strings.Split("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,A,s,B,t,r", ","),
				Authors: strings.Split("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,A,s,B,t,r", ",")},
			want: Article{ID: "x", Title: "t",
				Tags:    strings.Split("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t", ","),
				Authors: strings.Split("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,A,s,B,t", ",")},
		},
		{
			name: "placeholder url and source dropped",
			in:   Article{ID: "x", Title: "t", URL: "UNKNOWN", Source: "n/a"},
			want: Article{ID: "x", Title: "t"},
		},
		{
			name: "id derived from the url",
			in:   Article{Title: "t", URL: "https://example.com/a", Date: date},
			want: Article{ID: "a" + sha16("https://example.com/a"), Title: "t", URL: "https://example.com/a", Date: date},
		},
		{
			name: "id derived from the content",
			in:   Article{Title: " t ", Body: "b", Authors: []string{"甲", "乙"}, Date: date},
			want: Article{ID: "a" + sha16("t\x00甲\x01乙\x002022-09-22T16:00:00Z\x00b"), Title: "t", Body: "b", Authors: []string{"甲", "乙"}, Date: date},
		},
		{
			name: "id derived without a date",
			in:   Article{Body: "b"},
			want: Article{ID: "a" + sha16("\x00\x00\x00b"), Body: "b"},
		},
		{
			name: "id trimmed, line separator inside made a space",
			in:   Article{ID: "\u3000\tcwe\u2028 1 \r\n", Body: "b"},
			want: Article{ID: "cwe 1", Body: "b"},
		},
		{
			name: "id at the limit after trimming",
			in:   Article{ID: " " + strings.Repeat("x", MaxIDBytes) + "\n", Body: "b"},
			want: Article{ID: strings.Repeat("x", MaxIDBytes), Body: "b"},
		},
		{
			name: "body without title is fine",
			in:   Article{ID: "x", Body: "only a body"},
			want: Article{ID: "x", Body: "only a body"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.in
			if err := got.Normalize(Options{}); err != nil {
				t.Fatalf("Normalize() error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Normalize() mismatch (-want +got):\n%s", diff)
			}
			again := got
			if err := again.Normalize(Options{}); err != nil {
				t.Fatalf("second Normalize() error: %v", err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("Normalize() is not idempotent (-first +second):\n%s", diff)
			}
		})
	}
}

func TestArticle_NormalizeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      Article
		opts    Options
		wantErr string
		wantIs  error
	}{
		{"empty", Article{}, Options{}, "no title and no body", ErrNoContent},
		{"only spaces", Article{Title: " \u3000", Body: "\r\n\t"}, Options{}, "no title and no body", ErrNoContent},
		{"placeholder author is no content", Article{Authors: []string{"UNKNOWN"}}, Options{}, "no title and no body", ErrNoContent},
		{"body over the limit", Article{Body: strings.Repeat("x", 11)}, Options{MaxBodyBytes: 10}, "body is 11 bytes, over the 10-byte limit", ErrTooLarge},
		{"body over the default limit", Article{Body: strings.Repeat("x", 3<<20)}, Options{}, "body is 3145728 bytes, over the 2097152-byte limit", ErrTooLarge},
		{"bad UTF-8 in the title", Article{Title: "ok\xffno"}, Options{}, "invalid UTF-8 in title at byte 2", ErrInvalidUTF8},
		{"id over the limit", Article{ID: strings.Repeat("x", 600), Title: "t"}, Options{}, "id is 600 bytes long; the limit is 512", ErrBadID},
		{"id only white space", Article{ID: " \u3000\r\n", Title: "t"}, Options{}, "id is only white space", ErrBadID},
		{"control character in the id, at its byte as given", Article{ID: "  a\x00b", Title: "t"}, Options{}, "id contains a control character (U+0000) at byte 3", ErrBadID},
		{"line break inside the id", Article{ID: "a\nb", Title: "t"}, Options{}, "id contains a control character (U+000A) at byte 1", ErrBadID},
		{"bad UTF-8 in the id", Article{ID: "a\xff", Title: "t"}, Options{}, "invalid UTF-8 in id at byte 1", ErrInvalidUTF8},
		{"bad UTF-8 in an author", Article{Title: "t", Authors: []string{"a", "\xe4\xb8"}}, Options{}, "invalid UTF-8 in author at byte 0", ErrInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := tt.in
			err := a.Normalize(tt.opts)
			if err == nil {
				t.Fatalf("Normalize() = nil, want %q", tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("Normalize() error = %q, want %q", err, tt.wantErr)
			}
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("Normalize() error %v does not match %v", err, tt.wantIs)
			}
		})
	}
}

func TestArticle_Body_AtLimit(t *testing.T) {
	t.Parallel()
	a := Article{Body: strings.Repeat("x", 10)}
	if err := a.Normalize(Options{MaxBodyBytes: 10}); err != nil {
		t.Errorf("Normalize() with a body at the limit: %v", err)
	}
}

func TestArticle_Hash(t *testing.T) {
	t.Parallel()
	base := Article{
		ID: "1", Title: "t", Body: "b", Authors: []string{"a"}, URL: "u", Source: "s", Tags: []string{"x"},
		Date: time.Date(2022, 9, 23, 0, 0, 0, 0, time.UTC),
	}
	h := base.Hash()
	if len(h) != 32 {
		t.Fatalf("Hash() = %q, want 32 hex digits", h)
	}
	same := base
	same.Origin = "elsewhere.jsonl"
	same.Date = base.Date.In(DefaultLocation())
	if got := same.Hash(); got != h {
		t.Errorf("Hash() changed with Origin or time zone: %q, want %q", got, h)
	}
	changes := map[string]func(a *Article){
		"id":      func(a *Article) { a.ID = "2" },
		"title":   func(a *Article) { a.Title = "T" },
		"body":    func(a *Article) { a.Body = "B" },
		"authors": func(a *Article) { a.Authors = []string{"a", "b"} },
		"split":   func(a *Article) { a.Authors = nil; a.Tags = []string{"a", "x"} },
		"date":    func(a *Article) { a.Date = a.Date.Add(time.Second) },
		"no date": func(a *Article) { a.Date = time.Time{} },
		"url":     func(a *Article) { a.URL = "v" },
		"source":  func(a *Article) { a.Source = "" },
		"tags":    func(a *Article) { a.Tags = nil },
		"shift":   func(a *Article) { a.Title, a.Body = "tb", "" },
	}
	for name, change := range changes {
		a := base
		change(&a)
		if a.Hash() == h {
			t.Errorf("Hash() did not change when %s changed", name)
		}
	}
}

func TestArticle_DateString(t *testing.T) {
	t.Parallel()
	a := Article{Date: time.Date(2022, 9, 22, 17, 0, 0, 0, time.UTC)}
	if got, want := a.DateString(nil), "2022-09-23"; got != want {
		t.Errorf("DateString(nil) = %q, want %q", got, want)
	}
	if got, want := a.DateString(time.UTC), "2022-09-22"; got != want {
		t.Errorf("DateString(UTC) = %q, want %q", got, want)
	}
	if got := (&Article{}).DateString(nil); got != "" {
		t.Errorf("DateString() of zero date = %q, want \"\"", got)
	}
}

func TestDefaultLocation(t *testing.T) {
	t.Parallel()
	loc := DefaultLocation()
	if loc.String() != "Asia/Shanghai" {
		t.Errorf("DefaultLocation() = %s, want Asia/Shanghai", loc)
	}
	if _, off := time.Date(2022, 1, 1, 0, 0, 0, 0, loc).Zone(); off != 8*3600 {
		t.Errorf("DefaultLocation() offset = %d, want 28800", off)
	}
}
