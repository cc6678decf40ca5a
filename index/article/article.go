package article

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	// Embed the time zone database so Asia/Shanghai loads on machines
	// without one (containers, Windows).
	_ "time/tzdata"
)

// Article is one normalized article.
//
// Readers and [Parse] return articles that have been through
// [Article.Normalize]. The JSON tags give the shape of an article in
// JSON input; Date and Origin are not part of it.
type Article struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Authors []string  `json:"author,omitempty"`
	Date    time.Time `json:"-"` // zero when unknown
	URL     string    `json:"url,omitempty"`
	Source  string    `json:"source,omitempty"`
	Tags    []string  `json:"tags,omitempty"`
	Origin  string    `json:"-"` // file path it was read from ("" for API input)
}

// DefaultMaxBodyBytes is the body size limit used when
// [Options.MaxBodyBytes] is zero.
const DefaultMaxBodyBytes = 2 << 20

// lineSlack is how much longer than MaxBodyBytes a JSON line or a text file
// may be: room for the title and the other fields.
const lineSlack = 1 << 20

// Options controls reading. The zero value means defaults.
type Options struct {
	// Location is the time zone for dates that carry none; nil means
	// [DefaultLocation].
	Location *time.Location
	// MaxBodyBytes is the largest body accepted, in bytes; a longer body
	// rejects the article. Zero or less means [DefaultMaxBodyBytes]. A JSON
	// line or a text file may be up to 1 MiB longer than this.
	MaxBodyBytes int
}

func (o Options) withDefaults() Options {
	if o.Location == nil {
		o.Location = DefaultLocation()
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return o
}

// maxLine is the longest JSON line or text file accepted.
func (o Options) maxLine() int { return o.MaxBodyBytes + lineSlack }

var defaultLocation = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// Unreachable with time/tzdata embedded; keep the offset right anyway.
		return time.FixedZone("Asia/Shanghai", 8*60*60)
	}
	return loc
})

// DefaultLocation returns Asia/Shanghai, the time zone for dates that carry
// none when [Options.Location] is nil.
func DefaultLocation() *time.Location { return defaultLocation() }

// DateString returns the date as "2006-01-02" in loc (nil means
// [DefaultLocation]), or "" when Date is zero.
func (a *Article) DateString(loc *time.Location) string {
	if a.Date.IsZero() {
		return ""
	}
	if loc == nil {
		loc = DefaultLocation()
	}
	return a.Date.In(loc).Format(time.DateOnly)
}

// dateKey is the date as it enters hashes and derived ids.
func (a *Article) dateKey() string {
	if a.Date.IsZero() {
		return ""
	}
	return a.Date.UTC().Format(time.RFC3339)
}

// Hash returns a stable content hash: the first 16 bytes of a SHA-256, in
// hex, over every content field (id, title, body, authors, date as RFC 3339
// UTC or "", url, source, tags) but not Origin. Two articles with the same
// hash have the same content; the index uses it to skip unchanged articles.
func (a *Article) Hash() string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	put := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	putList := func(l []string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(l)))])
		for _, s := range l {
			put(s)
		}
	}
	put(a.ID)
	put(a.Title)
	put(a.Body)
	putList(a.Authors)
	put(a.dateKey())
	put(a.URL)
	put(a.Source)
	putList(a.Tags)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Normalize cleans the article in place and checks it, as [Parse] and the
// readers do:
//
//   - title, authors, tags, url and source are trimmed (U+3000 included)
//     and any line breaks in them become one space;
//   - the body has CRLF and CR turned into LF and surrounding blank space
//     trimmed; its inner text is kept as is;
//   - placeholder authors ("unknown", "n/a", "-", …) and empty ones are
//     dropped, and duplicates removed, keeping first-seen order; tags are
//     deduplicated ignoring case; placeholder url and source become "";
//   - a given ID is trimmed and must then pass [CheckID]; a missing one
//     ("") is derived from the content (see below).
//
// It returns a rejection error, leaving the article partly normalized,
// when a field is not valid UTF-8 ([ErrInvalidUTF8]), the given ID is
// refused ([ErrBadID]: longer than [MaxIDBytes], only white space, or
// holding a control character), there is no title and no body
// ([ErrNoContent]), or the body is over the limit ([ErrTooLarge]).
//
// A derived ID is "a" followed by the first 16 hex digits of a SHA-256: over
// the URL when there is one, otherwise over title, NUL, authors joined by
// U+0001, NUL, date (RFC 3339 UTC or ""), NUL, body. The same article gets
// the same ID whatever format it is read from.
//
// Normalize is idempotent: normalizing a normalized article changes nothing.
func (a *Article) Normalize(opts Options) error {
	opts = opts.withDefaults()
	for _, f := range []struct {
		name string
		s    string
	}{{"id", a.ID}, {"title", a.Title}, {"body", a.Body}, {"url", a.URL}, {"source", a.Source}} {
		if err := checkUTF8(f.name, f.s); err != nil {
			return err
		}
	}
	for _, s := range a.Authors {
		if err := checkUTF8("author", s); err != nil {
			return err
		}
	}
	for _, s := range a.Tags {
		if err := checkUTF8("tags", s); err != nil {
			return err
		}
	}

	id, err := normalizeID(a.ID)
	if err != nil {
		return err
	}
	a.ID = id
	a.Title = oneLine(a.Title)
	a.Body = normalizeBody(a.Body)
	a.URL = dropPlaceholder(oneLine(a.URL))
	a.Source = dropPlaceholder(oneLine(a.Source))
	a.Authors = cleanAuthors(a.Authors)
	a.Tags = cleanTags(a.Tags)

	if a.Title == "" && a.Body == "" {
		return ErrNoContent
	}
	if len(a.Body) > opts.MaxBodyBytes {
		return &SizeError{What: "body", Size: int64(len(a.Body)), Limit: int64(opts.MaxBodyBytes)}
	}
	if a.ID == "" {
		a.ID = a.deriveID()
	}
	return nil
}

