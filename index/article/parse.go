package article

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Field names and their aliases, in order of preference: for each field the
// first alias with a non-empty value wins. Keys match ignoring case.
var (
	keysID     = []string{"id"}
	keysTitle  = []string{"title"}
	keysBody   = []string{"body", "content", "text"}
	keysAuthor = []string{"author", "authors"}
	keysDate   = []string{"date", "published", "time", "published_at", "pubdate"}
	keysURL    = []string{"url", "link"}
	keysSource = []string{"source"}
	keysTags   = []string{"tags", "tag", "keywords"}
)

// Parse converts one JSON object into a normalized [Article].
//
// Known keys match ignoring case; for a field with aliases, the first
// alias with a non-empty value wins:
//
//	id                                         string, or number (its text)
//	title                                      string
//	body, content, text                        string
//	author, authors                            string, or array of strings
//	date, published, time, published_at, pubdate  string for [ParseDate], or Unix seconds
//	url, link                                  string
//	source                                     string
//	tags, tag, keywords                        array of strings, or string split on "," and "，"
//
// Other keys are ignored, and null counts as missing. One author string is
// split into several on "、", "，", "；", ";" and "|", and, when it is only
// Han characters and spaces, on spaces ("王建宏 张文攀"); never on an ASCII
// comma ("Janie Gabbett, Reuters") or between Latin words.
//
// A given id is trimmed and must pass [CheckID]: at most [MaxIDBytes]
// bytes, not only white space, no control characters. An empty or missing
// id is derived from the content, as [Article.Normalize] says.
//
// An empty or placeholder date ("UNKNOWN") means no date. A date that
// cannot be parsed leaves the article without a date and adds a warning
// such as `unparseable date "去年秋天"`.
//
// Parse returns an error, matching one of the package's Err values, when
// the article is rejected: raw is not valid UTF-8 (checked before decoding,
// since the decoder would silently replace bad bytes), not JSON, not an
// object, has a known field of the wrong type, has an id [CheckID]
// refuses ([ErrBadID]), or fails [Article.Normalize]. Parse is safe for
// concurrent use.
func Parse(raw []byte, opts Options) (Article, []string, error) {
	opts = opts.withDefaults()
	if i := invalidUTF8At(raw); i >= 0 {
		return Article{}, nil, &UTF8Error{Offset: i}
	}
	obj, err := decodeObject(raw)
	if err != nil {
		return Article{}, nil, err
	}
	var (
		a     Article
		warns []string
	)
	if a.ID, err = obj.id(); err != nil {
		return Article{}, nil, err
	}
	if a.Title, err = obj.str(keysTitle); err != nil {
		return Article{}, nil, err
	}
	if a.Body, err = obj.str(keysBody); err != nil {
		return Article{}, nil, err
	}
	if a.URL, err = obj.str(keysURL); err != nil {
		return Article{}, nil, err
	}
	if a.Source, err = obj.str(keysSource); err != nil {
		return Article{}, nil, err
	}
	if a.Authors, err = obj.list(keysAuthor, splitAuthors); err != nil {
		return Article{}, nil, err
	}
	if a.Tags, err = obj.list(keysTags, splitTags); err != nil {
		return Article{}, nil, err
	}
	var warn string
	if a.Date, warn, err = obj.date(opts.Location); err != nil {
		return Article{}, nil, err
	}
	if warn != "" {
		warns = append(warns, warn)
	}
	if err := a.Normalize(opts); err != nil {
		return Article{}, nil, err
	}
	return a, warns, nil
}

// object is a decoded JSON object keyed by lower-case key.
type object map[string]field

type field struct {
	key string // as written
	val any    // as decoded with json.Decoder.UseNumber
}

// decodeObject decodes raw as a JSON object. When two keys differ only in
// case, the one written in lower case wins, else the first in byte order,
// so the result does not depend on map order.
func decodeObject(raw []byte) (object, error) {
	// One pass to scan and one to decode: json.Unmarshal into RawMessage
	// fields, then each field again, would go over the body four times.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: unexpected end of JSON input", ErrInvalidJSON)
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidJSON, err)
	}
	if rest := bytes.TrimLeft(raw[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, fmt.Errorf("%w: invalid character %s after top-level value", ErrInvalidJSON, quoteByte(rest[0]))
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w (got %s)", ErrNotObject, kind(v))
	}
	obj := make(object, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		lk := strings.ToLower(k)
		if old, ok := obj[lk]; ok && (old.key == lk || k != lk) {
			continue
		}
		obj[lk] = field{key: k, val: m[k]}
	}
	return obj, nil
}

