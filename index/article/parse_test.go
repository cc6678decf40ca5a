package article

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// sha16 is the first 16 hex digits of the SHA-256 of s.
func sha16(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

func TestParse(t *testing.T) {
	t.Parallel()
	sh := DefaultLocation()
	tests := []struct {
		name      string
		in        string
		want      Article
		wantWarns []string
	}{
		{
			name: "reuters shape",
			in:   `{"id": "1", "title": "BAHIA COCOA REVIEW", "author": "Janie Gabbett, Reuters", "date": "26-FEB-1987 15:07:13.72", "dateline": "SALVADOR, Feb 26 -", "body": "Showers continued.\n    More text.\n", "topics": ["cocoa"], "places": ["brazil"]}`,
			want: Article{ID: "1", Title: "BAHIA COCOA REVIEW", Body: "Showers continued.\n    More text.", Authors: []string{"Janie Gabbett, Reuters"},
				Date: time.Date(1987, 2, 26, 15, 7, 13, 720000000, sh)},
		},
		{
			name: "chinese web shape",
			in:   `{"id": "cwe-1", "lang": "zh", "title": "土豆不土", "author": "王建宏 张文攀", "date": "2022-02-13 09:57", "body": "正文"}`,
			want: Article{ID: "cwe-1", Title: "土豆不土", Body: "正文", Authors: []string{"王建宏", "张文攀"}, Date: time.Date(2022, 2, 13, 9, 57, 0, 0, sh)},
		},
		{
			name: "unknown author and date are dropped without a warning",
			in:   `{"id": "x", "title": "t", "author": "UNKNOWN", "date": "UNKNWON"}`,
			want: Article{ID: "x", Title: "t"},
		},
		{
			name:      "unparseable date is a warning",
			in:        `{"id": "x", "title": "t", "date": "去年秋天"}`,
			want:      Article{ID: "x", Title: "t"},
			wantWarns: []string{`unparseable date "去年秋天"`},
		},
		{
			name:      "impossible date is a warning",
			in:        `{"id": "x", "title": "t", "date": "2022-02-30"}`,
			want:      Article{ID: "x", Title: "t"},
			wantWarns: []string{`unparseable date "2022-02-30": day 30 out of range for February 2022`},
		},
		{
			name: "numeric id",
			in:   `{"id": 12345, "title": "t"}`,
			want: Article{ID: "12345", Title: "t"},
		},
		{
			name: "body aliases: first non-empty wins",
			in:   `{"id": "x", "body": "  ", "content": "from content", "text": "from text"}`,
			want: Article{ID: "x", Body: "from content"},
		},
		{
			name: "text alias",
			in:   `{"id": "x", "text": "from text"}`,
			want: Article{ID: "x", Body: "from text"},
		},
		{
			name: "date aliases",
			in:   `{"id": "x", "title": "t", "date": "", "published": null, "time": "2022.09.23"}`,
			want: Article{ID: "x", Title: "t", Date: time.Date(2022, 9, 23, 0, 0, 0, 0, sh)},
		},
		{
			name: "published_at with offset",
			in:   `{"id": "x", "title": "t", "published_at": "2023-04-01T00:30:00Z"}`,
			want: Article{ID: "x", Title: "t", Date: time.Date(2023, 4, 1, 0, 30, 0, 0, time.UTC)},
		},
		{
			name: "pubdate",
			in:   `{"id": "x", "title": "t", "pubdate": "Mon, 02 Jan 2006 15:04:05 -0700"}`,
			want: Article{ID: "x", Title: "t", Date: time.Date(2006, 1, 2, 22, 4, 5, 0, time.UTC)},
		},
		{
			name: "unix seconds",
			in:   `{"id": "x", "title": "t", "date": 1680309000}`,
			want: Article{ID: "x", Title: "t", Date: time.Date(2023, 4, 1, 0, 30, 0, 0, time.UTC)},
		},
		{
			name: "link alias, source, authors array",
			in:   `{"id": "x", "title": "t", "link": " https://example.com/a ", "source": "大河网", "authors": ["Li Si", "王建宏 张文攀", "unknown", "Li Si"]}`,
			want: Article{ID: "x", Title: "t", URL: "https://example.com/a", Source: "大河网", Authors: []string{"Li Si", "王建宏 张文攀"}},
		},
		{
			name: "tags as a string with both commas",
			in:   `{"id": "x", "title": "t", "tags": "经济, 民生，Economy ,economy,"}`,
			want: Article{ID: "x", Title: "t", Tags: []string{"经济", "民生", "Economy"}},
		},
		{
			name: "keywords alias as array",
			in:   `{"id": "x", "title": "t", "tag": [], "keywords": ["a", null, "b"]}`,
			want: Article{ID: "x", Title: "t", Tags: []string{"a", "b"}},
		},
		{
			name: "keys match ignoring case, lower case wins",
			in:   `{"ID": "x", "Title": "upper", "title": "lower", "BODY": "b"}`,
			want: Article{ID: "x", Title: "lower", Body: "b"},
		},
		{
			name: "unknown fields and nulls ignored",
			in:   `{"id": "x", "title": "t", "body": null, "lang": "zh", "extra": {"a": [1, 2]}}`,
			want: Article{ID: "x", Title: "t"},
		},
		{
			name: "missing id derived from the url",
			in:   `{"title": "t", "url": "https://example.com/a"}`,
			want: Article{ID: "a" + sha16("https://example.com/a"), Title: "t", URL: "https://example.com/a"},
		},
		{
			name: "empty id derived",
			in:   `{"id": "", "title": "t", "url": "https://example.com/a"}`,
			want: Article{ID: "a" + sha16("https://example.com/a"), Title: "t", URL: "https://example.com/a"},
		},
		{
			name: "id trimmed",
			in:   `{"id": " cwe-1\n", "title": "t"}`,
			want: Article{ID: "cwe-1", Title: "t"},
		},
		{
			name: "id at the limit",
			in:   `{"id": "` + strings.Repeat("字", MaxIDBytes/3) + `", "title": "t"}`,
			want: Article{ID: strings.Repeat("字", MaxIDBytes/3), Title: "t"},
		},
		{
			name: "CRLF body",
			in:   `{"id": "x", "body": "a\r\nb\r\n"}`,
			want: Article{ID: "x", Body: "a\nb"},
		},
		{
			name: "escaped lone surrogate becomes U+FFFD",
			in:   `{"id": "x", "title": "a\ud800b"}`,
			want: Article{ID: "x", Title: "a\uFFFDb"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, warns, err := Parse([]byte(tt.in), Options{})
			if err != nil {
				t.Fatalf("Parse(%s) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%s) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantWarns, warns); diff != "" {
				t.Errorf("Parse(%s) warnings mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParse_Location(t *testing.T) {
	t.Parallel()
	got, _, err := Parse([]byte(`{"title": "t", "date": "2022-09-23 08:00"}`), Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2022, 9, 23, 8, 0, 0, 0, time.UTC); !got.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", got.Date, want)
	}
}

func TestParse_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		opts    Options
		wantErr string
		wantIs  error
	}{
		{"empty input", ``, Options{}, "invalid JSON: unexpected end of JSON input", ErrInvalidJSON},
		{"truncated", `{"title": "t"`, Options{}, "invalid JSON: unexpected end of JSON input", ErrInvalidJSON},
		{"bad key", `{"title": "t",}`, Options{}, "invalid JSON: invalid character '}' looking for beginning of object key string", ErrInvalidJSON},
		{"two values", `{"title": "t"} {"title": "u"}`, Options{}, "invalid JSON: invalid character '{' after top-level value", ErrInvalidJSON},
		{"array", `[{"title": "t"}]`, Options{}, "not a JSON object (got array)", ErrNotObject},
		{"string", `"title"`, Options{}, "not a JSON object (got string)", ErrNotObject},
		{"number", `12`, Options{}, "not a JSON object (got number)", ErrNotObject},
		{"null", `null`, Options{}, "not a JSON object (got null)", ErrNotObject},
		{"invalid UTF-8", "{\"title\": \"ab\xff\"}", Options{}, "invalid UTF-8 at byte 13", ErrInvalidUTF8},
		{"truncated UTF-8", "{\"title\": \"\xe4\xb8\"}", Options{}, "invalid UTF-8 at byte 11", ErrInvalidUTF8},
		{"no content", `{"id": "1", "title": " ", "body": "\n", "author": "Someone"}`, Options{}, "no title and no body", ErrNoContent},
		{"empty object", `{}`, Options{}, "no title and no body", ErrNoContent},
		{"body too large", `{"body": "` + strings.Repeat("x", 101) + `"}`, Options{MaxBodyBytes: 100}, "body is 101 bytes, over the 100-byte limit", ErrTooLarge},
		{"title not a string", `{"title": 5}`, Options{}, `field "title": want a string, got number`, ErrInvalidField},
		{"body alias not a string", `{"title": "t", "content": ["x"]}`, Options{}, `field "content": want a string, got array`, ErrInvalidField},
		{"id an object", `{"id": {}, "title": "t"}`, Options{}, `field "id": want a string or a number, got object`, ErrInvalidField},
		{"author a number", `{"title": "t", "Author": 1}`, Options{}, `field "Author": want a string or an array of strings, got number`, ErrInvalidField},
		{"tags with a number", `{"title": "t", "tags": ["a", 2]}`, Options{}, `field "tags": want an array of strings, got an array holding a number`, ErrInvalidField},
		{"id too long", `{"id": "` + strings.Repeat("x", 5000) + `", "title": "t"}`, Options{}, "id is 5000 bytes long; the limit is 512", ErrBadID},
		{"numeric id too long", `{"id": ` + strings.Repeat("9", 513) + `, "title": "t"}`, Options{}, "id is 513 bytes long; the limit is 512", ErrBadID},
		{"id only white space", `{"id": " \t\u3000", "title": "t"}`, Options{}, "id is only white space", ErrBadID},
		{"escaped NUL in the id", `{"id": "abc\u0000", "title": "t"}`, Options{}, "id contains a control character (U+0000) at byte 3", ErrBadID},
		{"escaped C1 control in the id", `{"id": "ab\u0080c", "title": "t"}`, Options{}, "id contains a control character (U+0080) at byte 2", ErrBadID},
		{"DEL in the id", "{\"id\": \"a\x7f\", \"title\": \"t\"}", Options{}, "id contains a control character (U+007F) at byte 1", ErrBadID},
		{"newline inside the id", `{"id": "a\nb", "title": "t"}`, Options{}, "id contains a control character (U+000A) at byte 1", ErrBadID},
		{"date a bool", `{"title": "t", "date": true}`, Options{}, `field "date": want a string or a number, got bool`, ErrInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, warns, err := Parse([]byte(tt.in), tt.opts)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error %q", tt.in, got, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("Parse(%q) error = %q, want %q", tt.in, err, tt.wantErr)
			}
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("Parse(%q) error %v does not match %v", tt.in, err, tt.wantIs)
			}
			if diff := cmp.Diff(Article{}, got); diff != "" || warns != nil {
				t.Errorf("Parse(%q) returned an article or warnings with an error: %s %q", tt.in, diff, warns)
			}
		})
	}
}

func TestParse_UnixWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		wantWarns []string
	}{
		{`{"title": "t", "date": 0}`, nil},
		{`{"title": "t", "date": 1e300}`, []string{"unparseable date 1e300: not a Unix time in seconds"}},
	}
	for _, tt := range tests {
		_, warns, err := Parse([]byte(tt.in), Options{})
		if err != nil {
			t.Fatalf("Parse(%s) error: %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.wantWarns, warns); diff != "" {
			t.Errorf("Parse(%s) warnings mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"id": "1", "title": "BAHIA COCOA REVIEW", "author": "Jane Doe, Reuters", "date": "26-FEB-1987 15:07:13.72", "body": "text"}`,
		`{"title": "土豆", "author": "王建宏 张文攀", "date": "2022-02-13 09:57", "body": "正文", "tags": "a，b"}`,
		`{"id": 1.5e3, "content": "x", "authors": ["a", null], "keywords": ["k"], "published": 1680309000}`,
		`{"Title": "t", "title": "u", "link": "https://example.com", "date": "UNKNOWN"}`,
		`{"body": "` + "\\r\\n" + `"}`, `{}`, `[]`, `null`, ``, "{\"title\": \"\xff\"}",
		`{"title": "t", "date": "2022年09月23日14时05分"}`,
		`{"id": " a\u2028b\u0085 ", "title": "t"}`, `{"id": "\u0000", "body": "b"}`,
	} {
		f.Add([]byte(s))
	}
	const limit = 1 << 10
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, warns, err := Parse(raw, Options{MaxBodyBytes: limit})
		if err != nil {
			if a.ID != "" || warns != nil {
				t.Errorf("Parse(%q) returned an article with error %v", raw, err)
			}
			return
		}
		if !utf8.ValidString(a.Body) || !utf8.ValidString(a.Title) {
			t.Errorf("Parse(%q) accepted invalid UTF-8", raw)
		}
		if len(a.Body) > limit {
			t.Errorf("Parse(%q) body is %d bytes, over %d", raw, len(a.Body), limit)
		}
		if err := CheckID(a.ID); err != nil {
			t.Errorf("Parse(%q) ID %q: %v", raw, a.ID, err)
		}
		if a.Title == "" && a.Body == "" {
			t.Errorf("Parse(%q) accepted an article with no content", raw)
		}
		again := a
		if err := again.Normalize(Options{MaxBodyBytes: limit}); err != nil {
			t.Errorf("Normalize() of a parsed article: %v", err)
		}
		if diff := cmp.Diff(a, again); diff != "" {
			t.Errorf("Normalize() is not idempotent on Parse(%q) (-first +second):\n%s", raw, diff)
		}
	})
}