func (a *Article) deriveID() string {
	var key string
	if a.URL != "" {
		key = a.URL
	} else {
		key = a.Title + "\x00" + strings.Join(a.Authors, "\x01") + "\x00" + a.dateKey() + "\x00" + a.Body
	}
	sum := sha256.Sum256([]byte(key))
	return "a" + hex.EncodeToString(sum[:8])
}

func checkUTF8(field, s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	return &UTF8Error{Field: field, Offset: invalidUTF8At([]byte(s))}
}

// invalidUTF8At returns the offset of the first byte of b that is not part
// of a valid UTF-8 sequence, or -1.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// isSpace reports white space, U+3000 and the BOM included.
func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

func trimSpace(s string) string { return strings.TrimFunc(s, isSpace) }

// oneLine trims s and turns each run of white space that holds a line
// break into one space: titles, authors and tags are single lines.
func oneLine(s string) string {
	s = trimSpace(s)
	if !strings.ContainsAny(s, "\r\n\u2028\u2029\u0085") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isSpace(r) {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		j, brk := i, false
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !isSpace(r) {
				break
			}
			brk = brk || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085'
			j += size
		}
		if brk {
			b.WriteByte(' ')
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func normalizeBody(s string) string { return trimSpace(normalizeNewlines(s)) }

// placeholders are values that mean "not known", compared ignoring case.
var placeholders = map[string]bool{
	"unknown": true, "unknwon": true, "n/a": true, "none": true, "null": true, "-": true,
	"不详": true, "不詳": true, "未知": true,
}

func isPlaceholder(s string) bool {
	return s == "" || (len(s) <= len("unknwon") && placeholders[strings.ToLower(s)])
}

func dropPlaceholder(s string) string {
	if isPlaceholder(s) {
		return ""
	}
	return s
}

func cleanAuthors(in []string) []string {
	return dedupe(in, func(s string) string { return s }, isPlaceholder)
}

func cleanTags(in []string) []string {
	return dedupe(in, strings.ToLower, func(s string) bool { return s == "" })
}

// dedupe returns the one-line forms of in, without those drop reports and
// without repeats (by key), in first-seen order.
func dedupe(in []string, key func(string) string, drop func(string) bool) []string {
	var (
		out  []string
		keys []string
		seen map[string]bool // for long lists only
	)
	for _, s := range in {
		s = oneLine(s)
		if drop(s) {
			continue
		}
		k := key(s)
		if seen != nil {
			if seen[k] {
				continue
			}
			seen[k] = true
		} else if slices.Contains(keys, k) {
			continue
		} else if keys = append(keys, k); len(keys) > 16 {
			seen = make(map[string]bool, len(in))
			for _, k := range keys {
				seen[k] = true
			}
		}
		out = append(out, s)
	}
	return out
}

// splitAuthors splits one author string into authors: on "、", "，", "；",
// ";" and "|", and, for a part that is only Han characters and white space,
// on runs of white space ("王建宏 张文攀" is two people). It never splits on
// an ASCII comma ("Janie Gabbett, Reuters" is one author) or on spaces
// next to Latin letters ("周思博 (Joel Spolsky)" is one).
func splitAuthors(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '、', '，', '；', ';', '|':
			return true
		}
		return false
	})
	var out []string
	for _, p := range parts {
		p = trimSpace(p)
		if hanAndSpaces(p) {
			out = append(out, strings.FieldsFunc(p, isSpace)...)
		} else if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// hanAndSpaces reports whether s has only Han characters, the middle dots
// used inside transliterated names, and white space.
func hanAndSpaces(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) && !isSpace(r) && r != '·' && r != '・' && r != '•' {
			return false
		}
	}
	return true
}

// splitTags splits a tag string on ASCII and full-width commas.
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' })
}