// quoteByte quotes a byte as encoding/json's syntax errors do.
func quoteByte(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(c) + "'"
	}
	s := strconv.Quote(string(c))
	return "'" + s[1:len(s)-1] + "'"
}

// kind names the JSON type of a decoded value, for error messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	default:
		return "object"
	}
}

// str returns the first non-blank string among keys.
func (o object) str(keys []string) (string, error) {
	first := ""
	for _, k := range keys {
		f, ok := o[k]
		if !ok || f.val == nil {
			continue
		}
		s, ok := f.val.(string)
		if !ok {
			return "", &FieldError{Field: f.key, Reason: "want a string, got " + kind(f.val)}
		}
		if trimSpace(s) != "" {
			return s, nil
		}
		if first == "" {
			first = s
		}
	}
	return first, nil
}

// id returns "id" as a string; a JSON number keeps its text.
func (o object) id() (string, error) {
	f, ok := o["id"]
	if !ok || f.val == nil {
		return "", nil
	}
	switch v := f.val.(type) {
	case json.Number:
		return v.String(), nil
	case string:
		return v, nil
	}
	return "", &FieldError{Field: f.key, Reason: "want a string or a number, got " + kind(f.val)}
}

// list returns the first non-empty list among keys: a JSON array of strings,
// or a string cut by split.
func (o object) list(keys []string, split func(string) []string) ([]string, error) {
	for _, k := range keys {
		f, ok := o[k]
		if !ok || f.val == nil {
			continue
		}
		var l []string
		switch v := f.val.(type) {
		case string:
			l = split(v)
		case []any:
			for _, it := range v {
				if it == nil {
					continue
				}
				s, ok := it.(string)
				if !ok {
					return nil, &FieldError{Field: f.key, Reason: "want an array of strings, got an array holding a " + kind(it)}
				}
				l = append(l, s)
			}
		default:
			return nil, &FieldError{Field: f.key, Reason: "want a string or an array of strings, got " + kind(f.val)}
		}
		for _, s := range l {
			if trimSpace(s) != "" {
				return l, nil
			}
		}
	}
	return nil, nil
}

// date returns the first non-empty date among the date keys, or a warning
// when it cannot be parsed.
func (o object) date(loc *time.Location) (time.Time, string, error) {
	for _, k := range keysDate {
		f, ok := o[k]
		if !ok || f.val == nil {
			continue
		}
		switch v := f.val.(type) {
		case json.Number:
			t, warn := unixDate(v)
			return t, warn, nil
		case string:
			t, warn, ok := stringDate(v, loc)
			if ok {
				return t, warn, nil
			}
		default:
			return time.Time{}, "", &FieldError{Field: f.key, Reason: "want a string or a number, got " + kind(f.val)}
		}
	}
	return time.Time{}, "", nil
}

// stringDate parses a date string. ok is false for an empty or placeholder
// date; warn is set for one that cannot be parsed.
func stringDate(s string, loc *time.Location) (t time.Time, warn string, ok bool) {
	if isPlaceholder(trimSpace(s)) {
		return time.Time{}, "", false
	}
	t, err := ParseDate(s, loc)
	if err != nil {
		return time.Time{}, err.Error(), true
	}
	return t, "", true
}

// minUnix and maxUnix bound Unix-second dates to years 1 to 9999.
const (
	minUnix = -62135596800
	maxUnix = 253402300799
)

func unixDate(n json.Number) (time.Time, string) {
	f, err := n.Float64()
	if err == nil && f == 0 {
		return time.Time{}, "" // 0 is a common "not set"
	}
	if err == nil && f >= minUnix && f <= maxUnix {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), ""
	}
	return time.Time{}, fmt.Sprintf("unparseable date %s: not a Unix time in seconds", n)
}
